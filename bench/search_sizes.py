"""What full-text search costs a reader and an edit: pressroom's parts, a Congo-style `index.json`, Pagefind.

For each size, the generated blog (`generate.py`, with RARE_WORD planted in three posts) is built
by `pressroom build`; over that one built site:

- pressroom: the bytes a cold browser fetches for a query, following the theme's search script
  (`theme/static/js/main.js`): the table `/index.json`, then every part it lists, all requested at
  once in the table's order, results shown as each part arrives (it never stops early). "First
  results" depends on how the parts share the line, so both ends are given: *in order* (each part
  arrives whole before the next, as when same-priority streams are sent one after another) and
  *shared* (all parts arrive at the same rate: when the first part with a match is complete, every
  other part has come as far, up to its own size). Which parts hold a match follows the script's
  rule (a term matches where it starts a word of the title, tags, summary or text);
- Congo-style: one `index.json` of every page's date, title, section, summary, full plain text
  and permalink, as Congo's `layouts/_default/index.json` writes it (`.Plain` of the content, the
  summary here the first SUMMARY_WORDS words), made from the built pages' HTML: its search
  fetches the whole file before it answers anything;
- Pagefind (the PyPI `pagefind[bin]`, a bench dependency only), run over the same site's post
  pages (`--root-selector article`): the files are those Pagefind's own `pagefind.js` fetches in
  node (`search_pagefind.mjs`, `fetch` recorded, not modelled): entry, metadata, wasm, the index
  chunks of the word, then the fragments of the results shown (5, a page of its UI; 50, the most
  pressroom's page lists);
- one edit (a sentence added to a post's first paragraph): the search files pressroom writes
  (`patch_search_files` on the built site, the published table and parts, with the record made by
  `page_text` and `search_record`'s fields; a file whose bytes do not change is not written), the
  Congo index (all of it) and the files Pagefind writes anew when run again after the edit.

Bytes are gzip (level GZIP_LEVEL) of JSON and scripts; Pagefind's own files are gzip already and
served as they are (their size on disk). Code (pressroom's `main.js`, on every page; Pagefind's
`pagefind.js` and `pagefind-worker.js`) is counted apart from the data; Congo's script (Fuse.js
with its search code) is not measured.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from html import unescape
from pathlib import Path
from typing import Any

from builds import NOW_FLAG, ROOT, bench_python
from generate import generate
from pressroom.core.reading.config import parse_config
from pressroom.core.rendering.search import (
    SEARCH_INDEX_KEY,
    SearchPatch,
    page_text,
    parse_search_index,
    parse_search_manifest,
    patch_search_files,
    search_part,
)

HERE = Path(__file__).resolve().parent
GZIP_LEVEL = 6
RARE_WORD = "zeppelin"
"""Planted: the generator draws from 170 words, each on most posts, so no word of its is rare."""
COMMON_WORD = "latency"
"""One of the generator's words: in the opening of about two posts in three, somewhere in nearly every post."""
SUMMARY_WORDS = 70
"""Hugo's default summaryLength, the length of the summary in Congo's index."""
EDIT_SENTENCE = "An edit adds this sentence."
SHOWN = (5, 50)
PAGEFIND_TIMEOUT_S = 300
"""Pagefind at a size is skipped past this by default (the issue's allowance on a shared 2-core machine)."""


def gz(data: bytes) -> int:
    return len(gzip.compress(data, GZIP_LEVEL, mtime=0))


