"""A deterministic simulation of the event path, in the manner of FoundationDB's: one process,
in-memory fakes of S3, DynamoDB, CloudFront and SQS (`adapters.memory`), and a scheduler that
decides, at every request any worker makes, which worker goes next and whether the request
crashes its worker (the process dies: nothing it does afterwards reaches the world), is refused
(the worker sees an error, nothing happened) or takes effect and loses its answer (the worker
sees an error).

Each simulated actor is a thread, but only one runs at a time: every request waits at the gate
until the scheduler hands it the turn, so a run is a function of its schedule alone. `explore`
enumerates schedules depth-first with a bound on preemptions (CHESS-style); `inject` runs one
schedule with a fault at each request boundary in turn. After the scheduled part, whatever
failed is delivered again a second later (as `pressroom worker` gives a failed message back),
and each message the engine sent itself once its delay is up, the clock moving on to the next
delivery, until the queue is empty; the site must then equal the full build, with every write
and delete followed by an invalidation that covers it. The time the clock moved on while work
was waiting (a lease to run out, say) is the run's `waited`: a crash may cost a dead holder's
lease, nothing else may cost any wait.
"""

from __future__ import annotations

import contextlib
import itertools
import posixpath
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pressroom.adapters.memory import Gate, MemoryBucket, MemoryCdn, MemoryQueue, MemorySite, MemoryTable, Resent
from pressroom.core.build import build_site
from pressroom.core.reading.config import is_settings_key
from pressroom.core.rendering.mime import Headers
from pressroom.core.site.urls import key_to_paths
from pressroom.engine import fanout
from pressroom.engine.ahead import make_variants_ahead
from pressroom.engine.control import Control, LeaseLost
from pressroom.engine.engine_settings import LEASE_SECONDS
from pressroom.engine.invocation import Ports
from pressroom.engine.publisher import Publisher
from pressroom.engine.table_layout import AHEAD

NOW = datetime(2026, 11, 29, tzinfo=UTC)
TICK_SECONDS = 0.5
"""How far the clock moves at each request: a holder renews its lease every fifteen or so, so
renewals meet faults too, and a lease (120 requests) still outlasts whatever the other workers do
while a holder waits at one of its requests."""
REDELIVERY_SECONDS = 1.0
"""When a failed invocation's event comes back (`pressroom worker` gives failed messages back
after a second; Lambda's event source mapping after the visibility timeout)."""
LEASE_CALLS = {Control.try_acquire.__code__: "take", Control.extend.__code__: "renew", Control.release.__code__: "free"}
"""The lease requests, by the Control method that makes them."""
AHEAD_WRITE = make_variants_ahead.__code__
"""Where an invocation writes variants ahead of the lease (`engine.ahead`), before it records its change."""


class Crash(BaseException):
    """The worker's process died at this request (a BaseException: nothing should catch it)."""


class LostAnswer(Exception):
    """The request took effect, but its answer never came back (a timeout, a 500)."""


class Refused(Exception):
    """The request was refused before it acted (throttling, a 503): nothing happened."""


@dataclass(frozen=True)
class Fault:
    at: int
    """The request number (in the run, counting every worker) it strikes; for "crash ahead", the
    number of the variant written ahead of the lease (in the run) after which its worker dies."""
    kind: str
    """"crash" (before the request acts), "refused" (it did not act, the worker sees an error),
    "lost" (after it acted), "resent" (it acted, its answer was lost and the SDK sent it again) or
    "crash ahead" (the worker dies at its next request after that variant's write: between the
    writes made ahead and the inbox's record of its change)."""


@dataclass
class Change:
    key: str
    body: bytes | None


class _Actor:
    def __init__(self, name: str, body: Callable[[], None]) -> None:
        self.name = name
        self.body = body
        self.enabled = False
        self.done = False
        self.dead = False
        self.failed = False
        self.waiting: str | None = None
        self.go = threading.Event()
        self.finished: threading.Condition | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            self.body()
        except Crash:
            self.dead = True
        except Exception:
            self.failed = True
        finally:
            self.done = True
            if self.finished is not None:
                with self.finished:
                    self.finished.notify_all()


