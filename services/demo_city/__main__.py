"""Seed a database with the demo city: python -m services.demo_city --database URL."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from services.db.engine import DatabaseError, open_database
from services.demo_city.profile import REFERENCE_SCHOOLS
from services.demo_city.seeding import DEFAULT_SEED, DEFAULT_STREAM_URL_TEMPLATE, seed_demo_city
from services.geo.districts import MapDataError

log = logging.getLogger("services.demo_city")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.demo_city",
        description="Fill an empty SafeCampus database with the generated demo city (does nothing "
        "when the database already has schools).",
    )
    parser.add_argument(
        "--database", required=True, help="e.g. sqlite:///city.db or postgresql+psycopg://..."
    )
    parser.add_argument("--schools", type=int, default=REFERENCE_SCHOOLS, help="default %(default)s")
    parser.add_argument("--cameras", type=int, default=None, help="default: 11 per school")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default %(default)s")
    parser.add_argument("--stream-url-template", default=DEFAULT_STREAM_URL_TEMPLATE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    def show_progress(done: int, total: int) -> None:
        print(f"\r{done:,}/{total:,} rows", end="", file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        engine = open_database(args.database)
    except DatabaseError as exc:
        log.error("%s", exc)
        return 2
    try:
        summary = seed_demo_city(
            engine,
            schools=args.schools,
            cameras=args.cameras,
            seed=args.seed,
            stream_url_template=args.stream_url_template,
            progress=show_progress,
        )
    except (ValueError, MapDataError) as exc:
        print(file=sys.stderr)
        log.error("%s", exc)
        return 2
    finally:
        engine.dispose()
    print(file=sys.stderr)
    print(f"{summary.describe()} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
