"""Validating one data row into a typed record, with an error per bad cell.

A value of None in a record means "not given" (the column is absent or the cell empty): an update
then keeps what the database holds and an insert takes the model's default, so a partial file never
wipes data it does not mention.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from typing import TypeVar

from services.csv_import.fields import (
    FieldError,
    check_phone,
    check_stream_url,
    check_text,
    parse_count,
    parse_degrees,
    parse_school_type,
    parse_yes_no,
    unwrap_excel_text,
)
from services.csv_import.result import ErrorCollector
from services.csv_import.schema import (
    CAMERA_COLUMNS,
    DISTRICT_ALIASES,
    SCHOOL_COLUMNS,
    ColumnSpec,
    GeoBounds,
    HeaderMap,
)
from services.csv_import.source import SourceRow
from services.db.models import SchoolType
from services.db.records import DistrictRecord

T = TypeVar("T")

_SPECS: dict[str, ColumnSpec] = {spec.key: spec for spec in SCHOOL_COLUMNS}
_CAMERA_SPECS: dict[str, ColumnSpec] = {spec.key: spec for spec in CAMERA_COLUMNS}


@dataclass(frozen=True, slots=True)
class ContactValue:
    name: str
    phone: str


@dataclass(frozen=True, slots=True)
class SchoolRow:
    line: int
    code: str
    name: str
    district_id: int
    school_type: SchoolType
    longitude: float
    latitude: float
    address: str | None
    student_count: int | None
    staff_count: int | None
    is_pilot: bool | None
    principal: ContactValue | None
    security_chief: ContactValue | None


@dataclass(frozen=True, slots=True)
class CameraRow:
    line: int
    code: str
    school_code: str
    name: str
    area: str | None
    is_key_area: bool | None
    main_stream_url: str
    sub_stream_url: str | None
    credential_ref: str | None


class RowReader:
    """Reads one row's cells by column key; every bad cell is recorded and marks the row failed."""

    def __init__(self, row: SourceRow, header: HeaderMap, width: int, errors: ErrorCollector) -> None:
        self.line = row.line
        self._cells = row.cells
        self._header = header
        self._errors = errors
        self.failed = False
        if len(row.cells) > width and any(cell.strip() for cell in row.cells[width:]):
            self.error("", f"the row has {len(row.cells)} cells but the header names only {width} columns")

    def column(self, key: str) -> str:
        return self._header.header.get(key, key)

    def error(self, key: str, reason: str) -> None:
        self.failed = True
        self._errors.add(self.line, self.column(key) if key else "", reason)

    def raw(self, key: str) -> str:
        position = self._header.index.get(key)
        if position is None or position >= len(self._cells):
            return ""
        return unwrap_excel_text(self._cells[position].strip()).strip()

    def get(self, spec: ColumnSpec, convert: Callable[[str], T]) -> T | None:
        """The converted value, None when empty (an error too when the column is required)."""
        text = self.raw(spec.key)
        if not text:
            if spec.required:
                self.error(spec.key, "required, but empty")
            return None
        try:
            return convert(text)
        except FieldError as exc:
            self.error(spec.key, str(exc))
            return None

    def text(self, spec: ColumnSpec) -> str | None:
        return self.get(spec, lambda value: check_text(value, spec.max_length))


class DistrictLookup:
    """Finds a district by adcode, Chinese name or English name (case and suffixes ignored)."""

    def __init__(self, districts: Iterable[DistrictRecord]) -> None:
        self._ids: dict[str, int] = {}
        by_adcode: dict[str, int] = {}
        for district in districts:
            by_adcode[district.adcode] = district.id
            for key in self._keys(district):
                self._ids.setdefault(key, district.id)
        for alias, adcode in DISTRICT_ALIASES.items():
            if adcode in by_adcode:
                self._ids.setdefault(alias.casefold(), by_adcode[adcode])

    @staticmethod
    def _keys(district: DistrictRecord) -> list[str]:
        name = district.name.strip()
        english = district.name_en.strip().casefold()
        keys = [district.adcode, name, english]
        # "市南" for "市南区", "Shinan" for "Shinan District".
        if len(name) > 2 and name.endswith(("区", "市")):
            keys.append(name[:-1])
        for suffix in (" district", " city"):
            if english.endswith(suffix):
                keys.append(english.removesuffix(suffix))
        return keys

    def resolve(self, text: str) -> int:
        district_id = self._ids.get(text.strip().casefold())
        if district_id is None:
            raise FieldError(f"unknown district {text!r} (use the adcode, e.g. 370202, or its name)")
        return district_id


