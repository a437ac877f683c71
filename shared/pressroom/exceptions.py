"""Every error pressroom raises on purpose; each message names the file and what is wrong."""

from __future__ import annotations


class PressroomError(Exception):
    """Base class of pressroom's own errors."""


class ContentError(PressroomError):
    """A source file that cannot be published: the file and the problem, for the author.

    Permanent by nature: retrying the same bytes gives the same error, so the event path
    records it and acknowledges the message instead of retrying.
    """

    def __init__(self, source_key: str, problem: str, line: int | None = None) -> None:
        self.source_key = source_key
        self.problem = problem
        self.line = line
        where = f"{source_key}:{line}" if line else source_key
        super().__init__(f"{where}: {problem}")


class RenderError(ContentError):
    """An output its template could not render: an unsafe access, a limit of `core.sandbox`, or the
    template's own error. Permanent like any ContentError; the output keeps what was published."""


class ConfigError(ContentError):
    """`site.yaml` cannot be read; the site keeps its previous configuration."""


class SyncError(PressroomError):
    """`pressroom sync` cannot run as asked (missing folder, bad bucket URL)."""


class TransientError(PressroomError):
    """A failure that a retry can fix: the message goes back to the queue."""


class UsageError(PressroomError):
    """The command cannot run as asked: a flag, a folder, the environment (exit 2, SPEC 4.1)."""
