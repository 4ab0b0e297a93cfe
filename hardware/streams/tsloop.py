"""An MPEG-TS clip that plays as an endless live stream.

A looping clip sent byte for byte would jump back in time at every loop: PCR, PTS and DTS restart
and the continuity counters break, and players then reset their clock or drop frames. Here each
loop is a copy of the clip with every PCR, PTS and DTS moved forward by the loop's start time and
every continuity counter carried on, so a player sees one continuous live stream, as from a camera.

The clip is parsed once; a loop copy costs one pass over its patch sites (about one per packet).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PACKET = 188
SYNC = 0x47
NULL_PID = 0x1FFF
PTS_CLOCK = 90_000
WRAP_33 = 1 << 33


class ClipError(ValueError):
    """The file is not an MPEG-TS clip this module can loop."""


def _read_timestamp(buf: bytes | bytearray, pos: int) -> int:
    return (
        ((buf[pos] >> 1) & 0x07) << 30
        | buf[pos + 1] << 22
        | (buf[pos + 2] >> 1) << 15
        | buf[pos + 3] << 7
        | buf[pos + 4] >> 1
    )


def _write_timestamp(buf: bytearray, pos: int, value: int) -> None:
    value %= WRAP_33
    buf[pos] = (buf[pos] & 0xF0) | ((value >> 29) & 0x0E) | 0x01
    buf[pos + 1] = (value >> 22) & 0xFF
    buf[pos + 2] = ((value >> 14) & 0xFE) | 0x01
    buf[pos + 3] = (value >> 7) & 0xFF
    buf[pos + 4] = ((value << 1) & 0xFE) | 0x01


def _read_pcr_base(buf: bytes | bytearray, pos: int) -> int:
    return buf[pos] << 25 | buf[pos + 1] << 17 | buf[pos + 2] << 9 | buf[pos + 3] << 1 | buf[pos + 4] >> 7


def _write_pcr_base(buf: bytearray, pos: int, value: int) -> None:
    value %= WRAP_33
    buf[pos] = (value >> 25) & 0xFF
    buf[pos + 1] = (value >> 17) & 0xFF
    buf[pos + 2] = (value >> 9) & 0xFF
    buf[pos + 3] = (value >> 1) & 0xFF
    buf[pos + 4] = ((value << 7) & 0x80) | (buf[pos + 4] & 0x7F)


@dataclass(frozen=True, slots=True)
class LoopingClip:
    """A parsed clip: where to patch, when each packet is due, where a player may start."""

    data: bytes
    duration_s: float
    # Seconds from the clip's start at which each packet is due (from the PCR timeline).
    packet_times: Sequence[float]
    # Packet indexes where a player can start decoding (PAT just before a keyframe).
    entry_points: Sequence[int]
    pcr_sites: Sequence[int]
    timestamp_sites: Sequence[int]
    cc_sites: Sequence[int]
    cc_steps: dict[int, int]

    @property
    def packets(self) -> int:
        return len(self.packet_times)

    def loop_bytes(self, loop: int) -> bytes:
        """The clip's bytes for loop number *loop* (0 is the clip as rendered)."""
        if loop == 0:
            return self.data
        buf = bytearray(self.data)
        shift = round(loop * self.duration_s * PTS_CLOCK)
        for pos in self.pcr_sites:
            _write_pcr_base(buf, pos, _read_pcr_base(buf, pos) + shift)
        for pos in self.timestamp_sites:
            _write_timestamp(buf, pos, _read_timestamp(buf, pos) + shift)
        for pos in self.cc_sites:
            pid = ((buf[pos - 2] & 0x1F) << 8) | buf[pos - 1]
            step = (loop * self.cc_steps[pid]) & 0x0F
            buf[pos] = (buf[pos] & 0xF0) | ((buf[pos] + step) & 0x0F)
        return bytes(buf)

    def index_at(self, offset_s: float) -> int:
        """How many packets are due by *offset_s* seconds into the clip."""
        return bisect.bisect_right(self.packet_times, offset_s)

    def entry_before(self, index: int) -> int:
        """The last entry point at or before packet *index* (the first one if none)."""
        i = bisect.bisect_right(self.entry_points, index) - 1
        return self.entry_points[max(i, 0)]


