"""Site configuration (`site.yaml`): defaults, then the author's overrides, then validation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pressroom.core.markdown.settings import DEFAULT_MARKUP, MarkupSettings
from pressroom.core.reading.documents import load_yaml
from pressroom.core.reading.hugo import (
    CONFIG_DIR,
    MENUS_SHOWN,
    ROOT_CONFIG_FILES,
    HugoConfig,
    MenuItems,
    hugo_values,
    is_hugo_config_key,
    menu_items,
    read_hugo_config,
)
from pressroom.core.reading.theme_params import unhonoured_params
from pressroom.core.site.model import DEFAULT_TAXONOMIES
from pressroom.core.site.urls import strip_markdown_suffix, term_permalink, unsafe_key_reason, urlize
from pressroom.exceptions import ConfigError

CONFIG_KEY = "site.yaml"


def _language_parts(key: str) -> tuple[str, str, str]:
    """A Markdown key as (key before the language, language in lower case, Markdown suffix):
    `posts/a.en.md` -> (`posts/a`, `en`, `.md`); no language (or not Markdown): (key, "", "")."""
    stem = strip_markdown_suffix(key)
    if stem == key:
        return key, "", ""
    base, dot, language = stem.rpartition(".")
    if not dot or not base or base.endswith("/") or "/" in language:
        return key, "", ""
    return base, language.lower(), key[len(stem) :]


ASSETS_PREFIX = "assets/"
"""A Hugo root's folder of files its theme processes (Hugo Pipes)."""

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg")
"""The file names pressroom takes for images (a bundle's feature image, the images of `assets/`)."""


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
    keepImageMetadata: bool = False
    """Publish JPEG, PNG and WebP originals as uploaded, location and camera data included (by
    default it is removed, pixels untouched: SPEC 1, `core.images.metadata`)."""
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    taxonomies: tuple[str, ...] = DEFAULT_TAXONOMIES
    """The taxonomies whose terms get pages (Hugo's `taxonomies`, by their plural names)."""
    markup: MarkupSettings = DEFAULT_MARKUP
    contentDir: str = ""
    """The folder of the content in the source: "" for a content folder, `content` for a Hugo site root."""
    staticDirs: tuple[str, ...] = ()
    """Folders of a Hugo site root published as they are, at the site's root (`static`)."""
    permalinks: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Hugo's permalinks: `page:SECTION` or `term:TAXONOMY` -> a pattern like `/:year/:slug/`."""
    menu: MenuItems | None = None
    """The main menu as (name, url, pageRef); None: the main sections, then the taxonomies."""
    footerMenu: MenuItems = ()
    """The footer menu (Hugo's `menus.footer`, as Congo and Blowfish show it), as (name, url, pageRef)."""
    copyright: str = ""
    """Hugo's `copyright`: the footer's line (`{ year }` stands for the year); "": "© YEAR author"."""
    buildDrafts: bool = False
    buildFuture: bool = False
    buildExpired: bool = False
    cascade: tuple[Mapping[str, Any], ...] = ()
    """Hugo's `cascade` in the configuration: front matter passed to the pages its targets match."""
    environment: str = "production"
    """Hugo's environment, as cascade targets match it: `development` under `pressroom dev`."""
    enableRobotsTXT: bool = True
    disableKinds: tuple[str, ...] = ()
    """Outputs not written, by Hugo's kind names (`rss`, `sitemap`, `robotstxt`, `404`, `taxonomy`)."""
    pagerAliases: bool = True
    """Write `LIST/page/1/` as a redirect to the list's first page, as Hugo does."""
    hasCJKLanguage: bool = False
    """Hugo's `hasCJKLanguage`: words and summaries of Chinese, Japanese and Korean text are counted by character."""
    contentLanguage: str = ""
    """A Hugo root's language (the one built), as its page files may name it: `about.en.md`."""
    otherLanguages: tuple[str, ...] = ()
    """A Hugo root's other languages: their pages (`about.fr.md`) are not built."""
    shortcodes: tuple[tuple[str, str], ...] = ()
    """The site's own shortcode templates (`layouts/shortcodes/NAME.html`): (NAME.html, source)."""

    @property
    def unsafeHTML(self) -> bool:
        """site.yaml's `unsafeHTML`: the same setting as `markup.unsafe`."""
        return self.markup.unsafe

    @property
    def is_hugo_root(self) -> bool:
        return bool(self.contentDir)

    def site_key(self, source_key: str) -> str:
        """Where a source file sits in the site: its key below the content (or a static) folder,
        without the language a Hugo root's page may name (`about.en.md` is `about.md` in `en`).

        >>> SiteConfig(contentDir="content", staticDirs=("static",)).site_key("static/img/a.png")
        'img/a.png'
        >>> SiteConfig(contentDir="content", contentLanguage="zh-tw").site_key("content/posts/_index.zh-TW.md")
        'posts/_index.md'
        """
        for folder in self.staticDirs:
            if folder and source_key.startswith(folder + "/"):
                return source_key[len(folder) + 1 :]
        if self._is_asset_image(source_key):
            return source_key[len(ASSETS_PREFIX) :]
        if self.contentDir and source_key.startswith(self.contentDir + "/"):
            key = source_key[len(self.contentDir) + 1 :]
            base, language, suffix = _language_parts(key)
            return base + suffix if language == self.contentLanguage else key
        return source_key

    def is_other_language(self, source_key: str) -> bool:
        """A Hugo root's page in a language that is not built (`about.fr.md` on an English site)."""
        return bool(self.contentDir) and _language_parts(source_key)[1] in self.otherLanguages

    def is_static(self, source_key: str) -> bool:
        """A file of a Hugo root's `static/`, or an image of its `assets/`: published as it is,
        never a page."""
        in_static = any(source_key.startswith(folder + "/") for folder in self.staticDirs if folder)
        return in_static or self._is_asset_image(source_key)

    def _is_asset_image(self, source_key: str) -> bool:
        """An image of a Hugo root's `assets/`, published at its path below the folder.

        Congo's and Blowfish's templates find images there with `resources.Get`: the author
        image, logo and default images their params name, a page's `featureimage`, a Markdown
        image their render hook looks up. Hugo publishes those a template asks for; pressroom
        publishes every image there, each on its own, so that no page edit publishes or withdraws
        another file (an event's cost stays flat). Styles and scripts there are never published.
        """
        in_assets = self.is_hugo_root and source_key.startswith(ASSETS_PREFIX)
        return in_assets and source_key.lower().endswith(IMAGE_SUFFIXES)

    def is_authored(self, source_key: str) -> bool:
        """A file an author wrote (`content/`, not the owner's `static/`): its active kinds are
        published inert, or not at all (SPEC 3.5, `core.mime`)."""
        return not self.is_static(source_key)

    def list_path(self, list_id: str) -> str:
        """The site path of a list: its id, or for a term with a permalink pattern, that pattern
        expanded (`permalinks.tags = "/topics/:slug/"`: `tags/go` -> `topics/go`)."""
        if "/" not in list_id or not self.permalinks:
            return list_id
        taxonomy, _, slug = list_id.partition("/")
        pattern = self.permalinks.get(f"term:{taxonomy}")
        return term_permalink(pattern, taxonomy, slug) if pattern else list_id

    @property
    def reserved_roots(self) -> tuple[str, ...]:
        """First path segments no content page may take: the taxonomies and their term permalinks' roots."""
        roots = list(self.taxonomies)
        for key, pattern in self.permalinks.items():
            first = pattern.strip("/").split("/", 1)[0]
            if key.startswith("term:") and first and ":" not in first and first not in roots:
                roots.append(urlize(first))
        return tuple(roots)

    @property
    def base_path(self) -> str:
        """The path of the base URL, with slashes at both ends: `/` or `/blog/`."""
        path = urlsplit(self.base_url).path
        return "/" + path.strip("/") + "/" if path.strip("/") else "/"

    def rel_url(self, link: str) -> str:
        """A site-absolute link under the base URL's path: `/posts/x/` -> `/blog/posts/x/` (Hugo's relURL)."""
        if link.startswith("/") and not link.startswith("//"):
            return self.base_path[:-1] + link
        return link

    def outputs_kind(self, kind: str) -> bool:
        """Whether outputs of a Hugo kind (`rss`, `sitemap`, `robotstxt`, `404`, `taxonomy`) are written."""
        if kind == "robotstxt" and not self.enableRobotsTXT:
            return False
        return kind not in self.disableKinds

    @property
    def feed_limit(self) -> int | None:
        """Items a feed holds; None: all of them (Hugo's -1)."""
        return self.feedLimit if self.feedLimit > 0 else None

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

    def param(self, name: str) -> Any:
        """A site param by name, whatever its case (a Hugo site's params are lower-cased)."""
        if name in self.params:
            return self.params[name]
        return self.params.get(name.lower())

    @property
    def main_sections(self) -> tuple[str, ...] | None:
        """Sections shown on the home list (Hugo's `params.mainSections`); None means all."""
        value = self.param("mainSections")
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list | tuple):
            return tuple(str(v) for v in value)
        return None


