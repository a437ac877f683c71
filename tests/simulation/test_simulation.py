"""The deterministic simulation (tests/support/simulation.py): two or three changes, two workers,
every interleaving at request boundaries within a preemption bound, and a crash or a lost answer
at each boundary in turn. Every run must end equal to the full build, with every change invalidated.

`PRESSROOM_SIM_LIMIT` raises the number of schedules explored per scenario (`make fuzz`).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from support.simulation import Change, explore, inject

LIMIT = int(os.environ.get("PRESSROOM_SIM_LIMIT", "60"))
PREEMPTIONS = int(os.environ.get("PRESSROOM_SIM_PREEMPTIONS", "2"))


def post(title: str, day: int, tags: list[str], body: str = "Words.", **extra: Any) -> bytes:
    front = {"title": title, "date": f"2024-01-{day:02d}", "tags": tags, **extra}
    return ("---\n" + json.dumps(front) + "\n---\n\n" + body + "\n").encode()


SITE = {
    "site.yaml": b"title: Sim\nbaseURL: https://sim.example/\npagerSize: 2\nfeedLimit: 2\n",
    "posts/a.md": post("A", 1, ["x"]),
    "posts/b.md": post("B", 2, ["x", "y"]),
    "posts/c.md": post("C", 3, ["y"], aliases=["/old/c/"]),
}

SCENARIOS = {
    "two quick saves of one body": [[Change("posts/a.md", post("A", 1, ["x"], body="Second."))],
                                    [Change("posts/a.md", post("A", 1, ["x"], body="Third."))]],
    "a new newest post and a delete": [[Change("posts/d.md", post("D", 9, ["x", "z"]))],
                                       [Change("posts/b.md", None)]],
    "an alias dropped while another page takes it": [
        [Change("posts/c.md", post("C", 3, ["y"]))],
        [Change("posts/a.md", post("A", 1, ["x"], aliases=["/old/c/"]))]],
    "two pages claiming one URL": [[Change("posts/z.md", post("Z", 4, ["x"], url="/posts/same/"))],
                                   [Change("posts/b.md", post("B", 2, ["x"], slug="same"))]],
    "a retitle and a draft": [[Change("posts/b.md", post("B renamed", 2, ["y"]))],
                              [Change("posts/c.md", post("C", 3, ["y"], draft=True))]],
    "an intro and a bundle file": [[Change("posts/_index.md", b"---\ntitle: All posts\n---\nHello.\n")],
                                   [Change("posts/e/index.md", post("E", 5, ["x"])),
                                    Change("posts/e/feature.png", b"\x89PNG")]],
    "the settings and a post": [[Change("site.yaml", SITE["site.yaml"].replace(b"Sim", b"Sim II"))],
                                [Change("posts/a.md", post("A2", 1, ["z"]))]],
    "a smaller spelling renames a term": [[Change("posts/c.md", post("C", 3, ["Y"]))],
                                          [Change("posts/b.md", post("B", 2, ["x"]))]],
}  # fmt: skip


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_interleaving_of_two_workers_converges(scenario: str) -> None:
    runs = explore(SITE, SCENARIOS[scenario], preemptions=PREEMPTIONS, limit=LIMIT)
    assert runs >= min(LIMIT, 5)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_crash_or_a_lost_answer_at_any_request_converges(scenario: str) -> None:
    runs = inject(SITE, SCENARIOS[scenario], schedule=[])
    assert runs > 20
