"""Alarms and incidents without Qt: the alarm-type catalog and the hub's incident book (docs/incidents.md)."""
