"""The clips a school can play, named by the sha256 hex of their WAV bytes (content-addressed).

Bundled clips (alert tones, the drill announcement) ship with the software in resources/audio/ and
are found there by hash, never copied. Operator clips arrive from the hub in `clip_put` chunks
(at most 48 KiB each); the last chunk triggers the sha256 and format check, and only a clip that
passes is kept. A store without a folder keeps clips in memory (the fleet simulator's agents).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from hardware.broadcast.audio import ClipFormatError, pcm_from_wav

log = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "audio"
CATALOG_NAME = "catalog.json"
DRILL_ANNOUNCEMENT_ID = "drill_announcement"
MAX_CHUNK_BYTES = 48 * 1024
MAX_CLIP_BYTES = 8 * 1024 * 1024  # over 4 minutes of school-format audio
MAX_PARTIAL_UPLOADS = 8  # unfinished uploads kept at once; the oldest is dropped beyond this
_SHA = re.compile(r"[0-9a-f]{64}")


class ClipError(Exception):
    """A clip request that cannot be honoured; the message is the reason the operator reads."""


@dataclass(frozen=True, slots=True)
class BundledClip:
    clip_id: str
    kind: str
    path: Path


def is_clip_name(value: object) -> bool:
    return isinstance(value, str) and _SHA.fullmatch(value) is not None


@functools.cache
def bundled_clips(folder: Path = BUNDLED_DIR) -> dict[str, BundledClip]:
    """The bundled clips by sha256, hashed once per process (thousands of fleet agents share it).

    The WAV bytes are the truth; the catalog gives ids and kinds. A catalog entry whose hash does
    not match its file is logged and the file's real hash is used, so a stale catalog never makes a
    clip unplayable.
    """
    catalog_path = folder / CATALOG_NAME
    try:
        entries = json.loads(catalog_path.read_text(encoding="utf-8"))["clips"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.error("bundled clip catalog %s unreadable (%s): bundled clips unavailable", catalog_path, exc)
        return {}
    clips: dict[str, BundledClip] = {}
    for entry in entries:
        path = folder / str(entry.get("file", ""))
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            log.error("bundled clip %s unreadable: %s", path, exc)
            continue
        if digest != entry.get("sha256"):
            log.error("bundled clip %s: catalog sha256 is stale, using the file's own hash", path.name)
        clips[digest] = BundledClip(str(entry.get("id", path.stem)), str(entry.get("kind", "")), path)
    return clips


_PCM_CACHE_SIZE = 64
_pcm_cache_lock = threading.Lock()
_pcm_cache: dict[tuple[Path, str], bytes] = {}  # decoded clips by (path, hash): content never changes


def _pcm_of_file(path: Path, sha: str) -> bytes:
    """Decoded samples of a clip file (run in a worker thread: it waits on the disk)."""
    pcm = pcm_from_wav(path.read_bytes())
    with _pcm_cache_lock:  # worker threads of several event loops may fill it at once
        while len(_pcm_cache) >= _PCM_CACHE_SIZE:
            _pcm_cache.pop(next(iter(_pcm_cache)))
        _pcm_cache[(path, sha)] = pcm
    return pcm


@functools.cache
def _bundled_ids(folder: Path) -> dict[str, str]:
    """The bundled clips' sha256 by clip id (the first of a duplicated id wins, as before)."""
    ids: dict[str, str] = {}
    for sha, clip in bundled_clips(folder).items():
        ids.setdefault(clip.clip_id, sha)
    return ids


@dataclass(slots=True)
class _Upload:
    total: int
    chunks: dict[int, bytes] = field(default_factory=dict)

    def received(self) -> int:
        return min(self.total, sum(len(c) for c in self.chunks.values()))

    def assembled(self) -> bytes | None:
        """The whole clip once the chunks cover it contiguously from 0, else None."""
        out = bytearray()
        for offset in sorted(self.chunks):
            chunk = self.chunks[offset]
            if offset > len(out):
                return None  # a gap: a chunk has not arrived yet
            if offset + len(chunk) > len(out):
                out += chunk[len(out) - offset :]
        return bytes(out) if len(out) == self.total else None


