"""The CloudFront adapter of the Cdn port; it takes its boto3 client as a parameter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class CloudFrontCdn:
    """The distribution in front of the site bucket: paths whose cached copies must go."""

    def __init__(self, client: Any, distribution_id: str) -> None:
        self.client = client
        self.distribution_id = distribution_id

    def invalidate(self, paths: Sequence[str], reference: str) -> None:
        if not paths:
            return
        self.client.create_invalidation(
            DistributionId=self.distribution_id,
            InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": list(paths)}, "CallerReference": reference},
        )
