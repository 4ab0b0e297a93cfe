"""Display names of roles and permissions, in the interface language, for tables and the status bar.

The hub names roles and permissions with stable English identifiers (services/access/roles.py);
the console never shows those identifiers when it has a name for them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

# The order roles are offered in (least to most power), the same order as the role table.
ROLES = ("operator", "dispatcher", "drill_coordinator", "district_viewer", "administrator")
# The role whose view is limited to one district: it needs a district when created or edited.
DISTRICT_ROLE = "district_viewer"


def role_name(role: str) -> str:
    names = {
        "operator": QCoreApplication.translate("RoleName", "Operator"),
        "dispatcher": QCoreApplication.translate("RoleName", "Dispatcher"),
        "drill_coordinator": QCoreApplication.translate("RoleName", "Drill coordinator"),
        "district_viewer": QCoreApplication.translate("RoleName", "District viewer"),
        "administrator": QCoreApplication.translate("RoleName", "Administrator"),
    }
    return names.get(role, role)


def permission_name(permission: str) -> str:
    names = {
        "view": QCoreApplication.translate("PermissionName", "View the city"),
        "command_routine": QCoreApplication.translate("PermissionName", "Routine commands"),
        "broadcast_routine": QCoreApplication.translate("PermissionName", "Routine broadcasts"),
        "broadcast_drill": QCoreApplication.translate("PermissionName", "Drill broadcasts"),
        "broadcast_emergency": QCoreApplication.translate("PermissionName", "Emergency broadcasts"),
        "city_wide": QCoreApplication.translate("PermissionName", "City-wide actions"),
        "manage_agents": QCoreApplication.translate("PermissionName", "Manage school agents"),
        "manage_consoles": QCoreApplication.translate("PermissionName", "Manage consoles"),
        "manage_operators": QCoreApplication.translate("PermissionName", "Manage operators"),
        "read_audit": QCoreApplication.translate("PermissionName", "Read the audit record"),
    }
    return names.get(permission, permission)
