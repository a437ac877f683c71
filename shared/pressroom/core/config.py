"""Site configuration (`site.yaml`): defaults, then the author's overrides, then validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from pressroom.core.model import DEFAULT_TAXONOMIES
from pressroom.exceptions import ConfigError

CONFIG_KEY = "site.yaml"


@dataclass(frozen=True)
class MarkupSettings:
    """How Markdown becomes HTML: Hugo's `markup.goldmark` switches (and `enableEmoji`), Hugo's defaults."""

    unsafe: bool = False
    """Raw HTML in Markdown is kept (goldmark `renderer.unsafe`); otherwise it is omitted."""
    typographer: bool = True
    footnote: bool = True
    table: bool = True
    strikethrough: bool = True
    tasklist: bool = True
    linkify: bool = True
    emoji: bool = False


@dataclass(frozen=True)
class SiteConfig:
    """The settings of SPEC section 5, typed and validated; `params` is free-form for templates."""

    title: str = "My pressroom blog"
    baseURL: str = "https://example.com/"
    languageCode: str = "en-us"
    description: str = ""
    author: str = ""
    timeZone: str = "UTC"
    pagerSize: int = 10
    summaryLength: int = 70
    feedLimit: int = 20
    showReadingTime: bool = True
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    taxonomies: tuple[str, ...] = DEFAULT_TAXONOMIES
    """The taxonomies whose terms get pages (Hugo's `taxonomies`, by their plural names)."""
    markup: MarkupSettings = MarkupSettings()
    shortcodes: tuple[tuple[str, str], ...] = ()
    """The site's own shortcode templates (`layouts/shortcodes/NAME.html`): (NAME.html, source)."""

    @property
    def unsafeHTML(self) -> bool:
        """site.yaml's `unsafeHTML`: the same setting as `markup.unsafe`."""
        return self.markup.unsafe

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timeZone)

    @property
    def base_url(self) -> str:
        """The base URL with exactly one trailing slash."""
        return self.baseURL.rstrip("/") + "/"

    def absolute_url(self, site_path: str) -> str:
        """`posts/x/` -> `https://blog.example.com/posts/x/`."""
        return self.base_url + site_path.lstrip("/")

    @property
    def main_sections(self) -> tuple[str, ...] | None:
        """Sections shown on the home list (Hugo's `params.mainSections`); None means all."""
        value = self.params.get("mainSections")
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list | tuple):
            return tuple(str(v) for v in value)
        return None


_TYPES: dict[str, type | tuple[type, ...]] = {
    f.name: {"str": str, "int": int, "bool": bool}.get(str(f.type), object)
    for f in fields(SiteConfig)
    if f.name not in ("taxonomies", "markup", "shortcodes")
}

# site.yaml keys that set a field of `markup` (Hugo's names).
_MARKUP_KEYS = {"unsafeHTML": "unsafe", "enableEmoji": "emoji"}
# Hugo's `markup.goldmark` tree: (path below `goldmark`) -> MarkupSettings field.
_GOLDMARK_KEYS = {
    ("renderer", "unsafe"): "unsafe",
    ("extensions", "typographer"): "typographer",
    ("extensions", "footnote"): "footnote",
    ("extensions", "table"): "table",
    ("extensions", "strikethrough"): "strikethrough",
    ("extensions", "tasklist"): "tasklist",
    ("extensions", "linkify"): "linkify",
}


def markup_from_hugo(
    markup: Any, settings: MarkupSettings = MarkupSettings(), where: str = CONFIG_KEY
) -> tuple[MarkupSettings, list[str]]:
    """Hugo's `markup` mapping (``{goldmark: {renderer: {unsafe: true}, extensions: {...}}}``) applied to `settings`.

    Keys are case-insensitive, as in Hugo. An extension given as a mapping (Hugo's
    ``typographer: {disable: true}``, ``footnote: {enable: false}``) is read too. Keys pressroom
    does not use come back as warnings.
    """
    if not isinstance(markup, Mapping):
        raise ConfigError(where, f"markup must be a mapping, not {markup!r}")
    values: dict[str, bool] = {}
    warnings: list[str] = []
    lowered = {(a.lower(), b.lower()): name for (a, b), name in _GOLDMARK_KEYS.items()}
    for key, value in markup.items():
        if str(key).lower() != "goldmark":
            warnings.append(f"{where}: markup key {key!r} is ignored")
            continue
        if not isinstance(value, Mapping):
            raise ConfigError(where, "markup.goldmark must be a mapping")
        for group, entries in value.items():
            if not isinstance(entries, Mapping):
                warnings.append(f"{where}: markup.goldmark.{group} is ignored")
                continue
            for name, setting in entries.items():
                target = lowered.get((str(group).lower(), str(name).lower()))
                if target is None:
                    warnings.append(f"{where}: markup.goldmark.{group}.{name} is ignored")
                    continue
                values[target] = _switch(setting, f"markup.goldmark.{group}.{name}", where)
    return replace(settings, **values), warnings