def _coordinates(reader: RowReader, bounds: GeoBounds) -> tuple[float, float] | None:
    longitude = reader.get(_SPECS["longitude"], parse_degrees)
    latitude = reader.get(_SPECS["latitude"], parse_degrees)
    if longitude is None or latitude is None:
        return None
    if bounds.contains(longitude, latitude):
        return longitude, latitude
    if bounds.contains(latitude, longitude):
        reader.error("longitude", f"longitude {longitude} and latitude {latitude} look swapped")
        return None
    for key, value, low, high in (
        ("longitude", longitude, bounds.min_longitude, bounds.max_longitude),
        ("latitude", latitude, bounds.min_latitude, bounds.max_latitude),
    ):
        if not low <= value <= high:
            reader.error(key, f"{value} is outside the region ({bounds})")
    return None


def _contact(reader: RowReader, name_key: str, phone_key: str) -> ContactValue | None:
    name = reader.text(_SPECS[name_key])
    phone_spec = _SPECS[phone_key]
    phone = reader.get(phone_spec, lambda value: check_phone(value, phone_spec.max_length or 0))
    if phone is not None and name is None and not reader.raw(name_key):
        reader.error(phone_key, f"a phone number without a name in {reader.column(name_key)!r}")
    if name is None:
        return None
    return ContactValue(name=name, phone=phone or "")


def parse_school(reader: RowReader, districts: DistrictLookup, bounds: GeoBounds) -> SchoolRow | None:
    """The row as a SchoolRow, or None when any cell is bad (its errors are recorded)."""
    code = reader.text(_SPECS["code"])
    name = reader.text(_SPECS["name"])
    district_id = reader.get(_SPECS["district"], districts.resolve)
    school_type = reader.get(_SPECS["type"], parse_school_type)
    position = _coordinates(reader, bounds)
    address = reader.text(_SPECS["address"])
    students = reader.get(_SPECS["students"], parse_count)
    staff = reader.get(_SPECS["staff"], parse_count)
    is_pilot = reader.get(_SPECS["pilot"], parse_yes_no)
    principal = _contact(reader, "principal", "principal_phone")
    security_chief = _contact(reader, "security_chief", "security_phone")
    if reader.failed or code is None or name is None or district_id is None:
        return None
    if school_type is None or position is None:
        return None
    return SchoolRow(
        line=reader.line,
        code=code,
        name=name,
        district_id=district_id,
        school_type=school_type,
        longitude=position[0],
        latitude=position[1],
        address=address,
        student_count=students,
        staff_count=staff,
        is_pilot=is_pilot,
        principal=principal,
        security_chief=security_chief,
    )


def parse_camera(reader: RowReader, known_schools: Container[str]) -> CameraRow | None:
    """The row as a CameraRow, or None when any cell is bad (its errors are recorded)."""
    specs = _CAMERA_SPECS
    code = reader.text(specs["code"])
    school_code = reader.text(specs["school_code"])
    if school_code is not None and school_code not in known_schools:
        reader.error(
            "school_code",
            f"unknown school {school_code!r}: not in the database nor in the schools being imported",
        )
    name = reader.text(specs["name"])
    area = reader.text(specs["area"])
    is_key_area = reader.get(specs["key_area"], parse_yes_no)
    main_spec, sub_spec = specs["main_url"], specs["sub_url"]
    main_url = reader.get(main_spec, lambda value: check_stream_url(value, main_spec.max_length or 0))
    sub_url = reader.get(sub_spec, lambda value: check_stream_url(value, sub_spec.max_length or 0))
    credential_ref = reader.text(specs["credential_ref"])
    if reader.failed or code is None or school_code is None or name is None or main_url is None:
        return None
    return CameraRow(
        line=reader.line,
        code=code,
        school_code=school_code,
        name=name,
        area=area,
        is_key_area=is_key_area,
        main_stream_url=main_url,
        sub_stream_url=sub_url,
        credential_ref=credential_ref,
    )
