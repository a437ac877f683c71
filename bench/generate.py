"""A deterministic blog of N generated posts, for the benchmarks.

`generate(n, seed)` returns source files (key -> bytes) shaped like the blog pressroom is built
for: YAML front matter with a title, a distinct date, 2-4 tags drawn Zipf-like from a vocabulary
of 60 terms (a few tags are on most posts, most tags on a few, as on a real blog), one of eight
categories and a description; bodies of 300-1,500 words with headings, paragraphs, lists, a
link, and now and then a fenced Python block and a small table. Same `n` and `seed`, same bytes,
on every machine: the generator draws only from its own `random.Random`.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SITE_YAML = b'title: "Bench Notes"\nbaseURL: "https://bench.example.com/"\n'

DATE_START = datetime(2008, 1, 1, tzinfo=UTC)
"""Every generated post is dated at or after this instant..."""
DATE_END = datetime(2026, 10, 1, tzinfo=UTC)
"""...and before this one (the benchmarks build as of 2026-11-29, so every post is live)."""

TAGS = (
    "Python", "AWS", "Machine Learning", "Performance", "Testing", "Serverless", "Databases",
    "DevOps", "Rust", "Go", "Kubernetes", "Docker", "Linux", "Security", "Networking",
    "Caching", "Observability", "Tokenizers", "NLP", "Computer Vision", "Statistics",
    "Evaluation", "Data Engineering", "SQL", "DynamoDB", "S3", "Lambda", "CloudFront",
    "Terraform", "CI", "Git", "Open Source", "Career", "Writing", "Books", "Talks",
    "Hiring", "Architecture", "API Design", "Concurrency", "Async", "C++", "NumPy",
    "Pandas", "PyTorch", "Embeddings", "Vector Search", "Compilers", "Type Hints",
    "Packaging", "Static Sites", "Hugo", "Markdown", "Accessibility", "Privacy",
    "Retrospective", "Tooling", "Benchmarks", "Cost", "Teaching",
)  # fmt: skip
"""Sixty tag spellings, most common first: tag i is drawn with weight 1 / (i + 1)."""

CATEGORIES = ("Engineering", "Research", "Notes", "Tutorials", "Opinion", "Projects", "Reviews", "Life")

_TAG_WEIGHTS = tuple(1.0 / (rank + 1) for rank in range(len(TAGS)))

_WORDS = (
    "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "with", "was", "on", "be", "by",
    "this", "are", "from", "at", "or", "an", "have", "not", "which", "but", "all", "one", "can", "more",
    "when", "there", "so", "what", "out", "about", "up", "if", "into", "time", "only", "other", "some",
    "could", "than", "then", "its", "also", "after", "two", "first", "way", "even", "new", "because",
    "any", "these", "give", "most", "us", "system", "cache", "request", "page", "build", "index",
    "queue", "bucket", "model", "token", "latency", "memory", "thread", "process", "function", "module",
    "test", "data", "value", "error", "result", "event", "table", "query", "list", "feed", "sitemap",
    "render", "template", "config", "deploy", "release", "metric", "trace", "log", "budget", "window",
    "batch", "stream", "worker", "schedule", "retry", "failure", "measure", "profile", "benchmark",
    "baseline", "review", "design", "change", "version", "branch", "commit", "merge", "issue", "user",
    "reader", "author", "draft", "post", "note", "idea", "reason", "answer", "question", "example",
    "number", "small", "large", "fast", "slow", "simple", "clear", "careful", "honest", "useful",
    "boring", "stable", "cheap", "expensive", "local", "remote", "static", "dynamic", "correct",
    "wrong", "early", "late", "often", "rarely", "never", "always", "usually", "probably", "certainly",
    "quietly", "slowly", "quickly"
)  # fmt: skip
_HEADING_WORDS = (
    "Why", "How", "What", "Setup", "Results", "Lessons", "Numbers", "Background", "Design",
    "Trade-offs", "Caveats", "Next", "Steps", "Measuring", "Failure", "Modes", "Costs", "Surprises", "Testing",
    "Shipping", "Notes", "Summary", "Context", "Approach"
)  # fmt: skip
_MIN_WORDS, _MAX_WORDS = 300, 1500
_IDENTIFIERS = ("items", "total", "batch", "cache", "result", "tokens", "window", "scores", "rows", "pages")


@dataclass(frozen=True)
class PostMeta:
    """The front matter of one generated post."""

    title: str
    date: datetime
    tags: tuple[str, ...]
    category: str
    description: str


def post_key(number: int) -> str:
    """`posts/post-00042.md`: the source key of generated post `number`."""
    return f"posts/post-{number:05d}.md"


def _sentence(rng: random.Random, low: int = 8, high: int = 20) -> str:
    words = rng.choices(_WORDS, k=rng.randint(low, high))
    if rng.random() < 0.15:
        spot = rng.randrange(len(words))
        words[spot] = f"`{words[spot]}`" if rng.random() < 0.5 else f"**{words[spot]}**"
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _bullets(rng: random.Random) -> str:
    ordered = rng.random() < 0.3
    items = [_sentence(rng, 4, 12) for _ in range(rng.randint(3, 6))]
    return "\n".join(f"{number}. {item}" if ordered else f"- {item}" for number, item in enumerate(items, 1))


def _heading(rng: random.Random) -> str:
    level = "##" if rng.random() < 0.8 else "###"
    return f"{level} {' '.join(rng.sample(_HEADING_WORDS, rng.randint(1, 4)))}"


def _code_block(rng: random.Random) -> str:
    name, other = rng.sample(_IDENTIFIERS, 2)
    factor = rng.randint(2, 99)
    return (
        "```python\n"
        f"def summarise({name}: list[int], limit: int = {factor}) -> dict[str, int]:\n"
        f'    """Count the {name} under the limit."""\n'
        f"    {other} = [value for value in {name} if value < limit]\n"
        f'    return {{"kept": len({other}), "total": sum({other}) * {factor}}}\n'
        "```"
    )


def _table(rng: random.Random) -> str:
    rows = [
        f"| {rng.choice(_IDENTIFIERS)} | {rng.randint(1, 999)} | {rng.randint(1, 999)} |"
        for _ in range(rng.randint(2, 5))
    ]
    return "\n".join(["| Measure | Before | After |", "| --- | ---: | ---: |", *rows])


def _word_count(block: str) -> int:
    return len(block.split())


def generate_body(rng: random.Random, words: tuple[int, int] = (_MIN_WORDS, _MAX_WORDS)) -> str:
    """A Markdown body of 300-1,500 words: sections of paragraphs and lists, one link,
    a Python block on about a third of posts and a table on about a quarter."""
    low, high = words
    target = rng.randint(low, high)
    blocks = [_paragraph(rng)]
    count = _word_count(blocks[0])
    while count < target:
        section = [_heading(rng), *(_paragraph(rng) for _ in range(rng.randint(1, 3)))]
        if rng.random() < 0.4:
            section.insert(rng.randint(2, len(section)), _bullets(rng))
        section_words = sum(_word_count(block) for block in section)
        if count >= low and count + section_words > high:
            break
        blocks.extend(section)
        count += section_words
    link = f"[the notes from {rng.choice(_IDENTIFIERS)}](https://example.org/notes/{rng.randint(1, 9999)}/)"
    spot = rng.randrange(len(blocks))
    while blocks[spot].startswith(("#", "-", "1.")):
        spot = (spot + 1) % len(blocks)
    blocks[spot] = f"{blocks[spot]} See {link} for details."
    if rng.random() < 0.33:
        blocks.insert(rng.randint(1, len(blocks)), _code_block(rng))
    if rng.random() < 0.25:
        blocks.insert(rng.randint(1, len(blocks)), _table(rng))
    return "\n\n".join(blocks) + "\n"


def render_post(meta: PostMeta, body: str) -> bytes:
    """One post file: YAML front matter (strings as JSON, which YAML reads as quoted scalars)."""
    tags = ", ".join(json.dumps(tag) for tag in meta.tags)
    front = (
        "---\n"
        f"title: {json.dumps(meta.title)}\n"
        f"date: {meta.date.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        f"tags: [{tags}]\n"
        f"categories: [{json.dumps(meta.category)}]\n"
        f"description: {json.dumps(meta.description)}\n"
        "---\n\n"
    )
    return (front + body).encode("utf-8")


def vocabulary(tag_count: int | None) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The tag spellings and their Zipf-like weights: TAGS, or `tag_count` tags (TAGS, then `Topic N`)."""
    if tag_count is None:
        return TAGS, _TAG_WEIGHTS
    tags = (*TAGS, *(f"Topic {number}" for number in range(len(TAGS), tag_count)))[:tag_count]
    return tags, tuple(1.0 / (rank + 1) ** 0.5 for rank in range(len(tags)))


