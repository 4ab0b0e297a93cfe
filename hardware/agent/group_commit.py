"""Group commit: many agents on one event loop share one SQLite file and one commit per loop iteration.

In the fleet simulator thousands of agents answer the same command within milliseconds. With a file
per agent every answer costs two commits of its own (file locks, WAL writes, all in the event loop's
thread). Here the first write of an iteration opens a transaction and schedules its commit with
`call_soon`; every write of the same iteration joins it, and the commit runs at the start of the
next iteration. Whatever promises durability waits for that commit (`after_commit`): a command's
"received" acknowledgement and the start of its execution, a "done" acknowledgement, the sending
of an event. The guarantees stay those of the agent's own file: nothing is acknowledged, run or
sent before the row that records it is committed. What is lost in a crash is only what nobody was
told about yet.

If a commit fails (disk full, I/O error), the batch is rolled back, its callbacks never run (no
acknowledgement leaves: the hub resends the commands), and the error is logged; the next batch is
tried as usual. Events written in a failed batch are lost with it; the fleet is a simulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from hardware.agent.storage import AgentDb, Params, SyncMode, connect_agent_db

log = logging.getLogger(__name__)

class GroupCommitDb(AgentDb):
    """A store shared by the agents of one process; rows are told apart by their `school` scope."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        super().__init__(conn, path)
        self._in_batch = False  # a transaction with writes not yet committed
        self._commit_scheduled = False
        self._waiting: list[Callable[[], None]] = []
        self.commits = 0
        self.failed_commits = 0

    @property
    def in_batch(self) -> bool:
        return self._in_batch

    def write(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        if not self._in_batch:
            self._start_batch()  # without a running loop the statement commits by itself
        return self.conn.execute(sql, params)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        # A savepoint: one agent's failed group of writes must not undo the other agents' writes.
        # Outside a batch (no running loop) it is a transaction of its own.
        if not self._in_batch:
            self._start_batch()
        self.conn.execute("SAVEPOINT agent_atomic")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO agent_atomic")
            self.conn.execute("RELEASE agent_atomic")
            raise
        self.conn.execute("RELEASE agent_atomic")

    def after_commit(self, callback: Callable[[], None]) -> None:
        if self._in_batch:
            self._waiting.append(callback)
        else:
            callback()

    def commit(self) -> bool:
        """Commit the open batch now and run what waited for it; False when the commit failed."""
        self._commit_scheduled = False
        if not self._in_batch:
            return True
        waiting, self._waiting = self._waiting, []
        self._in_batch = False
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.failed_commits += 1
            log.error(
                "agent store %s: a batch could not be committed (%s); %d acknowledgement(s) and"
                " command start(s) withheld, the hub will resend",
                self.path,
                exc,
                len(waiting),
            )
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            return False
        self.commits += 1
        for callback in waiting:
            # A callback may write again: that opens the next batch, committed on the next iteration.
            try:
                callback()
            except Exception:  # one agent's bug must not keep the others' answers back
                log.exception("agent store %s: a callback after commit failed", self.path)
        return True

    def close(self) -> None:
        self.commit()
        super().close()

    def _start_batch(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # start-up or a tool without a loop: nothing to batch with
        self.conn.execute("BEGIN")
        self._in_batch = True
        if not self._commit_scheduled:
            self._commit_scheduled = True
            loop.call_soon(self.commit)


def open_group_db(path: Path, sync: SyncMode = "normal") -> GroupCommitDb:
    """A store shared by many agents of one process, with one commit per event-loop iteration."""
    return GroupCommitDb(connect_agent_db(path, sync), path)
