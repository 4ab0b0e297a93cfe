"""The words for incident states, actions and timeline entries, in the interface language.

The hub records what happened with stable English ids ("acknowledged", "call_110", ...); these
turn them into sentences for the panel and the report. An id the console does not know yet is
shown as it is, so nothing in the record is ever hidden.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from console.alarms.incident_data import ACKNOWLEDGED, OPEN, Incident

_CONTEXT = "IncidentWording"


def _t(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def state_name(incident: Incident) -> str:
    if incident.state == OPEN:
        return _t("New")
    if incident.state == ACKNOWLEDGED:
        return _t("In hand") if incident.owner else _t("Acknowledged")
    return _t("False alarm") if incident.false_alarm else _t("Resolved")


def action_name(kind: str) -> str:
    names = {
        "call_110": _t("Called 110 (police)"),
        "call_119": _t("Called 119 (fire)"),
        "call_principal": _t("Called the principal"),
        "broadcast": _t("Broadcast"),
        "live_voice": _t("Live voice"),
        "other": _t("Other action"),
    }
    return names.get(kind, kind)


def escalation_name(escalation: str) -> str:
    return {
        "ack_overdue": _t("not acknowledged in time"),
        "processing_overdue": _t("not processed in time"),
    }.get(escalation, escalation)


def entry_text(what: str, by: str, detail: str) -> str:
    """One timeline line: who did what (and the detail)."""
    verbs = {
        "alarm": _t("Alarm from %1"),
        "opened": _t("Incident opened by %1"),
        "raised": _t("Alarm raised by hand by %1"),
        "raise_alarm": _t("Alarm raised by hand by %1"),
        "acknowledged": _t("Acknowledged by %1"),
        "incident_ack": _t("Acknowledged by %1"),
        "ack": _t("Acknowledged by %1"),
        "taken": _t("Taken by %1"),
        "take": _t("Taken by %1"),
        "incident_take": _t("Taken by %1"),
        "released": _t("Released by %1"),
        "release": _t("Released by %1"),
        "incident_release": _t("Released by %1"),
        "transfer": _t("Transfer offered by %1"),
        "transfer_offered": _t("Transfer offered by %1"),
        "incident_transfer": _t("Transfer offered by %1"),
        "accepted": _t("Transfer accepted by %1"),
        "transfer_accepted": _t("Transfer accepted by %1"),
        "incident_accept": _t("Transfer accepted by %1"),
        "declined": _t("Transfer declined by %1"),
        "transfer_declined": _t("Transfer declined by %1"),
        "incident_decline": _t("Transfer declined by %1"),
        "step": _t("Procedure step by %1"),
        "step_done": _t("Step done by %1"),
        "step_skipped": _t("Step skipped by %1"),
        "incident_step": _t("Procedure step by %1"),
        "note": _t("Note by %1"),
        "incident_note": _t("Note by %1"),
        "action": _t("Action by %1"),
        "incident_action": _t("Action by %1"),
        "escalated": _t("Escalated"),
        "escalation": _t("Escalated"),
        "ack_overdue": _t("Escalated: not acknowledged in time"),
        "processing_overdue": _t("Escalated: not processed in time"),
        "resolved": _t("Resolved by %1"),
        "incident_resolve": _t("Resolved by %1"),
    }
    verb = verbs.get(what)
    text = verb.replace("%1", by or "—") if verb is not None else f"{what} {by}".strip()
    return f"{text}: {detail}" if detail else text
