"""The published outputs' records: a hash of what is published at each output key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pressroom.engine.table_layout import OUT, output_key
from pressroom.ports import Item, Table


class OutputRecords:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def item_keys(keys: Iterable[str]) -> list[tuple[str, str]]:
        """The table keys of these outputs' records (to read them in one request with other items)."""
        return [output_key(key) for key in dict.fromkeys(keys)]

    def hashes(self, keys: Iterable[str], found: Mapping[tuple[str, str], Item] | None = None) -> dict[str, str]:
        """The published hash of each output that has one; `found`: its records, read already."""
        wanted = self.item_keys(keys)
        items = found if found is not None else self.table.get_many(wanted)
        return {sk: items[(pk, sk)]["hash"] for pk, sk in wanted if (pk, sk) in items}

    def all(self) -> list[str]:
        keys: list[str] = []
        after: str | None = None
        while True:
            page = self.table.query(OUT, after=after, attributes=())
            keys += [item["sk"] for item in page.items]
            if page.cursor is None:
                return keys
            after = page.cursor
