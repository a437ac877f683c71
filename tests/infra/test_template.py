"""Offline checks of what `sam build && sam deploy` would ship: infra/template.yaml (as written and
after the SAM transform), its CloudFront Function run under node, the code layout the template
points at, the sample events in infra/events/, and the GitHub publish workflow.

Why: none of this runs under moto, and a mistake here (a dependency cycle, a permission too many
or too few, a handler path that does not exist) only shows up on a real deploy.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
import yaml
from cfnlint.api import ManualArgs, lint
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
TEMPLATE_PATH = INFRA / "template.yaml"
DIRECTORY_INDEX_JS = INFRA / "cloudfront" / "directory-index.js"
EVENTS = INFRA / "events"
WORKFLOW_PATH = REPO / ".github" / "workflows" / "publish.yml"

# A local CodeUri/ContentUri is for `sam build`; the transform wants an uploaded artifact.
PLACEHOLDER_ARTIFACT = "s3://placeholder-bucket/placeholder.zip"

Template = dict[str, Any]


class NoManagedPolicies:
    """Stands in for samtranslator's IAM-backed managed policy loader: the template names none."""

    def load(self) -> dict[str, str]:
        return {}


@pytest.fixture(scope="module")
def template_text() -> str:
    return TEMPLATE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sam_template(template_text: str) -> Template:
    parsed: Template = yaml_parse(template_text)
    return parsed


@pytest.fixture(scope="module")
def cfn_template(sam_template: Template) -> Template:
    """The template as CloudFormation receives it after the SAM transform."""
    uploadable = copy.deepcopy(sam_template)
    for resource in uploadable["Resources"].values():
        properties = resource.get("Properties", {})
        for artifact_property in ("CodeUri", "ContentUri"):
            if artifact_property in properties:
                properties[artifact_property] = PLACEHOLDER_ARTIFACT
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        transformed: Template = transform(uploadable, {}, NoManagedPolicies())
    return transformed


def resources_of_type(template: Template, resource_type: str) -> dict[str, Template]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def referenced_ids(value: Any) -> set[str]:
    """Logical ids an intrinsic-function value refers to: Ref, GetAtt and ${Id...} in a Sub."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= referenced_ids(item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            elif key == "Fn::Sub":
                text, variables = (inner, {}) if isinstance(inner, str) else (inner[0], inner[1])
                names = {name.split(".")[0] for name in re.findall(r"\$\{([^!}][^}]*)\}", text)}
                found |= (names - set(variables)) | referenced_ids(variables)
            else:
                found |= referenced_ids(inner)
    return {name for name in found if not name.startswith("AWS::")}


def branches(value: Any) -> list[Any]:
    """What a value may be on some deploy: both sides of an Fn::If (AWS::NoValue left out)."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        _, when_true, when_false = value["Fn::If"]
        return branches(when_true) + branches(when_false)
    return [] if value == {"Ref": "AWS::NoValue"} else [value]


def allow_statements(role: Template) -> Iterator[Template]:
    for conditional_policy in role["Properties"].get("Policies", []):
        for policy in branches(conditional_policy):
            for statement in as_list(policy["PolicyDocument"]["Statement"]):
                if statement["Effect"] == "Allow":
                    yield statement


class Deploy:
    """Evaluates a template's conditions and rules for a set of parameter values (the others at their
    defaults), as CloudFormation does on a deploy."""

    def __init__(self, template: Template, parameters: dict[str, str]) -> None:
        self.template = template
        declared = template.get("Parameters", {})
        unknown = set(parameters) - set(declared)
        assert not unknown, f"no such parameters: {unknown}"
        self.values = {name: str(p.get("Default", "")) for name, p in declared.items()} | parameters

    def value(self, node: Any) -> Any:
        if isinstance(node, dict) and set(node) == {"Ref"} and node["Ref"] in self.values:
            return self.values[node["Ref"]]
        if isinstance(node, list):
            return [self.value(item) for item in node]
        return node if isinstance(node, str | dict) else str(node)

    def holds(self, node: Any) -> bool:
        """A condition (by name) or a condition expression."""
        if isinstance(node, str):
            return self.holds(self.template["Conditions"][node])
        ((function, argument),) = node.items()
        if function == "Condition":
            return self.holds(argument)
        if function == "Fn::Not":
            return not self.holds(argument[0])
        if function == "Fn::And":
            return all(self.holds(a) for a in argument)
        if function == "Fn::Or":
            return any(self.holds(a) for a in argument)
        if function == "Fn::Equals":
            return bool(self.value(argument[0]) == self.value(argument[1]))
        if function == "Fn::Contains":
            return self.value(argument[1]) in self.value(argument[0])
        raise AssertionError(f"condition function not understood here: {function}")

    def resolve(self, node: Any) -> Any:
        """Fn::If decided, AWS::NoValue left out; anything else as it is."""
        if isinstance(node, list):
            return [r for r in map(self.resolve, node) if r is not _NO_VALUE]
        if isinstance(node, dict):
            if set(node) == {"Fn::If"}:
                name, when_true, when_false = node["Fn::If"]
                return self.resolve(when_true if self.holds(name) else when_false)
            if node == {"Ref": "AWS::NoValue"}:
                return _NO_VALUE
            return {k: r for k, r in ((k, self.resolve(v)) for k, v in node.items()) if r is not _NO_VALUE}
        return node

    def refusals(self) -> list[str]:
        """The AssertDescription of each rule assertion that fails: CloudFormation refuses the deploy."""
        refused = []
        for rule in self.template.get("Rules", {}).values():
            if "RuleCondition" in rule and not self.holds(rule["RuleCondition"]):
                continue
            refused += [a["AssertDescription"] for a in rule["Assertions"] if not self.holds(a["Assert"])]
        return refused


_NO_VALUE = object()


def deployed(template: Template, **parameters: str) -> Template:
    """The resources and outputs a deploy with these parameters creates, conditions applied."""
    deploy = Deploy(template, parameters)
    return {
        section: {
            name: deploy.resolve(entry)
            for name, entry in template.get(section, {}).items()
            if "Condition" not in entry or deploy.holds(entry["Condition"])
        }
        for section in ("Resources", "Outputs")
    }


def granted_actions_by_target(role: Template) -> dict[str, set[str]]:
    """For each resource the role's policies name, the actions allowed on it."""
    granted: dict[str, set[str]] = {}
    for statement in allow_statements(role):
        for target in referenced_ids(statement["Resource"]):
            granted.setdefault(target, set()).update(as_list(statement["Action"]))
    return granted


def lint_matches(template: str) -> list[str]:
    """cfn-lint errors and warnings (its default rule set) for a template given as text."""
    return [str(match) for match in lint(template, config=ManualArgs(regions=["us-east-1"]))]


# --- lint and transform


def test_template_as_written_lints_clean(template_text: str) -> None:
    assert lint_matches(template_text) == []


def test_transformed_template_lints_clean(cfn_template: Template) -> None:
    # cfn-lint skips dependency cycles through AWS::Serverless::* resources (FACTS.md): only the
    # transformed template shows them (E3004).
    assert lint_matches(json.dumps(cfn_template)) == []


