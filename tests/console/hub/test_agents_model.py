"""The enrollment table: replacements and additions from updates, counts, sorting, filtering."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from console.pages.agents_model import KEY_ROLE, AgentsModel, StatusFilter, key_fingerprint
from services.protocol.console_messages import AgentInfo

pytestmark = pytest.mark.gui


def info(key: str, school: str, status: str, requested_at: float) -> AgentInfo:
    return AgentInfo(public_key=key, school=school, status=status, requested_at=requested_at)  # type: ignore[arg-type]


def test_updates_replace_rows_by_key_and_add_new_ones(qapp):
    model = AgentsModel()
    model.set_school_names({"S1": "First School"})
    model.set_agents([info("k1", "S1", "pending", 10.0), info("k2", "S2", "accepted", 5.0)])
    assert model.count("pending") == 1
    assert model.data(model.index(0, 0)) == "First School (S1)"
    model.update_agents([info("k1", "S1", "accepted", 10.0), info("k3", "S3", "pending", 20.0)])
    assert model.rowCount() == 3
    assert model.agent_by_key("k1").status == "accepted"
    assert model.count("pending") == 1 and model.count("accepted") == 2
    assert model.data(model.index(0, 1)) == key_fingerprint("k1")
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole) == "k1"


def test_sorting_keeps_to_the_model_and_the_filter_shows_one_status(qapp):
    model = AgentsModel()
    proxy = StatusFilter()
    proxy.setSourceModel(model)
    model.set_agents([info("k1", "S1", "pending", 10.0), info("k2", "S2", "accepted", 30.0)])
    proxy.sort(3, Qt.SortOrder.DescendingOrder)  # by request time, newest first
    assert [proxy.index(r, 0).data(KEY_ROLE) for r in range(2)] == ["k2", "k1"]
    model.set_agents([info("k1", "S1", "pending", 10.0), info("k2", "S2", "accepted", 30.0)])
    assert [proxy.index(r, 0).data(KEY_ROLE) for r in range(2)] == ["k2", "k1"]  # the sort is kept
    proxy.set_status("pending")
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data(KEY_ROLE) == "k1"
    proxy.set_status("")
    assert proxy.rowCount() == 2
