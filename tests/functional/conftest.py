"""The `site` fixture: a provisioned moto account (see tests/support/accounts.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from support.accounts import Site


@pytest.fixture
def site() -> Iterator[Site]:
    with mock_aws():
        yield Site()
