"""Lambda entry point (`functions/publisher/app.py:handler`); the code lives in `pressroom.handler`
so that the local worker runs exactly the same handler."""

from pressroom.handler import handler

__all__ = ["handler"]
