"""What the installed libvlc can play: RTSP needs the live555 module, which Debian's build lacks.

Found by looking for the module in libvlc's plugin folder (the one next to the libvlccore this
process loaded, or VLC_PLUGIN_PATH). No Qt here: worker processes import this too.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

from services.video.url_support import PlayerCapabilities

log = logging.getLogger(__name__)


def _loaded_library_dirs(name: str) -> list[Path]:
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return []
    return sorted({Path(line.split()[-1]).parent for line in maps.splitlines() if name in line})


def plugin_dirs() -> list[Path]:
    import vlc  # noqa: F401  (loads libvlc, so its location shows in /proc/self/maps)

    dirs = [Path(p) for p in os.environ.get("VLC_PLUGIN_PATH", "").split(os.pathsep) if p]
    for lib_dir in _loaded_library_dirs("libvlccore.so"):
        dirs.append(lib_dir / "vlc" / "plugins")
    return [d for d in dirs if d.is_dir()]


@functools.cache
def detect_capabilities() -> PlayerCapabilities:
    """Look once per process; the answer does not change while it runs."""
    dirs = plugin_dirs()
    for folder in dirs:
        found = sorted(folder.rglob("*live555*"))
        if found:
            return PlayerCapabilities(rtsp=True, detail=str(found[0]))
    where = ", ".join(str(d) for d in dirs) or "no libvlc plugin folder found"
    log.info("this libvlc has no RTSP client (no live555 module in %s)", where)
    return PlayerCapabilities(rtsp=False, detail=where)
