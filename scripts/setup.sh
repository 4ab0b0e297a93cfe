#!/usr/bin/env bash
# Sets up whatever is missing for SafeCampus on a Debian/Ubuntu machine, and nothing more:
#   - Debian packages (libvlc, Qt's runtime libraries, CJK fonts, Xvfb) when any is missing
#   - a Python interpreter that paints safely with PySide6 (3.12+; 3.11 only with PySide6 < 6.12)
#   - the virtual environment .venv with the project and its dev tools
#   - .venv-core: the same project without PySide6, to prove services/ and hardware/ need no Qt
#   - compiled translations (.qm) from the .ts sources
# Safe to run again: each step is skipped when its result is already there and up to date.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[setup] %s\n' "$*" >&2; }

WANT_CORE_ENV=0
for arg in "$@"; do
  case "$arg" in
    --core) WANT_CORE_ENV=1 ;;
    *) log "unknown option: $arg"; exit 2 ;;
  esac
done

# --- Debian packages -------------------------------------------------------------------------
DEB_PACKAGES=(
  libvlc5 vlc-plugin-base vlc-plugin-video-output
  xvfb xauth x11-utils ffmpeg
  fonts-noto-cjk
  espeak-ng alsa-utils
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libglib2.0-0
  python3-venv
)
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for pkg in "${DEB_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
      log "missing Debian packages: ${missing[*]}"
      log "run as root, or: sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  log "not a Debian/Ubuntu machine: install libvlc, Qt's runtime libraries and CJK fonts yourself"
fi

# --- Python ----------------------------------------------------------------------------------
# Python 3.12+ first: there None is immortal, so PySide6 6.12's reference-count bug in void
# QPainter calls is harmless (on 3.11 it aborts any painting program within seconds). On 3.11
# pyproject.toml pins PySide6 below 6.12.
pick_python() {
  local c
  for c in python3.13 python3.12 \
           "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3 \
           "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3 \
           python3; do
    if command -v "$c" >/dev/null 2>&1 || [ -x "$c" ]; then
      if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        command -v "$c" 2>/dev/null || echo "$c"
        return 0
      fi
    fi
  done
  return 1
}

stamp_of() {
  # What the environment was built from: changing any of these rebuilds it.
  cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1
}

make_env() {
  local dir="$1" extras="$2" stamp
  stamp="$(stamp_of)-$extras"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.setup-stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  local py
  py="$(pick_python)" || { log "no Python 3.11+ with venv found (Debian: apt-get install python3-venv)"; exit 1; }
  if [ ! -x "$dir/bin/python" ]; then
    log "creating $dir with $("$py" --version 2>&1) ($py)"
    "$py" -m venv "$dir"
  fi
  log "installing the project into $dir [$extras]"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  "$dir/bin/python" -m pip install -q --disable-pip-version-check -e ".[$extras]"
  echo "$stamp" > "$dir/.setup-stamp"
}

make_env .venv dev
if [ "$WANT_CORE_ENV" = 1 ]; then
  make_env .venv-core core-test
  if .venv-core/bin/python -c 'import PySide6' 2>/dev/null; then
    log ".venv-core must not contain PySide6"; exit 1
  fi
fi

# --- translations ----------------------------------------------------------------------------
.venv/bin/python -m console.i18n_build >&2

log "ready"
