"""After `owners`: which pages show which images, which variants are published, and who renders again.

A published page uses the images it shows (`PageRecord.images`), each named by the output key it
is published at (`core.site.image_uses`: a bundle's file, another folder's, a site path of
`static/`, `assets/` or `content/`, the author's image). Each use is a claim by the page on
`/image/KEY` (no output key starts with `/`), so the index answers "which pages show the image
at KEY" as it answers who claims a key, and a page's uses are known from its parse as its links
are. The image a page sees at KEY is the one the site publishes there: the owner of KEY
(`core.site.resolve`). The home page shows the author's image and its layout's image where its
layout does: uses of the configuration (`home_uses`), which change only with a rebuild. From
those uses and
the records of the images published at each key:

- the pages that show a key whose image changed as a page sees it (new, replaced, deleted,
  published or not, another file now published there, moved with its bundle) render again with
  its variants' names: a post uploaded before its image renders again when the image arrives,
  with the image's size; the list pages showing a page whose feature image it is (its
  thumbnail), as `plan_lists` renders those of a page shown differently in place
  (`Ledger.restyled`); and the home pages that show the author's image or the layout's image;
- an image's variants are published while the image is published and a published page (or the
  home) shows it (`conversions.image_variants`, the full build's rule): the round renders those
  it gains and deletes those it loses. Names are content-addressed, so an image uploaded again
  with the same bytes names the same variants and the round writes nothing.
"""

from __future__ import annotations

from pressroom.core.images.facts import ImageFacts
from pressroom.core.planning.conversions import image_variants
from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import AssetRecord, Record
from pressroom.core.site.image_uses import feature_use, home_uses
from pressroom.core.site.model import HOME_LIST
from pressroom.core.site.outputs import PageOutput
from pressroom.core.site.resolve import Claim, ClaimKind, owner

IMAGE_USE_PREFIX = "/image/"

Shown = tuple[str, AssetRecord] | None
"""The image published at a key: its source key and record (None: no image with facts there)."""


def image_use_key(place: str) -> str:
    """The key the pages that show the image published at `place` (an output key) claim."""
    return IMAGE_USE_PREFIX + place


def plan_images(ledger: Ledger, pages: set[str]) -> None:
    """The uses of the round's pages, then the variants and users of every key they touch."""
    _claim_uses(ledger, pages)
    places = sorted(_touched_places(ledger))
    ledger.load_claimants(places)
    ledger.load_claims(image_use_key(place) for place in places)
    home = home_uses(ledger.config)
    render = ledger.result.render
    for place in places:
        use = image_use_key(place)
        by_home = place in home
        before, after = _shown(ledger, place, after=False), _shown(ledger, place, after=True)
        used_before, used_after = bool(ledger.claims_before[use]) or by_home, bool(ledger.claims_after(use)) or by_home
        shown_before = {v.key: v for v in image_variants(*before)} if before and used_before else {}
        shown_after = {v.key: v for v in image_variants(*after)} if after and used_after else {}
        render.delete.update(key for key in shown_before if key not in shown_after)
        render.outputs.update(v for key, v in shown_after.items() if key not in shown_before)
        if _facts(before) != _facts(after):
            _render_users(ledger, place)
            if by_home:
                render.include_range(HOME_LIST, 1, home[place])


def _claim_uses(ledger: Ledger, pages: set[str]) -> None:
    """A published page claims the use of each image it shows; it frees those it no longer shows."""
    for key in sorted(pages):
        old, new = ledger.old_page(key), ledger.new_page(key)
        before = set(old.images) if old is not None and old.published else set()
        after = set(new.images) if new is not None and new.published else set()
        claim = Claim(ClaimKind.PAGE, key)
        for place in sorted(before - after):
            ledger.unclaim(image_use_key(place), claim)
        for place in sorted(after - before):
            ledger.claim(image_use_key(place), claim)


def _touched_places(ledger: Ledger) -> set[str]:
    """Keys where an image whose record the round changed is (or was) published, and those
    that gained or lost a page that shows them."""
    places: set[str] = set()
    for key, record in ledger.new.items():
        previous = ledger.old.get(key)
        if record != previous and (_is_image(record) or _is_image(previous)):
            places.update(r.claim_key for r in (record, previous) if isinstance(r, AssetRecord) and r.claim_key)
    uses = {key[len(IMAGE_USE_PREFIX) :] for key in ledger.changed_keys() if key.startswith(IMAGE_USE_PREFIX)}
    return places | uses


def _is_image(record: Record | None) -> bool:
    return isinstance(record, AssetRecord) and record.image is not None


def _shown(ledger: Ledger, place: str, after: bool) -> Shown:
    """The image published at `place` before or after the round: its key's owner, where that is
    an image with facts published there."""
    winner = owner(ledger.claims_after(place) if after else ledger.claims_before[place])
    if winner is None or winner.kind is not ClaimKind.ASSET:
        return None
    record = (ledger.new if after else ledger.old).get(winner.source)
    if not isinstance(record, AssetRecord) or not record.published or record.claim_key != place:
        return None
    return (winner.source, record) if record.image is not None else None


def _facts(shown: Shown) -> ImageFacts | None:
    """What a page that shows the image renders from: its facts (its place is the key's)."""
    return shown[1].image if shown is not None else None


def _render_users(ledger: Ledger, place: str) -> None:
    """Every published page that shows the image at `place` renders again; where it is a page's
    feature image, the list pages that show the page's thumbnail too (`plan_lists` places them)."""
    users = [claim.source for claim in ledger.claims_after(image_use_key(place))]
    ledger.load(users)
    for key in users:
        record = ledger.new_page(key)
        if record is not None and record.published:
            ledger.result.render.outputs.add(PageOutput(key, record.entry.path))
            if feature_use(record.entry, ledger.config) == place:
                ledger.restyled.add(key)
