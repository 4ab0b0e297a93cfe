"""Fixtures for the CSV import tests: Qingdao's districts in a migrated database, and a CSV writer."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db.models import District, School, SchoolType

QINGDAO_DISTRICTS = (
    ("370202", "市南区", "Shinan District"),
    ("370203", "市北区", "Shibei District"),
    ("370211", "黄岛区", "Huangdao District"),
    ("370212", "崂山区", "Laoshan District"),
    ("370213", "李沧区", "Licang District"),
    ("370214", "城阳区", "Chengyang District"),
    ("370215", "即墨区", "Jimo District"),
    ("370281", "胶州市", "Jiaozhou City"),
    ("370283", "平度市", "Pingdu City"),
    ("370285", "莱西市", "Laixi City"),
)

SCHOOL_HEADER = ("code", "name", "district", "type", "longitude", "latitude", "students", "staff")
CAMERA_HEADER = ("code", "school_code", "name", "area", "key_area", "main_url", "sub_url")

WriteCsv = Callable[..., Path]


@pytest.fixture
def city(engine):
    """The engine, with the ten districts of Qingdao."""
    with Session(engine) as session:
        session.add_all(District(adcode=a, name=n, name_en=e) for a, n, e in QINGDAO_DISTRICTS)
        session.commit()
    return engine


def district_id(engine, adcode: str) -> int:
    with Session(engine) as session:
        return session.scalars(select(District.id).where(District.adcode == adcode)).one()


def add_school(engine, code: str, adcode: str = "370202", **fields) -> int:
    with Session(engine) as session:
        school = School(
            code=code,
            name=fields.pop("name", f"School {code}"),
            district_id=district_id(engine, adcode),
            school_type=fields.pop("school_type", SchoolType.PRIMARY),
            longitude=fields.pop("longitude", 120.38),
            latitude=fields.pop("latitude", 36.07),
            **fields,
        )
        session.add(school)
        session.commit()
        return school.id


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # Excel ends lines with CRLF
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """write_csv(name, header, rows, encoding="utf-8") -> path of the written file."""

    def write(
        name: str, header: Sequence[str], rows: Sequence[Sequence[object]], encoding: str = "utf-8"
    ) -> Path:
        path = tmp_path / name
        path.write_bytes(csv_text(header, rows).encode(encoding))
        return path

    return write
