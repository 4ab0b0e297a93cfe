"""The wire protocol between school agents, the hub and consoles (docs/protocol.md)."""
