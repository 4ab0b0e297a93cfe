#!/usr/bin/env bash
# Sets up whatever is missing, then starts the SafeCampus console on the embedded default
# (SQLite in the user's data folder, embedded hub, simulated demo city). With no display it runs
# under Xvfb, so the same command works on a server and on an operator's workstation.
# Arguments go to the console (see: scripts/console.sh --help).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
  echo "[console] no display: starting under Xvfb (screen 1920x1080)" >&2
  exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python main.py --demo "$@"
fi
exec .venv/bin/python main.py --demo "$@"
