"""A Hugo site root's configuration, read as Hugo reads it, mapped onto pressroom's settings.

Hugo reads the first of `hugo.toml|yaml|yml|json`, `config.toml|...` at the root, then merges
`config/_default/` over it: `KEY.toml` sets `KEY`, `KEY.LANG.toml` sets `languages.LANG.KEY`
(`menus.LANG` and `params.LANG` land in that language's `menus` and `params`), and `hugo.toml`
or `config.toml` in the folder set the root. Keys are case-insensitive (Hugo lower-cases them,
params included). Environment folders (`config/production/`, ...) are not read.

`hugo_values` turns that merged mapping into `SiteConfig` values and names every key it does
not honour, so nothing is silently dropped (`pressroom check` reports them).

Pure: bytes in, values out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pressroom.core.reading.documents import load_json, load_toml, load_yaml
from pressroom.core.site.urls import (
    PERMALINK_ATTRIBUTES,
    TERM_PERMALINK_ATTRIBUTES,
    permalink_attributes,
)
from pressroom.exceptions import ConfigError

ROOT_CONFIG_FILES = tuple(f"{name}.{ext}" for name in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json"))
"""Hugo's root configuration files, in the order Hugo looks for them (it reads the first found)."""
CONFIG_DIR = "config/_default/"
"""Hugo's configuration folder (its environment folders beside it are not read)."""
_EXTENSIONS = (".toml", ".yaml", ".yml", ".json")
_ROOT_NAMES = frozenset({"hugo", "config"})


def is_hugo_config_key(key: str) -> bool:
    """A source key Hugo reads its configuration from."""
    if key in ROOT_CONFIG_FILES:
        return True
    return key.startswith(CONFIG_DIR) and key.lower().endswith(_EXTENSIONS)


def _load(key: str, data: bytes) -> dict[str, Any]:
    text = data.decode("utf-8-sig", "replace")
    if key.endswith(".toml"):
        value: Any = load_toml(key, text, "TOML", ConfigError)
    elif key.endswith(".json"):
        value = load_json(key, text, "JSON", ConfigError)
    else:
        value = load_yaml(key, text, "YAML", ConfigError)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(key, "must be a mapping of settings")
    return value


def _lower(value: Any) -> Any:
    """Keys lower-cased all the way down, as Hugo does."""
    if isinstance(value, dict):
        return {str(k).lower(): _lower(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower(v) for v in value]
    return value


@dataclass
class HugoConfig:
    """The merged configuration, and which file set each leaf (dotted path -> source key)."""

    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

    def merge(self, key: str, tree: Mapping[str, Any], at: tuple[str, ...] = ()) -> None:
        """Hugo's `Set("", m)`: later files overwrite keys of the same name, recursively."""
        target = self.values
        for part in at:
            child = target.get(part)
            if not isinstance(child, dict):
                child = target[part] = {}
            target = child
        _merge_into(target, tree, ".".join(at), key, self.origin)

    def file_of(self, path: str) -> str:
        """The file that set `path` (or something under it, or above it)."""
        if path in self.origin:
            return self.origin[path]
        found = sorted(v for k, v in self.origin.items() if k.startswith(path + "."))
        if found:
            return found[0]
        parent = path.rpartition(".")[0]
        return self.file_of(parent) if parent else ROOT_CONFIG_FILES[0]


def _merge_into(target: dict[str, Any], tree: Mapping[str, Any], prefix: str, key: str, origin: dict[str, str]) -> None:
    for name, value in tree.items():
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict) and isinstance(target.get(name), dict):
            _merge_into(target[name], value, path, key, origin)
            continue
        target[name] = value
        for old in [k for k in origin if k.startswith(path + ".")]:
            del origin[old]
        origin[path] = key
        if isinstance(value, dict):
            _record(value, path, key, origin)


def _record(tree: Mapping[str, Any], prefix: str, key: str, origin: dict[str, str]) -> None:
    for name, value in tree.items():
        origin[f"{prefix}.{name}"] = key
        if isinstance(value, dict):
            _record(value, f"{prefix}.{name}", key, origin)


def _cascade(value: Any) -> tuple[dict[str, Any], ...]:
    """The configuration's `cascade`: one entry or a list of them (see `core.site.build_options`)."""
    return tuple(item for item in (value if isinstance(value, list) else [value]) if isinstance(item, dict))


