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
import ipaddress
import json
import logging
import secrets
import time
import wave
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import (
    MIN_SPEECH_SECONDS,
    SAMPLE_RATE,
    SETTINGS_LANGUAGE,
    LanguageArg,
    Segment,
    SpeechFailed,
    Transcription,
    as_audio,
    has_cjk,
    normalise_hotwords,
    resolve_language,
    resolve_timeout,
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


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RemoteSpeechEngine:
    """Adapter for an OpenAI-compatible ``/v1/audio/transcriptions`` service."""

    def __init__(self, *, base_url: str, token: str = "", model: str = "whisper-1") -> None:
        parts = urlsplit(base_url or "")
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ImproperlyConfigured("SPEECH_REMOTE_URL must be an https:// URL")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ImproperlyConfigured(
                "SPEECH_REMOTE_URL must use https: hearing audio is not sent in the clear"
            )
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ImproperlyConfigured("SPEECH_REMOTE_URL takes no credentials, query or fragment")
        self.scheme = parts.scheme
        self.host = parts.hostname
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

    def transcribe(
        self,
        audio: NDArray[Any],
        *,
        language: LanguageArg = SETTINGS_LANGUAGE,
        hotwords: Sequence[str] = (),
        timeout: float | None = None,
    ) -> Transcription:
        samples = as_audio(audio)
        code = resolve_language(language)
        limit = resolve_timeout(timeout)
        if samples.size < MIN_SPEECH_SECONDS * SAMPLE_RATE:
            return Transcription("", code or "", (), self.name)
        fields = {"model": self.model, "response_format": "verbose_json", "temperature": "0"}
        if code:
            fields["language"] = code
        words = normalise_hotwords(hotwords)
        if words:
            fields["prompt"] = "，".join(words) if has_cjk(words) else ", ".join(words)
        body, content_type = _multipart(fields, wav_bytes(samples))
        headers = {
            "Content-Type": content_type,
            "Accept": "application/json",
            "Connection": "close",
        }
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            status, payload = self._exchange(body, headers, limit)
            return self._transcription(status, payload, code)
        except SpeechFailed as exc:
            log.warning("remote speech recognition (%s) failed: %s", self.host, exc)
            raise

    def _exchange(self, body: bytes, headers: dict[str, str], limit: float) -> tuple[int, bytes]:
        """POST ``body``; the status and the (size-capped) payload, within ``limit`` s."""
        deadline = time.monotonic() + limit
        connection: http.client.HTTPConnection
        if self.scheme == "https":
            import ssl

            connection = http.client.HTTPSConnection(
                self.host, self.port, timeout=limit, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=limit)
        try:
            connection.request("POST", self.path, body=body, headers=headers)
            _arm(connection, deadline)
            response = connection.getresponse()
            chunks, size = [], 0
            while True:
                _arm(connection, deadline)
                chunk = response.read1(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise SpeechFailed("failed", f"{self.host} sent more than {size} bytes")
                chunks.append(chunk)
            return response.status, b"".join(chunks)
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
        finally:
            connection.close()

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


def _arm(connection: http.client.HTTPConnection, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    if connection.sock is not None:
        connection.sock.settimeout(remaining)
