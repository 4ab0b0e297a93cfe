"""Alarms and incidents at the console: the queue, the incident panel, sounds, map and wall links,
the incident report. The hub owns every incident; the console shows them and sends requests."""
