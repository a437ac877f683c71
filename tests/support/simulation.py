"""A deterministic simulation of the event path, in the manner of FoundationDB's: one process,
in-memory fakes of S3, DynamoDB, CloudFront and SQS (`adapters.memory`), and a scheduler that
decides, at every request any worker makes, which worker goes next and whether the request
crashes its worker (the process dies: nothing it does afterwards reaches the world) or takes
effect and loses its answer (the worker sees an error).

Each simulated actor is a thread, but only one runs at a time: every request waits at the gate
until the scheduler hands it the turn, so a run is a function of its schedule alone. `explore`
enumerates schedules depth-first with a bound on preemptions (CHESS-style); `inject` runs one
schedule with a fault at each request boundary in turn. After the scheduled part, whatever
failed is delivered again (with the clock past any dead holder's lease) until the queue is
empty, and the site must then equal the full build, with every write and delete followed by an
invalidation that covers it.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pressroom.adapters.memory import Gate, MemoryBucket, MemoryCdn, MemoryQueue, MemorySite, MemoryTable, Resent
from pressroom.core.build import build_site
from pressroom.core.mime import Headers
from pressroom.core.urls import key_to_paths
from pressroom.engine import fanout
from pressroom.engine import index as index_module
from pressroom.engine.control import LeaseLost
from pressroom.engine.publisher import LEASE_SECONDS, Ports, Publisher

NOW = datetime(2026, 11, 29, tzinfo=UTC)


class Crash(BaseException):
    """The worker's process died at this request (a BaseException: nothing should catch it)."""


class LostAnswer(Exception):
    """The request took effect, but its answer never came back (a timeout, a 500)."""


@dataclass(frozen=True)
class Fault:
    at: int
    """The request number (in the run, counting every worker) it strikes."""
    kind: str
    """"crash" (before the request acts), "lost" (after it acted) or "resent" (it acted, its answer
    was lost and the SDK sent it again)."""


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

    def __init__(self, files: dict[str, bytes]) -> None:
        self.scheduler: Scheduler | None = None
        gate = Gate(before=self._before, after=self._after)
        self.source = MemoryBucket(gate, "source")
        self.site = MemorySite(gate, "site")
        self.table = MemoryTable(gate)
        self.cdn = MemoryCdn(gate)
        self.queue = MemoryQueue(gate)
        self.clock = 1_000_000.0
        self.sequence = itertools.count()
        self.writes: list[tuple[int, str]] = []
        self.invalidations: list[tuple[int, tuple[str, ...]]] = []
        self.files = dict(files)
        self.history: dict[str, list[bytes | None]] = {key: [body] for key, body in files.items()}
        """Every version each source key had, in order (None: deleted)."""
        for key, body in files.items():
            self.source.upload(key, body)
        self._wrap_logs()

    def _wrap_logs(self) -> None:
        put, delete, invalidate = self.site.put, self.site.delete, self.cdn.invalidate

        def logged_put(key: str, body: bytes, stored: Headers) -> None:
            put(key, body, stored)
            self.writes.append((next(self.sequence), key))

        def logged_delete(keys: Any) -> None:
            keys = list(keys)
            delete(keys)
            for key in keys:
                self.writes.append((next(self.sequence), key))

        def logged_invalidate(paths: Sequence[str], reference: str) -> None:
            invalidate(paths, reference)
            self.invalidations.append((next(self.sequence), tuple(paths)))

        self.site.put = logged_put  # type: ignore[method-assign]
        self.site.delete = logged_delete  # type: ignore[method-assign]
        self.cdn.invalidate = logged_invalidate  # type: ignore[method-assign]

    def now(self) -> float:
        return self.clock

    def sleep(self, seconds: float) -> None:
        self.clock += seconds

    def ports(self) -> Ports:
        return Ports(self.source, self.site, self.table, self.cdn, self.queue, self.now, self.sleep)

    def _before(self, operation: str) -> None:
        self.clock += 0.001
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
        """Deliver again what failed, then whatever the queue holds, until there is nothing left."""
        self.scheduler = None
        rounds = 0
        while True:
            rounds += 1
            assert rounds < 50, "the site never became quiet"
            self.clock += LEASE_SECONDS + 1  # any dead holder's lease has run out
            if pending:
                keys, event = pending.pop(0)
                self.invocation(keys, event)
                continue
            if self.queue.messages:
                self.queue.messages.pop(0)
                self.invocation([], f"continue{rounds}")
                continue
            # Nothing will come: no redelivery, no message. Work left now would wait for the next
            # event or the hourly tick, not "within seconds".
            left = {
                "inbox": self.table.query("inbox", limit=1).count,
                "journal": self.table.get("journal", "head") is not None,
                "pending paths": self.table.get("pending", "paths") is not None,
            }
            assert not any(left.values()), f"work left with nothing to come back for it: {left}"
            return

    def expected_site(
        self, published: dict[str, tuple[bytes, Headers | None]]
    ) -> dict[str, tuple[bytes, Headers | None]]:
        """The full build of the source, where a file that cannot be published stands for the page
        published before it (SPEC 3.3.3: bad content loses nothing): whichever good version of it,
        or none, the workers last published, so the one of those builds the site matches, if any."""
        build = build_site(self.files, NOW, workers=1)
        broken = sorted(
            key for key in {error.source_key for error in build.errors} & set(self.files) if not self._good(key)
        )
        choices: list[list[bytes | None]] = []
        for key in broken:
            good: list[bytes | None] = [None]
            for body in self.history.get(key, []):
                if body is not None and body not in good and self._good(key, body):
                    good.append(body)
            choices.append(good)
        candidates = []
        for versions in itertools.islice(itertools.product(*choices), 64):
            files = {k: v for k, v in self.files.items() if k not in broken}
            files.update({key: body for key, body in zip(broken, versions, strict=True) if body is not None})
            built = build_site(files, NOW, workers=1) if broken else build
            candidate: dict[str, tuple[bytes, Headers | None]] = {
                k: (v, built.headers(k)) for k, v in built.outputs.items()
            }
            if candidate == published:
                return candidate
            candidates.append(candidate)
        return candidates[0]

    def _good(self, key: str, body: bytes | None = None) -> bool:
        """The file can be published on its own (a claim lost to another page is not bad content)."""
        alone = {"site.yaml": self.files.get("site.yaml", b""), key: self.files[key] if body is None else body}
        return key not in {error.source_key for error in build_site(alone, NOW, workers=1).errors}

    def check(self) -> None:
        """The site equals the full build of the source; every write was invalidated afterwards."""
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
        if self.faults.get(self.requests) == "crash":
            actor.dead = True
            raise Crash()

    def after(self, operation: str) -> None:
        actor = self.actor_of()
        if actor is None:
            return
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


