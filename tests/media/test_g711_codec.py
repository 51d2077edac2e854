"""G.711: fixed points of the standard, symmetry, and agreement with audioop where it still exists."""

from __future__ import annotations

import importlib
import warnings

import pytest

from conformance.media import g711


def test_ulaw_fixed_points() -> None:
    assert g711.linear_to_ulaw(0) == 0xFF
    assert g711.ULAW_TO_LINEAR[0xFF] == 0 and g711.ULAW_TO_LINEAR[0x7F] == 0
    assert g711.ULAW_TO_LINEAR[0x80] == 32124 and g711.ULAW_TO_LINEAR[0x00] == -32124
    assert g711.linear_to_ulaw(32767) == 0x80 and g711.linear_to_ulaw(-32768) == 0x00


def test_alaw_fixed_points() -> None:
    assert g711.linear_to_alaw(0) == 0xD5
    assert g711.ALAW_TO_LINEAR[0xD5] == 8 and g711.ALAW_TO_LINEAR[0x55] == -8
    assert g711.ALAW_TO_LINEAR[0xAA] == 32256 and g711.ALAW_TO_LINEAR[0x2A] == -32256


@pytest.mark.parametrize("encode, table", [(g711.linear_to_ulaw, g711.ULAW_TO_LINEAR), (g711.linear_to_alaw, g711.ALAW_TO_LINEAR)])
def test_every_code_survives_decode_then_encode(encode, table) -> None:
    for code, value in enumerate(table):
        if code != 0x7F:  # μ-law has two zeros; 0 encodes as 0xFF
            assert encode(value) == code, hex(code)


@pytest.mark.parametrize("encode, decode", [(g711.encode_ulaw, g711.decode_ulaw), (g711.encode_alaw, g711.decode_alaw)])
def test_quantisation_error_is_small_and_sign_preserved(encode, decode) -> None:
    samples = list(range(-32768, 32768, 97))
    for sample, back in zip(samples, decode(encode(samples))):
        assert abs(back - sample) <= max(16, abs(sample) // 16), sample
        assert (back >= 0) == (sample >= 0) or abs(sample) < 16


def test_matches_audioop_on_every_sample() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            audioop = importlib.import_module("audioop")
        except ImportError:
            pytest.skip("audioop is gone (Python 3.13+): the fixed points above still apply")
    pcm = b"".join(sample.to_bytes(2, "little", signed=True) for sample in range(-32768, 32768))
    assert g711.encode_ulaw(range(-32768, 32768)) == audioop.lin2ulaw(pcm, 2)
    assert g711.encode_alaw(range(-32768, 32768)) == audioop.lin2alaw(pcm, 2)
    codes = bytes(range(256))
    as_ints = lambda data: [int.from_bytes(data[i : i + 2], "little", signed=True) for i in range(0, len(data), 2)]  # noqa: E731
    assert g711.decode_ulaw(codes) == as_ints(audioop.ulaw2lin(codes, 2))
    assert g711.decode_alaw(codes) == as_ints(audioop.alaw2lin(codes, 2))
