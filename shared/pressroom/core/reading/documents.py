"""YAML, TOML and JSON documents from the source (front matter, `site.yaml`, a Hugo configuration),
read within the same limits wherever they come from (SPEC 3.5).

A YAML alias is a reference: the loader builds a nine-level, nine-alias "billion laughs" of 1 KB
in microseconds, but anything that walks the result (a copy, a JSON dump, a template) meets
387 million strings. So every document is walked once after loading, and refused when it holds
more values than `MAX_VALUES` (each alias counted as often as it is used) or nests deeper than
`MAX_DEPTH`; that walk stops at the limit, so it costs at most `MAX_VALUES` steps. The bytes are
capped first (`MAX_DOCUMENT_BYTES`, the limit of a Markdown file).

Pure: text in, values (or the caller's ContentError, naming the file) out.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

import yaml

from pressroom.exceptions import ContentError

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
"""A source document's size limit (a Markdown file's, front matter included)."""
MAX_VALUES = 10_000
"""Values (mappings, lists, scalars and keys) one document may hold, aliases expanded."""
MAX_DEPTH = 100
"""Levels of nesting one document may have (walking it must not exhaust Python's recursion)."""

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlLoader(_YAML_LOADER):
    """The safe loader (libyaml's when installed), noting keys given twice in one mapping."""

    duplicates: list[str]

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            name = getattr(key_node, "value", None)
            if isinstance(name, str):
                if name in seen and name != "<<":
                    self.duplicates.append(name)
                seen.add(name)
        return super().construct_mapping(node, deep)


def load_yaml(
    key: str,
    text: str,
    what: str,
    error: type[ContentError] = ContentError,
    first_line: int = 1,
    duplicates: list[str] | None = None,
) -> Any:
    """The YAML `text` of file `key` as values (safe tags only), within the limits.

    `what` names the document in messages ("YAML front matter"); `first_line` is the file's
    line of the text's first line; `duplicates` collects keys given twice. Raises `error`.

    >>> load_yaml("site.yaml", "a: &a [x, x]\\nb: [*a, *a]\\n", "YAML")
    {'a': ['x', 'x'], 'b': [['x', 'x'], ['x', 'x']]}
    """
    refuse_oversized(key, text, what, error)
    loader = YamlLoader(text)
    loader.duplicates = duplicates if duplicates is not None else []
    try:
        value = loader.get_single_data()
    except yaml.MarkedYAMLError as problem:
        line = problem.problem_mark.line + first_line if problem.problem_mark else None
        raise error(key, f"invalid {what}: {problem.problem}", line) from None
    except yaml.YAMLError as problem:
        raise error(key, f"invalid {what}: {problem}") from None
    except (ValueError, TypeError, OverflowError) as problem:
        # PyYAML's timestamp constructor raises these for impossible dates like 2023-02-30.
        raise error(key, f"invalid value in {what}: {problem}") from None
    finally:
        loader.dispose()
    refuse_bombs(key, value, what, error)
    return value


def load_toml(key: str, text: str, what: str, error: type[ContentError] = ContentError) -> dict[str, Any]:
    """The TOML `text` of file `key` as values, within the limits; raises `error`."""
    refuse_oversized(key, text, what, error)
    try:
        value = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise error(key, f"invalid {what}: {problem}") from None
    except RecursionError:
        raise error(key, f"{what} nests deeper than {MAX_DEPTH} levels") from None
    refuse_bombs(key, value, what, error)
    return value


def load_json(key: str, text: str, what: str, error: type[ContentError] = ContentError) -> Any:
    """The JSON `text` of file `key` as values (an empty text: an empty mapping), within the limits."""
    refuse_oversized(key, text, what, error)
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as problem:
        raise error(key, f"invalid {what}: {problem}", problem.lineno) from None
    except RecursionError:
        raise error(key, f"{what} nests deeper than {MAX_DEPTH} levels") from None
    refuse_bombs(key, value, what, error)
    return value


def refuse_oversized(key: str, text: str, what: str, error: type[ContentError] = ContentError) -> None:
    """Raise `error` when `text` is over `MAX_DOCUMENT_BYTES` in UTF-8 (measured only when it may be)."""
    if len(text) * 4 <= MAX_DOCUMENT_BYTES:
        return  # no character takes more than 4 bytes
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        raise error(key, f"{what} is {size:,} bytes, over the 5 MiB limit")


def refuse_bombs(key: str, value: Any, what: str, error: type[ContentError] = ContentError) -> None:
    """Raise `error` when `value` holds over `MAX_VALUES` values (aliases expanded) or nests over
    `MAX_DEPTH` levels; walks at most `MAX_VALUES` of them, however big the expansion."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    counted = 1  # values walked or waiting to be
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            children: Any = (*node, *node.values()) if counted + 2 * len(node) <= MAX_VALUES else None
        elif isinstance(node, list | tuple | set | frozenset):  # tuples: `!!omap` and `!!pairs`
            children = node if counted + len(node) <= MAX_VALUES else None
        else:
            continue
        if children is None:
            raise error(
                key, f"{what} holds over {MAX_VALUES:,} values (an alias counts each time it is used): too large"
            )
        if depth >= MAX_DEPTH and children:
            raise error(key, f"{what} nests deeper than {MAX_DEPTH} levels")
        counted += len(children)
        pending.extend((child, depth + 1) for child in children)
