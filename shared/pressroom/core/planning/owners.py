"""Phase seven: the owner of every key the round touched, and what renders or goes there.

Aliases and assets publish or not as their claims win or lose; a key whose owner changed renders
from its new owner (pages and sections render from the planning of lists), and a key no one owns
any more is deleted, or gets back the theme's file it replaced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import AssetRecord
from pressroom.core.site.outputs import SITE_REPLACES, AliasOutput, AssetOutput, StaticOutput
from pressroom.core.site.resolve import Claim, ClaimKind, owner


def resolve_late(ledger: Ledger, changed_assets: set[str]) -> None:
    """Owners of every key the round touched: aliases and assets publish or not, outputs render or go.

    `changed_assets`: assets whose bytes changed under the key they keep (`plan_late_claims`).
    """
    keys = [key for key in ledger.changed_keys() if not key.startswith("/")]
    ledger.load_claimants(keys)
    render = ledger.result.render
    alias_outcomes: dict[str, dict[str, bool]] = defaultdict(dict)
    for key in keys:
        before, after = owner(ledger.claims_before[key]), owner(ledger.claims_after(key))
        claims_after = set(ledger.claims_after(key))
        for claim in set(ledger.claims_before[key]) | claims_after:
            if claim.kind not in (ClaimKind.ALIAS, ClaimKind.ASSET):
                continue
            if claim in claims_after:
                ledger.problem(claim.source, key, claim, after)
            else:
                ledger.result.problems.setdefault(claim.source, {})[key] = None
            if claim.kind is ClaimKind.ALIAS:
                alias_outcomes[claim.source][key] = claim == after
            else:
                record = ledger.new.get(claim.source)
                if isinstance(record, AssetRecord) and record.claim_key == key:
                    ledger.new[claim.source] = replace(record, published=claim == after)
        if after is None:
            if key in SITE_REPLACES:
                render.outputs.add(StaticOutput(key))  # the site's own file is gone: the theme's is back
            elif before is not None:
                render.delete.add(key)
        elif before != after:
            _render_owner(ledger, key, after)
    _keep_aliases(ledger, alias_outcomes)
    for asset in sorted(changed_assets):
        record = ledger.new.get(asset)
        if isinstance(record, AssetRecord) and record.published and record.claim_key is not None:
            render.outputs.add(AssetOutput(asset, record.claim_key, record.version))
    for key in sorted(ledger.new):
        old, new = ledger.old_page(key), ledger.new_page(key)
        moved = new is not None and old is not None and old.entry.path != new.entry.path
        if moved and new is not None and new.published and old is not None and old.published:
            render.outputs.update(AliasOutput(alias, new.entry.path) for alias in new.aliases)


def _keep_aliases(ledger: Ledger, alias_outcomes: dict[str, dict[str, bool]]) -> None:
    """Each page keeps the aliases it owns after the round (source -> alias key -> owns it)."""
    for source, outcomes in alias_outcomes.items():
        record = ledger.new_page(source)
        if record is None:
            continue
        owned = set(record.aliases)
        for key, owns in outcomes.items():
            (owned.add if owns else owned.discard)(_alias_of(key))
        aliases = tuple(a for a in record.entry.aliases if a in owned) if record.published else ()
        if aliases != record.aliases:
            ledger.new[source] = replace(record, aliases=aliases)


def _render_owner(ledger: Ledger, key: str, claim: Claim) -> None:
    """A key's new owner renders there (pages and sections render from the planning of lists)."""
    if claim.kind is ClaimKind.ALIAS:
        record = ledger.new_page(claim.source)
        if record is not None:
            ledger.result.render.outputs.add(AliasOutput(_alias_of(key), record.entry.path))
    elif claim.kind is ClaimKind.ASSET:
        asset = ledger.new.get(claim.source)
        if isinstance(asset, AssetRecord):
            ledger.result.render.outputs.add(AssetOutput(claim.source, key, asset.version))


def _alias_of(key: str) -> str:
    return key[: -len("/index.html")]
