"""Phases three and four: which lists' intros change, and which sections appear or go.

A section exists while it has a live page or an intro, unless its intro is one the build leaves
out (`core.site.resolve.section_exists`); one that appears claims its URL, one that goes frees it,
before any page claims its own key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from pressroom.core.planning.content_rules import shown_intro
from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import IntroRecord, Record, intro_claim_key, is_section_list
from pressroom.core.site.build_options import context_keys
from pressroom.core.site.lists import lists_of
from pressroom.core.site.model import Intro
from pressroom.core.site.resolve import Claim, ClaimKind, owner, section_claims, section_exists


def plan_intros(ledger: Ledger) -> set[str]:
    """Lists whose intro changed. The intros of one list claim it: the smallest source key wins."""
    lists: set[str] = set()
    for key in sorted(ledger.reread):
        old, new = ledger.old.get(key), ledger.new.get(key)
        if not isinstance(old, IntroRecord) and not isinstance(new, IntroRecord):
            continue
        list_id = (new if isinstance(new, IntroRecord) else old).intro.list_id  # type: ignore[union-attr]
        lists.add(list_id)
        claim = Claim(ClaimKind.PAGE, key)
        if isinstance(old, IntroRecord) != isinstance(new, IntroRecord):
            (ledger.claim if isinstance(new, IntroRecord) else ledger.unclaim)(intro_claim_key(list_id), claim)
    ledger.load_claimants([intro_claim_key(list_id) for list_id in lists])
    config = ledger.config
    intros = [key for key in ledger.old if isinstance(ledger.new.get(key) or ledger.old.get(key), IntroRecord)]
    ledger.load(k for key in intros for k in context_keys(key, config.contentDir, config.contentLanguage))
    changed: set[str] = set()
    for list_id in sorted(lists):
        key = intro_claim_key(list_id)
        before, after = owner(ledger.claims_before[key]), owner(ledger.claims_after(key))
        old_intro, old_hidden = _intro_of(ledger, before, ledger.old)
        new_intro, new_hidden = _intro_of(ledger, after, ledger.new)
        if (old_intro, old_hidden) != (new_intro, new_hidden):
            changed.add(list_id)
            ledger.result.intros[list_id] = new_intro
            ledger.result.hidden_intros[list_id] = new_hidden
    return changed


def _intro_of(ledger: Ledger, claim: Claim | None, which: Mapping[str, Record | None]) -> tuple[Intro | None, bool]:
    """The intro the owner of a list's intro claim shows (None: a hidden list has none), and
    whether it is hidden."""
    record = which.get(claim.source) if claim is not None else None
    if not isinstance(record, IntroRecord) or claim is None:
        return None, False
    shown = shown_intro(ledger, claim.source, record.intro)
    return (record.intro if shown else None), not shown


def plan_sections(ledger: Ledger, intro_lists: set[str]) -> None:
    """Sections whose live pages or intro changed; one that appears or goes claims or frees its URL."""
    config = ledger.config
    delta: dict[str, int] = defaultdict(int)
    for key in ledger.reread:
        for record, sign in ((ledger.old_page(key), -1), (ledger.new_page(key), 1)):
            if record is not None and record.live and record.entry.section:
                delta[record.entry.section] += sign
    touched = {s for s, d in delta.items() if d} | {s for s in intro_lists if is_section_list(s, config)}
    # With the lists the round's pages are on (placing and naming them reads those later): one
    # request for both; a list read and not needed costs no more.
    on = {
        list_id
        for key in ledger.reread
        for record in (ledger.old_page(key), ledger.new_page(key))
        if record is not None
        for list_id in lists_of(record.entry, config)
    }
    # The terms a round's page joins or leaves change their counts: read beside (a hint: a
    # live page may yet lose its URL, `resolve_pages` tells).
    counting: set[str] = set()
    taxonomies = config.taxonomies
    for key in ledger.reread:
        old_record, new_record = ledger.old_page(key), ledger.new_page(key)
        old_terms = set(old_record.entry.term_lists(taxonomies)) if old_record and old_record.published else set()
        new_terms = set(new_record.entry.term_lists(taxonomies)) if new_record and new_record.live else set()
        counting |= old_terms ^ new_terms
    ledger.load_lists(touched | on, counting)
    for section in sorted(touched):
        before = ledger.lists_before[section]
        intros = ledger.result.intros
        intro = intros[section] is not None if section in intros else before.intro
        hidden = ledger.result.hidden_intros.get(section, before.hidden)
        after = replace(before, live=before.live + delta.get(section, 0), intro=intro, hidden=hidden)
        ledger.lists_after[section] = after
        existed = section_exists(before.live, before.intro, before.hidden)
        exists = section_exists(after.live, after.intro, after.hidden)
        if existed != exists:
            for key, claim in section_claims(section):
                (ledger.claim if exists else ledger.unclaim)(key, claim)