def random_tags(rng: random.Random, tag_count: int | None = None) -> tuple[str, ...]:
    """2-4 distinct tags, drawn with Zipf-like weights."""
    tags, weights = vocabulary(tag_count)
    wanted = rng.randint(2, 4)
    chosen: list[str] = []
    while len(chosen) < wanted:
        tag = rng.choices(tags, weights=weights)[0]
        if tag not in chosen:
            chosen.append(tag)
    return tuple(chosen)


def make_post(
    rng: random.Random,
    number: int,
    date: datetime,
    tags: tuple[str, ...] | None = None,
    tag_count: int | None = None,
    words: tuple[int, int] = (_MIN_WORDS, _MAX_WORDS),
) -> bytes:
    """A complete post numbered `number` dated `date`; random tags (of `tag_count`) unless given."""
    meta = PostMeta(
        title=f"{_sentence(rng, 3, 7).rstrip('.')} ({number})",
        date=date,
        tags=tags if tags is not None else random_tags(rng, tag_count),
        category=rng.choice(CATEGORIES),
        description=_sentence(rng, 10, 24),
    )
    return render_post(meta, generate_body(rng, words))


def _dates(n: int, rng: random.Random) -> list[datetime]:
    """n distinct whole-minute dates spread evenly over DATE_START..DATE_END, shuffled."""
    span = int((DATE_END - DATE_START).total_seconds() // 60)
    step = span // max(n, 1)
    if step < 1:
        raise ValueError(f"{n} posts do not fit distinct minutes between {DATE_START} and {DATE_END}")
    dates = [DATE_START + timedelta(minutes=i * step + rng.randrange(step)) for i in range(n)]
    rng.shuffle(dates)  # file names say nothing about dates, as on a real blog
    return dates


def generate(
    n: int, seed: int = 1, tag_count: int | None = None, words: tuple[int, int] = (_MIN_WORDS, _MAX_WORDS)
) -> dict[str, bytes]:
    """`site.yaml` and n posts `posts/post-NNNNN.md`, the same bytes for the same arguments.

    `tag_count` widens the tag vocabulary (the event benchmarks' 500 and 5,000 tags); `words`
    bounds the bodies' length."""
    dates = _dates(n, random.Random(seed))
    files = {"site.yaml": SITE_YAML}
    for number, date in enumerate(dates):
        rng = random.Random(seed * 1_000_003 + number)
        files[post_key(number)] = make_post(rng, number, date, tag_count=tag_count, words=words)
    return files