def parse_clip(data: bytes) -> LoopingClip:
    """Parse a rendered clip; raises ClipError when it cannot be looped seamlessly."""
    if len(data) < PACKET * 4 or len(data) % PACKET:
        raise ClipError(f"not an MPEG-TS file: {len(data)} bytes is not a whole number of packets")
    n = len(data) // PACKET
    pcr_sites: list[int] = []
    pcr_points: list[tuple[int, int]] = []  # (packet index, PCR base)
    ts_sites: list[int] = []
    video_pts: list[int] = []
    cc_sites: list[int] = []
    cc_counts: dict[int, int] = {}
    keyframes: list[int] = []
    pat_before: list[int] = []
    last_pat = -1
    for i in range(n):
        p = i * PACKET
        if data[p] != SYNC:
            raise ClipError(f"lost MPEG-TS sync at packet {i}")
        pid = ((data[p + 1] & 0x1F) << 8) | data[p + 2]
        if pid == NULL_PID:
            continue
        afc = (data[p + 3] >> 4) & 0x03
        payload_at = p + 4
        if afc & 0x02:
            af_len = data[p + 4]
            payload_at = p + 5 + af_len
            if af_len > 0:
                flags = data[p + 5]
                if flags & 0x10 and af_len >= 7:
                    pcr_sites.append(p + 6)
                    pcr_points.append((i, _read_pcr_base(data, p + 6)))
                if flags & 0x40:
                    keyframes.append(i)
                    pat_before.append(last_pat)
        if afc & 0x01:
            cc_sites.append(p + 3)
            cc_counts[pid] = cc_counts.get(pid, 0) + 1
        if pid == 0:
            last_pat = i
        pusi = data[p + 1] & 0x40
        if pusi and afc & 0x01 and data[payload_at : payload_at + 3] == b"\x00\x00\x01":
            stream_id = data[payload_at + 3]
            if 0xC0 <= stream_id <= 0xEF:
                flags = data[payload_at + 7] >> 6
                if flags & 0x02:
                    ts_sites.append(payload_at + 9)
                    if stream_id >= 0xE0:
                        video_pts.append(_read_timestamp(data, payload_at + 9))
                if flags == 0x03:
                    ts_sites.append(payload_at + 14)
    if len(pcr_points) < 2 or len(video_pts) < 2:
        raise ClipError("clip has no PCR timeline or too few video frames to loop")
    video_pts.sort()
    frame = min(b - a for a, b in itertools.pairwise(video_pts) if b > a)
    duration_ticks = video_pts[-1] - video_pts[0] + frame
    times = _packet_times(n, pcr_points)
    entries = [pat if pat >= 0 and k - pat < 8 else k for k, pat in zip(keyframes, pat_before, strict=True)]
    if not entries:
        raise ClipError("clip has no keyframe marked as a random access point")
    return LoopingClip(
        data=data,
        duration_s=duration_ticks / PTS_CLOCK,
        packet_times=times,
        entry_points=entries,
        pcr_sites=pcr_sites,
        timestamp_sites=ts_sites,
        cc_sites=cc_sites,
        cc_steps={pid: count % 16 for pid, count in cc_counts.items()},
    )


def _packet_times(n: int, pcr_points: list[tuple[int, int]]) -> list[float]:
    """Due time of every packet: PCR interpolated between the packets that carry one."""
    first_pcr = pcr_points[0][1]
    times = [0.0] * n
    (i0, c0), (i1, c1) = pcr_points[0], pcr_points[1]
    k = 1
    for i in range(n):
        while i > i1 and k + 1 < len(pcr_points):
            k += 1
            (i0, c0), (i1, c1) = (i1, c1), pcr_points[k]
        rate = (c1 - c0) / (i1 - i0) if i1 != i0 else 0.0
        times[i] = max(0.0, (c0 + (i - i0) * rate - first_pcr) / PTS_CLOCK)
    # Keep the timeline monotonic even where the extrapolation past the last PCR overshoots.
    for i in range(1, n):
        if times[i] < times[i - 1]:
            times[i] = times[i - 1]
    return times


def load_clip(path: Path) -> LoopingClip:
    return parse_clip(path.read_bytes())
