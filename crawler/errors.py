"""The error the core raises for a value it cannot use: it names the field at fault, so callers need not parse it."""

from __future__ import annotations


class InvalidField(ValueError):
    """A config value that cannot be used; ``field`` names it, the message (which starts with it) says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
