"""Phase nine: the schedule items of the round's pages, when the clock alone changes their publication."""

from __future__ import annotations

from pressroom.core.planning.ledger import Ledger


def plan_schedule(ledger: Ledger) -> None:
    """Each page read again drops its old schedule item and adds its new one, where they differ."""
    for key in ledger.reread:
        old, new = ledger.old_page(key), ledger.new_page(key)
        old_due = old.due if old is not None else None
        new_due = new.due if new is not None else None
        if old_due != new_due:
            if old_due is not None:
                ledger.result.schedule_drop.add((old_due, key))
            if new_due is not None:
                ledger.result.schedule_add.add((new_due, key))
