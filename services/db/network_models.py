"""Tables of the school network: agent enrollments, enrollment tokens, hub epochs, the command
ledger, events from agents and console keys (docs/protocol.md).

Schools are referred to by their code (a string), not by a foreign key to `schools`: an agent can
enroll for a school before the school list is imported, and the hub never blocks on that table.
Timestamps are seconds since the epoch (float), like on the wire.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.models import Base, _enum_column
from services.protocol.states import DeliveryState, EnrollmentStatus


class AgentEnrollment(Base):
    """One agent key and what an administrator decided about it. One row per key."""

    __tablename__ = "agents"
    __table_args__ = (
        Index("ix_agents_school_code", "school_code"),
        # At most one accepted key per school: a second agent for an enrolled school is a conflict.
        Index(
            "uq_agents_accepted_school",
            "school_code",
            unique=True,
            sqlite_where=text("status = 'accepted'"),
            postgresql_where=text("status = 'accepted'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_key: Mapped[str] = mapped_column(String(40), unique=True)  # Z85
    school_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[EnrollmentStatus] = mapped_column(_enum_column(EnrollmentStatus, "enrollment_status"))
    requested_at: Mapped[float] = mapped_column(Float)
    decided_at: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    agent_version: Mapped[str] = mapped_column(String(64), default="")
    hostname: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[str] = mapped_column(String(256), default="")
    # Written in batches by the hub (not on every heartbeat).
    last_seen: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)


class EnrollmentToken(Base):
    """A one-time enrollment token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "enrollment_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    school_code: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    used_by_key: Mapped[str | None] = mapped_column(String(40), nullable=True, default=None)


class HubEpoch(Base):
    """One row per hub start; commands carry the epoch they were issued in."""

    __tablename__ = "hub_epochs"

    epoch: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    started_at: Mapped[float] = mapped_column(Float)


class CommandRecord(Base):
    """A command as the operator issued it, before expansion to schools."""

    __tablename__ = "commands"
    __table_args__ = (Index("ix_commands_issued_at", "issued_at"),)

    command_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    target: Mapped[dict[str, Any]] = mapped_column(JSON)  # as requested: schools, districts, all
    issued_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    epoch: Mapped[int] = mapped_column(Integer)
    operator: Mapped[str] = mapped_column(String(64))


class CommandDelivery(Base):
    """The ledger: one command at one school, and how far it got."""

    __tablename__ = "command_deliveries"
    __table_args__ = (
        UniqueConstraint("command_id", "school_code", name="uq_command_deliveries_command_school"),
        Index("ix_command_deliveries_school_code", "school_code"),
        Index("ix_command_deliveries_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command_id: Mapped[str] = mapped_column(ForeignKey("commands.command_id", ondelete="CASCADE"))
    school_code: Mapped[str] = mapped_column(String(32))
    state: Mapped[DeliveryState] = mapped_column(_enum_column(DeliveryState, "delivery_state"))
    reason: Mapped[str] = mapped_column(String(256), default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[float] = mapped_column(Float)
    send_count: Mapped[int] = mapped_column(Integer, default=0)


class AgentEvent(Base):
    """An event reported by a school agent, stored exactly once per (school, event id)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("school_code", "event_id", name="uq_events_school_event"),
        Index("ix_events_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_code: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[float] = mapped_column(Float)
    received_at: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(128), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ConsoleKey(Base):
    """A console's CURVE public key allowed on the console socket."""

    __tablename__ = "console_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[float] = mapped_column(Float)
    added_by: Mapped[str] = mapped_column(String(64), default="")