class World:
    """The fakes, a clock, and the log of every site write and invalidation in order."""

    def __init__(self, files: dict[str, bytes], tick: float = TICK_SECONDS) -> None:
        self.scheduler: Scheduler | None = None
        self.tick = tick
        gate = Gate(before=self._before, after=self._after)
        self.source = MemoryBucket(gate, "source")
        self.site = MemorySite(gate, "site")
        self.table = MemoryTable(gate)
        self.cdn = MemoryCdn(gate)
        self.queue = MemoryQueue(gate)
        self.clock = 1_000_000.0
        self.waited = 0.0
        """Seconds the clock moved on, waiting for a delivery, while work was left undone."""
        self.visible: list[float] = []
        """When each message of the queue can be received (the clock at its sending, plus its delay)."""
        self.sequence = itertools.count()
        self.writes: list[tuple[int, str]] = []
        self.invalidations: list[tuple[int, tuple[str, ...]]] = []
        self.files = dict(files)
        self.history: dict[str, list[bytes | None]] = {key: [body] for key, body in files.items()}
        """Every version each source key had, in order (None: deleted)."""
        self.site_history: dict[str, list[tuple[bytes, Headers]]] = {}
        """Every (bytes, headers) written at each key of the site bucket, in order."""
        for key, body in files.items():
            self.source.upload(key, body)
        self._wrap_logs()

    def _wrap_logs(self) -> None:
        put, delete, invalidate, send = self.site.put, self.site.delete, self.cdn.invalidate, self.queue.send

        def logged_put(key: str, body: bytes, stored: Headers) -> None:
            before = self.site.objects.get(key)
            put(key, body, stored)
            self.site_history.setdefault(key, []).append((body, stored))
            # A variant written ahead again, over the same bytes at its name (another invocation,
            # the holder, made it between this one's listing and its write): what the CDN may hold
            # of it, that first write's invalidation covered; the name says the bytes.
            if before is None or (before[0], before[2]) != (body, stored) or not _in_call(AHEAD_WRITE):
                self.writes.append((next(self.sequence), key))

        def logged_delete(keys: Any) -> None:
            keys = list(keys)
            delete(keys)
            for key in keys:
                self.writes.append((next(self.sequence), key))

        def logged_invalidate(paths: Sequence[str], reference: str) -> None:
            invalidate(paths, reference)
            self.invalidations.append((next(self.sequence), tuple(paths)))

        def timed_send(messages: Sequence[Any], delay_seconds: int = 0) -> None:
            try:
                send(messages, delay_seconds)
            finally:  # a lost answer: sent all the same
                self.visible += [self.clock + delay_seconds] * (len(self.queue.messages) - len(self.visible))

        self.site.put = logged_put  # type: ignore[method-assign]
        self.site.delete = logged_delete  # type: ignore[method-assign]
        self.cdn.invalidate = logged_invalidate  # type: ignore[method-assign]
        self.queue.send = timed_send  # type: ignore[method-assign]

    def now(self) -> float:
        return self.clock

    def work_left(self) -> dict[str, bool]:
        """What is not published yet (read as the test sees the table, not as a request)."""
        keys = {(item["pk"], item["sk"]) for item in self.table.items()}
        return {
            "inbox": any(pk == "inbox" for pk, _ in keys),
            "journal": ("journal", "head") in keys,
            "pending paths": ("pending", "paths") in keys,
        }

    def ports(self) -> Ports:
        return Ports(self.source, self.site, self.table, self.cdn, self.queue, clock=self.now)

    def _before(self, operation: str) -> None:
        self.clock += self.tick
        if self.scheduler is not None:
            self.scheduler.before(operation)

    def _after(self, operation: str) -> None:
        if self.scheduler is not None:
            self.scheduler.after(operation)

    def change(self, change: Change) -> None:
        self.history.setdefault(change.key, []).append(change.body)
        if change.body is None:
            self.files.pop(change.key, None)
            self.source.remove(change.key)
        else:
            self.files[change.key] = change.body
            self.source.upload(change.key, change.body)

    def invocation(self, keys: Sequence[str], event: str) -> None:
        """What Lambda runs for a batch: record the keys, then publish until done."""
        publisher = Publisher(self.ports(), NOW)
        publisher.accept([(f"{event}:{n}", key) for n, key in enumerate(keys)])
        # As the handler: the invocation that took the lease publishes what this one recorded.
        with contextlib.suppress(LeaseLost):
            publisher.run(deadline=self.clock + 120)

    def drain(self, pending: list[tuple[list[str], str]]) -> None:
        """Deliver again what failed (a second later), and each message once its delay is up, in
        the order they come, the clock moving on to each, until there is nothing left."""
        self.scheduler = None
        events = [(self.clock + REDELIVERY_SECONDS, keys, event) for keys, event in pending]
        rounds = 0
        while True:
            rounds += 1
            assert rounds < 50, "the site never became quiet"
            coming = [(at, n, "event") for n, (at, _, _) in enumerate(events)]
            coming += [(at, n, "message") for n, at in enumerate(self.visible)]
            if not coming:
                # Nothing will come: no redelivery, no message. Work left now would wait for the
                # next event or the hourly tick, not "within seconds".
                left = self.work_left()
                assert not any(left.values()), f"work left with nothing to come back for it: {left}"
                return
            at, n, kind = min(coming)
            if at > self.clock:
                if any(self.work_left().values()):
                    self.waited += at - self.clock
                self.clock = at
            if kind == "event":
                _, keys, event = events.pop(n)
                self.invocation(keys, event)
            else:
                self.queue.messages.pop(n)
                self.visible.pop(n)
                self.invocation([], f"continue{rounds}")

    def expected_site(
        self, published: dict[str, tuple[bytes, Headers | None]]
    ) -> dict[str, tuple[bytes, Headers | None]]:
        """The full build of the source, or one where a file that cannot be published stands for the
        page published before it (SPEC 3.3.3: bad content loses nothing): whichever good version of
        it, or none, the workers last published, so the one of those builds the site matches, if any.
        A bad file may count where it is all the same (a truncated image in a bundle is its page's
        feature image, linked as it is), so each also stays as it is in some of those builds."""
        build = build_site(self.files, NOW)
        broken = sorted(
            key for key in {error.source_key for error in build.errors} & set(self.files) if not self._good(key)
        )
        choices: list[list[bytes | None]] = []
        for key in broken:
            versions: list[bytes | None] = [self.files[key], None]
            for body in self.history.get(key, []):
                if body is not None and body not in versions and self._good(key, body):
                    versions.append(body)
            choices.append(versions)
        candidates = []
        for chosen in itertools.islice(itertools.product(*choices), 64):
            files = {k: v for k, v in self.files.items() if k not in broken}
            files.update({key: body for key, body in zip(broken, chosen, strict=True) if body is not None})
            built = build if files == self.files else build_site(files, NOW)
            candidate: dict[str, tuple[bytes, Headers | None]] = {
                k: (v, built.headers(k)) for k, v in built.outputs.items()
            }
            if candidate == published:
                return candidate
            candidates.append(candidate)
        return self._held_over(broken, candidates[0], published) or candidates[0]

    def _held_over(
        self, broken: Sequence[str], as_is: dict[str, tuple[bytes, Headers | None]], published: dict[str, Any]
    ) -> dict[str, tuple[bytes, Headers | None]] | None:
        """The build as it is, but for the copies of bad files at the URLs they would be published
        at, where what was published before stays (SPEC 3.3.3: a truncated photo's copy fails, the
        last good one stays while its pages link it as written; a bad file taking a URL over from
        one deleted leaves that one's), if that is the site."""
        names = {posixpath.basename(key) for key in broken}
        if not broken or any(published.get(key) != value for key, value in as_is.items()):
            return None
        for key in set(published) - set(as_is):
            if posixpath.basename(key) not in names or published[key] not in self.site_history.get(key, []):
                return None
        return published

    def _good(self, key: str, body: bytes | None = None) -> bool:
        """The file can be published on its own (a claim lost to another page is not bad content)."""
        alone = {k: v for k, v in self.files.items() if is_settings_key(k)} or {"site.yaml": b""}
        alone[key] = self.files[key] if body is None else body
        return key not in {error.source_key for error in build_site(alone, NOW).errors}

    def check(self) -> None:
        """The site equals the full build of the source; every write was invalidated afterwards;
        nothing is left of the writes made ahead of the lease (`engine.ahead`) but the variants
        the site shows."""
        left_ahead = sorted(item["sk"] for item in self.table.items() if item["pk"] == AHEAD)
        assert not left_ahead, f"writes made ahead still recorded for {left_ahead}"
        expected = self.expected_site(self.site.contents())
        published = self.site.contents()
        missing = sorted(set(expected) - set(published))
        extra = sorted(set(published) - set(expected))
        different = sorted(k for k in expected if k in published and published[k] != expected[k])
        assert not (missing or extra or different), f"missing {missing}, extra {extra}, different {different}"
        for at, key in self.writes:
            later = [path for when, paths in self.invalidations if when > at for path in paths]
            for path in key_to_paths(key):
                covered = path in later or any(p.endswith("*") and path.startswith(p[:-1]) for p in later)
                assert covered, f"{key} ({path}) written at {at} was never invalidated after"


