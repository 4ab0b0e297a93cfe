"""The audit record: every operator action, appended to a hash chain (docs/access.md).

Each entry carries an HMAC-SHA256 over the previous entry's MAC and its own canonical encoding,
keyed by a secret kept in a file outside the database. Changing, deleting, inserting or
reordering entries breaks the chain where it happened. Deleting the newest entries leaves a
valid but shorter chain, so after every commit the writer also records the head (seq and MAC) in
an anchor file beside the key; `verify` compares the table's end with it.

What this cannot catch: someone holding both the database and the key file can rewrite the chain
and the anchor consistently. Keep the key file on the hub's disk only (mode 0600) and back the
anchor up elsewhere if that threat matters.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from services.db.access_models import AuditEntry

log = logging.getLogger(__name__)

AUDIT_KEY_FILE = "audit.key"
AUDIT_ANCHOR_FILE = "audit.anchor"
KEY_BYTES = 32
GENESIS_MAC = "0" * 64
RESULTS = frozenset({"ok", "refused", "failed"})
MAX_QUERY_LIMIT = 5000

# Column widths of audit_entries; longer values are cut so an entry is never lost to its length.
_WIDTHS = {"operator": 64, "role": 32, "console": 64, "action": 64}


_ANCHOR_LOCK = threading.Lock()


class AuditError(RuntimeError):
    """The audit key or anchor cannot be used; the message says which file and why."""


# --- key and anchor files ------------------------------------------------------------------


def _check_private(path: Path, what: str) -> None:
    try:
        mode = path.stat().st_mode & 0o777
    except OSError as exc:
        raise AuditError(f"cannot read the {what} {path}: {exc.strerror}") from exc
    if mode & 0o077:
        raise AuditError(f"the {what} {path} is readable by others (mode {mode:o}); chmod 600 it")


def write_private_file(path: Path, data: bytes, *, replace: bool) -> bool:
    """Write *data* to *path* with mode 0600 from the first byte on.

    With `replace`, an existing file is replaced atomically; without, an existing file is left
    alone and False is returned (two processes creating a key at once agree on one).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp: mode 0600
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            # A file system without hard links: exclusive create is the next best thing.
            try:
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return False
            with os.fdopen(out, "wb") as handle:
                handle.write(data)
        return True
    finally:
        tmp.unlink(missing_ok=True)


class AuditKey:
    """The HMAC key of the chain: 32 random bytes, hex in a 0600 file."""

    @staticmethod
    def load_or_create(path: Path) -> bytes:
        key_text = secrets.token_hex(KEY_BYTES).encode("ascii") + b"\n"
        if not path.exists() and write_private_file(path, key_text, replace=False):
            log.info("created the audit key %s", path)
        return AuditKey.load(path)

    @staticmethod
    def load(path: Path) -> bytes:
        _check_private(path, "audit key")
        try:
            text = path.read_text(encoding="ascii").strip()
            key = bytes.fromhex(text)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise AuditError(f"the audit key {path} is unreadable or not hex: {exc}") from exc
        if len(key) != KEY_BYTES:
            raise AuditError(f"the audit key {path} is not {KEY_BYTES} bytes")
        return key


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    mac: str


