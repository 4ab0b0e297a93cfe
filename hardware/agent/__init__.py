"""The school agent: one per school, one connection to the hub, a durable outbox, device adapters."""

AGENT_VERSION = "0.1.0"
