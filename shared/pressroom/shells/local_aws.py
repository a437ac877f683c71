"""`pressroom aws`: the embedded AWS of `demo` and `dev` as a server of its own, for a developer's other tools.

Stock `moto_server` copies a whole DynamoDB table per item of a transaction, so a 500-post push
times out on it; this server runs with the same patches as `demo` and `dev`
(`embedded.moto_without_store_wide_costs`), provisions the stack as `pressroom provision` does,
and prints the environment that points pressroom, the AWS CLI or `sam local` at it.
"""

from __future__ import annotations

import json
import shlex
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from pressroom.shells.embedded import moto_without_store_wide_costs, start_moto
from pressroom.shells.runtime import Resources

FUNCTION_ID = "PublisherFunction"
"""The function's logical id in infra/template.yaml: SAM's `--env-vars` file is keyed by it."""

CREDENTIAL_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")


def export_lines(environment: Mapping[str, str]) -> list[str]:
    """`export NAME=value` lines a shell can `eval`, quoted as the shell needs."""
    return [f"export {name}={shlex.quote(value)}" for name, value in environment.items()]


def sam_env_vars(names: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """SAM CLI's `--env-vars` file: values for the variables the template declares on the function.

    SAM overrides only variables the template declares, so the endpoint is not here: the template
    declares AWS_ENDPOINT_URL only when its `LocalEndpoint` parameter is set (README, "Local
    testing with SAM CLI"), and credentials come from the shell `sam` runs in.
    """
    declared = ("SOURCE_BUCKET", "SITE_BUCKET", "INDEX_TABLE", "DISTRIBUTION_ID", "QUEUE_URL")
    return {FUNCTION_ID: {name: names[name] for name in declared if name in names}}


def serve_aws(
    port: int,
    env_json: Path | None,
    print_line: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Start, provision, print the environment, and serve until `stop` is set (or Ctrl-C)."""
    import os

    from pressroom.shells.provision import provision

    print_line = print_line or (lambda line: print(line, flush=True))  # a script reads it through a pipe
    stop = stop or threading.Event()
    server, endpoint = start_moto(port)
    try:
        with moto_without_store_wide_costs():
            names = provision(Resources.from_env())
            os.environ.update(names)
            environment = {"AWS_ENDPOINT_URL": endpoint}
            environment.update({name: os.environ[name] for name in CREDENTIAL_NAMES})
            environment.update(names)
            if env_json is not None:
                env_json.write_text(json.dumps(sam_env_vars(names), indent=2) + "\n", encoding="utf-8")
            print_line(f"# pressroom aws: an embedded AWS (moto) at {endpoint}, provisioned; Ctrl-C stops it.")
            print_line('# In another shell: eval "$(...these lines...)", then pressroom sync / worker / status.')
            for line in export_lines(environment):
                print_line(line)
            if env_json is not None:
                print_line(f"# SAM CLI's --env-vars file: {env_json}")
            while not stop.wait(0.5):  # a short wait, so Ctrl-C is seen at once
                pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
