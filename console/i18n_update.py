"""Bring resources/translations/safecampus_zh_CN.ts up to date with the sources.

    python -m console.i18n_update [--tsv-dir DIR] [--check]

1. pyside6-lupdate scans console/ and widgets/ (and main.py) into the .ts file, keeping the
   translations already there and dropping strings that left the sources;
2. every entry still without a translation is filled from the TSV files in --tsv-dir
   (context<TAB>English source<TAB>zh_CN; \\n, \\t and \\\\ escapes), where developers write the
   translations of the strings they add;
3. the entries still unfinished are listed, and the exit code is 1 when there are any.

--check only reports (lupdate into a temporary copy), for CI and tests.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS_FILE = ROOT / "resources" / "translations" / "safecampus_zh_CN.ts"
SOURCE_DIRS = ("console", "widgets")
DEFAULT_TSV_DIR = Path("/tmp/safecampus-tr")
TS_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'


@dataclass(frozen=True, slots=True)
class Entry:
    context: str
    source: str
    translation: str
    finished: bool


def lupdate_command() -> list[str]:
    exe = shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent)) or shutil.which(
        "pyside6-lupdate"
    )
    if exe is None:
        raise RuntimeError("pyside6-lupdate not found: is PySide6 installed in this environment?")
    return [exe]


def source_files(root: Path = ROOT) -> list[Path]:
    files = [p for d in SOURCE_DIRS for p in sorted((root / d).rglob("*.py")) if "__pycache__" not in p.parts]
    main = root / "main.py"
    return [*files, main] if main.exists() else files


def run_lupdate(ts_file: Path, root: Path = ROOT) -> None:
    """Scan the sources into *ts_file* (created when missing; existing translations are kept)."""
    files = [str(p.relative_to(root)) for p in source_files(root)]
    subprocess.run(
        [
            *lupdate_command(),
            "-silent",
            "-no-obsolete",
            "-locations",
            "none",
            "-target-language",
            "zh_CN",
            *files,
            "-ts",
            str(ts_file),
        ],
        check=True,
        cwd=root,
    )


def unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def read_tsv(paths: Iterable[Path]) -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                print(f"{path}:{number}: expected 3 tab-separated columns, got {len(parts)}", file=sys.stderr)
                continue
            context, source, zh = (unescape(p) for p in parts)
            table[(context, source)] = zh
    return table


def _message_text(message: ET.Element) -> tuple[str, str, bool]:
    source = message.findtext("source") or ""
    translation = message.find("translation")
    if translation is None:
        return source, "", False
    forms = translation.findall("numerusform")
    text = forms[0].text or "" if forms else translation.text or ""
    finished = translation.get("type") not in ("unfinished", "vanished", "obsolete") and bool(text)
    return source, text, finished


def read_ts(ts_file: Path) -> list[Entry]:
    root = ET.parse(ts_file).getroot()
    entries: list[Entry] = []
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source, text, finished = _message_text(message)
            entries.append(Entry(name, source, text, finished))
    return entries


def fill_ts(ts_file: Path, table: dict[tuple[str, str], str]) -> int:
    """Fill unfinished entries of *ts_file* from *table*; return how many were filled."""
    tree = ET.parse(ts_file)
    filled = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source, _text, finished = _message_text(message)
            zh = table.get((name, source))
            if finished or not zh:
                continue
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            translation.attrib.pop("type", None)
            if message.get("numerus") == "yes":
                for child in list(translation):
                    translation.remove(child)
                translation.text = None
                ET.SubElement(translation, "numerusform").text = zh
            else:
                translation.text = zh
            filled += 1
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts_file.write_text(TS_HEADER + body + "\n", encoding="utf-8")
    return filled


def missing_entries(ts_file: Path) -> list[Entry]:
    return [e for e in read_ts(ts_file) if not e.finished]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m console.i18n_update", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--tsv-dir", type=Path, default=DEFAULT_TSV_DIR, help="folder of translation TSV files"
    )
    parser.add_argument("--ts", type=Path, default=TS_FILE, help="the .ts file to update")
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args(argv)
    target: Path = args.ts
    with tempfile.TemporaryDirectory() as tmp:
        if args.check:
            copy = Path(tmp) / target.name
            if target.exists():
                shutil.copy(target, copy)
            target = copy
        run_lupdate(target)
        tsvs = sorted(args.tsv_dir.glob("*.tsv")) if args.tsv_dir.is_dir() else []
        filled = fill_ts(target, read_tsv(tsvs)) if not args.check else 0
        missing = missing_entries(target)
    if filled:
        print(f"filled {filled} translations from {len(tsvs)} TSV files", file=sys.stderr)
    for entry in missing:
        print(f"missing zh_CN: [{entry.context}] {entry.source!r}", file=sys.stderr)
    print(f"{len(missing)} strings without a finished translation", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
