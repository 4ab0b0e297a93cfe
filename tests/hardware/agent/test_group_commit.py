"""The group-commit store the fleet's agents share: one commit per loop iteration, nothing promised early."""

import asyncio
import sqlite3
import time

import pytest

from hardware.agent.executor import CommandExecutor, CommandStore
from hardware.agent.group_commit import GroupCommitDb, open_group_db
from hardware.agent.outbox import Outbox
from hardware.agent.storage import SCHEMA_VERSION, StorageError, connect_agent_db, open_agent_db
from services.protocol.agent_messages import Command
from services.protocol.codec import header_fields


def _command(command_id, action="ping", *, issued_at=None, ttl=30.0):
    issued = time.time() if issued_at is None else issued_at
    return Command(
        **header_fields(1),
        command_id=command_id,
        action=action,
        args={},
        issued_at=issued,
        expires_at=issued + ttl,
        epoch=1,
    )


def _committed_state(path, school, command_id):
    """What another connection (a process restarted after a crash) would find in the file."""
    conn = sqlite3.connect(str(path))
    try:
        row = conn.execute(
            "SELECT state FROM commands WHERE school = ? AND command_id = ?", (school, command_id)
        ).fetchone()
    finally:
        conn.close()
    return None if row is None else row[0]


@pytest.fixture
def shared(tmp_path):
    db = open_group_db(tmp_path / "fleet.db")
    yield db
    db.close()


def test_the_received_row_is_committed_before_the_ack_leaves_and_before_the_work_starts(tmp_path, shared):
    path = tmp_path / "fleet.db"
    seen_at_ack = []
    seen_at_run = []

    def send_ack(command_id, state, reason, result):
        seen_at_ack.append((state, _committed_state(path, "QD-0001", command_id)))

    async def slow(_args):
        seen_at_run.append(_committed_state(path, "QD-0001", "c1"))
        await asyncio.sleep(0.01)
        return {}

    async def scenario():
        executor = CommandExecutor(CommandStore(shared, school="QD-0001"), send_ack)
        executor.register("slow", slow)
        executor.handle(_command("c1", "slow"))
        # Same iteration: stored in the open batch, not yet committed: no answer, nothing run.
        assert shared.in_batch
        assert _committed_state(path, "QD-0001", "c1") is None
        assert seen_at_ack == [] and seen_at_run == []
        await asyncio.sleep(0.1)
        await executor.shutdown()

    asyncio.run(scenario())
    assert seen_at_run == ["received"]
    # Every answer leaves after the row it reports is committed.
    assert seen_at_ack == [("received", "received"), ("done", "done")]


def test_one_commit_for_a_whole_iteration_of_agents(shared):
    acks = []

    async def scenario():
        executors = []
        for i in range(50):
            school = f"QD-{i:04d}"
            executor = CommandExecutor(
                CommandStore(shared, school=school),
                lambda cid, state, reason, result, school=school: acks.append((school, state)),
            )

            async def ping(_args):
                return {"pong": True}

            executor.register("ping", ping)
            executors.append(executor)
        await asyncio.sleep(0)  # the start-up writes of all 50 commit together
        before = shared.commits
        for executor in executors:
            executor.handle(_command("all-1"))  # one command id to every school, as the hub sends it
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return shared.commits - before

    commits = asyncio.run(scenario())
    # The "received" rows of all 50 in one batch, their "done" rows in the next.
    assert commits == 2
    assert sorted(s for s, state in acks if state == "done") == [f"QD-{i:04d}" for i in range(50)]


def test_a_repeated_command_is_run_once_and_answered_from_the_store(tmp_path):
    path = tmp_path / "fleet.db"
    runs = []
    acks = []

    async def ping(_args):
        runs.append(1)
        return {"pong": True}

    async def agent_run(commands):
        db = open_group_db(path)
        try:
            executor = CommandExecutor(
                CommandStore(db, school="QD-0001"), lambda *a: acks.append(a[:2] + a[3:])
            )
            executor.register("ping", ping)
            for command_id in commands:
                executor.handle(_command(command_id))
                await asyncio.sleep(0.01)
            await executor.shutdown()
        finally:
            db.close()

    # Twice in one batch window, again later, and again after a restart of the process.
    asyncio.run(agent_run(["c1"]))
    asyncio.run(agent_run(["c1", "c1"]))
    assert len(runs) == 1
    assert [a for a in acks if a[1] == "done"] == [("c1", "done", {"pong": True})] * 3


def test_a_command_in_the_same_batch_for_another_school_is_its_own(shared):
    acks = []

    async def ping(_args):
        return {}

    async def scenario():
        for school in ("QD-0001", "QD-0002"):
            executor = CommandExecutor(
                CommandStore(shared, school=school), lambda cid, st, r, res, s=school: acks.append((s, st))
            )
            executor.register("ping", ping)
            executor.handle(_command("same-id"))
        await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert sorted(acks) == [("QD-0001", "done"), ("QD-0002", "done")]


