"""Where the audio of joined calls goes (XEP-0327 §6.3, §6.4), and who speaks in a mixer.

The paths are derived from the join state each time it changes: a call joined
to a call sends its audio there when its join's direction is duplex or send;
in a mixer, every member whose direction is duplex or send is heard by every
other member whose direction is duplex or recv, and so is what the mixer's
own components play. Each path is a Feed on the receiving call's audio,
filled by a listener on the sending call's (or mixer's) audio, so the
server's own RTP clock paces what it relays.

A mixer member is speaking from its first frame with sound until SPEECH_END
of silence: the mixer reports started-speaking and stopped-speaking (R-6.4-l).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...protocol.jid import JID
from . import stanzas as st
from .calls import Call, Mixer

if TYPE_CHECKING:
    from ...media.tape import Frame
    from .rayo import RayoCore

SPEECH_END = 0.2  # seconds of silence that end a turn of speech
QUEUE = 3  # frames a path holds before it drops the oldest: relayed audio never lags behind


class Feed:
    """A Source playing what another call sends, as it arrives."""

    finished = False

    def __init__(self) -> None:
        self.frames: deque[list[int]] = deque(maxlen=QUEUE)

    def push(self, frame: Frame) -> None:
        self.frames.append(frame.samples)

    def next_frame(self) -> list[int] | None:
        return self.frames.popleft() if self.frames else None

    def ended(self) -> None:
        pass


class Speaker:
    """One member of a mixer, as speaker detection sees it."""

    def __init__(self, on_change: Callable[[bool], None]):
        self.speaking = False
        self._on_change = on_change
        self._end: asyncio.TimerHandle | None = None

    def hear(self, frame: Frame) -> None:
        if not frame.sound:
            return
        if not self.speaking:
            self.speaking = True
            self._on_change(True)
        if self._end is not None:
            self._end.cancel()
        self._end = asyncio.get_running_loop().call_later(SPEECH_END, self.stop)

    def stop(self) -> None:
        if self._end is not None:
            self._end.cancel()
            self._end = None
        if self.speaking:
            self.speaking = False
            self._on_change(False)


class MediaPaths:
    def __init__(self, core: RayoCore):
        self.core = core
        self.feeds: dict[tuple[str, str], tuple[Feed, Callable[[Frame], None]]] = {}  # (from, to) call JIDs
        self.speakers: dict[tuple[str, str], tuple[Speaker, Callable[[Frame], None]]] = {}  # (mixer, call) JIDs

    def rewire(self) -> None:
        """Make the paths and speaker detectors match the joins as they are now."""
        self._match(self.feeds, self._paths(), self._open_path, self._close_path)
        speakers = {(m.jid, call) for m in self.core.joining.mixers.values() for call in m.members}
        if "speaking-events-missing" in self.core.faults:
            speakers = set()
        self._match(self.speakers, speakers, self._open_speaker, self._close_speaker)

    @staticmethod
    def _match(current: dict, wanted: set, open_: Callable, close: Callable) -> None:
        for key in set(current) - wanted:
            close(key, *current.pop(key))
        for key in wanted - set(current):
            current[key] = open_(key)

    def _paths(self) -> set[tuple[str, str]]:
        faults = self.core.faults
        sends = ("duplex", "send", "recv") if "join-direction-ignored" in faults else ("duplex", "send")
        receives = ("duplex", "send", "recv") if "join-direction-ignored" in faults else ("duplex", "recv")
        paths = set()
        for call in self._live_calls() if "joined-calls-not-bridged" not in faults else ():
            for peer, join in call.joins.items():
                if self.core.joining.mixer_for(peer) is None and join.direction in sends:
                    paths.add((call.jid, peer))
        for mixer in self.core.joining.mixers.values():
            senders = [c for c, join in mixer.members.items() if join.direction in sends]
            receivers = [c for c, join in mixer.members.items() if join.direction in receives]
            echo = "mixer-echoes-the-speaker" in faults
            paths |= {(s, r) for s in senders for r in receivers if s != r or echo}
        live = {call.jid for call in self._live_calls()}
        paths = {(a, b) for a, b in paths if a in live and b in live}
        return paths | {(mixer, b) for mixer, b in self._mixer_outputs(receives) if b in live}

    def _mixer_outputs(self, receives: tuple[str, ...]) -> set[tuple[str, str]]:
        """What a mixer's components play goes to every member that receives from the mixer (R-6.5.3.1-b)."""
        paths = set()
        for mixer in self.core.joining.mixers.values():
            if mixer.jid not in self.core.components.audio:
                continue  # no component has played on it: it has no audio of its own
            receivers = [c for c, join in mixer.members.items() if join.direction in receives]
            if "mixer-output-to-first-member-only" in self.core.faults:
                receivers = receivers[:1]
            paths |= {(mixer.jid, r) for r in receivers}
        return paths

    def _live_calls(self) -> list[Call]:
        return [call for call in self.core.calls.values() if call.answered and not call.ended]

    def _audio(self, call_jid: str):
        return self.core.components.audio_for(self.core.calls[JID.parse(call_jid).local])

    def _open_path(self, key: tuple[str, str]):
        source, sink = key
        feed = Feed()
        self._audio(sink).play(feed)
        if self.core.joining.mixer_for(source) is not None:
            self.core.components.audio[source].played.append(feed.push)  # what the mixer's components play
            return feed, feed.push
        sender = self.core.calls[JID.parse(source).local]

        def listen(frame: Frame) -> None:
            if not sender.muted:
                feed.push(frame)

        self._audio(source).listeners.append(listen)
        if "output-heard-across-joins" in self.core.faults:
            self._audio(source).played.append(listen)  # what components play on the call goes along
        return feed, listen

    def _close_path(self, key: tuple[str, str], feed: Feed, listen: Callable[[Frame], None]) -> None:
        source, sink = (self.core.components.audio.get(jid) for jid in key)
        for listeners in (source.listeners, source.played) if source is not None else ():
            if listen in listeners:
                listeners.remove(listen)
        if sink is not None:
            sink.remove(feed)

    def _open_speaker(self, key: tuple[str, str]):
        mixer_jid, call_jid = key
        speaker = Speaker(lambda speaking: self._announce(mixer_jid, call_jid, speaking))
        self._audio(call_jid).listeners.append(speaker.hear)
        return speaker, speaker.hear

    def _close_speaker(self, key: tuple[str, str], speaker: Speaker, hear: Callable[[Frame], None]) -> None:
        audio = self.core.components.audio.get(key[1])
        if audio is not None and hear in audio.listeners:
            audio.listeners.remove(hear)
        speaker.stop()  # a member that leaves mid-sentence has stopped speaking

    def _announce(self, mixer_jid: str, call_jid: str, speaking: bool) -> None:
        mixer: Mixer | None = self.core.joining.mixer_for(mixer_jid)
        if mixer is None or (not speaking and "stopped-speaking-missing" in self.core.faults):
            return
        event = "started-speaking" if speaking else "stopped-speaking"
        self.core.joining.mixer_event(mixer, st.rayo(event, {"call-uri": f"xmpp:{call_jid}"}))
