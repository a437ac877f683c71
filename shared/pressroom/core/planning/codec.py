"""Values as JSON-able data, the form the index and the journal store them in.

Entries, intros, index records, outputs and render plans: `*_to_data` gives plain dicts and
lists (stable: sorted keys, so an unchanged value stores the same bytes), `*_from_data` rebuilds
the frozen value. `pack`/`unpack` make compact bytes of any such data.
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from datetime import datetime
from types import MappingProxyType
from typing import Any

from pressroom.core.images.facts import ImageFacts
from pressroom.core.planning.plan import AssetRecord, IntroRecord, PageRecord, Record, RenderPlan
from pressroom.core.rendering.kinds import OutputKind
from pressroom.core.site.model import Entry, Intro
from pressroom.core.site.outputs import Output

_DATE_FIELDS = ("date", "lastmod", "publish_date", "expiry_date")
_TUPLE_FIELDS = ("tags", "categories", "aliases")


def pack(data: Any) -> bytes:
    """Compact, deterministic bytes of JSON-able data."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 6)


def unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, MappingProxyType | dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


_BUILD_DEFAULTS = {"render": "always", "listing": "always", "publish_resources": True}
"""Entry fields left out while they hold Hugo's default: every list item of a page copies its
entry, and nearly every page has these."""


def entry_to_data(entry: Entry) -> dict[str, Any]:
    return {
        name: _plain(getattr(entry, name))
        for name in Entry.__dataclass_fields__
        if name not in _BUILD_DEFAULTS or getattr(entry, name) != _BUILD_DEFAULTS[name]
    }


def entry_from_data(data: dict[str, Any]) -> Entry:
    data = dict(data)
    for name in _DATE_FIELDS:
        data[name] = datetime.fromisoformat(data[name]) if data.get(name) else None
    for name in _TUPLE_FIELDS:
        data[name] = tuple(data.get(name) or ())
    data["params"] = MappingProxyType(data.get("params") or {})
    data["other_terms"] = MappingProxyType({k: tuple(v) for k, v in (data.get("other_terms") or {}).items()})
    data["term_display"] = MappingProxyType(data.get("term_display") or {})
    return Entry(**data)


def entry_to_json(entry: Entry) -> str:
    return json.dumps(entry_to_data(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_from_json(text: str) -> Entry:
    return entry_from_data(json.loads(text))


def intro_to_data(intro: Intro) -> dict[str, Any]:
    return {name: _plain(getattr(intro, name)) for name in Intro.__dataclass_fields__}


def intro_from_data(data: dict[str, Any]) -> Intro:
    data = dict(data)
    data["params"] = MappingProxyType(data.get("params") or {})
    data["dates"] = MappingProxyType(data.get("dates") or {})
    return Intro(**data)


def intro_to_json(intro: Intro) -> str:
    return json.dumps(intro_to_data(intro), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def intro_from_json(text: str) -> Intro:
    return intro_from_data(json.loads(text))


def record_to_data(record: Record) -> dict[str, Any]:
    if isinstance(record, PageRecord):
        return {
            "t": "page",
            "e": entry_to_data(record.entry),
            "v": record.version,
            "l": record.live,
            "p": record.published,
            "a": list(record.aliases),
            "d": record.due.isoformat() if record.due else None,
            "g": record.etag,
            "x": record.text,
            "im": list(record.images),
        }
    if isinstance(record, IntroRecord):
        return {"t": "intro", "i": intro_to_data(record.intro), "v": record.version, "g": record.etag}
    image = dataclasses.asdict(record.image) if record.image is not None else None
    return {
        "t": "asset",
        "v": record.version,
        "k": record.claim_key,
        "p": record.published,
        "g": record.etag,
        "im": image,
    }


def record_from_data(data: dict[str, Any]) -> Record:
    if data["t"] == "page":
        due = datetime.fromisoformat(data["d"]) if data.get("d") else None
        entry = entry_from_data(data["e"])
        # A record stored before pages kept their text has none: the theme changed with it, so
        # the rebuild that follows re-reads every page (`engine.rebuild`: no record is reused).
        text = data.get("x", "")
        images = tuple(data.get("im", ()))
        return PageRecord(entry, data["v"], data["l"], data["p"], tuple(data["a"]), due, _etag(data), text, images)
    if data["t"] == "intro":
        return IntroRecord(intro_from_data(data["i"]), data["v"], data.get("g", ""))
    image = ImageFacts(**data["im"]) if data.get("im") else None
    return AssetRecord(data["v"], data.get("k"), bool(data.get("p")), _etag(data), image)


def _etag(data: dict[str, Any]) -> str:
    """A record's etag; none for one stored before records kept images (`im`: a page's images, an
    image's facts), so that a rebuild reads its source again instead of reusing it (`engine.rebuild`)."""
    return data.get("g", "") if "im" in data else ""


def output_to_json(output: Output) -> dict[str, Any]:
    """An output as its kind's tag and the values that name it."""
    return {"kind": output.tag, **output.fields()}


def output_from_json(data: dict[str, Any]) -> Output:
    fields = dict(data)
    return OutputKind.named(fields.pop("kind"))(**fields)


def render_plan_to_data(plan: RenderPlan) -> dict[str, Any]:
    return {
        "outputs": sorted((output_to_json(o) for o in plan.outputs), key=lambda d: json.dumps(d, sort_keys=True)),
        "ranges": {list_id: list(span) for list_id, span in sorted(plan.list_ranges.items())},
        "around": sorted([list_id, key] for list_id, key in plan.around),
        "members": sorted(plan.members),
        "delete": sorted(plan.delete),
        "sitemap": plan.sitemap,
        "anchors": {
            list_id: {str(rank): key for rank, key in ranks.items()} for list_id, ranks in plan.anchors.items()
        },
    }


def render_plan_from_data(data: dict[str, Any]) -> RenderPlan:
    return RenderPlan(
        outputs={output_from_json(o) for o in data["outputs"]},
        list_ranges={list_id: (span[0], span[1]) for list_id, span in data["ranges"].items()},
        around={(list_id, key) for list_id, key in data["around"]},
        members=set(data.get("members", ())),
        delete=set(data["delete"]),
        sitemap=bool(data["sitemap"]),
        anchors={
            list_id: {int(rank): key for rank, key in ranks.items()} for list_id, ranks in data["anchors"].items()
        },
    )
