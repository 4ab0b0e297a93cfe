"""Generate the bundled school clips in resources/audio/ and their catalog, deterministically.

    python scripts/make_audio.py            # (re)write resources/audio/*.wav and catalog.json
    python scripts/make_audio.py --check    # exit 1 if the committed files differ from a fresh run

Every clip is in the school format (WAV, PCM s16le, mono, 16,000 Hz) and is named at the school by
the sha256 of its bytes, so the same bytes must come out of every run: tones are computed with
plain integer-rounded arithmetic, and the spoken drill announcement comes from espeak-ng's
Mandarin voice (`apt-get install espeak-ng`) resampled here in pure Python. Without espeak-ng the
announcement is a distinct tone pattern instead, and the script says so. The committed files are
the reference: a different espeak-ng version may speak slightly differently, so regenerate only
when changing a clip on purpose (every agent then needs the new software).

Each alert type sounds different (vocabulary after the Hold / Secure / Lockdown / Evacuate idea):
emergency (hi-lo two-tone), fire (the temporal-3 evacuation pattern), intrusion/lockdown (fast
pulses), earthquake (falling sweeps), drill (three rising chimes), all clear (one steady tone),
routine (a two-note chime).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

RATE = 16_000
AMPLITUDE = 0.5  # of full scale: loud on a PA, never clipping
OUT_DIR = Path(__file__).resolve().parent.parent / "resources" / "audio"
DRILL_TEXT = "注意，现在进行的是演练。"

Samples = list[float]


def silence(seconds: float) -> Samples:
    return [0.0] * round(seconds * RATE)


def tone(
    freq: float, seconds: float, *, harmonics: tuple[float, ...] = (1.0,), fade: float = 0.01
) -> Samples:
    """A tone with the given harmonic weights and short fades (no clicks)."""
    n = round(seconds * RATE)
    total = sum(harmonics)
    fade_n = max(1, round(fade * RATE))
    out = []
    for i in range(n):
        t = i / RATE
        v = sum(w * math.sin(2 * math.pi * freq * (h + 1) * t) for h, w in enumerate(harmonics)) / total
        edge = min(1.0, i / fade_n, (n - 1 - i) / fade_n)
        out.append(v * edge)
    return out


def bell(freq: float, seconds: float) -> Samples:
    """A struck chime: a few partials decaying exponentially."""
    n = round(seconds * RATE)
    out = []
    for i in range(n):
        t = i / RATE
        v = (
            math.sin(2 * math.pi * freq * t)
            + 0.5 * math.sin(2 * math.pi * freq * 2 * t) * math.exp(-t * 2)
            + 0.25 * math.sin(2 * math.pi * freq * 3 * t) * math.exp(-t * 4)
        ) / 1.75
        attack = min(1.0, i / (0.005 * RATE))
        out.append(v * attack * math.exp(-t * 2.5))
    return out


def sweep(f0: float, f1: float, seconds: float) -> Samples:
    n = round(seconds * RATE)
    out, phase = [], 0.0
    fade_n = round(0.01 * RATE)
    for i in range(n):
        freq = f0 + (f1 - f0) * i / n
        phase += 2 * math.pi * freq / RATE
        edge = min(1.0, i / fade_n, (n - 1 - i) / fade_n)
        out.append(math.sin(phase) * edge)
    return out


def emergency() -> Samples:
    out: Samples = []
    for _ in range(4):
        out += tone(960, 0.5, harmonics=(1.0, 0.3)) + tone(770, 0.5, harmonics=(1.0, 0.3))
    return out


def fire() -> Samples:
    out: Samples = []
    for _ in range(3):  # NFPA 72 temporal-3: three 0.5 s blasts, then a long pause
        out += tone(880, 0.5, harmonics=(1.0, 0.5, 0.25)) + silence(0.5)
    return out + silence(0.5)


def lockdown() -> Samples:
    out: Samples = []
    for _ in range(15):
        out += tone(1400, 0.1, harmonics=(1.0, 0.2), fade=0.005) + silence(0.1)
    return out


def earthquake() -> Samples:
    out: Samples = []
    for _ in range(4):
        out += sweep(1200, 500, 0.8) + silence(0.2)
    return out


def drill_tone() -> Samples:
    out: Samples = []
    for _ in range(2):
        for freq in (523.25, 659.25, 783.99):
            out += bell(freq, 0.4)
        out += silence(0.3)
    return out


def all_clear() -> Samples:
    return tone(700, 3.0, harmonics=(1.0, 0.2), fade=0.2)


def chime() -> Samples:
    return bell(659.25, 0.7) + bell(523.25, 1.3)


def drill_announcement_fallback() -> Samples:
    """Without a speech engine: a pattern no alert uses (slow low-high-low triplets, twice)."""
    out: Samples = []
    for _ in range(2):
        for freq in (440, 880, 440):
            out += tone(freq, 0.25, harmonics=(1.0, 0.4)) + silence(0.05)
        out += silence(0.5)
    return out


def spoken(text: str) -> tuple[Samples, str] | None:
    """*text* spoken by espeak-ng's Mandarin voice at 16 kHz, or None without espeak-ng."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run([exe, "-v", "cmn", "-s", "160", "-w", str(path), text], check=True)
        with wave.open(str(path), "rb") as reader:
            rate = reader.getframerate()
            raw = reader.readframes(reader.getnframes())
            assert reader.getsampwidth() == 2 and reader.getnchannels() == 1
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    samples = [int.from_bytes(raw[i : i + 2], "little", signed=True) / 32768 for i in range(0, len(raw), 2)]
    peak = max(1e-9, max(abs(s) for s in samples))
    samples = [s / peak for s in samples]  # normalised; the common AMPLITUDE is applied later
    # espeak-ng pads with silence: trim it to 50 ms each side so the prefix delays the message little.
    loud = [i for i, s in enumerate(samples) if abs(s) > 0.01]
    margin = rate // 20
    samples = samples[max(0, loud[0] - margin) : loud[-1] + margin] if loud else samples
    return resample(samples, rate, RATE), version


