"""Simulated devices with the same adapter interface, for demos, tests and the fleet simulator."""
