"""A moto server on 127.0.0.1 for tests that run pressroom in other processes (CLI, workers)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer


@contextmanager
def moto_server() -> Iterator[str]:
    """The endpoint URL of a fresh moto server.

    Every moto server of a process shares one in-memory account, so it is reset first: queues,
    buckets and messages a previous test left (a message in the DLQ, say) must not leak into this one.
    """
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=30).close()
    try:
        yield endpoint
    finally:
        server.stop()
