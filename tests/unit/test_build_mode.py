"""`pressroom dev -D -F -E -e ENV` (issue 21.1): what `hugo server`'s flags add to a site's settings,
the same on the dev server's preview (the full build) and on the pipeline it runs (the event path)."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

import pytest

from pressroom.adapters.memory import MemoryBucket, MemorySite, MemoryTable
from pressroom.core.build import build_site
from pressroom.core.reading.config import DEVELOPMENT, PUBLISHED, BuildMode
from pressroom.engine.engine_settings import EngineSettings
from pressroom.engine.publisher import Ports, Publisher
from pressroom.exceptions import UsageError
from pressroom.shells.runtime import build_mode, build_mode_environment

NOW = datetime(2026, 1, 1, tzinfo=UTC)
EVENTS = itertools.count()
FILES = {
    "posts/live.md": b"---\ntitle: Live\ndate: 2025-06-01\n---\nHere.\n",
    "posts/draft.md": b"---\ntitle: Draft\ndate: 2025-06-02\ndraft: true\n---\nNot yet.\n",
    "posts/future.md": b"---\ntitle: Future\ndate: 2027-01-01\n---\nLater.\n",
    "posts/expired.md": b"---\ntitle: Gone\ndate: 2025-01-01\nexpiryDate: 2025-02-01\n---\nOver.\n",
}


def _pages(outputs: dict[str, bytes] | set[str]) -> set[str]:
    return {key for key in outputs if key.count("/") == 2 and key.startswith("posts/") and "/page/" not in key}


@pytest.mark.parametrize(
    ("mode", "shown"),
    [
        (PUBLISHED, {"live"}),
        (BuildMode(drafts=True, environment=DEVELOPMENT), {"live", "draft"}),
        (BuildMode(future=True), {"live", "future"}),
        (BuildMode(True, True, True, DEVELOPMENT), {"live", "draft", "future", "expired"}),
    ],
)
def test_the_flags_bring_back_what_they_name_on_the_full_build_and_the_event_path(
    mode: BuildMode, shown: set[str]
) -> None:
    expected = {f"posts/{name}/index.html" for name in shown}
    built = build_site(FILES, NOW, mode=mode)
    assert _pages(built.outputs) == expected
    ports = Ports(MemoryBucket(), MemorySite(), MemoryTable(), clock=time.time)
    for name, data in FILES.items():
        ports.source.upload(name, data)  # type: ignore[attr-defined]
    publisher = Publisher(ports, NOW, engine_settings=EngineSettings(build_mode=mode))
    publisher.accept([(f"e{next(EVENTS)}", name) for name in sorted(FILES)])
    publisher.run()
    site = ports.site
    assert isinstance(site, MemorySite)
    assert {key: site.read(key) for key in site.list_keys()} == built.outputs


def test_the_dev_server_hands_its_flags_to_the_handler_through_hugos_own_variables() -> None:
    mode = BuildMode(drafts=True, future=False, expired=True, environment=DEVELOPMENT)
    assert build_mode(build_mode_environment(mode)) == mode
    assert build_mode({}) == PUBLISHED
    assert build_mode({"HUGO_BUILDDRAFTS": "TRUE", "HUGO_ENVIRONMENT": "Staging"}) == BuildMode(
        drafts=True, environment="staging"
    )
    with pytest.raises(UsageError, match="HUGO_BUILDFUTURE"):
        build_mode({"HUGO_BUILDFUTURE": "soon"})
