"""A fault-injecting HTTP proxy in front of a moto server, and readers of the traffic it saw.

The event path promises the same site whatever AWS does on the way (SPEC 3.3.4): throttling,
5xx, slow answers, and the ambiguous case where a write took effect but the caller saw an error.
Pointing `AWS_ENDPOINT_URL` at a `FaultProxy` makes real boto3 clients in other processes meet
those faults. The proxy also records every request it forwarded, in order, so a test can check
what was really written to the site bucket and which CloudFront invalidations followed.

Faults are drawn from one `random.Random(seed)`: the sequence of decisions is fixed by the seed,
though with several clients at once which request meets which decision follows arrival order.
"""

from __future__ import annotations

import http.client
import random
import re
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import Message
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit


class Fault(Enum):
    NONE = "none"
    REFUSE = "refuse"
    """Answer 503 SlowDown / 400 ThrottlingException without forwarding: nothing happened."""
    FAIL_AFTER = "fail_after"
    """Forward, then answer 500: the request took effect but the caller saw an error."""
    DROP_AFTER = "drop_after"
    """Forward, then close the connection without an answer: a timeout after the fact."""
    DELAY = "delay"
    """Wait a little, then forward: slow AWS, and more interleaving between workers."""


DEFAULT_SERVICES = frozenset({"s3", "dynamodb", "cloudfront"})
"""SQS is left alone by default: a lost ReceiveMessage answer hides messages for the whole visibility timeout."""


@dataclass(frozen=True)
class FaultPlan:
    """Which fraction of the requests to `services` meets which fault, and the seed that draws them."""

    seed: int = 0
    refuse: float = 0.0
    fail_after: float = 0.0
    drop_after: float = 0.0
    delay: float = 0.0
    max_delay_seconds: float = 0.2
    services: frozenset[str] = DEFAULT_SERVICES

    @classmethod
    def mixed(cls, rate: float, seed: int, services: frozenset[str] = DEFAULT_SERVICES) -> FaultPlan:
        """`rate` of the requests faulted, split evenly between the four kinds of fault."""
        share = rate / 4
        return cls(seed, share, share, share, share, services=services)


@dataclass(frozen=True)
class Exchange:
    """One request forwarded to moto; `sent` and `answered` number events in the proxy's own order."""

    service: str
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    status: int
    fault: Fault
    sent: int
    answered: int

    @property
    def took_effect(self) -> bool:
        return 200 <= self.status < 300


_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "expect", "content-length"})


def service_of(authorization: str) -> str:
    """The AWS service a request is signed for (`s3`, `dynamodb`, ...), from its SigV4 credential scope."""
    match = _CREDENTIAL_SCOPE.search(authorization)
    return match.group(1) if match else "unknown"


def refusal(service: str) -> tuple[int, str, bytes]:
    """What a busy service answers before doing anything: status, Content-Type, body."""
    if service == "dynamodb":
        body = '{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}'
        return 400, "application/x-amz-json-1.0", body.encode()
    if service == "s3":
        return (
            503,
            "application/xml",
            b"<Error><Code>SlowDown</Code><Message>Reduce your request rate</Message></Error>",
        )
    return 503, "application/xml", b"<Error><Code>ServiceUnavailable</Code><Message>Injected</Message></Error>"


def internal_error(service: str) -> tuple[int, str, bytes]:
    """What a service answers when it failed after (perhaps) doing the work."""
    if service == "dynamodb":
        body = '{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Injected"}'
        return 500, "application/x-amz-json-1.0", body.encode()
    return 500, "application/xml", b"<Error><Code>InternalError</Code><Message>Injected</Message></Error>"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: FaultProxy

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed worker resets its connections
            super().handle_error(request, client_address)


