"""`pressroom demo`, the first thing a new user runs (`make demo`): the sample blog, end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_demo_publishes_the_sample_blog_and_says_where_to_look(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_ENDPOINT")}
    out = tmp_path / "public"
    demo = subprocess.run(
        [sys.executable, "-m", "pressroom", "demo", "--content", str(REPO / "content"), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "equal to `pressroom build" in demo.stdout and ": yes" in demo.stdout
    assert f"Open {out}/index.html" in demo.stdout
    assert "failed:" not in demo.stdout
    assert (out / "index.html").is_file() and (out / "posts" / "index.xml").is_file()