class ClipStore:
    """One school's clips: the bundled ones plus those received from the hub."""

    def __init__(self, folder: Path | None = None, bundled_dir: Path = BUNDLED_DIR) -> None:
        self.folder = folder
        self._bundled = bundled_clips(bundled_dir)
        self._bundled_dir = bundled_dir
        self._memory: dict[str, bytes] = {}  # received clips' PCM when there is no folder
        self._uploads: dict[str, _Upload] = {}

    # --- what is here ---------------------------------------------------------------------

    def have(self) -> list[str]:
        names = set(self._bundled) | set(self._memory)
        if self.folder is not None and self.folder.is_dir():
            names.update(p.stem for p in self.folder.glob("*.wav") if is_clip_name(p.stem))
        return sorted(names)

    def has(self, sha: str) -> bool:
        return sha in self._bundled or sha in self._memory or self._file(sha) is not None

    def kind(self, sha: str) -> str:
        """The catalog kind of a bundled clip ("alert", "drill", ...); "" for received clips."""
        bundled = self._bundled.get(sha)
        return bundled.kind if bundled is not None else ""

    def bundled_by_id(self, clip_id: str) -> str | None:
        return _bundled_ids(self._bundled_dir).get(clip_id)

    async def pcm(self, sha: str) -> bytes:
        """The samples of a clip; raises ClipError when the school does not have it."""
        if sha in self._memory:
            return self._memory[sha]
        bundled = self._bundled.get(sha)
        path = bundled.path if bundled is not None else self._file(sha)
        if path is None:
            raise ClipError(f"clip {sha[:12]} missing at the school")
        cached = _pcm_cache.get((path, sha))
        if cached is not None:
            # Thousands of simulated schools in one process start the same clip at once: a
            # decoded clip is handed over without a trip through the thread pool for each.
            return cached
        try:
            # Reading a clip waits on the disk the first time; the cache makes repeats free.
            return await asyncio.to_thread(_pcm_of_file, path, sha)
        except (OSError, ClipFormatError) as exc:
            raise ClipError(f"clip {sha[:12]} unreadable at the school: {exc}") from None

    def _file(self, sha: str) -> Path | None:
        if self.folder is None:
            return None
        path = self.folder / f"{sha}.wav"
        return path if path.is_file() else None

    # --- receiving ------------------------------------------------------------------------

    def put_chunk(self, sha: str, offset: int, total: int, data: bytes) -> tuple[int, bool]:
        """Store one chunk; returns (bytes received so far, complete). Raises ClipError."""
        if not is_clip_name(sha):
            raise ClipError("'clip' must be the sha256 of the WAV bytes: 64 lowercase hex digits")
        if self.has(sha):
            return total, True
        if not 0 < total <= MAX_CLIP_BYTES:
            raise ClipError(f"'total' must be 1..{MAX_CLIP_BYTES} bytes, not {total}")
        if len(data) > MAX_CHUNK_BYTES:
            raise ClipError(f"chunk of {len(data)} bytes exceeds {MAX_CHUNK_BYTES}")
        if offset < 0 or offset + len(data) > total or not data:
            raise ClipError(f"chunk at {offset} of {len(data)} bytes does not fit a clip of {total}")
        upload = self._uploads.get(sha)
        if upload is None or upload.total != total:
            upload = self._uploads[sha] = _Upload(total)
            while len(self._uploads) > MAX_PARTIAL_UPLOADS:
                dropped = next(iter(self._uploads))
                del self._uploads[dropped]
                log.info("unfinished upload of clip %s dropped: too many at once", dropped[:12])
        upload.chunks[offset] = data
        whole = upload.assembled()
        if whole is None:
            return upload.received(), False
        del self._uploads[sha]
        digest = hashlib.sha256(whole).hexdigest()
        if digest != sha:
            log.warning("clip upload %s refused: the bytes hash to %s", sha[:12], digest[:12])
            raise ClipError(f"sha256 mismatch: the received bytes hash to {digest}, not {sha}")
        try:
            pcm = pcm_from_wav(whole)
        except ClipFormatError as exc:
            log.warning("clip upload %s refused: %s", sha[:12], exc)
            raise ClipError(f"clip refused: {exc}") from None
        self._keep(sha, whole, pcm)
        return total, True

    def _keep(self, sha: str, wav: bytes, pcm: bytes) -> None:
        if self.folder is None:
            self._memory[sha] = pcm
            return
        # Written under a temporary name and renamed, so a crash never leaves half a clip that
        # `have` would report. Small (a few hundred KB) and once per clip: done in place.
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f"{sha}.part"
        partial.write_bytes(wav)
        partial.replace(self.folder / f"{sha}.wav")