class Scheduler:
    """Hands the turn to one actor at a time, following a schedule (a list of choices)."""

    def __init__(self, world: World, schedule: Sequence[int], faults: Sequence[Fault] = ()) -> None:
        self.world = world
        self.schedule = list(schedule)
        self.faults = {fault.at: fault.kind for fault in faults}
        self.lease_requests: dict[str, list[int]] = {kind: [] for kind in LEASE_CALLS.values()}
        """The numbers of the requests made to take, renew and free the lease."""
        self.crash_ahead = {fault.at for fault in faults if fault.kind == "crash ahead"}
        self.ahead_writes = 0
        """How many variants were written ahead of the lease."""
        self.doomed: set[str] = set()
        """The actors that die at their next request (a "crash ahead" struck)."""
        self.actors: list[_Actor] = []
        self.choices: list[tuple[list[int], int, int | None]] = []
        """At each step: the runnable actors, the one chosen, the one that ran before."""
        self.step = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def actor_of(self) -> _Actor | None:
        name = threading.current_thread().name
        return next((a for a in self.actors if a.name == name), None)

    def before(self, operation: str) -> None:
        actor = self.actor_of()
        if actor is None:
            return
        if actor.dead:
            raise Crash()
        with self._idle:
            actor.waiting = operation
            actor.go.clear()
            self._idle.notify_all()
        actor.go.wait()
        self.requests += 1
        if (kind := _lease_call()) is not None:
            self.lease_requests[kind].append(self.requests)
        if actor.name in self.doomed or self.faults.get(self.requests) == "crash":
            actor.dead = True
            raise Crash()
        if self.faults.get(self.requests) == "refused":
            raise Refused(operation)

    def after(self, operation: str) -> None:
        actor = self.actor_of()
        if actor is None:
            return
        if operation == "s3.put" and _in_call(AHEAD_WRITE):
            self.ahead_writes += 1
            if self.ahead_writes in self.crash_ahead:
                self.doomed.add(actor.name)
        if self.faults.get(self.requests) == "lost":
            raise LostAnswer(operation)
        if self.faults.get(self.requests) == "resent":
            self.faults.pop(self.requests)  # the repeated request is not struck again
            raise Resent(operation)

    def run(self, actors: list[_Actor]) -> None:
        self.actors = actors
        for actor in actors:
            actor.finished = self._idle
        current: int | None = None
        started: set[str] = set()
        while True:
            with self._idle:
                while True:
                    for actor in actors:
                        if actor.enabled and actor.name not in started:
                            actor.thread.start()  # it runs to its first request, then waits there
                            started.add(actor.name)
                    if not any(a.enabled and not a.done and a.waiting is None for a in actors):
                        break
                    self._idle.wait(1)
            runnable = [n for n, a in enumerate(actors) if a.enabled and not a.done and a.waiting is not None]
            if not runnable:
                if all(a.done or not a.enabled for a in actors):
                    return
                continue
            choice = self.schedule[self.step] if self.step < len(self.schedule) else None
            if choice not in runnable:
                choice = current if current in runnable else runnable[0]
            self.choices.append((runnable, choice, current))
            self.step += 1
            current = choice
            actor = actors[choice]
            actor.waiting = None
            actor.go.set()
            # Wait until it blocks again (its next request) or finishes.
            with self._idle:
                while not actor.done and actor.waiting is None:
                    self._idle.wait(1)


