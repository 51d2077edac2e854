"""Components (XEP-0327 §6.5): media work a client starts on a call or a mixer.

The core hands every command in a component namespace to `Components.start`,
every command to a component JID (call or mixer JID + /id) to
`Components.command`, and asks `Components.complete_all` to finish a call's
components when it ends (each with <complete><hangup/></complete>, §6.6.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ....protocol.jid import JID
from ..errors import CommandError

if TYPE_CHECKING:
    from ..calls import Call
    from ..rayo import RayoCore


class Components:
    def __init__(self, core: RayoCore):
        self.core = core

    def start(self, owner: Call, request: etree._Element, payload: etree._Element) -> list[etree._Element]:
        """A command creating a component on a call: none is implemented yet."""
        raise CommandError("feature-not-implemented", "cancel", f"{etree.QName(payload).localname} is not implemented")

    def command(self, request: etree._Element, payload: etree._Element, to: JID) -> list[etree._Element]:
        """A command to a component JID: no component exists yet."""
        raise CommandError("item-not-found", "cancel")

    def complete_all(self, owner: Call, reason: str) -> None:
        """The call ends: its components complete with `reason` (none exist yet)."""