def test_outbox_events_are_scoped_per_school_and_acked_atomically(shared):
    async def scenario():
        a = Outbox(shared, school="QD-0001")
        b = Outbox(shared, school="QD-0002")
        ida = a.add_event("alarm", priority="alarm")
        b.add_event("patrol_missed")
        assert a.event_count() == 1 and b.event_count() == 1  # the open batch is visible to reads
        await asyncio.sleep(0)
        assert not shared.in_batch
        # Another school cannot acknowledge this school's event.
        assert b.ack([ida]) == 0
        assert a.ack([ida]) == 1
        await asyncio.sleep(0)
        return a.event_count(), b.event_count()

    assert asyncio.run(scenario()) == (0, 1)


@pytest.mark.expect_log(r"could not be committed")
def test_a_failed_commit_withholds_the_answers_and_the_next_batch_works(tmp_path, caplog):
    db = open_group_db(tmp_path / "fleet.db")
    acks = []
    runs = []

    async def ping(_args):
        runs.append(1)
        return {}

    async def scenario():
        executor = CommandExecutor(CommandStore(db, school="QD-0001"), lambda *a: acks.append(a[:2]))
        executor.register("ping", ping)
        await asyncio.sleep(0)
        executor.handle(_command("c1"))
        # A commit that fails: a CHECK the batch breaks is only found when the batch commits.
        db.conn.execute("PRAGMA defer_foreign_keys = ON")
        db.conn.execute("CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY)")
        db.conn.execute(
            "CREATE TEMP TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
        )
        db.conn.execute("INSERT INTO child VALUES (42)")
        await asyncio.sleep(0.01)
        assert acks == [] and runs == []
        assert db.failed_commits == 1
        executor.handle(_command("c2"))  # the hub resends; the next batch commits
        await asyncio.sleep(0.01)
        await executor.shutdown()

    db.conn.execute("PRAGMA foreign_keys = ON")
    try:
        asyncio.run(scenario())
    finally:
        db.close()
    assert acks == [("c2", "done")] and runs == [1]
    assert "could not be committed" in caplog.text


def test_writes_without_a_running_loop_commit_at_once(tmp_path):
    db = open_group_db(tmp_path / "fleet.db")
    try:
        Outbox(db, school="QD-0001").add_event("alarm", priority="alarm")
        assert not db.in_batch
        conn = sqlite3.connect(str(tmp_path / "fleet.db"))
        try:
            assert conn.execute("SELECT COUNT(*) FROM outbox_events").fetchone() == (1,)
        finally:
            conn.close()
    finally:
        db.close()


def test_a_version_1_agent_file_is_upgraded_and_keeps_its_rows(tmp_path):
    path = tmp_path / "outbox.db"
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.executescript(
        """
        CREATE TABLE outbox_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
            priority TEXT NOT NULL, kind TEXT NOT NULL, occurred_at REAL NOT NULL, source TEXT NOT NULL,
            details TEXT NOT NULL);
        CREATE TABLE outbox_status (device_id TEXT PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL,
            sent_version INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE commands (command_id TEXT PRIMARY KEY, action TEXT NOT NULL, state TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '', result TEXT NOT NULL DEFAULT '{}', issued_at REAL NOT NULL,
            expires_at REAL NOT NULL, updated_at REAL NOT NULL);
        CREATE TABLE activity_stops (activity_key TEXT PRIMARY KEY, issued_at REAL NOT NULL,
            command_id TEXT NOT NULL);
        INSERT INTO outbox_events (event_id, priority, kind, occurred_at, source, details)
            VALUES ('e1', 'alarm', 'alarm', 1.0, 'alarm-1', '{}');
        INSERT INTO commands VALUES ('c1', 'ping', 'done', '', '{"pong": true}', 1.0, 9e9, 1.0);
        PRAGMA user_version = 1;
        """
    )
    conn.close()
    db = open_agent_db(path)
    try:
        assert db.read("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert Outbox(db).backlog()[0].event_id == "e1"
        stored = CommandStore(db).get("c1")
        assert stored is not None and stored.result == {"pong": True}
        CommandStore(db).record_stop("broadcast:", 5.0, "x1")
        CommandStore(db).record_stop("broadcast:", 6.0, "x2")  # the upsert works on the old table
        assert CommandStore(db).stop_issued_at("broadcast:") == (6.0, "x2")
    finally:
        db.close()


def test_a_file_from_a_newer_agent_is_refused(tmp_path):
    path = tmp_path / "outbox.db"
    conn = sqlite3.connect(str(path))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer agent"):
        connect_agent_db(path)


def test_the_group_store_is_an_agent_store(shared):
    assert isinstance(shared, GroupCommitDb)
    assert shared.read("PRAGMA journal_mode").fetchone() == ("wal",)
