"""The live-voice jitter buffer: frames in by sequence number, out one per 20 ms tick in order.

Playout starts once `target` worth of frames is buffered (40 ms). Why 40: bench.voice measures
the spread of the frames' arrival times at each school (`arrival_jitter_ms_p99`: arrival minus the
frame's place in the stream, on the agent's clock); on loopback, sender's pacing included, its
99th percentile was 20-26 ms with no frame late behind a 40 ms target, where 60 ms only added
20 ms to every word. The delay adapts both ways:
- a frame not there when its tick comes is lost (concealed, counted as a dropout); if it arrives
  afterwards it was late, and the target grows by one frame (up to 200 ms) at once, paid for with
  one tick of silence, so the next burst of jitter fits;
- after `calm_s` (2 s) without a late frame the target steps back by one frame toward where it
  started, and when the buffer held a frame more than it needs during the whole of that calm
  spell (a grown target, or a backlog left by a stall) the oldest frame is skipped (20 ms of
  speech dropped once, counted in `shrunk`), so a delay grown on a bad moment does not stay for
  the rest of the stream;
- when more than the maximum is buffered (a stall released a backlog) the oldest frames are skipped
  down to the target, so the delay never stays above 200 ms.
"""

from __future__ import annotations

from typing import Literal

Pop = Literal["frame", "lost", "hold", "empty", "end"]
MAX_BUFFERED = 256  # frames held at most (5 s): a flood of future sequence numbers costs bounded memory
TARGET_S = 0.04
MAX_S = 0.2
CALM_S = 2.0


class JitterBuffer:
    def __init__(
        self, frame_s: float = 0.02, target_s: float = TARGET_S, max_s: float = MAX_S, calm_s: float = CALM_S
    ) -> None:
        self.base_frames = max(1, round(target_s / frame_s))
        self.target_frames = self.base_frames
        self.max_frames = max(self.target_frames, round(max_s / frame_s))
        self._calm_ticks = max(1, round(calm_s / frame_s))
        self._frames: dict[int, bytes] = {}
        self._next: int | None = None  # the next sequence number to play
        self._end_seq: int | None = None
        self._hold = 0  # silent ticks owed to grow the delay
        self._since_late = 0  # ticks played since the last late frame (or the last step down)
        self._least_buffered: int | None = None  # fewest frames buffered at a tick in this calm spell
        self.late = 0
        self.lost = 0
        self.skipped = 0
        self.shrunk = 0
        self.duplicates = 0
        self.peak_frames = self.target_frames

    def push(self, seq: int, payload: bytes, end: bool = False) -> bool:
        """Buffer a frame; False when it is too late, a duplicate or beyond the bound."""
        if self._next is not None and seq < self._next:
            self.late += 1
            self._since_late = 0
            self._least_buffered = None
            if self.target_frames < self.max_frames:
                self.target_frames += 1
                self.peak_frames = max(self.peak_frames, self.target_frames)
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
        self._adapt()
        payload = self._frames.pop(self._next, None)
        if payload is not None:
            self._next += 1
            return "frame", payload
        if not self._frames:
            return "empty", b""  # nothing newer: the talker paused or the link stalls; wait
        self._next += 1
        self.lost += 1
        return "lost", b""

    def _adapt(self) -> None:
        """Step the delay back down after a calm spell (see the module docstring)."""
        buffered = len(self._frames)
        least = buffered if self._least_buffered is None else min(buffered, self._least_buffered)
        self._least_buffered = least
        self._since_late += 1
        if self._since_late < self._calm_ticks:
            return
        stepped = self.target_frames > self.base_frames
        if stepped:
            self.target_frames -= 1
        assert self._next is not None
        # The cut needs a spare frame at every tick of the calm spell (one more than the new target
        # when the target did not move, so a buffer at rest is never cut): the frame after the one
        # skipped is then here, and the cut costs 20 ms of speech, never a dropout.
        spare = least - self.target_frames - (0 if stepped else 1)
        cut = spare >= 0 and least >= 2 and self._end_seq != self._next
        if cut and self._frames.pop(self._next, None) is not None:
            self.shrunk += 1
            self._next += 1
        self._since_late = 0
        self._least_buffered = None
