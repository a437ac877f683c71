"""The inbox: changes not yet published, written by every invocation (the holder takes them)."""

from __future__ import annotations

from collections.abc import Iterable

from pressroom.engine.table_layout import INBOX, inbox_sk, inbox_source
from pressroom.ports import Item, Table


def inbox_item(event: str, key: str, at: float) -> Item:
    """The inbox's record of a changed source key (one per event id: a redelivery is idempotent)."""
    return {"pk": INBOX, "sk": inbox_sk(key, event), "at": at}


class Inbox:
    def __init__(self, table: Table) -> None:
        self.table = table

    def accept(self, changes: Iterable[tuple[str, str]], at: float) -> None:
        """Record changed source keys (event id, key); idempotent for a redelivered event."""
        puts = [inbox_item(event, key, at) for event, key in changes]
        if puts:
            self.table.write_many(puts)

    def waiting(self, limit: int) -> list[tuple[str, str]]:
        """(inbox sort key, source key) of waiting changes, oldest keys first by name."""
        page = self.table.query(INBOX, limit=limit)
        return [(item["sk"], inbox_source(item["sk"])) for item in page.items]

    def size(self, limit: int) -> int:
        return self.table.query(INBOX, limit=limit, count_only=True).count
