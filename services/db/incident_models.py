"""Tables of incidents (docs/incidents.md): the incident as it stands, the alarms grouped into it,
and its timeline.

The hub keeps the live incidents in memory and writes them here right after each change; at start
it reads back every unresolved incident (and those resolved in the last hour). The row of an
incident is its current state (procedure steps, notes and actions as JSON lists); the timeline
rows are only ever added. Schools are referred to by code, like the other network tables.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.models import Base


class IncidentRecord(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'acknowledged', 'resolved')", name="state_known"),
        Index("ix_incidents_school_code", "school_code"),
        Index("ix_incidents_state", "state"),
        Index("ix_incidents_opened_at", "opened_at"),
    )

    incident_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    school_code: Mapped[str] = mapped_column(String(32))
    alarm_type: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[float] = mapped_column(Float)
    last_alarm_at: Mapped[float] = mapped_column(Float)
    alarm_count: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(256), default="")
    acknowledged_by: Mapped[str] = mapped_column(String(64), default="")
    acknowledged_at: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    owner: Mapped[str] = mapped_column(String(64), default="")
    transfer_to: Mapped[str] = mapped_column(String(64), default="")
    ack_due_at: Mapped[float] = mapped_column(Float)
    process_due_at: Mapped[float] = mapped_column(Float)
    escalation: Mapped[str] = mapped_column(String(24), default="")
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    resolved_by: Mapped[str] = mapped_column(String(64), default="")
    resolved_at: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    outcome: Mapped[str] = mapped_column(Text, default="")
    false_alarm: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)


class IncidentAlarm(Base):
    """One alarm grouped into an incident; an alarm id (per school) belongs to one incident only."""

    __tablename__ = "incident_alarms"
    __table_args__ = (
        UniqueConstraint("school_code", "event_id", name="uq_incident_alarms_school_event"),
        Index("ix_incident_alarms_incident_id", "incident_id"),
        Index("ix_incident_alarms_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.incident_id", ondelete="CASCADE"))
    school_code: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[float] = mapped_column(Float)
    received_at: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(128), default="")
    location: Mapped[str] = mapped_column(String(256), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IncidentEntry(Base):
    """One line of an incident's timeline: who did what, when."""

    __tablename__ = "incident_entries"
    __table_args__ = (Index("ix_incident_entries_incident_id", "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.incident_id", ondelete="CASCADE"))
    at: Mapped[float] = mapped_column(Float)
    by: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
