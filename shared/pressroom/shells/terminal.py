"""How the command line talks: plain lines when piped, progress and a summary table on a terminal.

`--json` prints one JSON object on stdout and nothing else there; `--quiet` prints only problems
(on stderr). rich is imported only when stderr is a terminal and neither flag is given, so piped
runs, scripts and the Lambda handler never pay its import (about 50 ms); without rich installed
(`pip install 'pressroom[cli]'`) the output is plain.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TextIO


class Bar(Protocol):
    """A progress bar: `advance` by items (and bytes), `write_line` without tearing it."""

    def advance(self, items: int, size: int = 0) -> None: ...

    def write_line(self, log: TextIO | None, line: str) -> None: ...

    def finish(self) -> None: ...


class _NoBar:
    def advance(self, items: int, size: int = 0) -> None:
        pass

    def write_line(self, log: TextIO | None, line: str) -> None:
        if log is not None:
            log.write(line + "\n")

    def finish(self) -> None:
        pass


class _RichBar:
    def __init__(self, console: Any, description: str, total: int, total_bytes: int) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
        columns += [TaskProgressColumn(), TimeElapsedColumn(), TimeRemainingColumn()]
        if total_bytes:
            columns.append(DownloadColumn())
        self._progress = Progress(*columns, console=console, transient=True)
        self._task = self._progress.add_task(description, total=total or None)
        self._progress.start()

    def advance(self, items: int, size: int = 0) -> None:
        self._progress.advance(self._task, items)

    def write_line(self, log: TextIO | None, line: str) -> None:
        if log is not None:
            self._progress.console.print(line, markup=False, highlight=False)

    def finish(self) -> None:
        self._progress.stop()


class Output:
    """Where a command's lines, problems, progress and summary go, by `--json`, `--quiet` and the terminal."""

    def __init__(
        self, *, as_json: bool = False, quiet: bool = False, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self.as_json = as_json
        self.quiet = quiet
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._console: Any = None
        self.fancy = not as_json and not quiet and _isatty(self.err) and _has_rich()

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.err, highlight=False)
        return self._console

    def line(self, text: str) -> None:
        """An informational line on stdout (none with --json or --quiet)."""
        if not self.as_json and not self.quiet:
            print(text, file=self.out, flush=True)

    def problem(self, text: str) -> None:
        """An error or warning on stderr, always."""
        print(text, file=self.err, flush=True)

    def bar(self, description: str, total: int, total_bytes: int = 0) -> Bar:
        if not self.fancy:
            return _NoBar()
        return _RichBar(self.console, description, total, total_bytes)

    @contextmanager
    def status(self, text: str) -> Iterator[Callable[[str], None]]:
        """A spinner while something with no countable steps runs; yields `update(text)`.

        Nothing is drawn when not on a terminal."""
        if not self.fancy:
            yield lambda text: None
            return
        with self.console.status(text) as spinner:
            yield lambda text: spinner.update(text)

    def summary(self, plain: str, rows: Sequence[tuple[str, object]], data: dict[str, Any]) -> None:
        """The end of a command: `data` as JSON, or a small table on a terminal, or the `plain` line."""
        if self.as_json:
            print(json.dumps(data, indent=2, default=str), file=self.out, flush=True)
        elif self.quiet:
            return
        elif self.fancy and _isatty(self.out):
            from rich.console import Console
            from rich.table import Table

            table = Table(show_header=False, box=None, padding=(0, 2))
            for name, value in rows:
                table.add_row(name, str(value))
            Console(file=self.out, highlight=False).print(table)
        else:
            print(plain, file=self.out, flush=True)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _has_rich() -> bool:
    from importlib.util import find_spec

    return find_spec("rich") is not None
