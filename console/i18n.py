"""Loading and switching the console's translations at run time.

English is the source language, so switching to it only removes the translators. Qt's own strings
(standard dialog buttons, ...) come from the qtbase catalogue shipped with PySide6. Installing or
removing a translator makes Qt send LanguageChange to every widget, which retranslates itself.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"
SOURCE_LANGUAGE = "en"
DEFAULT_LANGUAGE = "zh_CN"
CATALOGUE = "safecampus"


def catalogue_path(language: str, directory: Path = TRANSLATIONS_DIR) -> Path:
    return directory / f"{CATALOGUE}_{language}.qm"


class Translations:
    """Owns the installed translators of one application."""

    def __init__(self, app: QCoreApplication, directory: Path = TRANSLATIONS_DIR) -> None:
        self._app = app
        self._directory = directory
        self._installed: list[QTranslator] = []
        self._language = SOURCE_LANGUAGE
        self._reported_missing: set[str] = set()

    @property
    def language(self) -> str:
        return self._language

    def set_language(self, language: str) -> bool:
        """Switch to *language*; False when its catalogue is missing (the UI then stays English)."""
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed.clear()
        self._language = language
        if language == SOURCE_LANGUAGE:
            QLocale.setDefault(QLocale("en_US"))
            return True
        path = catalogue_path(language, self._directory)
        ours = QTranslator(self._app)
        if not ours.load(str(path)):
            if language not in self._reported_missing:
                self._reported_missing.add(language)
                log.warning(
                    "translation %s not found or unreadable (run scripts/setup.sh to compile it); "
                    "the interface stays in English",
                    path,
                )
            self._language = SOURCE_LANGUAGE
            QLocale.setDefault(QLocale("en_US"))
            return False
        QLocale.setDefault(QLocale(language))
        qt_own = QTranslator(self._app)
        if qt_own.load(
            QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        ):
            self._app.installTranslator(qt_own)
            self._installed.append(qt_own)
        self._app.installTranslator(ours)
        self._installed.append(ours)
        log.info("interface language: %s", language)
        return True