@dataclass
class Outcome:
    choices: list[tuple[list[int], int, int | None]]
    requests: int
    failed: list[str] = field(default_factory=list)


def run_scenario(
    initial: dict[str, bytes], changes: Sequence[Sequence[Change]], schedule: Sequence[int], faults: Sequence[Fault]
) -> Outcome:
    """Publish `initial`, then race one invocation per group of `changes` (each group's changes made
    first, by an author who goes on with the next group whenever the schedule lets it)."""
    world = World(initial)
    world.invocation(sorted(initial), "initial")
    world.drain([])
    world.writes.clear()
    world.invalidations.clear()
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
    return Outcome(scheduler.choices, scheduler.requests, [name for _, name in failed])


@contextmanager
def sequential(parallel_limit: int = 1) -> Iterator[None]:
    """Requests one at a time in each worker (the engine's thread pools would escape the scheduler)."""
    saved = fanout.PARALLEL, index_module.PARALLEL_READS
    fanout.PARALLEL = parallel_limit
    index_module.PARALLEL_READS = parallel_limit
    try:
        yield
    finally:
        fanout.PARALLEL, index_module.PARALLEL_READS = saved


def explore(
    initial: dict[str, bytes],
    changes: Sequence[Sequence[Change]],
    preemptions: int,
    limit: int,
) -> int:
    """Every schedule with at most `preemptions` preemptions (depth first), up to `limit` runs."""
    runs = 0
    stack: list[list[int]] = [[]]
    seen: set[tuple[int, ...]] = set()
    while stack and runs < limit:
        prefix = stack.pop()
        outcome = run_scenario(initial, changes, prefix, [])
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


def inject(initial: dict[str, bytes], changes: Sequence[Sequence[Change]], schedule: Sequence[int]) -> int:
    """One schedule, with a crash and then a lost answer at each request boundary in turn."""
    baseline = run_scenario(initial, changes, schedule, [])
    runs = 1
    for at in range(1, baseline.requests + 1):
        for kind in ("crash", "lost", "resent"):
            try:
                run_scenario(initial, changes, schedule, [Fault(at, kind)])
            except AssertionError as failure:
                raise AssertionError(
                    f"with a {kind!r} fault at request {at} of {baseline.requests}: {failure}"
                ) from None
            runs += 1
    return runs