def read_anchor(path: Path) -> Anchor | None:
    """The anchor in *path*, None when there is none; AuditError when it is unreadable."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditError(f"cannot read the audit anchor {path}: {exc.strerror}") from exc
    try:
        data = json.loads(raw)
        seq, mac = data["seq"], data["mac"]
    except (ValueError, TypeError, KeyError) as exc:
        raise AuditError(f"the audit anchor {path} is damaged: {exc}") from exc
    if not isinstance(seq, int) or not isinstance(mac, str) or seq < 0:
        raise AuditError(f"the audit anchor {path} is damaged: bad seq or mac")
    return Anchor(seq, mac)


# --- entries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditInput:
    """What to record: who (operator, role, console), what (action, target), how it ended."""

    operator: str
    role: str
    console: str
    action: str
    target: str
    result: str  # "ok" | "refused" | "failed"
    detail: dict[str, Any] = field(default_factory=dict)
    # When it happened, if not at the append: a writer that batches entries keeps their times.
    at: float | None = None


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: float
    operator: str
    role: str
    console: str
    action: str
    target: str
    result: str
    detail: dict[str, Any]
    prev_mac: str
    mac: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def canonical_json(value: Any) -> str:
    # Sorted keys and no spaces: one value has exactly one encoding, so the MAC is reproducible.
    # Values JSON cannot carry are recorded by their str(), never dropped.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_mac(
    key: bytes,
    prev_mac: str,
    seq: int,
    at: float,
    operator: str,
    role: str,
    console: str,
    action: str,
    target: str,
    result: str,
    detail: Any,
) -> str:
    body = canonical_json([seq, at, operator, role, console, action, target, result, detail])
    return hmac.new(key, prev_mac.encode("ascii") + body.encode("utf-8"), hashlib.sha256).hexdigest()


def _clean(text: str, width: int | None = None) -> str:
    # PostgreSQL text cannot hold NUL; the record keeps a visible replacement instead.
    text = str(text).replace("\x00", "\ufffd")
    return text[:width] if width is not None else text


def _record(row: AuditEntry, detail: dict[str, Any]) -> AuditRecord:
    return AuditRecord(
        seq=row.seq,
        at=row.at,
        operator=row.operator,
        role=row.role,
        console=row.console,
        action=row.action,
        target=row.target,
        result=row.result,
        detail=detail,
        prev_mac=row.prev_mac,
        mac=row.mac,
    )


def _parse_detail(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {"unparsed": text}
    return value if isinstance(value, dict) else {"value": value}


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    checked: int
    head_seq: int
    first_bad_seq: int | None
    problem: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class AuditLog:
    """Appends to and verifies the chain with one key; keeps the anchor file when given one."""

    def __init__(self, key: bytes, anchor_path: Path | None) -> None:
        if len(key) < 16:
            raise AuditError("the audit key is too short")
        self._key = key
        self.anchor_path = anchor_path

    @classmethod
    def for_key_dir(cls, key_dir: Path, *, create: bool = True) -> AuditLog:
        """The log keyed by DIR/audit.key with its anchor DIR/audit.anchor (the hub's layout)."""
        key_path = key_dir / AUDIT_KEY_FILE
        if not create and not key_path.exists():
            raise AuditError(f"no audit key {key_path}: is this the hub's key folder?")
        key = AuditKey.load_or_create(key_path) if create else AuditKey.load(key_path)
        return cls(key, key_dir / AUDIT_ANCHOR_FILE)

    def __repr__(self) -> str:
        return f"AuditLog(anchor_path={self.anchor_path!r})"  # never the key

    # --- writing ---

    def append(
        self, session: Session, entries: Sequence[AuditInput], now: float | None = None
    ) -> list[AuditRecord]:
        """Add *entries* after the last one, in the caller's transaction (the caller commits).

        A concurrent writer that took the same seq makes the commit (or this flush) fail with an
        IntegrityError; roll back and append again.
        """
        if not entries:
            return []
        at = time.time() if now is None else now
        seq, prev_mac = self._chain_end(session)
        records: list[AuditRecord] = []
        for entry in entries:
            if entry.result not in RESULTS:
                raise ValueError(f"audit result must be one of {sorted(RESULTS)}, not {entry.result!r}")
            seq += 1
            entry_at = entry.at if entry.at is not None else at
            detail_text = _clean(canonical_json(dict(entry.detail)))
            detail = json.loads(detail_text)
            fields = {
                "operator": _clean(entry.operator, _WIDTHS["operator"]),
                "role": _clean(entry.role, _WIDTHS["role"]),
                "console": _clean(entry.console, _WIDTHS["console"]),
                "action": _clean(entry.action, _WIDTHS["action"]),
                "target": _clean(entry.target),
                "result": entry.result,
            }
            mac = entry_mac(self._key, prev_mac, seq, entry_at, detail=detail, **fields)
            row = AuditEntry(seq=seq, at=entry_at, detail=detail_text, prev_mac=prev_mac, mac=mac, **fields)
            session.add(row)
            records.append(_record(row, detail))
            prev_mac = mac
        session.flush()
        return records

    def _chain_end(self, session: Session) -> tuple[int, str]:
        """(seq, mac) of the newest entry, (0, genesis) for an empty record."""
        last = session.execute(
            select(AuditEntry.seq, AuditEntry.mac).order_by(AuditEntry.seq.desc()).limit(1)
        ).one_or_none()
        return (int(last[0]), str(last[1])) if last is not None else (0, GENESIS_MAC)

    def append_and_commit(
        self,
        session_factory: Callable[[], Session],
        entries: Sequence[AuditInput],
        now: float | None = None,
        attempts: int = 5,
    ) -> list[AuditRecord]:
        """Append in a transaction of its own, commit, update the anchor; retry a lost race."""
        for attempt in range(1, attempts + 1):
            with session_factory() as session:
                try:
                    records = self.append(session, entries, now=now)
                    session.commit()
                except (IntegrityError, OperationalError) as exc:
                    session.rollback()
                    if attempt == attempts:
                        raise
                    log.info("audit append lost a race (attempt %d): %s", attempt, type(exc).__name__)
                    time.sleep(0.01 * attempt)
                    continue
            if records:
                self.write_anchor(records[-1])
            return records
        raise AssertionError("unreachable")

    def write_anchor(self, record: AuditRecord) -> None:
        """Record the chain's head after the commit; an anchor never moves backwards."""
        if self.anchor_path is None:
            return
        # Read-compare-write under a lock, so two writer threads cannot move the anchor back.
        # Another process (the offline CLI beside a running hub) can still leave it one write
        # behind, which `verify` reports as a lagging anchor, not as tampering.
        with _ANCHOR_LOCK:
            try:
                current = read_anchor(self.anchor_path)
            except AuditError:
                current = None  # a damaged anchor is replaced by a good one
            if current is not None and current.seq >= record.seq:
                return
            data = json.dumps({"seq": record.seq, "mac": record.mac}).encode("ascii") + b"\n"
            try:
                write_private_file(self.anchor_path, data, replace=True)
            except OSError as exc:
                # The entries are committed; only tail-deletion detection waits for the next write.
                log.error("cannot write the audit anchor %s: %s", self.anchor_path, exc.strerror)

    # --- checking ---

    def verify(self, session: Session, batch: int = 5000) -> VerifyReport:
        """Walk the whole chain in seq order and compare its end with the anchor."""
        anchor: Anchor | None = None
        if self.anchor_path is not None:
            try:
                # Read before the table: an anchor is only written after its entries committed,
                # so every entry it names is visible to the queries below.
                anchor = read_anchor(self.anchor_path)
            except AuditError as exc:
                return VerifyReport(False, 0, 0, None, str(exc))
        # Entries appended while this runs are left for the next verification.
        head = int(session.scalar(select(func.max(AuditEntry.seq))) or 0)
        expected_seq, prev_mac, checked, anchor_mac = 1, GENESIS_MAC, 0, None
        while True:
            # Plain rows, not ORM objects: nothing piles up in the caller's session.
            rows = session.execute(
                select(*_CHAIN_COLUMNS)
                .where(AuditEntry.seq >= expected_seq, AuditEntry.seq <= head)
                .order_by(AuditEntry.seq)
                .limit(max(1, batch))
            ).all()
            if not rows:
                break
            for row in rows:
                bad = self._check_row(row, expected_seq, prev_mac)
                if bad is not None:
                    return VerifyReport(False, checked, head, *bad)
                checked += 1
                expected_seq = row.seq + 1
                prev_mac = row.mac
                if anchor is not None and row.seq == anchor.seq:
                    anchor_mac = row.mac
        if anchor is None:
            note = ""
            if self.anchor_path is not None and head > 0:
                note = f"no anchor file {self.anchor_path}: deletion of the newest entries cannot be detected"
            return VerifyReport(True, checked, head, None, note)
        if anchor.seq > head:
            return VerifyReport(
                False,
                checked,
                head,
                head + 1,
                f"entries after {head} were deleted (the anchor records entry {anchor.seq})",
            )
        if anchor.seq > 0 and anchor_mac != anchor.mac:
            return VerifyReport(
                False,
                checked,
                head,
                anchor.seq,
                f"entries after {anchor.seq - 1} were deleted (entry {anchor.seq} differs from the anchor)",
            )
        note = ""
        if anchor.seq < head:
            note = (
                f"the anchor is at entry {anchor.seq}, behind the head {head}: the last write stopped "
                "before the anchor was updated (not tampering)"
            )
        return VerifyReport(True, checked, head, None, note)

    def _check_row(self, row: Any, expected_seq: int, prev_mac: str) -> tuple[int, str] | None:
        """(first bad seq, problem) for a row that breaks the chain, None when it fits."""
        try:
            detail = json.loads(row.detail)
        except ValueError:
            return row.seq, f"entry {row.seq} was changed"
        mac = entry_mac(
            self._key,
            row.prev_mac,
            row.seq,
            row.at,
            row.operator,
            row.role,
            row.console,
            row.action,
            row.target,
            row.result,
            detail,
        )
        if not hmac.compare_digest(mac, row.mac):
            return row.seq, f"entry {row.seq} was changed"
        if row.seq != expected_seq:
            if expected_seq == 1:
                return 1, "the first entry is missing"
            if row.seq - expected_seq == 1:
                return expected_seq, f"entry {expected_seq} is missing"
            return expected_seq, f"entry {expected_seq} is missing (entries {expected_seq}-{row.seq - 1})"
        if not hmac.compare_digest(row.prev_mac, prev_mac):
            if row.seq == 1:
                return 1, "the first entry is missing"
            return row.seq - 1, f"entry {row.seq - 1} is missing (entry {row.seq} does not follow it)"
        return None


_CHAIN_COLUMNS = (
    AuditEntry.seq,
    AuditEntry.at,
    AuditEntry.operator,
    AuditEntry.role,
    AuditEntry.console,
    AuditEntry.action,
    AuditEntry.target,
    AuditEntry.result,
    AuditEntry.detail,
    AuditEntry.prev_mac,
    AuditEntry.mac,
)


# --- searching and exporting ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditQuery:
    since: float | None = None
    until: float | None = None
    operator: str | None = None
    action: str | None = None
    result: str | None = None
    text: str | None = None  # a substring of the target or the detail
    limit: int = 200
    offset: int = 0
    oldest_first: bool = False


def _filtered(query: AuditQuery, statement: Select[Any]) -> Select[Any]:
    if query.since is not None:
        statement = statement.where(AuditEntry.at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEntry.at < query.until)
    if query.operator:
        statement = statement.where(AuditEntry.operator == query.operator)
    if query.action:
        statement = statement.where(AuditEntry.action == query.action)
    if query.result:
        statement = statement.where(AuditEntry.result == query.result)
    if query.text:
        statement = statement.where(
            or_(
                AuditEntry.target.icontains(query.text, autoescape=True),
                AuditEntry.detail.icontains(query.text, autoescape=True),
            )
        )
    return statement


def search(session: Session, query: AuditQuery) -> tuple[list[AuditRecord], int]:
    """Matching records (newest first unless `oldest_first`) and how many match in all."""
    limit = max(1, min(query.limit, MAX_QUERY_LIMIT))
    offset = max(0, query.offset)
    total = int(session.scalar(_filtered(query, select(func.count()).select_from(AuditEntry))) or 0)
    order = AuditEntry.seq.asc() if query.oldest_first else AuditEntry.seq.desc()
    rows = session.scalars(_filtered(query, select(AuditEntry)).order_by(order).limit(limit).offset(offset))
    return [_record(row, _parse_detail(row.detail)) for row in rows], total


CSV_COLUMNS = ("seq", "time", "operator", "role", "console", "action", "target", "result", "detail", "mac")
# A spreadsheet runs a cell starting with these as a formula; an operator-typed target must not.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(records: Iterable[AuditRecord], stream: TextIO, *, bom: bool = True) -> int:
    """Write *records* as CSV (a BOM first, so spreadsheets read the Chinese right); returns the
    number of records written. Times are ISO 8601 in the machine's local time zone."""
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        when = datetime.fromtimestamp(record.at).astimezone().isoformat(timespec="milliseconds")
        writer.writerow(
            (
                record.seq,
                when,
                _cell(record.operator),
                _cell(record.role),
                _cell(record.console),
                _cell(record.action),
                _cell(record.target),
                record.result,
                canonical_json(record.detail),
                record.mac,
            )
        )
        count += 1
    return count
