"""Saved target groups: a name for a set of schools and whole districts, kept per operator.

A group stores school codes and district adcodes as chosen; what they expand to is decided when a
broadcast is sent (a district's schools change with imports).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from services.db.broadcast_models import BroadcastTargetGroup

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 64
MAX_MEMBERS = 20_000


class GroupError(ValueError):
    """A group that cannot be saved; the message says why."""


@dataclass(frozen=True, slots=True)
class TargetGroup:
    name: str
    schools: tuple[str, ...]
    districts: tuple[str, ...]
    updated_at: float

    @property
    def is_empty(self) -> bool:
        return not self.schools and not self.districts


def _clean(values: Iterable[str], what: str) -> list[str]:
    cleaned = sorted({v.strip() for v in values if isinstance(v, str) and v.strip()})
    if len(cleaned) > MAX_MEMBERS:
        raise GroupError(f"a group holds at most {MAX_MEMBERS} {what}")
    return cleaned


def save_group(
    engine: Engine, owner: str, name: str, schools: Iterable[str], districts: Iterable[str]
) -> TargetGroup:
    """Create or replace *owner*'s group *name*; GroupError for an empty name or an empty group."""
    clean_name = " ".join(name.split())
    if not owner:
        raise GroupError("a group needs an owner (log in first)")
    if not clean_name:
        raise GroupError("a group needs a name")
    if len(clean_name) > MAX_NAME_CHARS:
        raise GroupError(f"a group name has at most {MAX_NAME_CHARS} characters")
    school_list = _clean(schools, "schools")
    district_list = _clean(districts, "districts")
    if not school_list and not district_list:
        raise GroupError("a group needs at least one school or district")
    now = time.time()
    with Session(engine) as session, session.begin():
        row = session.scalar(
            select(BroadcastTargetGroup).where(
                BroadcastTargetGroup.owner == owner, BroadcastTargetGroup.name == clean_name
            )
        )
        if row is None:
            row = BroadcastTargetGroup(owner=owner, name=clean_name)
            session.add(row)
        row.schools = school_list
        row.districts = district_list
        row.updated_at = now
    log.info(
        "target group %r of %s saved (%d schools, %d districts)",
        clean_name,
        owner,
        len(school_list),
        len(district_list),
    )
    return TargetGroup(clean_name, tuple(school_list), tuple(district_list), now)


def list_groups(engine: Engine, owner: str) -> list[TargetGroup]:
    with Session(engine) as session:
        rows = session.scalars(
            select(BroadcastTargetGroup)
            .where(BroadcastTargetGroup.owner == owner)
            .order_by(BroadcastTargetGroup.name)
        ).all()
        return [TargetGroup(r.name, tuple(r.schools), tuple(r.districts), r.updated_at) for r in rows]


def delete_group(engine: Engine, owner: str, name: str) -> bool:
    with Session(engine) as session, session.begin():
        result = session.execute(
            delete(BroadcastTargetGroup).where(
                BroadcastTargetGroup.owner == owner, BroadcastTargetGroup.name == name
            )
        )
        removed = bool(getattr(result, "rowcount", 0))
    if removed:
        log.info("target group %r of %s deleted", name, owner)
    return removed
