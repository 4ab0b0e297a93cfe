"""The hub: the bureau side of the school network (docs/protocol.md).

One socket thread owns the agent, enrollment and console sockets; one writer thread owns database
writes; a ZAP thread checks CURVE keys against in-memory allow-lists.
"""
