"""The event path's settings: how long a lease lasts, how long a request may take, how far a chain
of self-sent messages may go, what the command line adds to the site's settings. The shells read
them (`shells.runtime.engine_settings`) and pass them in.
"""

from __future__ import annotations

from dataclasses import dataclass

from pressroom.core.reading.config import PUBLISHED, BuildMode

LEASE_SECONDS = 60.0
"""How long a lease lasts unless renewed: the most a holder that died costs (its lease is taken
over once it has run out, with no wait past it: see `engine.publisher`)."""
REQUEST_SECONDS = 45.0
"""The longest an AWS request may take from its start until it can no longer take effect, the
SDK's retries included (`shells.runtime.client`: 3 attempts of at most 3 s to connect and 10 s to
answer, with at most 3 s of backoff between them: 42 s), with 3 s for the clocks of two machines."""
MAX_HOPS = 200
"""Messages in a row the function may send itself (a chain: each invocation started by the last
one's message). Past it no message goes: the hourly tick, or the next change, carries the work
on, so a runaway chain costs at most this many invocations an hour. A rebuild of 50,000 posts
needs far fewer (the template sets Lambda's own loop detection, ~16 hops, to Allow)."""


@dataclass(frozen=True)
class EngineSettings:
    lease_seconds: float = LEASE_SECONDS
    request_seconds: float = REQUEST_SECONDS
    max_hops: int = MAX_HOPS
    build_mode: BuildMode = PUBLISHED
    """Pages built beyond the site's own settings, and Hugo's environment (`pressroom dev`)."""

    def __post_init__(self) -> None:
        if self.lease_seconds <= self.request_seconds:
            raise ValueError(
                f"PRESSROOM_LEASE_SECONDS ({self.lease_seconds:g}) must exceed "
                f"PRESSROOM_REQUEST_SECONDS ({self.request_seconds:g})"
            )

    @property
    def renew_below(self) -> float:
        """A holder renews its lease before a step, and before a site write, once less than this is
        left: halfway between a whole lease and what a write needs (`request_seconds`)."""
        return self.request_seconds + (self.lease_seconds - self.request_seconds) / 2
