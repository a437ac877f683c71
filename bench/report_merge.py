"""BENCHMARKS.md written from the sections of this run, keeping the sections of earlier runs.

`bench/run.py` writes BENCHMARKS.md from every `bench/out/*.json` present. A section run alone on
a machine whose `bench/out/` lacks the others' figures (a fresh clone, a worktree) would drop them:
instead, each `## ` section of the previous file that this run did not write is kept as it was,
in its place, and so is each row of the targets table whose target this run did not measure.

>>> old = "# B\\n\\nOn 1.\\n\\n## Targets (a)\\n\\n| t | m |\\n| --- | --- |\\n| x | 1 |\\n\\n## X\\n\\nold x\\n"
>>> new = "# B\\n\\nOn 2.\\n\\n## Targets (a, b)\\n\\n| t | m |\\n| --- | --- |\\n| y | 2 |\\n\\n## Y\\n\\ny\\n"
>>> print(merged(new, old))
# B
<BLANKLINE>
On 2.
<BLANKLINE>
## Targets (a, b)
<BLANKLINE>
| t | m |
| --- | --- |
| x | 1 |
| y | 2 |
<BLANKLINE>
## X
<BLANKLINE>
old x
<BLANKLINE>
## Y
<BLANKLINE>
y
<BLANKLINE>
"""

from __future__ import annotations

TARGETS = "## Targets"


def sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text before the first `## ` heading, and each section's heading and whole text, in order."""
    head, blocks = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
        else:
            head.append(line)
    return "".join(head), [(block[0].strip(), "".join(block)) for block in blocks]


def _label(row: str) -> str:
    return row.split("|")[1].strip()


def _merged_targets(new: str | None, old: str) -> str:
    """The new targets table with the old rows whose target it does not have, in the old order first."""
    if new is None:
        return old
    new_lines = new.rstrip("\n").splitlines()
    table_start = next(i for i, line in enumerate(new_lines) if line.startswith("| ---")) + 1
    measured = {_label(row) for row in new_lines[table_start:] if row.startswith("| ")}
    kept = [row for row in old.splitlines() if row.startswith("| ") and not row.startswith("| ---")][1:]
    kept = [row for row in kept if _label(row) not in measured]
    return "\n".join([*new_lines[:table_start], *kept, *new_lines[table_start:]]) + "\n\n"


def merged(new: str, old: str) -> str:
    """`new` (this run's file) with the sections and target rows of `old` it does not write."""
    head, fresh = sections(new)
    _, earlier = sections(old)
    by_heading = dict(fresh)
    targets = next((text for heading, text in fresh if heading.startswith(TARGETS)), None)
    out: list[str] = [head]
    placed: set[str] = set()
    for heading, text in earlier:
        if heading.startswith(TARGETS):
            out.append(_merged_targets(targets, text))
            placed.update(h for h, _ in fresh if h.startswith(TARGETS))
        elif heading in by_heading:
            out.append(_blank_after(by_heading[heading]))
            placed.add(heading)
        else:
            out.append(_blank_after(text))
    out += [_blank_after(text) for heading, text in fresh if heading not in placed]
    return "".join(out).rstrip("\n") + "\n"


def _blank_after(section: str) -> str:
    """A section ending in one blank line, so the next heading does not run into its last line."""
    return section.rstrip("\n") + "\n\n"