# --- source: bucket -> queue


def test_queue_policy_admits_exactly_the_source_bucket(sam_template: Template) -> None:
    resources = sam_template["Resources"]
    bucket_name = resources["SourceBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    (statement,) = resources["SourceQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    source_arn = statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::Sub"]

    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert source_arn[0] == "arn:${AWS::Partition}:s3:::" + bucket_name[0]
    assert source_arn[1] == bucket_name[1]
    # Naming the bucket by reference instead would be the cycle bucket -> policy -> bucket.
    assert referenced_ids(statement) == {"SourceQueue"}


def test_source_bucket_sends_every_create_and_delete_to_the_queue(sam_template: Template) -> None:
    bucket = sam_template["Resources"]["SourceBucket"]
    notifications = bucket["Properties"]["NotificationConfiguration"]["QueueConfigurations"]

    assert {n["Event"] for n in notifications} == {"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}
    assert all(n["Queue"] == {"Fn::GetAtt": ["SourceQueue", "Arn"]} for n in notifications)
    assert all("Filter" not in n for n in notifications)
    assert bucket["DependsOn"] == "SourceQueuePolicy"
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}


def test_failing_changes_end_in_the_dead_letter_queue(sam_template: Template) -> None:
    resources = sam_template["Resources"]
    queue = resources["SourceQueue"]["Properties"]
    timeout = resources["PublisherFunction"]["Properties"]["Timeout"]

    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    assert queue["VisibilityTimeout"] >= 6 * timeout
    assert resources["DeadLetterQueue"]["Properties"]["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]


# --- the function


def test_function_runs_on_python_312_arm64_with_its_environment(sam_template: Template) -> None:
    function = sam_template["Resources"]["PublisherFunction"]["Properties"]
    variables = function["Environment"]["Variables"]

    assert function["Runtime"] == "python3.12"
    assert function["Architectures"] == ["arm64"]
    assert function["MemorySize"] == 1024
    assert variables["SITE_BUCKET"] == {"Ref": "SiteBucket"}
    assert variables["SOURCE_BUCKET"] == {"Ref": "SourceBucket"}
    assert variables["INDEX_TABLE"] == {"Ref": "IndexTable"}
    assert variables["DISTRIBUTION_ID"] == {"Ref": "SiteDistribution"}
    assert variables["POWERTOOLS_SERVICE_NAME"] == "pressroom"
    # Per stack, so that one stack's alarms never watch another's metrics.
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == {"Fn::Sub": "pressroom/${AWS::StackName}"}
    # The level is Lambda's (LoggingConfig), which Powertools follows: one setting, not two.
    assert "LOG_LEVEL" not in variables


def test_function_may_call_its_own_queue_and_bounds_the_chain_itself(sam_template: Template) -> None:
    from pressroom.engine.engine_settings import MAX_HOPS

    function = sam_template["Resources"]["PublisherFunction"]["Properties"]

    # Lambda's loop detection would drop a long rebuild's hand-on chain after ~16 hops.
    assert function["RecursiveLoop"] == "Allow"
    assert function["Environment"]["Variables"]["QUEUE_URL"] == {"Ref": "SourceQueue"}
    assert 16 < MAX_HOPS <= 1000


def test_queue_feeds_the_function_with_partial_batch_responses(cfn_template: Template) -> None:
    (mapping,) = resources_of_type(cfn_template, "AWS::Lambda::EventSourceMapping").values()
    properties = mapping["Properties"]

    assert properties["EventSourceArn"] == {"Fn::GetAtt": ["SourceQueue", "Arn"]}
    assert properties["FunctionName"] == {"Ref": "PublisherFunction"}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BatchSize"] > 1
    assert properties["MaximumBatchingWindowInSeconds"] > 0


def test_hourly_tick_invokes_the_function(cfn_template: Template) -> None:
    (schedule,) = resources_of_type(cfn_template, "AWS::Scheduler::Schedule").values()
    properties = schedule["Properties"]

    assert properties["ScheduleExpression"] == "rate(1 hour)"
    assert properties["Target"]["Arn"] == {"Fn::GetAtt": ["PublisherFunction", "Arn"]}
    assert json.loads(properties["Target"]["Input"]) == {"pressroom": "tick"}


def test_logs_are_kept_for_a_bounded_time(sam_template: Template) -> None:
    resources = sam_template["Resources"]
    logging = resources["PublisherFunction"]["Properties"]["LoggingConfig"]

    assert logging["LogGroup"] == {"Ref": "PublisherLogGroup"}
    assert logging["LogFormat"] == "JSON"
    assert logging["ApplicationLogLevel"] == {"Ref": "LogLevel"}
    assert logging["SystemLogLevel"] in {"INFO", "WARN"}
    assert sam_template["Parameters"]["LogLevel"]["Default"] == "INFO"
    assert resources["PublisherLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}


def _name(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def test_alarms_watch_dead_letters_and_function_errors(sam_template: Template) -> None:
    alarms = {
        (_name(alarm["Properties"]["Namespace"]), alarm["Properties"]["MetricName"]): alarm["Properties"]
        for alarm in resources_of_type(sam_template, "AWS::CloudWatch::Alarm").values()
    }
    dead_letters = alarms["AWS/SQS", "ApproximateNumberOfMessagesVisible"]
    errors = alarms["AWS/Lambda", "Errors"]
    namespace = {"Fn::Sub": "pressroom/${AWS::StackName}"}
    content_errors = alarms[json.dumps(namespace), "ContentErrors"]
    waiting = alarms["AWS/SQS", "ApproximateAgeOfOldestMessage"]
    variables = sam_template["Resources"]["PublisherFunction"]["Properties"]["Environment"]["Variables"]

    assert dead_letters["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}
    assert errors["Dimensions"][0]["Value"] == {"Ref": "PublisherFunction"}
    # The metric the handler emits (EMF through Powertools): its namespace and service dimension.
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == namespace
    assert content_errors["Dimensions"] == [{"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}]
    assert content_errors["Statistic"] == "Sum"
    for alarm in (dead_letters, errors, content_errors):
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    assert waiting["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["SourceQueue", "QueueName"]}
    # Past two failed attempts: a change that waits that long is one an author misses.
    visibility = sam_template["Resources"]["SourceQueue"]["Properties"]["VisibilityTimeout"]
    assert 2 * visibility <= waiting["Threshold"] <= 3600
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == {"Fn::If": ["HasAlarmEmail", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]}


def test_index_table_has_the_keys_and_index_the_code_queries(sam_template: Template) -> None:
    table = sam_template["Resources"]["IndexTable"]["Properties"]
    (index,) = table["GlobalSecondaryIndexes"]

    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]} == {
        "pk": "S",
        "sk": "S",
        "gsi1pk": "S",
        "gsi1sk": "S",
    }
    assert [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]] == [
        ("pk", "HASH"),
        ("sk", "RANGE"),
    ]
    assert index["IndexName"] == "gsi1"
    assert [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]] == [
        ("gsi1pk", "HASH"),
        ("gsi1sk", "RANGE"),
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}


# --- IAM


def test_publisher_role_grants_exactly_what_the_function_needs(cfn_template: Template) -> None:
    function = cfn_template["Resources"]["PublisherFunction"]["Properties"]
    role = cfn_template["Resources"]["PublisherRole"]

    assert function["Role"] == {"Fn::GetAtt": ["PublisherRole", "Arn"]}
    # A managed policy such as AWSLambdaBasicExecutionRole would grant logs:* on "*".
    assert "ManagedPolicyArns" not in role["Properties"]
    assert granted_actions_by_target(role) == {
        "SourceBucket": {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"},
        "SiteBucket": {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"},
        "IndexTable": {
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:ConditionCheckItem",
        },
        "SiteDistribution": {"cloudfront:CreateInvalidation"},
        "SourceQueue": {
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:SendMessage",
        },
        "PublisherLogGroup": {"logs:CreateLogStream", "logs:PutLogEvents"},
    }


def test_publisher_cannot_write_where_its_trigger_listens(cfn_template: Template) -> None:
    role = cfn_template["Resources"]["PublisherRole"]
    source_statements = [
        statement for statement in allow_statements(role) if "SourceBucket" in referenced_ids(statement["Resource"])
    ]

    assert source_statements
    for statement in source_statements:
        assert set(as_list(statement["Action"])) <= {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"}


def test_index_queries_may_use_the_secondary_index(cfn_template: Template) -> None:
    role = cfn_template["Resources"]["PublisherRole"]
    (statement,) = (s for s in allow_statements(role) if "dynamodb:Query" in s["Action"])

    assert {"Fn::Sub": "${IndexTable.Arn}/index/*"} in as_list(statement["Resource"])


def test_every_role_names_its_resources(cfn_template: Template) -> None:
    roles = resources_of_type(cfn_template, "AWS::IAM::Role")

    assert {"PublisherRole", "PublishRole"} <= set(roles)
    for logical_id, role in roles.items():
        for statement in allow_statements(role):
            if set(as_list(statement["Action"])) <= XRAY_SEND_ACTIONS:
                continue  # X-Ray's actions take no resource ARN: "*" is the only form IAM accepts
            for resource in as_list(statement["Resource"]):
                assert resource != "*", f"{logical_id}: {statement}"
                assert referenced_ids(resource), f"{logical_id} names no resource: {statement}"
            assert not any("*" in action for action in as_list(statement["Action"]))


def test_publish_role_lets_one_repository_branch_sync_the_source_bucket(
    cfn_template: Template,
) -> None:
    role = cfn_template["Resources"]["PublishRole"]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    claims = trust["Condition"]["StringEquals"]

    assert role["Condition"] == "HasGitHubRepo"
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert claims["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert claims["token.actions.githubusercontent.com:sub"] == {
        "Fn::Sub": "repo:${GitHubRepo}:ref:refs/heads/${GitHubBranch}"
    }
    assert granted_actions_by_target(role) == {
        # AbortMultipartUpload: `pressroom sync` sends files over 64 MiB in parts.
        "SourceBucket": {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}
    }


# --- operations: who hears of a failure, tracing, concurrency, access logs


XRAY_SEND_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
"""What Lambda calls with the function's role to send its trace segments (active tracing)."""


def test_a_deploy_without_alarm_email_says_that_alarms_mail_nobody(sam_template: Template) -> None:
    without = deployed(sam_template)
    with_email = deployed(sam_template, AlarmEmail="me@example.com")
    alarms = resources_of_type(with_email, "AWS::CloudWatch::Alarm")

    # The guided deploy still passes it by: the parameter stays optional...
    assert sam_template["Parameters"]["AlarmEmail"]["Default"] == ""
    assert "AlarmTopic" not in without["Resources"]
    # ... and then the deploy's outputs say what that means and what to do.
    warning = without["Outputs"]["AlarmsNotifyNobody"]["Value"]
    assert "nobody" in warning
    assert "AlarmEmail=" in warning
    assert "AlarmsNotifyNobody" not in with_email["Outputs"]
    assert with_email["Resources"]["AlarmTopic"]["Properties"]["Subscription"] == [
        {"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}
    ]
    assert all(alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}] for alarm in alarms.values())
    assert all(
        "AlarmActions" not in alarm["Properties"]
        for alarm in resources_of_type(without, "AWS::CloudWatch::Alarm").values()
    )


def test_tracing_is_a_parameter_and_the_role_may_send_the_traces(
    sam_template: Template, cfn_template: Template
) -> None:
    assert sam_template["Parameters"]["Tracing"]["Default"] == "Active"
    for tracing, granted in (("Active", XRAY_SEND_ACTIONS), ("PassThrough", set())):
        resources = deployed(cfn_template, Tracing=tracing)["Resources"]
        role_actions = {
            action
            for statement in allow_statements(resources["PublisherRole"])
            for action in as_list(statement["Action"])
        }

        assert resources["PublisherFunction"]["Properties"]["TracingConfig"] == {"Mode": {"Ref": "Tracing"}}
        # Lambda refuses active tracing for a role that cannot send the segments.
        assert {action for action in role_actions if action.startswith("xray:")} == granted, tracing


def test_tracing_needs_no_sdk_in_the_function(function_layout: tuple[Path, str]) -> None:
    handler_file, _ = function_layout

    # Lambda records the invocation's own segments; Powertools' Tracer would add aws-xray-sdk and
    # about 300 ms to every cold start (FACTS.md).
    imported = third_party_imports_of_handler(handler_file, (handler_file.parent, REPO / "shared"))
    assert "aws_xray_sdk" not in imported


def test_reserved_concurrency_leaves_a_slot_for_every_queue_poller(
    sam_template: Template, cfn_template: Template
) -> None:
    source_changes = sam_template["Resources"]["PublisherFunction"]["Properties"]["Events"]["SourceChanges"]
    pollers = source_changes["Properties"]["ScalingConfig"]["MaximumConcurrency"]
    default = sam_template["Parameters"]["ReservedConcurrency"]["Default"]
    function = deployed(cfn_template)["Resources"]["PublisherFunction"]["Properties"]
    unreserved = deployed(cfn_template, ReservedConcurrency="0")["Resources"]["PublisherFunction"]["Properties"]

    # Fewer than the trigger's pollers and Lambda throttles them: changes end in the dead-letter
    # queue. One more for the hourly tick, so that it never waits for a poller.
    assert function["ReservedConcurrentExecutions"] == {"Ref": "ReservedConcurrency"}
    assert default == pollers + 1
    # 0 reserves nothing: an account at Lambda's default quota (10) cannot reserve any.
    assert "ReservedConcurrentExecutions" not in unreserved
    refused = {n: Deploy(sam_template, {"ReservedConcurrency": str(n)}).refusals() for n in range(pollers + 2)}
    assert [n for n, refusals in refused.items() if refusals] == list(range(1, pollers))


def test_access_logs_are_optional_and_expire(sam_template: Template) -> None:
    default = deployed(sam_template)["Resources"]
    with_cloudfront = deployed(sam_template, CloudFrontAccessLogs="true")["Resources"]
    cloudfront_only = deployed(sam_template, BucketAccessLogs="false", CloudFrontAccessLogs="true")["Resources"]
    none = deployed(sam_template, BucketAccessLogs="false", CloudFrontAccessLogs="false")["Resources"]

    # By default both buckets log their requests; CloudFront logs only when asked (readers' IPs).
    for bucket, prefix in (("SourceBucket", "s3/source/"), ("SiteBucket", "s3/site/")):
        assert default[bucket]["Properties"]["LoggingConfiguration"] == {
            "DestinationBucketName": {"Ref": "AccessLogBucket"},
            "LogFilePrefix": prefix,
        }
        assert "LoggingConfiguration" not in none[bucket]["Properties"]
        assert "LoggingConfiguration" not in cloudfront_only[bucket]["Properties"]
    assert "Logging" not in default["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert with_cloudfront["SiteDistribution"]["Properties"]["DistributionConfig"]["Logging"] == {
        "Bucket": {"Fn::GetAtt": ["AccessLogBucket", "DomainName"]},
        "Prefix": "cloudfront/",
        "IncludeCookies": False,
    }
    # CloudFront's standard logging to S3 writes through an ACL: the bucket keeps ACLs only then.
    (ownership,) = default["AccessLogBucket"]["Properties"]["OwnershipControls"]["Rules"]
    (ownership_for_cloudfront,) = with_cloudfront["AccessLogBucket"]["Properties"]["OwnershipControls"]["Rules"]
    assert ownership == {"ObjectOwnership": "BucketOwnerEnforced"}
    assert ownership_for_cloudfront == {"ObjectOwnership": "BucketOwnerPreferred"}
    assert "AccessLogBucket" not in none
    assert "AccessLogBucketPolicy" not in none
    for resources in (default, cloudfront_only):
        log_bucket = resources["AccessLogBucket"]
        (expiry,) = log_bucket["Properties"]["LifecycleConfiguration"]["Rules"]
        assert expiry["Status"] == "Enabled"
        assert expiry["ExpirationInDays"] == {"Ref": "AccessLogRetentionInDays"}
        assert log_bucket["Properties"]["PublicAccessBlockConfiguration"] == dict.fromkeys(
            ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"], True
        )
        # Kept when the stack goes (the lifecycle rule still empties it), as evidence.
        assert log_bucket["DeletionPolicy"] == "Retain"


def test_only_the_stacks_buckets_may_write_server_access_logs(sam_template: Template) -> None:
    def allows(resources: Template) -> list[Template]:
        statements = resources["AccessLogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        return [statement for statement in statements if statement["Effect"] == "Allow"]

    (allow,) = allows(deployed(sam_template)["Resources"])
    source_bucket_name = sam_template["Resources"]["SourceBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    source_arns = allow["Condition"]["ArnLike"]["aws:SourceArn"]

    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Resource"] == {"Fn::Sub": "${AccessLogBucket.Arn}/s3/*"}
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert {"Fn::GetAtt": ["SiteBucket", "Arn"]} in source_arns
    assert {"Fn::Sub": ["arn:${AWS::Partition}:s3:::" + source_bucket_name[0], source_bucket_name[1]]} in source_arns
    assert allows(deployed(sam_template, BucketAccessLogs="false", CloudFrontAccessLogs="true")["Resources"]) == []


# --- site: bucket -> CDN


def test_site_bucket_is_private_and_read_only_by_the_distribution(sam_template: Template) -> None:
    resources = sam_template["Resources"]
    block = resources["SiteBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    statements = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]

    assert block == dict.fromkeys(
        ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"],
        True,
    )
    assert {s["Action"] for s in allows} == {"s3:GetObject", "s3:ListBucket"}
    for statement in allows:
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        source_arn = statement["Condition"]["StringEquals"]["AWS:SourceArn"]
        assert referenced_ids(source_arn) == {"SiteDistribution"}


def test_distribution_serves_the_site_bucket_over_https(sam_template: Template) -> None:
    config = sam_template["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    behavior = config["DefaultCacheBehavior"]
    (association,) = behavior["FunctionAssociations"]

    assert origin["DomainName"] == {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["Compress"] is True
    assert behavior["CachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"  # CachingOptimized
    assert association == {
        "EventType": "viewer-request",
        "FunctionARN": {"Fn::GetAtt": ["DirectoryIndexFunction", "FunctionARN"]},
    }
    assert {
        "ErrorCode": 404,
        "ResponseCode": 404,
        "ResponsePagePath": "/404.html",
        "ErrorCachingMinTTL": 60,
    } in config["CustomErrorResponses"]


def test_template_deploys_the_directory_index_function_file(sam_template: Template) -> None:
    function = sam_template["Resources"]["DirectoryIndexFunction"]["Properties"]

    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["FunctionCode"] == DIRECTORY_INDEX_JS.read_text(encoding="utf-8")


NODE_HARNESS = """
const code = require('fs').readFileSync(process.argv[1], 'utf8');
const handler = new Function(code + '\\nreturn handler;')();
const requests = JSON.parse(process.argv[2]);
Promise.all(requests.map((request) => handler({
  version: '1.0',
  context: { eventType: 'viewer-request' },
  viewer: { ip: '198.51.100.7' },
  request: Object.assign({ method: 'GET', headers: {}, cookies: {}, querystring: {} }, request),
}))).then((results) => process.stdout.write(JSON.stringify(results)));
"""


def run_viewer_request(function_code: str, requests: list[Template], tmp: Path) -> list[Template]:
    """Runs the CloudFront Function on each request under node; returns what it returned."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run infra/cloudfront/directory-index.js; install Node.js")
    code_path = tmp / "function.js"
    code_path.write_text(function_code, encoding="utf-8")
    completed = subprocess.run(
        [node, "-e", NODE_HARNESS, str(code_path), json.dumps(requests)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results: list[Template] = json.loads(completed.stdout)
    return results


@pytest.fixture(scope="module")
def deployed_function_code(sam_template: Template) -> str:
    code: str = sam_template["Resources"]["DirectoryIndexFunction"]["Properties"]["FunctionCode"]
    return code


REWRITES = {
    "/": "/index.html",
    "/posts/x/": "/posts/x/index.html",
    "/posts/x.y/": "/posts/x.y/index.html",
    "/index.xml": "/index.xml",
    "/img/a.png": "/img/a.png",
    "/posts/x/cover.webp": "/posts/x/cover.webp",
    "/img/A.PNG": "/img/A.PNG",
    "/posts/v1.2/notes.pdf": "/posts/v1.2/notes.pdf",
}


def test_directory_paths_are_served_from_their_index_and_files_pass(
    deployed_function_code: str, tmp_path: Path
) -> None:
    results = run_viewer_request(deployed_function_code, [{"uri": uri} for uri in REWRITES], tmp_path)

    assert {uri: result.get("uri") for uri, result in zip(REWRITES, results, strict=True)} == (REWRITES)


def test_directory_without_slash_redirects_to_its_canonical_url(deployed_function_code: str, tmp_path: Path) -> None:
    # Rewriting /posts/x to /posts/x/index.html would serve the page under a second URL where
    # its relative links (a bundle's images) resolve against /posts/: redirect, as S3 and Hugo do.
    requests: list[Template] = [
        {"uri": "/posts/x"},
        {"uri": "/tags/core-beliefs"},
        {"uri": "/posts/x", "querystring": {"utm_source": {"value": "feed"}}},
        {
            "uri": "/posts/x",
            "querystring": {"a": {"value": "1", "multiValue": [{"value": "1"}, {"value": "2"}]}},
        },
    ]
    results = run_viewer_request(deployed_function_code, requests, tmp_path)

    assert [(r["statusCode"], r["headers"]["location"]["value"]) for r in results] == [
        (301, "/posts/x/"),
        (301, "/tags/core-beliefs/"),
        (301, "/posts/x/?utm_source=feed"),
        (301, "/posts/x/?a=1&a=2"),
    ]


def test_a_page_path_with_a_dot_redirects_like_any_page(deployed_function_code: str, tmp_path: Path) -> None:
    # urlize keeps dots, so `posts/v1.2-release.md` is published at /posts/v1.2-release/: a dot
    # alone does not make a file (S3 would answer 404 for the object `posts/v1.2-release`).
    # (A page path ending in a known extension, `/tags/node.js`, still reads as a file: only its
    # `/tags/node.js/` form, which the site links to, finds the page.)
    uris = ["/posts/v1.2-release", "/posts/v2.0.1", "/posts/release-1.0", "/about.me"]
    results = run_viewer_request(deployed_function_code, [{"uri": uri} for uri in uris], tmp_path)

    assert [(r.get("statusCode"), r["headers"]["location"]["value"]) for r in results] == [
        (301, uri + "/") for uri in uris
    ]


HOSTILE_URIS = [
    "//evil.example",
    "/\\evil.example",
    "/\\\\evil.example",
    "///evil.example/x",
    "/\\/evil.example",
    "//evil.example/posts/x",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "/.//evil.example",
    "/./\\evil.example",
    "/../\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n//evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/%09/evil.example",
    "/@evil.example",
    "/\\@evil.example",
    "evil.example",
    "https://evil.example/x",
    "//evil.example\\x",
    "/\\",
    "/%2F",
    "",
]
"""Request paths an attacker links to, hoping that the directory redirect sends a reader elsewhere:
slashes and what browsers read as slashes (`\\`; tabs and newlines, which they drop anywhere in a
URL), raw or percent-encoded, and paths without a leading slash."""

URL_RESOLVER = """
const [base, locations] = [process.argv[1], JSON.parse(process.argv[2])];
process.stdout.write(JSON.stringify(locations.map((location) => {
  try { const url = new URL(location, base); return [url.host, url.pathname + url.search]; }
  catch (error) { return [null, String(error)]; }
})));
"""


def browser_targets(locations: list[str], base: str) -> list[tuple[str | None, str]]:
    """Where a browser goes for each Location header on a page at `base` (WHATWG URL, as node has it)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to resolve Location headers as browsers do; install Node.js")
    completed = subprocess.run(
        [node, "-e", URL_RESOLVER, base, json.dumps(locations)], capture_output=True, text=True, check=True, timeout=60
    )
    return [(host, target) for host, target in json.loads(completed.stdout)]


def test_the_directory_redirect_never_leaves_the_site(deployed_function_code: str, tmp_path: Path) -> None:
    # `//evil.example/` in a Location is another host (protocol-relative), and so is `/\evil.example/`
    # to a browser: a link to the site must never bounce a reader to a page the attacker chose.
    requests: list[Template] = [{"uri": uri} for uri in HOSTILE_URIS]
    requests.append({"uri": "//evil.example", "querystring": {"a": {"value": "1\r\nSet-Cookie: x=1"}}})
    results = run_viewer_request(deployed_function_code, requests, tmp_path)
    redirects = {
        json.dumps(request): result["headers"]["location"]["value"]
        for request, result in zip(requests, results, strict=True)
        if "statusCode" in result
    }

    # One `/`, then anything but a slash or a backslash: a path on this host, whatever reads it.
    off_path = {
        request: location
        for request, location in redirects.items()
        if not re.fullmatch(r"/([^/\\].*)?", location, re.S)
    }
    assert off_path == {}
    # No raw control characters or spaces: browsers drop tabs and newlines (`/\t/x` is `//x` to
    # them), and a raw CR or LF would end the header.
    raw = {request: location for request, location in redirects.items() if re.search(r"[\x00-\x20\x7f]", location)}
    assert raw == {}
    targets = browser_targets(list(redirects.values()), "https://blog.example/posts/x")
    assert {request for request, (host, _) in zip(redirects, targets, strict=True) if host != "blog.example"} == set()
    # Every hostile path was redirected (so the checks above saw it), none slipped through.
    assert len(redirects) == len(requests)


def test_the_directory_redirect_collapses_leading_slashes_and_keeps_the_rest(
    deployed_function_code: str, tmp_path: Path
) -> None:
    requests: list[Template] = [
        {"uri": "//posts/x", "querystring": {"utm_source": {"value": "feed"}}},
        {"uri": "/\\posts/x"},
        {"uri": "/%2F%2Fevil.example"},
        {"uri": "/\\"},
    ]
    results = run_viewer_request(deployed_function_code, requests, tmp_path)

    assert [(r["statusCode"], r["headers"]["location"]["value"]) for r in results] == [
        (301, "/posts/x/?utm_source=feed"),
        (301, "/posts/x/"),
        (301, "/evil.example/"),
        (301, "/"),
    ]


def test_the_function_knows_every_file_type_pressroom_publishes(deployed_function_code: str) -> None:
    from pressroom.core.rendering.mime import _BY_SUFFIX

    match = re.search(r"var FILE_EXTENSIONS = \(([^)]*)\)\.split\(' '\);", deployed_function_code)
    assert match is not None
    listed = "".join(re.findall(r"'([^']*)'", match.group(1))).split(" ")

    # A published file whose type the function does not know would be redirected as a page.
    assert sorted(listed) == sorted(suffix.removeprefix(".") for suffix in _BY_SUFFIX)


# --- code layout


def python_module_file(source_roots: tuple[Path, ...], dotted: str) -> Path | None:
    """The file that defines module `dotted` in one of the roots, if it is a file of the repo."""
    for root in source_roots:
        base = root.joinpath(*dotted.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in {
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    }


def imported_modules(path: Path, source_root: Path) -> set[str]:
    """Absolute names of the modules a file imports at run time (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = list(path.relative_to(source_root).parent.parts)
    names: set[str] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package[: len(package) - node.level + 1] if node.level else []
            stem = ".".join([*parts, *(node.module.split(".") if node.module else [])])
            names.add(stem)
            names.update(f"{stem}.{alias.name}" for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return {name for name in names if name}


def third_party_imports_of_handler(handler_file: Path, source_roots: tuple[Path, ...]) -> set[str]:
    """Top-level third-party modules the handler imports, directly or through pressroom."""
    seen: set[Path] = set()
    pending = [handler_file]
    third_party: set[str] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        source_root = next(root for root in source_roots if path.is_relative_to(root))
        for name in imported_modules(path, source_root):
            parts = name.split(".")
            # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
            prefixes = (".".join(parts[:end]) for end in range(1, len(parts) + 1))
            module_files = [python_module_file(source_roots, prefix) for prefix in prefixes]
            pending.extend(module_file for module_file in module_files if module_file)
            if not any(module_files) and parts[0] not in sys.stdlib_module_names:
                third_party.add(parts[0])
    return third_party


def shipped_distributions(requirements: list[Requirement]) -> set[str]:
    """The layer's requirements and everything they pull in (extras not followed)."""
    shipped: set[str] = set()
    pending = [requirement.name for requirement in requirements]
    while pending:
        name = canonicalize_name(pending.pop())
        if name in shipped:
            continue
        shipped.add(name)
        try:
            dependencies = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:  # not installed here: a leaf
            dependencies = []
        for line in dependencies:
            requirement = Requirement(line)
            if requirement.marker is None or "extra" not in str(requirement.marker):
                pending.append(requirement.name)
    return shipped


@pytest.fixture(scope="module")
def function_layout(sam_template: Template) -> tuple[Path, str]:
    """The handler's module file and function name, as sam build and Lambda resolve them."""
    function = sam_template["Resources"]["PublisherFunction"]["Properties"]
    module, _, handler_name = function["Handler"].rpartition(".")
    code_dir = (INFRA / function["CodeUri"]).resolve()
    handler_file = (code_dir / module.replace(".", "/")).with_suffix(".py")
    if not handler_file.is_file():
        pytest.fail(f"the template's handler {function['Handler']} has no file {handler_file}")
    return handler_file, handler_name


@pytest.fixture(scope="module")
def layer_requirements(sam_template: Template) -> list[Requirement]:
    layer = sam_template["Resources"]["DependenciesLayer"]["Properties"]
    lines = (INFRA / layer["ContentUri"] / "requirements.txt").read_text(encoding="utf-8")
    return [Requirement(line) for line in lines.splitlines() if line and not line.startswith("#")]


def top_level_names(path: Path) -> set[str]:
    """Names a module defines at its top level: functions, classes, assigned and imported names."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def test_handler_is_the_publisher_function_module(function_layout: tuple[Path, str]) -> None:
    handler_file, handler_name = function_layout

    assert handler_file == REPO / "functions" / "publisher" / "app.py"
    assert handler_name in top_level_names(handler_file)


def test_layers_ship_pressroom_and_its_declared_dependencies(
    sam_template: Template, layer_requirements: list[Requirement]
) -> None:
    resources = sam_template["Resources"]
    function = resources["PublisherFunction"]["Properties"]
    pressroom_layer = resources["PressroomLayer"]
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]

    assert function["Layers"] == [{"Ref": "DependenciesLayer"}, {"Ref": "PressroomLayer"}]
    # sam build copies ContentUri into python/, so the package lands at /opt/python/pressroom.
    assert (INFRA / pressroom_layer["Properties"]["ContentUri"] / "pressroom" / "__init__.py").is_file()
    for layer in ("DependenciesLayer", "PressroomLayer"):
        assert resources[layer]["Metadata"] == {
            "BuildMethod": function["Runtime"],
            "BuildArchitecture": function["Architectures"][0],
        }
    assert {str(Requirement(line)) for line in declared} <= {str(r) for r in layer_requirements}


def test_everything_the_handler_imports_is_shipped(
    function_layout: tuple[Path, str], layer_requirements: list[Requirement]
) -> None:
    handler_file, _ = function_layout
    top_level_to_distributions = importlib.metadata.packages_distributions()
    needed = {
        canonicalize_name(distribution): module
        for module in third_party_imports_of_handler(handler_file, (handler_file.parent, REPO / "shared"))
        for distribution in top_level_to_distributions.get(module, [module])
    }

    shipped = shipped_distributions(layer_requirements)

    unshipped = {d: m for d, m in needed.items() if d not in shipped}
    assert unshipped == {}, "add these to infra/layers/dependencies/requirements.txt"


# --- sample events


def load_event(name: str) -> Template:
    event: Template = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return event


@pytest.mark.parametrize(
    ("name", "event_name", "key"),
    [
        ("s3-put.json", "ObjectCreated:Put", "posts/hello-world.md"),
        ("s3-delete.json", "ObjectRemoved:Delete", "posts/hello-world.md"),
    ],
)
def test_s3_events_name_one_source_change(name: str, event_name: str, key: str) -> None:
    (record,) = load_event(name)["Records"]

    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == event_name
    assert unquote_plus(record["s3"]["object"]["key"]) == key
    assert record["s3"]["bucket"]["arn"] == "arn:aws:s3:::" + record["s3"]["bucket"]["name"]


def test_sqs_event_carries_an_s3_notification_with_an_encoded_key() -> None:
    (message,) = load_event("sqs-put.json")["Records"]
    (record,) = json.loads(message["body"])["Records"]

    assert message["eventSource"] == "aws:sqs"
    assert message["md5OfBody"] == hashlib.md5(message["body"].encode()).hexdigest()
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["object"]["key"] == "posts%2Fmy+post.md"
    assert unquote_plus(record["s3"]["object"]["key"]) == "posts/my post.md"


# --- publish workflow


def sync_step_arguments(run: str, max_deletes: str) -> list[str]:
    """What the workflow's sync step passes to `pressroom`, its script run by bash as Actions runs
    it, with the repository variable filled in and the dispatch input in MAX_DELETES."""
    script = 'pressroom() { printf "%s\\0" "$@"; }\n' + run.replace("${{ vars.SOURCE_BUCKET }}", "bucket")
    completed = subprocess.run(
        ["bash", "-e", "-c", script],
        env={"PATH": os.environ["PATH"], "MAX_DELETES": max_deletes},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return completed.stdout.split("\0")[:-1]


def test_publish_workflow_checks_content_before_syncing_it() -> None:
    workflow = yaml.safe_load(WORKFLOW_PATH.read_text(encoding="utf-8"))
    trigger = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    (job,) = workflow["jobs"].values()
    runs = [step.get("run", "") for step in job["steps"]]
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    check = next(i for i, run in enumerate(runs) if run.startswith("pressroom check content/"))
    sync = next(i for i, run in enumerate(runs) if run.startswith("pressroom sync content/"))
    credentials = uses.index("aws-actions/configure-aws-credentials")

    assert trigger["push"] == {"branches": ["main"], "paths": ["content/**"]}
    assert workflow["permissions"] == {"id-token": "write", "contents": "read"}
    assert uses.index("actions/checkout") < runs.index("pip install .") < check
    assert check < credentials < sync
    assert job["steps"][credentials]["with"]["role-to-assume"] == "${{ vars.PUBLISH_ROLE_ARN }}"
    assert runs[sync].startswith('pressroom sync content/ "s3://${{ vars.SOURCE_BUCKET }}" --delete')


def test_a_manual_publish_may_allow_a_large_deletion() -> None:
    # `pressroom sync --delete` refuses to delete every object under the prefix or more than half
    # of them unless --max-deletes allows that many: a run started by hand may pass it, a push never.
    workflow = yaml.safe_load(WORKFLOW_PATH.read_text(encoding="utf-8"))
    trigger = workflow.get("on", workflow.get(True))
    (job,) = workflow["jobs"].values()
    (sync,) = (step for step in job["steps"] if step.get("run", "").startswith("pressroom sync "))
    max_deletes = trigger["workflow_dispatch"]["inputs"]["max_deletes"]
    usual = ["sync", "content/", "s3://bucket", "--delete"]

    assert max_deletes["required"] is False
    assert max_deletes["default"] == ""
    # Through the environment, never pasted into the script: an input is text anyone who may
    # dispatch the workflow chooses.
    assert sync["env"] == {"MAX_DELETES": "${{ inputs.max_deletes }}"}
    assert "inputs." not in sync["run"]
    assert sync_step_arguments(sync["run"], "") == usual
    assert sync_step_arguments(sync["run"], "40") == [*usual, "--max-deletes", "40"]
    assert sync_step_arguments(sync["run"], "40 $(touch x); y") == [*usual, "--max-deletes", "40 $(touch x); y"]


# --- the local resources are the template's


@pytest.fixture
def provisioned() -> Iterator[dict[str, str]]:
    from moto import mock_aws

    from pressroom.shells.provision import provision
    from pressroom.shells.runtime import Resources

    with mock_aws():
        yield provision(Resources.from_env())


def test_provision_makes_the_buckets_queues_and_table_the_template_deploys(
    cfn_template: Template, provisioned: dict[str, str]
) -> None:
    from pressroom.shells.runtime import client

    resources = cfn_template["Resources"]
    s3, sqs, dynamodb = client("s3"), client("sqs"), client("dynamodb")
    names = provisioned

    # Versioning is the one difference, on purpose: moto sends no event for a delete marker.
    assert resources["SourceBucket"]["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "VersioningConfiguration" not in resources["SiteBucket"]["Properties"]
    assert s3.get_bucket_versioning(Bucket=names["SOURCE_BUCKET"]).get("Status") is None

    queue_arn = sqs.get_queue_attributes(QueueUrl=names["QUEUE_URL"], AttributeNames=["QueueArn"])["Attributes"]
    notifications = s3.get_bucket_notification_configuration(Bucket=names["SOURCE_BUCKET"])["QueueConfigurations"]
    declared = resources["SourceBucket"]["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert sorted(
        (event, n["QueueArn"], json.dumps(n.get("Filter", {}).get("Key", {}).get("FilterRules", [])))
        for n in notifications
        for event in n["Events"]
    ) == sorted(
        (d["Event"], queue_arn["QueueArn"], json.dumps(d.get("Filter", {}).get("S3Key", {}).get("Rules", [])))
        for d in declared
    )

    dlq_arn = sqs.get_queue_attributes(QueueUrl=names["DLQ_URL"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for logical_id, url in (("SourceQueue", names["QUEUE_URL"]), ("DeadLetterQueue", names["DLQ_URL"])):
        declared_queue = resources[logical_id]["Properties"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for key in ("VisibilityTimeout", "MessageRetentionPeriod"):
            if key in declared_queue:
                assert attributes[key] == str(declared_queue[key]), (logical_id, key)
        if "RedrivePolicy" in declared_queue:
            redrive = json.loads(attributes["RedrivePolicy"])
            assert redrive == {
                "deadLetterTargetArn": dlq_arn,
                "maxReceiveCount": declared_queue["RedrivePolicy"]["maxReceiveCount"],
            }
            assert declared_queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}

    table = dynamodb.describe_table(TableName=names["INDEX_TABLE"])["Table"]
    declared_table = resources["IndexTable"]["Properties"]
    assert sorted(map(json.dumps, table["AttributeDefinitions"])) == sorted(
        map(json.dumps, declared_table["AttributeDefinitions"])
    )
    assert table["KeySchema"] == declared_table["KeySchema"]
    assert table["BillingModeSummary"]["BillingMode"] == declared_table["BillingMode"]
    assert [(i["IndexName"], i["KeySchema"], i["Projection"]) for i in table["GlobalSecondaryIndexes"]] == [
        (i["IndexName"], i["KeySchema"], i["Projection"]) for i in declared_table["GlobalSecondaryIndexes"]
    ]


SHORT_FORM_TAGS = """
Conditions:
  A: !Equals [!Ref P, ""]
  B: !Or [!Condition A, !And [!Not [!Condition A], !Equals [x, y]]]
Rules:
  R:
    Assertions:
      - Assert: !Not [!Contains [["1", "2"], !Ref P]]
      - Assert: !EachMemberIn [!ValueOfAll ["AWS::EC2::Subnet::Id", VpcId], !RefAll "AWS::EC2::VPC::Id"]
      - Assert: !EachMemberEquals [!ValueOf [P, Tag], x]
Resources:
  X:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Join ["-", [!Select [0, !GetAZs ""], !ImportValue other, !Sub "${AWS::Region}"]]
      Tags:
        - Key: !FindInMap [M, K, V]
          Value: !Base64 {"Fn::GetAtt": [Y, Arn]}
        - Key: !If [A, !Cidr ["10.0.0.0/16", 2, 8], !Split [",", "a,b"]]
          Value: !ToJsonString {a: 1}
"""


def test_provision_reads_every_short_form_tag_cloudformation_has(tmp_path: Path) -> None:
    # In a fresh interpreter: samtranslator, which these tests import, teaches every SafeLoader
    # any `!` tag when imported, and would hide a tag that provision does not know.
    path = tmp_path / "template.yaml"
    path.write_text(SHORT_FORM_TAGS, encoding="utf-8")
    read = "import json, sys; from pressroom.shells.provision import read_template as r; print(json.dumps(r()))"
    completed = subprocess.run(
        [sys.executable, "-c", read],
        env={**os.environ, "PRESSROOM_TEMPLATE": str(path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    template = json.loads(completed.stdout)

    assert template["Conditions"]["A"] == {"Fn::Equals": [{"Ref": "P"}, ""]}
    assert template["Rules"]["R"]["Assertions"][0]["Assert"] == {
        "Fn::Not": [{"Fn::Contains": [["1", "2"], {"Ref": "P"}]}]
    }
    assert template["Resources"]["X"]["Properties"]["Tags"][1]["Key"]["Fn::If"][0] == "A"


def test_provision_follows_a_change_to_the_template(tmp_path: Path) -> None:
    from moto import mock_aws

    from pressroom.shells.provision import provision, read_template
    from pressroom.shells.runtime import Resources, client

    changed = TEMPLATE_PATH.read_text(encoding="utf-8").replace("maxReceiveCount: 5", "maxReceiveCount: 3")
    changed = changed.replace(
        "          - Event: s3:ObjectRemoved:*\n",
        "          - Event: s3:ObjectRemoved:*\n            Filter:\n              S3Key:\n"
        "                Rules:\n                  - Name: prefix\n                    Value: posts/\n",
    )
    path = tmp_path / "template.yaml"
    path.write_text(changed, encoding="utf-8")
    with mock_aws():
        names = provision(Resources.from_env(), read_template(path), versioned=True)
        sqs, s3 = client("sqs"), client("s3")
        assert s3.get_bucket_versioning(Bucket=names["SOURCE_BUCKET"])["Status"] == "Enabled"
        assert s3.get_bucket_versioning(Bucket=names["SITE_BUCKET"]).get("Status") is None
        redrive = sqs.get_queue_attributes(QueueUrl=names["QUEUE_URL"], AttributeNames=["RedrivePolicy"])
        notifications = s3.get_bucket_notification_configuration(Bucket=names["SOURCE_BUCKET"])

    assert json.loads(redrive["Attributes"]["RedrivePolicy"])["maxReceiveCount"] == 3
    removed = [n for n in notifications["QueueConfigurations"] if n["Events"] == ["s3:ObjectRemoved:*"]]
    assert [(r["Name"].lower(), r["Value"]) for r in removed[0]["Filter"]["Key"]["FilterRules"]] == [
        ("prefix", "posts/")
    ]


# --- IAM: what the code calls is what the role grants


ESM_ACTIONS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
"""What Lambda's SQS event source mapping calls with the function's role (the worker plays it here)."""
RUNTIME_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
"""What the Lambda runtime calls with it to write the function's logs."""
_BATCHES = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage"}
_BATCHES["ChangeMessageVisibilityBatch"] = "ChangeMessageVisibility"
_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}


def iam_actions(service: str, operation: str, params: dict[str, Any]) -> set[str]:
    """The IAM actions one API call needs (the service authorization reference's mapping)."""
    if service == "s3":
        versioned = "VersionId" in params
        by_operation = {
            "GetObject": "s3:GetObjectVersion" if versioned else "s3:GetObject",
            "HeadObject": "s3:GetObjectVersion" if versioned else "s3:GetObject",
            "ListObjectsV2": "s3:ListBucket",
            "ListObjects": "s3:ListBucket",
            "ListObjectVersions": "s3:ListBucketVersions",
            "PutObject": "s3:PutObject",
            "CreateMultipartUpload": "s3:PutObject",
            "UploadPart": "s3:PutObject",
            "CompleteMultipartUpload": "s3:PutObject",
            "AbortMultipartUpload": "s3:AbortMultipartUpload",
            "DeleteObject": "s3:DeleteObjectVersion" if versioned else "s3:DeleteObject",
            "DeleteObjects": "s3:DeleteObject",
        }
        return {by_operation[operation]}
    if service == "dynamodb" and operation == "TransactWriteItems":
        return {f"dynamodb:{_TRANSACT[kind]}" for item in params["TransactItems"] for kind in item}
    if service == "dynamodb" and operation == "TransactGetItems":
        return {"dynamodb:GetItem"}
    return {f"{service}:{_BATCHES.get(operation, operation)}"}


def call_targets(service: str, params: dict[str, Any], names: dict[str, str]) -> set[str]:
    """The template resources (logical ids) one call acts on."""
    logical = {
        names["SOURCE_BUCKET"]: "SourceBucket",
        names["SITE_BUCKET"]: "SiteBucket",
        names["INDEX_TABLE"]: "IndexTable",
        names["QUEUE_URL"]: "SourceQueue",
        names["DLQ_URL"]: "DeadLetterQueue",
        names["DISTRIBUTION_ID"]: "SiteDistribution",
    }
    named = [params.get(k) for k in ("Bucket", "TableName", "QueueUrl", "DistributionId") if params.get(k)]
    named += list(params.get("RequestItems", {}))
    for item in params.get("TransactItems", []):
        named += [operation["TableName"] for operation in item.values()]
    return {logical.get(name, f"unknown:{name}") for name in named}


class CallRecorder:
    """Every API call made while `recording`, by the template resource it acts on (botocore hooks)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.recording = False
        self.calls: dict[str, set[str]] = {}

    def hook(self, client: Any) -> Any:
        client.meta.events.register("before-parameter-build", self._before_call)
        return client

    def _before_call(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if not self.recording:
            return
        service = model.service_model.endpoint_prefix
        actions = iam_actions(service, model.name, params)
        for target in call_targets(service, params, self.names):
            self.calls.setdefault(target, set()).update(actions)


def test_the_publisher_role_grants_what_the_event_path_calls_and_nothing_else(
    cfn_template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record the AWS calls of the real handler on moto through every kind of work it does: a
    first publish, edits and deletes, a bundle asset, a settings change rebuilt across hand-ons,
    the tick, and a repair. The role must allow each, and no action the code never calls."""
    from moto import mock_aws

    from pressroom.adapters.files import read_tree
    from pressroom.engine import publisher as publisher_module
    from pressroom.shells import handler as handler_module
    from pressroom.shells import runtime
    from pressroom.shells.provision import provision
    from support.accounts import Site, hand_on_often

    real_client = runtime.client
    with mock_aws():
        # Versioned as deployed: pages then render from the exact version their record names.
        provision(runtime.Resources.from_env(), versioned=True)
        site = Site()
        recorder = CallRecorder(site.names)
        monkeypatch.setattr(runtime, "client", lambda service: recorder.hook(real_client(service)))
        real_handler = handler_module.handler

        def recorded_handler(event: dict[str, Any], context: Any) -> Any:
            recorder.recording = True
            try:
                return real_handler(event, context)
            finally:
                recorder.recording = False

        monkeypatch.setattr(handler_module, "handler", recorded_handler)
        for key, body in read_tree(REPO / "content").items():
            site.put(key, body)
        site.drain()
        site.put("posts/new-post.md", b"---\ntitle: New\ndate: 2026-01-02\ntags: [a]\n---\n\nText.\n")
        site.put("posts/new-bundle/index.md", b"---\ntitle: Bundle\ndate: 2026-01-03\n---\n\n![x](x.png)\n")
        site.put("posts/new-bundle/x.png", b"\x89PNG not really")
        site.drain()
        site.delete("posts/new-post.md")
        site.put("posts/new-bundle/x.png", b"\x89PNG another")
        site.drain()
        hand_on_often(monkeypatch)  # a settings change, rebuilt across several invocations
        site.put("site.yaml", site.files["site.yaml"] + b"\n# edited\n")
        stats = site.drain()
        assert stats.batches > 3, "the rebuild was handed on through the queue"
        site.invoke({"pressroom": "tick"})
        # `pressroom rebuild` asks for a repair; the function carries it on from the queue.
        operator = publisher_module.Publisher(runtime.ports(runtime.Resources.from_env()), site.now)
        operator.request_rebuild(repair=True)
        site.sqs.send_message(QueueUrl=site.names["QUEUE_URL"], MessageBody=json.dumps({"pressroom": "continue"}))
        site.drain()

    called = recorder.calls
    called.setdefault("SourceQueue", set()).update(ESM_ACTIONS)
    called.setdefault("PublisherLogGroup", set()).update(RUNTIME_ACTIONS)
    granted = granted_actions_by_target(cfn_template["Resources"]["PublisherRole"])

    missing = {target: actions - granted.get(target, set()) for target, actions in called.items()}
    unused = {target: actions - called.get(target, set()) for target, actions in granted.items()}
    assert {target: actions for target, actions in missing.items() if actions} == {}, "called but not granted"
    assert {target: actions for target, actions in unused.items() if actions} == {}, "granted but never called"
