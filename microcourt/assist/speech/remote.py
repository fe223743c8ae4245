"""The remote engine: a deployment's own ASR service, spoken to as OpenAI's API is.

``POST {SPEECH_REMOTE_URL}/v1/audio/transcriptions``, ``Authorization: Bearer
{SPEECH_REMOTE_TOKEN}``, a multipart form with

- ``file``: the utterance as a WAV file (16 kHz, mono, 16-bit PCM), named ``audio.wav``;
- ``model``: ``SPEECH_REMOTE_MODEL``;
- ``language``: ISO 639-1 code, left out to let the service detect it;
- ``prompt``: the hot words (party names, 案由, amounts), left out when there are none;
- ``response_format``: ``verbose_json``; ``temperature``: ``0``.

Answer 200 with JSON ``{"text": str, "language": str, "segments": [{"start": s, "end": s,
"text": str}, …]}`` (``language`` may be a code or an English name; ``segments`` may be
missing). This is what OpenAI's API, faster-whisper-server / speaches, whisper.cpp's
server, vLLM and LocalAI answer, so most self-hosted services plug in as they are.

Failures: no answer within the timeout (the whole exchange, not each read) →
``SpeechFailed("timeout")``; connection refused, unknown host or 404 → ``"missing"``;
401/403, 5xx, any other status or a malformed answer → ``"failed"``. Only the configured
host is contacted: no proxy from the environment, no redirects; plain HTTP only to a
loopback address (court audio is not sent in the clear)."""

from __future__ import annotations

import http.client
import io
import json
import logging
import secrets
import wave
from typing import TYPE_CHECKING, Final

import numpy as np
from django.conf import settings

from microcourt.core import outbound

