"""The local engine: faster-whisper (CTranslate2, int8, CPU) on this machine.

One model per process, loaded lazily on the first call and shared by every thread. Each
call decodes in a worker thread while the caller waits at most ``timeout``; past it the
caller gets ``SpeechFailed("timeout")`` at once and the worker stops after the 30-second
window it is in (CTranslate2 cannot be interrupted mid-window). Decodes are serialised per
model: CTranslate2 would queue them anyway, and a waiting caller's timeout counts."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings

from . import model as speech_model
from .base import (
    SAMPLE_RATE,
    Segment,
    SpeechEngine,
    SpeechFailed,
    SpeechRequest,
    Transcription,
    normalise_hotwords,
    tidy_text,
)

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

# Whisper's decoder holds 448 tokens: the hot-word prompt, the task tokens and the text.
MAX_PROMPT_TOKENS: Final = 120
MAX_NEW_TOKENS: Final = 448 - MAX_PROMPT_TOKENS - 8
# A window's text is bounded by what can be said in it (fast Mandarin is ~5 characters a
# second, at most 2 tokens each; English ~4 tokens a second): more is a repetition loop (a
# weak model on unclear speech says "魂魂魂…" until it runs out of tokens), which also
# takes the longest to decode.
TOKENS_PER_SECOND: Final = 10
BASE_TOKENS: Final = 20
# No temperature fallback: Whisper's retries by sampling are random (the same audio gives a
# different text each time, and CTranslate2's generator cannot be re-seeded per call) and
# slow (faster-whisper's six steps took 23 s for 12 s of unclear Mandarin, 2 busy cores).
# Beam search alone is deterministic, and clear speech never needed the fallback; what it
# used to rescue, a repetition loop, is reported as unrecognised instead (below).
TEMPERATURE: Final = 0.0
# A repetition loop is not speech: a unit of 1-8 characters (not only figures) six times running
# ("萌萌萌萌萌萌", "the the the …"), or a segment whose text gzips past Whisper's own
# threshold. The utterance is then reported as unrecognised (SpeechFailed("failed")): a
# gap the clerk sees and can fill from the recording beats "纯纯纯纯…" in a court record.
LOOP = re.compile(r"(.{1,8}?)\1{5,}", re.DOTALL)
LOOP_COMPRESSION_RATIO: Final = 2.4


@dataclass
class _Loaded:
    model: WhisperModel
    decode_lock: threading.Lock = field(default_factory=threading.Lock)


_models: dict[tuple[str, int], _Loaded] = {}
_models_lock = threading.Lock()


def _load(threads: int) -> _Loaded:
    """The process's model (assembled, verified and loaded on first use)."""
    location = speech_model.configured_location()
    key = (str(location.path), threads)
    loaded = _models.get(key)
    if loaded is not None:
        return loaded
    with _models_lock:
        loaded = _models.get(key)
        if loaded is not None:
            return loaded
        speech_model.ready_model()
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise SpeechFailed(
                "missing", f"faster-whisper is not installed ({exc}); run `pip install -e .`"
            ) from exc
        # faster-whisper logs two INFO lines per utterance (duration, VAD): a flood in a
        # hearing's worth of utterances, with nothing an operator acts on.
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
        started = time.monotonic()
        try:
            whisper = WhisperModel(
                str(location.path),
                device="cpu",
                compute_type="int8",
                cpu_threads=threads,
                num_workers=1,
                local_files_only=True,  # never a download, even for a bad path
            )
        except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError on bad files
            raise SpeechFailed(
                "missing", f"cannot load the speech model in {location.path}: {exc}"
            ) from exc
        log.info(
            "speech model %s loaded in %.1f s (%d threads)",
            location.label,
            time.monotonic() - started,
            threads,
        )
        loaded = _models[key] = _Loaded(whisper)
        return loaded


