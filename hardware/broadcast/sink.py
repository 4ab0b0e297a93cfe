"""What the agent hands live voice frames to: any adapter with a `voice_frame` method (the PA)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from services.protocol.agent_messages import VoiceFrame


@runtime_checkable
class VoiceSink(Protocol):
    def voice_frame(self, frame: VoiceFrame) -> None: ...