def read_hugo_config(files: Mapping[str, bytes]) -> HugoConfig | None:
    """The configuration of a Hugo site root, or None when `files` hold no Hugo configuration."""
    root = next((key for key in ROOT_CONFIG_FILES if key in files), None)
    folder = sorted(key for key in files if key.startswith(CONFIG_DIR) and is_hugo_config_key(key))
    if root is None and not folder:
        return None
    config = HugoConfig()
    if root is not None:
        config.merge(root, _lower(_load(root, files[root])))
    for key in folder:
        tree = _lower(_load(key, files[key]))
        stem = key.rsplit("/", 1)[1].rsplit(".", 1)[0].lower()
        if stem in _ROOT_NAMES:
            config.merge(key, tree)
            continue
        name, _, lang = stem.partition(".")
        value: Any = tree[name] if len(tree) == 1 and name in tree else tree  # `cascade.yaml`: `cascade: [...]`
        if name == "menu":
            name = "menus"
        path = ["languages", lang] + ([name] if name in ("menus", "params") else []) if lang else [name]
        config.merge(key, {path[-1]: value}, tuple(path[:-1]))
    return config


# -- what pressroom makes of it ------------------------------------------------------------------

_CONSUMED = frozenset({"languages", "defaultcontentlanguage", "defaultcontentlanguageinsubdir"})
"""Keys read to find the site's one language (see `_language`)."""
_LANGUAGE_META = frozenset({"languagename", "weight", "label", "languagedirection", "disabled"})
"""A language's own description: nothing for a single-language site to do with it."""
_GOLDMARK_SWITCHES = {"table": "table", "strikethrough": "strikethrough", "tasklist": "tasklist", "linkify": "linkify"}
_KINDS = frozenset({"rss", "sitemap", "robotstxt", "404", "taxonomy", "term", "home", "section", "page"})
_HONOURED_KINDS = frozenset({"rss", "sitemap", "robotstxt", "404", "taxonomy"})


@dataclass
class _Reader:
    """Takes keys out of the merged configuration; whatever is left at the end is reported."""

    config: HugoConfig
    tree: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def take(self, *path: str) -> Any:
        node: Any = self.tree
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return None
        return node.pop(path[-1], None)

    def ignore(self, path: str, why: str = "not supported by pressroom") -> None:
        self.warnings.append(f"{self.config.file_of(path)}: {path} is ignored ({why})")

    def bad(self, path: str, problem: str) -> ConfigError:
        return ConfigError(self.config.file_of(path), f"{path} {problem}")


def _language(reader: _Reader) -> tuple[str, list[str]]:
    """Merge the default language's settings into the root; other languages are reported.

    Returns the language built and the others (whose page files are left out).
    """
    tree = reader.tree
    languages = tree.get("languages")
    default = str(tree.get("defaultcontentlanguage") or "en").lower()
    if not isinstance(languages, dict) or not languages:
        return default, []
    languages = {str(name).lower(): value for name, value in languages.items()}
    chosen = default if default in languages else sorted(languages)[0]
    for lang in sorted(languages):
        if lang != chosen:
            reader.ignore(f"languages.{lang}", f"only the default language {chosen!r} is built")
    settings = languages.get(chosen)
    if isinstance(settings, dict):
        for name, value in settings.items():
            if name in _LANGUAGE_META:
                continue
            current = tree.get(name)
            if isinstance(value, dict) and isinstance(current, dict):
                merged = HugoConfig(current)
                merged.merge("", value)
                tree[name] = merged.values
            else:
                tree[name] = value
            for path, source in list(reader.config.origin.items()):
                prefix = f"languages.{chosen}.{name}"
                if path == prefix or path.startswith(prefix + "."):
                    reader.config.origin[name + path[len(prefix) :]] = source
    return chosen, sorted(lang for lang in languages if lang != chosen)


