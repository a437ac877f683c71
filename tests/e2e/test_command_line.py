"""The command line as a new user meets it (issue 12): defaults, one-line errors, exit codes, scripts' flags.

Every test runs `python -m pressroom` in another process and looks at its stdout, stderr and
exit code (SPEC 4.1: 0 done, 1 content errors, 2 usage or environment).
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from pressroom.adapters.files import read_tree
from support.moto_server import moto_server

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
NOW = "2026-11-29T00:00:00+00:00"


def pressroom(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pressroom", *args],
        env=env if env is not None else dict(os.environ),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The command failed with `code` and said why in one line, with no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture
def endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def moto_env(endpoint: str) -> dict[str, str]:
    return {**os.environ, "AWS_ENDPOINT_URL": endpoint, "LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"}


def test_version() -> None:
    from pressroom import __version__

    result = pressroom("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"pressroom {__version__}"


def test_build_defaults_as_hugo_the_site_here_into_public(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    result = pressroom("build", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "public" / "index.html").is_file()
    assert "in public" in result.stdout
    # Inside a content folder (it has site.yaml), the folder itself is the site.
    result = pressroom("build", "--now", NOW, cwd=tmp_path / "content")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "content" / "public" / "index.html").is_file()


def test_build_keeps_image_variants_in_its_cache_dir_by_default_and_not_with_an_empty_one(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    result = pressroom("build", str(CONTENT), "--out", str(tmp_path / "a"), "--now", NOW, env=env)
    assert result.returncode == 0, result.stderr
    kept = sorted(path.name for path in (tmp_path / "xdg" / "pressroom" / "variants").iterdir())
    made = sorted(".".join(p.name.rsplit(".", 3)[-3:]) for p in (tmp_path / "a").rglob("*.*.*.avif"))
    assert made and set(made) <= set(kept)
    result = pressroom("build", str(CONTENT), "--out", str(tmp_path / "b"), "--now", NOW, "--cache-dir", "", env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "xdg" / "pressroom" / "variants").iterdir()) == kept
    assert read_tree(tmp_path / "a") == read_tree(tmp_path / "b")


def test_a_missing_source_and_bad_flags_are_usage_errors(tmp_path: Path) -> None:
    message = one_line_error(pressroom("build", str(tmp_path / "nowhere")))
    assert "nowhere" in message and "SRC" in message
    one_line_error(pressroom("check", str(tmp_path / "nowhere")))
    bad = pressroom("build", "--bogus")
    assert bad.returncode == 2 and "unrecognized arguments: --bogus" in bad.stderr
    assert "usage: pressroom" in bad.stderr
    one_line_error(pressroom("build", str(CONTENT), "--out", str(tmp_path / "out"), "--now", "yesterday"))


def test_no_region_says_which_variable_to_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_DEFAULT_REGION", "AWS_REGION")}
    env["AWS_CONFIG_FILE"] = str(tmp_path / "none")
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
    message = one_line_error(pressroom("status", env=env))
    assert "AWS_DEFAULT_REGION" in message


def test_no_moto_running_says_to_start_one() -> None:
    env = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}  # the discard port: nothing listens
    for command in (["status"], ["sync", str(CONTENT), "s3://pressroom-source"], ["worker", "--until-empty"]):
        if command[0] == "worker":
            env["QUEUE_URL"] = "http://127.0.0.1:9/000000000000/pressroom-queue"
        message = one_line_error(pressroom(*command, env=env))
        assert "127.0.0.1:9" in message and "moto" in message, message


def test_a_missing_bucket_or_table_says_to_provision(moto_env: dict[str, str]) -> None:
    message = one_line_error(pressroom("sync", str(CONTENT), "s3://no-such-bucket", env=moto_env))
    assert "no-such-bucket" in message and "pressroom provision" in message
    message = one_line_error(pressroom("status", env=moto_env))
    assert "pressroom provision" in message
    message = one_line_error(pressroom("rebuild", env=moto_env))
    assert "pressroom provision" in message


def test_provision_refuses_real_aws_unless_told() -> None:
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    message = one_line_error(pressroom("provision", env=env))
    assert "AWS_ENDPOINT_URL" in message and "--aws" in message


def test_check_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for n in range(600):  # about 80 KiB of findings: more than a pipe holds
        (posts / f"p{n}.md").write_text(f"---\ntitle: P{n}\ndate: 2024-01-01\n---\n[gone](/nowhere-{n}/)\n")
    result = subprocess.run(
        f"{sys.executable} -m pressroom check {tmp_path / 'content'} | head -n 2",
        shell=True,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert len(result.stdout.splitlines()) == 2
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr


def test_worker_exits_non_zero_when_every_message_failed(moto_env: dict[str, str]) -> None:
    names = json.loads(pressroom("provision", env=moto_env).stdout)
    env = {**moto_env, **names, "INDEX_TABLE": "no-such-table"}
    boto3.client("s3", endpoint_url=moto_env["AWS_ENDPOINT_URL"]).put_object(
        Bucket=names["SOURCE_BUCKET"], Key="posts/a.md", Body=b"---\ntitle: A\n---\nA.\n"
    )
    result = pressroom("worker", "--until-empty", env=env)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "failed" in result.stderr.splitlines()[-1] and "Traceback" not in result.stderr


def test_sync_refuses_to_delete_more_than_max_deletes(moto_env: dict[str, str], tmp_path: Path) -> None:
    names = json.loads(pressroom("provision", env=moto_env).stdout)
    bucket = names["SOURCE_BUCKET"]
    full = tmp_path / "full"
    full.mkdir()
    for n in range(300):
        (full / f"f{n}.txt").write_text(str(n))
    assert pressroom("sync", str(full), f"s3://{bucket}", env=moto_env).returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    message = one_line_error(pressroom("sync", str(empty), f"s3://{bucket}", "--delete", env=moto_env))
    assert "300" in message and "--max-deletes 300" in message
    s3 = boto3.client("s3", endpoint_url=moto_env["AWS_ENDPOINT_URL"])
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 300, "a refused sync changes nothing"
    done = pressroom("sync", str(empty), f"s3://{bucket}", "--delete", "--max-deletes", "300", "--json", env=moto_env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["deleted"] == 300


def test_sync_delete_from_an_empty_or_mistyped_folder_deletes_nothing(moto_env: dict[str, str], tmp_path: Path) -> None:
    """Issue 19: the 25 posts of a small blog were all deleted (within the 256 default)."""
    names = json.loads(pressroom("provision", env=moto_env).stdout)
    url = f"s3://{names['SOURCE_BUCKET']}/blog"
    blog = tmp_path / "blog"
    (blog / "posts").mkdir(parents=True)
    for n in range(25):
        (blog / "posts" / f"p{n:02d}.md").write_text(f"---\ntitle: Post {n}\n---\nText.\n")
    assert pressroom("sync", str(blog), url, env=moto_env).returncode == 0
    s3 = boto3.client("s3", endpoint_url=moto_env["AWS_ENDPOINT_URL"])

    def count() -> int:
        return int(s3.list_objects_v2(Bucket=names["SOURCE_BUCKET"], Prefix="blog/")["KeyCount"])

    empty = tmp_path / "empty"
    empty.mkdir()
    message = one_line_error(pressroom("sync", str(empty), url, "--delete", env=moto_env))
    assert "25 of the 25" in message and "--max-deletes 25" in message
    mistyped = tmp_path / "blog" / "posts"  # the posts folder, not the content folder: every key differs
    one_line_error(pressroom("sync", str(mistyped), url, "--delete", env=moto_env))
    for n in range(13):
        (blog / "posts" / f"p{n:02d}.md").unlink()
    message = one_line_error(pressroom("sync", str(blog), url, "--delete", env=moto_env))
    assert "13 of the 25" in message and "half" in message
    assert count() == 25, "every refused sync changed nothing"
    done = pressroom("sync", str(blog), url, "--delete", "--max-deletes", "13", "--json", env=moto_env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["deleted"] == 13 and count() == 12


def test_json_and_quiet_for_scripts(moto_env: dict[str, str], tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "posts" / "broken.md").write_text("---\ntitle: [oops\n---\nbody\n")

    built = pressroom("build", str(content), "--out", str(tmp_path / "out"), "--now", NOW, "--json")
    assert built.returncode == 1
    report = json.loads(built.stdout)
    assert report["pages"] > 5 and report["files"] > 10
    assert [error["file"] for error in report["errors"]] == ["posts/broken.md"]

    quiet = pressroom("build", str(content), "--out", str(tmp_path / "out"), "--now", NOW, "--quiet")
    assert quiet.stdout == "" and "posts/broken.md" in quiet.stderr and "warning" not in quiet.stderr

    checked = pressroom("check", str(content), "--json")
    assert checked.returncode == 1
    assert {error["file"] for error in json.loads(checked.stdout)["errors"]} == {"posts/broken.md"}

    names = json.loads(pressroom("provision", env=moto_env).stdout)
    env = {**moto_env, **names}
    synced = pressroom("sync", str(content), f"s3://{names['SOURCE_BUCKET']}", "--json", env=env)
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["uploaded"] == sum(1 for path in content.rglob("*") if path.is_file())
    assert pressroom("sync", str(content), f"s3://{names['SOURCE_BUCKET']}", "--quiet", env=env).stdout == ""
    assert pressroom("worker", "--until-empty", env=env).returncode == 0

    status = pressroom("status", "--json", env=env)
    assert status.returncode == 1
    state = json.loads(status.stdout)
    assert "posts/broken.md" in state["failed"] and state["files"] > 10 and state["published"]

    rebuilt = pressroom("rebuild", "--json", env=env)
    assert rebuilt.returncode == 1, "the broken file is a content error"
    result = json.loads(rebuilt.stdout)
    assert result["pages"] >= len(state["published"]) and result["errors"][0]["file"] == "posts/broken.md"
    assert "posts/broken.md" in rebuilt.stderr


def symlinked_site(tmp_path: Path) -> tuple[Path, list[str]]:
    """A content folder with links to a file and a folder outside it and to /proc/self/environ."""
    outside = tmp_path / "outside"
    (outside / "photos").mkdir(parents=True)
    (outside / "secret.md").write_text("---\ntitle: Secret\n---\nTOP-SECRET-FILE\n")
    (outside / "photos" / "a.png").write_bytes(b"\x89PNG TOP-SECRET-FOLDER")
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "hello.md").write_text("---\ntitle: Hello\n---\nHello.\n")
    (content / "posts" / "secret.md").symlink_to(outside / "secret.md")
    (content / "photos").symlink_to(outside / "photos", target_is_directory=True)
    (content / "environ.txt").symlink_to("/proc/self/environ")
    (content / "posts" / "loop").symlink_to(content, target_is_directory=True)
    return content, ["environ.txt", "photos", "posts/loop", "posts/secret.md"]


def test_build_check_and_sync_skip_symlinks_and_name_each_once(moto_env: dict[str, str], tmp_path: Path) -> None:
    """Issue 19: a link to /proc/self/environ put every environment variable on a page."""
    content, links = symlinked_site(tmp_path)
    env = {**moto_env, "PRESSROOM_CANARY": "ENVIRONMENT-LEAKED"}

    def named_once(stream: str) -> None:
        for link in links:
            lines = [line for line in stream.splitlines() if f"{link}: " in line and "symbolic link" in line]
            assert len(lines) == 1, (link, stream)

    out = tmp_path / "out"
    built = pressroom("build", str(content), "--out", str(out), "--now", NOW, env=env)
    assert built.returncode == 0, built.stderr
    named_once(built.stderr)
    published = b"".join(path.read_bytes() for path in out.rglob("*") if path.is_file())
    for secret in (b"TOP-SECRET", b"ENVIRONMENT-LEAKED"):
        assert secret not in published
    assert not (out / "photos").exists() and not (out / "environ.txt").exists()
    assert (out / "posts" / "hello" / "index.html").exists()

    checked = pressroom("check", str(content), "--json", env=env)
    assert checked.returncode == 0, checked.stdout
    named_once("\n".join(f"{w['file']}: {w['problem']}" for w in json.loads(checked.stdout)["warnings"]))

    names = json.loads(pressroom("provision", env=env).stdout)
    bucket = names["SOURCE_BUCKET"]
    synced = pressroom("sync", str(content), f"s3://{bucket}", env=env)
    assert synced.returncode == 0, synced.stderr
    named_once(synced.stderr)
    s3 = boto3.client("s3", endpoint_url=moto_env["AWS_ENDPOINT_URL"])
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["posts/hello.md"]


def test_new_post_from_the_built_in_archetype(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    result = pressroom("new", "posts/my-first-post.md", "--now", "2026-12-01T10:00:00+00:00", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    post = tmp_path / "content" / "posts" / "my-first-post.md"
    text = post.read_text()
    assert 'title: "My First Post"' in text and "date: 2026-12-01T10:00:00+00:00" in text and "draft: true" in text
    assert str(post) in result.stdout
    again = one_line_error(pressroom("new", "posts/my-first-post.md", cwd=tmp_path))
    assert "already exists" in again
    one_line_error(pressroom("new", "posts/notes.txt", cwd=tmp_path))
    built = pressroom("check", cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr


def test_new_post_from_a_hugo_sites_archetype(tmp_path: Path) -> None:
    (tmp_path / "hugo.toml").write_text('title = "Hugo site"\n')
    (tmp_path / "archetypes").mkdir()
    (tmp_path / "archetypes" / "default.md").write_text('+++\ntitle = "{{ .Name }}"\n+++\n')
    (tmp_path / "archetypes" / "posts.md").write_text(
        '---\ntitle: "{{ replace .File.ContentBaseName "-" " " | title }}"\ndate: {{ .Date }}\n'
        "series: [travel]\n---\n\nWrite here.\n"
    )
    result = pressroom("new", "posts/a-trip-north/index.md", "--now", "2026-12-01T10:00:00+00:00", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "content" / "posts" / "a-trip-north" / "index.md").read_text()
    assert text.startswith('---\ntitle: "A Trip North"\ndate: 2026-12-01T10:00:00+00:00\nseries: [travel]\n')
    assert "archetypes/posts.md" in result.stdout
    assert pressroom("new", "about.md", cwd=tmp_path).returncode == 0
    assert (tmp_path / "content" / "about.md").read_text() == '+++\ntitle = "about"\n+++\n'


def test_sub_command_help_has_examples() -> None:
    for command in ("build", "check", "sync", "provision", "worker", "rebuild", "status", "demo", "dev", "new"):
        result = pressroom(command, "--help")
        assert result.returncode == 0
        assert "examples:" in result.stdout and f"pressroom {command}" in result.stdout, command
    top = pressroom("--help")
    assert "exit codes:" in top.stdout and "2  usage or environment" in top.stdout


def test_the_lambda_handler_imports_no_command_line_code() -> None:
    probe = (
        "import sys, pressroom.shells.handler; "
        "print([m for m in sys.modules if m.split('.')[0] in ('rich', 'watchfiles') "
        "or m in ('pressroom.shells.cli', 'pressroom.shells.terminal', 'pressroom.shells.dev')])"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_on_a_terminal_build_ends_with_a_summary_table(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "pressroom", "build", str(CONTENT), "--out", str(tmp_path / "out"), "--now", NOW],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    assert child.wait(timeout=120) == 0
    os.close(leader)
    text = screen.decode(errors="replace")
    assert "pages" in text and "warnings" in text and "time" in text
    assert "built " not in text, "a terminal gets the table, not the plain line"
