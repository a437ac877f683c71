"""The one error of the images package."""

from __future__ import annotations

from pressroom.exceptions import ContentError


class ImageError(ContentError):
    """An image that cannot be processed: too large, truncated, corrupt, or not what its name says.

    Permanent like any ContentError (the same bytes give the same refusal); the page links the
    original instead of variants, or goes without the image when the original cannot be served.
    """