class LocalWhisperEngine(SpeechEngine):
    """faster-whisper with the bundled Whisper base model, or ``SPEECH_MODEL_DIR``."""

    def __init__(self, *, threads: int | None = None) -> None:
        self.threads = int(threads or settings.SPEECH_THREADS)
        self.name = f"{speech_model.configured_location().label}-int8"

    def __repr__(self) -> str:
        return f"<LocalWhisperEngine {self.name} threads={self.threads}>"

    def load(self) -> None:
        """Load the model now (start-up, tests) rather than on the first utterance."""
        _load(self.threads)

    def _recognise(self, request: SpeechRequest) -> Transcription:
        job = _Decode(
            engine=self,
            samples=request.samples,
            language=request.language,
            hotwords=normalise_hotwords(request.hotwords),
            deadline=time.monotonic() + request.limit,
        )
        worker = threading.Thread(target=job.run, name="speech-decode", daemon=True)
        worker.start()
        if not job.done.wait(request.limit):
            job.cancelled.set()
            log.warning(
                "speech recognition of %.1f s of audio gave up after %.1f s",
                request.samples.size / SAMPLE_RATE,
                request.limit,
            )
            raise SpeechFailed("timeout", f"no text within {request.limit:g} s")
        if job.error is not None:
            raise job.error
        assert job.result is not None
        return job.result


@dataclass
class _Decode:
    engine: LocalWhisperEngine
    samples: NDArray[Any]
    language: str | None
    hotwords: list[str]
    deadline: float
    done: threading.Event = field(default_factory=threading.Event)
    cancelled: threading.Event = field(default_factory=threading.Event)
    result: Transcription | None = None
    error: SpeechFailed | None = None

    def run(self) -> None:
        try:
            self.result = self._decode()
        except SpeechFailed as exc:
            self.error = exc
        except Exception as exc:
            log.exception("speech recognition failed")
            self.error = SpeechFailed("failed", f"{type(exc).__name__}: {exc}")
        finally:
            self.done.set()

    def _decode(self) -> Transcription:
        loaded = _load(self.engine.threads)
        if not loaded.decode_lock.acquire(timeout=max(self.deadline - time.monotonic(), 0.001)):
            raise SpeechFailed("timeout", "the speech model stayed busy with other audio")
        try:
            if self.cancelled.is_set():
                raise SpeechFailed("timeout", "given up before decoding started")
            return self._decode_locked(loaded.model)
        finally:
            loaded.decode_lock.release()

    def _decode_locked(self, whisper: WhisperModel) -> Transcription:
        window = min(self.samples.size / SAMPLE_RATE, 30.0)
        segments, info = whisper.transcribe(
            self.samples,
            language=self.language,
            beam_size=5,
            temperature=TEMPERATURE,
            # Silero (shipped in the wheel) drops silence and noise before Whisper sees them:
            # on silence alone Whisper invents text ("You", "Thank you.").
            vad_filter=True,
            vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 200},
            # Utterances come one by one: conditioning on the previous window mostly carries
            # a hallucination forward, and it would crowd out the hot words.
            condition_on_previous_text=False,
            hotwords=_prompt(whisper, self.hotwords),
            max_new_tokens=min(MAX_NEW_TOKENS, int(BASE_TOKENS + TOKENS_PER_SECOND * window)),
        )
        parts: list[Segment] = []
        raw: list[str] = []
        for segment in segments:  # decoding happens while this generator is consumed
            if self.cancelled.is_set():
                raise SpeechFailed("timeout", "given up while decoding")
            if segment.compression_ratio > LOOP_COMPRESSION_RATIO or _loops(segment.text):
                raise SpeechFailed(
                    "failed",
                    f"the recogniser looped on {segment.end - segment.start:.1f} s of unclear "
                    f"speech (compression ratio {segment.compression_ratio:.1f})",
                )
            raw.append(segment.text)
            text = tidy_text(segment.text)
            if text:
                parts.append(Segment(round(segment.start, 3), round(segment.end, 3), text))
        return Transcription(
            text=tidy_text("".join(raw)),
            language=info.language or self.language or "",
            segments=tuple(parts),
            engine=self.engine.name,
        )


def _loops(text: str) -> bool:
    # A unit of figures only is a number ("13800000000", "1000000"), not a loop.
    return any(re.search(r"[^\W\d_]", match.group(1)) for match in LOOP.finditer(text))


def _prompt(whisper: WhisperModel, hotwords: list[str]) -> str | None:
    """Hot words as faster-whisper's ``hotwords`` prompt, cut to whole words that fit
    :data:`MAX_PROMPT_TOKENS` (faster-whisper would cut mid-word, or fail with a long one)."""
    chosen: list[str] = []
    for word in hotwords:
        candidate = " ".join([*chosen, word])
        if len(whisper.hf_tokenizer.encode(" " + candidate).ids) > MAX_PROMPT_TOKENS:
            break
        chosen.append(word)
    return " ".join(chosen) or None
