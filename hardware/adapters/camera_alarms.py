"""Alarms from a camera's health polls: tampering (blocked, moved, sprayed) and loss (no answer).

Shared by the real camera adapter and its simulator, so both raise them by the same rules:
- camera_loss once the camera has failed `loss_after` health polls in a row, once per outage (a
  single missed poll is a network hiccup, not an alarm); an answer ends the outage;
- camera_tamper when the camera's own tamper detection turns on, once until it turns off again.
"""

from __future__ import annotations

import logging

from hardware.adapters.alarm_event import CAMERA_LOSS, CAMERA_TAMPER, alarm_event
from hardware.adapters.base import AdapterOptionError, DeviceEvent

log = logging.getLogger(__name__)


class CameraAlarmWatch:
    def __init__(self, camera_id: str, location: str, loss_after: int = 3) -> None:
        if loss_after < 1:
            raise AdapterOptionError(f"option 'loss_after' must be at least 1, not {loss_after}")
        self.camera_id = camera_id
        self.location = location or camera_id
        self.loss_after = loss_after
        self.missed = 0
        self.tampered = False

    @property
    def lost(self) -> bool:
        return self.missed >= self.loss_after

    def observe(self, answered: bool, tampered: bool | None = None, detail: str = "") -> list[DeviceEvent]:
        """One health poll's outcome; returns the alarms it raises (none most of the time).

        *tampered* is None when the camera's answer said nothing about tampering.
        """
        events: list[DeviceEvent] = []
        if not answered:
            self.missed += 1
            if self.missed == self.loss_after:
                log.info("camera %s lost after %d failed polls: %s", self.camera_id, self.missed, detail)
                events.append(
                    alarm_event(CAMERA_LOSS, self.location, camera=self.camera_id, detail=detail[:200])
                )
            return events
        if self.lost:
            log.info("camera %s answers again", self.camera_id)
        self.missed = 0
        if tampered is None:
            return events
        if tampered and not self.tampered:
            events.append(
                alarm_event(CAMERA_TAMPER, self.location, camera=self.camera_id, detail=detail[:200])
            )
        self.tampered = tampered
        return events
