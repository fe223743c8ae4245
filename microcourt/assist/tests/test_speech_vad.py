"""Voice activity (silero, shipped in the faster-whisper wheel): where someone speaks."""

from __future__ import annotations

import numpy as np
import pytest

from microcourt.assist.speech import SAMPLE_RATE, speech_regions


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def test_two_utterances_apart_are_two_regions_where_they_were_said(speech_clips):
    first, second = speech_clips["english"], speech_clips["names"]
    audio = np.concatenate([_silence(1.0), first, _silence(2.0), second, _silence(1.0)])
    first_start, first_end = 1.0, 1.0 + first.size / SAMPLE_RATE
    second_start = first_end + 2.0
    second_end = second_start + second.size / SAMPLE_RATE

    regions = speech_regions(audio)

    assert len(regions) == 2, regions
    (a0, a1), (b0, b1) = regions
    assert a0 == pytest.approx(first_start, abs=0.4) and a1 == pytest.approx(first_end, abs=0.5)
    assert b0 == pytest.approx(second_start, abs=0.4) and b1 == pytest.approx(second_end, abs=0.5)


def test_a_pause_shorter_than_min_silence_keeps_one_utterance(speech_clips):
    clip = speech_clips["order"]
    audio = np.concatenate([clip, _silence(1.0), clip])

    assert len(speech_regions(audio, min_silence_ms=500)) == 2
    assert len(speech_regions(audio, min_silence_ms=2000)) == 1


@pytest.mark.parametrize(
    "audio",
    [
        _silence(5.0),
        np.random.default_rng(1).normal(0, 0.05, 5 * SAMPLE_RATE).astype(np.float32),
        np.random.default_rng(2).uniform(-0.8, 0.8, 5 * SAMPLE_RATE).astype(np.float32),
        (0.3 * np.sin(2 * np.pi * 50 * np.arange(5 * SAMPLE_RATE) / SAMPLE_RATE)).astype(
            np.float32
        ),
        np.zeros(100, dtype=np.float32),
    ],
    ids=["silence", "white-noise", "loud-white-noise", "mains-hum", "a-click-long"],
)
def test_silence_noise_and_hum_have_no_speech(audio):
    assert speech_regions(audio) == []


def test_audio_that_is_not_mono_float_is_refused():
    with pytest.raises(ValueError, match="mono"):
        speech_regions(np.zeros((2, SAMPLE_RATE), dtype=np.float32))
    with pytest.raises(ValueError, match="float32"):
        speech_regions(np.zeros(SAMPLE_RATE, dtype=np.int32))
