"""The types every speech engine shares (the public surface re-exports them)."""

from __future__ import annotations

import abc
import enum
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

# Every engine takes audio at this rate: mono float32 in [-1, 1]. 16 kHz is what Whisper
# and silero were trained on and what most ASR services expect.
SAMPLE_RATE: Final = 16000
# Shorter than this is a click, not an utterance: answered "" without calling the engine.
MIN_SPEECH_SECONDS: Final = 0.1

Reason = Literal["timeout", "failed", "missing"]
REASONS: Final = ("timeout", "failed", "missing")


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the audio passed in
    end: float
    text: str


@dataclass(frozen=True)
class Transcription:
    text: str  # the whole utterance's text, stripped ("" for silence or noise)
    language: str  # what was used or detected, e.g. "zh", "en"
    segments: tuple[Segment, ...]
    engine: str  # e.g. "whisper-base-int8", "remote:asr.court.example", "fake"


class SpeechFailed(Exception):
    """The engine gave no text. ``reason`` is "timeout" (no answer in time), "failed" (the
    engine or service broke) or "missing" (no model, or the service is not there). The
    message says what, for operators; it never contains audio or recognised text."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown speech failure reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason
        self.detail = detail


class _Default(enum.Enum):
    LANGUAGE = "settings.SPEECH_LANGUAGE"


# The default of ``language``: settings.SPEECH_LANGUAGE ("zh" unless the deployment says
# otherwise), so a court that hears cases in another language changes one setting.
SETTINGS_LANGUAGE: Final = _Default.LANGUAGE
LanguageArg = str | None | _Default


@dataclass(frozen=True)
class SpeechRequest:
    """What :meth:`SpeechEngine.transcribe` hands the engine, its arguments resolved."""

    samples: NDArray[np.float32]  # checked by as_audio, long enough to be speech
    language: str | None  # None: detect it
    hotwords: Sequence[str]  # as the caller gave them
    limit: float  # seconds, > 0


class SpeechEngine(abc.ABC):
    """What every engine shares: :meth:`transcribe` takes the caller's arguments (checks the
    audio, applies the language and timeout defaults, answers a click with "" without
    asking the engine) and hands what is left to the engine's :meth:`_recognise`."""

    name: str

    def transcribe(
        self,
        audio: NDArray[Any],
        *,
        language: LanguageArg = SETTINGS_LANGUAGE,
        hotwords: Sequence[str] = (),
        timeout: float | None = None,
    ) -> Transcription:
        """``audio``: float32 mono at :data:`SAMPLE_RATE`, values in [-1, 1].
        ``language``: an ISO 639-1 code, or None (or "auto") to detect it.
        ``hotwords``: names and terms likely said (parties, 案由, amounts).
        ``timeout``: seconds (settings.SPEECH_TIMEOUT_SECONDS when None); past it the call
        raises ``SpeechFailed("timeout")`` instead of waiting."""
        samples = as_audio(audio)
        code = resolve_language(language)
        limit = resolve_timeout(timeout)
        if samples.size < MIN_SPEECH_SECONDS * SAMPLE_RATE:
            return Transcription("", code or "", (), self.name)
        return self._recognise(SpeechRequest(samples, code, hotwords, limit))

    @abc.abstractmethod
    def _recognise(self, request: SpeechRequest) -> Transcription:
        """The engine's own recognition of audio already checked and defaulted."""


def resolve_language(language: LanguageArg) -> str | None:
    """The language code to ask for, or None to detect it."""
    if isinstance(language, _Default):
        from django.conf import settings

        language = settings.SPEECH_LANGUAGE
    if language is None:
        return None
    language = language.strip().lower()
    return None if language in ("", "auto") else language


def resolve_timeout(timeout: float | None) -> float:
    if timeout is None:
        from django.conf import settings

        timeout = float(settings.SPEECH_TIMEOUT_SECONDS)
    if not timeout > 0:
        raise SpeechFailed("timeout", "no time left for recognition")
    return float(timeout)


def as_audio(audio: Any) -> NDArray[np.float32]:
    """``audio`` as a 1-D float32 array clipped to [-1, 1]; anything else is a caller bug."""
    samples = np.asarray(audio)
    if samples.ndim != 1:
        raise ValueError(f"speech audio must be mono (1-D), got shape {samples.shape}")
    if samples.dtype.kind not in "fiu":
        raise ValueError(f"speech audio must be numeric samples, got {samples.dtype}")
    if samples.dtype == np.int16:  # 16-bit PCM as decoders give it
        samples = samples.astype(np.float32) / 32768.0
    elif samples.dtype.kind in "iu":
        raise ValueError(f"speech audio must be float32 in [-1, 1], got {samples.dtype}")
    samples = samples.astype(np.float32, copy=False)
    if not np.all(np.isfinite(samples)):
        samples = np.nan_to_num(samples, nan=0.0, posinf=1.0, neginf=-1.0)
    return np.clip(samples, -1.0, 1.0)


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")


def tidy_text(text: str) -> str:
    """Stripped, without the spaces recognisers put between Chinese words (Chinese is
    written without them; Whisper copies them from a space-separated hot-word prompt), and in
    simplified characters (规范汉字, as the court's record is written; Whisper often answers
    in traditional ones)."""
    # U+FFFD: a character cut in half when a byte-level token budget ran out.
    text = _SPACE_BETWEEN_CJK.sub("", text.replace("\ufffd", "")).strip()
    return _simplified(text) if re.search(f"[{_CJK}]", text) else text


@functools.cache
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    return _to_simplified().convert(text)


def has_cjk(words: Sequence[str]) -> bool:
    return any(re.search(f"[{_CJK}]", word) for word in words)


def normalise_hotwords(hotwords: Sequence[str], *, max_chars: int = 200) -> list[str]:
    """Distinct, non-empty hot words in the caller's order, at most ``max_chars`` in all: a
    prompt longer than that crowds out what was said (the engines cut it anyway)."""
    if isinstance(hotwords, str):  # a lone string would be read as characters
        hotwords = [hotwords]
    seen: set[str] = set()
    chosen: list[str] = []
    total = 0
    for word in hotwords:
        word = " ".join(str(word).split())
        if not word or word in seen:
            continue
        if total + len(word) + 1 > max_chars:
            break
        seen.add(word)
        chosen.append(word)
        total += len(word) + 1
    return chosen
