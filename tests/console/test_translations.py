"""Every user-visible string in console/ and widgets/ has a finished zh_CN translation.

Runs pyside6-lupdate on the current sources into a temporary .ts and compares it with the
repository's resources/translations/safecampus_zh_CN.ts: a string added without its translation
(run `python -m console.i18n_update`) fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.i18n_update import TS_FILE, read_ts, run_lupdate

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.gui


def test_every_source_string_has_a_finished_chinese_translation(tmp_path):
    fresh = tmp_path / "fresh.ts"
    run_lupdate(fresh)
    in_sources = {(e.context, e.source) for e in read_ts(fresh)}
    assert len(in_sources) > 50  # lupdate found the sources
    repo = {(e.context, e.source): e for e in read_ts(TS_FILE)}
    missing = sorted(key for key in in_sources if key not in repo)
    unfinished = sorted(key for key in in_sources if key in repo and not repo[key].finished)
    assert not missing, f"strings missing from {TS_FILE.name} (run python -m console.i18n_update): {missing}"
    assert not unfinished, f"strings without a finished zh_CN translation: {unfinished}"


def test_no_string_is_translated_under_an_empty_context(tmp_path):
    # lupdate records an empty context when tr() is an alias it cannot see through; the translation
    # would then never be found at run time.
    fresh = tmp_path / "fresh.ts"
    run_lupdate(fresh)
    assert [e.source for e in read_ts(fresh) if not e.context] == []


def test_every_translate_call_names_its_context_and_text_literally() -> None:
    """lupdate only sees literal calls: a wrapper such as _t(text) leaves its strings out of the
    .ts file, and the operator then reads English in a Chinese console."""
    import re

    call = re.compile(r"""(?:\btranslate|\.tr)\((?!\s*["'\)])""")
    offenders = []
    for folder in ("console", "widgets"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "i18n" in path.name:
                continue
            text = path.read_text(encoding="utf-8")
            for match in call.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                source = text.splitlines()[line - 1].strip()
                if not source.startswith("#") and "translate()" not in source:
                    offenders.append(f"{path.relative_to(ROOT)}:{line}: {source}")
    assert offenders == []
