"""The one-line messages of `pressroom` for AWS errors (shells/explain.py): each says what happened."""

from __future__ import annotations

import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

from pressroom.shells.explain import explain

ENDPOINT = "http://127.0.0.1:5000/"


@pytest.fixture(autouse=True)
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", ENDPOINT.rstrip("/"))


@pytest.mark.parametrize("error", [ReadTimeoutError(endpoint_url=ENDPOINT), ConnectTimeoutError(endpoint_url=ENDPOINT)])
def test_a_request_that_timed_out_is_reported_as_a_timeout_not_as_a_server_that_is_down(error: Exception) -> None:
    message = explain(error)
    assert message is not None and "timed out" in message and ENDPOINT in message, message
    assert "cannot reach" not in message and "is the moto server running" not in message, message


def test_a_refused_connection_says_to_start_the_server() -> None:
    message = explain(EndpointConnectionError(endpoint_url=ENDPOINT))
    assert message is not None and "cannot reach" in message and "moto" in message, message


def test_a_timeout_seen_through_the_error_it_caused_is_still_a_timeout() -> None:
    try:
        try:
            raise ReadTimeoutError(endpoint_url=ENDPOINT)
        except ReadTimeoutError as timeout:
            raise RuntimeError("publishing failed") from timeout
    except RuntimeError as error:
        message = explain(error)
    assert message is not None and "timed out" in message, message
