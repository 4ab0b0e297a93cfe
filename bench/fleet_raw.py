"""The raw reference for bench.fleet: N bare pyzmq DEALERs with CURVE answering pings.

`python -m bench.fleet_raw ENDPOINT SERVER_KEY COUNT` opens COUNT DEALERs (own key pairs) to a
CURVE ROUTER, says "hi" on each, then answers every "ping" frame with "pong" until it gets "bye".
bench.fleet runs several of these processes against its own bare ROUTER, same N as the fleet.
"""

from __future__ import annotations

import resource
import sys

import zmq


def main() -> int:
    endpoint, server_key, count = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    ctx = zmq.Context(io_threads=1)
    ctx.set(zmq.MAX_SOCKETS, count + 64)
    poller = zmq.Poller()
    socks = []
    prefix = sys.argv[4] if len(sys.argv) > 4 else "raw"
    for i in range(count):
        public, secret = zmq.curve_keypair()
        s = ctx.socket(zmq.DEALER)
        # A fixed routing id: a dealer that reconnects under load is still the same peer.
        s.setsockopt(zmq.ROUTING_ID, f"{prefix}-{i}".encode())
        s.curve_publickey, s.curve_secretkey, s.curve_serverkey = public, secret, server_key
        s.linger = 0
        s.connect(endpoint)
        s.send(b"hi")
        poller.register(s, zmq.POLLIN)
        socks.append(s)
    running = True
    while running:
        for s, _ev in poller.poll(1000):
            while True:
                try:
                    frame = s.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                if frame == b"bye":
                    running = False
                else:
                    s.send(b"pong")
    for s in socks:
        s.close(linger=0)
    ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
