"""After `owners`: which pages show which images, which variants are published, and who renders again.

A published page uses the bundle images it shows (`PageRecord.images`). Each use is a claim by
the page on `/image/SOURCE` (no output key starts with `/`), so the index answers "which pages
show this image" as it answers who claims a key, and a page's uses are known from its parse as
its links are. From those claims and the images' records:

- the pages that show an image whose record changed as a page sees it (new, replaced, deleted,
  published or not, moved with its bundle) render again with its variants' names: a post
  uploaded before its image renders again when the image arrives, with the image's size; and
  the list pages showing a page whose feature image it is (its thumbnail), as `plan_lists`
  renders those of a page shown differently in place (`Ledger.restyled`);
- an image's variants are published while the image is and a published page shows it
  (`conversions.image_variants`, the full build's rule): the round renders those it gains and
  deletes those it loses. Names are content-addressed, so an image uploaded again with the same
  bytes names the same variants and the round writes nothing.
"""

from __future__ import annotations

from pressroom.core.images.facts import ImageFacts
from pressroom.core.planning.conversions import image_variants
from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import AssetRecord, Record
from pressroom.core.reading.content import bundle_images
from pressroom.core.site.outputs import PageOutput
from pressroom.core.site.resolve import Claim, ClaimKind

IMAGE_USE_PREFIX = "/image/"


def image_use_key(image: str) -> str:
    """The key the pages that show `image` (a source key) claim."""
    return IMAGE_USE_PREFIX + image


def plan_images(ledger: Ledger, pages: set[str]) -> None:
    """The uses of the round's pages, then the variants and pages of every image they touch."""
    _claim_uses(ledger, pages)
    images = sorted(_touched_images(ledger))
    ledger.load(images)
    ledger.load_claims(image_use_key(image) for image in images)
    render = ledger.result.render
    for image in images:
        use = image_use_key(image)
        before, after = _asset(ledger.old.get(image)), _asset(ledger.new.get(image))
        shown_before = {v.key: v for v in image_variants(image, before)} if ledger.claims_before[use] else {}
        shown_after = {v.key: v for v in image_variants(image, after)} if ledger.claims_after(use) else {}
        render.delete.update(key for key in shown_before if key not in shown_after)
        render.outputs.update(v for key, v in shown_after.items() if key not in shown_before)
        if _as_shown(before) != _as_shown(after):
            _render_users(ledger, image)


def _claim_uses(ledger: Ledger, pages: set[str]) -> None:
    """A published page claims the use of each image it shows; it frees those it no longer shows."""
    for key in sorted(pages):
        old, new = ledger.old_page(key), ledger.new_page(key)
        before = set(old.images) if old is not None and old.published else set()
        after = set(new.images) if new is not None and new.published else set()
        claim = Claim(ClaimKind.PAGE, key)
        for image in sorted(before - after):
            ledger.unclaim(image_use_key(image), claim)
        for image in sorted(after - before):
            ledger.claim(image_use_key(image), claim)


def _touched_images(ledger: Ledger) -> set[str]:
    """Images whose record the round changed, and those that gained or lost a page that shows them."""
    changed = {
        key
        for key, record in ledger.new.items()
        if record != ledger.old.get(key) and (_is_image(record) or _is_image(ledger.old.get(key)))
    }
    uses = {key[len(IMAGE_USE_PREFIX) :] for key in ledger.changed_keys() if key.startswith(IMAGE_USE_PREFIX)}
    return changed | uses


def _is_image(record: Record | None) -> bool:
    return isinstance(record, AssetRecord) and record.image is not None


def _asset(record: Record | None) -> AssetRecord | None:
    return record if isinstance(record, AssetRecord) else None


def _as_shown(record: AssetRecord | None) -> tuple[ImageFacts | None, str | None]:
    """What a page that shows the image renders from: its facts while it is published, and where."""
    if record is None or not record.published or record.image is None:
        return None, None
    return record.image, record.claim_key


def _render_users(ledger: Ledger, image: str) -> None:
    """Every published page that shows the image renders again; where it is a page's feature
    image, the list pages that show the page's thumbnail too (`plan_lists` places them)."""
    users = [claim.source for claim in ledger.claims_after(image_use_key(image))]
    ledger.load(users)
    for key in users:
        record = ledger.new_page(key)
        if record is not None and record.published:
            ledger.result.render.outputs.add(PageOutput(key, record.entry.path))
            feature = record.entry.feature
            if feature and bundle_images(key, ledger.config.site_key(key), (feature,)) == (image,):
                ledger.restyled.add(key)
