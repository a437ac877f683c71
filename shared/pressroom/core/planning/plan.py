"""Planning a round: what a batch of changed sources does to the index, and which outputs it affects.

Pure: it reads the index as it was before the round through `IndexState` (no writes, no clock:
`now` is given) and returns a `RoundPlan`, the index's new records and the outputs to render
and delete. Ownership of every key the round touches is decided with `core.site.resolve`'s rules,
the ones the full build applies to the whole site, in the same order (sections, pages, then
aliases and assets), so a round ends where a full build of the same sources would.

`plan_round` is the sequence of phases; each is a function of its own module over the round's
`Ledger` (what it read of the index and what it changes so far):

1. `readings`: each reading becomes its source's new record.
2. `content_rules`: Hugo's content rules (bundles, cascade, build options, drafts and dates)
   decide which of the round's pages exist, and reach the pages below a changed rule.
3. `sections.plan_intros`: lists whose intro changes (intros claim their list).
4. `sections.plan_sections`: sections that appear or go claim or free their URL.
5. `pages.plan_page_claims`: live pages claim their page keys.
6. `pages.resolve_pages`: each page key's owner is published.
7. `late_claims`: aliases of published pages, and assets, claim their keys.
8. `owners`: every touched key's owner; aliases and assets publish, outputs render or go.
9. `images`: which pages show which images; images' variants publish or go, their pages render.
10. `lists`: the lists the round changes (term names in `terms`), and their pages that render.
11. `schedule`: when the clock alone next changes the round's pages.

The records, round input and output types live in `records` and `round_plan`; the names other
modules import from here stay importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pressroom.core.planning.content_rules import apply_content_rules
from pressroom.core.planning.images import plan_images
from pressroom.core.planning.late_claims import plan_late_claims
from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.lists import plan_lists
from pressroom.core.planning.owners import resolve_late
from pressroom.core.planning.pages import plan_page_claims, resolve_pages
from pressroom.core.planning.readings import apply_readings
from pressroom.core.planning.records import (
    AssetRecord,
    IntroRecord,
    ListState,
    PageRecord,
    Record,
    intro_claim_key,
    is_live,
    list_exists,
    next_change,
)
from pressroom.core.planning.round_plan import (
    EmptyIndex,
    IndexState,
    ListChange,
    Reading,
    RenderPlan,
    RoundPlan,
)
from pressroom.core.planning.schedule import plan_schedule
from pressroom.core.planning.sections import plan_intros, plan_sections

__all__ = [
    "AssetRecord",
    "EmptyIndex",
    "IndexState",
    "IntroRecord",
    "ListChange",
    "ListState",
    "PageRecord",
    "Reading",
    "Record",
    "RenderPlan",
    "RoundPlan",
    "intro_claim_key",
    "is_live",
    "list_exists",
    "next_change",
    "plan_round",
]


def plan_round(readings: Sequence[Reading], state: IndexState, now: datetime) -> RoundPlan:
    """Everything a batch of readings changes, planned against the index before them."""
    ledger = Ledger(state, now)
    apply_readings(ledger, readings)
    apply_content_rules(ledger)
    intro_lists = plan_intros(ledger)
    plan_sections(ledger, intro_lists)
    plan_page_claims(ledger)
    pages = resolve_pages(ledger)
    changed_assets = plan_late_claims(ledger, pages)
    resolve_late(ledger, changed_assets)
    plan_images(ledger, pages)
    plan_lists(ledger, intro_lists)
    plan_schedule(ledger)
    return ledger.settle()
