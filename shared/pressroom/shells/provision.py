"""`pressroom provision`: the buckets, queue, table, notification and distribution, idempotently."""

from __future__ import annotations

import json
from typing import Any

from pressroom.shells.runtime import Resources, client

QUEUE_NAME = "pressroom-queue"
DLQ_NAME = "pressroom-dlq"
DISTRIBUTION_COMMENT = "pressroom site"
MAX_RECEIVE_COUNT = 5
VISIBILITY_TIMEOUT = 720  # six times the function's 120 s timeout, as AWS advises for SQS sources


def _bucket(s3: Any, name: str) -> None:
    try:
        s3.head_bucket(Bucket=name)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=name)


def _table(dynamodb: Any, name: str) -> None:
    try:
        dynamodb.describe_table(TableName=name)
        return
    except dynamodb.exceptions.ResourceNotFoundException:
        pass
    string = "S"
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": string} for attribute in ("pk", "sk", "gsi1pk", "gsi1sk")
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    dynamodb.get_waiter("table_exists").wait(TableName=name)


def _queues(sqs: Any, source_bucket: str) -> tuple[str, str, str]:
    dlq_url = sqs.create_queue(QueueName=DLQ_NAME, Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT})
    queue_url = sqs.create_queue(QueueName=QUEUE_NAME)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{source_bucket}"}},
            }
        ],
    }
    sqs.set_queue_attributes(
        QueueUrl=queue_url,
        Attributes={
            "RedrivePolicy": redrive,
            "VisibilityTimeout": str(VISIBILITY_TIMEOUT),
            "Policy": json.dumps(policy),
        },
    )
    return queue_url, queue_arn, dlq_url


def _distribution(cloudfront: Any, site_bucket: str) -> str:
    for page in cloudfront.get_paginator("list_distributions").paginate():
        for item in page.get("DistributionList", {}).get("Items", []) or []:
            if item.get("Comment") == DISTRIBUTION_COMMENT:
                return str(item["Id"])
    origin = f"{site_bucket}.s3.amazonaws.com"
    answer = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": f"pressroom-{site_bucket}",
            "Comment": DISTRIBUTION_COMMENT,
            "Enabled": True,
            "DefaultRootObject": "index.html",
            "Origins": {
                "Quantity": 1,
                "Items": [{"Id": "site", "DomainName": origin, "S3OriginConfig": {"OriginAccessIdentity": ""}}],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "Compress": True,
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )
    return str(answer["Distribution"]["Id"])


def provision(resources: Resources) -> dict[str, str]:
    """Create (or find) every resource; returns the environment of SPEC 4.2."""
    s3, sqs = client("s3"), client("sqs")
    _bucket(s3, resources.source_bucket)
    _bucket(s3, resources.site_bucket)
    _table(client("dynamodb"), resources.index_table)
    queue_url, queue_arn, dlq_url = _queues(sqs, resources.source_bucket)
    s3.put_bucket_notification_configuration(
        Bucket=resources.source_bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"Id": "pressroom", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
            ]
        },
    )
    distribution_id = _distribution(client("cloudfront"), resources.site_bucket)
    return {
        "SOURCE_BUCKET": resources.source_bucket,
        "SITE_BUCKET": resources.site_bucket,
        "INDEX_TABLE": resources.index_table,
        "QUEUE_URL": queue_url,
        "DLQ_URL": dlq_url,
        "DISTRIBUTION_ID": distribution_id,
    }
