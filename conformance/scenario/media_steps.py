"""The media steps: what a SIPp party heard from the server, what it sends, and what a
recording or a recognition result holds.

Each party's call has an RTP end in the harness (conformance.sip.media). A
"hears" step judges the next sound after what earlier steps judged; a quiet
window judges the time from the step's start. Waits wake on every packet and
are bounded: the start of a sound by the step's timeout, its end by the
longest duration the step allows. Every judgement is written to the
transcript with the tolerance it used.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from ..fileserver import opener
from ..media.tape import SETTLE, Sound, sounds_in
from ..media.tone import tone_samples
from ..media.wav import Wav, WavError, read_wav
from ..protocol.stanza import Stanza
from ..sip import SipError
from ..sip.media import CallMedia
from ..sip.parties import can_play_pcap
from . import model
from .expectations import is_last_word, stanza_summary
from .failures import SetupFailed, StepFailed
from .template import substitute

if TYPE_CHECKING:
    from .runner import CaseRunner

PLAYED_AMPLITUDE = 0.4  # the level of the tones a party plays, as a fraction of full scale
PCAP_SECONDS = 0.2  # SIPp's pcap of one key lasts 140 ms; the next key starts after this
DURATION_TOLERANCE = 0.020  # a recording's duration attribute may differ from its file by one frame
FETCH_TIMEOUT = 5.0


class MediaSteps:
    """Mixed into the CaseRunner: the do_<Step> methods of the media steps."""

    # -- hearing -------------------------------------------------------------------

    async def do_MediaHears(self: CaseRunner, step: model.MediaHears) -> None:
        media = self.party_media(step)
        sound = await self._next_sound(step, media)
        media.position = sound.end
        problem = judge_sound(sound, step.sound)
        self.transcript.note(step.party, f"heard {sound.describe()}; expected {step.sound.describe()}")
        if problem:
            raise StepFailed(self.failure(step, f"{step.phrase}: expected {step.sound.describe()}; {problem}",
                                          expected=step.sound.describe(), actual=sound.describe()))

    async def do_MediaHearing(self: CaseRunner, step: model.MediaHearing) -> None:
        media = self.party_media(step)
        sound = await self._next_sound(step, media, ongoing=True)
        wanted = f"{step.sound.what()} going on for at least {step.sound.shortest:g} s"
        problem = None if sound.duration >= step.sound.shortest else f"heard only {sound.describe()}"
        problem = problem or judge_sound(sound, model.SoundSpec(0, float("inf"), step.sound.tone, step.sound.level))
        self.transcript.note(step.party, f"hearing {sound.describe()} so far; expected {wanted}")
        if problem:
            raise StepFailed(self.failure(step, f"{step.phrase}: expected {wanted}; {problem}", expected=wanted, actual=sound.describe()))

    async def _next_sound(self: CaseRunner, step: model.MediaHears | model.MediaHearing, media: CallMedia,
                          ongoing: bool = False) -> Sound:
        """The first sound after the party's position: once it has ended, or once it is too long
        (`ongoing`: once it has lasted the shortest duration)."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.timeout(step, "event")
        while True:
            sounds = media.tape.sounds(media.position, loop.time())
            long_enough = sounds and sounds[0].duration >= step.sound.shortest
            if sounds and (sounds[0].closed or sounds[0].duration > step.sound.longest or (ongoing and long_enough)):
                return sounds[0]
            silenced = None if sounds else self._no_sound_to_come(media)
            if not sounds and (silenced or loop.time() >= give_up):
                why = silenced or f"heard nothing within {self.timeout(step, 'event'):.1f} s"
                raise StepFailed(self.failure(step, f"{step.phrase}: expected {step.sound.describe()}; {why}",
                                              expected=step.sound.describe(), actual="silence"))
            # The server's XMPP events wake the wait too: they may decide it.
            await media.changed(sounds[0].end + SETTLE if sounds else give_up, wake=self.observations.next_change())

    def _no_sound_to_come(self: CaseRunner, media: CallMedia) -> str | None:
        """Why waiting on for a sound is pointless: the call's media is over, or a component
        failed (an output that completed with an error will not be heard)."""
        if media.endpoint.closed:
            return "heard nothing, and the call's media had already ended"
        for key, stream in self.observations.streams.items():
            if key[0] != "xmpp":
                continue
            failed = next((stanza for stanza in stream.events[stream.position :] if completed_with_error(stanza)), None)
            if failed is not None:
                return f"heard nothing, and {failed.sender} had already completed with an error: {stanza_summary(failed)}"
        return None

    async def do_MediaQuiet(self: CaseRunner, step: model.MediaQuiet) -> None:
        media = self.party_media(step)
        loop = asyncio.get_running_loop()
        start = loop.time()
        end = start + step.window * self.target.timeouts.scale
        self.transcript.note(step.party, f"quiet window of {end - start:.2f} s for the audio the server sends "
                                         f"(sound in its first {step.grace:.2f} s forgiven: packets already sent)")
        while loop.time() < end and not media.tape.sound_between(start + step.grace, end):
            await media.changed(end)
        media.position = max(media.position, end)
        heard = media.tape.sound_between(start + step.grace, end)
        if heard:
            at = heard[0].time - start
            what = Sound(heard, closed=True).describe()
            raise StepFailed(self.failure(step, f"{step.phrase}: the server sent sound {at:.3f} s into the quiet window: {what}",
                                          expected="silence", actual=what))

    # -- sending -------------------------------------------------------------------

    async def do_MediaPlays(self: CaseRunner, step: model.MediaPlays) -> None:
        media = self.sending_media(step)
        milliseconds = round(step.seconds * 1000)
        if step.tone and step.cadence:
            samples = cadenced(step.tone, milliseconds, step.cadence)
            what = f"a {'+'.join(f'{f:g}' for f in step.tone)} Hz tone, {step.cadence[0]:g} s on, {step.cadence[1]:g} s off,"
        elif step.tone:
            samples = tone_samples(step.tone, milliseconds, amplitude=PLAYED_AMPLITUDE)
            what = f"a {'+'.join(f'{f:g}' for f in step.tone)} Hz tone"
        else:
            samples, what = [0] * (milliseconds * 8), "silence"
        self.transcript.note(step.party, f"plays {what} for {step.seconds:g} s")
        if step.wait:
            await media.play(samples)
        else:
            self.playing.append(asyncio.get_running_loop().create_task(media.play(samples)))

    async def do_MediaDtmf(self: CaseRunner, step: model.MediaDtmf) -> None:
        if step.via == "in rtp":
            media = self.sending_media(step)
            if media.endpoint.dtmf_pt is None:
                raise StepFailed(self.failure(step, f"{step.phrase}: the server's SDP offers no telephone-event: RFC 4733 cannot be sent"))
            self.transcript.note(step.party, f"sends {step.digits!r} as RFC 4733 events, {step.duration:g} s each, {step.gap:g} s apart")
            await media.send_digits(step.digits, duration_ms=round(step.duration * 1000), gap_ms=round(step.gap * 1000))
            return
        party = self.sip_party(step.party)
        for digit in step.digits:
            try:
                if can_play_pcap(digit):
                    await party.play_dtmf(digit)
                    await asyncio.sleep(PCAP_SECONDS)  # pacing: the pcap plays on after SIPp reports
                else:
                    self.transcript.note(step.party, f"SIPp cannot play {digit!r} from a pcap here (not root): sent as SIP INFO")
                    await party.send_dtmf(digit)
            except SipError as err:
                raise StepFailed(self.failure(step, f"{step.phrase}: {err}"))

    # -- documents ---------------------------------------------------------------------

    async def do_RecordingHolds(self: CaseRunner, step: model.RecordingHolds) -> None:
        uri = substitute(step.source, self.variables).strip()
        try:
            data = await asyncio.to_thread(fetch, uri, self.address, bool(self.target.claims.get("shared-disk")))
            wav = read_wav(data)
        except Unfetchable as err:
            raise SetupFailed(f"{step.phrase}: the harness cannot check the recording {uri}: {err}") from None
        except (OSError, ValueError, WavError) as err:
            raise StepFailed(self.failure(step, f"{step.phrase}: cannot read the recording {uri}: {err}"))
        self.transcript.note("harness", f"fetched the recording {uri}: {len(data)} bytes, {wav.duration:.3f} s, {len(wav.channels)} channel(s)")
        problems = [p for p in self._recording_problems(step, data, wav) if p]
        if problems:
            raise StepFailed(self.failure(step, f"{step.phrase}: " + "; ".join(problems)))

    def _recording_problems(self: CaseRunner, step: model.RecordingHolds, data: bytes, wav: Wav) -> list[str | None]:
        problems: list[str | None] = []
        if step.size is not None:
            size = int(substitute(step.size, self.variables))
            problems.append(None if size == len(data) else f"size says {size} bytes, the file has {len(data)}")
        if step.duration is not None:
            said = int(substitute(step.duration, self.variables)) / 1000
            off = abs(said - wav.duration) > DURATION_TOLERANCE
            problems.append(f"duration says {said:.3f} s, the file lasts {wav.duration:.3f} s (tolerance 20 ms)" if off else None)
        if step.length is not None and not step.length[0] <= wav.duration <= step.length[1]:
            problems.append(f"the file lasts {wav.duration:.3f} s, expected {step.length[0]:g} to {step.length[1]:g} s")
        sounds = sounds_in(wav.mono())
        if step.silent and sounds:
            problems.append(f"expected silence, the file holds {sounds[0].describe()}")
        if step.sound is not None:
            problem = judge_sound(sounds[0], step.sound) if sounds else "the file holds only silence"
            problems.append(f"expected {step.sound.describe()} in the file; {problem}" if problem else None)
        return problems

    async def do_NlsmlHolds(self: CaseRunner, step: model.NlsmlHolds) -> None:
        text = substitute(step.source, self.variables)
        problem = nlsml_problem(text, step.input, step.mode)
        if problem:
            raise StepFailed(self.failure(step, f"{step.phrase}: {problem}", expected=f"input {step.input!r}", actual=text))

    # -- parties ---------------------------------------------------------------------

    def sip_party(self: CaseRunner, name: str):
        return self.sip.caller(name) if name.startswith("caller") else self.sip.callee(name)

    def party_media(self: CaseRunner, step: model.Step) -> CallMedia:
        try:
            return self.sip_party(step.party).media()
        except SipError as err:
            raise StepFailed(self.failure(step, f"{step.phrase}: {err}"))

    def sending_media(self: CaseRunner, step: model.Step) -> CallMedia:
        media = self.party_media(step)
        if not media.can_send:
            raise StepFailed(self.failure(step, f"{step.phrase}: no SDP from the server has said where to send media yet"))
        return media


