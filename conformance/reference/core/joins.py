"""Joins between calls, and mixers (XEP-0327 §6.3, §6.4).

A join links two entities (call-call or call-mixer) with a direction and a
media mode; both sides announce it with <joined/> and announce its end with
<unjoined/>. A mixer is created by the first join naming it, in the security
zone of the call's controlling party, and destroyed when its last call leaves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ...protocol import namespaces as ns
from ...protocol.jid import JID, strip_xmpp_uri
from . import stanzas as st
from .calls import Call, Join, Mixer, mixer_local
from .errors import CommandError

if TYPE_CHECKING:
    from .rayo import RayoCore

DIRECTIONS = ("duplex", "send", "recv")
MEDIA = ("bridge", "direct")
OPPOSITE = {"duplex": "duplex", "send": "recv", "recv": "send"}


class Joining:
    def __init__(self, core: RayoCore):
        self.core = core
        self.mixers: dict[str, Mixer] = {}  # local part of the mixer JID -> mixer

    # --- commands -----------------------------------------------------------------

    def join(self, call: Call, payload: etree._Element) -> list[etree._Element]:
        call_uri, mixer_name = payload.get("call-uri"), payload.get("mixer-name")
        if (call_uri is None) == (mixer_name is None):
            raise CommandError("bad-request", "modify", "a join names exactly one of call-uri and mixer-name")
        join = Join(payload.get("direction", "duplex"), payload.get("media", "bridge"))
        if join.direction not in DIRECTIONS or join.media not in MEDIA:
            raise CommandError("bad-request", "modify", "direction is duplex, send or recv; media is bridge or direct")
        if join.media == "direct":
            raise CommandError("feature-not-implemented", "modify", "the reference server bridges all media")
        if not call.answered:
            raise CommandError("unexpected-request", "wait", "only an answered call can be joined")
        if mixer_name is not None:
            return self.join_mixer(call, mixer_name, join)
        peer = self.peer(call.zone(), call_uri)
        if peer is call:
            raise CommandError("bad-request", "modify", "a call cannot join itself")
        self.join_call(call, peer, join)
        return []

    def peer(self, zone: str | None, call_uri: str) -> Call:
        """The call a join names, if the joining zone may join it (§6.3.1)."""
        jid = self._call_jid(call_uri)
        peer = self.core.calls.get(jid.local)
        if peer is None or peer.ended:
            if "join-unknown-party-item-not-found" in self.core.faults:
                raise CommandError("item-not-found", "cancel")
            raise CommandError("service-unavailable", "cancel", "no such call")
        if peer.zone() != zone and "join-across-zones" not in self.core.faults:
            raise CommandError("not-allowed", "cancel", "that call is in another security zone")
        if not peer.answered:
            raise CommandError("unexpected-request", "wait", "only an answered call can be joined")
        return peer

    def _call_jid(self, call_uri: str) -> JID:
        try:
            jid = JID.parse(strip_xmpp_uri(call_uri))
        except ValueError:
            jid = None
        if not call_uri.startswith("xmpp:") or jid is None or not jid.local or jid.resource:
            if "malformed-join-service-unavailable" in self.core.faults:
                raise CommandError("service-unavailable", "cancel")
            raise CommandError("bad-request", "modify", f"call-uri must be xmpp:<call JID>, not {call_uri!r}")
        return jid

    def unjoin(self, call: Call, payload: etree._Element) -> list[etree._Element]:
        call_uri, mixer_name = payload.get("call-uri"), payload.get("mixer-name")
        if call_uri is not None and mixer_name is not None:
            raise CommandError("bad-request", "modify", "an unjoin names at most one of call-uri and mixer-name")
        if call_uri is None and mixer_name is None:
            peers = list(call.joins)
            if "unjoin-all-breaks-one" in self.core.faults:
                peers = peers[:1]
        elif call_uri is not None:
            peers = [self._call_jid(call_uri).bare]
        else:
            peers = [self._mixer_jid(call, mixer_name)]
        missing = [peer for peer in peers if peer not in call.joins]
        if missing or not peers:
            raise CommandError("service-unavailable", "cancel", "the call is not joined to that")
        self.core.after(lambda: [self.separate(call, peer) for peer in peers])
        return []

    # --- calls ------------------------------------------------------------------------

    def join_call(self, call: Call, peer: Call, join: Join) -> None:
        self.one_join_each(call, peer.jid, peer.joins)
        modifying = peer.jid in call.joins
        call.joins[peer.jid] = join
        peer.joins[call.jid] = Join(OPPOSITE[join.direction], join.media)
        self.core.after(self.core.paths.rewire)
        if modifying and "joined-resent-on-modify" not in self.core.faults:
            return  # §6.3.4: a new join to the same party changes it, and says nothing
        self.core.after(lambda: self.announce_call_join(call, peer))

    def announce_call_join(self, call: Call, peer: Call) -> None:
        self.core.broadcast(call, st.rayo("joined", {"call-uri": f"xmpp:{peer.jid}"}))
        if "joined-only-from-one-side" not in self.core.faults:
            self.core.broadcast(peer, st.rayo("joined", {"call-uri": f"xmpp:{call.jid}"}))

    def one_join_each(self, call: Call, other: str, others_joins: dict) -> None:
        """A server without multiple joins (as mod_rayo) keeps each call in one join: a join that would
        need a second, on either side, gets conflict (R-6.3.4-f); changing the existing one is fine."""
        if "multiple-joins" not in self.core.without:
            return
        existing = [jid for jid in call.joins if jid != other] + [jid for jid in others_joins if jid != call.jid]
        if not existing:
            return
        if "second-join-ends-the-first" not in self.core.faults:
            raise CommandError("conflict", "cancel", "a call here takes part in one join at a time")
        for jid in [jid for jid in call.joins if jid != other]:
            self.separate(call, jid)

    # --- mixers -------------------------------------------------------------------------

    def _mixer_jid(self, call: Call, name: str) -> str:
        if not name:
            raise CommandError("bad-request", "modify", "mixer-name is empty")
        zone = "" if "mixer-names-global" in self.core.faults else call.zone() or ""
        return f"{mixer_local(name, zone)}@{self.core.mixer_domain}"

    def join_mixer(self, call: Call, name: str, join: Join) -> list[etree._Element]:
        jid = self._mixer_jid(call, name)
        self.one_join_each(call, jid, {})
        mixer = self.mixers.get(JID.parse(jid).local)
        created = mixer is None
        if created:
            mixer = Mixer(name, call.zone() or "", jid)
            self.mixers[JID.parse(jid).local] = mixer
        modifying = call.jid in mixer.members
        mixer.members[call.jid] = join
        call.joins[mixer.jid] = join
        self.core.after(self.core.paths.rewire)
        late_caps = "mixer-caps-after-call-joined" in self.core.variations  # A12: the XEP orders neither
        if created and not late_caps:
            self.core.after(lambda: self.announce_mixer(mixer))
        if not modifying:
            self.core.after(lambda: self.core.broadcast(call, st.rayo("joined", {"mixer-name": mixer.name})))
        if created and late_caps:
            self.core.after(lambda: self.announce_mixer(mixer))
        if not modifying:
            self.core.after(lambda: self.mixer_event(mixer, st.rayo("joined", {"call-uri": f"xmpp:{call.jid}"})))
        if not created and "mixer-ref-on-create-only" in self.core.variations:
            return []  # A14: the XEP's examples show the ref on the join that creates the mixer
        return [st.rayo("ref", {"uri": f"xmpp:{mixer.jid}"})]

    def announce_mixer(self, mixer: Mixer) -> None:
        """R-6.4-b/e: the mixer's first presence, with its caps, to the controlling parties."""
        caps = [] if "mixer-without-caps" in self.core.faults else [st.caps(ns.RAYO_MIXER, self.core.mixer_ver)]
        for party in mixer.controllers(self.core.calls):
            self.core.send_presence(mixer.jid, party, caps)
            mixer.subscribers.append(party)

    def mixer_event(self, mixer: Mixer, payload: etree._Element, type: str | None = None) -> None:
        for party in mixer.controllers(self.core.calls) or mixer.subscribers:
            if party not in mixer.subscribers:
                mixer.subscribers.append(party)
            self.core.send_presence(mixer.jid, party, [payload], type)

    def mixer_for(self, jid: str) -> Mixer | None:
        return self.mixers.get(JID.parse(jid).local) if JID.parse(jid).domain == self.core.mixer_domain else None

    # --- breaking joins -------------------------------------------------------------------

    def separate(self, call: Call, peer_jid: str) -> None:
        """Break one join and announce it from both sides (§6.3.3)."""
        call.joins.pop(peer_jid, None)
        mixer = self.mixer_for(peer_jid)
        if mixer is not None and call.jid in mixer.members:
            self.core.broadcast(call, st.rayo("unjoined", {"mixer-name": mixer.name}))
            self.mixer_event(mixer, st.rayo("unjoined", {"call-uri": f"xmpp:{call.jid}"}))
            del mixer.members[call.jid]
            self.core.paths.rewire()
            if not mixer.members:
                self.destroy(mixer)
            return
        peer = self.core.calls.get(JID.parse(peer_jid).local)
        self.core.broadcast(call, st.rayo("unjoined", {"call-uri": f"xmpp:{peer_jid}"}))
        if peer is not None and call.jid in peer.joins:
            del peer.joins[call.jid]
            self.core.broadcast(peer, st.rayo("unjoined", {"call-uri": f"xmpp:{call.jid}"}))
        self.core.paths.rewire()

    def destroy(self, mixer: Mixer) -> None:
        """R-6.4-n/o: the last call left; the mixer goes, and says so."""
        if "mixer-not-destroyed" in self.core.faults:
            return
        del self.mixers[JID.parse(mixer.jid).local]
        if "mixer-components-outlive-mixer" not in self.core.faults:
            self.core.components.complete_all(mixer.jid, "hangup")  # its components go with it
        for party in mixer.subscribers:
            self.core.send_presence(mixer.jid, party, [], "unavailable")

    def break_all(self, call: Call) -> None:
        """The call is ending: every join breaks, announced unless the fault hides it."""
        for peer_jid in list(call.joins):
            if "unjoined-missing-on-hangup" in self.core.faults:
                self._unlink(call, peer_jid)
            else:
                self.separate(call, peer_jid)

    def _unlink(self, call: Call, peer_jid: str) -> None:
        call.joins.pop(peer_jid, None)
        mixer = self.mixer_for(peer_jid)
        if mixer is not None:
            mixer.members.pop(call.jid, None)
            self.core.paths.rewire()
            if not mixer.members:
                self.destroy(mixer)
            return
        peer = self.core.calls.get(JID.parse(peer_jid).local)
        if peer is not None:
            peer.joins.pop(call.jid, None)
        self.core.paths.rewire()
