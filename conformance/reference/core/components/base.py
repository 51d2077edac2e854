"""What every component shares (XEP-0327 §6.5, digest §6.3): its JID and ref, the
commands sent to it, and exactly one complete, sent to the client that created it.

A component is created by a command, acknowledged with its ref, and starts
once the ref has gone out (`begin`). It answers the commands of its kind
(cmd_<name>) and stop (in the dialect's namespace for it); it ends with one reason, in urn:xmpp:rayo:ext:complete:1
(stop, hangup, error) or in its own complete namespace.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Iterable

from lxml import etree

from ....protocol import namespaces as ns
from .. import stanzas as st
from ..errors import CommandError

if TYPE_CHECKING:
    from . import Components


class Component:
    kind = "component"
    namespace = ns.EXT  # the namespace of the commands it takes besides stop

    def __init__(self, components: Components, owner_jid: str, creator: str):
        self.components = components
        self.core = components.core
        # §5.2 leaves the id's form to the server: the kind and ten hex digits, or six as in the XEP's examples
        short = "component-ids-short" in self.core.variations
        self.id = uuid.uuid4().hex[:6] if short else f"{self.kind}-{uuid.uuid4().hex[:10]}"
        self.jid = f"{owner_jid}/{self.id}"
        self.creator = creator  # the full JID that created it: its events and complete go there
        self.done = False
        self.stopped = False  # a stop was acknowledged
        self.parent: Component | None = None  # the prompt this is a part of: it hears the complete instead of the client

    def ref(self) -> etree._Element:
        """Its JID as an xmpp: URI (XEP-0327), or its id (seed)."""
        return self.core.dialect.ref(self.id, self.jid)

    def stop_namespace(self) -> str:
        """Where its stop lives: urn:xmpp:rayo:ext:1 (XEP-0327), urn:xmpp:rayo:1 (seed)."""
        return self.core.dialect.stop_namespace

    def begin(self) -> None:
        """Start working: the ref has been sent."""

    def command(self, payload: etree._Element) -> list[etree._Element]:
        name = etree.QName(payload)
        if name.namespace == self.stop_namespace() and name.localname == "stop":
            self.stopped = True
            if "no-complete-after-stop" not in self.core.faults:
                self.core.after(lambda: self.complete(core_reason("stop")))
            return []
        handler = getattr(self, "cmd_" + name.localname.replace("-", "_"), None)
        if name.namespace != self.namespace or handler is None:
            raise CommandError("feature-not-implemented", "cancel", f"a {self.kind} takes no {name.localname} command")
        handler(payload)
        return []

    def event(self, payload: etree._Element) -> None:
        """An intermediate event: available presence to the creator; a part of a prompt's goes out as the prompt's."""
        if self.parent is not None:
            self.parent.part_event(self, payload)
            return
        self.core.send_presence(self.jid, self.creator, [payload])

    def complete(self, reason: etree._Element, metadata: Iterable[etree._Element] = ()) -> None:
        """End: release what it holds, then say why, once (R-6.5-n)."""
        if self.done:
            return
        self.done = True
        self.release()
        self.components.forget(self)
        self.finished(reason, list(metadata))

    def finished(self, reason: etree._Element, metadata: list[etree._Element]) -> None:
        """Tell the creator, with unavailable presence; a part of a prompt tells the prompt."""
        if self.parent is not None:
            self.parent.part_finished(self, reason, metadata)
            return
        body = st.element(ns.EXT, "complete", children=[reason, *metadata])
        self.core.send_presence(self.jid, self.creator, [body], self.core.dialect.complete_type)

    def release(self) -> None:
        """Stop using media and timers (before the complete goes out)."""

    def part_finished(self, part: Component, reason: etree._Element, metadata: list[etree._Element]) -> None:
        """A part of this component has completed (only a prompt has parts)."""

    def part_event(self, part: Component, payload: etree._Element) -> None:
        """A part of this component has an intermediate event (only a prompt has parts)."""


def core_reason(name: str) -> etree._Element:
    """stop, hangup or error (urn:xmpp:rayo:ext:complete:1)."""
    return st.element(ns.EXT_COMPLETE, name)


def unexpected(what: str) -> CommandError:
    """A command the component's state does not allow now (R-6.5.2-d)."""
    return CommandError("unexpected-request", "wait", what)