def completed_with_error(stanza: Stanza) -> bool:
    """A component's complete whose reason is <error/> (§7.19.2)."""
    reasons = [reason for complete in stanza.payload() for reason in complete if isinstance(reason.tag, str)]
    return is_last_word(stanza) and any(etree.QName(reason).localname == "error" for reason in reasons)


def judge_sound(sound: Sound, spec: model.SoundSpec) -> str | None:
    """Why the sound is not the one described, or None."""
    if not spec.shortest <= sound.duration <= spec.longest:
        still = "" if sound.closed else " and still going"
        return f"heard {sound.describe()}{still}"
    if spec.tone and not sound.holds(spec.tone):
        return f"heard {sound.describe()}, not that tone"
    if spec.level and not spec.level[0] <= sound.level <= spec.level[1]:
        return f"heard {sound.describe()}, not at that level"
    return None


def cadenced(tone: tuple[float, ...], milliseconds: int, cadence: tuple[float, float]) -> list[int]:
    """The tone `cadence[0]` s on, silence `cadence[1]` s off, again and again, `milliseconds` in all."""
    on, off = (round(seconds * 1000) for seconds in cadence)
    cycle = tone_samples(tone, on, amplitude=PLAYED_AMPLITUDE) + [0] * (off * 8)
    return (cycle * (milliseconds // (on + off) + 1))[: milliseconds * 8]


class Unfetchable(Exception):
    """The harness cannot get at a recording from where it is: its content has no verdict."""


def fetch(uri: str, source: str, shared_disk: bool) -> bytes:
    """The bytes at an http(s): URI (asked from `source`), or a file: URI when the server shares the harness's disk.
    An HTTP error status is the server's answer and stands; not reaching the server is Unfetchable."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme == "file":
        if not shared_disk:
            raise Unfetchable("a file: URI names a file on the server's disk, which the harness reads only when "
                              "the target claims shared-disk (docs/target.md)")
        return Path(urllib.parse.unquote(parsed.path)).read_bytes()
    if parsed.scheme in ("http", "https"):
        try:
            with opener(source).open(uri, timeout=FETCH_TIMEOUT) as response:
                return response.read()
        except urllib.error.HTTPError:
            raise
        except OSError as err:  # URLError (refused, no route, TLS) and timeouts
            raise Unfetchable(f"it could not be reached: {getattr(err, 'reason', None) or err}") from None
    raise Unfetchable(f"it fetches http:, https: and (on a shared disk) file: URIs, not {parsed.scheme or 'schemeless'} ones")


def nlsml_problem(text: str, digits: str, mode: str | None) -> str | None:
    """Why the NLSML result does not hold an interpretation of these keys, or None."""
    try:
        root = etree.fromstring(text.strip().encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        return f"the match is not an XML document: {err}"
    if etree.QName(root).localname != "result":
        return f"the document is <{etree.QName(root).localname}>, not an NLSML <result>"
    inputs = [node for node in root.iter("{*}input") if etree.QName(node.getparent()).localname == "interpretation"]
    if not inputs:
        return "no <interpretation> holds an <input>"
    wanted = "".join(digits.split())
    heard = ["".join((node.text or "").split()) for node in inputs]
    if wanted not in heard:
        return f"the input is {heard[0]!r}, expected {wanted!r}"
    node = inputs[heard.index(wanted)]
    if mode and node.get("mode") != mode:
        return f"the input's mode is {node.get('mode')!r}, expected {mode!r}"
    return None
