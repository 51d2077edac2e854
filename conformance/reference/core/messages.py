"""Messages to a call (XEP-0327 §6.8.1): a normal one goes on to the far end as SIP MESSAGE.

The XEP has a normal message's body reach the caller as draft-ietf-stox-im
translates it, but always in the call's own dialog: a SIP MESSAGE with the
call's Call-ID (R-6.8.1-b). Its example shows nothing going back to the
client when that works. A message of another type is refused with
feature-not-implemented (modify); one that cannot be passed on (no body, or
a call that is not answered: there is no dialog to carry it yet) with the
same condition, type cancel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ...protocol.jid import JID
from ..sip.call import CallStateError
from . import stanzas as st
from .calls import Call, new_call_id

if TYPE_CHECKING:
    from .rayo import RayoCore


class CallMessages:
    def __init__(self, core: RayoCore):
        self.core = core

    def receive(self, message: etree._Element) -> None:
        if "messages-ignored" in self.core.faults:
            return
        to = JID.parse(message.get("to", self.core.service))
        call = self.core.calls.get(to.local) if self.core.dialect.addresses_call(to.resource) else None
        if call is None or call.ended:
            self.core.send(st.error(message, "item-not-found", "cancel"))
        elif message.get("type", "normal") != "normal":
            error_type = "cancel" if "message-error-type-cancel" in self.core.faults else "modify"
            self.core.send(st.error(message, "feature-not-implemented", error_type, "only a normal message goes to a call"))
        elif "messages-to-sip" in self.core.without:
            error_type = "modify" if "unpassed-message-type-modify" in self.core.faults else "cancel"
            self.core.send(st.error(message, "feature-not-implemented", error_type, "messages are not passed on to calls here"))
        elif not self._pass_on(call, message):
            self.core.send(st.error(message, "feature-not-implemented", "cancel", "only an answered call takes a message body"))

    def _pass_on(self, call: Call, message: etree._Element) -> bool:
        """The body as SIP MESSAGE to the far end; whether it went. Its SIP outcome is not reported: the XEP has no word for it."""
        text = message.findtext("{*}body")
        if text is None or not call.answered:
            return False
        if "message-body-dropped" in self.core.faults:
            text = ""
        other_call_id = new_call_id() if "message-new-call-id" in self.core.faults else None
        try:
            call.sip.send_message(text, call_id=other_call_id)
        except CallStateError:
            return False
        return True
