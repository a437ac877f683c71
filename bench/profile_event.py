"""Profile one event on a site of N posts with pyinstrument.

Run by the bench's environment (pyinstrument, moto): `bench/.venv/bin/python bench/profile_event.py 5000 500`
profiles an edit of a post's body; `... 50000 5000 old` profiles bench/events.py's "new post
older than all, 2 new tags". The site is set up as in bench/events.py; the profile covers the
invocation alone (moto's time inside it included: its frames are under botocore's) and is written
to bench/out/profile-event-N.txt (profile-event-N-old.txt for the old post).
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from pyinstrument import Profiler

import events
from generate import DATE_START, make_post, post_key


def main(posts: int, tags: int, event: str = "edit") -> None:
    from moto import mock_aws

    files = events.site_files(posts, tags)
    indexed = events.index_site(files)
    events.reset_aws_env()
    with events.quiet_logs(), mock_aws(), events.moto_without_store_wide_costs():
        account = events.Account()
        events.load_into_moto(indexed, account.names)
        if event == "old":
            # As bench/events.py: a post older than every other, with two tags no post has yet.
            key = post_key(posts)
            fresh = ("Bench Fresh One", "Bench Fresh Two")
            body = make_post(events._rng(1), posts, DATE_START - timedelta(days=1), fresh, words=events.EVENT_WORDS)
        else:
            keys = sorted(key for key in files if key.startswith("posts/"))
            key = keys[len(keys) // 2]
            body = files[key] + b"\nOne more paragraph.\n"
        account.put_source(key, body)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        invocation = account.invoke([("profile", key)])
        profiler.stop()
    suffix = "" if event == "edit" else f"-{event}"
    out = Path(__file__).resolve().parent / "out" / f"profile-event-{posts}{suffix}.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(profiler.output_text(unicode=True, show_all=False))
    print(f"written {out}")
    requests = Counter(call.operation for call in invocation.calls)
    print(f"{len(invocation.calls)} requests, {1000 * invocation.own_cpu:.0f} ms pressroom CPU (profiled):")
    print(", ".join(f"{operation} x{count}" for operation, count in sorted(requests.items())))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:4])