def _integer(reader: _Reader, path: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise reader.bad(path, f"must be a whole number, not {value!r}")
    return value


def _boolean(reader: _Reader, path: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise reader.bad(path, f"must be true or false, not {value!r}")
    return value


MENUS_SHOWN = ("main", "footer")
"""The menus the theme shows: the header's (`main`) and the footer's (`footer`, as Congo and Blowfish)."""

MenuItems = tuple[tuple[str, str, str], ...]
"""A menu as (name, url, pageRef) entries, in Hugo's order."""


def menu_items(name: str, entries: Any) -> tuple[MenuItems, list[tuple[str, str]]]:
    """Hugo's menu `name` as (name, url, pageRef), ordered by weight then name, as Hugo orders it,
    and (path, why) for each entry not shown; a ValueError says why the menu is malformed."""
    if not isinstance(entries, list):
        raise ValueError("must be a list of menu entries")
    items: list[tuple[int, str, str, str]] = []
    skipped: list[tuple[str, str]] = []
    for index, item in enumerate(entries):
        if not isinstance(item, dict):
            raise ValueError(f"entry {index + 1} must be a mapping")
        item = {str(k).lower(): v for k, v in item.items()}
        if item.get("parent"):
            skipped.append((f"menus.{name}.{item.get('identifier') or item.get('name')}", "nested menus are not shown"))
            continue
        title = str(item.get("name") or item.get("identifier") or item.get("pageref") or "")
        if not item.get("url") and not item.get("pageref"):
            why = "an entry with no url or pageRef (a parent of submenus) is not shown"
            skipped.append((f"menus.{name}.{title}", why))
            continue
        weight = item.get("weight") or 0
        items.append(
            (
                weight if isinstance(weight, int) else 0,
                title,
                str(item.get("url") or ""),
                str(item.get("pageref") or ""),
            )
        )
    # Hugo: by weight (unset last), then by name.
    items.sort(key=lambda i: (i[0] == 0, i[0], i[1]))
    return tuple((title, url, ref) for _, title, url, ref in items), skipped


def _menus(reader: _Reader, menus: Any) -> dict[str, MenuItems]:
    """The menus the theme shows (`MENUS_SHOWN`), by name; others and their unshown entries are reported."""
    if not isinstance(menus, dict):
        return {}
    found: dict[str, MenuItems] = {}
    for name in sorted(menus):
        if name not in MENUS_SHOWN:
            reader.ignore(f"menus.{name}", "only the main and footer menus are shown")
            continue
        try:
            found[name], skipped = menu_items(name, menus[name])
        except ValueError as problem:
            raise reader.bad(f"menus.{name}", str(problem)) from None
        for path, why in skipped:
            reader.ignore(path, why)
    return found


def _permalinks(reader: _Reader, value: Any, taxonomies: tuple[str, ...]) -> dict[str, str]:
    """`{section|taxonomy: pattern}` and `{page|term: {name: pattern}}` as `page:SECTION` and
    `term:TAXONOMY` keys (a taxonomy's name sets its terms' pattern, as in Hugo)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise reader.bad("permalinks", "must be a mapping of sections to patterns")
    result: dict[str, str] = {}
    for name, pattern in value.items():
        if isinstance(pattern, str):
            result[f"{'term' if name in taxonomies else 'page'}:{name}"] = pattern
        elif isinstance(pattern, dict) and name in ("page", "term"):
            for section, inner in pattern.items():
                if not isinstance(inner, str):
                    raise reader.bad(f"permalinks.{name}.{section}", "must be a pattern")
                result[f"{name}:{section}"] = inner
        elif isinstance(pattern, dict):
            reader.ignore(f"permalinks.{name}", f"permalinks of {name} pages are not supported")
        else:
            raise reader.bad(f"permalinks.{name}", f"must be a pattern, not {pattern!r}")
    for key, pattern in result.items():
        allowed = TERM_PERMALINK_ATTRIBUTES if key.startswith("term:") else PERMALINK_ATTRIBUTES
        for attribute in permalink_attributes(pattern):
            if attribute.lower() not in allowed:
                raise reader.bad(f"permalinks.{key.partition(':')[2]}", f"uses :{attribute}, which pressroom lacks")
    return result


def hugo_values(config: HugoConfig) -> tuple[dict[str, Any], list[str]]:
    """SiteConfig values from a Hugo configuration, and a warning for every key not honoured."""
    reader = _Reader(config, json.loads(json.dumps(config.values, default=str)))
    lang, others = _language(reader)
    values: dict[str, Any] = {"languageCode": lang, "feedLimit": -1, "enableRobotsTXT": False}
    values["contentLanguage"], values["otherLanguages"] = lang, tuple(others)
    take = reader.take
    for name in _CONSUMED:
        take(name)
    base = take("baseurl")
    if base:
        values["baseURL"] = str(base)
    else:
        reader.warnings.append(f"{config.file_of('baseurl')}: no baseURL; links use https://example.com/")
    for hugo_name, name in (("title", "title"), ("languagecode", "languageCode"), ("timezone", "timeZone")):
        if (value := take(hugo_name)) is not None:
            values[name] = str(value)
    content_dir = take("contentdir")
    values["contentDir"] = str(content_dir or "content").strip("/")
    static = take("staticdir")
    static_dirs = [static] if isinstance(static, str) else static if isinstance(static, list) else ["static"]
    values["staticDirs"] = tuple(str(s).strip("/") for s in static_dirs)
    pager = take("pagination", "pagersize")
    old_pager = take("paginate")
    if pager is not None or old_pager is not None:
        values["pagerSize"] = _integer(reader, "pagination.pagersize", pager if pager is not None else old_pager)
    if (disable := take("pagination", "disablealiases")) is not None:
        values["pagerAliases"] = not _boolean(reader, "pagination.disablealiases", disable)
    if take("pagination", "path") not in (None, "page"):
        reader.ignore("pagination.path", "pagination is always under page/")
    if (length := take("summarylength")) is not None:
        values["summaryLength"] = _integer(reader, "summarylength", length)
    limit = take("services", "rss", "limit")
    old_limit = take("rsslimit")
    if limit is not None or old_limit is not None:
        values["feedLimit"] = _integer(reader, "services.rss.limit", limit if limit is not None else old_limit)
    for name in ("buildDrafts", "buildFuture", "buildExpired", "enableRobotsTXT", "hasCJKLanguage"):
        if (value := take(name.lower())) is not None:
            values[name] = _boolean(reader, name.lower(), value)
    values["cascade"] = _cascade(take("cascade"))
    kinds = take("disablekinds")
    if kinds is not None:
        names = [str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds])]
        for kind in names:
            if kind not in _KINDS:
                raise reader.bad("disablekinds", f"names an unknown kind {kind!r}")
            if kind not in _HONOURED_KINDS:
                reader.ignore(f"disablekinds.{kind}", f"pages of kind {kind!r} are always built")
        values["disableKinds"] = tuple(sorted(k for k in names if k in _HONOURED_KINDS))
    taxonomies = take("taxonomies")
    if taxonomies is not None:
        if not isinstance(taxonomies, dict):
            raise reader.bad("taxonomies", "must map singular names to plural names")
        values["taxonomies"] = tuple(dict.fromkeys(str(plural).lower() for plural in taxonomies.values()))
    plurals = values.get("taxonomies", ("tags", "categories"))
    values["permalinks"] = _permalinks(reader, take("permalinks"), plurals)
    values.update(_footer_and_menus(reader))
    values.update(_params_values(reader, take("params")))
    values["markup"] = _markup(reader, take("enableemoji"))
    for theme_key in ("theme", "themesdir"):
        if take(theme_key) is not None:
            reader.ignore(theme_key, "pressroom renders with its own theme")
    for leftover in sorted(_leaves(reader.tree)):
        reader.ignore(leftover)
    return values, reader.warnings


def _footer_and_menus(reader: _Reader) -> dict[str, Any]:
    """SiteConfig values of the menus the theme shows and of the footer's `copyright` line."""
    values: dict[str, Any] = {}
    menus = _menus(reader, reader.take("menus"))
    if "main" in menus:
        values["menu"] = menus["main"]
    if "footer" in menus:
        values["footerMenu"] = menus["footer"]
    if (copyright_line := reader.take("copyright")) is not None:
        values["copyright"] = str(copyright_line)
    return values


def _params_values(reader: _Reader, params: Any) -> dict[str, Any]:
    """`params`, and the settings pressroom takes from it: the description, the author's name,
    whether photos keep their metadata."""
    if params is not None and not isinstance(params, dict):
        raise reader.bad("params", "must be a mapping")
    params = dict(params or {})
    values: dict[str, Any] = {"params": params}
    if isinstance(params.get("description"), str):
        values["description"] = params["description"]
    author = params.get("author")
    if isinstance(author, dict) and isinstance(author.get("name"), str):
        values["author"] = author["name"]
    elif isinstance(author, str):
        values["author"] = author
    if (keep := _get_lower(params, "keepimagemetadata")) is not None:
        values["keepImageMetadata"] = _boolean(reader, "params.keepImageMetadata", keep)
    return values


def _get_lower(mapping: Mapping[str, Any], name: str) -> Any:
    """A param by its lower-case name (Hugo's param keys are case-insensitive)."""
    return next((value for key, value in mapping.items() if str(key).lower() == name), None)


def _table_of_contents(reader: _Reader) -> dict[str, Any]:
    """`markup.tableOfContents`: the heading levels listed, and whether the lists are ordered."""
    found: dict[str, Any] = {}
    for hugo_name, name in (("startlevel", "toc_start_level"), ("endlevel", "toc_end_level")):
        value = reader.take("markup", "tableofcontents", hugo_name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 6:
            raise reader.bad(f"markup.tableOfContents.{hugo_name}", "must be a heading level from 1 to 6")
        found[name] = value
    if (ordered := reader.take("markup", "tableofcontents", "ordered")) is not None:
        found["toc_ordered"] = _boolean(reader, "markup.tableOfContents.ordered", ordered)
    return found


def _markup(reader: _Reader, emoji: Any) -> dict[str, Any]:
    """`markup.goldmark` switches (and `enableEmoji`) as MarkupSettings values."""
    take = reader.take
    switches: dict[str, bool] = {}
    if emoji is not None:
        switches["emoji"] = _boolean(reader, "enableemoji", emoji)
    if (unsafe := take("markup", "goldmark", "renderer", "unsafe")) is not None:
        switches["unsafe"] = _boolean(reader, "markup.goldmark.renderer.unsafe", unsafe)
    extensions = "markup", "goldmark", "extensions"
    typographer = take(*extensions, "typographer")
    if isinstance(typographer, dict):
        disabled = typographer.pop("disable", None)
        if disabled is not None:
            switches["typographer"] = not _boolean(reader, "markup.goldmark.extensions.typographer.disable", disabled)
        for name in typographer:
            reader.ignore(f"markup.goldmark.extensions.typographer.{name}", "the typographer uses goldmark's defaults")
    elif typographer is not None:
        switches["typographer"] = _boolean(reader, "markup.goldmark.extensions.typographer", typographer)
    footnote = take(*extensions, "footnote")
    if isinstance(footnote, dict):
        enabled = footnote.pop("enable", None)
        if enabled is not None:
            switches["footnote"] = _boolean(reader, "markup.goldmark.extensions.footnote.enable", enabled)
        for name in footnote:
            reader.ignore(f"markup.goldmark.extensions.footnote.{name}")
    elif footnote is not None:
        switches["footnote"] = _boolean(reader, "markup.goldmark.extensions.footnote", footnote)
    if (title := take("markup", "goldmark", "parser", "attribute", "title")) is not None:
        switches["heading_attributes"] = _boolean(reader, "markup.goldmark.parser.attribute.title", title)
    switches.update(_table_of_contents(reader))
    for hugo_name, name in _GOLDMARK_SWITCHES.items():
        if (value := take(*extensions, hugo_name)) is not None:
            switches[name] = _boolean(reader, f"markup.goldmark.extensions.{hugo_name}", value)
    take("markup", "defaultmarkdownhandler")  # goldmark is the only handler pressroom has, and Hugo's default
    return switches


def _leaves(tree: Mapping[str, Any], prefix: str = "") -> list[str]:
    """The paths still set: empty tables (left by keys taken from them) are not reported."""
    found: list[str] = []
    for name, value in tree.items():
        path = f"{prefix}.{name}" if prefix else name
        if _emptied(value):
            continue
        if isinstance(value, dict) and prefix.count(".") < 1:
            found += _leaves(value, path)
        else:
            found.append(path)
    return found


def _emptied(value: Any) -> bool:
    """A table with nothing left in it but empty tables."""
    return isinstance(value, dict) and all(_emptied(item) for item in value.values())
