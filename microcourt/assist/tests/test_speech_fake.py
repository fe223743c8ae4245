"""The fake engine other apps' flow tests use, and how an engine is chosen."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from microcourt.assist import speech
from microcourt.assist.speech import SAMPLE_RATE, Segment, SpeechFailed, Transcription
from microcourt.assist.speech import fake as fake_engine


@pytest.fixture(autouse=True)
def fake(settings):
    settings.SPEECH_ENGINE = "fake"
    settings.SPEECH_FAKE_TEXT = None
    settings.SPEECH_FAKE_FAIL = ""


def _seconds(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def test_without_a_script_it_says_how_long_the_speech_was_every_time():
    engine = speech.get_engine()

    first = engine.transcribe(_seconds(2.5))
    again = speech.get_engine().transcribe(_seconds(2.5))

    assert (
        first
        == again
        == Transcription(
            text="[语音 2.5 秒]",
            language="zh",
            segments=(Segment(0.0, 2.5, "[语音 2.5 秒]"),),
            engine="fake",
        )
    )
    assert engine.transcribe(_seconds(1), language="en").language == "en"


def test_a_scripted_list_is_handed_out_in_order_then_the_default(settings):
    settings.SPEECH_FAKE_TEXT = ["现在开庭。", "原告陈述诉讼请求。"]
    engine = speech.get_engine()

    texts = [speech.get_engine().transcribe(_seconds(1)).text for _ in range(3)]

    assert texts == ["现在开庭。", "原告陈述诉讼请求。", "[语音 1.0 秒]"]
    with override_settings(SPEECH_FAKE_TEXT=["第二场"]):  # a new script starts from its top
        assert engine.transcribe(_seconds(1)).text == "第二场"


def test_a_scripted_string_is_said_every_time_and_empty_means_silence(settings):
    settings.SPEECH_FAKE_TEXT = "审判长：请坐。"
    assert speech.get_engine().transcribe(_seconds(1)).text == "审判长：请坐。"
    settings.SPEECH_FAKE_TEXT = ""
    assert speech.get_engine().transcribe(_seconds(1)) == Transcription("", "zh", (), "fake")


@pytest.mark.parametrize("reason", ["timeout", "failed", "missing"])
def test_a_scripted_failure_raises_with_its_reason(settings, reason):
    settings.SPEECH_FAKE_FAIL = reason
    with pytest.raises(SpeechFailed) as failure:
        speech.get_engine().transcribe(_seconds(1))
    assert failure.value.reason == reason


def test_the_hot_words_the_engine_was_given_are_recorded(settings):
    settings.SPEECH_FAKE_TEXT = "x"  # a settings change empties the record
    speech.get_engine().transcribe(
        _seconds(1), hotwords=["张三", "宁波某某贸易有限公司"], timeout=9
    )
    assert fake_engine.calls == [
        {"language": "zh", "hotwords": ["张三", "宁波某某贸易有限公司"], "timeout": 9}
    ]


def test_the_language_default_is_the_setting(settings):
    settings.SPEECH_LANGUAGE = "en"
    assert speech.get_engine().transcribe(_seconds(1)).language == "en"


def test_an_unknown_engine_is_a_configuration_error(settings):
    settings.SPEECH_ENGINE = "cloud"
    with pytest.raises(ImproperlyConfigured, match="SPEECH_ENGINE"):
        speech.get_engine()


def test_bad_audio_is_a_caller_error_and_pcm_is_accepted():
    engine = speech.get_engine()
    with pytest.raises(ValueError, match="mono"):
        engine.transcribe(np.zeros((SAMPLE_RATE, 2), dtype=np.float32))
    pcm = np.zeros(SAMPLE_RATE, dtype=np.int16)
    assert engine.transcribe(pcm).text == "[语音 1.0 秒]"


def test_a_bad_engine_setting_stops_start_up():
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", "import microcourt.settings.base"],
        env={"MICROCOURT_SPEECH_ENGINE": "cloud", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "MICROCOURT_SPEECH_ENGINE must be local, remote or fake" in run.stderr
