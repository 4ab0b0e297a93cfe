"""The wall page's camera tree: district -> school -> camera, a search box, drag onto the wall.

A small Python tree model over the catalogue rather than 40,000 QStandardItems: Qt asks only for
the rows it shows, and a search rebuilds a filtered copy of the tree (plain lists) in one reset.
A dragged district, school or camera carries its cameras in order (widgets.video_wall mime data).
A district viewer's tree (set_scope) holds only their district, so nothing else can be dragged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from console.pages.wall_data import CameraCatalog
from services.access.redaction import without_userinfo
from widgets.video_wall import WallCamera, cameras_mime

_Index = QModelIndex | QPersistentModelIndex
SEARCH_DELAY_MS = 200


@dataclass(slots=True)
class _Node:
    kind: str  # district | school | camera
    text: str
    parent: int  # node id of the parent, -1 for a district
    row: int
    cameras: list[WallCamera]
    children: list[int] = field(default_factory=list)


class CameraTreeModel(QAbstractItemModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog: CameraCatalog | None = None
        self._english = False
        self._nodes: list[_Node] = []
        self._roots: list[int] = []
        self._scope: str | None = None
        self._filter = ""

    def set_catalog(self, catalog: CameraCatalog, english: bool) -> None:
        self._catalog, self._english = catalog, english
        self.apply_filter("")

    def set_scope(self, adcode: str | None) -> None:
        """Show only district *adcode* (a district viewer's), or every district (None)."""
        self._scope = adcode or None
        self.apply_filter(self._filter)

    def scope(self) -> str | None:
        return self._scope

    def apply_filter(self, text: str) -> None:
        """Keep districts, schools and cameras whose name or code contains *text* (and what is
        under a match), within the scope."""
        self._filter = text
        needle = text.strip().casefold()
        self.beginResetModel()
        self._nodes, self._roots = [], []
        for district in self._catalog.districts if self._catalog else []:
            if self._scope is not None and district.adcode != self._scope:
                continue
            name = district.name_en if self._english and district.name_en else district.name
            whole_district = not needle or needle in name.casefold() or needle in district.name.casefold()
            schools = []
            for school in district.schools:
                whole_school = (
                    whole_district or needle in school.name.casefold() or needle in school.code.casefold()
                )
                cams = school.cameras if whole_school else [
                    c for c in school.cameras if needle in c.name.casefold() or needle in c.code.casefold()
                ]  # fmt: skip
                if cams or whole_school:
                    schools.append((school, cams))
            if not schools and not whole_district:
                continue
            d_id = self._add("district", name, -1, len(self._roots), [c for _, cams in schools for c in cams])
            self._roots.append(d_id)
            for school, cams in schools:
                parent = self._nodes[d_id]
                s_id = self._add(
                    "school", f"{school.name} ({len(school.cameras)})", d_id, len(parent.children), cams
                )
                parent.children.append(s_id)
                for camera in cams:
                    node = self._nodes[s_id]
                    node.children.append(self._add("camera", camera.name, s_id, len(node.children), [camera]))
        self.endResetModel()

    def _add(self, kind: str, text: str, parent: int, row: int, cameras: list[WallCamera]) -> int:
        self._nodes.append(_Node(kind, text, parent, row, cameras))
        return len(self._nodes) - 1

    def node_cameras(self, index: _Index) -> list[WallCamera]:
        return list(self._nodes[index.internalId()].cameras) if index.isValid() else []

    def node_kind(self, index: _Index) -> str:
        return self._nodes[index.internalId()].kind if index.isValid() else ""

    # --- QAbstractItemModel ---------------------------------------------------------------------
    def _children(self, parent: _Index) -> list[int]:
        return self._nodes[parent.internalId()].children if parent.isValid() else self._roots

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        children = self._children(parent)
        if column != 0 or not 0 <= row < len(children):
            return QModelIndex()
        return self.createIndex(row, 0, children[row])

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid():
            return QModelIndex()
        node = self._nodes[child.internalId()]
        if node.parent < 0:
            return QModelIndex()
        return self.createIndex(self._nodes[node.parent].row, 0, node.parent)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(self._children(parent))

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._nodes[index.internalId()]
        if role == Qt.ItemDataRole.DisplayRole:
            return node.text
        if role == Qt.ItemDataRole.ToolTipRole and node.kind == "camera":
            # Registry URLs carry no password, but a tooltip never shows a login whatever the data.
            return f"{node.cameras[0].code}\n{without_userinfo(node.cameras[0].sub_url)}"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        from widgets.video_wall import CAMERAS_MIME

        return [CAMERAS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # type: ignore[override]
        cameras: list[WallCamera] = []
        kind = "camera"
        for index in indexes:
            cameras.extend(self.node_cameras(index))
            kind = self.node_kind(index)
        return cameras_mime(kind, cameras)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


class CameraTree(QWidget):
    """The search box and the tree."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("wallCameraSearch")
        self.search.setClearButtonEnabled(True)
        self.model = CameraTreeModel(self)
        self.view = QTreeView(self)
        self.view.setObjectName("wallCameraTree")
        self.view.setHeaderHidden(True)
        self.view.setModel(self.model)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setUniformRowHeights(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        self._search_timer = QTimer(self)
        self._search_timer.setObjectName("wallCameraSearchDelay")
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(self.tr("Search district, school or camera"))

    def set_catalog(self, catalog: CameraCatalog, english: bool) -> None:
        self.model.set_catalog(catalog, english)

    def set_scope(self, adcode: str | None) -> None:
        """Offer only district *adcode* (a district viewer's) for dragging, or the whole city."""
        self.model.set_scope(adcode)
        if self.search.text().strip():
            self.view.expandToDepth(0)

    def _apply_search(self) -> None:
        text = self.search.text()
        self.model.apply_filter(text)
        if text.strip():
            self.view.expandToDepth(0)
