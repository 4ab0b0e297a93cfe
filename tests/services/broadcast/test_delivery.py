"""A broadcast's delivery book: states, no moving backwards, counts, latency, and the CSV export."""

from __future__ import annotations

import csv

import pytest

from services.broadcast.delivery import BroadcastState, DeliveryBook, broadcast_state
from services.broadcast.export import HEADER, write_delivery_csv


def test_ledger_states_become_broadcast_states():
    assert broadcast_state("executing") is BroadcastState.PLAYING
    assert broadcast_state("not_connected") is BroadcastState.UNREACHABLE
    assert broadcast_state("nonsense") is None


def test_a_school_goes_forward_and_its_latency_is_send_to_playing():
    book = DeliveryBook(["A", "B"], unreachable=["C"])
    assert book.apply("A", "queued", "", 100.0) is False  # already queued
    assert book.apply("A", "sent", "", 100.1)
    assert book.apply("A", "received", "", 100.3)
    assert book.apply("A", "executing", "", 100.6)
    assert book.apply("A", "sent", "", 100.7) is False  # late and out of order: ignored
    assert book.rows["A"].state is BroadcastState.PLAYING
    assert book.rows["A"].latency_s(book.origin) == pytest.approx(0.5)
    book.apply("A", "done", "", 105.0)
    assert book.apply("A", "failed", "stopped", 106.0) is False  # final stays final
    book.apply("B", "failed", "refused: emergency broadcast X is playing", 100.4)
    counts = book.counts()
    assert counts[BroadcastState.DONE] == 1
    assert counts[BroadcastState.FAILED] == 1
    assert counts[BroadcastState.UNREACHABLE] == 1
    assert sum(counts.values()) == 3
    assert book.is_finished()
    assert book.latencies() == [pytest.approx(0.5)]


def test_an_unreachable_school_that_comes_back_is_delivered():
    book = DeliveryBook([], unreachable=["C"])
    assert book.apply("C", "sent", "", 10.0)
    assert book.apply("C", "playing", "", 10.4)
    assert not book.is_finished()
    # Latency from the broadcast's first time when the school's "sent" was missed.
    book.apply("D", "playing", "", 11.0)
    assert book.rows["D"].latency_s(book.origin) == pytest.approx(1.0)


def test_a_command_status_answer_fills_the_book():
    book = DeliveryBook()
    book.apply_status(
        [
            {
                "school": "A",
                "state": "done",
                "reason": "",
                "result": {"started_at": 5.5, "played_s": 3.0},
                "at": 9.0,
            },
            {
                "school": "B",
                "state": "expired",
                "reason": "expired before delivery",
                "result": None,
                "at": 8.0,
            },
            {"school": 7, "state": "done"},
        ]
    )
    assert book.rows["A"].state is BroadcastState.DONE and book.rows["A"].playing_at == 5.5
    assert book.rows["B"].reason == "expired before delivery"
    assert len(book.rows) == 2


def test_the_csv_has_every_school_with_names_and_latency(tmp_path):
    book = DeliveryBook(["S1", "S2"])
    book.apply("S1", "sent", "", 1000.0)
    book.apply("S1", "executing", "", 1000.25)
    book.apply("S2", "failed", "clip missing", 1000.5)
    path = tmp_path / "out.csv"
    count = write_delivery_csv(path, book.rows.values(), {"S1": "青岛第一中学"}, book.origin)
    assert count == 2
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == HEADER
    assert rows[1][:4] == ["S1", "青岛第一中学", "playing", ""]
    assert rows[1][6] == "250"
    assert rows[2][2:4] == ["failed", "clip missing"] and rows[2][6] == ""
    assert not (tmp_path / "out.csv.part").exists()


def test_a_failed_export_leaves_no_file(tmp_path):
    target = tmp_path / "missing-folder" / "out.csv"
    with pytest.raises(OSError):
        write_delivery_csv(target, [], {}, None)
    assert not target.exists()


def test_a_coalesced_update_keeps_the_real_start_of_playback() -> None:
    """"sent" and "playing" often reach the console as one "done": the agent's started_at still
    gives the school's latency from the moment the broadcast was sent."""
    book = DeliveryBook(["S1"])
    book.origin = 100.0
    assert book.apply_update("S1", "done", "", 104.5, started_at=100.35)
    row = book.rows["S1"]
    assert row.playing_at == 100.35 and row.sent_at is None
    assert abs(row.latency_s(book.origin) - 0.35) < 1e-9
    assert row.state == BroadcastState.DONE