class _Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as boto3 expects
    # One buffered write per answer, sent at once: headers and body in two small writes would
    # otherwise meet Nagle's algorithm and delayed ACKs, 40 ms a request.
    wbufsize = -1
    disable_nagle_algorithm = True

    def handle_expect_100(self) -> bool:
        accepted = super().handle_expect_100()
        self.wfile.flush()  # boto3 waits (one second) for this `100 Continue` before sending a body
        return accepted

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would bury a failing test's output

    def _relay(self) -> None:
        proxy = cast(_Server, self.server).proxy
        # boto3 sends a Content-Length with every request these tests make (no chunked bodies).
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        service = service_of(self.headers.get("Authorization", ""))
        fault = proxy.choose(service)
        if fault is Fault.REFUSE:
            status, type_, error = refusal(service)
            return self._answer(status, [("Content-Type", type_)], error)
        if fault is Fault.DELAY:
            time.sleep(proxy.delay_seconds())
        status, headers, answer = proxy.forward(service, self.command, self.path, self.headers, body, fault)
        if fault is Fault.DROP_AFTER:
            self.close_connection = True  # nothing written: the client sees the connection close
            return None
        if fault is Fault.FAIL_AFTER:
            status, type_, error = internal_error(service)
            return self._answer(status, [("Content-Type", type_)], error)
        return self._answer(status, headers, answer)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        length = str(len(body))
        for name, value in headers:
            if name.lower() == "content-length" and self.command == "HEAD":
                length = value  # a HEAD answer gives the object's length, without the object
            elif name.lower() not in _HOP_BY_HOP and name.lower() not in {"server", "date"}:
                self.send_header(name, value)
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class FaultProxy:
    """An HTTP proxy on 127.0.0.1 (port chosen by the OS) in front of `upstream`, faulting per `plan`."""

    def __init__(self, upstream: str, plan: FaultPlan | None = None) -> None:
        self.plan = plan or FaultPlan()
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._random = random.Random(self.plan.seed)
        self._changed = threading.Condition()
        self._clock = 0
        self._exchanges: list[Exchange] = []
        self.faults: Counter[Fault] = Counter()
        self._held: Callable[[Exchange], bool] | None = None
        self._released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Relay)
        self._server.proxy = self
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def exchanges(self) -> list[Exchange]:
        with self._changed:
            return list(self._exchanges)

    def choose(self, service: str) -> Fault:
        """The next fault for a request to `service`: one draw from the seeded sequence per request."""
        plan = self.plan
        with self._changed:
            draw = self._random.random()
            if service not in plan.services:
                return Fault.NONE
            fault = Fault.NONE
            for candidate, share in (
                (Fault.REFUSE, plan.refuse),
                (Fault.FAIL_AFTER, plan.fail_after),
                (Fault.DROP_AFTER, plan.drop_after),
                (Fault.DELAY, plan.delay),
            ):
                if draw < share:
                    fault = candidate
                    break
                draw -= share
            if fault is not Fault.NONE:
                self.faults[fault] += 1
            return fault

    def hold(self, wanted: Callable[[Exchange], bool]) -> None:
        """From now on, the answer to a request matching `wanted` waits for `release`: a test that
        kills the client after such a request knows the client did nothing after it, however
        loaded the machine (a thread woken late would let it go on)."""
        self._released.clear()
        self._held = wanted

    def release(self) -> None:
        self._held = None
        self._released.set()

    def delay_seconds(self) -> float:
        with self._changed:
            return self._random.uniform(0, self.plan.max_delay_seconds)

    def _tick(self) -> int:
        with self._changed:
            self._clock += 1
            return self._clock

    def forward(
        self, service: str, method: str, target: str, headers: Message, body: bytes, fault: Fault
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send the request to moto and record it; returns moto's status, headers and body."""
        sent = self._tick()
        connection = http.client.HTTPConnection(*self._upstream, timeout=120)
        try:
            kept = {name: value for name, value in headers.items() if name.lower() not in _HOP_BY_HOP}
            connection.request(method, target, body=body, headers=kept)
            response = connection.getresponse()
            answer = response.read()
            status, answer_headers = response.status, response.getheaders()
        finally:
            connection.close()
        parts = urlsplit(target)
        with self._changed:
            self._clock += 1
            exchange = Exchange(
                service,
                method,
                unquote(parts.path),
                parse_qs(parts.query, True),
                body,
                status,
                fault,
                sent,
                self._clock,
            )
            self._exchanges.append(exchange)
            self._changed.notify_all()
        held = self._held
        if held is not None and held(exchange):
            self._released.wait(timeout=120)
        return status, answer_headers, answer

    def wait_for(self, wanted: Callable[[Exchange], bool], count: int = 1, timeout: float = 120.0) -> bool:
        """Block until `count` forwarded requests match `wanted` (True), or `timeout` passes (False)."""
        deadline = time.monotonic() + timeout
        seen = matched = 0
        with self._changed:
            while True:
                matched += sum(1 for exchange in self._exchanges[seen:] if wanted(exchange))
                seen = len(self._exchanges)
                if matched >= count:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)


# -- reading the recorded traffic ---------------------------------------------------------------
def _object_key(exchange: Exchange, bucket: str) -> str | None:
    prefix = f"/{bucket}/"
    return exchange.path[len(prefix) :] if exchange.path.startswith(prefix) else None


def _xml_texts(body: bytes, tag: str) -> list[str]:
    return [node.text or "" for node in ElementTree.fromstring(body).iter() if node.tag.rsplit("}", 1)[-1] == tag]


def bucket_changes(exchanges: Iterable[Exchange], bucket: str) -> list[tuple[int, str]]:
    """Every key written or deleted in `bucket` (that moto accepted), with when moto answered."""
    changes: list[tuple[int, str]] = []
    for exchange in exchanges:
        if exchange.service != "s3" or not exchange.took_effect:
            continue
        key = _object_key(exchange, bucket)
        if exchange.method in {"PUT", "DELETE"} and key and set(exchange.query) <= {"x-id"}:
            changes.append((exchange.answered, key))
        elif exchange.method == "POST" and exchange.path.rstrip("/") == f"/{bucket}" and "delete" in exchange.query:
            changes.extend((exchange.answered, deleted) for deleted in _xml_texts(exchange.body, "Key"))
    return changes


def invalidations_sent(exchanges: Iterable[Exchange]) -> list[tuple[int, list[str]]]:
    """The paths of every CloudFront invalidation moto accepted, with when it was sent."""
    return [
        (exchange.sent, _xml_texts(exchange.body, "Path"))
        for exchange in exchanges
        if exchange.service == "cloudfront"
        and exchange.method == "POST"
        and exchange.path.endswith("/invalidation")
        and exchange.took_effect
    ]


def covers(pattern: str, path: str) -> bool:
    """A CloudFront invalidation path covers itself, and everything under it when it ends in `*`."""
    return pattern == path or (pattern.endswith("*") and path.startswith(pattern[:-1]))