def rare_posts(size: int) -> tuple[int, ...]:
    return (size // 4, size // 2, 3 * size // 4)


def write_corpus(size: int, folder: Path) -> None:
    """The generated blog of `size` posts, RARE_WORD put after the first word of three posts' bodies."""
    marked = {f"posts/post-{number:05d}.md" for number in rare_posts(size)}
    for key, data in generate(size).items():
        if key in marked:
            front, body = data.decode().split("---\n\n", 1)
            first, rest = body.split(" ", 1)
            data = f"{front}---\n\n{first} {RARE_WORD} {rest}".encode()
        target = folder / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def built_site(size: int, base: Path) -> tuple[Path, float]:
    """`pressroom build` of the corpus (kept between runs, with the seconds it took)."""
    folder = base / f"search-{size}"
    site = folder / "site"
    if (folder / ".built").exists():
        return site, float((folder / ".built").read_text())
    shutil.rmtree(folder, ignore_errors=True)
    write_corpus(size, folder / "source")
    started = time.perf_counter()
    pressroom = ROOT / ".venv" / "bin" / "pressroom"
    subprocess.run([str(pressroom), "build", str(folder / "source"), "--out", str(site), "--now", NOW_FLAG],
                   check=True, capture_output=True)  # fmt: skip
    seconds = time.perf_counter() - started
    (folder / ".built").write_text(f"{seconds:.1f}\n")
    return site, seconds


def site_file(site: Path, url: str) -> Path:
    return site / url.lstrip("/")


def page_html(site: Path, url: str) -> str:
    return (site_file(site, url) / "index.html").read_text()


def content_html(page: str) -> str:
    """The rendered body of one of the theme's post pages (its `div.content`)."""
    inside = page.split('<div class="content">', 1)[1].split("</article>", 1)[0]
    return inside.rsplit("</div>", 1)[0]


# --- pressroom -----------------------------------------------------------------------------------


def published_search(site: Path) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The table and each part (URL, bytes), in the table's order: the order the script asks for them."""
    table = (site / SEARCH_INDEX_KEY).read_bytes()
    return table, [(part["url"], site_file(site, part["url"]).read_bytes()) for part in json.loads(table)["parts"]]


def matches(record: dict[str, Any], term: str) -> bool:
    """The search script's rule: the term starts a word (after no letter or digit) of a searched field."""
    starts = re.compile(rf"(?<![^\W_]){re.escape(term)}")
    fields = (record["title"], " ".join(record["tags"]), record["summary"], record["text"])
    return any(starts.search(field.lower()) for field in fields)


def pressroom_query(table: bytes, parts: Sequence[tuple[str, bytes]], term: str) -> dict[str, Any]:
    sizes = [gz(body) for _, body in parts]
    hits = [sum(matches(r, term) for r in json.loads(body)) for _, body in parts]
    matching = [k for k, count in enumerate(hits) if count]
    table_gz = gz(table)
    in_order = shared = None
    if matching:
        in_order = table_gz + sum(sizes[: matching[0] + 1])
        first = min(sizes[k] for k in matching)
        shared = table_gz + sum(min(size, first) for size in sizes)
    return {"found": sum(hits), "first_in_order": in_order, "first_shared": shared,
            "all": table_gz + sum(sizes), "requests": 1 + len(parts)}  # fmt: skip


# --- Congo-style index.json ------------------------------------------------------------------------


def plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def go_json(value: Any) -> str:
    """JSON as Hugo's `jsonify` writes it (Go's encoder: <, > and & escaped)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
"""Hugo's `:date_long` in English, the date Congo's index shows."""


def congo_index(site: Path, records: Sequence[dict[str, Any]], base_url: str) -> bytes:
    """Congo's index.json of the site: every regular page, newest first, with its whole plain text."""
    items = []
    for record in sorted(records, key=lambda r: r["date"], reverse=True):
        content = plain(content_html(page_html(site, record["url"])))
        year, month, day = (int(n) for n in record["date"].split("-"))
        items.append({"date": f"{MONTHS[month - 1]} {day}, {year}", "title": record["title"], "section": "Posts",
                      "summary": " ".join(content.split()[:SUMMARY_WORDS]), "content": content,
                      "permalink": base_url.rstrip("/") + record["url"]})  # fmt: skip
    return go_json(items).encode()


# --- Pagefind -------------------------------------------------------------------------------------


def run_pagefind(site: Path, out: Path, timeout: float) -> float | None:
    """Pagefind over the site's post pages into `out`; its seconds, None past `timeout`."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    command = [str(bench_python()), "-m", "pagefind", "--site", str(site), "--glob", "posts/post-*/index.html",
               "--root-selector", "article", "--output-path", str(out), "--quiet"]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - started


def pagefind_code(bundle: Path) -> int:
    return sum(gz((bundle / name).read_bytes()) for name in ("pagefind.js", "pagefind-worker.js"))


def pagefind_query(bundle: Path, term: str) -> dict[str, Any]:
    """A cold query through Pagefind's own library (`search_pagefind.mjs`, one node process)."""
    done = subprocess.run(["node", str(HERE / "search_pagefind.mjs"), str(bundle), term, *map(str, SHOWN)],
                          check=True, capture_output=True, text=True)  # fmt: skip
    report = json.loads(done.stdout)

    def size(files: list[dict[str, Any]]) -> int:
        # The JSON entry file is compressed on the way, like pressroom's; the rest is gzip already.
        return sum(gz((bundle / f["file"]).read_bytes()) if f["file"].endswith(".json") else f["bytes"] for f in files)

    searched = size(report["search"])
    shown = {n: size(report["shown"][str(n)]) for n in SHOWN}
    first, most = SHOWN
    return {"found": report["results"], "search": searched, "first": searched + shown[first],
            "shown_50": searched + shown[first] + shown[most],
            "requests": len(report["search"]) + sum(len(files) for files in report["shown"].values()),
            "chunks": sum(f["file"].startswith("index/") for f in report["search"])}  # fmt: skip


def bundle_files(bundle: Path) -> dict[str, bytes]:
    return {str(path.relative_to(bundle)): path.read_bytes() for path in bundle.rglob("*") if path.is_file()}


# --- one edit ---------------------------------------------------------------------------------------


def edited(page: str) -> str:
    """The page with EDIT_SENTENCE at the end of the first paragraph of its body."""
    head, body = page.split('<div class="content">', 1)
    return f'{head}<div class="content">' + body.replace("</p>", f" {EDIT_SENTENCE}</p>", 1)


def pressroom_edit(site: Path, url: str) -> dict[str, Any]:
    """What pressroom's event path writes to the search files for an edit of the page at `url`."""
    config, _ = parse_config((site.parent / "source" / "site.yaml").read_text())
    table, parts = published_search(site)
    counts = parse_search_manifest(table, config)
    assert counts is not None
    record = parse_search_index(parts[search_part(url, len(counts))][1])[url]  # type: ignore[index]
    changed = {**record, "text": page_text(content_html(edited(page_html(site, url))))}

    def read_many(keys: Sequence[str]) -> list[bytes | None]:
        return [(site / key).read_bytes() if (site / key).exists() else None for key in keys]

    found = patch_search_files(table, read_many, SearchPatch({url: changed}), config)
    assert found is not None
    files, deleted = found
    written = {key: body for key, body in files.items() if read_many([key])[0] != body}
    return {"files": sorted(written), "bytes": sum(map(len, written.values())),
            "gzip": sum(gz(body) for body in written.values()), "deleted": deleted}  # fmt: skip


def pagefind_edit(site: Path, url: str, bundle: Path, again: Path, timeout: float) -> dict[str, Any] | None:
    """The files Pagefind writes anew (new names or new bytes) when run again after the same edit."""
    path = site_file(site, url) / "index.html"
    original = path.read_text()
    path.write_text(edited(original))
    try:
        seconds = run_pagefind(site, again, timeout)
    finally:
        path.write_text(original)
    if seconds is None:
        return None
    before, after = bundle_files(bundle), bundle_files(again)
    written = {name: body for name, body in after.items() if before.get(name) != body}
    shutil.rmtree(again, ignore_errors=True)
    return {"files": len(written), "bytes": sum(map(len, written.values())),
            "deleted": sum(name not in after for name in before)}  # fmt: skip


# --- the bench -----------------------------------------------------------------------------------------


def bench_size(size: int, base: Path, pagefind_timeout: float = PAGEFIND_TIMEOUT_S) -> dict[str, Any]:
    site, build_s = built_site(size, base)
    config, _ = parse_config((site.parent / "source" / "site.yaml").read_text())
    table, parts = published_search(site)
    records = [record for _, body in parts for record in json.loads(body)]
    words = {"rare": RARE_WORD, "common": COMMON_WORD}
    congo = congo_index(site, records, config.base_url)
    edit_url = f"/posts/post-{size // 3:05d}/"
    result: dict[str, Any] = {
        "posts": size, "build_s": build_s, "pages": len(records), "parts": len(parts),
        "search_total_gz": gz(table) + sum(gz(body) for _, body in parts),
        "pressroom_code_gz": gz((site / "js" / "main.js").read_bytes()),
        "pressroom": {kind: pressroom_query(table, parts, word) for kind, word in words.items()},
        "congo": {"gz": gz(congo), "bytes": len(congo), "found": {
            kind: sum(re.search(rf"(?<![^\W_]){word}", item["content"].lower()) is not None for item in
                      json.loads(congo)) for kind, word in words.items()}},
        "edit": {"pressroom": pressroom_edit(site, edit_url), "congo": {"bytes": len(congo), "gzip": gz(congo)}},
    }  # fmt: skip
    bundle = site.parent / "pagefind"
    seconds = run_pagefind(site, bundle, pagefind_timeout)
    result["pagefind_s"], result["pagefind_timeout_s"] = seconds, pagefind_timeout
    if seconds is not None:
        files = bundle_files(bundle)
        result["pagefind"] = {kind: pagefind_query(bundle, word) for kind, word in words.items()}
        result["pagefind_code_gz"] = pagefind_code(bundle)
        result["pagefind_bundle"] = {"files": len(files), "bytes": sum(map(len, files.values())),
                                     "version": json.loads(files["pagefind-entry.json"])["version"]}  # fmt: skip
        result["edit"]["pagefind"] = pagefind_edit(
            site, edit_url, bundle, site.parent / "pagefind-edited", pagefind_timeout
        )
    return result


def bench_search(
    sizes: Sequence[int],
    base: Path,
    save: Callable[[dict[str, Any]], None],
    earlier: dict[str, Any] | None = None,
    pagefind_timeout: float = PAGEFIND_TIMEOUT_S,
) -> dict[str, Any]:
    """Every size in turn, saved after each (a long run keeps what it measured), beside the sizes
    of `earlier` not measured again."""
    kept = [size for size in (earlier or {}).get("sizes", []) if size["posts"] not in sizes]
    report: dict[str, Any] = {"sizes": kept, "gzip_level": GZIP_LEVEL, "rare": RARE_WORD, "common": COMMON_WORD}
    for size in sizes:
        print(f"    {size:,} posts ...", flush=True)
        figures = bench_size(size, base, pagefind_timeout)
        report["sizes"] = sorted([*report["sizes"], figures], key=lambda measured: measured["posts"])
        print("   ", json.dumps(figures)[:400], flush=True)
        save(report)
    return report


# --- BENCHMARKS.md ---------------------------------------------------------------------------------


def _kib(value: float | None) -> str:
    return "—" if value is None else f"{value / 1024:,.0f}"


def _query_rows(data: dict[str, Any]) -> list[list[str]]:
    rows = []
    for size in data["sizes"]:
        for kind in ("rare", "common"):
            ours, fuse, pagefind = size["pressroom"][kind], size["congo"], size.get("pagefind", {}).get(kind)
            found = f"{ours['found']:,} / {fuse['found'][kind]:,} / " + (f"{pagefind['found']:,}" if pagefind else "—")
            rows.append([
                f"{size['posts']:,}", f"{kind}: `{data[kind]}`", found,
                f"{_kib(ours['first_in_order'])} – {_kib(ours['first_shared'])}", _kib(ours["all"]),
                _kib(fuse["gz"]), _kib(pagefind["first"]) if pagefind else "skipped",
                _kib(pagefind["shown_50"]) if pagefind else "skipped",
                f"{ours['requests']} / 1 / " + (str(pagefind["requests"]) if pagefind else "—"),
            ])  # fmt: skip
    return rows


def _size_rows(data: dict[str, Any]) -> list[list[str]]:
    rows = []
    for size in data["sizes"]:
        bundle = size.get("pagefind_bundle")
        edit = size["edit"]
        pagefind_edit = edit.get("pagefind")
        rows.append([
            f"{size['posts']:,}", size["parts"], _kib(size["search_total_gz"]), _kib(size["congo"]["gz"]),
            f"{bundle['files']:,} files, {_kib(bundle['bytes'])}" if bundle else "skipped",
            f"{len(edit['pressroom']['files'])} part: {_kib(edit['pressroom']['bytes'])} "
            f"({_kib(edit['pressroom']['gzip'])} gzip)",
            f"{_kib(edit['congo']['bytes'])} ({_kib(edit['congo']['gzip'])} gzip)",
            f"{pagefind_edit['files']:,} files: {_kib(pagefind_edit['bytes'])}" if pagefind_edit else "skipped",
            "—" if size["build_s"] is None else f"{size['build_s']:.0f}",
            f"skipped: over {size.get('pagefind_timeout_s', PAGEFIND_TIMEOUT_S):.0f}"
            if size["pagefind_s"] is None
            else f"{size['pagefind_s']:.0f}",
        ])  # fmt: skip
    return rows


QUERY_HEADER = ("posts", "word", "pages found: pressroom / Congo / Pagefind",
                "pressroom: first results KiB (in order – shared)", "pressroom: all KiB", "Congo `index.json` KiB",
                "Pagefind: first 5 KiB", "Pagefind: 50 shown KiB",
                "requests: pressroom / Congo / Pagefind (50 shown)")  # fmt: skip
SIZE_HEADER = ("posts", "pressroom parts", "pressroom search files KiB gzip", "Congo `index.json` KiB gzip",
               "Pagefind bundle (as served)", "an edit writes: pressroom", "Congo", "Pagefind", "`pressroom build` s",
               "Pagefind s")  # fmt: skip


def search_markdown(data: dict[str, Any], table: Callable[[Sequence[str], Sequence[Sequence[Any]]], str]) -> list[str]:
    first = data["sizes"][0]
    code = f"{_kib(first['pressroom_code_gz'])} KiB"
    pagefind_code = _kib(first["pagefind_code_gz"]) + " KiB" if "pagefind_code_gz" in first else "not measured"
    version = first.get("pagefind_bundle", {}).get("version", "?")
    longer = [
        f"Pagefind at {size['posts']:,} posts took {size['pagefind_s']:.0f} s, over the {PAGEFIND_TIMEOUT_S} s "
        f"default: measured with `--search-sizes {size['posts']} --pagefind-timeout "
        f"{size['pagefind_timeout_s']:.0f}`."
        for size in data["sizes"]
        if size["pagefind_s"] is not None and size["pagefind_s"] > PAGEFIND_TIMEOUT_S
    ]
    return [
        "## Full-text search: what a reader downloads, what an edit writes",
        "",
        table(QUERY_HEADER, _query_rows(data)),
        "",
        table(SIZE_HEADER, _size_rows(data)),
        "",
        f'`make bench BENCH_ARGS="--only search"` (`bench/search_sizes.py`; Pagefind {version} from PyPI\'s '
        f"`pagefind[bin]`, a bench dependency). {' '.join(longer)} KiB of data, gzip level "
        f"{data['gzip_level']} for JSON (Pagefind's own files are gzip already: their size as served). "
        f"Code apart: pressroom's `main.js` (the theme's whole script, on every page) {code}; Pagefind's "
        f"`pagefind.js` and `pagefind-worker.js` {pagefind_code} (its UI, if used, is more); Congo's script "
        "(Fuse.js) not measured. The blog is `bench/generate.py`'s, built by `pressroom build`, with "
        f"`{data['rare']}` put in three posts' first sentence (the generator's 170 words are each on most "
        f"posts: no word of it is rare); `{data['common']}` is one of them. Its vocabulary is far smaller "
        "than a real blog's, which makes Pagefind's chunks denser than they would be; the downloads of "
        "pressroom and Congo do not depend on the words.",
        "",
        "*pressroom*: the theme's script fetches `/index.json`, then every part it lists at once, and ranks "
        "what has arrived each time a part comes (it never stops early: the relevance order, title first, "
        "needs every record). *First results*: *in order*, the parts arriving one after another in the "
        "order asked (the table and the parts up to the first that holds a match); *shared*, all parts "
        "arriving at the same rate (when the first part with a match is complete, every other has come as "
        "far). Pages found: pressroom matches the opening (1,000 characters) of each page's text, "
        "Congo's index holds the whole text, Pagefind indexes the whole article. *Congo*: its script loads "
        "the one `index.json` (every page's date, title, section, summary of 70 words, whole plain text, "
        "permalink, as Congo's `layouts/_default/index.json`) before any answer; made here from the built "
        "pages. *Pagefind*: run over the post pages (`--root-selector article`); the files counted are "
        "those its own `pagefind.js` fetched, run in node with `fetch` recorded (`bench/search_pagefind.mjs`): "
        "entry, metadata, wasm, the word's index chunk, then the fragments of the results shown (5: a page "
        "of its UI; 50: the most pressroom's page lists). *An edit*: a sentence added to a post's first "
        "paragraph. pressroom: `patch_search_files` against the built site (what the event path writes: "
        "the one part the page's URL hashes to; the table's bytes do not change, so it is not written); "
        "Congo: the whole index; Pagefind: the files of a second run that are new or changed.",
        "",
        *design_markdown(data),
    ]


def design_markdown(data: dict[str, Any]) -> list[str]:
    """The design, with the figures of this run that argue for it."""
    sizes = data["sizes"]
    part_kib = [size["edit"]["pressroom"]["bytes"] / 1024 for size in sizes]
    per_page = [size["search_total_gz"] / size["pages"] / 1024 for size in sizes]
    of_congo = [size["search_total_gz"] / size["congo"]["gz"] for size in sizes]
    of_pagefind = [
        size["search_total_gz"] / size["pagefind"]["common"]["shown_50"] for size in sizes if "pagefind" in size
    ]
    pagefind = (
        f"{min(of_pagefind):.1f}–{max(of_pagefind):.0f} times what Pagefind fetches to show 50 results of the "
        "common word"
        if of_pagefind
        else "more than Pagefind's"
    )
    return [
        "### The design chosen",
        "",
        "- **Records.** One per published page: URL, title, date, section, tags, summary (240 characters) "
        "and `text`, the page's plain text without code blocks, cut at 1,000 characters (`page_text`). "
        "The text is kept on the page's index record, so the event path, which has records and not "
        "bodies, writes the same record as the full build.",
        "- **Parts.** The records are split by a stable hash of the URL into a power of two of part files "
        "(`search/part-K-of-N.json`, at most 128 pages each on average) listed by `/index.json`.",
        "- **Why an event's cost stays flat (SPEC 3.2).** An edit changes one record; the event path reads "
        "the table and the one part the URL hashes to, replaces the record and writes that part back (the "
        "table too only when a part's page count changes). What it reads and writes is one part whatever "
        f"the size of the site: {min(part_kib):.0f}–{max(part_kib):.0f} KiB here, from {sizes[0]['posts']:,} "
        f"to {sizes[-1]['posts']:,} posts. Only when the page count crosses a power of two times 128 does "
        "one event redistribute every part, once per doubling. A single `index.json` makes every edit "
        "rewrite the whole index (the Congo column: megabytes, growing with the site); Pagefind re-indexes "
        "the whole site on every change and rewrites most of its index chunks.",
        "- **Progressive loading.** The search page asks for every part at once and shows results as each "
        "part arrives, so with parts sent in order the first results come after the table and the first "
        "part that holds a match; the ranking is final when the last part is in.",
        "- **The price, stated.** A reader's download grows with the site: every part, "
        f"{min(per_page):.2f}–{max(per_page):.2f} KiB gzip a page, {min(of_congo):.0%}–{max(of_congo):.0%} "
        f"of a Congo-style index, but {pagefind} (its index is split by word, its results load their text one "
        "by one). In order, a common word's first results come sooner than Pagefind's (the table and one "
        "part against its wasm, metadata and chunk); a rare word's come after a share of the parts that grows "
        "with the site. The issue ranks SPEC 3.2 (an event's "
        "cost) above download size, and Pagefind's index cannot be patched by one event. An index split "
        "by word and patched per event is the way to a smaller download if one is ever needed.",
    ]


if __name__ == "__main__":
    import sys

    out = HERE / "out"
    chosen = [int(n) for n in sys.argv[1:]] or [1000]
    print(json.dumps(bench_search(chosen, out, lambda _: None), indent=1))
