"""The media steps as a case writes them, and the judgements they make."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.media.tape import sounds_in
from conformance.media.tone import tone_samples
from conformance.scenario import model
from conformance.scenario.loader import ScenarioError, load_case
from conformance.scenario.media_steps import cadenced, judge_sound, nlsml_problem

HEADER = """\
id: xep0327.test.media
title: a case
section: "6.5.3"
requirements: [R-6.5.3-a]
dialects: [xep0327]
steps:
  - caller dials the server
  - expect offer
"""


def load(tmp_path: Path, steps: str) -> model.Case:
    path = tmp_path / "case.yaml"
    path.write_text(HEADER + steps, encoding="utf-8")
    return load_case(path)


def test_the_media_steps_load_into_their_models(tmp_path):
    case = load(tmp_path, """\
  - send to {call}: <output xmlns="urn:xmpp:rayo:output:1"><document url="{documents}/tone-440-300ms.wav"/></output>
    expect:
      result: <ref xmlns="urn:xmpp:rayo:1" uri="xmpp:{capture:output}"/>
  - caller hears: {tone: 440, for: [0.25, 0.35], level: [-18, -12]}
  - caller hears nothing: {for: 0.3}
  - caller plays: {tone: 480+620, for: 0.5}
  - caller2 starts playing: {silence: 0.2}
  - caller sends dtmf in rtp: {digits: "12#", duration: 0.08}
  - caller sends dtmf by pcap: "5"
  - expect from {call}: <complete xmlns="urn:xmpp:rayo:ext:1"><match xmlns="urn:xmpp:rayo:input:complete:1" content-type="*">{capture:nlsml}</match></complete>
  - nlsml {nlsml} holds: {input: "1 2", mode: dtmf}
  - expect from {call}: <complete xmlns="urn:xmpp:rayo:ext:1"><recording xmlns="urn:xmpp:rayo:record:complete:1" uri="{capture:rec}" duration="{capture:ms}" size="*"/></complete>
  - recording {rec} holds: {duration: "{ms}", length: [0.5, 0.7], sound: {for: [0.1, 0.3]}}
""")
    hears, quiet, tone, silence, rtp, pcap, _, nlsml, _, recording = case.steps[3:]
    assert hears.sound == model.SoundSpec(0.25, 0.35, (440.0,), (-18, -12)) and hears.party == "caller"
    assert quiet == model.MediaQuiet(index=5, line=quiet.line, phrase="caller hears nothing", party="caller", window=0.3,
                                     requirements=("R-6.5.3-a",))
    assert tone.tone == (480.0, 620.0) and tone.seconds == 0.5 and tone.wait
    assert silence.tone == () and silence.seconds == 0.2 and silence.party == "caller2" and not silence.wait
    assert (rtp.via, rtp.digits, rtp.duration, rtp.gap) == ("in rtp", "12#", 0.08, 0.06) and pcap.via == "by pcap"
    assert nlsml.source == "{nlsml}" and nlsml.input == "1 2"
    assert recording.duration == "{ms}" and recording.length == (0.5, 0.7) and recording.sound.tone == ()


@pytest.mark.parametrize("step, message", [
    ("  - caller hears: {tone: 440}\n", "'for' is a required property"),
    ("  - caller hears nothing\n", "None is not of type 'object'"),
    ("  - caller plays: {tone: 480+620, for: 1, cadence: [0.5]}\n", "case.yaml:9: step 3, caller plays:"),
    ("  - caller plays: {tone: 480+620, for: 1, cadence: [0.5, 0]}\n", "case.yaml:9: step 3, caller plays:"),
    ("  - caller plays: {silence: 1, cadence: [0.5, 0.5]}\n", "case.yaml:9: step 3, caller plays:"),
    ("  - recording {nowhere} holds: {silent: true}\n", "unknown variable {nowhere}"),
    ("  - send to {call}: <output xmlns='urn:xmpp:rayo:output:1'><document url='{documents}/song.mp3'/></output>\n"
     "    expect: result\n", "no document is called 'song.mp3'"),
])
def test_mistakes_are_named_before_anything_runs(tmp_path, step, message):
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path, step)
    assert message in str(caught.value)


def test_a_cadence_plays_the_tone_on_and_off(tmp_path):
    (step,) = load(tmp_path, "  - caller plays: {tone: 480+620, for: 1.2, cadence: [0.25, 0.25]}\n").steps[2:]
    assert step.tone == (480.0, 620.0) and step.seconds == 1.2 and step.cadence == (0.25, 0.25)
    samples = cadenced(step.tone, 1200, step.cadence)
    assert len(samples) == 1200 * 8
    sounds = sounds_in(samples)
    assert [round(sound.duration, 3) for sound in sounds] == [0.25, 0.25, 0.2]
    assert [round(sound.start, 3) for sound in sounds] == [0.0, 0.5, 1.0]
    assert all(sound.holds((480, 620)) for sound in sounds)


def test_a_sound_is_judged_on_its_length_then_its_tone_then_its_level():
    (sound,) = sounds_in(tone_samples([440], 300, amplitude=0.25))
    assert judge_sound(sound, model.SoundSpec(0.28, 0.32, (440,), (-16, -14))) is None
    assert "Hz tone for 0.2999 s" in judge_sound(sound, model.SoundSpec(0.1, 0.2))
    assert "not that tone" in judge_sound(sound, model.SoundSpec(0.28, 0.32, (880,)))
    assert "not at that level" in judge_sound(sound, model.SoundSpec(0.28, 0.32, level=(-10, 0)))


NLSML = """<result xmlns="http://www.ietf.org/xml/ns/mrcpv2" grammar="g">
  <interpretation grammar="g" confidence="1.0"><input mode="dtmf" confidence="1.0">1 2 3</input><instance>123</instance></interpretation>
</result>"""


def test_nlsml_is_read_for_its_interpretation_of_the_keys():
    assert nlsml_problem(NLSML, "123", "dtmf") is None
    assert nlsml_problem(NLSML, "12", None) == "the input is '123', expected '12'"
    assert nlsml_problem(NLSML, "123", "voice") == "the input's mode is 'dtmf', expected 'voice'"
    assert "no <interpretation>" in nlsml_problem("<result><input>123</input></result>", "123", None)
    assert "not an XML document" in nlsml_problem("1 2 3", "123", None)
