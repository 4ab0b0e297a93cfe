"""The demo's operator accounts: every role, published passwords that pass the policy."""

from __future__ import annotations

from services.access.accounts import authenticate, count_operators, get_operator
from services.access.demo_accounts import DEMO_ACCOUNTS, SHINAN_ADCODE, seed_demo_operators
from services.access.passwords import password_problem
from services.access.roles import Role
from services.demo_city.profile import DISTRICT_PROFILES
from services.geo.districts import load_district_boundaries


def test_every_role_has_a_demo_account():
    assert {role for _u, _n, role, _d, _p in DEMO_ACCOUNTS} == set(Role)
    assert len({username for username, *_ in DEMO_ACCOUNTS}) == len(DEMO_ACCOUNTS)
    for username, display_name, role, district, password in DEMO_ACCOUNTS:
        assert display_name.startswith("演示")
        assert password_problem(password, username) is None
        assert (district is not None) == (role is Role.DISTRICT_VIEWER)


def test_the_viewer_watches_shinan():
    names = {d.adcode: d.name for d in load_district_boundaries()}
    assert names[SHINAN_ADCODE] == "市南区"
    assert SHINAN_ADCODE in {p.adcode for p in DISTRICT_PROFILES}


def test_seeding_is_idempotent_and_every_account_logs_in(session):
    assert seed_demo_operators(session, now=1.0) == len(DEMO_ACCOUNTS)
    session.commit()
    assert seed_demo_operators(session) == 0
    assert count_operators(session) == len(DEMO_ACCOUNTS)
    for username, display_name, role, district, password in DEMO_ACCOUNTS:
        info = get_operator(session, username)
        assert (info.display_name, info.role, info.district_code) == (display_name, role, district)
        assert authenticate(session, username, password).ok


def test_seeding_fills_in_only_the_missing_ones(session):
    from services.access.accounts import create_operator

    create_operator(session, "demo_admin", "自己的管理员", Role.ADMINISTRATOR, "My-own-pass-1")
    assert seed_demo_operators(session) == len(DEMO_ACCOUNTS) - 1
    assert get_operator(session, "demo_admin").display_name == "自己的管理员"
    assert authenticate(session, "demo_admin", "My-own-pass-1").ok
