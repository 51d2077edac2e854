"""How a command handler refuses a command."""

from __future__ import annotations


class CommandError(Exception):
    """Answer the command with this stanza error (RFC 6120 §8.3)."""

    def __init__(self, condition: str, type: str, text: str | None = None):
        super().__init__(text or condition)
        self.condition, self.type, self.text = condition, type, text
