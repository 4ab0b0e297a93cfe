"""The city map of schools: districts, every school coloured by state, hover, click, fly-to.

The widget wraps plain data (``MapDistrict`` and ``MapSchools``) and a stream of state changes;
it knows nothing of the database or the network. State changes are staged by ``apply_states`` and
applied by a coalescing timer at most ~30 times a second, rebuilding only what changed.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import (
    QEasingCurve,
    QEvent,
    QObject,
    QPoint,
    QPointF,
    QRectF,
    Qt,
    QTimer,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import QAction, QHideEvent, QKeySequence, QMouseEvent, QShowEvent
from PySide6.QtWidgets import QToolButton, QToolTip, QVBoxLayout, QWidget

from services.school_state import SchoolState
from widgets.school_map.districts_layer import DistrictLayer
from widgets.school_map.labels import DistrictLabel, LabelLayer
from widgets.school_map.lasso import LassoOverlay, points_inside
from widgets.school_map.legend import LegendOverlay
from widgets.school_map.markers import MarkerLayer
from widgets.school_map.model import MapDistrict, MapSchools, Projection, projection_for
from widgets.school_map.spatial_index import SortedXIndex
from widgets.school_map.sprites import MARKER_DIAMETER, PULSE_FRAMES
from widgets.school_map.state_store import STATE_COUNT, StateChanges, StateStore
from widgets.school_map.tooltip import school_tooltip
from widgets.school_map.visibility import MapFilter, Visibility
from widgets.theme_colors import MAP_BACKGROUND_HEX

log = logging.getLogger(__name__)

FLUSH_INTERVAL_MS = 33  # coalescing tick: at most ~30 marker rebuilds a second
PULSE_INTERVAL_MS = 140
PULSE_MAX_ALARMS = 200  # more visible alarms than this: no pulse (see _update_pulse)
FLY_DURATION_MS = 450
LABEL_MIN_PX_PER_KM = 30.0  # school names appear from this zoom on (about a 50 km wide view)
HOVER_SLOP_PX = 3.0  # how far outside a marker the pointer may be and still hover it
_PARTIAL_UPDATE_LIMIT = 24  # more changed markers than this in view: repaint the layer at once
_RADIUS_BY_STATE = np.array([MARKER_DIAMETER[s] / 2 for s in SchoolState], dtype=np.float64)


class SchoolMapWidget(QWidget):
    """The city map: district boundaries, every school as a marker coloured by its state.

    Feed it with ``set_city(districts, schools)``, then ``apply_states(ids, states)`` as often
    as updates arrive (bulk numpy arrays, or a dict of id -> state); the map applies them on its
    own coalescing tick. ``set_filters`` hides schools by district, type or state; ``fly_to``
    animates the view to a school and rings it; ``reset_view`` shows the whole city;
    ``set_flashing(ids)`` makes these schools flash (a blinking ring, whatever their state) until
    called again without them.

    Signals:
        schoolActivated(int): the operator clicked a school; carries the school id.
        schoolHovered(int): the school under the pointer changed; the id, or -1 for none.
        flyToFinished(int): a ``fly_to`` animation ended; carries the school id.
        selectionChanged(int): the schools selected by a drawn outline changed; their count.

    Drawing a selection: with ``set_selection_mode(True)`` a left drag draws an outline instead
    of panning; the visible schools inside it become the selection (Shift adds to it).
    ``selected_ids()`` lists them, ``clear_selection()`` empties it.
    """

    schoolActivated = Signal(int)
    schoolHovered = Signal(int)
    flyToFinished = Signal(int)
    selectionChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = pg.GraphicsView(parent=self, background=MAP_BACKGROUND_HEX)
        self._vb = pg.ViewBox(lockAspect=1.0, enableMenu=False, defaultPadding=0.03)
        self._vb.setAspectLocked(True, ratio=1.0)
        self._view.setCentralItem(self._vb)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)

        self._legend = LegendOverlay(self._view)
        self._legend.move(10, 10)
        self.reset_view_action = QAction(self.tr("Reset view"), self)
        self.reset_view_action.setToolTip(self.tr("Show the whole city (Home)"))
        self.reset_view_action.setShortcut(QKeySequence(Qt.Key.Key_Home))
        self.reset_view_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.reset_view_action.triggered.connect(self.reset_view)
        self.addAction(self.reset_view_action)
        self._reset_button = QToolButton(self._view)
        self._reset_button.setDefaultAction(self.reset_view_action)
        self._reset_button.adjustSize()

        self._flush_timer = QTimer(self)
        self._flush_timer.setObjectName("schoolMapFlush")
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self.flush_pending)
        self._pulse_timer = QTimer(self)
        self._pulse_timer.setObjectName("schoolMapPulse")
        self._pulse_timer.setInterval(PULSE_INTERVAL_MS)
        self._pulse_timer.timeout.connect(self._advance_pulse)
        self._pulse_frame = 0
        self._fly = QVariantAnimation(self)
        self._fly.setStartValue(0.0)
        self._fly.setEndValue(1.0)
        self._fly.setDuration(FLY_DURATION_MS)
        self._fly.setEasingCurve(QEasingCurve.Type.InOutCubic)
        self._fly.valueChanged.connect(self._on_fly_step)
        self._fly.finished.connect(self._on_fly_finished)
        self._fly_from = QRectF()
        self._fly_to = QRectF()
        self._fly_school = -1

        self._schools: MapSchools | None = None
        self._districts: list[MapDistrict] = []
        self._projection = Projection(0.0)
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self._store = StateStore(np.zeros(0, dtype=np.int64))
        self._visibility = Visibility(np.zeros(0, dtype=np.int16), np.zeros(0, dtype=np.int8))
        self._visible = np.zeros(0, dtype=bool)
        self._index = SortedXIndex(self._x, self._y)
        self._markers: MarkerLayer | None = None
        self._district_layer: DistrictLayer | None = None
        self._labels: LabelLayer | None = None
        self._city_rect = QRectF()
        self._hovered = -1
        self._flashing_ids: frozenset[int] = frozenset()
        self._lasso = LassoOverlay(self._vb)
        self._selecting = False
        self._lasso_adds = False  # Shift was held when the outline began
        self._selected = np.zeros(0, dtype=np.intp)

        self._view.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self._vb.sigRangeChanged.connect(self._on_view_changed)
        self._view.viewport().installEventFilter(self)
        self._view.installEventFilter(self)

    # --- data in -----------------------------------------------------------------------------
    def set_city(self, districts: Sequence[MapDistrict], schools: MapSchools) -> None:
        """Replace everything shown: district boundaries and the schools (all UNKNOWN)."""
        self._flush_timer.stop()
        self._fly.stop()
        for layer in (self._district_layer, self._markers, self._labels):
            if layer is not None:
                self._vb.removeItem(layer)
        self._schools = schools
        self._districts = list(districts)
        self._projection = projection_for(districts, schools)
        self._x, self._y = self._projection.xy(schools.lon, schools.lat)
        self._store = StateStore(schools.ids)
        self._visibility = Visibility(schools.district, schools.type_code)
        self._visible = self._visibility.mask(self._store.states)
        self._index = SortedXIndex(self._x, self._y)

        self._district_layer = DistrictLayer(self._districts, self._projection)
        self._markers = MarkerLayer(self._x, self._y)
        self._markers.set_members(self._store.states, self._visible, range(STATE_COUNT))
        district_labels = [
            DistrictLabel(*self._projection.point(*d.label_point), d.name) for d in self._districts
        ]
        self._labels = LabelLayer(
            self._x, self._y, schools.names, district_labels, self._markers.boundingRect()
        )
        self._district_layer.setZValue(0)
        self._markers.setZValue(10)
        self._labels.setZValue(20)
        for layer in (self._district_layer, self._markers, self._labels):
            self._vb.addItem(layer, ignoreBounds=True)

        rect = self._district_layer.boundingRect()
        if len(schools):
            rect = rect.united(
                QRectF(
                    float(self._x.min()),
                    float(self._y.min()),
                    float(np.ptp(self._x)) or 0.01,
                    float(np.ptp(self._y)) or 0.01,
                )
            )
        self._city_rect = rect
        # Zoom-in limit: about 300 m across. No zoom-out limit: with the aspect locked, pyqtgraph
        # misplaces the range when a maximum binds while the widget is still tiny (before its
        # first layout); Home brings the city back.
        closest = 0.3 / Projection.KM_PER_UNIT
        self._vb.setLimits(minXRange=closest, minYRange=closest)
        self._hovered = -1
        self._selected = np.zeros(0, dtype=np.intp)
        self._lasso.clear()
        self._refresh_counts()
        self.set_flashing(self._flashing_ids)
        self.reset_view()

    def apply_states(
        self, ids: npt.ArrayLike | Mapping[int, int], states: npt.ArrayLike | None = None
    ) -> int:
        """Stage new states for schools (applied on the next coalescing tick).

        Takes two equal-length arrays (school ids, SchoolState values) or one mapping of
        id -> state. Returns how many updates were accepted; updates for unknown schools or with
        invalid states are dropped and logged. Costs O(len(ids)) and never repaints by itself.
        """
        if isinstance(ids, Mapping):
            accepted = self._store.stage_mapping(ids)
        else:
            if states is None:
                raise ValueError("apply_states(ids, states): states are missing")
            accepted = self._store.stage(ids, states)
        if self._store.has_pending and not self._flush_timer.isActive() and self.isVisible():
            self._flush_timer.start()
        return accepted

    def flush_pending(self) -> None:
        """Apply the staged states now (the coalescing timer calls this)."""
        self._flush_timer.stop()
        if not self._store.has_pending or self._markers is None:
            return
        changes = self._store.take_changes()
        if len(changes):
            self._apply_changes(changes)

    def set_filters(
        self,
        districts: Iterable[int] | None = None,
        types: Iterable[int] | None = None,
        states: Iterable[int] | None = None,
    ) -> None:
        """Show only schools in these districts (indices), of these types and in these states.

        None for a criterion shows everything of it. Hidden schools are neither drawn nor
        hoverable.
        """
        new = MapFilter.of(districts, types, states)
        self._visibility.set_filter(new)
        self._visible = self._visibility.mask(self._store.states)
        if self._markers is not None:
            self._markers.set_members(self._store.states, self._visible, range(STATE_COUNT))
            self._markers.update()
        if self._district_layer is not None:
            self._district_layer.set_selected(new.districts)
        self._refresh_counts()
        self._on_view_changed()
        self._update_pulse()

    # --- view ---------------------------------------------------------------------------------
    def reset_view(self) -> None:
        self._fly.stop()
        if not self._city_rect.isNull():
            self._vb.setRange(self._city_rect, padding=0.03)

    def fly_to(self, school_id: int) -> bool:
        """Animate the view to *school_id* and ring it; False (and a log line) if unknown."""
        index = int(self._store.index_of([school_id])[0])
        if index < 0 or self._markers is None:
            log.warning("school map: fly_to(%s): no such school on the map", school_id)
            return False
        self._markers.set_highlight(index)
        self._on_view_changed()
        current = self._vb.viewRect()
        x, y = float(self._x[index]), float(self._y[index])
        # Zoom in far enough to read school names, but never zoom out to get there.
        pixels = max(self._vb.width(), 1.0)
        label_width = pixels / (LABEL_MIN_PX_PER_KM * 1.5) / Projection.KM_PER_UNIT
        width = min(current.width(), label_width)
        height = width * current.height() / max(current.width(), 1e-12)
        self._fly_from = QRectF(current)
        self._fly_to = QRectF(x - width / 2, y - height / 2, width, height)
        self._fly_school = int(school_id)
        self._fly.stop()
        if self.isVisible():
            self._fly.start()
        else:
            self._vb.setRange(self._fly_to, padding=0)
            self.flyToFinished.emit(self._fly_school)
        return True

    def set_flashing(self, school_ids: Iterable[int]) -> None:
        """Flash these schools (a blinking ring over the marker) until the next call without them.

        Ids not on the map are kept (they flash once a city that has them is set) but not drawn.
        """
        self._flashing_ids = frozenset(int(i) for i in school_ids)
        if self._markers is None:
            return
        ids = np.fromiter(self._flashing_ids, dtype=np.int64, count=len(self._flashing_ids))
        indices = self._store.index_of(ids) if len(ids) else np.zeros(0, dtype=np.intp)
        indices = np.sort(np.asarray(indices, dtype=np.intp)[np.asarray(indices) >= 0])
        old = self._markers.flash
        self._markers.set_flash(indices, self._flash_frame())
        self._repaint_changed(np.union1d(old, indices).astype(np.intp))
        self._update_pulse()

    def flashing_ids(self) -> frozenset[int]:
        return self._flashing_ids

    def _flash_frame(self) -> int:
        # Many flashing schools blink together on one steady ring: hundreds of moving rings are
        # only flicker (the same reason the alarm pulse stops past PULSE_MAX_ALARMS).
        flashing = 0 if self._markers is None else len(self._markers.flash)
        return self._pulse_frame if flashing <= PULSE_MAX_ALARMS else PULSE_FRAMES // 2

    # --- a drawn selection ------------------------------------------------------------------------
    def set_selection_mode(self, on: bool) -> None:
        """While on, a left drag draws a selection outline instead of panning the map."""
        self._selecting = on
        viewport = self._view.viewport()
        if on:
            viewport.setCursor(Qt.CursorShape.CrossCursor)
        else:
            viewport.unsetCursor()
            if self._lasso.drawing:
                self._finish_lasso()

    @property
    def selection_mode(self) -> bool:
        return self._selecting

    def select_polygon(self, polygon: npt.ArrayLike, add: bool = False) -> int:
        """Select the visible schools inside *polygon* ((n, 2) map view coordinates); with *add*
        the earlier selection stays. Returns how many schools are selected now."""
        outline = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
        found = np.zeros(0, dtype=np.intp)
        if len(outline) >= 3 and len(self._x):
            (left, top), (right, bottom) = outline.min(axis=0), outline.max(axis=0)
            cand = self._index.in_rect(float(left), float(right), float(top), float(bottom))
            cand = cand[self._visible[cand]]
            found = cand[points_inside(self._x[cand], self._y[cand], outline)]
        chosen = np.union1d(self._selected, found) if add else np.sort(found)
        self._set_selected(chosen.astype(np.intp))
        self._lasso.show_polygon(outline)
        return len(self._selected)

    def selected_ids(self) -> list[int]:
        """The ids of the selected schools, in map order."""
        if self._schools is None:
            return []
        return [int(i) for i in self._schools.ids[self._selected]]

    def clear_selection(self) -> None:
        self._lasso.clear()
        if len(self._selected):
            self._set_selected(np.zeros(0, dtype=np.intp))

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """Map view coordinates of a longitude/latitude (for outlines given in degrees)."""
        return self._projection.point(lon, lat)

    def _set_selected(self, indices: npt.NDArray[np.intp]) -> None:
        self._selected = indices
        self._lasso.show_selected(self._x[indices], self._y[indices])
        self.selectionChanged.emit(len(indices))

    def _finish_lasso(self) -> None:
        self.select_polygon(self._lasso.finish(), add=self._lasso_adds)

    def _lasso_event(self, event: QMouseEvent) -> bool:
        """Draw the outline from the viewport's mouse events; True when the event was used."""
        kind = event.type()
        point = self._vb.mapSceneToView(self._view.mapToScene(event.position().toPoint()))
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._lasso_adds = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._lasso.begin(point)
            return True
        if kind == QEvent.Type.MouseMove and self._lasso.drawing:
            self._lasso.extend(point)
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._lasso.drawing:
            self._lasso.extend(point)
            self._finish_lasso()
            return True
        return False

    def clear_highlight(self) -> None:
        if self._markers is not None:
            self._markers.set_highlight(None)
            self._on_view_changed()

    # --- inspection (console, tests and benchmarks) ---------------------------------------------
    @property
    def graphics_view(self) -> pg.GraphicsView:
        return self._view

    @property
    def view_box(self) -> pg.ViewBox:
        return self._vb

    @property
    def marker_layer(self) -> MarkerLayer | None:
        return self._markers

    @property
    def label_layer(self) -> LabelLayer | None:
        return self._labels

    @property
    def legend(self) -> LegendOverlay:
        return self._legend

    def state_of(self, school_id: int) -> SchoolState | None:
        """The state currently shown for *school_id* (None if unknown)."""
        index = int(self._store.index_of([school_id])[0])
        return None if index < 0 else SchoolState(int(self._store.states[index]))

    def state_counts(self) -> dict[SchoolState, int]:
        counts = self._legend.counts()
        return {s: counts[int(s)] for s in SchoolState}

    def viewport_position(self, school_id: int) -> QPoint | None:
        """Where *school_id* is drawn, in the graphics view's viewport pixels."""
        index = int(self._store.index_of([school_id])[0])
        if index < 0:
            return None
        scene = self._vb.mapViewToScene(QPointF(float(self._x[index]), float(self._y[index])))
        return self._view.mapFromScene(scene)

    def view_contains(self, school_id: int) -> bool:
        index = int(self._store.index_of([school_id])[0])
        return index >= 0 and self._vb.viewRect().contains(
            QPointF(float(self._x[index]), float(self._y[index]))
        )

    def school_at(self, viewport_pos: QPoint | QPointF) -> int | None:
        """The id of the visible school drawn at *viewport_pos*, or None."""
        index = self._index_at_scene(self._view.mapToScene(QPointF(viewport_pos).toPoint()))
        return None if index is None or self._schools is None else int(self._schools.ids[index])

    def tooltip_for(self, school_id: int) -> str:
        index = int(self._store.index_of([school_id])[0])
        if index < 0 or self._schools is None:
            return ""
        s = self._schools
        d = int(s.district[index])
        district = self._districts[d].name if 0 <= d < len(self._districts) else "—"
        code = int(s.type_code[index])
        return school_tooltip(
            s.names[index],
            s.type_names.get(code, str(code)),
            district,
            int(s.students[index]),
            SchoolState(int(self._store.states[index])),
        )

    # --- internals ----------------------------------------------------------------------------
    def _apply_changes(self, changes: StateChanges) -> None:
        assert self._markers is not None
        states = self._store.states
        self._visible = self._visibility.mask(states)
        self._markers.set_members(states, self._visible, changes.touched_states())
        self._refresh_counts()
        self._repaint_changed(changes.indices)
        if self._visibility.filter.states is not None:
            self._on_view_changed()  # a state filter changes which schools may get labels
        self._update_pulse()

    def _refresh_counts(self) -> None:
        if self._schools is None:
            return
        shown = self._store.states[self._visibility.static_mask]
        self._legend.set_counts(np.bincount(shown, minlength=STATE_COUNT))
        if self._labels is not None and not self._labels_zoom():
            self._labels.set_district_counts(self._district_counts())

    def _district_counts(self) -> list[int]:
        assert self._schools is not None
        d = self._schools.district[self._visible]
        d = d[d >= 0]
        return [int(c) for c in np.bincount(d, minlength=len(self._districts))[: len(self._districts)]]

    def _pixel_size(self) -> tuple[float, float]:
        px = self._vb.viewPixelSize()
        return abs(float(px[0])) or 1e-9, abs(float(px[1])) or 1e-9

    def _labels_zoom(self) -> bool:
        upx, _ = self._pixel_size()
        return 1.0 / (upx * Projection.KM_PER_UNIT) >= LABEL_MIN_PX_PER_KM

    def _repaint_changed(self, indices: npt.NDArray[np.intp]) -> None:
        """Repaint only where a marker changed, and nothing when all changes are out of view."""
        if self._markers is None or not self.isVisible():
            return
        view = self._vb.viewRect()
        upx, upy = self._pixel_size()
        pad_x = (self._markers.max_radius_px + 2) * upx
        pad_y = (self._markers.max_radius_px + 2) * upy
        xs, ys = self._x[indices], self._y[indices]
        in_view = (
            (xs >= view.left() - pad_x)
            & (xs <= view.right() + pad_x)
            & (ys >= view.top() - pad_y)
            & (ys <= view.bottom() + pad_y)
        )
        count = int(np.count_nonzero(in_view))
        if count == 0:
            return
        if count > _PARTIAL_UPDATE_LIMIT:
            self._markers.update()
            return
        for x, y in zip(xs[in_view], ys[in_view], strict=True):
            self._markers.update(QRectF(float(x) - pad_x, float(y) - pad_y, 2 * pad_x, 2 * pad_y))

    def _update_pulse(self) -> None:
        alarms = 0 if self._markers is None else len(self._markers.members(SchoolState.ALARM))
        flashing = 0 if self._markers is None else len(self._markers.flash)
        # A pulse draws the eye to a few alarms; with hundreds at once (a city-wide event) it is
        # only flicker, so the markers stay steady and the legend count tells the size.
        if (0 < alarms <= PULSE_MAX_ALARMS or 0 < flashing <= PULSE_MAX_ALARMS) and self.isVisible():
            if not self._pulse_timer.isActive():
                self._pulse_timer.start()
        else:
            self._pulse_timer.stop()
            if self._markers is not None:
                self._markers.set_pulse_frame(None)

    def _advance_pulse(self) -> None:
        if self._markers is None:
            return
        self._pulse_frame = (self._pulse_frame + 1) % PULSE_FRAMES
        alarms = self._markers.members(SchoolState.ALARM)
        if 0 < len(alarms) <= PULSE_MAX_ALARMS:
            self._markers.set_pulse_frame(self._pulse_frame)
            self._repaint_changed(alarms)
        else:
            self._markers.set_pulse_frame(None)
        flash = self._markers.flash
        if len(flash):
            self._markers.set_flash(flash, self._flash_frame())
            self._repaint_changed(flash)

    def _on_view_changed(self, *_args: object) -> None:
        if self._labels is None or self._schools is None:
            return
        if self._labels_zoom():
            r = self._vb.viewRect()
            cand = self._index.in_rect(r.left(), r.right(), r.top(), r.bottom())
            cand = cand[self._visible[cand]]
            # Most severe first, then the bigger school: they win the label when space is short.
            order = np.lexsort((-self._schools.students[cand], -self._store.states[cand]))
            highlight = self._markers.highlight if self._markers is not None else None
            self._labels.set_school_candidates(cand[order], pinned=highlight)
            self._labels.set_district_counts(None)
        else:
            self._labels.set_school_candidates(np.zeros(0, dtype=np.intp))
            self._labels.set_district_counts(self._district_counts())

    def _index_at_scene(self, scene_pos: QPointF) -> int | None:
        if self._markers is None or len(self._x) == 0:
            return None
        p = self._vb.mapSceneToView(scene_pos)
        upx, upy = self._pixel_size()
        reach = float(_RADIUS_BY_STATE.max()) + HOVER_SLOP_PX
        cand = self._index.near(p.x(), p.y(), reach * upx, reach * upy)
        cand = cand[self._visible[cand]]
        if len(cand) == 0:
            return None
        dist = np.hypot((self._x[cand] - p.x()) / upx, (self._y[cand] - p.y()) / upy)
        edge = dist - _RADIUS_BY_STATE[self._store.states[cand]]
        # The marker drawn on top (the more severe) wins a tie.
        best = int(np.argmin(edge - 0.01 * self._store.states[cand]))
        return int(cand[best]) if edge[best] <= HOVER_SLOP_PX else None

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        """Hover: one index lookup per move, the tooltip and signal only when the school changes."""
        index = self._index_at_scene(scene_pos)
        school = -1 if index is None or self._schools is None else int(self._schools.ids[index])
        if school == self._hovered:
            return
        self._hovered = school
        self.schoolHovered.emit(school)
        viewport = self._view.viewport()
        if school < 0:
            viewport.unsetCursor()
            QToolTip.hideText()
            return
        viewport.setCursor(Qt.CursorShape.PointingHandCursor)
        global_pos = viewport.mapToGlobal(self._view.mapFromScene(scene_pos))
        QToolTip.showText(global_pos, self.tooltip_for(school), viewport)

    def _on_mouse_clicked(self, event: object) -> None:
        button = getattr(event, "button", None)
        if button is None or button() != Qt.MouseButton.LeftButton:
            return
        index = self._index_at_scene(event.scenePos())  # type: ignore[attr-defined]
        if index is not None and self._schools is not None:
            event.accept()  # type: ignore[attr-defined]
            self.schoolActivated.emit(int(self._schools.ids[index]))

    def _on_fly_step(self, value: object) -> None:
        t = float(value)  # type: ignore[arg-type]
        a, b = self._fly_from, self._fly_to
        # Centre moves linearly, size changes geometrically: zooming feels even all the way.
        cx = a.center().x() + (b.center().x() - a.center().x()) * t
        cy = a.center().y() + (b.center().y() - a.center().y()) * t
        w = a.width() * math.pow(b.width() / a.width(), t) if a.width() > 0 else b.width()
        h = a.height() * math.pow(b.height() / a.height(), t) if a.height() > 0 else b.height()
        self._vb.setRange(QRectF(cx - w / 2, cy - h / 2, w, h), padding=0)

    def _on_fly_finished(self) -> None:
        self._vb.setRange(self._fly_to, padding=0)
        self.flyToFinished.emit(self._fly_school)

    # --- Qt events ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._view and kind == QEvent.Type.Resize:
            self._reset_button.move(self._view.width() - self._reset_button.width() - 10, 10)
        elif (
            watched is self._view.viewport()
            and self._selecting
            and isinstance(event, QMouseEvent)
            and self._lasso_event(event)
        ):
            return True
        elif watched is self._view.viewport() and kind == QEvent.Type.MouseMove:
            # Straight from the viewport rather than pyqtgraph's scene signal, which drops moves
            # closer than 1/60 s apart (the last position of a quick move could be lost).
            if isinstance(event, QMouseEvent) and event.buttons() == Qt.MouseButton.NoButton:
                self._on_mouse_moved(self._view.mapToScene(event.position().toPoint()))
        elif watched is self._view.viewport() and kind == QEvent.Type.Leave and self._hovered >= 0:
            self._hovered = -1
            self.schoolHovered.emit(-1)
            QToolTip.hideText()
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._store.has_pending:
            self._flush_timer.start()
        self._update_pulse()

    def hideEvent(self, event: QHideEvent) -> None:
        self._flush_timer.stop()
        self._pulse_timer.stop()
        self._fly.stop()
        QToolTip.hideText()
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.reset_view_action.setText(self.tr("Reset view"))
            self.reset_view_action.setToolTip(self.tr("Show the whole city (Home)"))
            self._reset_button.adjustSize()
        super().changeEvent(event)
