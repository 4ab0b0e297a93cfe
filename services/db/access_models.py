"""Tables of access control: operators, their login sessions, the audit record and camera
credentials (docs/access.md).

Nothing secret is stored in the clear: passwords as Argon2id hashes, session tokens as their
SHA-256, camera credentials as Fernet ciphertexts whose key lives in a file outside the database.
Timestamps are seconds since the epoch (float), like everywhere else in the schema.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.access.roles import Role
from services.db.models import Base, _enum_column


class Operator(Base):
    """A person who logs in to a console. Usernames never change; rows are disabled, not deleted,
    so the audit record always names someone who existed."""

    __tablename__ = "operators"
    __table_args__ = (
        # A district viewer without a district would see nothing, or worse, everything.
        CheckConstraint(
            "role <> 'district_viewer' OR district_code IS NOT NULL", name="district_viewer_has_district"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(_enum_column(Role, "operator_role"))
    district_code: Mapped[str | None] = mapped_column(String(12), nullable=True, default=None)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    password_changed_at: Mapped[float] = mapped_column(Float)


class OperatorSession(Base):
    """One login at one console. Only the token's SHA-256 is kept: a copy of the database does
    not let anyone resume a session."""

    __tablename__ = "operator_sessions"
    __table_args__ = (Index("ix_operator_sessions_operator_id", "operator_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    console: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    closed_at: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)


class AuditEntry(Base):
    """One entry of the hash-chained audit record (services/access/audit.py).

    `seq` is assigned by the appending transaction as last + 1, never by the database: two
    writers racing for the same number collide on the primary key instead of forking the chain.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_operator", "operator"),
        Index("ix_audit_entries_action", "action"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[float] = mapped_column(Float)
    operator: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    console: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(String(16))  # "ok" | "refused" | "failed"
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class CameraCredential(Base):
    """A camera's login, encrypted; the key is in a file the database never sees."""

    __tablename__ = "camera_credentials"

    camera_id: Mapped[int] = mapped_column(
        ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    username_ct: Mapped[str] = mapped_column(Text)
    password_ct: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[float] = mapped_column(Float)
