"""Shared pieces of the broadcast tests: clips made in the test, a driven executor, WAV reading."""

from __future__ import annotations

import array
import base64
import hashlib
import math
import time
import wave
from pathlib import Path

from hardware.agent.executor import CommandExecutor, CommandStore
from hardware.broadcast.audio import wav_from_pcm
from services.protocol.agent_messages import Command
from services.protocol.codec import header_fields


def tone_pcm(freq: float, seconds: float, amplitude: int = 8000) -> bytes:
    n = round(seconds * 16000)
    return array.array(
        "h", (int(amplitude * math.sin(2 * math.pi * freq * i / 16000)) for i in range(n))
    ).tobytes()


def clip(pcm: bytes) -> tuple[str, bytes]:
    """(sha256 name, WAV bytes) of a school-format clip holding *pcm*."""
    data = wav_from_pcm(pcm)
    return hashlib.sha256(data).hexdigest(), data


def put_args(sha: str, data: bytes, offset: int, size: int) -> dict:
    chunk = data[offset : offset + size]
    return {"clip": sha, "offset": offset, "total": len(data), "data": base64.b64encode(chunk).decode()}


def read_wav(path: Path) -> bytes:
    with wave.open(str(path), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, 16000)
        return reader.readframes(reader.getnframes())


def command(
    command_id: str, action: str, args: dict | None = None, *, issued_at: float | None = None
) -> Command:
    issued = time.time() if issued_at is None else issued_at
    return Command(
        **header_fields(1),
        command_id=command_id,
        action=action,
        args=args or {},
        issued_at=issued,
        expires_at=issued + 60,
        epoch=1,
    )


class Acks:
    def __init__(self) -> None:
        self.acks: list[tuple[str, str, str, dict]] = []

    def __call__(self, command_id, state, reason, result) -> None:
        self.acks.append((command_id, state, reason, result))

    def of(self, command_id: str) -> list[tuple[str, str, dict]]:
        return [(state, reason, result) for cid, state, reason, result in self.acks if cid == command_id]

    def final(self, command_id: str) -> tuple[str, str, dict] | None:
        answers = [a for a in self.of(command_id) if a[0] in ("done", "failed", "expired")]
        return answers[-1] if answers else None


def executor_for(adapter, db, acks: Acks) -> CommandExecutor:
    ex = CommandExecutor(CommandStore(db), acks)
    for action, spec in adapter.commands().items():
        ex.register(action, spec.handler, activity=spec.activity, role=spec.role)
    return ex
