"""The small interfaces the publisher needs from the world, so the core never touches boto3."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol


class Source(Protocol):
    """Where content lives: the source bucket, or a folder."""

    def read(self, key: str) -> bytes | None:
        """The current bytes of a key, or None when it does not exist (now)."""
        ...

    def list_keys(self, prefix: str = "") -> list[str]: ...


class SiteStore(Protocol):
    """Where the site is published: the site bucket, or a folder."""

    def put(self, key: str, body: bytes, content_type: str, cache_control: str) -> None: ...

    def delete(self, keys: Iterable[str]) -> None: ...

    def list_keys(self, prefix: str = "") -> list[str]: ...

    def read(self, key: str) -> bytes | None: ...


class Cdn(Protocol):
    def invalidate(self, paths: Sequence[str], reference: str) -> None: ...


class Queue(Protocol):
    """Where a whole-site rebuild sends its chunks: the publisher's own queue, or a list in memory."""

    def send(self, messages: Sequence[Mapping[str, Any]]) -> None: ...