def _switch(value: Any, name: str, where: str) -> bool:
    """A goldmark switch: true/false, or Hugo's ``{enable: ...}`` / ``{disable: ...}`` form."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        lowered = {str(k).lower(): v for k, v in value.items()}
        if isinstance(lowered.get("disable"), bool):
            return not lowered["disable"]
        if isinstance(lowered.get("enable"), bool):
            return bool(lowered["enable"])
        return True
    raise ConfigError(where, f"{name} must be true or false, not {value!r}")


def parse_config(text: str | None) -> tuple[SiteConfig, list[str]]:
    """Read `site.yaml` text (None: no file) into a SiteConfig and a list of warnings.

    >>> parse_config("title: Notes\\npagerSize: 5\\n")[0].pagerSize
    5
    """
    if text is None or not text.strip():
        return SiteConfig(), []
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(CONFIG_KEY, f"invalid YAML: {error}") from None
    if raw is None:  # only comments
        return SiteConfig(), []
    if not isinstance(raw, dict):
        raise ConfigError(CONFIG_KEY, "must be a mapping of settings")
    warnings: list[str] = []
    values: dict[str, Any] = {}
    markup = MarkupSettings()
    if "markup" in raw:
        markup, markup_warnings = markup_from_hugo(raw["markup"])
        warnings += markup_warnings
    for key, value in raw.items():
        if key == "markup":
            continue
        if key in _MARKUP_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(CONFIG_KEY, f"{key} must be true or false, not {value!r}")
            markup = replace(markup, **{_MARKUP_KEYS[key]: value})
            continue
        expected = _TYPES.get(str(key))
        if expected is None:
            warnings.append(f"{CONFIG_KEY}: unknown key {key!r} is ignored")
            continue
        if key == "params":
            if not isinstance(value, dict):
                raise ConfigError(CONFIG_KEY, "params must be a mapping")
            values[key] = MappingProxyType(dict(value))
            continue
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(CONFIG_KEY, f"{key} must be a whole number, not {value!r}")
        if expected is bool and not isinstance(value, bool):
            raise ConfigError(CONFIG_KEY, f"{key} must be true or false, not {value!r}")
        if expected is str:
            value = "" if value is None else str(value)
        values[str(key)] = value
    config = SiteConfig(**values, markup=markup)
    for name in ("pagerSize", "feedLimit", "summaryLength"):
        if getattr(config, name) < 1:
            raise ConfigError(CONFIG_KEY, f"{name} must be at least 1")
    try:
        ZoneInfo(config.timeZone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(CONFIG_KEY, f"unknown timeZone {config.timeZone!r}") from None
    if not config.baseURL.startswith(("https://", "http://")):
        raise ConfigError(CONFIG_KEY, f"baseURL must start with https:// or http://, not {config.baseURL!r}")
    return config, warnings


LAYOUTS_PREFIX = "layouts/"


def is_settings_key(key: str) -> bool:
    """Keys that configure the whole site: a change to one re-renders everything."""
    return key == CONFIG_KEY or (key.startswith(LAYOUTS_PREFIX) and not key.endswith("/"))


@dataclass(frozen=True)
class SiteSettings:
    """What configures a whole site: its configuration, its template overrides, and their digest."""

    config: SiteConfig
    layouts: Mapping[str, str]
    warnings: tuple[str, ...]
    digest: str
    """Changes whenever any configuration or layout file changes, or the theme (`core.theme`)."""


def settings_of(files: Mapping[str, bytes]) -> SiteSettings:
    """The site's settings from its files (only the settings keys are read); ConfigError if broken."""
    import hashlib

    digest = hashlib.sha256()
    for key in sorted(k for k in files if is_settings_key(k)):
        digest.update(key.encode() + b"\0" + hashlib.sha256(files[key]).digest())
    from pressroom.core.theme import theme_digest

    digest.update(b"\x01theme\0" + theme_digest().encode())  # a deployed theme change re-renders too
    data = files.get(CONFIG_KEY)
    config, warnings = parse_config(None if data is None else data.decode("utf-8-sig", "replace"))
    layouts = {
        key[len(LAYOUTS_PREFIX) :]: files[key].decode("utf-8", "replace")
        for key in sorted(files)
        if key.startswith(LAYOUTS_PREFIX) and is_settings_key(key)
    }
    config = with_shortcodes(config, layouts)
    return SiteSettings(config, MappingProxyType(layouts), tuple(warnings), digest.hexdigest())


SHORTCODES_FOLDER = "shortcodes/"


def with_shortcodes(config: SiteConfig, layouts: Mapping[str, str]) -> SiteConfig:
    """`config` with the site's shortcode templates (`layouts/shortcodes/NAME.html`) from its layouts."""
    templates = tuple(
        (name[len(SHORTCODES_FOLDER) :], text)
        for name, text in sorted(layouts.items())
        if name.startswith(SHORTCODES_FOLDER) and name.endswith(".html")
    )
    return replace(config, shortcodes=templates) if templates != config.shortcodes else config


def config_to_data(config: SiteConfig) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in fields(SiteConfig):
        value = getattr(config, item.name)
        if isinstance(value, MappingProxyType):
            value = dict(value)
        elif isinstance(value, MarkupSettings):
            value = asdict(value)
        elif isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        data[item.name] = value
    return data


def config_from_data(data: Mapping[str, Any]) -> SiteConfig:
    values = dict(data)
    values["params"] = MappingProxyType(dict(values.get("params") or {}))
    if "taxonomies" in values:
        values["taxonomies"] = tuple(values["taxonomies"])
    if isinstance(values.get("markup"), Mapping):
        values["markup"] = MarkupSettings(**values["markup"])
    if "unsafeHTML" in values:  # data stored before unsafeHTML became markup.unsafe
        values["markup"] = replace(values.get("markup", MarkupSettings()), unsafe=bool(values.pop("unsafeHTML")))
    if "shortcodes" in values:
        values["shortcodes"] = tuple((str(name), str(text)) for name, text in values["shortcodes"])
    known = {item.name for item in fields(SiteConfig)}
    return SiteConfig(**{k: v for k, v in values.items() if k in known})
