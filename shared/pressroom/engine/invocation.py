"""What one invocation works with (its ports) and what it did (its result)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pressroom.exceptions import ContentError
from pressroom.ports import Cdn, Queue, SiteStore, Source, Table


@dataclass(frozen=True)
class Ports:
    source: Source
    site: SiteStore
    table: Table
    cdn: Cdn | None = None
    queue: Queue | None = None
    clock: Callable[[], float] = field(kw_only=True)
    """Seconds since the epoch (the shells pass `time.time`; the simulation its own clock)."""


@dataclass
class RunResult:
    """What one invocation did."""

    held: bool = False
    """It held the lease (else another invocation publishes what it recorded)."""
    rounds: int = 0
    published: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    handed_off: bool = False
