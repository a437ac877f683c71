"""Phase six: aliases of published pages, and assets, claim their keys once pages are decided.

An alias is claimed only by a published page, and a bundle's files only while their page is
published (its URL is theirs), so these claims wait for `resolve_pages`.
"""

from __future__ import annotations

from dataclasses import replace

from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import AssetRecord
from pressroom.core.site.model import Entry
from pressroom.core.site.resolve import (
    BundlePage,
    Claim,
    ClaimKind,
    alias_claims,
    asset_place,
    bundle_folders,
    bundle_page_keys,
    is_bundle_page,
)


def plan_late_claims(ledger: Ledger, pages: set[str]) -> set[str]:
    """Aliases and assets claim their keys; returns the assets whose bytes change under the key they keep."""
    _claim_aliases(ledger, pages)
    return _claim_assets(ledger, pages)


def _claim_aliases(ledger: Ledger, pages: set[str]) -> None:
    for key in sorted(pages):
        old, new = ledger.old_page(key), ledger.new_page(key)
        before = dict(alias_claims(old.entry)) if old is not None and old.published else {}
        after = dict(alias_claims(new.entry)) if new is not None and new.published else {}
        for claim_key in set(before) - set(after):
            ledger.unclaim(claim_key, before[claim_key])
        for claim_key in set(after) - set(before):
            ledger.claim(claim_key, after[claim_key])


def _claim_assets(ledger: Ledger, pages: set[str]) -> set[str]:
    """The round's assets, and those of every bundle whose page is published or moved, claim their keys."""
    config = ledger.config
    assets = {key for key in ledger.reread if isinstance(ledger.new.get(key) or ledger.old.get(key), AssetRecord)}
    for key in sorted(pages):
        old, new = ledger.old_page(key), ledger.new_page(key)
        placed_before = _bundle_placement(old.published, old.entry) if old is not None else None
        placed_after = _bundle_placement(new.published, new.entry) if new is not None else None
        if is_bundle_page(config.site_key(key)) and placed_before != placed_after:
            for asset, record in ledger.state.assets_under(key.rsplit("/", 1)[0]).items():
                if asset not in ledger.old:
                    ledger.old[asset] = ledger.new[asset] = record
                assets.add(asset)
    language = config.contentLanguage
    ledger.load(
        page for asset in assets for folder in bundle_folders(asset) for page in bundle_page_keys(folder, language)
    )
    changed_assets: set[str] = set()
    for asset in sorted(assets):
        previous, current = ledger.old.get(asset), ledger.new.get(asset)
        old_key = previous.claim_key if isinstance(previous, AssetRecord) else None
        new_key = None
        if isinstance(current, AssetRecord):
            new_key = asset_claim_key(ledger, asset)
            published = current.published and new_key == old_key
            ledger.new[asset] = replace(current, claim_key=new_key, published=published)
        claim = Claim(ClaimKind.ASSET, asset)
        if old_key != new_key:
            if old_key is not None:
                ledger.unclaim(old_key, claim)
            if new_key is not None:
                ledger.claim(new_key, claim)
        elif (
            new_key is not None
            and isinstance(previous, AssetRecord)
            and isinstance(current, AssetRecord)
            and previous.version != current.version
        ):
            changed_assets.add(asset)
    return changed_assets


def _bundle_placement(published: bool, entry: Entry) -> tuple[bool, str, bool | str | None]:
    """What of a bundle's page decides which of its files publish, and where."""
    return published, entry.path, entry.publish_resources or entry.feature


def asset_claim_key(ledger: Ledger, asset: str) -> str | None:
    """The key an asset claims now: its own, or its bundle page's URL (`asset_place`, with the
    pages as the round decides them); None if it may not claim."""
    config = ledger.config
    problems = ledger.result.problems.setdefault(asset, {})

    def bundle_page(key: str) -> BundlePage | None:
        record = ledger.new_page(key)
        return (record.entry, record.published) if record is not None else None

    key, reason = asset_place(asset, config, bundle_page)
    problems["/reserved"] = f"not published: {reason}" if reason is not None else None
    return key
