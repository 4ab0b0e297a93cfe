"""Display names of the domain's enumerations, in the interface language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from services.db.models import ContactRole, SchoolType


def school_type_name(kind: SchoolType) -> str:
    names = {
        SchoolType.KINDERGARTEN: QCoreApplication.translate("SchoolType", "Kindergarten"),
        SchoolType.PRIMARY: QCoreApplication.translate("SchoolType", "Primary school"),
        SchoolType.MIDDLE: QCoreApplication.translate("SchoolType", "Middle school"),
        SchoolType.HIGH: QCoreApplication.translate("SchoolType", "High school"),
        SchoolType.VOCATIONAL: QCoreApplication.translate("SchoolType", "Vocational school"),
        SchoolType.SPECIAL: QCoreApplication.translate("SchoolType", "Special education school"),
    }
    return names[kind]


def contact_role_name(role: ContactRole) -> str:
    names = {
        ContactRole.PRINCIPAL: QCoreApplication.translate("ContactRole", "Principal"),
        ContactRole.SECURITY_CHIEF: QCoreApplication.translate("ContactRole", "Head of security"),
        ContactRole.GATEHOUSE: QCoreApplication.translate("ContactRole", "Gatehouse"),
    }
    return names[role]


def presence_name(presence: str) -> str:
    names = {
        "online": QCoreApplication.translate("PresenceName", "Online"),
        "late": QCoreApplication.translate("PresenceName", "Late (heartbeat overdue)"),
        "offline": QCoreApplication.translate("PresenceName", "Offline"),
    }
    return names.get(presence, presence)


def delivery_state_name(state: str) -> str:
    names = {
        "queued": QCoreApplication.translate("DeliveryStateName", "Queued"),
        "not_connected": QCoreApplication.translate("DeliveryStateName", "Not connected"),
        "sent": QCoreApplication.translate("DeliveryStateName", "Sent, no answer yet"),
        "received": QCoreApplication.translate("DeliveryStateName", "Received"),
        "executing": QCoreApplication.translate("DeliveryStateName", "Executing"),
        "done": QCoreApplication.translate("DeliveryStateName", "Done"),
        "failed": QCoreApplication.translate("DeliveryStateName", "Failed"),
        "expired": QCoreApplication.translate("DeliveryStateName", "Expired"),
    }
    return names.get(state, state)


def device_state_name(state: str) -> str:
    names = {
        "ok": QCoreApplication.translate("DeviceStateName", "OK"),
        "degraded": QCoreApplication.translate("DeviceStateName", "Degraded"),
        "fault": QCoreApplication.translate("DeviceStateName", "Fault"),
        "restarting": QCoreApplication.translate("DeviceStateName", "Restarting"),
    }
    return names.get(state, state)


def device_kind_name(kind: str) -> str:
    names = {
        "camera": QCoreApplication.translate("DeviceKindName", "Camera"),
        "pa": QCoreApplication.translate("DeviceKindName", "PA / broadcast"),
        "alarm_input": QCoreApplication.translate("DeviceKindName", "Alarm input"),
        "patrol_reader": QCoreApplication.translate("DeviceKindName", "Patrol reader"),
    }
    return names.get(kind, kind)
