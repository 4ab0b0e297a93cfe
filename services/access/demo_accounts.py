"""The demo's operator accounts: one per role, with published passwords (README, docs/access.md).

They exist only in a demo database (`main.py --demo` and the demo city seeding); a real
installation creates its first administrator with `safecampus-hub operator add` instead.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.access.accounts import create_operator, get_operator
from services.access.roles import Role

# 市南区 (Shinan): the district viewer's district, adcode as in services/demo_city/profile.py.
SHINAN_ADCODE = "370202"

DemoAccount = tuple[str, str, Role, str | None, str]

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    ("demo_admin", "演示管理员", Role.ADMINISTRATOR, None, "demo-admin-2026"),
    ("demo_dispatcher", "演示调度员", Role.DISPATCHER, None, "demo-dispatch-2026"),
    ("demo_operator", "演示值班员", Role.OPERATOR, None, "demo-operator-2026"),
    ("demo_drill", "演示演练协调员", Role.DRILL_COORDINATOR, None, "demo-drills-2026"),
    ("demo_shinan", "演示市南区查看员", Role.DISTRICT_VIEWER, SHINAN_ADCODE, "demo-viewer-2026"),
)


def seed_demo_operators(session: Session, now: float | None = None) -> int:
    """Create the demo accounts that are missing; returns how many were created. The caller
    commits. An existing account of the same name is left as it is (its password included)."""
    created = 0
    for username, display_name, role, district_code, password in DEMO_ACCOUNTS:
        if get_operator(session, username) is not None:
            continue
        create_operator(session, username, display_name, role, password, district_code=district_code, now=now)
        created += 1
    return created
