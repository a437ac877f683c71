"""`pressroom provision`: the buckets, queue, table, notification and distribution, idempotently.

The buckets, the queues and the table are made from `infra/template.yaml`, the template a user
deploys: its versioning, notifications (events and filters), queue attributes and redrive, table
keys and indexes. So the local pipeline (moto, LocalStack) is the deployed one, and a change to
the template reaches the tests (tests/infra/test_template.py compares the two). Those resources
are plain CloudFormation in the SAM template, so reading it needs no SAM transform. Only the
names are local (the template's derive from the stack), and the distribution: CloudFront here is
a stand-in that records invalidations.

One deliberate difference: the source bucket is versioned only when asked (`versioned=True`).
moto sends no notification for a delete marker (`ObjectRemoved:DeleteMarkerCreated`, which S3
sends when a versioned object is deleted), so on moto a versioned source bucket would never
publish a deletion. The event path reads versions when the bucket has them, ETags otherwise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from pressroom.exceptions import PressroomError
from pressroom.shells.runtime import Resources, client

QUEUE_NAME = "pressroom-queue"
DLQ_NAME = "pressroom-dlq"
DISTRIBUTION_COMMENT = "pressroom site"
TEMPLATE_ENV = "PRESSROOM_TEMPLATE"
"""Where the template is, when not in this checkout's infra/ (the default)."""
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[3] / "infra" / "template.yaml"
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "SqsManagedSseEnabled",
)

Template = dict[str, Any]


class _TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (`!Ref X`, `!GetAtt X.Arn`, `!Sub ...`) as long forms."""


def _intrinsic(loader: yaml.SafeLoader, tag: str, node: yaml.Node) -> Any:
    """Any `!Name` as CloudFormation's long form: `Ref` and `Condition` as they are, the others
    `Fn::Name` (rule functions such as `!Contains` included, so a new one cannot break provision)."""
    name = tag if tag in ("Ref", "Condition") else f"Fn::{tag}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def template_path() -> Path:
    return Path(os.environ.get(TEMPLATE_ENV) or DEFAULT_TEMPLATE)


def read_template(path: Path | None = None) -> Template:
    """The template's resources by logical id; PressroomError naming the file when it cannot be read."""
    path = path or template_path()
    try:
        template: Template = yaml.load(path.read_text(encoding="utf-8"), Loader=_TemplateLoader)
    except (OSError, yaml.YAMLError) as error:
        raise PressroomError(
            f"{path}: cannot read the template provision makes the resources from ({error}); "
            f"run from a pressroom checkout or set {TEMPLATE_ENV}"
        ) from None
    return template


class _Names:
    """The local name and ARN of each template resource provision makes."""

    def __init__(self, resources: Resources) -> None:
        self.names = {
            "SourceBucket": resources.source_bucket,
            "SiteBucket": resources.site_bucket,
            "IndexTable": resources.index_table,
            "SourceQueue": QUEUE_NAME,
            "DeadLetterQueue": DLQ_NAME,
        }
        self.arns: dict[str, str] = {}

    def resolve(self, value: Any) -> Any:
        """`!Ref` and `!GetAtt X.Arn` of the resources made here; anything else as it is."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            if set(value) == {"Ref"} and value["Ref"] in self.names:
                return self.names[value["Ref"]]
            if set(value) == {"Fn::GetAtt"} and value["Fn::GetAtt"][1] == "Arn":
                return self.arns[value["Fn::GetAtt"][0]]
            return {key: self.resolve(inner) for key, inner in value.items()}
        return value


def _properties(template: Template, logical_id: str, type_: str) -> dict[str, Any]:
    resource = template.get("Resources", {}).get(logical_id)
    if not resource or resource.get("Type") != type_:
        raise PressroomError(f"{template_path()}: no {type_} named {logical_id}")
    properties: dict[str, Any] = resource.get("Properties", {})
    return properties


def _bucket(s3: Any, name: str, properties: Mapping[str, Any], versioned: bool) -> None:
    try:
        s3.head_bucket(Bucket=name)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=name)
    versioning = properties.get("VersioningConfiguration", {}).get("Status")
    if versioning and versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})


def notification_configuration(properties: Mapping[str, Any]) -> dict[str, Any]:
    """A bucket's template NotificationConfiguration (queues only) in the S3 API's shape."""
    configurations = []
    for n, entry in enumerate(properties.get("NotificationConfiguration", {}).get("QueueConfigurations", [])):
        configuration: dict[str, Any] = {"Id": f"pressroom-{n}", "QueueArn": entry["Queue"], "Events": [entry["Event"]]}
        rules = entry.get("Filter", {}).get("S3Key", {}).get("Rules", [])
        if rules:
            configuration["Filter"] = {
                "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
            }
        configurations.append(configuration)
    return {"QueueConfigurations": configurations}


def _table(dynamodb: Any, name: str, properties: Mapping[str, Any]) -> None:
    try:
        dynamodb.describe_table(TableName=name)
        return
    except dynamodb.exceptions.ResourceNotFoundException:
        pass
    wanted = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "BillingMode")
    dynamodb.create_table(TableName=name, **{key: properties[key] for key in wanted if key in properties})
    dynamodb.get_waiter("table_exists").wait(TableName=name)


def _queue(sqs: Any, names: _Names, logical_id: str, properties: Mapping[str, Any]) -> str:
    url: str = sqs.create_queue(QueueName=names.names[logical_id])["QueueUrl"]
    names.arns[logical_id] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    attributes = {key: str(properties[key]).lower() if isinstance(properties[key], bool) else str(properties[key])
                  for key in _QUEUE_ATTRIBUTES if key in properties}  # fmt: skip
    if "RedrivePolicy" in properties:
        attributes["RedrivePolicy"] = json.dumps(names.resolve(properties["RedrivePolicy"]))
    if attributes:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def _queue_policy(sqs: Any, queue_url: str, queue_arn: str, source_bucket: str) -> None:
    """Only the source bucket may send (the template's SourceQueuePolicy, with the local names)."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{source_bucket}"}},
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})


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


def provision(resources: Resources, template: Template | None = None, versioned: bool = False) -> dict[str, str]:
    """Create (or find) every resource as the template declares it; returns the environment of SPEC 4.2.

    `versioned`: version the buckets the template versions (see above for why not by default).
    """
    template = template if template is not None else read_template()
    s3, sqs = client("s3"), client("sqs")
    names = _Names(resources)
    source = _properties(template, "SourceBucket", "AWS::S3::Bucket")
    _bucket(s3, resources.source_bucket, source, versioned)
    _bucket(s3, resources.site_bucket, _properties(template, "SiteBucket", "AWS::S3::Bucket"), versioned)
    _table(client("dynamodb"), resources.index_table, _properties(template, "IndexTable", "AWS::DynamoDB::Table"))
    dlq_url = _queue(sqs, names, "DeadLetterQueue", _properties(template, "DeadLetterQueue", "AWS::SQS::Queue"))
    queue_url = _queue(sqs, names, "SourceQueue", _properties(template, "SourceQueue", "AWS::SQS::Queue"))
    _queue_policy(sqs, queue_url, names.arns["SourceQueue"], resources.source_bucket)
    s3.put_bucket_notification_configuration(
        Bucket=resources.source_bucket,
        NotificationConfiguration=notification_configuration(names.resolve(source)),
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
