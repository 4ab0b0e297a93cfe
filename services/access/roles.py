"""Roles, permissions and the one permission matrix the hub enforces (docs/access.md).

The console hides what an operator may not do, but the hub decides: every console request and
every command an operator sends to schools is checked here first. Keeping the matrix as plain
data means the tests can walk every (request, role) pair and the README can print it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from services.protocol.agent_messages import ArgValue


class Role(enum.StrEnum):
    OPERATOR = "operator"  # 值班员: watches, handles alarms, routine commands and broadcasts
    DISPATCHER = "dispatcher"  # 调度员: everything operational, emergency broadcasts, city-wide
    DRILL_COORDINATOR = "drill_coordinator"  # 演练协调员: drills and drill broadcasts
    DISTRICT_VIEWER = "district_viewer"  # 区县查看员: sees one district, changes nothing
    ADMINISTRATOR = "administrator"  # 管理员: everything, plus agents, consoles, operators, audit


class Permission(enum.StrEnum):
    VIEW = "view"  # the live city state, agents' details and command history (scoped for viewers)
    COMMAND_ROUTINE = "command_routine"  # ping, device checks, stop of a routine activity
    BROADCAST_ROUTINE = "broadcast_routine"
    BROADCAST_DRILL = "broadcast_drill"
    BROADCAST_EMERGENCY = "broadcast_emergency"
    CITY_WIDE = "city_wide"  # any command to more than one district
    HANDLE_ALARMS = "handle_alarms"  # acknowledge, own, work and resolve incidents; raise alarms by hand
    MANAGE_AGENTS = "manage_agents"  # enrollment tokens, accept / reject / revoke agents
    MANAGE_CONSOLES = "manage_consoles"  # console keys
    MANAGE_OPERATORS = "manage_operators"
    READ_AUDIT = "read_audit"  # search, export and verify the audit record


ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.OPERATOR: frozenset(
        {
            Permission.VIEW,
            Permission.COMMAND_ROUTINE,
            Permission.BROADCAST_ROUTINE,
            Permission.HANDLE_ALARMS,
        }
    ),
    Role.DISPATCHER: frozenset(
        {
            Permission.VIEW,
            Permission.COMMAND_ROUTINE,
            Permission.BROADCAST_ROUTINE,
            Permission.BROADCAST_EMERGENCY,
            Permission.CITY_WIDE,
            Permission.HANDLE_ALARMS,
        }
    ),
    Role.DRILL_COORDINATOR: frozenset(
        {Permission.VIEW, Permission.BROADCAST_DRILL, Permission.CITY_WIDE}
    ),
    Role.DISTRICT_VIEWER: frozenset({Permission.VIEW}),
    Role.ADMINISTRATOR: frozenset(Permission),
}

# Roles whose view of the city is limited to one district (the operator's `district_code`).
SCOPED_ROLES = frozenset({Role.DISTRICT_VIEWER})

# What each console request needs. `send_command` is checked further by the command's action
# (COMMAND_PERMISSIONS) and target (CITY_WIDE). Requests not listed here are refused.
REQUEST_PERMISSIONS: Mapping[str, Permission] = {
    "send_command": Permission.VIEW,  # the real check is per action, below
    "command_status": Permission.VIEW,
    "school_commands": Permission.VIEW,
    "school_agent": Permission.VIEW,
    "list_agents": Permission.MANAGE_AGENTS,
    "decide_enrollment": Permission.MANAGE_AGENTS,
    "create_token": Permission.MANAGE_AGENTS,
    "add_console_key": Permission.MANAGE_CONSOLES,
    "list_operators": Permission.MANAGE_OPERATORS,
    "create_operator": Permission.MANAGE_OPERATORS,
    "update_operator": Permission.MANAGE_OPERATORS,
    "reset_password": Permission.MANAGE_OPERATORS,
    "unlock_operator": Permission.MANAGE_OPERATORS,
    "audit_search": Permission.READ_AUDIT,
    "audit_verify": Permission.READ_AUDIT,
    # Incidents (docs/incidents.md): looking is VIEW (scoped for district viewers), working is not.
    "incident_history": Permission.VIEW,
    "incident_timeline": Permission.VIEW,
    "raise_alarm": Permission.HANDLE_ALARMS,
    "incident_ack": Permission.HANDLE_ALARMS,
    "incident_take": Permission.HANDLE_ALARMS,
    "incident_release": Permission.HANDLE_ALARMS,
    "incident_transfer": Permission.HANDLE_ALARMS,
    "incident_accept": Permission.HANDLE_ALARMS,
    "incident_decline": Permission.HANDLE_ALARMS,
    "incident_step": Permission.HANDLE_ALARMS,
    "incident_note": Permission.HANDLE_ALARMS,
    "incident_action": Permission.HANDLE_ALARMS,
    "incident_resolve": Permission.HANDLE_ALARMS,
    # Broadcasts (docs/broadcasts.md): sending is decided by the broadcast's priority (and target)
    # inside the handler, like send_command; stopping one is routine; looking is VIEW.
    "broadcast_send": Permission.VIEW,
    "broadcast_stop": Permission.BROADCAST_ROUTINE,
    "broadcast_history": Permission.VIEW,
    "broadcast_status": Permission.VIEW,
}

# Requests every logged-in operator may make about their own session.
SELF_REQUESTS = frozenset({"logout", "change_password", "whoami"})

BROADCAST_PRIORITIES: Mapping[str, Permission] = {
    "routine": Permission.BROADCAST_ROUTINE,
    "drill": Permission.BROADCAST_DRILL,
    "emergency": Permission.BROADCAST_EMERGENCY,
}

# Commands to schools by action. broadcast_start is decided by its `priority` argument.
COMMAND_PERMISSIONS: Mapping[str, Permission] = {
    "ping": Permission.COMMAND_ROUTINE,
    "device_check": Permission.COMMAND_ROUTINE,
    "sleep": Permission.COMMAND_ROUTINE,
    "sleep_stop": Permission.COMMAND_ROUTINE,
    "stop": Permission.COMMAND_ROUTINE,
    "broadcast_stop": Permission.BROADCAST_ROUTINE,
}


@dataclass(frozen=True, slots=True)
class CommandRule:
    """What a command needs: its permission and whether a city-wide send must be confirmed."""

    permission: Permission
    # Emergency and drill broadcasts to the whole city are the acts a slip must never trigger.
    confirm_city_wide: bool


def command_rule(action: str, args: Mapping[str, ArgValue]) -> CommandRule | None:
    """The rule for one command, or None for an action no operator may send."""
    if action == "broadcast_start":
        priority = args.get("priority", "routine")
        permission = BROADCAST_PRIORITIES.get(priority) if isinstance(priority, str) else None
        if permission is None:
            return None
        return CommandRule(permission, confirm_city_wide=priority in ("emergency", "drill"))
    permission = COMMAND_PERMISSIONS.get(action)
    return CommandRule(permission, confirm_city_wide=False) if permission is not None else None


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[role]


def may(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def needs_confirmation(rule: CommandRule, city_wide: bool) -> bool:
    """City-wide emergency and drill actions are confirmed a second time before the hub sends them."""
    return city_wide and rule.confirm_city_wide
