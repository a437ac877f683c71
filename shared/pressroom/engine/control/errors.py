"""Error records: why a source is not (fully) published, and since when."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pressroom.core.planning.codec import pack, unpack
from pressroom.core.planning.plan import Reading
from pressroom.engine.table_layout import ERROR, error_key
from pressroom.ports import Item, Table


@dataclass(frozen=True)
class ErrorRecord:
    """Why a source is not (fully) published: a file that cannot be read, or claims it lost."""

    parse: str | None = None
    claims: Mapping[str, str] = field(default_factory=dict)
    when: str = ""

    @property
    def problems(self) -> list[str]:
        return ([self.parse] if self.parse else []) + [self.claims[key] for key in sorted(self.claims)]

    def item(self, key: str) -> Item:
        return {
            "pk": ERROR,
            "sk": key,
            "parse": self.parse or "",
            "claims": pack(dict(self.claims)),
            "when": self.when,
        }

    @classmethod
    def from_item(cls, item: Item) -> ErrorRecord:
        return cls(
            item.get("parse") or None, unpack(item["claims"]) if item.get("claims") else {}, item.get("when", "")
        )


class ErrorRecords:
    """The error records, as the holder (their only writer) knows them within a round."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._known: dict[str, ErrorRecord | None] = {}

    def forget(self) -> None:
        self._known = {}

    def writes(
        self, readings: Sequence[Reading], problems: Mapping[str, Mapping[str, str | None]], now: datetime
    ) -> tuple[list[Item], list[tuple[str, str]]]:
        """Error records of the round's keys: a file that cannot be read, and claims lost or won back."""
        by_key = {reading.key: reading for reading in readings if not reading.recheck}
        keys = sorted(set(by_key) | set(problems))
        if not keys:
            return [], []
        existing = self.records(keys)
        self._known = {}  # the round writes them: not known past it
        puts: list[Item] = []
        deletes: list[tuple[str, str]] = []
        for key in keys:
            old = existing.get(key, ErrorRecord())
            reading = by_key.get(key)
            parse = old.parse
            claims = dict(old.claims)
            if reading is not None:
                parse = reading.error.problem if reading.error is not None else None
                if reading.version is None:
                    claims = {}
            for claim_key, problem in problems.get(key, {}).items():
                if problem is None:
                    claims.pop(claim_key, None)
                else:
                    claims[claim_key] = problem
            if not parse and not claims:
                if key in existing:
                    deletes.append(error_key(key))
            elif (parse, claims) != (old.parse, dict(old.claims)):
                puts.append(ErrorRecord(parse, claims, iso(now)).item(key))
        return puts, deletes

    def records(self, keys: Iterable[str]) -> dict[str, ErrorRecord]:
        wanted = list(dict.fromkeys(keys))
        known = self._known
        missing = [key for key in wanted if key not in known]
        found = self.table.get_many([error_key(key) for key in missing]) if missing else {}
        records = {sk: ErrorRecord.from_item(item) for (_, sk), item in found.items()}
        records.update({key: record for key in wanted if (record := known.get(key)) is not None})
        return records

    @staticmethod
    def item_keys(keys: Iterable[str]) -> list[tuple[str, str]]:
        """The items of these keys' error records (to read with other items: see `learn`)."""
        return [error_key(key) for key in keys]

    def learn(self, keys: Iterable[str], found: Mapping[tuple[str, str], Item]) -> None:
        """These keys' error records, as read with other items: `records` will not read them again
        (for the round under way; the holder is the only writer of error records)."""
        self._known = {
            key: ErrorRecord.from_item(item) if (item := found.get(error_key(key))) is not None else None
            for key in keys
        }

    def all(self) -> dict[str, ErrorRecord]:
        found: dict[str, ErrorRecord] = {}
        after: str | None = None
        while True:
            page = self.table.query(ERROR, after=after)
            found.update({item["sk"]: ErrorRecord.from_item(item) for item in page.items})
            if page.cursor is None:
                return found
            after = page.cursor


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
