"""The words for incident states, actions and timeline entries, in the interface language.

The hub records what happened with stable English ids ("acknowledged", "call_110", ...); these
turn them into sentences for the panel and the report. An id the console does not know yet is
shown as it is, so nothing in the record is ever hidden.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from console.alarms.incident_data import ACKNOWLEDGED, OPEN, Incident


def state_name(incident: Incident) -> str:
    if incident.state == OPEN:
        return QCoreApplication.translate("IncidentWording", "New")
    if incident.state == ACKNOWLEDGED:
        return (
            QCoreApplication.translate("IncidentWording", "In hand")
            if incident.owner
            else QCoreApplication.translate("IncidentWording", "Acknowledged")
        )
    return (
        QCoreApplication.translate("IncidentWording", "False alarm")
        if incident.false_alarm
        else QCoreApplication.translate("IncidentWording", "Resolved")
    )


def action_name(kind: str) -> str:
    names = {
        "call_110": QCoreApplication.translate("IncidentWording", "Called 110 (police)"),
        "call_119": QCoreApplication.translate("IncidentWording", "Called 119 (fire)"),
        "call_principal": QCoreApplication.translate("IncidentWording", "Called the principal"),
        "broadcast": QCoreApplication.translate("IncidentWording", "Broadcast"),
        "live_voice": QCoreApplication.translate("IncidentWording", "Live voice"),
        "other": QCoreApplication.translate("IncidentWording", "Other action"),
    }
    return names.get(kind, kind)


def escalation_name(escalation: str) -> str:
    return {
        "ack_overdue": QCoreApplication.translate("IncidentWording", "not acknowledged in time"),
        "processing_overdue": QCoreApplication.translate("IncidentWording", "not processed in time"),
    }.get(escalation, escalation)


def entry_text(what: str, by: str, detail: str) -> str:
    """One timeline line: who did what (and the detail)."""
    verbs = {
        "alarm": QCoreApplication.translate("IncidentWording", "Alarm from %1"),
        "opened": QCoreApplication.translate("IncidentWording", "Incident opened by %1"),
        "raised": QCoreApplication.translate("IncidentWording", "Alarm raised by hand by %1"),
        "raise_alarm": QCoreApplication.translate("IncidentWording", "Alarm raised by hand by %1"),
        "acknowledged": QCoreApplication.translate("IncidentWording", "Acknowledged by %1"),
        "incident_ack": QCoreApplication.translate("IncidentWording", "Acknowledged by %1"),
        "ack": QCoreApplication.translate("IncidentWording", "Acknowledged by %1"),
        "taken": QCoreApplication.translate("IncidentWording", "Taken by %1"),
        "take": QCoreApplication.translate("IncidentWording", "Taken by %1"),
        "incident_take": QCoreApplication.translate("IncidentWording", "Taken by %1"),
        "released": QCoreApplication.translate("IncidentWording", "Released by %1"),
        "release": QCoreApplication.translate("IncidentWording", "Released by %1"),
        "incident_release": QCoreApplication.translate("IncidentWording", "Released by %1"),
        "transfer": QCoreApplication.translate("IncidentWording", "Transfer offered by %1"),
        "transfer_offered": QCoreApplication.translate("IncidentWording", "Transfer offered by %1"),
        "incident_transfer": QCoreApplication.translate("IncidentWording", "Transfer offered by %1"),
        "accepted": QCoreApplication.translate("IncidentWording", "Transfer accepted by %1"),
        "transfer_accepted": QCoreApplication.translate("IncidentWording", "Transfer accepted by %1"),
        "incident_accept": QCoreApplication.translate("IncidentWording", "Transfer accepted by %1"),
        "declined": QCoreApplication.translate("IncidentWording", "Transfer declined by %1"),
        "transfer_declined": QCoreApplication.translate("IncidentWording", "Transfer declined by %1"),
        "incident_decline": QCoreApplication.translate("IncidentWording", "Transfer declined by %1"),
        "step": QCoreApplication.translate("IncidentWording", "Procedure step by %1"),
        "step_done": QCoreApplication.translate("IncidentWording", "Step done by %1"),
        "step_skipped": QCoreApplication.translate("IncidentWording", "Step skipped by %1"),
        "incident_step": QCoreApplication.translate("IncidentWording", "Procedure step by %1"),
        "note": QCoreApplication.translate("IncidentWording", "Note by %1"),
        "incident_note": QCoreApplication.translate("IncidentWording", "Note by %1"),
        "action": QCoreApplication.translate("IncidentWording", "Action by %1"),
        "incident_action": QCoreApplication.translate("IncidentWording", "Action by %1"),
        "escalated": QCoreApplication.translate("IncidentWording", "Escalated"),
        "escalation": QCoreApplication.translate("IncidentWording", "Escalated"),
        "ack_overdue": QCoreApplication.translate("IncidentWording", "Escalated: not acknowledged in time"),
        "processing_overdue": QCoreApplication.translate(
            "IncidentWording", "Escalated: not processed in time"
        ),
        "resolved": QCoreApplication.translate("IncidentWording", "Resolved by %1"),
        "incident_resolve": QCoreApplication.translate("IncidentWording", "Resolved by %1"),
    }
    verb = verbs.get(what)
    text = verb.replace("%1", by or "—") if verb is not None else f"{what} {by}".strip()
    return f"{text}: {detail}" if detail else text
