"""The fake engine (``SPEECH_ENGINE = "fake"``): deterministic text, no model.

It answers ``settings.SPEECH_FAKE_TEXT`` when set: a str for every call, or a list handed
out in order, one item per call, across the process (then the default below once the list
is used up); otherwise ``"[语音 %.1f 秒]" % duration``. ``settings.SPEECH_FAKE_FAIL``
("timeout", "failed" or "missing") makes every call raise ``SpeechFailed`` with it. The
list's position starts again whenever a ``SPEECH_FAKE_*`` setting changes (a test's
``override_settings``)."""

from __future__ import annotations

import threading
from typing import Any, cast

from django.conf import settings

from .base import (
    REASONS,
    SAMPLE_RATE,
    Reason,
    Segment,
    SpeechEngine,
    SpeechFailed,
    SpeechRequest,
    Transcription,
)

_lock = threading.Lock()
_handed_out = 0
# What each call was given (language, hot words, timeout), for tests that check the hot
# words reached the engine. Emptied by reset() like the list position.
calls: list[dict[str, Any]] = []


def reset() -> None:
    global _handed_out
    with _lock:
        _handed_out = 0
        calls.clear()


def _next_text(duration: float) -> str:
    global _handed_out
    scripted = getattr(settings, "SPEECH_FAKE_TEXT", None)
    if isinstance(scripted, str):
        return scripted
    if isinstance(scripted, list | tuple):
        with _lock:
            index, _handed_out = _handed_out, _handed_out + 1
        if index < len(scripted):
            return str(scripted[index])
    return f"[语音 {duration:.1f} 秒]"


class FakeSpeechEngine(SpeechEngine):
    name = "fake"

    def _recognise(self, request: SpeechRequest) -> Transcription:
        code = request.language or "zh"
        with _lock:
            calls.append(
                {"language": code, "hotwords": list(request.hotwords), "timeout": request.limit}
            )
        failure = getattr(settings, "SPEECH_FAKE_FAIL", "")
        if failure:
            if failure not in REASONS:
                raise SpeechFailed("failed", f"SPEECH_FAKE_FAIL={failure!r}")
            raise SpeechFailed(cast(Reason, failure), "SPEECH_FAKE_FAIL is set")
        duration = request.samples.size / SAMPLE_RATE
        text = _next_text(duration).strip()
        segments = (Segment(0.0, round(duration, 3), text),) if text else ()
        return Transcription(text=text, language=code, segments=segments, engine=self.name)
