"""Profile one event (an edit of a post's body) on a site of N posts with pyinstrument.

Run by the bench's environment (pyinstrument, moto): `bench/.venv/bin/python bench/profile_event.py 5000 500`.
The site is set up as in bench/events.py; the profile covers the invocation alone (moto's time
inside it included: its frames are under botocore's) and is written to bench/out/profile-event-N.txt.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyinstrument import Profiler

import events


def main(posts: int, tags: int) -> None:
    from moto import mock_aws

    files = events.site_files(posts, tags)
    indexed = events.index_site(files)
    events.reset_aws_env()
    with events.quiet_logs(), mock_aws(), events.moto_without_store_wide_costs():
        account = events.Account()
        events.load_into_moto(indexed, account.names)
        keys = sorted(key for key in files if key.startswith("posts/"))
        middle = keys[len(keys) // 2]
        account.put_source(middle, files[middle] + b"\nOne more paragraph.\n")
        profiler = Profiler(interval=0.0005)
        profiler.start()
        account.invoke([("profile", middle)])
        profiler.stop()
    out = Path(__file__).resolve().parent / "out" / f"profile-event-{posts}.txt"
    out.write_text(profiler.output_text(unicode=True, show_all=False))
    print(f"written {out}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
