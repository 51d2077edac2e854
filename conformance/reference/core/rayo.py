"""The Rayo core of the reference server: calls, offers, commands and events.

It sees stanzas in and out addressed by JID, and SIP calls through the SIP
endpoint; it does not know whether it runs behind its own listener or as a
component of a real XMPP server. Each deliberate deviation of the fault
catalogue is a named branch (`if "name" in self.faults`), and so is each legal
variation (`if "name" in self.variations`, variations.py).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Callable, Iterable

from lxml import etree

from ... import __version__
from ...protocol import namespaces as ns
from ...protocol.jid import JID, strip_xmpp_uri
from ..faults import Faults
from ..features import Without
from ..variations import Variations
from . import stanzas as st
from .availability import Availability
from .callmedia import COMMANDS as MEDIA_COMMANDS, CallMedia
from .calls import Call, Join, State, new_call_id
from .components import Components
from .dialects import XEP0327, dialect as dialect_named
from .errors import CommandError
from .joins import Joining
from .messages import CallMessages
from .media_paths import MediaPaths
from .subscriptions import Subscriptions

CALL_IDENTITY = [("client", "phone")]
CALL_FEATURES = [ns.DISCO_INFO, ns.RAYO]
MIXER_IDENTITY = [("conference", "audio")]
SERVICE_FEATURES = [ns.DISCO_INFO, ns.PING, ns.RAYO, ns.CPA]  # CPA: XEP-0341 (its §5 misprints the feature)
VERSION = "jabber:iq:version"

# How a reject reason reaches the caller (the seed's mapping; the XEP gives none).
REJECT_CODES = {"decline": 603, "busy": 486, "error": 500}

# How a failed outbound INVITE ends the call (§7.5.1 reasons; as mod_rayo maps them).
END_REASONS = {486: "busy", 600: "busy", 603: "rejected", 403: "rejected", 408: "timeout", 480: "timeout", 487: "timeout"}

# The Q.850 cause an end reason carries under the variation end-platform-code (16: normal clearing).
Q850_CAUSES = {"busy": "17", "rejected": "21", "timeout": "19", "error": "41"}

# The fixed caps ver mod_rayo puts in every offer (notes: mod_rayo-live), not a hash of the call's disco.
MOD_RAYO_CALL_VER = "L9rOKMEJl9rssEggArljiapRd9k="

# Dial targets whose user part provokes the dial errors of §6.2.1.1 (see docs/reference.md).
PROVOKED_DIAL_ERRORS = {
    "unauthorized": ("not-authorized", "auth", "this client may not dial that address"),
    "congested": ("resource-constraint", "wait", "no capacity left for outbound calls"),
}


class RayoCore:
    def __init__(self, *, service: str, sip: Any, send: Callable[[etree._Element | str], None],
                 faults: Faults = Faults(), without: Without = Without(), registered: frozenset[str] | None = None, dialect: str = "xep0327",
                 variations: Variations = Variations()):
        self.service = service
        self.dialect = dialect_named(dialect)  # where the seed draft and XEP-0327 differ
        self.sip = sip
        self.send = send
        self.faults = faults
        self.without = without  # optional features this server lacks
        self.variations = variations  # legal choices other than the default ones
        # §5.2: call JIDs are <id>@[<call sub-domain>.]<service domain>
        self.call_domain = f"call.{service}" if "call-subdomain" in variations else service
        self.mixer_domain = f"mixer.{service}" if "mixer-subdomain" in variations else service  # likewise for mixers
        self.registered = registered  # local parts of the accounts that may use Rayo (None: all)
        self.clients = Availability(
            honour_dnd="offer-sent-to-dnd-client" not in faults, honour_unavailable="unavailable-ignored" not in faults
        )
        self.calls: dict[str, Call] = {}  # ended calls stay, so commands to them get item-not-found
        self.joining = Joining(self)
        self.media = CallMedia(self)
        self.messages = CallMessages(self)
        self.components = Components(self)
        self.paths = MediaPaths(self)
        self.subscriptions = Subscriptions(self)
        self.call_ver = st.caps_ver(CALL_IDENTITY, CALL_FEATURES)
        self.mixer_ver = st.caps_ver(MIXER_IDENTITY, CALL_FEATURES)
        self._after: list[Callable[[], Any]] | None = None
        sip.on_incoming = self.incoming_call

    # --- stanzas in ------------------------------------------------------------------

    def receive(self, stanza: etree._Element) -> None:
        kind = etree.QName(stanza).localname
        if kind == "presence":
            if JID.parse(stanza.get("to", self.service)).bare == self.service:
                self.clients.update(stanza)
                self.drop_abandoned_offers()
            elif stanza.get("type") == "subscribe":
                self.subscriptions.request(stanza)
        elif kind == "iq" and stanza.get("type") in ("get", "set"):
            self.iq(stanza)
        elif kind == "message" and stanza.get("type") != "error":
            self.messages.receive(stanza)

    def iq(self, request: etree._Element) -> None:
        """Handle a command; events it causes go out after its result (self.after)."""
        payload = next((child for child in request if isinstance(child.tag, str)), None)
        self._after = []
        try:
            if payload is None:
                raise CommandError("bad-request", "modify", "empty iq")
            children = self.route(request, payload)
        except CommandError as err:
            self._after = None
            self.send(st.error(request, err.condition, err.type, err.text))
            return
        after, self._after = self._after, None
        self.send(st.result(request, children))
        if "iq-result-sent-twice" in self.faults and etree.QName(payload).localname == "accept":
            self.send(st.result(request, children))
        for callback in after:
            callback()

    def after(self, callback: Callable[[], Any]) -> None:
        """Run once the current command is answered (or now, outside a command)."""
        if self._after is None:
            callback()
        else:
            self._after.append(callback)

    def route(self, request: etree._Element, payload: etree._Element) -> list[etree._Element]:
        to = JID.parse(request.get("to", self.service))
        if to.bare == self.service:
            return self.service_command(request, payload)
        if to.domain not in (self.service, self.call_domain, self.mixer_domain):
            raise CommandError("item-not-found", "cancel")
        if to.resource and to.resource == self.dialect.call_resource and "call-resource-refused" in self.faults:
            raise CommandError("item-not-found", "cancel")
        if not self.dialect.addresses_call(to.resource):
            return self.components.command(request, payload, to)
        if payload.tag == ns.qname(ns.DISCO_INFO, "query") and request.get("type") == "get":
            return self.entity_disco(to, request.get("from"))
        call = self.calls.get(to.local) if to.domain == self.call_domain else None
        if call is not None and not call.ended:
            return self.call_command(call, request, payload)
        if self.mixer_seen_by(to, request.get("from")):
            return self.mixer_command(to, request, payload)
        if "unknown-call-service-unavailable" in self.faults:
            raise CommandError("service-unavailable", "cancel")
        raise CommandError("item-not-found", "cancel")

    def mixer_command(self, to: JID, request: etree._Element, payload: etree._Element) -> list[etree._Element]:
        """R-6.4-k: a mixer hosts components; it takes no call command."""
        if etree.QName(payload).namespace == ns.RAYO:
            raise CommandError("feature-not-implemented", "cancel", "mixers take no call commands here")
        return self.components.start_on_mixer(self.joining.mixer_for(str(to)), request, payload)

    # --- the service: dial, disco, ping ---------------------------------------------

    def service_command(self, request: etree._Element, payload: etree._Element) -> list[etree._Element]:
        name = payload.tag
        if name == ns.qname(ns.PING, "ping"):
            return []
        if name == ns.qname(VERSION, "query") and request.get("type") == "get":
            return [self.software_version()]
        if name == ns.qname(ns.DISCO_INFO, "query"):
            features = [f for f in SERVICE_FEATURES if not (f == ns.RAYO and "disco-without-rayo-feature" in self.faults)]
            identity = ("server", "im") if "service-identity-server-im" in self.variations else ("component", "generic")
            return [self.disco(identity, features)]
        if name == ns.qname(ns.RAYO, "dial") and request.get("type") == "set":
            return [self.dial(request.get("from"), payload)]
        raise CommandError("feature-not-implemented", "cancel")

    def software_version(self) -> etree._Element:
        """XEP-0092: the harness puts this in its report as the server's identity."""
        fields = {"name": "rayo-conformance reference server", "version": __version__}
        children = []
        for key, value in fields.items():
            child = st.element(VERSION, key)
            child.text = value
            children.append(child)
        return st.element(VERSION, "query", children=children)

    def disco(self, identity: tuple[str, str], features: list[str]) -> etree._Element:
        children = [st.element(ns.DISCO_INFO, "identity", {"category": identity[0], "type": identity[1]})]
        children += [st.element(ns.DISCO_INFO, "feature", {"var": feature}) for feature in features]
        return st.element(ns.DISCO_INFO, "query", children=children)

    def entity_disco(self, to: JID, sender: str) -> list[etree._Element]:
        """R-8-a: calls and mixers are Rayo entities and say so."""
        call = self.calls.get(to.local)
        if call is not None and not call.ended and "call-disco-not-implemented" in self.faults:
            raise CommandError("feature-not-implemented", "modify")
        if call is not None and not call.ended:
            return [self.disco(CALL_IDENTITY[0], CALL_FEATURES)]
        if self.mixer_seen_by(to, sender):
            return [self.disco(MIXER_IDENTITY[0], CALL_FEATURES)]
        raise CommandError("item-not-found", "cancel")

    def mixer_seen_by(self, to: JID, sender: str) -> bool:
        """Mixers exist per security zone (R-6.4-g, R-6.4-h): another zone's mixer is not there for you."""
        mixer = self.joining.mixer_for(str(to))
        if mixer is None:
            return False
        return mixer.zone == JID.parse(sender).bare or "mixer-visible-across-zones" in self.faults

    def dial(self, client: str, dial: etree._Element) -> etree._Element:
        if "outbound-calls" in self.without and "no-outbound-dials-anyway" not in self.faults:
            condition = "service-unavailable" if "no-outbound-service-unavailable" in self.faults else "feature-not-implemented"
            raise CommandError(condition, "cancel", "this server makes no outbound calls")  # R-6.2.1.1-c
        self.check_dial_policy(client, dial.get("to", ""))
        to = dial.get("to", "")
        call_id = self._requested_id(dial.get("uri"))
        timeout = self._timeout(dial.get("timeout", "-1"))
        nested = [self._nested_join(client, join) for join in dial.findall(ns.qname(ns.RAYO, "join"))]
        headers = [] if "dial-drops-headers" in self.faults else _headers(dial)
        if "dial-reorders-headers" in self.faults:
            headers.reverse()
        from_uri = dial.get("from") if dial.get("from") and "dial-ignores-from" not in self.faults else None
        sip_call = self.sip.invite(to, from_uri=from_uri or f"sip:rayo@{self.service}", headers=headers)
        call = Call(call_id, f"{call_id}@{self.call_domain}", False, sip_call, State.DIALING, dcp=client, pending_joins=nested)
        call.commanded.append(client)
        self.calls[call_id] = call
        sip_call.on_event = lambda event: self.outbound_event(call, event)
        if timeout > 0 and "dial-timeout-ignored" not in self.faults:
            call.timer = asyncio.get_running_loop().call_later(timeout / 1000, self.dial_timed_out, call)
        if "ref-id" in self.faults:
            return st.rayo("ref", {"id": call_id})
        if "ref-uri" in self.faults:
            return XEP0327.ref(call_id, call.jid)
        return self.dialect.ref(call_id, call.jid)

    def _requested_id(self, uri: str | None) -> str:
        """The call id a dial asks for with `uri` (§6.2.1), or a new one."""
        if uri is None or "dial-uri-ignored" in self.faults:
            return self.new_call_id()
        try:
            jid = JID.parse(strip_xmpp_uri(uri))
        except ValueError:
            jid = None
        if not uri.startswith("xmpp:") or jid is None or not jid.local or jid.resource or jid.domain != self.call_domain:
            raise self.bad_dial(f"uri must be xmpp:<id>@{self.call_domain}")
        if jid.local in self.calls:
            raise CommandError("conflict", "modify", "a call with this uri exists")
        return jid.local

    def check_dial_policy(self, client: str, to: str) -> None:
        """§6.2.1.1: who may dial, what is a dial address, and what the reference refuses on purpose."""
        unknown = self.registered is not None and JID.parse(client).local not in self.registered
        if unknown and "unregistered-client-may-dial" not in self.faults:
            raise CommandError("registration-required", "auth", "this client is not registered for Rayo")
        if not to.startswith(("sip:", "sips:")) or "@" not in to:
            raise self.bad_dial("dial needs a sip: URI in 'to'")
        refused = PROVOKED_DIAL_ERRORS.get(_sip_user(to))
        if refused is None:
            return
        condition, type, text = refused
        if condition == "not-authorized" and "dial-refused-as-forbidden" in self.faults:
            condition = "forbidden"
        if condition == "resource-constraint" and "dial-resource-constraint-type-cancel" in self.faults:
            type = "cancel"
        raise CommandError(condition, type, text)

    def bad_dial(self, text: str) -> CommandError:
        return CommandError("bad-request", "cancel" if "dial-error-type-cancel" in self.faults else "modify", text)

    def _nested_join(self, client: str, join: etree._Element) -> tuple[str, Join]:
        """§6.2.1.2: a join inside a dial, checked now, made once the new call is answered."""
        if "join" not in self.dialect.call_commands:
            raise CommandError("feature-not-implemented", "cancel", f"no joins in {self.dialect.name}")
        if join.get("call-uri") is None or join.get("mixer-name") is not None:
            raise CommandError("bad-request", "modify", "a nested join names the call to join with call-uri")
        peer = self.joining.peer(JID.parse(client).bare, join.get("call-uri"))
        return peer.jid, Join(join.get("direction", "duplex"), join.get("media", "bridge"))

    @staticmethod
    def _timeout(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise CommandError("bad-request", "modify", "timeout must be an integer") from None
        if value < -1:
            raise CommandError("bad-request", "modify", "timeout must be -1 or more")
        return value

    # --- inbound calls ----------------------------------------------------------------

    def incoming_call(self, sip_call: Any) -> None:
        parties = self.clients.for_user(_sip_user(sip_call.request.uri))
        if not parties:
            if "no-client-leaves-call-ringing" in self.faults:
                sip_call.provisional(180)
            else:
                sip_call.reject(self._no_party_code())  # §6.2.2: no potential controlling party
            return
        call_id = self.new_call_id()
        call = Call(call_id, f"{call_id}@{self.call_domain}", True, sip_call, State.OFFERED, offered_to=list(parties))
        self.calls[call_id] = call
        sip_call.on_event = lambda event: self.inbound_event(call, event)
        for party in parties[:1] if "offer-only-to-first-client" in self.faults else parties:
            self.send_presence(self.offer_sender(call, party), party, self.offer_caps() + [self.offer(sip_call.request)])

    def offer_sender(self, call: Call, party: str) -> str | None:
        """The offer's from: its call's JID (§6.2.2), unless a fault says otherwise."""
        if "offer-from-another-domain" in self.faults:
            return f"{call.id}@calls.elsewhere.example"
        if "offer-from-the-client" in self.faults:
            return party
        if "offer-without-from" in self.faults:
            return None
        return self.dialect.event_sender(call.jid)

    def new_call_id(self) -> str:
        """§5.2 leaves the call id's form to the server: a plain hex one, or a dashed UUID as mod_rayo's."""
        return str(uuid.uuid4()) if "call-ids-uuid" in self.variations else new_call_id()

    def _no_party_code(self) -> int:
        """R-6.2.2-d: a "service unavailable" indication, with no SIP code named (digest A15)."""
        return 480 if "no-party-480" in self.variations else 503

    def offer(self, invite: Any) -> etree._Element:
        headers = list(invite.headers)
        if "offer-drops-headers" in self.faults:
            headers = []
        if "offer-reorders-headers" in self.faults:
            headers.reverse()
        if "offer-over-the-size-limit" in self.faults:  # past the harness's default limit of 1 MiB
            headers.append(("X-Padding", "x" * 1_100_000))
        if "offer-headers-by-name" in self.variations:  # R-6.7-b orders only the values of one name
            headers.sort(key=lambda header: header[0].lower())
        if "header-names-lowercase" in self.variations:  # SIP header names are case-insensitive (RFC 3261 §7.3.1)
            headers = [(name.lower(), value) for name, value in headers]
        from_value = invite.get("From") or ""
        return st.rayo("offer", {"to": invite.uri, "from": _uri(from_value)}, st.headers(headers))

    def offer_caps(self) -> list[etree._Element]:
        if "offer-without-caps" in self.faults:
            return []
        if "offer-caps-fixed-ver" in self.variations:  # A17: caps ver values are not verified
            return [st.caps(ns.RAYO_CALL, MOD_RAYO_CALL_VER)]
        return [st.caps(ns.RAYO_CALL, self.call_ver)]

    def drop_abandoned_offers(self) -> None:
        """R-6.2.2-i: an offered call whose every client has gone is refused like one with none."""
        if "abandoned-offer-kept" in self.faults:
            return
        for call in list(self.calls.values()):
            if call.state is State.OFFERED and call.dcp is None and not any(map(self.clients.is_available, call.offered_to)):
                call.sip.reject(self._no_party_code())
                self.end(call, "error")

    def inbound_event(self, call: Call, event: Any) -> None:
        if call.ended:
            return
        if event.kind == "dtmf":
            self.media.dtmf(call, event.digit)
            self.components.dtmf(call, event.digit, event.source)
        elif event.kind in ("cancelled", "bye"):
            if event.kind == "cancelled" and "cancel-ignored" in self.faults:
                call.state = State.ENDED
                return
            self.end(call, "hungup")
        elif event.kind == "ack-timeout":
            self.end(call, "error")

    # --- commands to a call ------------------------------------------------------------

    def call_command(self, call: Call, request: etree._Element, payload: etree._Element) -> list[etree._Element]:
        self.take_control(call, request.get("from"))
        if etree.QName(payload).namespace != ns.RAYO:
            return self.components.start(call, request, payload)
        name = etree.QName(payload).localname
        if name not in self.dialect.call_commands:
            if "unknown-command-accepted" in self.faults:
                return []
            if "unknown-command-bad-request" in self.variations:  # §10: any error will do
                raise CommandError("bad-request", "modify", f"{name} is not a call command in {self.dialect.name}")
            raise CommandError("feature-not-implemented", "cancel", f"{name} is not a call command in {self.dialect.name}")
        if name == "join":
            return self.joining.join(call, payload)
        if name == "unjoin":
            return self.joining.unjoin(call, payload)
        if name in MEDIA_COMMANDS:
            getattr(self.media, name)(call, payload)
        else:
            getattr(self, "cmd_" + name)(call, payload)
        return []

    def take_control(self, call: Call, sender: str) -> None:
        """§6.2.2: the first offered client to send a command becomes the DCP."""
        if call.dcp is None and sender in call.offered_to:
            call.dcp = sender
        if sender != call.dcp and "no-conflict-for-second-client" not in self.faults:
            raise CommandError("conflict", "cancel", "another client controls this call")
        if sender not in call.commanded:
            call.commanded.append(sender)

    def _inbound_unanswered(self, call: Call, command: str) -> None:
        if not call.inbound or call.state not in (State.OFFERED, State.ACCEPTED):
            raise CommandError("unexpected-request", "wait", f"{command} needs an inbound call that is not answered")

    def _sip_headers(self, payload: etree._Element) -> list[tuple[str, str]]:
        return [] if "command-headers-dropped" in self.faults else _headers(payload)

    def cmd_accept(self, call: Call, payload: etree._Element) -> None:
        self._inbound_unanswered(call, "accept")
        if "accept-sends-nothing" not in self.faults:
            call.sip.provisional(183 if "accept-183" in self.variations else 180, headers=self._sip_headers(payload))
        call.state = State.ACCEPTED

    def cmd_answer(self, call: Call, payload: etree._Element) -> None:
        self._inbound_unanswered(call, "answer")
        if "answer-sends-180" in self.faults:
            call.sip.provisional(180, headers=self._sip_headers(payload))
        else:
            call.sip.answer(headers=self._sip_headers(payload))
        call.state = State.ANSWERED
        if "answered-on-inbound" in self.variations:  # §7.4: an <answered/> event the XEP does not limit to outbound calls
            self.after(lambda: self.broadcast(call, st.rayo("answered")))

    def cmd_redirect(self, call: Call, payload: etree._Element) -> None:
        if call.answered and "redirect-after-answer-allowed" in self.faults:
            return
        self._inbound_unanswered(call, "redirect")
        target = payload.get("to")
        if not target:
            raise CommandError("bad-request", "modify", "redirect needs 'to'")
        if "redirect-without-contact" in self.faults:
            call.sip.reject(302, headers=self._sip_headers(payload))
        else:
            call.sip.redirect(target, headers=self._sip_headers(payload))
        self.after(lambda: self.end(call, "hangup-command"))

    def cmd_reject(self, call: Call, payload: etree._Element) -> None:
        reasons = [etree.QName(c).localname for c in payload if isinstance(c.tag, str) and etree.QName(c).localname != "header"]
        if not reasons and self.dialect.reject_default and "reject-needs-reason" not in self.faults:
            reasons = [self.dialect.reject_default]
        if len(reasons) != 1 or reasons[0] not in REJECT_CODES:
            raise CommandError("bad-request", "modify", "reject needs one reason: decline, busy or error")
        if call.inbound and call.state is State.ACCEPTED and "reject-after-accept-allowed" not in self.faults:
            raise CommandError("not-allowed", "cancel", "the call was already accepted")
        self._inbound_unanswered(call, "reject")
        call.sip.reject(self._reject_code(reasons[0]), headers=self._sip_headers(payload))
        reason = "rejected" if "reject-ends-rejected" in self.variations else "hangup-command"  # A7: the XEP names none
        self.after(lambda: self.end(call, reason))

    def _reject_code(self, reason: str) -> int:
        if "reject-codes-swapped" in self.faults and reason in ("busy", "decline"):
            return {"busy": 603, "decline": 486}[reason]
        for variation, code in (("reject-error-503", 503), ("reject-busy-600", 600), ("reject-decline-403", 403)):
            if variation in self.variations and reason == variation.split("-")[1]:
                return code
        return REJECT_CODES[reason]

    def cmd_hangup(self, call: Call, payload: etree._Element) -> None:
        """§6.6.3: joins break (unjoined), then the SIP session ends, then <end/>."""
        reason = "hungup" if "hangup-command-reported-as-hungup" in self.faults else "hangup-command"
        self.after(lambda: self.hang_up(call, self._sip_headers(payload), reason))

    def hang_up(self, call: Call, headers: list[tuple[str, str]], reason: str) -> None:
        answered = call.answered
        if "end-before-unjoined" in self.faults:
            self.end(call, reason, unjoin=False)
        self.components.complete_all(call.jid, "hangup")
        self.joining.break_all(call)
        if answered:
            if "hangup-without-bye" not in self.faults:
                call.sip.hangup(headers=headers)
        elif call.inbound:
            call.sip.reject(480 if "hangup-unanswered-480" in self.variations else 603, headers=headers)
        else:
            call.sip.cancel()
        if "no-end-after-hangup" in self.faults:
            call.state = State.ENDED
        else:
            self.end(call, reason)

    # --- outbound calls ----------------------------------------------------------------

    def outbound_event(self, call: Call, event: Any) -> None:
        if call.ended:
            return
        if event.kind == "dtmf":
            self.media.dtmf(call, event.digit)
            self.components.dtmf(call, event.digit, event.source)
        elif event.kind == "provisional" and call.state is State.DIALING:
            call.state = State.RINGING
            if "no-ringing" not in self.faults:
                self.broadcast(call, st.rayo("ringing", children=st.headers(self._progress_headers(event.message))))
        elif event.kind == "answered":
            call.state = State.ANSWERED
            self._stop_timer(call)
            if "no-answered" not in self.faults:
                self.broadcast(call, st.rayo("answered", children=st.headers(self._progress_headers(event.message))))
            self.make_nested_joins(call)
        elif event.kind == "failed":
            self.end(call, self._failure_reason(event.code))
        elif event.kind == "timeout":
            self.end(call, "timeout")
        elif event.kind == "bye":
            self.end(call, "hungup")

    def _progress_headers(self, message: Any) -> list[tuple[str, str]]:
        """What ringing and answered carry of the far end's response: its extension headers."""
        return [] if "progress-headers-dropped" in self.faults else _x_headers(message)

    def make_nested_joins(self, call: Call) -> None:
        if "nested-join-ignored" in self.faults:
            return
        for peer_jid, join in call.pending_joins:
            peer = self.calls.get(JID.parse(peer_jid).local)
            if peer is not None and peer.answered:
                self.joining.join_call(call, peer, join)
        call.pending_joins = []

    def _failure_reason(self, code: int | None) -> str:
        reason = END_REASONS.get(code or 0, "error")
        if reason == "timeout" and "no-answer-reported-as-error" in self.faults:
            return "error"
        if reason == "busy" and "busy-reported-as-rejected" in self.faults:
            return "rejected"
        return reason

    def dial_timed_out(self, call: Call) -> None:
        if call.ended or call.state is State.ANSWERED:
            return
        call.sip.cancel()
        self.end(call, "timeout")

    def _stop_timer(self, call: Call) -> None:
        if call.timer is not None:
            call.timer.cancel()
            call.timer = None

    # --- events --------------------------------------------------------------------

    def send_presence(self, sender: str, to: str, children: Iterable[etree._Element], type: str | None = None) -> None:
        """An event (§5.3): directed presence, stamped (XEP-0203) as the XEP says servers should."""
        children = list(children)
        if "events-without-delay" not in self.faults:
            children.append(st.delay_stamp())
        self.send(st.stanza("presence", sender, to, type, children=children))

    def event(self, call: Call, to: str, payload: etree._Element, type: str | None = None, extra=()) -> None:
        self.send_presence(self.dialect.event_sender(call.jid), to, list(extra) + [payload], type)

    def broadcast(self, call: Call, payload: etree._Element) -> None:
        for party in call.controllers():
            self.event(call, party, payload)

    def end(self, call: Call, reason: str, unjoin: bool = True) -> None:
        """§6.6.4: the call is over; its joins break first, then every JID that
        was offered it or commanded it hears so."""
        if call.ended:
            return
        self._stop_timer(call)
        self.components.complete_all(call.jid, "hangup")
        if unjoin:
            self.joining.break_all(call)
        call.state = State.ENDED
        if reason == "hungup" and "remote-hangup-reported-as-hangup" in self.faults:
            reason = "hangup"
        if reason not in ("hungup", "rejected") or "xep-remote-end-reasons" not in self.faults:
            reason = self.dialect.end_reason(reason)
        recipients = [call.dcp] if "end-only-to-dcp" in self.faults and call.dcp else call.end_recipients()
        for recipient in recipients:
            if "malformed-end" in self.faults:
                self.send(f"<presence from='{call.jid}' to='{recipient}' type='unavailable'><end xmlns='{ns.RAYO}'><{reason}/></presence>")
                continue
            type = None if "end-not-unavailable" in self.faults else self.dialect.end_type
            self.event(call, recipient, st.rayo("end", children=[self._end_reason(reason)]), type=type)
            if "event-after-end" in self.faults:
                self.event(call, recipient, st.rayo("answered"))

    def _end_reason(self, reason: str) -> etree._Element:
        if "end-platform-code" in self.variations:  # §7.5.1: an OPTIONAL platform-code, a Q.850 cause as mod_rayo gives
            return st.rayo(reason, {"platform-code": Q850_CAUSES.get(reason, "16")})
        return st.rayo(reason)


def _headers(payload: etree._Element) -> list[tuple[str, str]]:
    return [(h.get("name"), h.get("value")) for h in payload.findall(ns.qname(ns.RAYO, "header"))]


def _sip_user(uri: str) -> str:
    """'sip:harness@127.0.0.1:5060;transport=udp' -> 'harness': the Rayo account the call is for."""
    rest = uri.split(":", 1)[-1]
    return rest.split("@", 1)[0] if "@" in rest else ""


def _uri(value: str) -> str:
    """The URI in a From/To header value."""
    if "<" in value and ">" in value:
        return value[value.index("<") + 1 : value.index(">")]
    return value.split(";")[0].strip()


def _x_headers(message: Any) -> list[tuple[str, str]]:
    """The headers of a SIP message worth reporting in ringing/answered: extension headers."""
    if message is None:
        return []
    return [(name, value) for name, value in message.headers if name.lower().startswith("x-")]
