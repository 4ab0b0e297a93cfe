"""The compose tab: content, target and options make the broadcast_send request; the hub's answer
opens the live progress; city-wide emergencies are confirmed; roles limit what can be sent."""

from __future__ import annotations

import shutil
import wave

import pytest
from sqlalchemy import create_engine

from services.broadcast.library import list_stored
from services.protocol.agent_messages import DeviceStatus
from services.protocol.console_messages import SchoolPresence, Snapshot
from tests.services.broadcast.audio_samples import tone_pcm, wav_bytes

pytestmark = pytest.mark.gui


def _accepted(args):
    schools = ["QD0001", "QD0002"]
    return True, {"broadcast_id": "B1", "command_id": "C1", "schools": schools, "no_agent": ["QD0002"]}


def test_a_district_broadcast_is_sent_and_followed(make_page, qtbot):
    page = make_page()
    hub = page.fake_hub
    hub.handlers["broadcast_send"] = _accepted
    assert page.content.select_clip(page.content.clips()[0].sha256)
    page.target.set_districts(["370202"])
    assert "2 schools" in page.summary_label.text()
    page.options.set_priority("routine")
    page.options.repeat_spin.setValue(2)
    assert page.send_button.isEnabled()
    page.send_button.click()
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.progress, timeout=5000)
    [args] = hub.sent("broadcast_send")
    assert args == {
        "target": {"schools": [], "districts": ["370202"], "all": False},
        "clip": page.content.clips()[0].sha256,
        "priority": "routine",
        "zones": [],
        "repeat": 2,
        "at": None,
        "drill": False,
        "title": "Evacuate",
    }
    tracked = page.progress.current()
    assert tracked is not None and tracked.broadcast_id == "B1"
    counts = tracked.book.counts()
    assert counts[tracked.book.rows["QD0002"].state] >= 1
    assert tracked.book.rows["QD0002"].state.value == "unreachable"
    assert "Sent to 2 schools (1 without an agent)" in page.status_label.text()


def test_a_city_wide_emergency_asks_for_confirmation_first(make_page, qtbot):
    asked = []
    page = make_page(ask=lambda text, schools: asked.append((text, schools)) or True)
    hub = page.fake_hub

    def send(args):
        if "confirmation" not in args:
            return False, {
                "error_code": "confirmation_required",
                "error": "confirm",
                "confirmation": "K1",
                "schools": 6,
                "action": "broadcast_start",
            }
        return True, {"broadcast_id": "B2", "command_id": "C2", "schools": ["QD0001"], "no_agent": []}

    hub.handlers["broadcast_send"] = send
    page.content.select_clip(page.content.clips()[1].sha256)
    page.target.set_whole_city(True)
    page.options.set_priority("emergency")
    assert "6 schools" in page.summary_label.text()
    page.send()
    qtbot.waitUntil(lambda: len(hub.sent("broadcast_send")) == 2, timeout=5000)
    assert asked and asked[0][1] == 6 and "Lockdown" in asked[0][0]
    assert hub.sent("broadcast_send")[1]["confirmation"] == "K1"
    assert hub.sent("broadcast_send")[1]["target"]["all"] is True
    qtbot.waitUntil(lambda: page.progress.current() is not None, timeout=5000)


def test_a_declined_confirmation_sends_nothing(make_page, qtbot):
    page = make_page(ask=lambda _text, _schools: False)
    hub = page.fake_hub
    hub.handlers["broadcast_send"] = lambda args: (
        False,
        {"error_code": "confirmation_required", "error": "confirm", "confirmation": "K1", "schools": 6},
    )
    page.content.select_clip(page.content.clips()[0].sha256)
    page.target.set_whole_city(True)
    page.options.set_priority("drill")
    assert page.options.drill_banner.isVisibleTo(page.options)
    page.send()
    qtbot.waitUntil(lambda: "not confirmed" in page.status_label.text(), timeout=5000)
    assert len(hub.sent("broadcast_send")) == 1
    assert hub.sent("broadcast_send")[0]["drill"] is True
    assert page.progress.current() is None
    assert page.send_button.isEnabled()


def test_roles_limit_priorities_and_city_wide_targets(make_page):
    page = make_page(permissions=["view", "broadcast_routine"])
    priorities = [page.options.priority_box.itemData(i) for i in range(page.options.priority_box.count())]
    assert priorities == ["routine"]
    page.content.select_clip(page.content.clips()[0].sha256)
    page.target.set_districts(["370202"])
    assert page.send_button.isEnabled()
    page.target.set_districts(["370202", "370212"])
    assert not page.send_button.isEnabled()
    assert "more than one district" in page.send_button.toolTip()


def test_nothing_can_be_sent_without_a_broadcast_role(make_page):
    page = make_page(permissions=["view"])
    page.content.select_clip(page.content.clips()[0].sha256)
    page.target.set_districts(["370202"])
    assert not page.send_button.isEnabled()
    assert "does not allow" in page.send_button.toolTip()