def _lease_call() -> str | None:
    """Which lease request (take, renew, free) the calling thread is making, if any."""
    frame = sys._getframe(2)
    while frame is not None:
        if (kind := LEASE_CALLS.get(frame.f_code)) is not None:
            return kind
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _in_call(code: Any) -> bool:
    """Whether the calling thread is inside a call of the function of this code."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


@dataclass
class Outcome:
    choices: list[tuple[list[int], int, int | None]]
    requests: int
    failed: list[str] = field(default_factory=list)
    """The invocations that failed (and were delivered again)."""
    waited: float = 0.0
    """Seconds the clock moved on while work was waiting (see `World.waited`)."""
    lease_requests: dict[str, list[int]] = field(default_factory=dict)
    ahead_writes: int = 0
    """Variants written ahead of the lease by the raced invocations (`engine.ahead`)."""


def run_scenario(
    initial: dict[str, bytes],
    changes: Sequence[Sequence[Change]],
    schedule: Sequence[int],
    faults: Sequence[Fault],
    tick: float = TICK_SECONDS,
) -> Outcome:
    """Publish `initial`, then race one invocation per group of `changes` (each group's changes made
    first, by an author who goes on with the next group whenever the schedule lets it)."""
    world = World(initial, tick)
    world.invocation(sorted(initial), "initial")
    world.drain([])
    world.writes.clear()
    world.invalidations.clear()
    world.waited = 0.0
    scheduler = Scheduler(world, schedule, faults)
    world.scheduler = scheduler
    actors: list[_Actor] = []

    def invocation(group: Sequence[Change], number: int) -> Callable[[], None]:
        return lambda: world.invocation([c.key for c in group], f"event{number}")

    def author() -> None:
        for number, group in enumerate(changes):
            scheduler.before("author.change")
            for change in group:
                world.change(change)
            actors[number + 1].enabled = True

    actors.append(_Actor("author", author))
    actors[0].enabled = True
    actors += [_Actor(f"worker{n}", invocation(group, n)) for n, group in enumerate(changes)]
    scheduler.run(actors)
    failed = [
        ([c.key for c in changes[n - 1]], f"event{n - 1}") for n, a in enumerate(actors) if n and (a.dead or a.failed)
    ]
    world.drain(failed)
    world.check()
    return Outcome(
        scheduler.choices,
        scheduler.requests,
        [name for _, name in failed],
        world.waited,
        scheduler.lease_requests,
        scheduler.ahead_writes,
    )


@contextmanager
def sequential(parallel_limit: int = 1) -> Iterator[None]:
    """Requests one at a time in each worker (the engine's thread pools would escape the scheduler)."""
    saved = fanout.PARALLEL, fanout.PARALLEL_READS
    fanout.PARALLEL = parallel_limit
    fanout.PARALLEL_READS = parallel_limit
    try:
        yield
    finally:
        fanout.PARALLEL, fanout.PARALLEL_READS = saved


def explore(
    initial: dict[str, bytes],
    changes: Sequence[Sequence[Change]],
    preemptions: int,
    limit: int,
) -> int:
    """Every schedule with at most `preemptions` preemptions (depth first), up to `limit` runs; in
    none may a change wait (for a message to come back, a lease to run out)."""
    runs = 0
    stack: list[list[int]] = [[]]
    seen: set[tuple[int, ...]] = set()
    while stack and runs < limit:
        prefix = stack.pop()
        outcome = run_scenario(initial, changes, prefix, [])
        assert outcome.waited == 0, f"schedule {prefix}: work waited {outcome.waited:.0f} s"
        runs += 1
        taken = [choice for _, choice, _ in outcome.choices]
        for depth in range(len(prefix), len(outcome.choices)):
            runnable, chosen, previous = outcome.choices[depth]
            used = _preemptions(outcome.choices[:depth])
            for alternative in runnable:
                if alternative == chosen:
                    continue
                cost = used + (1 if previous is not None and previous in runnable and alternative != previous else 0)
                if cost > preemptions:
                    continue
                candidate = (*taken[:depth], alternative)
                if candidate not in seen:
                    seen.add(candidate)
                    stack.append(list(candidate))
    return runs


def _preemptions(choices: Sequence[tuple[list[int], int, int | None]]) -> int:
    return sum(
        1
        for runnable, chosen, previous in choices
        if previous is not None and previous in runnable and chosen != previous
    )


def inject(
    initial: dict[str, bytes], changes: Sequence[Sequence[Change]], schedule: Sequence[int], tick: float = TICK_SECONDS
) -> int:
    """One schedule, with a crash, a refusal, a lost answer and a resent request at each request
    boundary in turn, and a crash after each variant written ahead of the lease (between those
    writes and the inbox's record of the change). Only a crash may make work wait, for the dead
    holder's lease to run out and no longer (a message comes back a second or two after it);
    after any other fault, what failed is published once delivered again."""
    baseline = run_scenario(initial, changes, schedule, [], tick)
    assert baseline.waited == 0, f"with no fault, work waited {baseline.waited:.0f} s"
    runs = 1
    kinds = ("crash", "refused", "lost", "resent")
    faults = [Fault(at, kind) for at in range(1, baseline.requests + 1) for kind in kinds]
    faults += [Fault(at, "crash ahead") for at in range(1, baseline.ahead_writes + 1)]
    for fault in faults:
        try:
            outcome = run_scenario(initial, changes, schedule, [fault], tick)
            allowed = LEASE_SECONDS + 3 if fault.kind.startswith("crash") else REDELIVERY_SECONDS
            assert outcome.waited <= allowed, f"work waited {outcome.waited:.0f} s (failed: {outcome.failed})"
        except AssertionError as failure:
            raise AssertionError(
                f"with a {fault.kind!r} fault at request {fault.at} of {baseline.requests}: {failure}"
            ) from None
        runs += 1
    return runs
