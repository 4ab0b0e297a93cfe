"""The live-voice jitter buffer: frames in by sequence number, out one per 20 ms tick in order.

Playout starts once `target` worth of frames is buffered (60 ms). A frame not there when its
tick comes is lost (concealed, counted as a dropout); if it arrives afterwards it was late, and the
target grows by one frame (up to 200 ms) so the next burst of jitter fits. When more than the
maximum is buffered (a stall released a backlog) the oldest frames are skipped down to the
target, so the delay never stays above 200 ms.
"""

from __future__ import annotations

from typing import Literal

Pop = Literal["frame", "lost", "hold", "empty", "end"]
MAX_BUFFERED = 256  # frames held at most (5 s): a flood of future sequence numbers costs bounded memory


class JitterBuffer:
    def __init__(self, frame_s: float = 0.02, target_s: float = 0.06, max_s: float = 0.2) -> None:
        self.target_frames = max(1, round(target_s / frame_s))
        self.max_frames = max(self.target_frames, round(max_s / frame_s))
        self._frames: dict[int, bytes] = {}
        self._next: int | None = None  # the next sequence number to play
        self._end_seq: int | None = None
        self._hold = 0  # silent ticks owed to grow the delay
        self.late = 0
        self.lost = 0
        self.skipped = 0
        self.duplicates = 0

    def push(self, seq: int, payload: bytes, end: bool = False) -> bool:
        """Buffer a frame; False when it is too late, a duplicate or beyond the bound."""
        if self._next is not None and seq < self._next:
            self.late += 1
            if self.target_frames < self.max_frames:
                self.target_frames += 1
                self._hold += 1
            return False
        if seq in self._frames:
            self.duplicates += 1
            return False
        if len(self._frames) >= MAX_BUFFERED:
            return False
        self._frames[seq] = payload
        if end:
            self._end_seq = seq
        return True

    @property
    def buffered(self) -> int:
        return len(self._frames)

    def ready(self) -> bool:
        """Enough is buffered to start playout (or the stream already ended)."""
        return self._end_seq is not None or len(self._frames) >= self.target_frames

    def pop(self) -> tuple[Pop, bytes]:
        """What the next tick plays: a frame, a lost frame to conceal, silence, or the end."""
        if self._hold:
            self._hold -= 1
            return "hold", b""
        if self._next is None:
            if not self._frames:
                return "empty", b""
            self._next = min(self._frames)
        if self._end_seq is not None and self._next > self._end_seq:
            return "end", b""
        while len(self._frames) > self.max_frames:
            if self._frames.pop(self._next, None) is not None:
                self.skipped += 1
            self._next += 1
        payload = self._frames.pop(self._next, None)
        if payload is not None:
            self._next += 1
            return "frame", payload
        if not self._frames:
            return "empty", b""  # nothing newer: the talker paused or the link stalls; wait
        self._next += 1
        self.lost += 1
        return "lost", b""
