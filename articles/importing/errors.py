"""The one exception a bad document raises."""


class ImportRefused(Exception):
    """A document that cannot be imported; ``reason`` says why in words an editor understands."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        self.reason = reason
        self.field = field
        super().__init__(f"{field}: {reason}" if field else reason)


class ImportSkipped(ImportRefused):
    """Not a document to import (a README without front matter, an empty post): skipped, not failed."""
