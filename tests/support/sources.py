"""Source trees that more than one test folder publishes."""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pressroom.adapters.memory import MemoryBucket
    from pressroom.engine.publisher import Publisher


def billion_laughs(indent: str = "") -> str:
    """YAML of about 500 bytes whose nine levels of nine aliases stand for 9**9 (387 million) strings."""
    lines = [f"{indent}a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in itertools.pairwise("abcdefghi"):
        lines.append(f"{indent}{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    return "\n".join(lines) + "\n"


def multilingual_root() -> dict[str, bytes]:
    """A Hugo root in zh-tw with English translations, named in its files as Blowfish sites do."""
    front = "---\ntitle: {}\ndate: 2025-01-0{}\n---\n{}\n"
    return {
        "config/_default/hugo.toml": b'baseURL = "https://example.org/"\ndefaultContentLanguage = "zh-tw"\n',
        "config/_default/languages.toml": b'[zh-tw]\ntitle = "Notes"\n[en]\ntitle = "Notes (en)"\n',
        "content/_index.zh-tw.md": b"---\ntitle: Home\n---\nWelcome.\n",
        "content/_index.en.md": b"---\ntitle: Home (en)\n---\nWelcome (en).\n",
        "content/posts/a.zh-tw.md": front.format("A", 1, "Chinese text.").encode(),
        "content/posts/a.en.md": front.format("A (en)", 1, "English text.").encode(),
        "content/posts/b.md": front.format("B", 2, "No language named.").encode(),
        "content/posts/x/index.zh-tw.md": front.format("X", 3, "A bundle.").encode(),
        "content/posts/x/index.en.md": front.format("X (en)", 3, "A bundle (en).").encode(),
        "content/posts/x/featured.png": b"\x89PNG x",
    }


def published_on_fakes(source: MemoryBucket, now: datetime) -> Publisher:
    """The source published by a rebuild on the in-memory fakes; a publisher for what comes next."""
    from pressroom.adapters.memory import MemoryCdn, MemoryQueue, MemorySite, MemoryTable
    from pressroom.engine.publisher import Ports, Publisher

    ports = Ports(
        source=source,
        site=MemorySite(name="site"),
        table=MemoryTable(),
        cdn=MemoryCdn(),
        queue=MemoryQueue(),
        clock=time.time,
    )
    publisher = Publisher(ports, now)
    publisher.request_rebuild()
    while publisher.run().handed_off:
        pass
    return Publisher(ports, now)
