"""Phase six: aliases of published pages, and assets, claim their keys once pages are decided.

An alias is claimed only by a published page, and a bundle's files only while their page is
published (its URL is theirs), so these claims wait for `resolve_pages`.
"""

from __future__ import annotations

from dataclasses import replace

from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import AssetRecord
from pressroom.core.rendering.mime import refused_reason
from pressroom.core.site.model import Entry
from pressroom.core.site.resolve import (
    Claim,
    ClaimKind,
    alias_claims,
    asset_output,
    bundle_folders,
    bundle_page_keys,
    is_bundle_page,
    publishes_resource,
    reserved_asset_reason,
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


def _name_in_bundle(asset: str, bundle: Entry) -> str:
    return asset[len(bundle.source_key.rsplit("/", 1)[0]) + 1 :]


def _bundle_placement(published: bool, entry: Entry) -> tuple[bool, str, bool | str | None]:
    """What of a bundle's page decides which of its files publish, and where."""
    return published, entry.path, entry.publish_resources or entry.feature


def asset_claim_key(ledger: Ledger, asset: str) -> str | None:
    """The key an asset claims now: its own, or its bundle page's URL; None if it may not claim."""
    config = ledger.config
    problems = ledger.result.problems.setdefault(asset, {})
    problems["/reserved"] = None
    bundle = None
    static = config.is_static(asset)
    for folder in [] if static else bundle_folders(asset):
        found = [ledger.new_page(k) for k in bundle_page_keys(folder, config.contentLanguage) if k != asset]
        bundle = next((record for record in found if record is not None), None)
        if bundle is not None:
            break
    if bundle is not None and not bundle.published:
        return None  # a draft, future, expired or displaced page's files stay unpublished
    if bundle is not None and not publishes_resource(bundle.entry, _name_in_bundle(asset, bundle.entry)):
        return None
    key = asset_output(asset, bundle.entry if bundle is not None else None, config.site_key(asset))
    reason = reserved_asset_reason(key, config.reserved_roots)
    if reason is None and config.is_authored(asset):
        reason = refused_reason(asset)
    if reason is not None:
        problems["/reserved"] = f"not published: {reason}"
        return None
    return key
