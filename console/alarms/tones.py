"""The alarm tones, generated as small WAV files: one distinct pattern per sound name.

Generated rather than shipped so every workstation has the same tones without binary files in the
repository, and each pattern is easy to tell apart by ear (a control room hears them before it
looks): fire is a fast high-low siren, the one-key alarm rapid high beeps, intrusion a rising
sweep, camera tampering three short low sweeps, a lost camera a soft low double tone, a missed
patrol one chime, a manual alarm three beeps. No Qt here: plain numpy and the wave module, safe
to run on any thread.
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 22_050
VOLUME = 0.45  # of full scale: loud enough to be heard, not a shock in a quiet room
Samples = npt.NDArray[np.float64]


def _tone(freq: float, seconds: float) -> Samples:
    t = np.arange(int(RATE * seconds)) / RATE
    return np.sin(2 * np.pi * freq * t)


def _sweep(f0: float, f1: float, seconds: float) -> Samples:
    t = np.arange(int(RATE * seconds)) / RATE
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t * t / (2 * seconds))
    return np.sin(phase)


def _silence(seconds: float) -> Samples:
    return np.zeros(int(RATE * seconds))


def _envelope(samples: Samples, fade_s: float = 0.008) -> Samples:
    """Short fades at both ends: no clicks when a beep starts or stops."""
    n = min(len(samples) // 2, int(RATE * fade_s))
    if n:
        ramp = np.linspace(0.0, 1.0, n)
        samples = samples.copy()
        samples[:n] *= ramp
        samples[-n:] *= ramp[::-1]
    return samples


def _beeps(freq: float, count: int, on_s: float, off_s: float) -> Samples:
    parts: list[Samples] = []
    for _ in range(count):
        parts.append(_envelope(_tone(freq, on_s)))
        parts.append(_silence(off_s))
    return np.concatenate(parts)


def fire() -> Samples:
    return np.concatenate([_envelope(_tone(f, 0.18)) for f in (960, 640) * 4])


def one_key() -> Samples:
    return _beeps(1250, 6, 0.09, 0.06)


def intrusion() -> Samples:
    return np.concatenate([_envelope(_sweep(600, 1300, 0.45)), _silence(0.08)] * 2)


def camera_tamper() -> Samples:
    return np.concatenate([_envelope(_sweep(420, 700, 0.2)), _silence(0.05)] * 3) * 0.8


def camera_loss() -> Samples:
    return np.concatenate([_envelope(_tone(520, 0.22)), _silence(0.06), _envelope(_tone(415, 0.3))]) * 0.7


def patrol() -> Samples:
    t = np.arange(int(RATE * 0.9)) / RATE
    return (np.sin(2 * np.pi * 880 * t) + 0.3 * np.sin(2 * np.pi * 1760 * t)) * np.exp(-t * 4.5) / 1.3


def manual() -> Samples:
    return _beeps(760, 3, 0.16, 0.1)


PATTERNS: dict[str, Callable[[], Samples]] = {
    "fire": fire,
    "one_key": one_key,
    "intrusion": intrusion,
    "camera_tamper": camera_tamper,
    "camera_loss": camera_loss,
    "patrol": patrol,
    "manual": manual,
}
DEFAULT_SOUND = "manual"
ALIASES = {"patrol_missed": "patrol", "camera": "camera_tamper", "unknown": "manual"}


def tone_name(sound: str) -> str:
    """The tone for a catalogue sound name ("alarm-camera-loss" -> "camera_loss"; unknown: default)."""
    name = sound.removeprefix("alarm-").replace("-", "_")
    name = ALIASES.get(name, name)
    return name if name in PATTERNS else DEFAULT_SOUND


def write_wav(path: Path, samples: Samples) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * VOLUME * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with wave.open(str(temporary), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    temporary.replace(path)  # never a half-written tone if two consoles share the folder


def ensure_tones(folder: Path) -> dict[str, Path]:
    """Every tone as folder/<name>.wav, generated when missing; name -> path."""
    paths = {}
    for name, pattern in PATTERNS.items():
        path = folder / f"{name}.wav"
        if not path.exists():
            write_wav(path, pattern())
        paths[name] = path
    return paths
