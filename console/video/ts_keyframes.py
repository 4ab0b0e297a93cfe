"""The keyframes of a live MPEG-TS byte stream, without demuxing the rest.

The overview tier shows each camera's latest keyframe. Handing the whole stream to a demuxer per
tile costs a thread and a wake-up for every frame of every tile (at 324 tiles, context switches
and GIL hand-offs were most of the workers' CPU). This reads the transport stream in place: numpy
finds the video packets and where each picture starts (one Python step per picture), and only the
packets of keyframe pictures are copied out, as one access unit ready for the decoder.

    extractor = KeyframeExtractor()
    for access_unit in extractor.feed(chunk):     # bytes as they come off the socket
        decode(extractor.codec, access_unit)       # "h264" or "hevc"

A picture is a keyframe when its first bytes carry an H.264 IDR/SPS or HEVC IRAP/VPS/SPS unit,
or the muxer marked it with the random-access indicator. The access unit is complete when the next
picture starts. `extractor.problem` names why the stream cannot be read this way ("not_ts": no
sync bytes; "no_video": no PAT/PMT with a video stream in the first bytes; "codec": a video codec
other than H.264/HEVC), and then feed() returns nothing more: the caller uses a general demuxer.
"""

from __future__ import annotations

import itertools

import numpy as np

PACKET = 188
SYNC = 0x47
STREAM_TYPES = {0x1B: "h264", 0x24: "hevc"}
# Enough to have seen the PAT and PMT of any sane stream (they repeat at least every 0.5 s).
SEARCH_LIMIT_BYTES = 4 * 1024 * 1024
# An access unit larger than this is dropped (a broken stream, or not video).
MAX_ACCESS_UNIT_BYTES = 16 * 1024 * 1024


def _nal_types(es: bytes, codec: str) -> list[int]:
    """NAL unit types that start in *es* (Annex B start codes)."""
    types = []
    i = es.find(b"\x00\x00\x01")
    while i >= 0 and i + 3 < len(es):
        head = es[i + 3]
        types.append(head & 0x1F if codec == "h264" else (head >> 1) & 0x3F)
        i = es.find(b"\x00\x00\x01", i + 3)
    return types


def _pids(rows: np.ndarray) -> np.ndarray:
    """The packet identifier of each 188-byte row."""
    return ((rows[:, 1].astype(np.int32) & 0x1F) << 8) | rows[:, 2]


def starts_keyframe(es: bytes, codec: str) -> bool:
    types = _nal_types(es, codec)
    if codec == "h264":
        return any(t in (5, 7) for t in types)  # IDR slice, sequence parameter set
    return any(16 <= t <= 21 or t in (32, 33) for t in types)  # IRAP slice, VPS, SPS


