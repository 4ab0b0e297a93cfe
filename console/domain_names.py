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
