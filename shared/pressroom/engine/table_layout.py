"""The table's key layout: every partition and sort key the engine reads or writes, in one place.

Coordination items, outside any generation (`engine.control`):

| pk | sk | holds |
| --- | --- | --- |
| `lease` | `site` | who may write (token, until when), and the current generation and configuration |
| `inbox` | source key `\\0` event id | a change not yet published (written by every invocation) |
| `journal` | `head`, `part:N` | the round or rebuild in progress: what it applies, renders and deletes |
| `pending` | `paths` | CloudFront paths written or deleted but not yet invalidated |
| `out` | output key | a hash of what is published there |
| `error` | source key | why a source is not (fully) published, and since when |
| `ahead` | event id | where an invocation writes variants ahead of the lease, until the inbox has its change |

The items of one site generation (`engine.generation`): every `pk` starts `g{N}:`; a whole-site
rebuild writes a new generation beside the current one and switches to it in one write, so
nothing ever renders from a half-built index. Each partition answers one question:

| pk | sk | holds |
| --- | --- | --- |
| `gN:meta` | `config` | the configuration and layouts the generation was built with |
| `gN:src` | source key | the record of a page, intro or asset (`core.plan` records) |
| `gN:claim` | output key `\\0` claim | every claim on a key (`core.resolve`): its owner is the smallest |
| `gN:lists` | `h`, `s:SECTION`, `t:TAX/TERM`, `x:TAX` | a list's state: size, live pages, intro, spellings, blocks |
| `gN:lists` | `m` | how many section and term URLs (`lists`) and pages (`pages`) the sitemap lists |
| `gN:list:LIST` | sort key `\\1` | an entry as the list shows it: a pager page is one query |
| `gN:order:LIST` | sort key `\\1` | nothing: the list's keys alone, for counting ranks |
| `gN:terms:TAX` | bucket `00`..`15` | term -> (display name, count), for the taxonomy index |
| `gN:intro` | `#LIST` | a list's intro (the `_index.md` that won it) |
| `gN:sitemap` | link path | last modification of each URL of the sitemap |
| `gN:schedule` | instant `\\0` source key | when a page's publication changes by the clock |

Stored sort keys end in `\\1` so "before k" and "after k" are the inclusive bounds `k\\0` and `k\\2`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.model import HOME_LIST

# -- coordination items
LEASE_KEY = ("lease", "site")
INBOX = "inbox"
JOURNAL = "journal"
JOURNAL_HEAD = (JOURNAL, "head")
JOURNAL_PART_PREFIX = "part:"
PENDING_KEY = ("pending", "paths")
OUT = "out"
ERROR = "error"
AHEAD = "ahead"


def inbox_sk(key: str, event: str) -> str:
    """An inbox item's sort key: one per (source key, event id), so a redelivery is idempotent."""
    return f"{key}\x00{event}"


def inbox_source(sk: str) -> str:
    """The source key of an inbox item's sort key."""
    return sk.partition("\x00")[0]


def journal_part(n: int) -> tuple[str, str]:
    return (JOURNAL, f"{JOURNAL_PART_PREFIX}{n:05d}")


def output_key(key: str) -> tuple[str, str]:
    """The item of an output's published hash."""
    return (OUT, key)


def error_key(key: str) -> tuple[str, str]:
    """The item of a source's error record."""
    return (ERROR, key)


def ahead_key(event: str) -> tuple[str, str]:
    """The item naming where the invocation of an event writes variants ahead (`engine.ahead`)."""
    return (AHEAD, event)


# -- a generation's items
TERM_BUCKETS = 16
GENERATION_PARTITIONS = ("meta", "src", "claim", "intro", "sitemap", "schedule")
"""A generation's partitions that are not per list or per taxonomy (`lists` aside)."""


