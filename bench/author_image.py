"""What the author's image costs on the event path (issue 22.1): every page with an author box shows
it, so replacing it renders each of them again (its variants are named by its bytes).

Two generated sites of the same posts (`bench/events.py`'s set-up, moto in-process): one without
an author image, one whose `site.yaml` sets `params.author.image` (a 600 x 600 JPEG at the root)
and `article.showAuthor` (every post has the author box). On each: an edit of a post's body (what
showing the image adds to an ordinary event), then on the second the image replaced, and a
`site.yaml` change (the whole-site rebuild) to compare with.

    .venv/bin/python bench/author_image.py [POSTS]
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from events import (
    Account,
    index_site,
    load_into_moto,
    moto_without_store_wide_costs,
    quiet_logs,
    reset_aws_env,
    site_files,
)

AUTHOR = b"\nparams:\n  author: {name: Ada, image: me.jpg}\n  article: {showAuthor: true}\n"


def portrait(colour: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 600), colour).save(out, "JPEG", quality=85)
    return out.getvalue()


def measure(files: dict[str, bytes], label: str, events: list[tuple[str, str, bytes]]) -> list[dict[str, Any]]:
    from moto import mock_aws

    indexed = index_site(files)
    print(f"  {label}: set up in {indexed.setup_seconds:.0f} s", flush=True)
    reset_aws_env()
    found = []
    with mock_aws(), moto_without_store_wide_costs():
        account = Account()
        load_into_moto(indexed, account.names)
        indexed.items.clear()
        gc.collect()
        for name, key, body in events:
            account.put_source(key, body)
            figures = account.event(label, name, key)
            summary = figures.summary()
            pages = sum(invocation.written for invocation in figures.invocations)
            seconds = sum(invocation.seconds for invocation in figures.invocations)
            found.append({**summary, "objects_written": pages, "seconds": seconds})
            print(
                f"    {name}: {summary['requests']} requests, {summary['rounds']} rounds, "
                f"{summary['own_cpu_ms']:.0f} ms pressroom CPU, {summary['invocations']} invocation(s), "
                f"{seconds:.1f} s on moto, {pages} objects written",
                flush=True,
            )
    return found


def main(posts: int) -> None:
    plain = site_files(posts, posts // 10)
    keys = sorted(key for key in plain if key.startswith("posts/"))
    middle = keys[len(keys) // 2]
    edit = ("edit of a post's body", middle, plain[middle] + b"\nOne more paragraph.\n")
    with quiet_logs():
        measure(plain, f"{posts:,} posts, no author image", [edit])
        settings = plain.get("site.yaml", b"") + AUTHOR
        with_author = {**plain, "site.yaml": settings, "me.jpg": portrait((200, 120, 40))}
        measure(
            with_author,
            f"{posts:,} posts, the author's image in every author box",
            [
                edit,
                ("the author's image replaced", "me.jpg", portrait((20, 90, 160))),
                ("a site.yaml change (whole-site rebuild)", "site.yaml", settings + b"\ndescription: x\n"),
            ],
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
