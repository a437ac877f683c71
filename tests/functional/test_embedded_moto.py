"""The embedded moto of `pressroom dev` and `demo` (shells/embedded.py) skips moto's costs that
grow with the whole table or queue: what a request does must stay as moto (and AWS) does it."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from pressroom.adapters.aws.dynamodb import DynamoTable
from pressroom.ports import Condition, ConditionFailed, Write
from pressroom.shells.embedded import moto_without_store_wide_costs


@pytest.fixture
def embedded_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws(), moto_without_store_wide_costs():
        yield


@pytest.mark.usefixtures("embedded_moto")
def test_a_transaction_whose_lease_check_fails_writes_nothing() -> None:
    """The rollback copy is skipped: a transaction whose condition fails must fail before it writes."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(
        TableName="index",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    table = DynamoTable(client, "index")
    table.transact(Write(puts=[{"pk": "lease", "sk": "site", "token": "theirs"}]))
    stale_holder = Condition("lease", "site", (("eq", "token", "mine"),))
    with pytest.raises(ConditionFailed):
        table.transact(Write(puts=[{"pk": "g1:page", "sk": "posts/a.md", "v": "1"}], conditions=[stale_holder]))
    assert table.get("g1:page", "posts/a.md") is None


@pytest.mark.usefixtures("embedded_moto")
def test_a_receive_still_leaves_out_a_message_past_the_queues_retention() -> None:
    """The patched retention check reads the period alone: what a receive hands out is unchanged."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="events", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="expired")
    queue = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_queue("events")
    queue._messages[0].sent_timestamp -= 61_000  # sent 61 s ago, retained for 60
    assert sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []) == []
    sqs.send_message(QueueUrl=url, MessageBody="fresh")
    queue._messages = [m for m in queue._messages if m.body == "fresh"]
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert bodies == ["fresh"]
