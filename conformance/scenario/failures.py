"""How a step reports that the case cannot go on as written."""

from __future__ import annotations

from ..results import Finding


class StepFailed(Exception):
    """An expectation was not met; the finding says what and why."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


class SetupFailed(Exception):
    """The case could not reach its precondition (login refused, SIPp missing)."""
