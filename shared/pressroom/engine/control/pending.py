"""Pending invalidations: CloudFront paths written or deleted but not yet invalidated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pressroom.core.planning.codec import pack, unpack
from pressroom.engine.control.lease import Tenure
from pressroom.engine.table_layout import PENDING_KEY
from pressroom.ports import Item

UNKNOWN: Any = object()
"""A coordination item this invocation has not read (or may have changed without knowing how)."""


class PendingPaths:
    """The pending paths; while it holds the lease, only this invocation writes them: what it
    read or wrote of them stays true, and is not read again."""

    def __init__(self, tenure: Tenure) -> None:
        self.tenure = tenure
        self._known: Any = UNKNOWN

    def forget(self) -> None:
        self._known = UNKNOWN

    def learn(self, found: Mapping[tuple[str, str], Item]) -> None:
        """The pending paths' item as read with other items (`found`: those that exist)."""
        pending = found.get(PENDING_KEY)
        self._known = list(unpack(pending["data"])) if pending else []

    def paths(self) -> list[str]:
        if self.tenure.lease is not None and self._known is not UNKNOWN:
            return list(self._known)
        item = self.tenure.table.get(*PENDING_KEY)
        paths = list(unpack(item["data"])) if item else []
        if self.tenure.lease is not None:
            self._known = paths
        return list(paths)

    @staticmethod
    def item(paths: Sequence[str]) -> Item:
        return {"pk": PENDING_KEY[0], "sk": PENDING_KEY[1], "data": pack(sorted(paths))}

    def save(self, paths: Sequence[str]) -> None:
        """Record the paths to invalidate (write-ahead: before any object changes)."""
        self.tenure.transact([self.item(paths)])
        self._known = sorted(paths)
