"""The incident book: alarms grouped into incidents, the queue, the workflow rules and escalation.

One book lives on the hub's socket thread, so every decision (who acknowledged first, who owns an
incident) is taken in the order requests arrive: two operators can never own the same incident.
The book is plain memory and never waits on anything; it notes what changed for the consoles
(`take_changed`) and what is still to be written to the database (`take_unsaved`).

Rules (docs/incidents.md):
- An alarm joins the unresolved incident of the same school and type whose last alarm came at
  most `group_window_s` earlier; otherwise it opens a new incident. An alarm id already seen
  (school, event id) is ignored, so a resent alarm never counts twice.
- open -> acknowledged -> resolved. Taking an open incident acknowledges it too (whoever takes it
  is evidently on it). Only the owner releases, transfers, works the steps and resolves; a
  transfer waits until the named operator accepts or declines.
- Resolve needs every procedure step done, or skipped with a reason.
- Escalation: "ack_overdue" while open past `ack_due_at`, "processing_overdue" once unresolved
  past `process_due_at`.
"""

from __future__ import annotations

import collections
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.alarms.catalog import AlarmCatalog
from services.alarms.errors import IncidentError
from services.alarms.model import (
    ACTION_KINDS,
    Action,
    Alarm,
    Entry,
    Escalation,
    Incident,
    Note,
    Step,
)
from services.alarms.rate import AlarmRate

# Resolved incidents stay in the live queue (and in snapshots) this long, then only in history.
RECENT_RESOLVED_S = 3600.0
# Alarm ids remembered for de-duplication (far more than a day of alarms of a whole city).
REMEMBERED_ALARMS = 200_000
MAX_TEXT = 2000
MAX_REASON = 500
MAX_DETAIL = 500
MAX_NAME = 64


def new_incident_id(now: float) -> str:
    """Readable and sortable by opening time, unique by its random tail."""
    return f"INC-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{secrets.token_hex(4)}"


@dataclass(frozen=True, slots=True)
class AlarmOutcome:
    incident: Incident
    opened: bool  # True when the alarm opened a new incident, False when it joined one


@dataclass(frozen=True, slots=True)
class Unsaved:
    """Changes not yet in the database: incidents to write as they are now, new alarms and entries."""

    incidents: list[Incident]
    alarms: list[tuple[str, Alarm]]  # (incident id, alarm)
    entries: list[Entry]

    def __bool__(self) -> bool:
        return bool(self.incidents or self.alarms or self.entries)


