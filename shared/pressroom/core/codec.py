"""Entries and intros as JSON text, the form the index stores them in; outputs as the queue carries them."""

from __future__ import annotations

import json
from datetime import datetime
from types import MappingProxyType
from typing import Any

from pressroom.core import plan
from pressroom.core.model import Entry, Intro

_DATE_FIELDS = ("date", "lastmod", "publish_date", "expiry_date")
_TUPLE_FIELDS = ("tags", "categories", "aliases")


def entry_to_json(entry: Entry) -> str:
    data: dict[str, Any] = {}
    for name in Entry.__dataclass_fields__:
        value = getattr(entry, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, MappingProxyType):
            value = dict(value)
        data[name] = value
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_from_json(text: str) -> Entry:
    data = json.loads(text)
    for name in _DATE_FIELDS:
        if data.get(name):
            data[name] = datetime.fromisoformat(data[name])
    for name in _TUPLE_FIELDS:
        data[name] = tuple(data.get(name) or ())
    data["params"] = MappingProxyType(data.get("params") or {})
    return Entry(**data)


def intro_to_json(intro: Intro) -> str:
    data = {name: getattr(intro, name) for name in Intro.__dataclass_fields__}
    data["params"] = dict(intro.params)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def intro_from_json(text: str) -> Intro:
    data = json.loads(text)
    data["params"] = MappingProxyType(data.get("params") or {})
    return Intro(**data)


_OUTPUT_KINDS: dict[str, type[plan.Output]] = {
    kind.__name__: kind
    for kind in (
        plan.PageOutput,
        plan.ListOutput,
        plan.FeedOutput,
        plan.TaxonomyOutput,
        plan.SitemapOutput,
        plan.AliasOutput,
        plan.StaticOutput,
        plan.AssetOutput,
    )
}


def output_to_json(output: plan.Output) -> dict[str, Any]:
    return {"kind": type(output).__name__, **{name: getattr(output, name) for name in output.__dataclass_fields__}}


def output_from_json(data: dict[str, Any]) -> plan.Output:
    fields = dict(data)
    return _OUTPUT_KINDS[fields.pop("kind")](**fields)
