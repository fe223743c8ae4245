"""The remote engine against a real HTTP server started here, speaking the OpenAI-compatible
``/v1/audio/transcriptions`` as self-hosted ASR services do."""

from __future__ import annotations

import email.parser
import email.policy
import http.server
import io
import json
import socket
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from microcourt.assist import speech
from microcourt.assist.speech import SAMPLE_RATE, SpeechFailed
from microcourt.assist.speech.remote import RemoteSpeechEngine

TOKEN = "asr-secret-token"


@dataclass
class AsrService:
    """What the fake service answers, and what it was sent."""

    mode: str = "ok"  # ok | slow | error | garbage
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    answer: dict[str, Any] = field(
        default_factory=lambda: {
            "task": "transcribe",
            "language": "chinese",
            "duration": 2.0,
            "text": " 现在 开庭。",
            "segments": [{"id": 0, "start": 0.0, "end": 1.9, "text": " 现在 开庭。"}],
        }
    )
    url: str = ""


def _handler(service: AsrService) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            """Quiet: the tests read the requests from ``service``, not the log."""

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test): what a slow service sees

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length)
            if self.path != "/asr/v1/audio/transcriptions":
                return self._send(404, b'{"error": "not found"}')
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, b'{"error": {"message": "Invalid API key"}}')
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
            )
            form: dict[str, Any] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                form[name] = payload if part.get_filename() else payload.decode("utf-8")
                if part.get_filename():
                    form["file_type"] = part.get_content_type()
            with wave.open(io.BytesIO(form["file"])) as clip:
                form["wav"] = (clip.getframerate(), clip.getnchannels(), clip.getsampwidth())
                form["samples"] = clip.getnframes()
            service.requests.append(form)
            if service.mode == "slow":
                time.sleep(service.delay)
            if service.mode == "error":
                return self._send(500, b'{"error": "model crashed"}')
            if service.mode == "garbage":
                return self._send(200, b"<html>proxy error</html>", "text/html")
            self._send(200, json.dumps(service.answer).encode())

    return Handler


@pytest.fixture
def asr_service() -> Iterator[AsrService]:
    service = AsrService()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    service.url = f"http://127.0.0.1:{server.server_address[1]}/asr"
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


def _engine(service: AsrService, token: str = TOKEN) -> RemoteSpeechEngine:
    return RemoteSpeechEngine(base_url=service.url, token=token, model="whisper-large-v3")


def _tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_the_service_gets_the_utterance_as_wav_with_hot_words_and_its_text_comes_back(
    asr_service,
):
    audio = _tone(2.0)

    result = _engine(asr_service).transcribe(
        audio, language="zh", hotwords=["张三", "买卖合同纠纷", "张三"], timeout=5
    )

    assert result.text == "现在开庭。"  # spaces between Chinese words dropped
    assert result.language == "zh"  # "chinese" in verbose_json
    assert result.segments == (speech.Segment(0.0, 1.9, "现在开庭。"),)
    assert result.engine == "remote:127.0.0.1"
    (sent,) = asr_service.requests
    assert sent["model"] == "whisper-large-v3"
    assert sent["language"] == "zh"
    assert sent["prompt"] == "张三，买卖合同纠纷"
    assert sent["response_format"] == "verbose_json"
    assert sent["file_type"] == "audio/wav"
    assert sent["wav"] == (16000, 1, 2) and sent["samples"] == audio.size


def test_no_language_lets_the_service_detect_it(asr_service):
    asr_service.answer = {"text": "Order in court.", "language": "english"}

    result = _engine(asr_service).transcribe(_tone(1.0), language=None, timeout=5)

    assert "language" not in asr_service.requests[0] and "prompt" not in asr_service.requests[0]
    assert (result.text, result.language, result.segments) == ("Order in court.", "en", ())


def test_a_refused_token_fails_and_says_to_check_it(asr_service):
    with pytest.raises(SpeechFailed) as failure:
        _engine(asr_service, token="wrong").transcribe(_tone(1.0), timeout=5)
    assert failure.value.reason == "failed"
    assert "SPEECH_REMOTE_TOKEN" in str(failure.value)
    assert asr_service.requests == []


def test_a_slow_service_times_out_without_holding_the_caller(asr_service):
    asr_service.mode, asr_service.delay = "slow", 3.0
    started = time.monotonic()

    with pytest.raises(SpeechFailed) as failure:
        _engine(asr_service).transcribe(_tone(1.0), timeout=0.5)

    assert failure.value.reason == "timeout"
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(("mode", "reason"), [("error", "failed"), ("garbage", "failed")])
def test_a_broken_service_fails(asr_service, mode, reason):
    asr_service.mode = mode
    with pytest.raises(SpeechFailed) as failure:
        _engine(asr_service).transcribe(_tone(1.0), timeout=5)
    assert failure.value.reason == reason


def test_a_service_that_is_not_there_is_missing(asr_service):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = RemoteSpeechEngine(base_url=f"http://127.0.0.1:{port}", token=TOKEN)
    with pytest.raises(SpeechFailed) as failure:
        engine.transcribe(_tone(1.0), timeout=5)
    assert failure.value.reason == "missing"

    wrong_path = RemoteSpeechEngine(base_url=asr_service.url + "/elsewhere", token=TOKEN)
    with pytest.raises(SpeechFailed) as failure:
        wrong_path.transcribe(_tone(1.0), timeout=5)
    assert failure.value.reason == "missing"


def test_audio_is_never_sent_in_the_clear_to_another_host():
    with pytest.raises(ImproperlyConfigured, match="https"):
        RemoteSpeechEngine(base_url="http://asr.court.example", token=TOKEN)
    with pytest.raises(ImproperlyConfigured):
        RemoteSpeechEngine(base_url="https://user:pw@asr.court.example", token=TOKEN)
    engine = RemoteSpeechEngine(base_url="https://asr.court.example/", token=TOKEN)
    assert engine.path == "/v1/audio/transcriptions"
    assert TOKEN not in repr(engine)


def test_get_engine_builds_the_remote_engine_from_settings(settings, asr_service):
    settings.SPEECH_ENGINE = "remote"
    settings.SPEECH_REMOTE_URL = asr_service.url
    settings.SPEECH_REMOTE_TOKEN = TOKEN
    settings.SPEECH_REMOTE_MODEL = "paraformer-zh"

    result = speech.get_engine().transcribe(_tone(1.0), hotwords=["Ningbo"], timeout=5)

    assert result.text == "现在开庭。"
    assert asr_service.requests[0]["model"] == "paraformer-zh"
    assert asr_service.requests[0]["language"] == "zh"  # SPEECH_LANGUAGE
    assert asr_service.requests[0]["prompt"] == "Ningbo"
