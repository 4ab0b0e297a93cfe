"""Import schools and cameras from CSV files written by Excel or WPS (see docs/csv-import.md)."""

from services.csv_import.importer import import_cameras, import_schools, import_schools_and_cameras
from services.csv_import.result import (
    MAX_LISTED_ERRORS,
    CsvImportError,
    ImportKind,
    ImportProgress,
    ImportResult,
    RowError,
)
from services.csv_import.schema import QINGDAO_BOUNDS, GeoBounds

__all__ = [
    "MAX_LISTED_ERRORS",
    "QINGDAO_BOUNDS",
    "CsvImportError",
    "GeoBounds",
    "ImportKind",
    "ImportProgress",
    "ImportResult",
    "RowError",
    "import_cameras",
    "import_schools",
    "import_schools_and_cameras",
]