class KeyframeExtractor:
    def __init__(self) -> None:
        self.codec: str | None = None
        self.problem: str | None = None
        self._rest = b""
        self._seen = 0
        self._pmt_pid: int | None = None
        self._video_pid: int | None = None
        self._parts: list[bytes] | None = None  # the keyframe being collected
        self._size = 0

    def feed(self, data: bytes) -> list[bytes]:
        if self.problem is not None:
            return []
        buf = self._rest + data if self._rest else data
        found: list[bytes] = []
        pos = 0
        while True:
            start = self._sync(buf, pos)
            if start < 0:
                self._seen += len(buf) - pos
                if self._seen > SEARCH_LIMIT_BYTES:
                    self.problem = "not_ts"
                self._rest = buf[max(pos, len(buf) - 2 * PACKET) :]
                return found
            count = (len(buf) - start) // PACKET
            rows = np.frombuffer(buf, np.uint8, count * PACKET, start).reshape(count, PACKET)
            bad = np.flatnonzero(rows[:, 0] != SYNC)
            if bad.size == 0:
                self._rest = buf[start + count * PACKET :]
                return found + self._packets(rows)
            # Lost sync (a damaged stream): keep what came before, drop the picture it cut, and
            # look for the sync again after it.
            found += self._packets(rows[: int(bad[0])])
            self._parts = None
            pos = start + int(bad[0]) * PACKET + 1

    @staticmethod
    def _sync(buf: bytes, pos: int) -> int:
        """Offset from *pos* of the first sync byte that starts packets in a row (three, or as many
        as *buf* holds), or -1."""
        i = buf.find(b"\x47", pos)
        while i >= 0:
            if all(buf[j] == SYNC for j in range(i, min(len(buf), i + 3 * PACKET), PACKET)):
                return i if len(buf) - i >= PACKET else -1
            i = buf.find(b"\x47", i + 1)
        return -1

    def _packets(self, rows: np.ndarray) -> list[bytes]:
        if self._video_pid is None:
            self._find_video(rows)
            if self._video_pid is None:
                self._seen += rows.size
                if self._seen > SEARCH_LIMIT_BYTES and self.problem is None:
                    self.problem = "no_video"
                return []
            # The same packets may already hold the first keyframe (a server's start-up burst).
        pids = _pids(rows)
        video = np.flatnonzero(pids == self._video_pid)
        if video.size == 0:
            return []
        starts = (rows[video, 1] & 0x40) != 0
        found: list[bytes] = []
        # Runs of packets between picture starts: a run continues the picture before it.
        edges = [0, *np.flatnonzero(starts).tolist(), video.size]
        for a, b in itertools.pairwise(edges):
            if a == b:
                continue
            run = video[a:b]
            if starts[a]:
                if self._parts is not None:
                    found.append(b"".join(self._parts))
                self._begin(rows[run[0]])
                run = run[1:]
            if self._parts is not None:
                for r in run.tolist():
                    self._add(rows[r])
        return found

    def _payload(self, row: np.ndarray) -> bytes:
        control = (int(row[3]) >> 4) & 3
        if control == 1:
            return row[4:].tobytes()
        if control == 3:
            return row[5 + int(row[4]) :].tobytes()
        return b""  # adaptation field only

    def _begin(self, row: np.ndarray) -> None:
        self._parts = None
        payload = self._payload(row)
        if payload[:3] != b"\x00\x00\x01" or len(payload) < 9:
            return
        es = payload[9 + payload[8] :]
        control = (int(row[3]) >> 4) & 3
        random_access = control & 2 and row[4] > 0 and row[5] & 0x40
        assert self.codec is not None
        if random_access or starts_keyframe(es, self.codec):
            self._parts, self._size = [es], len(es)

    def _add(self, row: np.ndarray) -> None:
        assert self._parts is not None
        payload = self._payload(row)
        self._size += len(payload)
        if self._size > MAX_ACCESS_UNIT_BYTES:
            self._parts = None
            return
        self._parts.append(payload)

    def _find_video(self, rows: np.ndarray) -> None:
        pids = _pids(rows)
        for r in np.flatnonzero(pids == 0).tolist():
            if section := self._section(rows[r]):
                self._read_pat(section)
        if self._pmt_pid is None:
            return
        for r in np.flatnonzero(pids == self._pmt_pid).tolist():
            if section := self._section(rows[r]):
                self._read_pmt(section)
                if self._video_pid is not None or self.problem is not None:
                    return

    def _section(self, row: np.ndarray) -> bytes:
        """The section that starts in this packet (a camera's PAT and PMT fit in one packet)."""
        if not row[1] & 0x40:
            return b""
        payload = self._payload(row)
        return payload[1 + payload[0] :] if payload else b""

    def _read_pat(self, section: bytes) -> None:
        if len(section) < 12 or section[0] != 0x00:
            return
        length = ((section[1] & 0x0F) << 8) | section[2]
        body = section[8 : min(len(section), 3 + length - 4)]
        for i in range(0, len(body) - 3, 4):
            program = (body[i] << 8) | body[i + 1]
            if program != 0:  # 0 is the network PID
                self._pmt_pid = ((body[i + 2] & 0x1F) << 8) | body[i + 3]
                return

    def _read_pmt(self, section: bytes) -> None:
        if len(section) < 16 or section[0] != 0x02:
            return
        length = ((section[1] & 0x0F) << 8) | section[2]
        end = min(len(section), 3 + length - 4)
        i = 12 + (((section[10] & 0x0F) << 8) | section[11])
        other_video = False
        while i + 5 <= end:
            stream_type = section[i]
            pid = ((section[i + 1] & 0x1F) << 8) | section[i + 2]
            info = ((section[i + 3] & 0x0F) << 8) | section[i + 4]
            if stream_type in STREAM_TYPES:
                self._video_pid, self.codec = pid, STREAM_TYPES[stream_type]
                return
            other_video = other_video or stream_type in (0x01, 0x02, 0x10, 0x33)
            i += 5 + info
        if other_video:
            self.problem = "codec"
