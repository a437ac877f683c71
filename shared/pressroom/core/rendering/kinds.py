"""What an output kind declares, in one place: the base of every output and the registry of kinds.

Every file pressroom writes is an output, a frozen value of one kind; each kind is one class in
`core.site.outputs`, a dataclass subclassing `OutputKind`, which declares:

- where it is published: its `key`, from its fields (a page's path, a list and a page number, ...);
- what produces its bytes: a `template` of the theme and the `context` it renders with; or code:
  its own `produce` (the theme's static files), or a `producer` (a `Rewriter`) for the files of a
  read-modify-write kind (the sitemap, the search index), made once per round for all of them;
  or `from_source` for a kind made from a source file's bytes (a copied asset);
- its codec `tag`: the name the journal stores it under (`core.planning.codec`). Today's tags are
  the class names; never change one, a stored journal names its outputs by it;
- its headers: from its key, by the one table of `core.rendering.mime` (so that the full build,
  which knows only keys, stores the same); `authored` when it copies an author's file (published
  inert); `cached_as_page` with `publishes(key)` for a kind whose files change at every publish
  whatever their type;
- what it reads: `reads(config)`, a `Reads` (a page's body, a source file's bytes, a slice of a
  list, a taxonomy's terms), which the event path reads for a chunk of outputs together before it
  renders them; and, through its `producer`, the files published before the round (`Published`);
- how it is written: `written`, in the round (inside the lease, each chunk recorded in the round's
  journal) or outside the lease.

Subclassing registers the kind under its tag (`OutputKind.named`), so the codec, the renderer
(`Renderer.render` calls `produce`), the event path's writer (`engine.writing`) and the headers
(`mime.cache_control`) ask the declarations and never match on classes: adding a kind is one
class in `core.site.outputs` (or a module it imports, so the kind is registered wherever outputs
are decoded) and its template or producer.

The kinds the next issues add fit it so:

- Full-text search records, JSON parts rewritten as pages change: a kind per file (the parts and
  their table, like `SearchOutput` and `SearchPartOutput`) sharing a `producer` whose `rewrite`
  reads the published table and the parts the round's pages hash to (`Published.read_many`),
  patches them with the round's records, and names the files it writes and the ones it deletes;
  given no `Published` (the full build) it makes every file from the index, byte for byte the
  same. `cached_as_page` and `publishes(key)`, as the search index, since any publish changes them.
- Image variants, binary: a kind whose `key` is the variant's name with a hash of what makes its
  bytes (`posts/x/photo.HASH.800.webp`), whose `reads` is the uploaded image (`Reads.source`,
  `version`), whose `from_source` resizes those bytes in code (no template), and which is
  `named_by_bytes`: the invocation that receives the image may write it before the lease, and
  the round adopts what it finds at the name (recorded and invalidated as written, not made).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pressroom.core.images.facts import ImageFacts
from pressroom.core.reading.config import SiteConfig
from pressroom.core.rendering.sitemap import SitemapPatch
from pressroom.core.site.lists import SiteIndex
from pressroom.core.site.model import Entry, PageBody
from pressroom.core.site.series import SeriesBox


class Writing(Enum):
    """How a kind's outputs are written."""

    IN_ROUND = "in the round"
    """By the lease holder, inside the lease, each chunk recorded in the round's journal."""
    OUTSIDE_LEASE = "outside the lease"
    """By their own writer, not the round's (their bytes depend on no other output)."""


@dataclasses.dataclass(frozen=True)
class Reads:
    """What producing an output reads besides the templates (and the index rows its context shows)."""

    body: str | None = None
    """The source key of the page whose rendered body it shows; it exists while the page is in the
    index at the output's path (`OutputKind.current`)."""
    source: str | None = None
    """The source key whose bytes it is made from (`OutputKind.from_source`)."""
    version: str = ""
    """Which bytes of `source` (empty: the current ones); its recorded hash is of this version."""
    list_id: str | None = None
    """The list whose state, intro and entries it shows; it exists while the list does."""
    entries: tuple[int, int | None] = (0, 0)
    """The slice of the list's entries it shows (stop None: to the end of the list)."""
    taxonomy: str | None = None
    """The taxonomy whose terms and intro it shows."""


class Templates(Protocol):
    """What a kind renders with: the site's templates and the helpers of its `Renderer`."""

    @property
    def config(self) -> SiteConfig: ...

    def render_template(self, template: str, **context: Any) -> bytes: ...

    def absolute(self, path: str) -> str: ...

    def absolute_link(self, link: str) -> str: ...

    def term_url(self, taxonomy: str, name: str) -> str: ...

    def series_box(self, entry: Entry, index: SiteIndex) -> SeriesBox | None: ...

    def rewrite(self, producer: Rewriter, index: SiteIndex) -> Rewrite:
        """The producer's files made from `index` alone, once per index (the full build's)."""
        ...