def resample(samples: Samples, src: int, dst: int, taps: int = 16) -> Samples:
    """Windowed-sinc resampling (Hann window, cut-off at the lower Nyquist): plain, deterministic."""
    if src == dst:
        return samples
    cutoff = min(1.0, dst / src)
    step = src / dst
    out = []
    for n in range(math.floor(len(samples) / step)):
        centre = n * step
        first = math.floor(centre) - taps + 1
        acc = 0.0
        for k in range(first, first + 2 * taps):
            if 0 <= k < len(samples):
                d = centre - k
                x = math.pi * cutoff * d
                sinc = 1.0 if x == 0 else math.sin(x) / x
                window = 0.5 + 0.5 * math.cos(math.pi * d / taps) if abs(d) < taps else 0.0
                acc += samples[k] * cutoff * sinc * window
        out.append(acc)
    return out


def wav_bytes(samples: Samples) -> bytes:
    pcm = bytearray()
    for s in samples:
        value = max(-32768, min(32767, round(s * AMPLITUDE * 32767)))
        pcm += value.to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(bytes(pcm))
    return buffer.getvalue()


# id (the file is <id>.wav), kind, alert type, zh_CN name, en name, generator
CLIPS: list[tuple[str, str, str, str, str, Callable[[], Samples]]] = [
    ("alert_emergency", "alert", "emergency", "紧急警报", "Emergency alert", emergency),
    ("alert_fire", "alert", "fire", "火警疏散警报", "Fire evacuation alarm", fire),
    ("alert_lockdown", "alert", "intrusion", "入侵封闭警报", "Intrusion lockdown alarm", lockdown),
    ("alert_earthquake", "alert", "earthquake", "地震警报", "Earthquake alarm", earthquake),
    ("alert_drill", "drill", "drill", "演练提示音", "Drill tone", drill_tone),
    ("all_clear", "all_clear", "", "警报解除", "All clear", all_clear),
    ("chime_routine", "routine", "", "日常提示音", "Routine chime", chime),
]


def build() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    entries = []
    for clip_id, kind, alert_type, zh, en, make in CLIPS:
        name = f"{clip_id}.wav"
        data = wav_bytes(make())
        files[name] = data
        entries.append(_entry(clip_id, name, kind, alert_type, zh, en, data))
    speech = spoken(DRILL_TEXT)
    if speech is None:
        print("espeak-ng not installed: the drill announcement is a tone pattern", file=sys.stderr)
        announcement, source = wav_bytes(drill_announcement_fallback()), "tone pattern (no espeak-ng)"
    else:
        announcement, source = wav_bytes(speech[0]), f"espeak-ng cmn: {speech[1]}"
    files["drill_announcement.wav"] = announcement
    entry = _entry(
        "drill_announcement", "drill_announcement.wav", "drill_announcement", "drill",
        "演练播报：现在进行的是演练", "Drill announcement: this is a drill", announcement,
    )
    entry["text"] = DRILL_TEXT
    entry["source"] = source
    entries.append(entry)
    catalog = {
        "version": 1,
        "format": {"container": "wav", "encoding": "pcm_s16le", "channels": 1, "sample_rate": RATE},
        "generated_by": "scripts/make_audio.py",
        "clips": entries,
    }
    files["catalog.json"] = (json.dumps(catalog, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def _entry(
    clip_id: str, name: str, kind: str, alert_type: str, zh: str, en: str, data: bytes
) -> dict[str, object]:
    frames = (len(data) - 44) // 2
    return {
        "id": clip_id,
        "file": name,
        "kind": kind,
        "alert_type": alert_type,
        "name": {"zh_CN": zh, "en": en},
        "sha256": hashlib.sha256(data).hexdigest(),
        "duration_s": round(frames / RATE, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    options = parser.parse_args()
    files = build()
    if options.check:
        differ = [n for n, data in files.items() if not (options.out / n).is_file()
                  or (options.out / n).read_bytes() != data]
        for name in differ:
            print(f"differs: {name}", file=sys.stderr)
        return 1 if differ else 0
    options.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (options.out / name).write_bytes(data)
    print(f"wrote {len(files)} files to {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