class IncidentBook:
    def __init__(self, catalog: AlarmCatalog, id_factory: Callable[[float], str] = new_incident_id) -> None:
        self.catalog = catalog
        self._new_id = id_factory
        self._incidents: dict[str, Incident] = {}
        # (school, alarm type) -> the newest unresolved incident an alarm could join.
        self._grouping: dict[tuple[str, str], str] = {}
        self._seen: collections.OrderedDict[tuple[str, str], None] = collections.OrderedDict()
        self._changed: set[str] = set()
        self._dirty: dict[str, Incident] = {}
        self._new_alarms: list[tuple[str, Alarm]] = []
        self._new_entries: list[Entry] = []
        self.rate = AlarmRate()

    # --- alarms ---------------------------------------------------------------------------
    def seen(self, school: str, event_id: str) -> bool:
        return (school, event_id) in self._seen

    def add_alarm(self, alarm: Alarm) -> AlarmOutcome | None:
        """Group one alarm into an incident; None when this alarm id was seen before."""
        key = (alarm.school, alarm.event_id)
        if key in self._seen:
            return None
        self._remember(key)
        alarm_type = self.catalog.get(alarm.alarm_type)
        now = alarm.received_at
        self.rate.add(now)
        current = self._incidents.get(self._grouping.get((alarm.school, alarm_type.id), ""))
        if (
            current is not None
            and not current.resolved
            and now - current.last_alarm_at <= alarm_type.group_window_s
        ):
            current.alarm_count += 1
            current.last_alarm_at = max(current.last_alarm_at, now)
            self._new_alarms.append((current.incident_id, alarm))
            self._touch(current)
            return AlarmOutcome(current, opened=False)
        incident_id = self._new_id(now)
        while incident_id in self._incidents:
            incident_id = self._new_id(now)
        incident = Incident(
            incident_id=incident_id,
            school=alarm.school,
            alarm_type=alarm_type.id,
            priority=alarm_type.priority,
            opened_at=now,
            last_alarm_at=now,
            location=alarm.location,
            ack_due_at=now + alarm_type.ack_within_s,
            process_due_at=now + alarm_type.process_within_min * 60.0,
            steps=[Step(step.key) for step in alarm_type.procedure],
        )
        self._incidents[incident_id] = incident
        self._grouping[(alarm.school, alarm_type.id)] = incident_id
        self._new_alarms.append((incident_id, alarm))
        self._entry(incident, now, alarm.source or alarm.school, "opened", alarm.location)
        self._touch(incident, new=True)
        return AlarmOutcome(incident, opened=True)

    def _remember(self, key: tuple[str, str]) -> None:
        self._seen[key] = None
        if len(self._seen) > REMEMBERED_ALARMS:
            self._seen.popitem(last=False)

    # --- reading --------------------------------------------------------------------------
    def get(self, incident_id: str) -> Incident:
        incident = self._incidents.get(incident_id)
        if incident is None:
            raise IncidentError("not_found", f"no incident {incident_id} in the live queue")
        return incident

    def find(self, incident_id: str) -> Incident | None:
        return self._incidents.get(incident_id)

    def queue(self) -> list[Incident]:
        """Every incident held (unresolved, and resolved in the last hour), in queue order."""
        return sorted(self._incidents.values(), key=Incident.queue_key)

    def unresolved(self) -> list[Incident]:
        return [i for i in self.queue() if not i.resolved]

    def __len__(self) -> int:
        return len(self._incidents)

    # --- the workflow ---------------------------------------------------------------------
    def acknowledge(self, incident_id: str, by: str, now: float) -> Incident:
        incident = self._unresolved(incident_id)
        if incident.state == "acknowledged":
            if incident.acknowledged_by == by:
                return incident  # the same operator again: nothing changes
            raise IncidentError(
                "conflict",
                f"incident {incident_id} was already acknowledged by {incident.acknowledged_by}",
                {"acknowledged_by": incident.acknowledged_by},
            )
        self._acknowledge(incident, by, now)
        self._touch(incident)
        return incident

    def _acknowledge(self, incident: Incident, by: str, now: float) -> None:
        incident.state = "acknowledged"
        incident.acknowledged_by = by
        incident.acknowledged_at = now
        if incident.escalation == "ack_overdue":
            incident.escalation = ""  # seen now; the timeline keeps that it was late
        self._entry(incident, now, by, "acknowledged")

    def take(self, incident_id: str, by: str, now: float) -> Incident:
        incident = self._unresolved(incident_id)
        if incident.owner == by:
            return incident
        if incident.owner:
            raise IncidentError(
                "conflict", f"incident {incident_id} is owned by {incident.owner}", {"owner": incident.owner}
            )
        if incident.state == "open":
            self._acknowledge(incident, by, now)
        incident.owner = by
        incident.transfer_to = ""
        self._entry(incident, now, by, "taken")
        self._touch(incident)
        return incident

    def release(self, incident_id: str, by: str, now: float) -> Incident:
        incident = self._owned_by(incident_id, by, "release")
        incident.owner = ""
        incident.transfer_to = ""
        self._entry(incident, now, by, "released")
        self._touch(incident)
        return incident

    def check_transfer(self, incident_id: str, by: str, to: str) -> Incident:
        """Refuse a transfer that cannot be offered (before looking the receiver up)."""
        incident = self._owned_by(incident_id, by, "transfer")
        if not to.strip() or len(to.strip()) > MAX_NAME:
            raise IncidentError("malformed", "name the operator to transfer the incident to")
        if to.strip() == by:
            raise IncidentError("malformed", "an incident cannot be transferred to its own owner")
        return incident

    def offer_transfer(self, incident_id: str, by: str, to: str, now: float) -> Incident:
        incident = self.check_transfer(incident_id, by, to)
        to = to.strip()
        incident.transfer_to = to
        self._entry(incident, now, by, "transfer_offered", to)
        self._touch(incident)
        return incident

    def accept_transfer(self, incident_id: str, by: str, now: float) -> Incident:
        incident = self._transfer_for(incident_id, by)
        previous = incident.owner
        incident.owner = by
        incident.transfer_to = ""
        self._entry(incident, now, by, "transfer_accepted", previous)
        self._touch(incident)
        return incident

    def decline_transfer(self, incident_id: str, by: str, now: float) -> Incident:
        incident = self._transfer_for(incident_id, by)
        incident.transfer_to = ""
        self._entry(incident, now, by, "transfer_declined", incident.owner)
        self._touch(incident)
        return incident

    def set_step(self, incident_id: str, by: str, key: str, done: bool, reason: str, now: float) -> Incident:
        incident = self._owned_by(incident_id, by, "work the steps of")
        step = next((s for s in incident.steps if s.key == key), None)
        if step is None:
            raise IncidentError(
                "not_found",
                f"incident {incident_id} has no step {key!r}",
                {"steps": [s.key for s in incident.steps]},
            )
        reason = reason.strip()
        if not done and not reason:
            raise IncidentError("malformed", f"skipping step {key!r} needs a reason")
        if len(reason) > MAX_REASON:
            raise IncidentError("malformed", f"a reason is at most {MAX_REASON} characters")
        step.state = "done" if done else "skipped"
        step.reason = "" if done else reason
        step.by = by
        step.at = now
        self._entry(
            incident, now, by, "step_done" if done else "step_skipped", key if done else f"{key}: {reason}"
        )
        self._touch(incident)
        return incident

    def add_note(self, incident_id: str, by: str, text: str, now: float) -> Incident:
        incident = self.get(incident_id)
        text = _text(text, "a note", MAX_TEXT)
        incident.notes.append(Note(by=by, at=now, text=text))
        self._entry(incident, now, by, "note", text)
        self._touch(incident)
        return incident

    def add_action(self, incident_id: str, by: str, kind: str, detail: str, now: float) -> Incident:
        incident = self._unresolved(incident_id)
        action_kind = next((k for k in ACTION_KINDS if k == kind), None)
        if action_kind is None:
            raise IncidentError("malformed", f"action kind must be one of {', '.join(ACTION_KINDS)}")
        detail = detail.strip()
        if len(detail) > MAX_DETAIL:
            raise IncidentError("malformed", f"an action's detail is at most {MAX_DETAIL} characters")
        incident.actions.append(Action(kind=action_kind, by=by, at=now, detail=detail))
        self._entry(incident, now, by, "action", f"{kind}: {detail}" if detail else kind)
        self._touch(incident)
        return incident

    def resolve(self, incident_id: str, by: str, outcome: str, false_alarm: bool, now: float) -> Incident:
        incident = self._owned_by(incident_id, by, "resolve")
        outcome = _text(outcome, "the outcome", MAX_TEXT)
        still_open = incident.open_steps()
        if still_open:
            raise IncidentError(
                "conflict",
                f"incident {incident_id} cannot be resolved: steps still open: {', '.join(still_open)}",
                {"open_steps": still_open},
            )
        incident.state = "resolved"
        incident.resolved_by = by
        incident.resolved_at = now
        incident.outcome = outcome
        incident.false_alarm = false_alarm
        incident.transfer_to = ""
        if self._grouping.get((incident.school, incident.alarm_type)) == incident_id:
            del self._grouping[(incident.school, incident.alarm_type)]
        self._entry(incident, now, by, "resolved", f"{'false alarm: ' if false_alarm else ''}{outcome}")
        self._touch(incident)
        return incident

    # --- timers ---------------------------------------------------------------------------
    def escalate(self, now: float) -> list[tuple[Incident, Escalation]]:
        """Mark what ran out of time; each escalation is returned once."""
        raised: list[tuple[Incident, Escalation]] = []
        for incident in self._incidents.values():
            if incident.resolved:
                continue
            level: Escalation = ""
            if incident.escalation != "processing_overdue" and now >= incident.process_due_at:
                level = "processing_overdue"
            elif incident.state == "open" and incident.escalation == "" and now >= incident.ack_due_at:
                level = "ack_overdue"
            if level:
                incident.escalation = level
                self._entry(incident, now, "hub", "escalated", level)
                self._touch(incident)
                raised.append((incident, level))
        return raised

    def prune(self, now: float) -> int:
        """Forget resolved incidents older than an hour that are safely stored; returns how many."""
        old = [
            incident_id
            for incident_id, incident in self._incidents.items()
            if incident.resolved
            and incident.resolved_at is not None
            and incident.resolved_at < now - RECENT_RESOLVED_S
            and incident_id not in self._dirty
        ]
        for incident_id in old:
            del self._incidents[incident_id]
            self._changed.discard(incident_id)
        return len(old)

    # --- change tracking ------------------------------------------------------------------
    @property
    def has_changes(self) -> bool:
        return bool(self._changed)

    def take_changed(self) -> list[Incident]:
        """Incidents changed since the last call (for the consoles), in queue order."""
        changed = [self._incidents[i] for i in self._changed if i in self._incidents]
        self._changed.clear()
        return sorted(changed, key=Incident.queue_key)

    def take_unsaved(self) -> Unsaved:
        unsaved = Unsaved(
            incidents=list(self._dirty.values()),
            alarms=self._new_alarms,
            entries=self._new_entries,
        )
        self._dirty = {}
        self._new_alarms = []
        self._new_entries = []
        return unsaved

    def restore_unsaved(self, unsaved: Unsaved) -> None:
        """A write failed: write these again with the next batch (incidents as they are then)."""
        for incident in unsaved.incidents:
            self._dirty.setdefault(incident.incident_id, incident)
        self._new_alarms[:0] = unsaved.alarms
        self._new_entries[:0] = unsaved.entries

    @property
    def unsaved_count(self) -> int:
        return len(self._dirty) + len(self._new_alarms) + len(self._new_entries)

    def load(self, incidents: Iterable[Incident], alarm_keys: Iterable[tuple[str, str]]) -> None:
        """Take back what the database kept (at hub start): incidents and the alarm ids seen."""
        for key in alarm_keys:
            self._remember(key)
        for incident in sorted(incidents, key=lambda i: i.last_alarm_at):
            self._incidents[incident.incident_id] = incident
            if not incident.resolved:
                self._grouping[(incident.school, incident.alarm_type)] = incident.incident_id

    # --- helpers --------------------------------------------------------------------------
    def _unresolved(self, incident_id: str) -> Incident:
        incident = self.get(incident_id)
        if incident.resolved:
            raise IncidentError("conflict", f"incident {incident_id} is already resolved")
        return incident

    def _owned_by(self, incident_id: str, by: str, what: str) -> Incident:
        incident = self._unresolved(incident_id)
        if incident.owner != by:
            who = f"it is owned by {incident.owner}" if incident.owner else "nobody owns it"
            raise IncidentError(
                "conflict",
                f"only the owner may {what} incident {incident_id}; {who}",
                {"owner": incident.owner},
            )
        return incident

    def _transfer_for(self, incident_id: str, by: str) -> Incident:
        incident = self._unresolved(incident_id)
        if incident.transfer_to != by:
            raise IncidentError(
                "conflict",
                f"incident {incident_id} is not being transferred to {by}",
                {"transfer_to": incident.transfer_to},
            )
        return incident

    def _entry(self, incident: Incident, at: float, by: str, what: str, detail: str = "") -> None:
        self._new_entries.append(Entry(incident.incident_id, at, by[:MAX_NAME], what, detail[:MAX_TEXT]))

    def _touch(self, incident: Incident, new: bool = False) -> None:
        if not new:
            incident.version += 1
        self._changed.add(incident.incident_id)
        self._dirty[incident.incident_id] = incident


def _text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise IncidentError("malformed", f"{what} must not be empty")
    if len(value) > limit:
        raise IncidentError("malformed", f"{what} is at most {limit} characters")
    return value
