"""The site's settings as the event path knows them: those each generation was built with (kept
for the invocation), and those in the source now."""

from __future__ import annotations

from pressroom.core.planning.codec import unpack
from pressroom.core.reading.config import (
    PUBLISHED,
    SETTINGS_FILES,
    SETTINGS_FOLDERS,
    BuildMode,
    SiteSettings,
    config_from_data,
    is_settings_key,
    settings_of,
)
from pressroom.core.rendering.renderer import Renderer, validate_layouts
from pressroom.engine.generation import built_by
from pressroom.engine.table_layout import GenerationKeys
from pressroom.ports import Item, Source, Table


class GenerationSettings:
    """The settings of each generation, and their renderer, read once an invocation."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._settings: dict[int, tuple[SiteSettings, Renderer]] = {}
        self._themes: dict[int, str] = {}

    def known(self, generation: int) -> bool:
        return generation in self._settings

    def of(self, generation: int) -> tuple[SiteSettings, Renderer]:
        """The settings a generation was built with, and their renderer."""
        if generation not in self._settings:
            item = self.table.get(*GenerationKeys(generation).config) if generation else None
            self.learn(generation, item)
        return self._settings[generation]

    def learn(self, generation: int, item: Item | None) -> None:
        """A generation's configuration item (None: there is none), as read with other items."""
        if item is None:
            settings = settings_of({})
        else:
            data = unpack(item["data"])
            self._themes[generation] = data.get("theme", "")
            settings = SiteSettings(config_from_data(data["config"]), data["layouts"], (), data["digest"])
        self._settings[generation] = (settings, Renderer(settings.config, dict(settings.layouts)))

    def built_by_other_code(self, generation: int) -> bool:
        """The generation was built with another theme than the one deployed now (a new version's
        stylesheet or templates), or its index has another layout."""
        self.of(generation)
        return self._themes.get(generation, built_by()) != built_by()


def read_source_settings(source: Source, mode: BuildMode = PUBLISHED) -> SiteSettings:
    """The settings in the source now; ConfigError when broken (the site keeps its last good ones)."""
    keys = list(SETTINGS_FILES)
    keys += [item.key for folder in SETTINGS_FOLDERS for item in source.list(folder) if is_settings_key(item.key)]
    files = {key: found.body for key in keys if (found := source.read(key)) is not None}
    settings = settings_of(files, mode)
    validate_layouts(settings)
    return settings
