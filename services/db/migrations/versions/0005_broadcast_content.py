"""broadcast content: stored clips (uploads, text-to-speech), their audio, saved target groups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('broadcast_clips',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('original_name', sa.String(length=256), nullable=False),
    sa.Column('tts_text', sa.Text(), nullable=False),
    sa.Column('tts_voice', sa.String(length=32), nullable=False),
    sa.Column('tts_key', sa.String(length=64), nullable=True),
    sa.CheckConstraint("source IN ('upload', 'tts')", name=op.f('ck_broadcast_clips_source_known')),
    sa.CheckConstraint('duration_s >= 0', name=op.f('ck_broadcast_clips_duration_not_negative')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_broadcast_clips')),
    sa.UniqueConstraint('tts_key', name=op.f('uq_broadcast_clips_tts_key'))
    )
    with op.batch_alter_table('broadcast_clips', schema=None) as batch_op:
        batch_op.create_index('ix_broadcast_clips_created_at', ['created_at'], unique=False)

    op.create_table('broadcast_clip_audio',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('wav', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['broadcast_clips.sha256'], name=op.f('fk_broadcast_clip_audio_sha256_broadcast_clips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_broadcast_clip_audio'))
    )
    op.create_table('broadcast_target_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('schools', sa.JSON(), nullable=False),
    sa.Column('districts', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_target_groups')),
    sa.UniqueConstraint('owner', 'name', name='uq_broadcast_target_groups_owner_name')
    )


def downgrade() -> None:
    op.drop_table('broadcast_target_groups')
    op.drop_table('broadcast_clip_audio')
    with op.batch_alter_table('broadcast_clips', schema=None) as batch_op:
        batch_op.drop_index('ix_broadcast_clips_created_at')

    op.drop_table('broadcast_clips')
