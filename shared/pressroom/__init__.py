"""pressroom: an event-driven, serverless publisher for Markdown blogs on AWS."""

__version__ = "0.1.0"
