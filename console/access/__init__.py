"""Operators at the console: login, idle lock, who may do what, operators and audit pages.

The hub decides every permission; this package shows the operator only what the hub will allow,
asks for the second confirmation of city-wide emergency actions, and lets administrators manage
operators and search, verify and export the audit record.
"""
