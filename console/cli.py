"""Command-line options of the console.

Parsing never exits the process by itself (except for --help): a bad argument becomes a
`UsageError` whose message the caller shows the operator in a dialog and a log line.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("zh_CN", "en")
DATABASE_URL_ENV = "SAFECAMPUS_DATABASE_URL"
PASSWORD_ENV = "SAFECAMPUS_PASSWORD"
NO_DIALOGS_ENV = "SAFECAMPUS_NO_DIALOGS"
DEMO_SCHOOLS = 3700
PAGES = ("map", "wall", "agents", "operators", "audit", "incidents", "broadcast")
HUB_ENDPOINT = re.compile(r"^tcp://[^\s:/]+:\d{1,5}$")


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
    hub_endpoint: str | None  # None: run the hub embedded in this console
    hub_public_key: Path | None
    console_key: Path | None  # None: <data folder>/keys/console.key
    no_fleet: bool
    no_streams: bool
    operator: str  # the workstation user, named in the hello (requests name the logged-in operator)
    login_user: str | None  # log this operator in at start with the password in SAFECAMPUS_PASSWORD
    screenshot_delay: float
    start_page: str | None


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
    network = parser.add_argument_group("school network")
    network.add_argument(
        "--hub",
        metavar="tcp://HOST:PORT",
        help="use the shared hub whose console socket is here (default: run a hub inside this console)",
    )
    network.add_argument(
        "--hub-public-key", type=Path, metavar="FILE", help="the shared hub's public key file (hub.pub)"
    )
    network.add_argument(
        "--console-key",
        type=Path,
        metavar="FILE",
        help="this console's secret key file, made on first use "
        "(default: keys/console.key in the data folder; its public key must be allowed on the hub)",
    )
    network.add_argument(
        "--no-fleet", action="store_true", help="with --demo: do not start the simulated school agents"
    )
    parser.add_argument(
        "--no-streams",
        action="store_true",
        help="with --demo: do not start the simulated camera streams",
    )
    network.add_argument(
        "--operator",
        metavar="NAME",
        help="the workstation user named when the console connects (default: the login name)",
    )
    network.add_argument(
        "--user",
        metavar="NAME",
        help=f"log this operator in at start, with the password from {PASSWORD_ENV} "
        "(for unattended screens); without it the console asks",
    )
    parser.add_argument(
        "--screenshot-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="with --screenshot: wait this long after the window is interactive",
    )
    parser.add_argument("--page", choices=PAGES, help="the page shown first (default: the city map)")
    return parser



def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def _hub_options(ns: argparse.Namespace) -> tuple[str | None, Path | None]:
    if ns.hub is None:
        if ns.hub_public_key is not None:
            raise UsageError("--hub-public-key needs --hub")
        return None, None
    endpoint = ns.hub.strip()
    if not HUB_ENDPOINT.match(endpoint):
        raise UsageError(f"--hub must look like tcp://HOST:PORT, not {ns.hub!r}")
    if ns.hub_public_key is None:
        raise UsageError("--hub needs --hub-public-key FILE (the hub's hub.pub)")
    return endpoint, ns.hub_public_key.expanduser().resolve()


def parse_options(argv: list[str], environ: dict[str, str] | None = None) -> Options:
    """Parse *argv* (without the program name); raise UsageError for anything unusable."""
    env = dict(os.environ) if environ is None else environ
    ns = build_parser().parse_args(argv)
    if ns.demo_schools < 1:
        raise UsageError(f"--demo-schools must be at least 1, not {ns.demo_schools}")
    if ns.screenshot_delay < 0:
        raise UsageError(f"--screenshot-delay must not be negative, not {ns.screenshot_delay}")
    operator = (ns.operator if ns.operator is not None else login_name()).strip()
    if not operator or len(operator) > 64:
        raise UsageError("--operator must be 1 to 64 characters")
    hub_endpoint, hub_public_key = _hub_options(ns)
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
        hub_endpoint=hub_endpoint,
        hub_public_key=hub_public_key,
        console_key=ns.console_key.expanduser().resolve() if ns.console_key else None,
        no_fleet=ns.no_fleet,
        no_streams=ns.no_streams,
        operator=operator,
        login_user=ns.user.strip() if ns.user else None,
        screenshot_delay=ns.screenshot_delay,
        start_page=ns.page,
    )
