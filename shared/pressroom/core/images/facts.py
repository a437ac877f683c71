"""What the index keeps of an image, and which images a page uses: all a page needs to name variants.

An image's record (`ImageFacts`) holds its header's facts (format, displayed size, orientation,
animation, transparency), the digest of its bytes and the encoder identity its variants are
named for. With them a page writes its `<picture>` (`variants.picture`) and the planner names
the variants to publish or delete (`variant_keys`), without reading a pixel: rendering a page
needs the image's record, never its bytes.

Every image a page uses gets the variants of every role (`VARIANT_ROLES`): the set depends on the
image alone, not on how each page shows it, so a page that starts showing an image as a
thumbnail changes no other page's variants (a role's few small widths cost little).

Which images a page uses (its bundle's, other folders', site paths of `static/`, `assets/` or
`content/`, the author's image), each by the output key it is published at, is
`core.site.image_uses`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from pressroom.core.images.variants import (
    AVATAR,
    CONTENT,
    THUMBNAIL,
    Picture,
    Role,
    SourceImage,
    fallback_variant,
    picture,
    plan_variants,
)

VARIANT_ROLES: tuple[Role, ...] = (CONTENT, THUMBNAIL, AVATAR)
"""The roles every used image's variants cover."""

RASTER_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic", ".heif")
"""Names that may be raster images (the bytes decide: `processing.inspect`)."""


@dataclass(frozen=True)
class ImageFacts:
    """An image as its record keeps it: its header's facts, its digest and the encoder identity."""

    format: str
    width: int
    height: int
    orientation: int
    animated: bool
    has_alpha: bool
    digest: str
    identity: str

    def source(self, key: str) -> SourceImage:
        """The image as published at `key` (variants are named beside it)."""
        return SourceImage(key, self.format, self.width, self.height, self.orientation, self.animated, self.has_alpha)

    def variant_keys(self, key: str) -> tuple[str, ...]:
        """The keys of the variants of the image published at `key`."""
        return tuple(v.key for v in plan_variants(self.source(key), self.digest, self.identity, VARIANT_ROLES))

    def picture(self, url: str, role: Role) -> Picture:
        """The `<picture>` of the image linked as `url` (its variants' URLs beside it)."""
        return picture(self.source(url), self.digest, self.identity, role)

    def fallback(self, url: str) -> str:
        """The URL of the JPEG or PNG variant 1200 px wide (feeds, Open Graph) of the image at `url`."""
        return url if self.animated else fallback_variant(self.source(url), self.digest, self.identity).key


def is_raster_name(key: str) -> bool:
    """Whether `key` is named as a raster image (its bytes are inspected)."""
    return key.lower().endswith(RASTER_SUFFIXES)
