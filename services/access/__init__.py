"""Operators, roles, permissions, login sessions and the audit record (docs/access.md)."""
