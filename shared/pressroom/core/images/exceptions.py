"""The one error of the images package."""

from __future__ import annotations

from pressroom.exceptions import ContentError


class ImageError(ContentError):
    """An image that cannot be processed: too large, truncated, corrupt, or not what its name says.

    Permanent like any ContentError (the same bytes give the same refusal); the page links the
    original instead of variants, or goes without the image when the original cannot be served.
    """


class UnreadableImage(ImageError):
    """Bytes whose header no decoder reads: no image at all (a placeholder, a document), or one
    cut or damaged before its size. It has no variants and its pages link it as written; its
    copy reports it when it cannot be cleaned (`core.images.metadata`), not this error."""
