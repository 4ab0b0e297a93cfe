"""The hash-chained audit record: appending, tampering of every kind detected, search, CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from services.access.audit import (
    AUDIT_ANCHOR_FILE,
    AUDIT_KEY_FILE,
    GENESIS_MAC,
    AuditError,
    AuditInput,
    AuditKey,
    AuditLog,
    AuditQuery,
    read_anchor,
    search,
    write_csv,
)
from services.db.access_models import AuditEntry

T0 = 1_800_000_000.0


def _entry(i: int, **changes) -> AuditInput:
    values = {
        "operator": "alice",
        "role": "operator",
        "console": "desk-1",
        "action": "send_command",
        "target": f"school QD{i:04d}",
        "result": "ok",
        "detail": {"n": i, "note": "演练广播"},
    }
    values.update(changes)
    return AuditInput(**values)


@pytest.fixture
def audit_log(tmp_path) -> AuditLog:
    return AuditLog.for_key_dir(tmp_path / "keys")


def _fill(engine, audit_log: AuditLog, count: int, start: int = 1) -> None:
    with Session(engine) as s:
        records = audit_log.append(s, [_entry(i) for i in range(start, start + count)], now=T0 + start)
        s.commit()
    audit_log.write_anchor(records[-1])


def _verify(engine, audit_log: AuditLog, batch: int = 5000):
    with Session(engine) as s:
        return audit_log.verify(s, batch=batch)


def _sql(engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


# --- the key -------------------------------------------------------------------------------


def test_the_key_file_is_made_private_and_reused(tmp_path):
    path = tmp_path / "keys" / AUDIT_KEY_FILE
    key = AuditKey.load_or_create(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert AuditKey.load_or_create(path) == key
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_key_file_others_can_read_is_refused(tmp_path, mode):
    path = tmp_path / AUDIT_KEY_FILE
    AuditKey.load_or_create(path)
    os.chmod(path, mode)
    with pytest.raises(AuditError, match=r"readable by others.*chmod 600"):
        AuditKey.load_or_create(path)


def test_a_damaged_key_file_is_refused(tmp_path):
    path = tmp_path / AUDIT_KEY_FILE
    path.write_text("not hex\n")
    os.chmod(path, 0o600)
    with pytest.raises(AuditError, match="not hex"):
        AuditKey.load(path)
    path.write_text("abcd\n")
    with pytest.raises(AuditError, match="not 32 bytes"):
        AuditKey.load(path)
    with pytest.raises(AuditError, match="no audit key"):
        AuditLog.for_key_dir(tmp_path / "elsewhere", create=False)


def test_the_key_never_shows_in_repr(audit_log):
    assert audit_log._key.hex() not in repr(audit_log)


# --- appending -----------------------------------------------------------------------------


def test_entries_form_a_chain_from_the_genesis(engine, audit_log):
    with Session(engine) as s:
        first = audit_log.append(s, [_entry(1), _entry(2)], now=T0)
        second = audit_log.append(s, [_entry(3)], now=T0 + 1)
        s.commit()
    records = first + second
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[0].prev_mac == GENESIS_MAC
    assert records[1].prev_mac == records[0].mac and records[2].prev_mac == records[1].mac
    assert len({r.mac for r in records}) == 3
    assert records[2].to_json()["detail"] == {"n": 3, "note": "演练广播"}
    report = _verify(engine, audit_log)
    assert report.ok and report.checked == 3 and report.head_seq == 3 and report.first_bad_seq is None


def test_detail_is_stored_as_canonical_json(engine, audit_log):
    with Session(engine) as s:
        (record,) = audit_log.append(s, [_entry(1, detail={"b": 1, "a": "青岛", "when": object})], now=T0)
        s.commit()
        stored = s.scalars(select(AuditEntry.detail)).one()
    assert stored.startswith('{"a":"青岛","b":1,"when":"<class')
    assert record.detail["a"] == "青岛"
    assert _verify(engine, audit_log).ok


def test_a_bad_result_is_refused_and_long_fields_are_cut(engine, audit_log):
    with Session(engine) as s, pytest.raises(ValueError, match="audit result"):
        audit_log.append(s, [_entry(1, result="maybe")])
    with Session(engine) as s:
        (record,) = audit_log.append(s, [_entry(1, operator="o" * 100, target="nul\x00inside")], now=T0)
        s.commit()
    assert record.operator == "o" * 64 and record.target == "nul\ufffdinside"
    assert _verify(engine, audit_log).ok


def test_an_entry_may_carry_its_own_time(engine, audit_log):
    with Session(engine) as s:
        first, second = audit_log.append(s, [_entry(1, at=T0 - 5), _entry(2)], now=T0)
        s.commit()
    assert (first.at, second.at) == (T0 - 5, T0)
    assert _verify(engine, audit_log).ok


def test_an_empty_record_verifies(engine, audit_log):
    report = _verify(engine, audit_log)
    assert report.ok and report.checked == 0 and report.head_seq == 0
    with Session(engine) as s:
        assert audit_log.append(s, []) == []


def test_verification_in_small_batches(engine, audit_log):
    _fill(engine, audit_log, 11)
    report = _verify(engine, audit_log, batch=2)
    assert report.ok and report.checked == 11 and report.problem == ""


# --- tampering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("target", "school QD9999"),
        ("operator", "mallory"),
        ("result", "refused"),
        ("at", T0 + 999),
        ("detail", '{"n":3,"note":"changed"}'),
        ("detail", "not json"),
        ("prev_mac", "f" * 64),
        ("mac", "0" * 64),
    ],
)
def test_changing_one_field_of_one_entry_is_detected(engine, audit_log, column, value):
    _fill(engine, audit_log, 6)
    _sql(engine, f"UPDATE audit_entries SET {column} = :v WHERE seq = 3", v=value)
    report = _verify(engine, audit_log)
    assert not report.ok
    assert report.first_bad_seq == 3
    assert report.problem == "entry 3 was changed"
    assert report.checked == 2


def test_deleting_a_middle_entry_is_detected(engine, audit_log):
    _fill(engine, audit_log, 8)
    _sql(engine, "DELETE FROM audit_entries WHERE seq = 5")
    report = _verify(engine, audit_log)
    assert not report.ok and report.first_bad_seq == 5 and report.problem == "entry 5 is missing"
    _sql(engine, "DELETE FROM audit_entries WHERE seq = 6")
    report = _verify(engine, audit_log)
    assert report.first_bad_seq == 5 and "entries 5-6" in report.problem


def test_deleting_the_first_entry_is_detected(engine, audit_log):
    _fill(engine, audit_log, 3)
    _sql(engine, "DELETE FROM audit_entries WHERE seq = 1")
    report = _verify(engine, audit_log)
    assert not report.ok and report.first_bad_seq == 1 and report.problem == "the first entry is missing"


def test_deleting_the_newest_entries_is_detected_by_the_anchor(engine, audit_log):
    _fill(engine, audit_log, 10)
    assert read_anchor(audit_log.anchor_path).seq == 10
    _sql(engine, "DELETE FROM audit_entries WHERE seq >= 9")
    report = _verify(engine, audit_log)
    assert not report.ok
    assert report.first_bad_seq == 9 and report.head_seq == 8
    assert report.problem.startswith("entries after 8 were deleted")
    _sql(engine, "DELETE FROM audit_entries")
    report = _verify(engine, audit_log)
    assert not report.ok and report.first_bad_seq == 1 and "entries after 0 were deleted" in report.problem


def test_replacing_the_newest_entries_is_detected_by_the_anchor(engine, audit_log):
    # Someone with the key (but not the anchor) deletes the last two entries and appends others.
    _fill(engine, audit_log, 5)
    _sql(engine, "DELETE FROM audit_entries WHERE seq >= 4")
    forger = AuditLog(audit_log._key, anchor_path=None)
    with Session(engine) as s:
        forger.append(s, [_entry(40), _entry(50)], now=T0 + 50)
        s.commit()
    report = _verify(engine, audit_log)
    assert not report.ok and report.first_bad_seq == 5
    assert report.problem.startswith("entries after 4 were deleted")


def test_swapping_two_entries_is_detected(engine, audit_log):
    _fill(engine, audit_log, 6)
    _sql(engine, "UPDATE audit_entries SET seq = -1 WHERE seq = 3")
    _sql(engine, "UPDATE audit_entries SET seq = 3 WHERE seq = 4")
    _sql(engine, "UPDATE audit_entries SET seq = 4 WHERE seq = -1")
    report = _verify(engine, audit_log)
    assert not report.ok and report.first_bad_seq == 3 and report.problem == "entry 3 was changed"


def test_an_entry_from_another_key_is_detected(engine, audit_log, tmp_path):
    _fill(engine, audit_log, 3)
    other = AuditLog.for_key_dir(tmp_path / "other-keys")
    with Session(engine) as s:
        other.append(s, [_entry(4)], now=T0 + 4)
        s.commit()
    report = _verify(engine, audit_log)
    assert not report.ok and report.first_bad_seq == 4 and report.problem == "entry 4 was changed"


def test_an_anchor_behind_the_head_is_not_tampering(engine, audit_log):
    _fill(engine, audit_log, 3)
    with Session(engine) as s:
        audit_log.append(s, [_entry(4), _entry(5)], now=T0 + 4)
        s.commit()  # and the process stops before write_anchor
    report = _verify(engine, audit_log)
    assert report.ok and report.head_seq == 5
    assert "anchor is at entry 3" in report.problem and "not tampering" in report.problem


def test_the_anchor_never_moves_backwards_and_is_private(engine, audit_log):
    _fill(engine, audit_log, 3)
    with Session(engine) as s:
        (first,) = search(s, AuditQuery(limit=1, oldest_first=True))[0]
    audit_log.write_anchor(first)
    anchor = read_anchor(audit_log.anchor_path)
    assert anchor.seq == 3
    assert stat.S_IMODE(audit_log.anchor_path.stat().st_mode) == 0o600
    assert json.loads(audit_log.anchor_path.read_text()) == {"seq": 3, "mac": anchor.mac}


def test_a_damaged_anchor_fails_verification(engine, audit_log):
    _fill(engine, audit_log, 2)
    audit_log.anchor_path.write_text("{broken")
    report = _verify(engine, audit_log)
    assert not report.ok and "anchor" in report.problem and "damaged" in report.problem


def test_a_missing_anchor_is_noted(engine, audit_log):
    _fill(engine, audit_log, 2)
    audit_log.anchor_path.unlink()
    report = _verify(engine, audit_log)
    assert report.ok and "no anchor file" in report.problem
    assert AUDIT_ANCHOR_FILE in report.problem


# --- concurrent writers --------------------------------------------------------------------


class _RacingLog(AuditLog):
    """Holds every writer between reading the chain's end and inserting, so they all race."""

    def __init__(self, key, anchor_path, barrier: threading.Barrier) -> None:
        super().__init__(key, anchor_path)
        self._barrier = barrier

    def _chain_end(self, session):
        end = super()._chain_end(session)
        self._barrier.wait(timeout=10)
        return end


