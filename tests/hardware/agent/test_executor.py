import asyncio
import sys
import time

from hardware.adapters.base import CommandFailed
from hardware.agent.executor import CommandExecutor, CommandStore
from services.protocol.agent_messages import Command
from services.protocol.codec import header_fields

# Python 3.12+ starts a command's task eagerly: one that needs no waiting answers only "done".
EAGER = sys.version_info >= (3, 12)


def _command(command_id, action, args=None, *, issued_at=None, ttl=30.0):
    issued = time.time() if issued_at is None else issued_at
    return Command(
        **header_fields(1),
        command_id=command_id,
        action=action,
        args=args or {},
        issued_at=issued,
        expires_at=issued + ttl,
        epoch=1,
    )


class Recorder:
    def __init__(self):
        self.acks = []

    def __call__(self, command_id, state, reason, result):
        self.acks.append((command_id, state, reason, result))

    def states(self, command_id):
        return [a[1] for a in self.acks if a[0] == command_id]


def _executor(path, recorder, open_db):
    return CommandExecutor(CommandStore(open_db(path)), recorder)


def test_an_expired_command_never_runs(tmp_path, open_db):
    runs = []

    async def scenario():
        rec = Recorder()
        ex = _executor(tmp_path / "a.db", rec, open_db)

        async def handler(args):
            runs.append(args)
            return {}

        ex.register("ping", handler)
        ex.handle(_command("old", "ping", issued_at=time.time() - 100, ttl=10))
        await asyncio.sleep(0.05)
        return rec

    rec = asyncio.run(scenario())
    assert runs == []
    assert rec.states("old") == ["expired"]


def test_a_repeated_command_id_is_answered_from_storage_and_run_once(tmp_path, open_db):
    runs = []

    async def handler(args):
        runs.append(args)
        return {"pong": True}

    async def first_run():
        rec = Recorder()
        ex = _executor(tmp_path / "a.db", rec, open_db)
        ex.register("ping", handler)
        ex.handle(_command("c1", "ping"))
        await asyncio.sleep(0.05)
        ex.handle(_command("c1", "ping"))  # resend in the same agent run
        await asyncio.sleep(0.05)
        return rec

    async def after_restart():
        rec = Recorder()
        ex = _executor(tmp_path / "a.db", rec, open_db)  # the stored result survives a restart
        ex.register("ping", handler)
        ex.handle(_command("c1", "ping"))
        await asyncio.sleep(0.05)
        return rec

    rec = asyncio.run(first_run())
    # A command done within its first step skips "received" and "executing"; a resend gets the
    # stored answer.
    assert rec.states("c1") == (["done", "done"] if EAGER else ["received", "done", "done"])
    assert rec.acks[-1][3] == {"pong": True}
    rec2 = asyncio.run(after_restart())
    assert rec2.acks == [("c1", "done", "", {"pong": True})]
    assert len(runs) == 1


def test_a_command_interrupted_by_a_restart_is_reported_failed_not_rerun(tmp_path, open_db):
    store = CommandStore(open_db(tmp_path / "a.db"))
    store.insert(_command("c9", "sleep"), "executing")
    rec = Recorder()
    ex = CommandExecutor(CommandStore(open_db(tmp_path / "a.db")), rec)

    async def scenario():
        ex.handle(_command("c9", "sleep"))

    asyncio.run(scenario())
    assert rec.acks == [("c9", "failed", "interrupted by an agent restart", {})]


def test_a_later_stop_beats_an_earlier_start(tmp_path, open_db):
    played = []

    async def start(args):
        played.append(args["clip"])
        await asyncio.sleep(5)
        return {}

    async def stop(args):
        return {"stopped": True}

    async def scenario():
        rec = Recorder()
        ex = _executor(tmp_path / "a.db", rec, open_db)
        ex.register("broadcast_start", start, activity="broadcast", role="start")
        ex.register("broadcast_stop", stop, activity="broadcast", role="stop")
        t0 = time.time()
        # A running start is cancelled by a stop issued after it.
        ex.handle(_command("s1", "broadcast_start", {"clip": "a"}, issued_at=t0))
        await asyncio.sleep(0.05)
        ex.handle(_command("x1", "broadcast_stop", issued_at=t0 + 1))
        await asyncio.sleep(0.05)
        # A start issued before that stop but delivered late (resent after a reconnect) never runs.
        ex.handle(_command("s0", "broadcast_start", {"clip": "late"}, issued_at=t0 + 0.5))
        # A start issued after the stop runs normally.
        ex.handle(_command("s2", "broadcast_start", {"clip": "b"}, issued_at=t0 + 2))
        await asyncio.sleep(0.05)
        await ex.shutdown()
        return rec

    rec = asyncio.run(scenario())
    assert rec.states("s1") == ["received", "failed"]  # stopped before "executing" was due
    assert "stopped by x1" in [a[2] for a in rec.acks if a[0] == "s1"][-1]
    assert rec.states("x1") == (["done"] if EAGER else ["received", "done"])
    assert rec.states("s0") == ["failed"]
    assert "superseded by a later stop" in rec.acks[[a[0] for a in rec.acks].index("s0")][2]
    assert played == ["a", "b"]


def test_unknown_action_and_handler_failure_are_answered_failed(tmp_path, open_db):
    async def broken(args):
        raise CommandFailed("amplifier off")

    async def scenario():
        rec = Recorder()
        ex = _executor(tmp_path / "a.db", rec, open_db)
        ex.register("broken", broken)
        ex.handle(_command("u1", "no_such_action"))
        ex.handle(_command("b1", "broken"))
        await asyncio.sleep(0.05)
        return rec

    rec = asyncio.run(scenario())
    assert rec.acks[0] == ("u1", "failed", "unknown action 'no_such_action'", {})
    assert rec.acks[-1] == ("b1", "failed", "amplifier off", {})


def test_a_long_command_reports_executing_and_the_generic_stop_stops_it(tmp_path, open_db):
    async def long_start(args):
        await asyncio.sleep(5)
        return {}

    async def stop(args):
        return {"stopped": True}

    async def scenario():
        rec = Recorder()
        ex = _executor(tmp_path / "a.db", rec, open_db)
        ex.register("broadcast_start", long_start, activity="broadcast", role="start")
        ex.register("stop", stop, activity="*", role="stop")
        t0 = time.time()
        ex.handle(_command("s1", "broadcast_start", issued_at=t0))
        await asyncio.sleep(0.3)
        ex.handle(_command("x1", "stop", issued_at=t0 + 1))
        await asyncio.sleep(0.05)
        ex.handle(_command("s0", "broadcast_start", issued_at=t0 + 0.5))
        await ex.shutdown()
        return rec

    rec = asyncio.run(scenario())
    assert rec.states("s1") == ["received", "executing", "failed"]
    assert [a[2] for a in rec.acks if a[0] == "s1"][-1] == "stopped by x1"
    assert rec.states("x1") == (["done"] if EAGER else ["received", "done"])
    assert rec.states("s0") == ["failed"]
