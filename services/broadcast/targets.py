"""Who a broadcast goes to: the whole city, whole districts, single schools; and the PA zones.

The console shows the number of schools before sending, computed here the way the hub expands a
target (services/hub/console_api.py `_target_size`): the city is every school the hub knows; a
district is every school in it; named schools are added; each school counts once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.protocol.agent_messages import DeviceStatus

ALL_ZONES = "all"
# A PA adapter names its zones in its status detail, e.g. "zones: all, outdoor, teaching_building"
# (also "zones=a,b"); anything after a ";" or "|" is other detail ("playing <clip>").
_ZONES = re.compile(r"zones\s*[:=]\s*([^;|]*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TargetChoice:
    all_schools: bool = False
    districts: tuple[str, ...] = ()  # adcodes
    schools: tuple[str, ...] = ()  # school codes

    @property
    def is_empty(self) -> bool:
        return not self.all_schools and not self.districts and not self.schools

    def as_args(self) -> dict[str, object]:
        """The `target` argument of the hub's broadcast_send."""
        if self.all_schools:
            return {"schools": [], "districts": [], "all": True}
        return {"schools": sorted(self.schools), "districts": sorted(self.districts), "all": False}


def expand(choice: TargetChoice, school_districts: Mapping[str, str]) -> set[str]:
    """The school codes *choice* reaches; *school_districts* maps each known school to its adcode.

    Named schools the city does not know are kept (the hub reports them as having no agent)."""
    if choice.all_schools:
        return set(school_districts)
    wanted = set(choice.districts)
    reached = {code for code, district in school_districts.items() if district in wanted}
    reached.update(choice.schools)
    return reached


def districts_reached(schools: Iterable[str], school_districts: Mapping[str, str]) -> set[str]:
    """The districts of *schools* (a target over more than one district needs `city_wide`)."""
    return {school_districts[code] for code in schools if code in school_districts}


def pa_zones(devices: Iterable[DeviceStatus]) -> list[str]:
    """The PA zones a school's agent reports in its PA devices' status ("all" first, then sorted)."""
    zones: set[str] = set()
    for device in devices:
        if device.kind != "pa":
            continue
        match = _ZONES.search(device.detail)
        if match is not None:
            zones.update(z.strip() for z in match.group(1).split(",") if z.strip())
    zones.discard(ALL_ZONES)
    return [ALL_ZONES, *sorted(zones)]