_SITE_YAML_KEYS = [
    "title",
    "baseURL",
    "languageCode",
    "description",
    "author",
    "timeZone",
    "pagerSize",
    "summaryLength",
    "feedLimit",
    "unsafeHTML",
    "showReadingTime",
    "keepImageMetadata",
    "params",
    "taxonomies",
    "buildDrafts",
    "buildFuture",
    "buildExpired",
    "hasCJKLanguage",
    "copyright",
]
_TYPES: dict[str, type | tuple[type, ...]] = {
    f.name: {"str": str, "int": int, "bool": bool}.get(str(f.type), object)
    for f in fields(SiteConfig)
    if f.name in _SITE_YAML_KEYS
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
    ("parser", "attribute"): "heading_attributes",  # its `title` (headings); `block` is not supported
}


def markup_from_hugo(
    markup: Any, settings: MarkupSettings = DEFAULT_MARKUP, where: str = CONFIG_KEY
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
                if target == "heading_attributes" and isinstance(setting, Mapping):
                    warnings += _attribute_switch(setting, values, where)
                    continue
                values[target] = _switch(setting, f"markup.goldmark.{group}.{name}", where)
    return replace(settings, **values), warnings


def _attribute_switch(setting: Mapping[Any, Any], values: dict[str, bool], where: str) -> list[str]:
    """goldmark's ``parser.attribute: {title: ..., block: ...}``: `title` (headings) read into
    `values`; warnings for the rest (block attributes are not supported)."""
    lowered = {str(key).lower(): value for key, value in setting.items()}
    title = lowered.pop("title", None)
    if title is not None:
        values["heading_attributes"] = _switch(title, "markup.goldmark.parser.attribute.title", where)
    return [f"{where}: markup.goldmark.parser.attribute.{key} is ignored" for key in lowered]


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
    raw = load_yaml(CONFIG_KEY, text, "YAML", ConfigError)
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
        if key == "menus":
            values.update(_yaml_menus(value, warnings))
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
        if key == "taxonomies":
            # Hugo's form: singular name -> plural name (`series: series` adds Blowfish's series).
            if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
                raise ConfigError(CONFIG_KEY, f"taxonomies must map singular names to plural names, not {value!r}")
            values[key] = tuple(dict.fromkeys(v.strip().lower() for v in value.values()))
            continue
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(CONFIG_KEY, f"{key} must be a whole number, not {value!r}")
        if expected is bool and not isinstance(value, bool):
            raise ConfigError(CONFIG_KEY, f"{key} must be true or false, not {value!r}")
        if expected is str:
            value = "" if value is None else str(value)
        values[str(key)] = value
    return validated(SiteConfig(**values, markup=markup), CONFIG_KEY, unlimited_feeds=False), warnings


def _yaml_menus(menus: Any, warnings: list[str]) -> dict[str, MenuItems]:
    """site.yaml's `menus` (Hugo's form: `main:` and `footer:` lists of name/url/pageRef) as SiteConfig values."""
    if not isinstance(menus, dict):
        raise ConfigError(CONFIG_KEY, "menus must map menu names to lists of entries")
    values: dict[str, MenuItems] = {}
    for name, entries in menus.items():
        if name not in MENUS_SHOWN:
            warnings.append(f"{CONFIG_KEY}: menus.{name} is ignored (only the main and footer menus are shown)")
            continue
        try:
            items, skipped = menu_items(name, entries)
        except ValueError as problem:
            raise ConfigError(CONFIG_KEY, f"menus.{name} {problem}") from None
        warnings += [f"{CONFIG_KEY}: {path} is ignored ({why})" for path, why in skipped]
        values["menu" if name == "main" else "footerMenu"] = items
    return values


def validated(
    config: SiteConfig, source_key: str, unlimited_feeds: bool, file_of: Callable[[str], str] | None = None
) -> SiteConfig:
    """The checks every configuration passes, whichever file it came from.

    `file_of` names the file that set a setting (a Hugo configuration's `HugoConfig.file_of`).
    """
    escape = _escaping_setting(config)
    if escape is not None:
        setting, problem = escape
        raise ConfigError(file_of(setting) if file_of else source_key, problem)
    if config.pagerSize < 1:
        raise ConfigError(source_key, "pagerSize must be at least 1")
    if config.summaryLength < 0:
        raise ConfigError(source_key, "summaryLength must be 0 or more")
    if config.feedLimit < 1 and not (unlimited_feeds and config.feedLimit in (-1, 0)):
        raise ConfigError(source_key, "feedLimit must be at least 1")
    try:
        ZoneInfo(config.timeZone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(source_key, f"unknown timeZone {config.timeZone!r}") from None
    if not config.baseURL.startswith(("https://", "http://")):
        raise ConfigError(source_key, f"baseURL must start with https:// or http://, not {config.baseURL!r}")
    return config


def _escaping_setting(config: SiteConfig) -> tuple[str, str] | None:
    """(setting, problem) for a folder setting that would put files outside the site, or None.

    Settings name folders of the site (taxonomies, permalink patterns) or of the source (the
    content and static folders of a Hugo root): none may hold a `..`, a `.` or a leading `/`.
    """
    for taxonomy in config.taxonomies:
        unsafe = unsafe_key_reason(taxonomy) or ("a '/'" if "/" in taxonomy else None)
        if unsafe is not None:
            return "taxonomies", f"taxonomies: {taxonomy!r} must be one folder name, not {unsafe}"
    for name, pattern in config.permalinks.items():
        segments = pattern.replace("\\", "/").split("/")
        if any(segment in (".", "..") for segment in segments):
            return "permalinks", f"permalinks: {pattern!r} for {name} would publish outside the site"
    for setting, folder in [("contentdir", config.contentDir), *(("staticdir", s) for s in config.staticDirs)]:
        unsafe = unsafe_key_reason(folder) if folder else None
        if unsafe is not None:
            return setting, f"{setting}: {folder!r} must be a folder inside the site root, not {unsafe}"
    return None


LAYOUTS_PREFIX = "layouts/"
SHORTCODES_PREFIX = "layouts/shortcodes/"
SETTINGS_FILES = (CONFIG_KEY, *ROOT_CONFIG_FILES)
"""The settings files at the source's root; the others are below SETTINGS_FOLDERS."""
SETTINGS_FOLDERS = (LAYOUTS_PREFIX, CONFIG_DIR)


def is_settings_key(key: str) -> bool:
    """Keys that configure the whole site: a change to one re-renders everything.

    `site.yaml`, a Hugo configuration (`hugo.toml`, `config/_default/*.toml`, ...) and `layouts/`.
    """
    return key == CONFIG_KEY or is_hugo_config_key(key) or (key.startswith(LAYOUTS_PREFIX) and not key.endswith("/"))


@dataclass(frozen=True)
class SiteSettings:
    """What configures a whole site: its configuration, its template overrides, and their digest."""

    config: SiteConfig
    layouts: Mapping[str, str]
    warnings: tuple[str, ...]
    digest: str
    """Changes whenever any configuration or layout file changes, or the theme (`core.theme`)."""


PRODUCTION = "production"
"""Hugo's environment for `hugo` (and for `pressroom build` and the event path)."""
DEVELOPMENT = "development"
"""Hugo's environment for `hugo server` (and for `pressroom dev`)."""


@dataclass(frozen=True)
class BuildMode:
    """What the command line adds to a site's own settings, as `hugo server -D -F -E` does: pages
    built that the site would not build, and the environment cascade targets match."""

    drafts: bool = False
    future: bool = False
    expired: bool = False
    environment: str = PRODUCTION

    def apply(self, config: SiteConfig) -> SiteConfig:
        return replace(
            config,
            buildDrafts=config.buildDrafts or self.drafts,
            buildFuture=config.buildFuture or self.future,
            buildExpired=config.buildExpired or self.expired,
            environment=self.environment,
        )


PUBLISHED = BuildMode()
"""`pressroom build` and the event path: the site's own settings, Hugo's production environment."""


def settings_of(files: Mapping[str, bytes], mode: BuildMode = PUBLISHED) -> SiteSettings:
    """The site's settings from its files (only the settings keys are read); ConfigError if broken.

    A Hugo configuration makes the source a Hugo site root (SPEC 1): its keys replace
    `site.yaml`'s, and of `layouts/` only `layouts/shortcodes/` is read (Hugo's own templates are
    Go templates, which pressroom cannot run; `check` names them).
    """
    import hashlib

    hugo = read_hugo_config({key: files[key] for key in files if is_hugo_config_key(key)})  # reads no other file
    warnings: list[str] = []
    if hugo is None:
        data = files.get(CONFIG_KEY)
        config, warnings = parse_config(None if data is None else data.decode("utf-8-sig", "replace"))
        used = [key for key in files if is_settings_key(key)]
    else:
        config, warnings = hugo_config(hugo)
        used = [key for key in files if is_hugo_config_key(key) or key.startswith(SHORTCODES_PREFIX)]
        warnings += [
            f"{key}: Hugo templates are not used (pressroom renders with its own theme)"
            for key in sorted(files)
            if key.startswith(LAYOUTS_PREFIX) and is_settings_key(key) and not key.startswith(SHORTCODES_PREFIX)
        ]
        if CONFIG_KEY in files:
            warnings.append(f"{CONFIG_KEY}: not read: the Hugo configuration configures this site")
    digest = hashlib.sha256()
    for key in sorted(used):
        digest.update(key.encode() + b"\0" + hashlib.sha256(files[key]).digest())
    from pressroom.core.rendering.theme import theme_digest

    digest.update(b"\x01theme\0" + theme_digest().encode())  # a deployed theme change re-renders too
    if mode != PUBLISHED:
        digest.update(f"\x01mode\0{mode}".encode())
        config = mode.apply(config)
    layouts = {
        key[len(LAYOUTS_PREFIX) :]: files[key].decode("utf-8", "replace")
        for key in sorted(used)
        if key.startswith(LAYOUTS_PREFIX) and not key.endswith("/")
    }
    config = with_shortcodes(config, layouts)
    params_file = (lambda path: hugo.file_of(path.lower())) if hugo is not None else (lambda _path: CONFIG_KEY)
    warnings += [
        f"{params_file('params.' + path)}: params.{path} is not honoured by pressroom's theme"
        for path in unhonoured_params(config.params)
    ]
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


def hugo_config(hugo: HugoConfig) -> tuple[SiteConfig, list[str]]:
    """A Hugo site root's SiteConfig, and what of its configuration is not honoured."""
    values, warnings = hugo_values(hugo)
    source = hugo.file_of("baseurl")
    values["markup"] = MarkupSettings(**values["markup"])
    values["params"] = MappingProxyType(values["params"])
    values["permalinks"] = MappingProxyType(values["permalinks"])
    return validated(SiteConfig(**values), source, unlimited_feeds=True, file_of=hugo.file_of), warnings


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
    values["permalinks"] = MappingProxyType(dict(values.get("permalinks") or {}))
    for name in ("taxonomies", "staticDirs", "disableKinds", "otherLanguages", "cascade"):
        if name in values:
            values[name] = tuple(values[name])
    if values.get("menu") is not None:
        values["menu"] = tuple(tuple(item) for item in values["menu"])
    if "footerMenu" in values:
        values["footerMenu"] = tuple(tuple(item) for item in values["footerMenu"])
    if isinstance(values.get("markup"), Mapping):
        values["markup"] = MarkupSettings(**values["markup"])
    if "unsafeHTML" in values:  # data stored before unsafeHTML became markup.unsafe
        values["markup"] = replace(values.get("markup", MarkupSettings()), unsafe=bool(values.pop("unsafeHTML")))
    if "shortcodes" in values:
        values["shortcodes"] = tuple((str(name), str(text)) for name, text in values["shortcodes"])
    known = {item.name for item in fields(SiteConfig)}
    return SiteConfig(**{k: v for k, v in values.items() if k in known})
