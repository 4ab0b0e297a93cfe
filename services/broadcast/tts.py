"""Text-to-speech in Mandarin with espeak-ng (Debian package `espeak-ng`, voice "cmn").

espeak-ng writes a 22,050 Hz WAV to stdout; it is converted to the school format like an upload.
Rendering is the slow part, so the library keeps each rendered clip under a key made of the text
and the voice (`tts_key`) and renders a given text only once.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import unicodedata

from services.broadcast.school_format import SchoolClip
from services.broadcast.uploads import UploadRejected, normalise_bytes

log = logging.getLogger(__name__)

DEFAULT_VOICE = "cmn"
EXECUTABLE = "espeak-ng"
MAX_TEXT_CHARS = 1000
TIMEOUT_S = 60.0
INSTALL_HINT = "install it with: apt-get install espeak-ng"


class TtsError(RuntimeError):
    """Speech could not be made; `code` is stable (the console words it), str() explains."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalise_text(text: str) -> str:
    """The text as it is spoken and cached: NFC, inner whitespace runs made one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def tts_key(text: str, voice: str = DEFAULT_VOICE) -> str:
    """The cache key of (text, voice): equal texts after normalisation share one rendering."""
    return hashlib.sha256(f"{voice}\n{normalise_text(text)}".encode()).hexdigest()


def engine_path(executable: str = EXECUTABLE) -> str | None:
    return shutil.which(executable)


def synthesize(text: str, voice: str = DEFAULT_VOICE, *, executable: str = EXECUTABLE) -> SchoolClip:
    """Render *text* with espeak-ng and return it in the school format; TtsError when that fails."""
    spoken = normalise_text(text)
    if not spoken:
        raise TtsError("empty", "there is no text to speak")
    if len(spoken) > MAX_TEXT_CHARS:
        raise TtsError("too_long", f"the text has {len(spoken)} characters; the limit is {MAX_TEXT_CHARS}")
    path = engine_path(executable)
    if path is None:
        log.warning("text-to-speech unavailable: %s is not installed (%s)", executable, INSTALL_HINT)
        raise TtsError("missing_engine", f"the speech engine {executable} is not installed; {INSTALL_HINT}")
    # The text goes on stdin (-b 1: UTF-8), never on the command line: a text starting with "-"
    # must not be read as an option.
    try:
        done = subprocess.run(
            [path, "-v", voice, "-b", "1", "--stdout"],
            input=spoken.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TtsError("failed", f"{executable} did not finish within {TIMEOUT_S:.0f} s") from exc
    except OSError as exc:
        raise TtsError("failed", f"{executable} could not be started: {exc}") from exc
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
        log.warning("%s failed for voice %s: %s", executable, voice, reason)
        raise TtsError("failed", f"{executable} failed: {reason}")
    try:
        clip = normalise_bytes(done.stdout, "speech")
    except UploadRejected as exc:
        raise TtsError("failed", f"{executable} produced unusable audio: {exc}") from exc
    log.info("rendered %d characters of speech (%.1f s, voice %s)", len(spoken), clip.duration_s, voice)
    return clip
