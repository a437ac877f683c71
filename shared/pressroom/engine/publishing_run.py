"""What a round and a rebuild work with: the run of one invocation as the lease holder (`engine.publisher`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pressroom.core.reading.config import SiteSettings
from pressroom.core.rendering.renderer import Renderer
from pressroom.engine.control import Control
from pressroom.engine.generation import GenerationReader
from pressroom.engine.invocation import Ports
from pressroom.engine.writing import OutputWriter
from pressroom.ports import Item


class PublishingRun(Protocol):
    """The holder's run: its ports and coordination items, its pace, and what it keeps for the invocation."""

    ports: Ports
    control: Control
    writer: OutputWriter
    now: datetime
    """The content's clock."""
    memo: dict[Any, Any]
    """What a rebuild's steps make once and share within this invocation (see `engine.rebuild`)."""
    outdated_handled: bool
    """A rebuild for another theme or index layout was considered once (broken settings must not loop)."""

    def settings(self, generation: int) -> tuple[SiteSettings, Renderer]:
        """The settings a generation was built with, and their renderer (kept for the invocation)."""
        ...

    def reader(self, generation: int) -> GenerationReader: ...

    def read_settings(self) -> SiteSettings:
        """The settings in the source now; ConfigError when broken."""
        ...

    def built_by_other_code(self) -> bool:
        """The site was built with another theme or index layout than the deployed code's."""
        ...

    def take_records_read(self) -> dict[tuple[str, str], Item | None] | None:
        """The records (and error records) of the invocation's own keys as read with the lease,
        for the first round (None: not read, or not for this round); once."""
        ...

    def time_to_hand_on(self) -> bool: ...

    def renew(self) -> float: ...

    def progressed(self) -> None: ...
