"""Voice activity: where in a stretch of audio someone speaks.

Silero VAD v6 (an ONNX model of 2 MB that ships inside the faster-whisper wheel, run by
onnxruntime on one thread) scores each 32 ms window; runs of speech separated by less
than ``min_silence_ms`` of silence are one region. Silence, hum and white noise give no
region: the live pipeline sends nothing to the recogniser for them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from .base import SAMPLE_RATE, SpeechFailed, as_audio

if TYPE_CHECKING:
    from numpy.typing import NDArray

# Silero's own defaults, except: a region needs 250 ms of speech (a cough or a click is not
# an utterance), and keeps 200 ms of padding so word onsets and endings are not clipped.
THRESHOLD: Final = 0.5
MIN_SPEECH_MS: Final = 250
PAD_MS: Final = 200


def speech_regions(audio: NDArray[Any], *, min_silence_ms: int = 500) -> list[tuple[float, float]]:
    """(start_s, end_s) of each stretch of speech in ``audio`` (mono float32 at
    :data:`SAMPLE_RATE`), in order; [] for silence or noise."""
    samples = as_audio(audio)
    if samples.size < SAMPLE_RATE * MIN_SPEECH_MS / 1000:
        return []
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError as exc:
        raise SpeechFailed("missing", f"faster-whisper (silero VAD) is missing: {exc}") from exc
    chunks = get_speech_timestamps(
        samples,
        VadOptions(
            threshold=THRESHOLD,
            min_speech_duration_ms=MIN_SPEECH_MS,
            min_silence_duration_ms=max(int(min_silence_ms), 0),
            speech_pad_ms=PAD_MS,
        ),
        sampling_rate=SAMPLE_RATE,
    )
    return [
        (round(chunk["start"] / SAMPLE_RATE, 3), round(chunk["end"] / SAMPLE_RATE, 3))
        for chunk in chunks
    ]
