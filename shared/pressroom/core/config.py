"""Site configuration (`site.yaml`): defaults, then the author's overrides, then validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
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
    unsafeHTML: bool = False
    showReadingTime: bool = True
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    taxonomies: tuple[str, ...] = DEFAULT_TAXONOMIES
    """The taxonomies whose terms get pages (Hugo's `taxonomies`, by their plural names)."""
    markup: MarkupSettings = MarkupSettings()

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
    if f.name not in ("taxonomies", "markup")
}


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
    for key, value in raw.items():
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
    config = SiteConfig(**values)
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
    return SiteSettings(config, MappingProxyType(layouts), tuple(warnings), digest.hexdigest())


def config_to_data(config: SiteConfig) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in fields(SiteConfig):
        value = getattr(config, item.name)
        if isinstance(value, MappingProxyType):
            value = dict(value)
        elif isinstance(value, MarkupSettings):
            value = asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[item.name] = value
    return data


def config_from_data(data: Mapping[str, Any]) -> SiteConfig:
    values = dict(data)
    values["params"] = MappingProxyType(dict(values.get("params") or {}))
    if "taxonomies" in values:
        values["taxonomies"] = tuple(values["taxonomies"])
    if isinstance(values.get("markup"), Mapping):
        values["markup"] = MarkupSettings(**values["markup"])
    known = {item.name for item in fields(SiteConfig)}
    return SiteConfig(**{k: v for k, v in values.items() if k in known})
