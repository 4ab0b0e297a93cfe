"""Plain, immutable records handed from the persistence layer to the rest of the program.

Repositories return these instead of ORM objects so nothing lazy-loads on another thread and a
widget can hold them as long as it likes.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.db.models import ContactRole, SchoolType


@dataclass(frozen=True, slots=True)
class DistrictRecord:
    id: int
    adcode: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class SchoolSummary:
    """What the map and lists need for every school; cheap to hold for 10,000 of them."""

    id: int
    code: str
    name: str
    district_id: int
    school_type: SchoolType
    longitude: float
    latitude: float
    student_count: int
    is_pilot: bool


@dataclass(frozen=True, slots=True)
class ContactRecord:
    role: ContactRole
    name: str
    phone: str


@dataclass(frozen=True, slots=True)
class CameraRecord:
    id: int
    code: str
    school_id: int
    name: str
    area: str
    is_key_area: bool
    main_stream_url: str
    sub_stream_url: str
    has_credentials: bool


@dataclass(frozen=True, slots=True)
class SchoolDetail:
    """One school in full, for its panel."""

    summary: SchoolSummary
    district_name: str
    district_name_en: str
    address: str
    staff_count: int
    is_demo: bool
    contacts: tuple[ContactRecord, ...]
    cameras: tuple[CameraRecord, ...]
