"""Saved target groups per operator, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from services.broadcast.groups import GroupError, delete_group, list_groups, save_group


def test_groups_are_saved_replaced_listed_and_deleted_per_operator(engine):
    save_group(engine, "li", "崂山幼儿园", ["S2", "S1", "S1", " "], [])
    save_group(engine, "li", "东部", [], ["370212", "370203"])
    save_group(engine, "wang", "东部", ["S9"], [])
    groups = list_groups(engine, "li")
    assert [g.name for g in groups] == sorted(["崂山幼儿园", "东部"])
    by_name = {g.name: g for g in groups}
    assert by_name["崂山幼儿园"].schools == ("S1", "S2")
    assert by_name["东部"].districts == ("370203", "370212")
    replaced = save_group(engine, "li", "东部", ["S3"], [])
    assert replaced.schools == ("S3",) and replaced.districts == ()
    assert {g.name: g.schools for g in list_groups(engine, "li")}["东部"] == ("S3",)
    assert list_groups(engine, "wang")[0].schools == ("S9",)
    assert delete_group(engine, "li", "东部")
    assert not delete_group(engine, "li", "东部")
    assert [g.name for g in list_groups(engine, "li")] == ["崂山幼儿园"]


@pytest.mark.parametrize(
    ("owner", "name", "schools", "districts", "message"),
    [
        ("li", "  ", ["S1"], [], "needs a name"),
        ("li", "empty", [], [], "at least one school"),
        ("", "x", ["S1"], [], "owner"),
        ("li", "x" * 65, ["S1"], [], "at most 64"),
    ],
)
def test_unusable_groups_are_refused(engine, owner, name, schools, districts, message):
    with pytest.raises(GroupError, match=message):
        save_group(engine, owner, name, schools, districts)
    assert list_groups(engine, owner) == []
