"""Where a site is when no SRC is given (as Hugo: the current folder), and `pressroom new` from an archetype."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path, PurePosixPath

from pressroom.exceptions import PressroomError

HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml")

DEFAULT_ARCHETYPE = """---
title: "{{ replace .File.ContentBaseName "-" " " | title }}"
date: {{ .Date }}
draft: true
tags: []
---

"""
"""Hugo's own default archetype, in YAML (a post starts as a draft)."""

_ACTION = re.compile(r"{{-?\s*(.*?)\s*-?}}", re.DOTALL)
_NAME_FIELDS = (
    ".Name",
    ".File.ContentBaseName",
    ".File.BaseFileName",
    ".TranslationBaseName",
    ".File.TranslationBaseName",
)


def is_hugo_root(folder: Path) -> bool:
    return any((folder / name).is_file() for name in HUGO_CONFIGS) or (folder / "config" / "_default").is_dir()


def default_source(cwd: Path) -> Path:
    """The site in `cwd`: a Hugo root or a content folder (with `site.yaml`) as it is, else its `content/`."""
    if is_hugo_root(cwd) or (cwd / "site.yaml").is_file() or not (cwd / "content").is_dir():
        return cwd
    return cwd / "content"


def site_folders(src: Path) -> tuple[Path, Path]:
    """(the site root that holds `archetypes/`, the content folder) of a SRC."""
    if is_hugo_root(src):
        return src, src / "content"
    return src.parent, src


def content_base_name(path: PurePosixPath) -> str:
    """Hugo's `.File.ContentBaseName`: the file name without extension, or the bundle's folder name."""
    return path.parent.name if path.stem in ("index", "_index") and path.parent.name else path.stem


def _title_of(name: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in name.replace("-", " ").replace("_", " ").split())


def fill_archetype(text: str, path: PurePosixPath, now: datetime) -> str:
    """Replace the Hugo template actions an archetype uses: the date, and the name (as a title when asked)."""
    name = content_base_name(path)

    def action(match: re.Match[str]) -> str:
        expression = match.group(1)
        if ".Date" in expression or "now" in expression.split():
            return now.isoformat(timespec="seconds")
        if any(field in expression for field in _NAME_FIELDS):
            return _title_of(name) if ("title" in expression or "replace" in expression) else name
        if ".Section" in expression:
            return path.parts[0] if len(path.parts) > 1 else ""
        return ""

    return _ACTION.sub(action, text)


def new_content(root: Path, content: Path, relative: str, now: datetime) -> tuple[Path, str]:
    """Write `content/relative` from `root/archetypes/SECTION.md`, `default.md` or the built-in one.

    Returns the new file and where its archetype came from.
    """
    path = PurePosixPath(relative.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise PressroomError(f"{relative}: give a path inside the content folder, e.g. posts/my-post.md")
    if path.parts[0] == "content" and content.name == "content" and len(path.parts) > 1:
        path = PurePosixPath(*path.parts[1:])  # `content/posts/x.md` means the same as `posts/x.md`
    if path.suffix not in (".md", ".markdown"):
        raise PressroomError(f"{relative}: a page is a .md file, e.g. posts/my-post.md or posts/my-post/index.md")
    target = content / path
    if target.exists():
        raise PressroomError(f"{target}: already exists; pick another name or edit it")
    section = path.parts[0] if len(path.parts) > 1 else ""
    candidates = [root / "archetypes" / f"{section}.md"] if section else []
    candidates.append(root / "archetypes" / "default.md")
    source = next((candidate for candidate in candidates if candidate.is_file()), None)
    text = source.read_text(encoding="utf-8") if source else DEFAULT_ARCHETYPE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(fill_archetype(text, path, now), encoding="utf-8")
    return target, str(source) if source else "the built-in archetype"
