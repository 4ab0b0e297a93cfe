"""Creating the hub's CURVE server sockets with the options that matter at fleet scale."""

from __future__ import annotations

import logging
import re
import resource

import zmq

log = logging.getLogger(__name__)

# Frames above this are cut off by libzmq (the connection is dropped); frames between the
# protocol limit (64 KiB) and this get a `too_large` error reply. Bounds memory per message.
TRANSPORT_MAX_MSG_BYTES = 1024 * 1024

_PORT_ZERO = re.compile(r"^(tcp://[^:]+|tcp://\[[^\]]+\]):0$")


def raise_fd_limit() -> int:
    """Raise RLIMIT_NOFILE to the hard limit: every agent connection is a file descriptor."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:
            log.warning("cannot raise the open-file limit from %d to %d: %s", soft, hard, exc)
    log.info("open-file limit: %d", soft)
    return soft


def curve_router(
    context: zmq.Context[zmq.Socket[bytes]],
    *,
    secret_key: bytes,
    public_key: bytes,
    zap_domain: str,
    endpoint: str,
    heartbeat_interval_s: float,
    sndhwm: int = 1000,
    rcvhwm: int = 10000,
) -> tuple[zmq.Socket[bytes], str]:
    """A bound ROUTER that authenticates every peer with CURVE + ZAP and fails closed.

    Returns the socket and the endpoint as bound (a port 0 becomes a real free port).
    """
    sock: zmq.Socket[bytes] = context.socket(zmq.ROUTER)
    try:
        sock.curve_server = True
        sock.curve_secretkey = secret_key
        sock.curve_publickey = public_key
        sock.zap_domain = zap_domain.encode()
        # Without a ZAP handler a CURVE server would let any key in; this refuses instead.
        sock.setsockopt(zmq.ZAP_ENFORCE_DOMAIN, 1)
        # A send to a peer that is gone raises EHOSTUNREACH instead of vanishing silently.
        sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        # ZMTP heartbeats reap dead peers the application would otherwise think connected.
        ivl_ms = max(1000, int(heartbeat_interval_s * 1000))
        sock.setsockopt(zmq.HEARTBEAT_IVL, ivl_ms)
        sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, ivl_ms * 3)
        sock.setsockopt(zmq.HEARTBEAT_TTL, ivl_ms * 3)
        sock.setsockopt(zmq.TCP_KEEPALIVE, 1)
        sock.setsockopt(zmq.TCP_KEEPALIVE_IDLE, 60)
        sock.setsockopt(zmq.TCP_KEEPALIVE_INTVL, 10)
        sock.setsockopt(zmq.TCP_KEEPALIVE_CNT, 3)
        sock.setsockopt(zmq.SNDHWM, sndhwm)
        sock.setsockopt(zmq.RCVHWM, rcvhwm)
        sock.setsockopt(zmq.MAXMSGSIZE, TRANSPORT_MAX_MSG_BYTES)
        sock.setsockopt(zmq.BACKLOG, 4096)
        sock.setsockopt(zmq.LINGER, 0)
        bound = bind(sock, endpoint)
    except Exception:
        sock.close(linger=0)
        raise
    return sock, bound


def bind(sock: zmq.Socket[bytes], endpoint: str) -> str:
    match = _PORT_ZERO.match(endpoint)
    if match:
        port = sock.bind_to_random_port(match.group(1))
        return f"{match.group(1)}:{port}"
    sock.bind(endpoint)
    last = sock.getsockopt(zmq.LAST_ENDPOINT)
    return last.decode() if isinstance(last, bytes) else endpoint
