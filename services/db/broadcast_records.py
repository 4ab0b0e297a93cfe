"""The broadcasts table: every broadcast an operator sent or scheduled, as the hub keeps it.

One row per broadcast, written when it is accepted (before anything reaches a school) and updated
as it moves on: `scheduled` (kept by the hub until its time), `syncing` (its clip is being copied
to the schools that lack it), `sent` (the broadcast_start command is in the ledger), `expired`
(its time passed while the hub could not send it: never sent late), `cancelled` (stopped before
it was sent). Per-school delivery lives in the command ledger under `command_id`, chosen when
the broadcast is accepted so a console can follow a scheduled broadcast from the start.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db.models import Base

BROADCAST_STATUSES = ("scheduled", "syncing", "sent", "expired", "cancelled")


class BroadcastRecord(Base):
    __tablename__ = "broadcasts"
    __table_args__ = (
        Index("ix_broadcasts_created_at", "created_at"),
        Index("ix_broadcasts_status", "status"),
        CheckConstraint(
            "status IN ('scheduled', 'syncing', 'sent', 'expired', 'cancelled')", name="status_known"
        ),
        CheckConstraint("priority IN ('emergency', 'drill', 'routine')", name="priority_known"),
    )

    broadcast_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    command_id: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(128), default="")
    clip: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(16))
    zones: Mapped[list[str]] = mapped_column(JSON, default=list)
    repeat: Mapped[int] = mapped_column(Integer, default=1)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    target: Mapped[dict[str, Any]] = mapped_column(JSON)  # as requested: schools, districts, all
    at: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)  # None: at once
    ttl_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)
    sent_at: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(256), default="")
    operator: Mapped[str] = mapped_column(String(64))
    schools: Mapped[int] = mapped_column(Integer, default=0)  # deliveries (schools with an agent)
