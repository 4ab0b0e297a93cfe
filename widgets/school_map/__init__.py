"""The city map of schools (pyqtgraph): districts, school markers by state, hover, click, fly-to."""

from widgets.school_map.model import MapDistrict, MapSchools, Projection
from widgets.school_map.view import SchoolMapWidget

__all__ = ["MapDistrict", "MapSchools", "Projection", "SchoolMapWidget"]