class Published(Protocol):
    """The site as published before the round, as a read-modify-write producer reads it."""

    def read(self, key: str) -> bytes | None: ...

    def read_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    def output_keys(self) -> Iterable[str]:
        """Every output key the index records as published."""
        ...


@dataclasses.dataclass(frozen=True)
class Rewrite:
    """What a round writes of a read-modify-write kind: every output of it that it (re)writes, the
    published keys of it that it deletes, and how each output's bytes are made (None: no such file)."""

    outputs: Sequence[OutputKind]
    gone: Sequence[str]
    produce: Callable[[OutputKind, Templates], bytes | None]


class Rewriter(Protocol):
    """The producer of a read-modify-write kind's files, made together once per round."""

    def rewrite(
        self, site: Templates, index: SiteIndex, published: Published | None, patch: SitemapPatch | None
    ) -> Rewrite:
        """The files after the round: the `published` ones patched with the round's `patch` where
        they can be read back, else every file from `index` (always, without `published`)."""
        ...


class OutputKind:
    """The base of every output: the declarations a kind makes (see the module's docstring)."""

    tag: ClassVar[str]
    """The name the journal stores outputs of this kind under; registers the kind."""
    template: ClassVar[str | None] = None
    """The template that renders it with `context` (None: `produce`, `producer` or `from_source`)."""
    producer: ClassVar[Rewriter | None] = None
    """The producer of a read-modify-write kind, shared by the kind's files."""
    written: ClassVar[Writing] = Writing.IN_ROUND
    named_by_bytes: ClassVar[bool] = False
    """Its key names its bytes (a content hash): an object found at its key is it, whoever wrote
    it, so the round adopts it instead of making it (an image's variants, made ahead of the lease
    by the invocation that received the image: `engine.ahead`)."""
    cached_as_page: ClassVar[bool] = False
    """Cached for a page's lifetime whatever its Content-Type (its keys: `publishes`)."""

    _kinds: ClassVar[dict[str, type[OutputKind]]] = {}

    if TYPE_CHECKING:

        @property
        def key(self) -> str:
            """Where it is published: a key of the site bucket."""
            ...

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "tag" in cls.__dict__:
            if cls.tag in OutputKind._kinds:
                raise TypeError(f"two output kinds are tagged {cls.tag!r}")
            OutputKind._kinds[cls.tag] = cls

    @staticmethod
    def named(tag: str) -> type[OutputKind]:
        """The kind registered under `tag` (KeyError: none)."""
        return OutputKind._kinds[tag]

    @staticmethod
    def kinds() -> list[type[OutputKind]]:
        """Every registered kind, in the order they were declared."""
        return list(OutputKind._kinds.values())

    @classmethod
    def publishes(cls, key: str) -> bool:
        """Whether `key` is one of this kind's, where a rule from the key alone needs to know
        (`cached_as_page`); kinds without such a rule need not say."""
        return False

    def fields(self) -> dict[str, Any]:
        """The values that name this output (what the codec stores besides its tag)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}  # type: ignore[arg-type]

    def enabled(self, config: SiteConfig) -> bool:
        """Whether the site writes it (Hugo's `disableKinds`, `enableRobotsTXT`)."""
        return True

    def reads(self, config: SiteConfig) -> Reads:
        return Reads()

    def current(self, index: SiteIndex) -> bool:
        """Whether the index still has what it shows (a page moved away by the round has not)."""
        return True

    def found_under(self) -> str:
        """For a kind `named_by_bytes`: the prefix a listing of the site finds it under (one
        listing serves the outputs that share it)."""
        return self.key

    def authored(self, config: SiteConfig) -> bool:
        """Whether it copies an author's file (published inert: `core.rendering.mime`)."""
        return False

    def context(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> dict[str, Any]:
        """The values its `template` renders with."""
        raise NotImplementedError(f"{type(self).__name__} declares no template context")

    def produce(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> bytes:
        """Its bytes, from the index and `body_of(source_key)`, a page's rendered body."""
        if self.producer is not None:
            made = site.rewrite(self.producer, index).produce(self, site)
            if made is None:
                raise KeyError(self.key)
            return made
        if self.template is None:
            raise ValueError(f"{self.key}: made from its source's bytes, not rendered")
        return site.render_template(self.template, **self.context(site, index, body_of))

    def from_source(self, data: bytes, config: SiteConfig) -> bytes:
        """Its bytes from its source's (`Reads.source`): a copy, unless the kind transforms them
        (a ContentError when it cannot: the output is not published, what was stays)."""
        return data

    def cached_as(self, config: SiteConfig, image: ImageFacts | None = None) -> str | None:
        """The name its bytes are kept under between full builds (`core.build`'s cache): a name
        that never names other bytes (an image's variant, an image's copy without its metadata);
        None: not kept. `image`: its source's facts, when that is a raster image with variants."""
        return None
