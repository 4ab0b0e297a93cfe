"""Writing validated rows: upsert by code, in batches, on a connection inside one transaction.

Batches keep each statement's parameter list bounded on both back ends while executemany keeps
the round trips few: a 100,000-camera file is about two hundred statements, not 100,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from services.csv_import.parse import CameraRow, ContactValue, SchoolRow
from services.db.models import Camera, ContactRole, School, SchoolContact

T = TypeVar("T")

BATCH_SIZE = 500


def batched(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _keep(column: Any, key: str) -> Any:
    """SET column = the new value, or the stored one when the file gave none (NULL parameter)."""
    return func.coalesce(bindparam(key, type_=column.type), column)


def school_ids(connection: Connection) -> dict[str, int]:
    """Every school's id by code (10,000 short rows: cheaper than one query per camera batch)."""
    return {code: school_id for code, school_id in connection.execute(select(School.code, School.id))}


def _camera_ids(connection: Connection) -> dict[str, int]:
    return {code: camera_id for code, camera_id in connection.execute(select(Camera.code, Camera.id))}


# Rows are looked up once, up front, and then changed by primary key. Asking per batch "which of
# these codes exist?" made PostgreSQL scan the whole table each time while it grew inside the
# transaction (its statistics still said "empty"): 100,000 cameras took minutes instead of seconds.
_UPDATE_SCHOOL = (
    update(School)
    .where(School.id == bindparam("b_id"))
    .values(
        name=bindparam("b_name"),
        district_id=bindparam("b_district_id"),
        school_type=bindparam("b_school_type", type_=School.__table__.c.school_type.type),
        longitude=bindparam("b_longitude"),
        latitude=bindparam("b_latitude"),
        # Imported rows are real data, whatever generated row they replace.
        is_demo=False,
        address=_keep(School.address, "b_address"),
        student_count=_keep(School.student_count, "b_student_count"),
        staff_count=_keep(School.staff_count, "b_staff_count"),
        is_pilot=_keep(School.is_pilot, "b_is_pilot"),
    )
)

_UPDATE_CAMERA = (
    update(Camera)
    .where(Camera.id == bindparam("b_id"))
    .values(
        school_id=bindparam("b_school_id"),
        name=bindparam("b_name"),
        main_stream_url=bindparam("b_main_stream_url"),
        area=_keep(Camera.area, "b_area"),
        is_key_area=_keep(Camera.is_key_area, "b_is_key_area"),
        sub_stream_url=_keep(Camera.sub_stream_url, "b_sub_stream_url"),
        credential_ref=_keep(Camera.credential_ref, "b_credential_ref"),
    )
)


def _replace_contacts(
    connection: Connection, ids: dict[str, int], rows: Sequence[SchoolRow], role: ContactRole
) -> None:
    given: list[tuple[int, ContactValue]] = []
    for row in rows:
        contact = row.principal if role is ContactRole.PRINCIPAL else row.security_chief
        if contact is not None:
            given.append((ids[row.code], contact))
    if not given:
        return
    connection.execute(
        delete(SchoolContact).where(
            SchoolContact.school_id.in_([school_id for school_id, _ in given]), SchoolContact.role == role
        )
    )
    connection.execute(
        insert(SchoolContact),
        [{"school_id": i, "role": role, "name": c.name, "phone": c.phone} for i, c in given],
    )


def write_schools(connection: Connection, rows: Iterable[SchoolRow]) -> tuple[int, int]:
    """Insert new codes and update existing ones; returns (inserted, updated)."""
    ids = school_ids(connection)
    inserted = updated = 0
    for batch in batched(rows):
        new = [row for row in batch if row.code not in ids]
        changed = [row for row in batch if row.code in ids]
        if new:
            returned = connection.execute(
                insert(School).returning(School.code, School.id, sort_by_parameter_order=True),
                [
                    {
                        "code": row.code,
                        "name": row.name,
                        "district_id": row.district_id,
                        "school_type": row.school_type,
                        "longitude": row.longitude,
                        "latitude": row.latitude,
                        "address": "" if row.address is None else row.address,
                        "student_count": row.student_count or 0,
                        "staff_count": row.staff_count or 0,
                        "is_pilot": bool(row.is_pilot),
                        "is_demo": False,
                    }
                    for row in new
                ],
            )
            ids.update({code: school_id for code, school_id in returned})
        if changed:
            connection.execute(
                _UPDATE_SCHOOL,
                [
                    {
                        "b_id": ids[row.code],
                        "b_name": row.name,
                        "b_district_id": row.district_id,
                        "b_school_type": row.school_type,
                        "b_longitude": row.longitude,
                        "b_latitude": row.latitude,
                        "b_address": row.address,
                        "b_student_count": row.student_count,
                        "b_staff_count": row.staff_count,
                        "b_is_pilot": row.is_pilot,
                    }
                    for row in changed
                ],
            )
        inserted += len(new)
        updated += len(changed)
        _replace_contacts(connection, ids, batch, ContactRole.PRINCIPAL)
        _replace_contacts(connection, ids, batch, ContactRole.SECURITY_CHIEF)
    return inserted, updated


def write_cameras(
    connection: Connection, rows: Iterable[CameraRow], schools: dict[str, int]
) -> tuple[int, int]:
    """Insert new codes and update existing ones; returns (inserted, updated). *schools* maps every
    school code the rows use to its id (the rows were validated against it)."""
    existing = _camera_ids(connection)
    inserted = updated = 0
    for batch in batched(rows):
        new = [row for row in batch if row.code not in existing]
        changed = [row for row in batch if row.code in existing]
        if new:
            connection.execute(
                insert(Camera),
                [
                    {
                        "code": row.code,
                        "school_id": schools[row.school_code],
                        "name": row.name,
                        "area": "" if row.area is None else row.area,
                        "is_key_area": bool(row.is_key_area),
                        "main_stream_url": row.main_stream_url,
                        # Without a sub stream small tiles play the main stream (more decoding).
                        "sub_stream_url": row.sub_stream_url or row.main_stream_url,
                        "credential_ref": row.credential_ref,
                    }
                    for row in new
                ],
            )
        if changed:
            connection.execute(
                _UPDATE_CAMERA,
                [
                    {
                        "b_id": existing[row.code],
                        "b_school_id": schools[row.school_code],
                        "b_name": row.name,
                        "b_main_stream_url": row.main_stream_url,
                        "b_area": row.area,
                        "b_is_key_area": row.is_key_area,
                        "b_sub_stream_url": row.sub_stream_url,
                        "b_credential_ref": row.credential_ref,
                    }
                    for row in changed
                ],
            )
        inserted += len(new)
        updated += len(changed)
    return inserted, updated
