"""The clip library: bundled clips plus the clips operators uploaded or had spoken, in one list.

Stored clips live in the database (services/db/broadcast_models.py); functions here take an engine,
open one Session per call and hand back plain frozen records, never ORM objects, so the console's
database worker can pass them to widgets. Saving is idempotent: the same audio saved twice is one
clip (its name is the hash of its bytes), and a text already spoken in a voice is never rendered
again (`speak`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.broadcast.bundled import BundledClip
from services.broadcast.school_format import SchoolClip
from services.broadcast.tts import DEFAULT_VOICE, normalise_text, synthesize, tts_key
from services.db.broadcast_models import BroadcastClip, BroadcastClipAudio

log = logging.getLogger(__name__)

MAX_TITLE_CHARS = 128
SOURCE_BUNDLED = "bundled"
SOURCE_UPLOAD = "upload"
SOURCE_TTS = "tts"

Synthesizer = Callable[[str, str], SchoolClip]


@dataclass(frozen=True, slots=True)
class ClipRecord:
    """One clip of the library as the console lists it."""

    sha256: str
    title: str
    source: str  # "bundled", "upload" or "tts"
    duration_s: float
    size_bytes: int = 0
    created_by: str = ""
    created_at: float = 0.0
    text: str = ""  # what text-to-speech said
    kind: str = ""  # bundled clips: "alert", "message", ...


def bundled_records(clips: Iterable[BundledClip], chinese: bool) -> list[ClipRecord]:
    return [
        ClipRecord(
            sha256=c.sha256,
            title=c.title_zh if chinese else c.title,
            source=SOURCE_BUNDLED,
            duration_s=c.duration_s,
            kind=c.kind,
        )
        for c in clips
    ]


def _record(row: BroadcastClip) -> ClipRecord:
    return ClipRecord(
        sha256=row.sha256,
        title=row.title,
        source=row.source,
        duration_s=row.duration_s,
        size_bytes=row.size_bytes,
        created_by=row.created_by,
        created_at=row.created_at,
        text=row.tts_text,
    )


def _title(title: str, fallback: str) -> str:
    cleaned = " ".join(title.split()) or fallback
    return cleaned[: MAX_TITLE_CHARS - 1] + "…" if len(cleaned) > MAX_TITLE_CHARS else cleaned


def list_stored(engine: Engine) -> list[ClipRecord]:
    """Every stored clip, newest first (reads no audio)."""
    with Session(engine) as session:
        rows = session.scalars(select(BroadcastClip).order_by(BroadcastClip.created_at.desc())).all()
        return [_record(r) for r in rows]


def get_clip(engine: Engine, sha256: str) -> ClipRecord | None:
    with Session(engine) as session:
        row = session.get(BroadcastClip, sha256)
        return _record(row) if row is not None else None


def clip_audio(engine: Engine, sha256: str) -> bytes | None:
    """The WAV bytes of a stored clip (None when there is no such clip)."""
    with Session(engine) as session:
        row = session.get(BroadcastClipAudio, sha256)
        return bytes(row.wav) if row is not None else None


def save_upload(
    engine: Engine, clip: SchoolClip, *, title: str, original_name: str, operator: str
) -> ClipRecord:
    """Store an uploaded clip (already in the school format); the existing record if it is known."""
    return _save(
        engine,
        clip,
        BroadcastClip(
            sha256=clip.sha256,
            title=_title(title, original_name or clip.sha256[:12]),
            source=SOURCE_UPLOAD,
            duration_s=clip.duration_s,
            size_bytes=clip.size_bytes,
            created_by=operator,
            created_at=time.time(),
            original_name=original_name[:256],
            tts_text="",
            tts_voice="",
            tts_key=None,
        ),
    )


def cached_speech(engine: Engine, text: str, voice: str = DEFAULT_VOICE) -> ClipRecord | None:
    """The clip already rendered for (*text*, *voice*), if any."""
    with Session(engine) as session:
        cached = session.scalar(select(BroadcastClip).where(BroadcastClip.tts_key == tts_key(text, voice)))
        return _record(cached) if cached is not None else None


def save_speech(
    engine: Engine, text: str, clip: SchoolClip, *, operator: str, voice: str = DEFAULT_VOICE, title: str = ""
) -> ClipRecord:
    """Store the rendering *clip* of (*text*, *voice*) under its cache key."""
    spoken = normalise_text(text)
    return _save(
        engine,
        clip,
        BroadcastClip(
            sha256=clip.sha256,
            title=_title(title or spoken, clip.sha256[:12]),
            source=SOURCE_TTS,
            duration_s=clip.duration_s,
            size_bytes=clip.size_bytes,
            created_by=operator,
            created_at=time.time(),
            original_name="",
            tts_text=spoken,
            tts_voice=voice,
            tts_key=tts_key(text, voice),
        ),
    )


def speak(
    engine: Engine,
    text: str,
    *,
    operator: str,
    voice: str = DEFAULT_VOICE,
    title: str = "",
    synthesizer: Synthesizer | None = None,
) -> ClipRecord:
    """The clip that says *text* in *voice*: from the cache when rendered before, else rendered now.

    TtsError when the engine is missing or fails (nothing is stored then). The console splits this
    into its three steps so the rendering does not hold its database worker."""
    cached = cached_speech(engine, text, voice)
    if cached is not None:
        log.info("speech cache hit for %s", cached.sha256[:12])
        return cached
    render = synthesizer or (lambda t, v: synthesize(t, v))
    clip = render(normalise_text(text), voice)
    return save_speech(engine, text, clip, operator=operator, voice=voice, title=title)


def rename_clip(engine: Engine, sha256: str, title: str) -> ClipRecord | None:
    with Session(engine) as session, session.begin():
        row = session.get(BroadcastClip, sha256)
        if row is None:
            return None
        row.title = _title(title, row.title)
        return _record(row)


def delete_clip(engine: Engine, sha256: str) -> bool:
    """Remove a stored clip and its audio; False when there was none. Broadcasts already sent keep
    playing at the schools that have the clip."""
    with Session(engine) as session, session.begin():
        row = session.get(BroadcastClip, sha256)
        if row is None:
            return False
        # Plain statements in this order: the two tables have no ORM relationship to order them by.
        session.execute(delete(BroadcastClipAudio).where(BroadcastClipAudio.sha256 == sha256))
        session.execute(delete(BroadcastClip).where(BroadcastClip.sha256 == sha256))
    log.info("clip %s deleted", sha256[:12])
    return True


def _save(engine: Engine, clip: SchoolClip, row: BroadcastClip) -> ClipRecord:
    with Session(engine) as session:
        existing = session.get(BroadcastClip, clip.sha256)
        if existing is not None:
            return _record(existing)
        record = _record(row)
        session.add(row)
        session.add(BroadcastClipAudio(sha256=clip.sha256, wav=clip.wav))
        try:
            session.commit()
        except IntegrityError:
            # Another workstation stored the same audio (or spoke the same text) meanwhile.
            session.rollback()
            existing = session.get(BroadcastClip, clip.sha256)
            if existing is None:
                raise
            return _record(existing)
    log.info(
        "clip %s stored (%s, %.1f s) by %s",
        clip.sha256[:12],
        record.source,
        clip.duration_s,
        record.created_by,
    )
    return record
