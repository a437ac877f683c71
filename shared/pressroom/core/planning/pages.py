"""Phases four and five: live pages claim their page keys, and each key's owner is published.

A page publishes when it is live and its claim wins its key (`core.site.resolve.owner`); one
that loses keeps its record, unpublished, with the reason in the round's problems. A page with
no file of its own publishes while it is live (`content_rules`).
"""

from __future__ import annotations

from dataclasses import replace

from pressroom.core.planning.ledger import Ledger
from pressroom.core.site.resolve import ClaimKind, owner, page_claim


def plan_page_claims(ledger: Ledger) -> None:
    """Every page the round read claims its key while live, and frees the key it claimed before.

    A page with no file of its own (`render: never` or `link`) claims none: it takes no URL from
    another page, and a key it gives up is deleted.
    """
    for key in ledger.reread:
        old, new = ledger.old_page(key), ledger.new_page(key)
        old_claim = page_claim(old.entry) if old is not None and old.live and old.entry.has_page else None
        new_claim = page_claim(new.entry) if new is not None and new.live and new.entry.has_page else None
        if old_claim != new_claim:
            if old_claim is not None:
                ledger.unclaim(*old_claim)
            if new_claim is not None:
                ledger.claim(*new_claim)


def resolve_pages(ledger: Ledger) -> set[str]:
    """Which pages own their page keys; returns every page whose publication or source changed."""
    keys = [key for key in ledger.changed_keys() if not key.startswith("/")]
    ledger.load_claimants(keys)
    for key in keys:
        winner = owner(ledger.claims_after(key))
        after = set(ledger.claims_after(key))
        for claim in set(ledger.claims_before[key]) | after:
            if claim.kind is not ClaimKind.PAGE:
                continue
            if claim not in after:
                ledger.result.problems.setdefault(claim.source, {})[key] = None
                continue
            record = ledger.new_page(claim.source)
            if record is None:
                continue
            published = record.live and winner == claim
            if published != record.published:
                aliases = record.aliases if published else ()
                ledger.new[claim.source] = replace(record, published=published, aliases=aliases)
            ledger.problem(claim.source, key, claim, winner)
    pages = set()
    for key in ledger.new:
        old, new = ledger.old_page(key), ledger.new_page(key)
        if old is None and new is None:
            continue
        if key in ledger.reread or (old.published if old else False) != (new.published if new else False):
            pages.add(key)
    return pages