def test_two_writers_racing_do_not_fork_the_chain(engine, audit_log):
    _fill(engine, audit_log, 2)
    barrier = threading.Barrier(2)
    racing = _RacingLog(audit_log._key, audit_log.anchor_path, barrier)
    outcomes: list[str] = []

    def writer(name: str) -> None:
        with Session(engine) as s:
            try:
                racing.append(s, [_entry(100, operator=name)], now=T0 + 100)
                s.commit()
                outcomes.append("committed")
            except (IntegrityError, OperationalError):
                s.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=writer, args=(n,), name=f"audit-writer-{n}") for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["committed", "refused"]
    with Session(engine) as s:
        seqs = s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    assert seqs == [1, 2, 3]
    assert _verify(engine, audit_log).ok


def test_append_and_commit_retries_a_lost_race(engine, audit_log):
    per_writer = 15

    def writer(name: str) -> None:
        for i in range(per_writer):
            audit_log.append_and_commit(lambda: Session(engine), [_entry(i, operator=name)], attempts=20)

    threads = [threading.Thread(target=writer, args=(n,), name=f"audit-writer-{n}") for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    report = _verify(engine, audit_log)
    assert report.ok and report.checked == 2 * per_writer and report.problem == ""
    assert read_anchor(audit_log.anchor_path).seq == 2 * per_writer


# --- search and export ---------------------------------------------------------------------


def _searchable(engine, audit_log):
    entries = [
        _entry(1, operator="alice", action="login", target="", detail={}),
        _entry(2, operator="bob", action="send_command", target="school QD0002", detail={"note": "紧急广播"}),
        _entry(3, operator="alice", action="send_command", target="district 370202", result="refused"),
        _entry(4, operator="carol", action="create_operator", target="dave", detail={"role": "operator"}),
        _entry(5, operator="alice", action="logout", target="", detail={"pct": "100%_done"}),
    ]
    with Session(engine) as s:
        for i, entry in enumerate(entries):
            audit_log.append(s, [entry], now=T0 + i * 10)
        s.commit()


def _seqs(engine, **query):
    with Session(engine) as s:
        records, total = search(s, AuditQuery(**query))
    return [r.seq for r in records], total


def test_search_filters_and_pages(engine, audit_log):
    _searchable(engine, audit_log)
    assert _seqs(engine) == ([5, 4, 3, 2, 1], 5)
    assert _seqs(engine, operator="alice") == ([5, 3, 1], 3)
    assert _seqs(engine, action="send_command") == ([3, 2], 2)
    assert _seqs(engine, result="refused") == ([3], 1)
    assert _seqs(engine, since=T0 + 10, until=T0 + 30) == ([3, 2], 2)
    assert _seqs(engine, text="紧急") == ([2], 1)  # in the detail
    assert _seqs(engine, text="qd0002") == ([2], 1)  # in the target, any case
    assert _seqs(engine, text="100%_") == ([5], 1)  # LIKE wildcards are taken literally
    assert _seqs(engine, text="0%") == ([5], 1)
    assert _seqs(engine, limit=2) == ([5, 4], 5)
    assert _seqs(engine, limit=2, offset=2) == ([3, 2], 5)
    assert _seqs(engine, limit=2, oldest_first=True) == ([1, 2], 5)
    assert _seqs(engine, limit=0) == ([5], 5)  # clamped to at least one
    assert _seqs(engine, operator="nobody") == ([], 0)


def test_csv_export(engine, audit_log):
    _searchable(engine, audit_log)
    with Session(engine) as s:
        _sql(engine, "UPDATE audit_entries SET target = '=cmd()' WHERE seq = 1")  # makes entry 1 bad
        records, _ = search(s, AuditQuery(oldest_first=True))
    out = io.StringIO()
    assert write_csv(records, out) == 5
    content = out.getvalue()
    assert content.startswith("\ufeffseq,time,operator,role,console,action,target,result,detail,mac\r\n")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert len(rows) == 6
    assert rows[1][6] == "'=cmd()"  # a spreadsheet would run it as a formula otherwise
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["operator"] == "bob" and second["target"] == "school QD0002"
    assert json.loads(second["detail"]) == {"note": "紧急广播"}
    assert second["time"].startswith("2027-01-15T") and second["time"][-6] in "+-"
    assert len(second["mac"]) == 64
