"""Start the SafeCampus console: `python main.py --help` lists the options."""

import time

_STARTED_AT = time.monotonic()  # before the heavy imports, for the start-up report

if __name__ == "__main__":
    from console.app import main

    raise SystemExit(main(started_at=_STARTED_AT))
