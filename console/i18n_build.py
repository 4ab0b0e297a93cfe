"""Compile the Qt translation sources (resources/translations/*.ts) into .qm files.

Run by scripts/setup.sh; the console loads the .qm files at start. A .qm is rebuilt only when its
.ts is newer, so repeated setups cost nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"


def lrelease_command() -> list[str]:
    """Find Qt's lrelease as shipped in the PySide6 wheel."""
    exe = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    if exe is None:
        exe = shutil.which("pyside6-lrelease")
    if exe is None:
        raise RuntimeError("pyside6-lrelease not found: is PySide6 installed in this environment?")
    return [exe]


def build(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every stale .ts in *directory*; return the .qm files written."""
    written: list[Path] = []
    for ts in sorted(directory.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        subprocess.run([*lrelease_command(), "-silent", str(ts), "-qm", str(qm)], check=True)
        written.append(qm)
    return written


def main() -> int:
    for qm in build():
        print(f"[setup] compiled {qm.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