@dataclass(frozen=True)
class GenerationKeys:
    """The partition keys of one generation."""

    generation: int

    @property
    def prefix(self) -> str:
        return gen_prefix(self.generation)

    @property
    def meta(self) -> str:
        return self.prefix + "meta"

    @property
    def src(self) -> str:
        return self.prefix + "src"

    @property
    def claim(self) -> str:
        return self.prefix + "claim"

    @property
    def lists(self) -> str:
        return self.prefix + "lists"

    @property
    def intro(self) -> str:
        return self.prefix + "intro"

    @property
    def sitemap(self) -> str:
        return self.prefix + "sitemap"

    @property
    def schedule(self) -> str:
        return self.prefix + "schedule"

    def list(self, list_id: str) -> str:
        return self.prefix + f"list:{list_id}"

    def order(self, list_id: str) -> str:
        return self.prefix + f"order:{list_id}"

    def blocks(self, list_id: str) -> str:
        """A list's blocks' partition in generations of index layout 1 (collected with them)."""
        return self.prefix + f"blocks:{list_id}"

    def terms(self, taxonomy: str) -> str:
        return self.prefix + f"terms:{taxonomy}"

    @property
    def config(self) -> tuple[str, str]:
        """The item of the configuration and layouts the generation was built with."""
        return (self.meta, "config")

    @property
    def sitemap_count(self) -> tuple[str, str]:
        """The item of how many URLs the sitemap has (beside the list states, read with them)."""
        return (self.lists, "m")

    def record(self, key: str) -> tuple[str, str]:
        return (self.src, key)

    def intro_of(self, list_id: str) -> tuple[str, str]:
        return (self.intro, intro_sk(list_id))

    def state_of(self, list_id: str, config: SiteConfig) -> tuple[str, str]:
        return (self.lists, list_sk(list_id, config))


def gen_prefix(generation: int) -> str:
    return f"g{generation}:"


def record_items(generation: int, keys: Iterable[str]) -> list[tuple[str, str]]:
    """The items holding these source keys' records in a generation (to read with other items)."""
    return [GenerationKeys(generation).record(key) for key in keys]


def stored(sort_key: str) -> str:
    return sort_key + "\x01"


def before_bound(sort_key: str) -> str:
    """The highest stored key that orders before `sort_key` is at most this."""
    return sort_key + "\x00"


def after_bound(sort_key: str) -> str:
    """Every stored key that orders after `sort_key` is at least this."""
    return sort_key + "\x02"


def list_sk(list_id: str, config: SiteConfig) -> str:
    """A list's key in the `lists` partition, prefixed by its kind so sections can be listed."""
    if list_id == HOME_LIST:
        return "h"
    if "/" in list_id:
        return f"t:{list_id}"
    if list_id in config.taxonomies:
        return f"x:{list_id}"
    return f"s:{list_id}"


def list_of_sk(sk: str) -> str:
    """The list id of a key in the `lists` partition (`list_sk` the other way)."""
    return "" if sk == "h" else sk[2:]


def intro_sk(list_id: str) -> str:
    return f"#{list_id}"


def claim_sk(claim_key: str, encoded_claim: str) -> str:
    return f"{claim_prefix(claim_key)}{encoded_claim}"


def claim_prefix(claim_key: str) -> str:
    """The sort keys of every claim on an output key start with this."""
    return f"{claim_key}\x00"


def term_bucket(slug: str) -> str:
    return f"{zlib.crc32(slug.encode('utf-8')) % TERM_BUCKETS:02d}"


def all_term_buckets() -> list[str]:
    return [f"{n:02d}" for n in range(TERM_BUCKETS)]


def schedule_sk(moment: datetime, key: str) -> str:
    return f"{moment.astimezone(UTC).isoformat()}\x00{key}"


def schedule_due_bound(now: datetime) -> str:
    """Every schedule sort key of an instant up to `now` is at most this."""
    return now.astimezone(UTC).isoformat() + "\x00\U0010ffff"


def schedule_parts(sk: str) -> tuple[str, str]:
    """(ISO instant, source key) of a schedule sort key."""
    moment, _, key = sk.partition("\x00")
    return moment, key
