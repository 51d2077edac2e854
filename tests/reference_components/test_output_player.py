"""The output's player: what it plays frame by frame under its options and commands."""

from __future__ import annotations

from conformance.reference.core.components.output import Player

TONE = [1000] * 1600  # 200 ms


def play(player: Player, limit: int = 500) -> list[list[int] | None]:
    frames = []
    while not player.finished and len(frames) < limit:
        frames.append(player.next_frame())
    return frames


def make(**options) -> tuple[Player, list[str]]:
    ended: list[str] = []
    defaults = dict(offset_ms=0, paused=False, repeat_times=1, interval_ms=0, max_time_ms=-1)
    player = Player(list(TONE), on_end=ended.append, **{**defaults, **options})
    return player, ended


def test_a_document_plays_its_frames_then_finishes():
    player, ended = make()
    frames = play(player)
    assert len(frames) == 11 and frames[-1] is None and all(f == [1000] * 160 for f in frames[:10])
    player.ended()
    assert ended == ["finish"]


def test_repeats_with_silence_between_and_an_offset_on_the_first_play():
    player, _ = make(repeat_times=2, interval_ms=100, offset_ms=100)
    frames = play(player)[:-1]
    assert [f[0] for f in frames] == [1000] * 5 + [0] * 5 + [1000] * 10


def test_max_time_counts_intervals_and_ends_with_max_time():
    player, ended = make(repeat_times=0, interval_ms=100, max_time_ms=400)
    assert len(play(player)) == 21 and player.reason == "max-time"


def test_a_paused_player_sends_nothing_and_keeps_its_place():
    player, _ = make(paused=True)
    assert [player.next_frame() for _ in range(3)] == [None] * 3
    player.paused = False
    assert len(play(player)) == 11


def test_seek_speed_and_volume_act_on_the_next_frames():
    player, _ = make()
    player.seek(True, 100)
    player.faster(1)
    player.louder(1)
    frames = play(player)[:-1]
    assert len(frames) == 4 and frames[0][0] == 2000  # 100 ms left at 1.25 times the speed, 6 dB louder
    player, _ = make()
    player.faster(-1)
    player.louder(-1)
    frames = play(player)[:-1]
    assert len(frames) == 14 and frames[0][0] == 500
