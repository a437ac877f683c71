"""Shared fixtures: dummy AWS credentials (never a real account) and the sample content."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# No property test is timed: speed belongs in bench/, and a loaded CI machine (the suite runs on
# both cores, pytest-xdist) must not turn a slow example into a failure.
settings.register_profile("untimed", deadline=None)
settings.load_profile("untimed")

# pytest runs with --import-mode=importlib, which leaves sys.path alone: shared test code lives in
# tests/support and is imported as `support`.
sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
SEED_POST = REPO.parent / "shared" / "fixtures" / "seed-post.md"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "QUEUE_URL", "DISTRIBUTION_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_DEV", "false")
    monkeypatch.setenv("LOG_LEVEL", os.environ.get("TEST_LOG_LEVEL", "WARNING"))
