"""docs/access.md prints the permission matrix and the demo accounts: they must match the code."""

from __future__ import annotations

from pathlib import Path

from services.access.demo_accounts import DEMO_ACCOUNTS
from services.access.roles import ROLE_PERMISSIONS, Permission, Role

DOC = Path(__file__).resolve().parents[3] / "docs" / "access.md"


def _table_rows(first_cell_header: str) -> list[list[str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_cell_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_permission_table_matches_roles_py():
    lines = DOC.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| permission |"))
    roles = [Role(cell.strip()) for cell in header.strip("|").split("|")[1:]]
    assert set(roles) == set(Role)
    table = {row[0].strip("`"): row[1:] for row in _table_rows("permission")}
    assert set(table) == {p.value for p in Permission}
    for permission in Permission:
        granted = {role for role, cell in zip(roles, table[permission.value], strict=True) if cell == "yes"}
        assert granted == {role for role in Role if permission in ROLE_PERMISSIONS[role]}, permission


def test_the_demo_account_table_matches_the_code():
    rows = _table_rows("user name")
    documented = {row[0].strip("`"): (row[1], row[3].strip("`")) for row in rows}
    assert documented == {username: (name, password) for username, name, _r, _d, password in DEMO_ACCOUNTS}
