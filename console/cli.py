"""Command-line options of the console.

Parsing never exits the process by itself (except for --help): a bad argument becomes a
`UsageError` whose message the caller shows the operator in a dialog and a log line.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("zh_CN", "en")
DATABASE_URL_ENV = "SAFECAMPUS_DATABASE_URL"
NO_DIALOGS_ENV = "SAFECAMPUS_NO_DIALOGS"
DEMO_SCHOOLS = 3700


class UsageError(ValueError):
    """The command line cannot be used; the message says which argument and why."""


@dataclass(frozen=True, slots=True)
class Options:
    database_url: str | None  # None: the default SQLite file in the data folder
    language: str | None  # None: the language remembered in the settings (zh_CN at first)
    demo: bool
    demo_schools: int
    data_dir: Path | None
    reset_layout: bool
    exit_after_interactive: bool
    startup_report: bool
    screenshot: Path | None
    no_dialogs: bool
    map_data: Path | None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse would print usage and exit(2); the console shows the message itself.
        raise UsageError(f"{message}\n\n{self.format_usage().strip()}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="safecampus",
        description="SafeCampus (平安校园指挥中心): the campus-safety command console.",
        epilog=(
            f"Environment: {DATABASE_URL_ENV} sets the database URL when --database is not given; "
            "SAFECAMPUS_SETTINGS_DIR moves the settings file; "
            f"{NO_DIALOGS_ENV}=1 reports start-up errors on stderr only (no modal dialog)."
        ),
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help=(
            "SQLAlchemy database URL, e.g. sqlite:////path/safecampus.db or "
            "postgresql+psycopg://user:password@host/safecampus "
            f"(default: ${DATABASE_URL_ENV}, else SQLite in the data folder)"
        ),
    )
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        help="user-interface language (default: the one chosen last in the View menu, at first zh_CN)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"fill an empty database with the demo city of Qingdao ({DEMO_SCHOOLS:,} generated schools, "
        "clearly marked as demo data)",
    )
    parser.add_argument("--demo-schools", type=int, default=DEMO_SCHOOLS, metavar="N", help=argparse.SUPPRESS)
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="folder for the default database, the log file and the settings "
        "(default: the user's data folder)",
    )
    parser.add_argument(
        "--reset-layout", action="store_true", help="forget the saved window size, position and layout"
    )
    parser.add_argument(
        "--map-data",
        type=Path,
        metavar="FILE",
        help="district boundaries GeoJSON (default: the bundled Qingdao map)",
    )
    parser.add_argument(
        "--exit-after-interactive",
        action="store_true",
        help="quit as soon as the map is populated and the window responds (for benchmarks)",
    )
    parser.add_argument(
        "--startup-report",
        action="store_true",
        help="print one line 'SAFECAMPUS_INTERACTIVE {json}' with start-up timings on stdout",
    )
    parser.add_argument(
        "--screenshot", type=Path, metavar="FILE", help="save a PNG of the main window once it is interactive"
    )
    parser.add_argument(
        "--no-dialogs",
        action="store_true",
        help="report start-up errors on stderr and in the log only (no modal dialog)",
    )
    return parser


def parse_options(argv: list[str], environ: dict[str, str] | None = None) -> Options:
    """Parse *argv* (without the program name); raise UsageError for anything unusable."""
    env = dict(os.environ) if environ is None else environ
    ns = build_parser().parse_args(argv)
    if ns.demo_schools < 1:
        raise UsageError(f"--demo-schools must be at least 1, not {ns.demo_schools}")
    url = ns.database or env.get(DATABASE_URL_ENV) or None
    if url is not None and not url.strip():
        raise UsageError("--database must not be empty")
    return Options(
        database_url=url.strip() if url else None,
        language=ns.language,
        demo=ns.demo,
        demo_schools=ns.demo_schools,
        data_dir=ns.data_dir.expanduser().resolve() if ns.data_dir else None,
        reset_layout=ns.reset_layout,
        exit_after_interactive=ns.exit_after_interactive,
        startup_report=ns.startup_report,
        screenshot=ns.screenshot.expanduser().resolve() if ns.screenshot else None,
        no_dialogs=ns.no_dialogs or env.get(NO_DIALOGS_ENV, "") not in ("", "0"),
        map_data=ns.map_data.expanduser().resolve() if ns.map_data else None,
    )
