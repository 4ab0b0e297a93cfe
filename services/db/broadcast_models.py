"""Tables of broadcast content (docs: issue 7): stored clips, their audio, and saved target groups.

Clips are named by the sha256 of their school-format WAV bytes. The audio lives in its own table,
in a blob column, not in files beside the database: the hub needs a clip's bytes to send it to
agents wherever the hub runs, and with PostgreSQL shared by several workstations there is no folder
they all see, whereas the database is already what they share (and what gets backed up). Lists of
clips read only `broadcast_clips`, never the blobs. A clip is at most 10 minutes (19.2 MB).

Bundled clips are not stored here: they ship with the software in resources/audio/.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.models import Base


class BroadcastClip(Base):
    """One clip an operator uploaded or had spoken by text-to-speech."""

    __tablename__ = "broadcast_clips"
    __table_args__ = (
        CheckConstraint("source IN ('upload', 'tts')", name="source_known"),
        CheckConstraint("duration_s >= 0", name="duration_not_negative"),
        Index("ix_broadcast_clips_created_at", "created_at"),
    )

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))
    duration_s: Mapped[float] = mapped_column(Float)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[float] = mapped_column(Float)
    original_name: Mapped[str] = mapped_column(String(256), default="")
    # Text-to-speech: what was spoken, with which voice, and the cache key of (text, voice).
    tts_text: Mapped[str] = mapped_column(Text, default="")
    tts_voice: Mapped[str] = mapped_column(String(32), default="")
    tts_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True, default=None)


class BroadcastClipAudio(Base):
    """The WAV bytes of a stored clip (school format)."""

    __tablename__ = "broadcast_clip_audio"

    sha256: Mapped[str] = mapped_column(
        ForeignKey("broadcast_clips.sha256", ondelete="CASCADE"), primary_key=True
    )
    wav: Mapped[bytes] = mapped_column(LargeBinary)


class BroadcastTargetGroup(Base):
    """A target an operator saved under a name: schools by code and whole districts by adcode."""

    __tablename__ = "broadcast_target_groups"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_broadcast_target_groups_owner_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    schools: Mapped[list[str]] = mapped_column(JSON, default=list)
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[float] = mapped_column(Float)
