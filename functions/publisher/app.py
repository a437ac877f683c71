"""Lambda entry point (`functions/publisher/app.py:handler`); the code lives in `pressroom.shells.handler`
so that the local worker runs exactly the same handler."""

from pressroom.shells.handler import handler

__all__ = ["handler"]
