"""broadcast delivery: the "playing" delivery state and the broadcasts table

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_OLD_STATES = ("queued", "not_connected", "sent", "received", "executing", "done", "failed", "expired")
_NEW_STATES = (
    "queued",
    "not_connected",
    "sent",
    "received",
    "executing",
    "playing",
    "done",
    "failed",
    "expired",
)


def _state_type(states: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*states, name="delivery_state", native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    # The state column is VARCHAR with a CHECK constraint: a new state is a new constraint.
    with op.batch_alter_table("command_deliveries", schema=None) as batch_op:
        batch_op.alter_column(
            "state",
            existing_type=_state_type(_OLD_STATES),
            type_=_state_type(_NEW_STATES),
            existing_nullable=False,
        )
    op.create_table(
        "broadcasts",
        sa.Column("broadcast_id", sa.String(length=64), nullable=False),
        sa.Column("command_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("clip", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("repeat", sa.Integer(), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("target", sa.JSON(), nullable=False),
        sa.Column("at", sa.Float(), nullable=True),
        sa.Column("ttl_s", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("sent_at", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=256), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("schools", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "priority IN ('emergency', 'drill', 'routine')", name=op.f("ck_broadcasts_priority_known")
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'syncing', 'sent', 'expired', 'cancelled')",
            name=op.f("ck_broadcasts_status_known"),
        ),
        sa.PrimaryKeyConstraint("broadcast_id", name=op.f("pk_broadcasts")),
        sa.UniqueConstraint("command_id", name=op.f("uq_broadcasts_command_id")),
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.create_index("ix_broadcasts_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_broadcasts_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_index("ix_broadcasts_status")
        batch_op.drop_index("ix_broadcasts_created_at")
    op.drop_table("broadcasts")
    # Deliveries that were playing when the schema goes back count as executing.
    op.execute("UPDATE command_deliveries SET state = 'executing' WHERE state = 'playing'")
    with op.batch_alter_table("command_deliveries", schema=None) as batch_op:
        batch_op.alter_column(
            "state",
            existing_type=_state_type(_NEW_STATES),
            type_=_state_type(_OLD_STATES),
            existing_nullable=False,
        )
