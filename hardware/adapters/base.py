"""The device adapter interface every camera, PA, alarm input and patrol reader implements.

An adapter is async and never blocks the event loop (thousands of agents share one loop in the
fleet simulator): slow or blocking I/O goes through asyncio streams or `asyncio.to_thread`.
The supervisor (hardware/supervisor.py) drives it: `start`, then `run` as a task alongside periodic
`health` calls, `stop` on shutdown or before a restart.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from services.protocol.agent_messages import ArgValue, DeviceStatus

DeviceKind = Literal["camera", "pa", "alarm_input", "patrol_reader"]
Result = dict[str, ArgValue]
Handler = Callable[[Mapping[str, ArgValue]], Awaitable[Result]]


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """Something a device reports; the agent stores it in the outbox and sends it to the hub."""

    kind: str
    priority: Literal["alarm", "normal"] = "normal"
    details: dict[str, ArgValue] = field(default_factory=dict)


EventSink = Callable[["DeviceAdapter", DeviceEvent], None]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command an adapter handles; start/stop actions of one activity name their activity."""

    handler: Handler
    activity: str | None = None
    role: Literal["start", "stop"] | None = None


class CommandFailed(Exception):
    """Raised by a command handler to report a failure with a reason the operator will read."""


class AdapterOptionError(ValueError):
    """An adapter's options in the config file are wrong; the message names the option."""


class DeviceAdapter(abc.ABC):
    kind: ClassVar[DeviceKind]

    def __init__(self, device_id: str) -> None:
        self.device_id = device_id
        self._emit: EventSink | None = None

    def bind(self, emit: EventSink) -> None:
        """Set the callback for events (done by the agent before the first start)."""
        self._emit = emit

    def emit(self, event: DeviceEvent) -> None:
        if self._emit is not None:
            self._emit(self, event)

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open the device. Raise to report it cannot be opened (the supervisor retries)."""

    async def run(self) -> None:
        """Background work (polling inputs, ...). Returning or raising means the device failed."""
        await asyncio.Event().wait()

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Release the device. Must be safe after a failed start."""

    @abc.abstractmethod
    async def health(self) -> DeviceStatus:
        """The device's current health; raising or hanging counts as a fault."""

    def commands(self) -> Mapping[str, CommandSpec]:
        """Command actions this adapter handles, by action name."""
        return {}

    def status(
        self, state: Literal["ok", "degraded", "fault", "restarting"], detail: str = ""
    ) -> DeviceStatus:
        return DeviceStatus(device_id=self.device_id, kind=self.kind, state=state, detail=detail)


def take(
    options: dict[str, Any], name: str, kind: type, default: Any = None, *, required: bool = False
) -> Any:
    """Pop one typed option; wrong types and missing required options raise AdapterOptionError."""
    if name not in options:
        if required:
            raise AdapterOptionError(f"missing option {name!r}")
        return default
    value = options.pop(name)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise AdapterOptionError(f"option {name!r} must be {kind.__name__}, not {type(value).__name__}")
    return value


def no_more(options: dict[str, Any]) -> None:
    if options:
        raise AdapterOptionError(f"unknown option(s): {', '.join(sorted(options))}")