from .base import (
    SAMPLE_RATE,
    Segment,
    SpeechEngine,
    SpeechFailed,
    SpeechRequest,
    Transcription,
    has_cjk,
    normalise_hotwords,
    tidy_text,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

PATH: Final = "/v1/audio/transcriptions"
MAX_RESPONSE_BYTES: Final = 1024 * 1024
# verbose_json names the language in English ("chinese"); the codes we use instead.
LANGUAGE_NAMES: Final = {
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "yue",
    "english": "en",
    "japanese": "ja",
    "korean": "ko",
    "tibetan": "bo",
    "uyghur": "ug",
    "mongolian": "mn",
    "russian": "ru",
    "french": "fr",
    "german": "de",
    "spanish": "es",
}


class RemoteSpeechEngine(SpeechEngine):
    """Adapter for an OpenAI-compatible ``/v1/audio/transcriptions`` service."""

    def __init__(self, *, base_url: str, token: str = "", model: str = "whisper-1") -> None:
        parts = outbound.service_url(
            base_url,
            option="SPEECH_REMOTE_URL",
            clear_text="hearing audio is not sent in the clear",
        )
        self.scheme = parts.scheme
        self.host = parts.hostname or ""  # never empty: service_url checked it
        self.port = parts.port
        self.path = parts.path.rstrip("/") + PATH
        self.model = model or "whisper-1"
        self._token = token
        self.name = f"remote:{self.host}"

    def __repr__(self) -> str:  # never show the token, e.g. in a traceback's locals
        return f"<RemoteSpeechEngine {self.scheme}://{self.host}{self.path} model={self.model}>"

    @classmethod
    def from_settings(cls) -> RemoteSpeechEngine:
        return cls(
            base_url=settings.SPEECH_REMOTE_URL,
            token=settings.SPEECH_REMOTE_TOKEN,
            model=settings.SPEECH_REMOTE_MODEL,
        )

    def _recognise(self, request: SpeechRequest) -> Transcription:
        fields = {"model": self.model, "response_format": "verbose_json", "temperature": "0"}
        if request.language:
            fields["language"] = request.language
        words = normalise_hotwords(request.hotwords)
        if words:
            fields["prompt"] = "，".join(words) if has_cjk(words) else ", ".join(words)
        body, content_type = _multipart(fields, wav_bytes(request.samples))
        headers = {
            "Content-Type": content_type,
            "Accept": "application/json",
            "Connection": "close",
        }
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            status, payload = self._exchange(body, headers, request.limit)
            return self._transcription(status, payload, request.language)
        except SpeechFailed as exc:
            log.warning("remote speech recognition (%s) failed: %s", self.host, exc)
            raise

    def _exchange(self, body: bytes, headers: dict[str, str], limit: float) -> tuple[int, bytes]:
        """POST ``body``; the status and the (size-capped) payload, within ``limit`` s."""
        try:
            answer = outbound.post(
                scheme=self.scheme, host=self.host, port=self.port, path=self.path,
                body=body, headers=headers, timeout=limit, max_bytes=MAX_RESPONSE_BYTES,
            )  # fmt: skip
            return answer.status, answer.body
        except outbound.ResponseTooLarge as exc:
            raise SpeechFailed(
                "failed", f"{self.host} sent more than {exc.received} bytes"
            ) from None
        except TimeoutError as exc:
            raise SpeechFailed("timeout", f"{self.host} did not answer within {limit:g} s") from exc
        except ConnectionRefusedError as exc:
            raise SpeechFailed("missing", f"nothing listens at {self.host}") from exc
        except OSError as exc:
            import ssl

            if isinstance(exc, ssl.SSLError):
                raise SpeechFailed("failed", f"TLS with {self.host} failed: {exc}") from exc
            if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
                raise SpeechFailed("failed", f"{self.host} dropped the connection") from exc
            raise SpeechFailed(
                "missing", f"cannot reach {self.host}: {type(exc).__name__}: {exc}"
            ) from exc
        except http.client.HTTPException as exc:
            raise SpeechFailed(
                "failed", f"{self.host} broke the exchange: {type(exc).__name__}"
            ) from exc

    def _transcription(self, status: int, payload: bytes, asked: str | None) -> Transcription:
        if status in (401, 403):
            raise SpeechFailed(
                "failed", f"{self.host} refused the credentials (HTTP {status}): "
                "check SPEECH_REMOTE_TOKEN",
            )  # fmt: skip
        if status == 404:
            raise SpeechFailed("missing", f"{self.host} has no {self.path} (HTTP 404)")
        if status != 200:
            raise SpeechFailed("failed", f"{self.host} answered HTTP {status}")
        try:
            answer = json.loads(payload)
        except (UnicodeDecodeError, ValueError):
            raise SpeechFailed("failed", f"{self.host} answered something not JSON") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("text"), str):
            raise SpeechFailed("failed", f"{self.host} answered JSON without a text")
        segments: list[Segment] = []
        raw_segments = answer.get("segments") or []
        if not isinstance(raw_segments, list):
            raise SpeechFailed("failed", f"{self.host} answered segments that are not a list")
        for item in raw_segments:
            try:
                start, end = float(item["start"]), float(item["end"])
                text = tidy_text(str(item["text"]))
            except (KeyError, TypeError, ValueError):
                raise SpeechFailed("failed", f"{self.host} answered a malformed segment") from None
            if text:
                segments.append(Segment(round(start, 3), round(end, 3), text))
        return Transcription(
            text=tidy_text(answer["text"]),
            language=_language_code(answer.get("language")) or asked or "",
            segments=tuple(segments),
            engine=self.name,
        )


def _language_code(value: object) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip().lower()
    return LANGUAGE_NAMES.get(value, value if 2 <= len(value) <= 3 else "")


def wav_bytes(samples: NDArray[np.float32]) -> bytes:
    """``samples`` as a 16 kHz mono 16-bit PCM WAV file."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def _multipart(fields: dict[str, str], wav: bytes) -> tuple[bytes, str]:
    boundary = f"microcourt-{secrets.token_hex(16)}"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode("utf-8"))
        out.write(b"\r\n")
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="audio.wav"\r\nContent-Type: audio/wav\r\n\r\n'.encode()
    )
    out.write(wav)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"