def test_an_empty_target_or_missing_clip_is_refused_before_the_hub(make_page):
    page = make_page()
    page.send()
    assert "Choose the schools" in page.status_label.text()
    page.target.add_schools(["QD0003"])
    page.content.table.clearSelection()
    page.send()
    assert "Choose the clip" in page.status_label.text()
    assert page.fake_hub.sent("broadcast_send") == []


def test_schools_are_found_and_map_selection_added(make_page):
    page = make_page()
    hits = page.target.search("崂山")
    assert {s.code for s in hits} == {"QD0003", "QD0004"}
    page.target.set_map_selection(lambda: ["QD0005", "NOT-A-SCHOOL"])
    page.target.add_map_selection()
    page.target.add_schools(["QD0003"])
    assert sorted(page.target.chosen_schools()) == ["QD0003", "QD0005"]
    assert page.target.reached() == {"QD0003", "QD0005"}
    page.target.set_districts(["370281"])  # QD0005 and QD0006
    assert page.target.reached() == {"QD0003", "QD0005", "QD0006"}


def test_zones_come_from_the_targeted_schools_agents(make_page):
    page = make_page()
    pa = DeviceStatus(device_id="pa", kind="pa", state="ok", detail="zones: all, outdoor, teaching_building")
    page.apply_snapshot(
        Snapshot(
            id="m",
            seq=1,
            ts=0.0,
            update_seq=0,
            agents=[],
            presence=[
                SchoolPresence(school="QD0001", presence="online", last_seen=1.0, devices=[pa]),
                SchoolPresence(school="QD0003", presence="online", last_seen=1.0, devices=[]),
            ],
        )
    )
    page.target.set_districts(["370212"])
    assert page.options.chosen_zones() == ["all"] and page.options._zones == ["all"]
    page.target.set_districts(["370202"])
    assert page.options._zones == ["all", "outdoor", "teaching_building"]
    page.options.check_zones(["outdoor"])
    assert page.options.zones_arg() == ["outdoor"]
    assert "1 online now" in page.summary_label.text()


def test_groups_are_saved_and_used(make_page, qtbot):
    page = make_page()
    page.target.set_districts(["370212"])
    page.target.add_schools(["QD0001"])
    page.target.save_group_as("东部")
    qtbot.waitUntil(lambda: page.target.group_names() == ["东部"], timeout=5000)
    page.target.clear()
    assert page.target.reached() == set()
    page.target.apply_group("东部")
    assert page.target.reached() == {"QD0001", "QD0003", "QD0004"}


def test_an_upload_is_converted_off_the_gui_thread_and_listed(make_page, qtbot, tmp_path, db_bridge):
    page = make_page()
    path = tmp_path / "gate notice.wav"
    path.write_bytes(wav_bytes(tone_pcm(1.5, rate=44_100, channels=2), rate=44_100, channels=2))
    page.content.upload(path)
    qtbot.waitUntil(lambda: "Stored" in page.content.status_label.text(), timeout=10_000)
    qtbot.waitUntil(
        lambda: page.content.current_clip() is not None and page.content.current_clip().source == "upload",
        timeout=5000,
    )
    assert page.content.current_clip().title == "gate notice"
    engine = create_engine(f"sqlite:///{tmp_path / 'broadcast.db'}")
    try:
        [stored] = list_stored(engine)
    finally:
        engine.dispose()
    assert stored.duration_s == pytest.approx(1.5, abs=0.01)


def test_a_bad_upload_is_refused_with_its_reason(make_page, qtbot, tmp_path):
    page = make_page()
    path = tmp_path / "quiet.wav"
    path.write_bytes(wav_bytes(b"\0\0" * 8000))
    page.content.upload(path)
    qtbot.waitUntil(lambda: "Upload refused" in page.content.status_label.text(), timeout=10_000)
    assert "silent" in page.content.status_label.text()
    assert page.content.upload_button.isEnabled()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_speech_is_synthesized_and_chosen(make_page, qtbot):
    page = make_page()
    page.content.speech_edit.setPlainText("请各班主任立即清点人数。")
    page.content.synthesize()
    qtbot.waitUntil(lambda: "Speech ready" in page.content.status_label.text(), timeout=20_000)
    qtbot.waitUntil(
        lambda: page.content.current_clip() is not None and page.content.current_clip().source == "tts",
        timeout=5000,
    )
    assert page.content.current_clip().text == "请各班主任立即清点人数。"


def test_preview_says_when_there_is_no_audio_device(make_page):
    page = make_page(probe=lambda: False)
    page.content.select_clip(page.content.clips()[0].sha256)
    page.content.toggle_preview()
    assert not page.content.preview_button.isEnabled()
    assert page.content.preview_button.text() == "No audio device for preview"


def test_a_bundled_clip_file_is_what_the_preview_would_play(make_page, catalog):
    page = make_page()
    clip = page.content.clips()[0]
    path = page.content._bundled[clip.sha256].path
    with wave.open(str(path)) as source:
        assert source.getframerate() == 16_000
    assert path.parent == catalog.parent
