"""Where the console keeps its files, and its persistent settings (QSettings in an INI file).

The data folder holds the default SQLite database and the log; the settings file lives there too
unless SAFECAMPUS_SETTINGS_DIR points elsewhere (tests point it at a temporary folder so the
operator's real window layout is never touched).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from PySide6.QtCore import QByteArray, QSettings

from services.db.engine import default_sqlite_url

SETTINGS_DIR_ENV = "SAFECAMPUS_SETTINGS_DIR"
APP_NAME = "SafeCampus"

KEY_LANGUAGE = "ui/language"
KEY_GEOMETRY = "main_window/geometry"
KEY_STATE = "main_window/state"
PAGE_LAYOUT_GROUP = "pages"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(data_dir: Path | None) -> Path:
    folder = data_dir if data_dir is not None else default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def resolve_database_url(url: str | None, data_dir: Path) -> str:
    return url if url else default_sqlite_url(data_dir)


def settings_path(data_dir: Path) -> Path:
    folder = os.environ.get(SETTINGS_DIR_ENV)
    base = Path(folder) if folder else data_dir
    base.mkdir(parents=True, exist_ok=True)
    return base / "settings.ini"


class ConsoleSettings:
    """Typed access to the few values the console remembers between runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def language(self) -> str | None:
        value = self._qs.value(KEY_LANGUAGE)
        return str(value) if value else None

    def set_language(self, language: str) -> None:
        self._qs.setValue(KEY_LANGUAGE, language)
        self._qs.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_geometry(self) -> QByteArray | None:
        return self._bytes(KEY_GEOMETRY)

    def window_state(self) -> QByteArray | None:
        return self._bytes(KEY_STATE)

    def page_layout(self, page: str) -> QByteArray | None:
        return self._bytes(f"{PAGE_LAYOUT_GROUP}/{page}")

    def save_layout(self, geometry: QByteArray, state: QByteArray, pages: dict[str, QByteArray]) -> None:
        self._qs.setValue(KEY_GEOMETRY, geometry)
        self._qs.setValue(KEY_STATE, state)
        for page, data in pages.items():
            self._qs.setValue(f"{PAGE_LAYOUT_GROUP}/{page}", data)
        self._qs.sync()

    def reset_layout(self) -> None:
        self._qs.remove(KEY_GEOMETRY)
        self._qs.remove(KEY_STATE)
        self._qs.remove(PAGE_LAYOUT_GROUP)
        self._qs.sync()
