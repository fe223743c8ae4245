"""The live face check: a selfie against the ID card's portrait (issue 4, item 2).

Faces come from packages already installed (skimage's astronaut, matplotlib's Grace
Hopper), so the tests run offline and really exercise dlib."""

from __future__ import annotations

import base64
import builtins
import hashlib
import hmac
import io
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dlib
import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from microcourt.assist import face
from microcourt.assist.face import (
    DlibFaceEngine,
    FaceMatch,
    FaceServiceError,
    FaceServiceTimeout,
    HttpFaceVerificationEngine,
    ModelCache,
    face_api_signature,
    get_face_engine,
    similarity_from_distance,
)
from microcourt.assist.tests import faces
from microcourt.core.errors import Unprocessable


@pytest.fixture(scope="module")
def engine() -> DlibFaceEngine:
    engine = DlibFaceEngine(threshold=0.6)
    # Warm up once for the module: every test below then pays only for inference.
    engine.compare(faces.id_card(), faces.selfie())
    return engine


@pytest.fixture(scope="module")
def card() -> bytes:
    return faces.id_card()


# --------------------------------------------------------------------------- decisions


def test_the_card_holder_taking_a_selfie_matches(engine, card):
    result = engine.compare(card, faces.selfie())
    assert result.match is True
    assert result.distance < 0.6
    assert result.similarity > 0.9
    assert result.threshold == 0.6
    assert result.engine == "dlib-resnet-v1"


def test_a_phone_selfie_stored_sideways_is_turned_upright_by_its_exif(engine, card):
    assert engine.compare(card, faces.selfie_stored_sideways()).match is True

    # Without honouring the Orientation tag the same pixels hold no upright face: the
    # match above really depends on the EXIF handling.
    sideways = Image.open(io.BytesIO(faces.selfie_stored_sideways()))
    with pytest.raises(Unprocessable) as refused:
        engine.compare(card, faces.encode(sideways.convert("RGB"), quality=85))
    assert refused.value.code == "face_not_found"


def test_somebody_else_does_not_match(engine, card):
    result = engine.compare(card, faces.stranger_selfie())
    assert result.match is False
    assert result.distance >= 0.6
    assert result.similarity < 0.5


def test_the_threshold_decides(card):
    strict = DlibFaceEngine(threshold=0.1)
    result = strict.compare(card, faces.selfie())
    assert result.distance > 0.1
    assert result.match is False
    assert result.threshold == 0.1


def test_two_people_in_the_selfie_are_refused_naming_the_selfie(engine, card):
    with pytest.raises(Unprocessable) as refused:
        engine.compare(card, faces.two_faces())
    assert refused.value.code == "multiple_faces"
    assert set(refused.value.fields) == {"selfie"}
    assert "多张人脸" in str(refused.value.fields["selfie"])
    body = refused.value.as_dict()["error"]
    assert body["code"] == "multiple_faces" and "selfie" in body["fields"]


def test_a_small_face_far_behind_is_background_not_a_second_person(engine, card):
    pixels = np.asarray(Image.open(io.BytesIO(faces.selfie_with_small_face_behind())))
    boxes = dlib.get_frontal_face_detector()(pixels, 1)
    assert len(boxes) == 2  # the detector does see both; the engine must ignore the small one
    assert engine.compare(card, faces.selfie_with_small_face_behind()).match is True


@pytest.mark.parametrize("picture", [faces.no_face, faces.gradient], ids=["coffee", "gradient"])
def test_a_selfie_without_a_face_says_what_to_do(engine, card, picture):
    with pytest.raises(Unprocessable) as refused:
        engine.compare(card, picture())
    assert refused.value.code == "face_not_found"
    assert set(refused.value.fields) == {"selfie"}
    assert "请正对摄像头" in str(refused.value.fields["selfie"])


def test_a_card_without_a_portrait_is_refused_naming_the_id_card(engine):
    with pytest.raises(Unprocessable) as refused:
        engine.compare(faces.id_card_without_portrait(), faces.selfie())
    assert refused.value.code == "face_not_found"
    assert set(refused.value.fields) == {"id_card"}


def _truncated_jpeg() -> bytes:
    whole = faces.selfie()
    return whole[: len(whole) // 2]


def _gif() -> bytes:
    return faces.encode(Image.new("RGB", (200, 200), "white"), "GIF")


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: b"", "image_missing"),
        (lambda: b"this is not a photo" * 40, "image_unreadable"),
        (_truncated_jpeg, "image_unreadable"),
        (_gif, "image_unreadable"),  # not a format a camera or a scanner gives us
        (lambda: faces.encode(Image.new("RGB", (40, 40)), "PNG"), "image_too_small"),
        (lambda: b"\xff\xd8\xff" + bytes(face.MAX_IMAGE_BYTES), "image_too_large"),
    ],
    ids=["empty", "garbage", "truncated", "gif", "tiny", "huge"],
)
@pytest.mark.parametrize("which", ["id_card", "selfie"])
def test_unusable_uploads_are_refused_naming_the_upload(engine, card, upload, code, which):
    reference, probe = (upload(), faces.selfie()) if which == "id_card" else (card, upload())
    with pytest.raises(Unprocessable) as refused:
        engine.compare(reference, probe)
    assert refused.value.code == code
    assert set(refused.value.fields) == {which}


def test_a_decompression_bomb_is_refused_before_it_is_decoded(engine, card):
    # 60 MP of one colour compresses to a few kB: over our pixel cap, under Pillow's own.
    bomb = faces.encode(Image.new("1", (8000, 7500)), "PNG")
    assert len(bomb) < 100_000
    started = time.perf_counter()
    with pytest.raises(Unprocessable) as refused:
        engine.compare(card, bomb)
    assert refused.value.code == "image_too_large"
    assert time.perf_counter() - started < 0.5


def test_a_transparent_png_portrait_sits_on_white_not_black(card):
    portrait = faces.astronaut().crop((130, 20, 310, 250)).convert("RGBA")
    portrait.putalpha(0)  # fully transparent: the pixels must come out white
    image = face.load_image(faces.encode(portrait, "PNG"), field="id_card", max_side=800)
    assert image.mode == "RGB"
    assert image.getpixel((5, 5)) == (255, 255, 255)


def test_large_photos_are_scaled_down_before_detection():
    big = faces.astronaut().resize((3000, 3000))
    image = face.load_image(faces.encode(big, quality=90), field="selfie", max_side=800)
    assert max(image.size) == 800


# --------------------------------------------------------------------------- resources


def test_the_models_are_loaded_once_per_process(engine, card, monkeypatch):
    assert face._MODELS.loaded
    constructions: list[str] = []

    def spy(name: str) -> Callable[..., Any]:
        real = getattr(dlib, name)

        def construct(*args: Any, **kwargs: Any) -> Any:
            constructions.append(name)
            return real(*args, **kwargs)

        return construct

    for name in ("shape_predictor", "face_recognition_model_v1", "get_frontal_face_detector"):
        monkeypatch.setattr(dlib, name, spy(name))
    engine.compare(card, faces.selfie())
    get_face_engine().compare(card, faces.selfie())  # a new engine shares the same models
    assert constructions == []


def test_concurrent_first_calls_load_the_models_once():
    calls: list[int] = []
    sentinel = object()

    def slow_loader() -> Any:
        calls.append(1)
        time.sleep(0.05)  # wide window for a racing second load
        return sentinel

    cache = ModelCache(slow_loader)
    seen: list[Any] = []
    threads = [threading.Thread(target=lambda: seen.append(cache.get())) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert seen == [sentinel] * 16


def test_concurrent_checks_in_threads_agree_with_a_single_one(engine, card):
    expected = engine.compare(card, faces.selfie()).distance
    results: list[float] = []
    selfie = faces.selfie()
    threads = [
        threading.Thread(target=lambda: results.append(engine.compare(card, selfie).distance))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == pytest.approx([expected] * 3, abs=1e-9)


def test_the_check_writes_nothing_to_disk_and_keeps_nothing(engine, card, monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the face check touched the file system")

    for name in (
        "mkstemp",
        "mkdtemp",
        "NamedTemporaryFile",
        "TemporaryFile",
        "SpooledTemporaryFile",
        "TemporaryDirectory",
    ):
        monkeypatch.setattr(tempfile, name, refuse)
    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    assert engine.compare(card, faces.selfie()).match is True
    monkeypatch.undo()

    kept = [value for value in vars(engine).values() if isinstance(value, bytes | np.ndarray)]
    assert kept == []


# --------------------------------------------------------------------------- scores, settings


def test_similarity_falls_as_distance_grows_and_stays_within_0_and_1():
    distances = [0.0, 0.1, 0.3, 0.59, 0.6, 0.61, 0.8, 1.2, 3.0]
    similarities = [similarity_from_distance(d) for d in distances]
    assert similarities == sorted(similarities, reverse=True)
    assert len(set(similarities)) == len(similarities)
    assert all(0.0 <= s <= 1.0 for s in similarities)
    assert similarity_from_distance(0.0) == 1.0
    assert similarity_from_distance(0.6) == pytest.approx(0.5)


def test_the_match_is_a_plain_record_to_store():
    record = FaceMatch(0.2, 0.99, 0.6, True, "dlib-resnet-v1").as_dict()
    assert record == {
        "distance": 0.2,
        "similarity": 0.99,
        "threshold": 0.6,
        "match": True,
        "engine": "dlib-resnet-v1",
        "request_id": "",
    }
    json.dumps(record)


def test_the_engine_and_threshold_come_from_settings(settings, engine):
    settings.FACE_MATCH_THRESHOLD = "0.45"  # as it arrives from the environment
    chosen = get_face_engine()
    assert isinstance(chosen, DlibFaceEngine)
    assert chosen.threshold == 0.45

    settings.FACE_ENGINE = "microcourt.assist.face.HttpFaceVerificationEngine"
    settings.FACE_REMOTE = {
        "base_url": "https://face.example.gov.cn/api",
        "app_id": "court-3302",
        "app_secret": "s3cret",
        "timeout": 3,
    }
    remote = get_face_engine()
    assert isinstance(remote, HttpFaceVerificationEngine)
    assert remote.path == "/api/v1/face/compare"
    assert remote.timeout == 3.0
    assert "s3cret" not in repr(remote)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("FACE_ENGINE", "microcourt.assist.face.NoSuchEngine"),
        ("FACE_ENGINE", "collections.OrderedDict"),  # importable, but no compare()
        ("FACE_MATCH_THRESHOLD", 0),
        ("FACE_MATCH_THRESHOLD", "high"),
    ],
)
def test_a_misconfigured_engine_fails_loudly(settings, setting, value):
    setattr(settings, setting, value)
    with pytest.raises(ImproperlyConfigured):
        get_face_engine()


@pytest.mark.parametrize(
    "config",
    [
        {"base_url": "http://face.example.gov.cn", "app_id": "a", "app_secret": "s"},
        {"base_url": "https://face.example.gov.cn", "app_id": "a", "app_secret": ""},
        {"base_url": "https://u:p@face.example.gov.cn", "app_id": "a", "app_secret": "s"},
        {"base_url": "ftp://face.example.gov.cn", "app_id": "a", "app_secret": "s"},
        {"base_url": "https://face.example.gov.cn", "app_id": "a", "app_secret": "s", "x": 1},
        {"base_url": "https://face.example.gov.cn", "app_id": "a", "app_secret": "s",
         "min_score": 2},
        {"base_url": "https://face.example.gov.cn:port", "app_id": "a", "app_secret": "s"},
        {"base_url": "https://face.example.gov.cn", "app_id": "a", "app_secret": "s",
         "timeout": "soon"},
    ],
    ids=["plain-http", "no-secret", "credentials-in-url", "ftp", "unknown-key", "min-score",
         "bad-port", "bad-timeout"],
)  # fmt: skip
def test_the_remote_engine_refuses_unsafe_or_incomplete_settings(settings, config):
    settings.FACE_ENGINE = "microcourt.assist.face.HttpFaceVerificationEngine"
    settings.FACE_REMOTE = config
    with pytest.raises(ImproperlyConfigured):
        get_face_engine()


# --------------------------------------------------------------------------- remote adapter

APP_ID, SECRET = "court-3302", "provider-shared-secret"


@dataclass
class FakeProvider:
    """A face-verification service on 127.0.0.1 that checks our signatures and answers
    however the test says."""

    status: int = 200
    answer: dict[str, Any] = field(
        default_factory=lambda: {"score": 0.93, "match": True, "request_id": "req-1"}
    )
    sign: bool = True
    tamper_signature: bool = False
    echo_nonce: bool = True
    timestamp_offset: int = 0
    delay: float = 0.0
    trickle: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    bad_request_signatures: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    url: str = ""


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    state = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = face_api_signature(
                secret=SECRET,
                app_id=self.headers["X-App-Id"],
                timestamp=self.headers["X-Timestamp"],
                nonce=self.headers["X-Nonce"],
                body=body,
            )
            if self.path != "/gw/v1/face/compare" or not hmac.compare_digest(
                expected, self.headers["X-Signature"]
            ):
                state.bad_request_signatures += 1
                self.send_response(401)
                self.end_headers()
                return
            state.requests.append(json.loads(body))
            if state.delay:
                state.stop.wait(state.delay)
            payload = json.dumps(state.answer).encode()
            nonce = self.headers["X-Nonce"] if state.echo_nonce else "0" * 32
            timestamp = str(int(time.time()) + state.timestamp_offset)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if state.sign:
                signature = face_api_signature(
                    secret=SECRET, app_id=APP_ID, timestamp=timestamp, nonce=nonce, body=payload
                )
                if state.tamper_signature:
                    signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
                self.send_header("X-App-Id", APP_ID)
                self.send_header("X-Timestamp", timestamp)
                self.send_header("X-Nonce", nonce)
                self.send_header("X-Signature", signature)
            self.end_headers()
            if state.trickle:
                for byte in payload:
                    if state.stop.wait(0.1):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                return
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    # A short poll keeps shutdown() (hence each test's teardown) quick.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/gw"
    yield state
    state.stop.set()
    server.shutdown()
    server.server_close()


def remote(provider: FakeProvider, **options: Any) -> HttpFaceVerificationEngine:
    return HttpFaceVerificationEngine(
        base_url=provider.url, app_id=APP_ID, app_secret=SECRET, name="national-id", **options
    )


def test_the_signature_is_the_documented_hmac():
    body = b'{"reference_image":"","probe_image":""}'
    text = f"{APP_ID}\n1700000000\nabc123\n{hashlib.sha256(body).hexdigest()}".encode()
    assert (
        face_api_signature(
            secret=SECRET, app_id=APP_ID, timestamp="1700000000", nonce="abc123", body=body
        )
        == hmac.new(SECRET.encode(), text, hashlib.sha256).hexdigest()
    )


def test_the_provider_answer_becomes_a_face_match(provider, card):
    result = remote(provider).compare(card, faces.selfie_stored_sideways())
    assert result == FaceMatch(
        distance=pytest.approx(0.07),
        similarity=0.93,
        threshold=1.0,
        match=True,
        engine="national-id",
        request_id="req-1",
    )
    assert provider.bad_request_signatures == 0
    (sent,) = provider.requests
    probe = Image.open(io.BytesIO(base64.b64decode(sent["probe_image"])))
    # Sent upright and re-encoded: no EXIF (GPS, device) leaves the platform.
    assert probe.format == "JPEG"
    assert probe.size == (480, 450)
    assert not probe.getexif()


def test_the_provider_decides_and_a_score_floor_can_only_be_stricter(provider, card):
    provider.answer = {"score": 0.41, "match": False, "request_id": "req-2"}
    assert remote(provider).compare(card, faces.selfie()).match is False

    provider.answer = {"score": 0.7, "match": True, "request_id": "req-3"}
    floored = remote(provider, min_score=0.8).compare(card, faces.selfie())
    assert floored.match is False
    assert floored.threshold == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("tweak", "reason"),
    [
        ({"tamper_signature": True}, "signature does not verify"),
        ({"sign": False}, "not signed"),
        ({"echo_nonce": False}, "nonce"),
        ({"timestamp_offset": -3600}, "timestamp"),
    ],
    ids=["bad-signature", "unsigned", "replayed", "stale"],
)
def test_an_answer_that_does_not_verify_is_refused(provider, card, tweak, reason):
    for name, value in tweak.items():
        setattr(provider, name, value)
    with pytest.raises(FaceServiceError) as failed:
        remote(provider).compare(card, faces.selfie())
    assert reason in failed.value.reason
    assert failed.value.status == 502
    # The user is told to try later; the operator's reason stays out of the response.
    message = failed.value.as_dict()["error"]["message"]
    assert "稍后重试" in message and reason not in message


def test_a_provider_that_does_not_answer_in_time_times_out(provider, card):
    provider.delay = 5
    started = time.perf_counter()
    with pytest.raises(FaceServiceTimeout) as failed:
        remote(provider, timeout=0.4).compare(card, faces.selfie())
    assert time.perf_counter() - started < 2
    assert "did not answer within 0.4 s" in failed.value.reason
    assert failed.value.status == 504
    assert "超时" in failed.value.as_dict()["error"]["message"]


def test_the_timeout_bounds_the_whole_answer_not_each_read(provider, card):
    provider.trickle = True  # one byte every 0.1 s: each read is quick, the whole is not
    started = time.perf_counter()
    with pytest.raises(FaceServiceTimeout):
        remote(provider, timeout=0.5).compare(card, faces.selfie())
    assert time.perf_counter() - started < 2


def test_an_unreachable_provider_is_a_clear_service_error(card):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once we leave: nobody listens there
    engine = HttpFaceVerificationEngine(
        base_url=f"http://127.0.0.1:{port}", app_id=APP_ID, app_secret=SECRET
    )
    with pytest.raises(FaceServiceError) as failed:
        engine.compare(card, faces.selfie())
    assert "cannot talk to 127.0.0.1" in failed.value.reason


@pytest.mark.parametrize(
    ("status", "answer", "reason"),
    [
        (500, {"error": "boom"}, "HTTP 500"),
        (401, {}, "HTTP 401"),
        (200, {"score": 1.7, "match": True}, "0..1 score"),
        (200, {"score": 0.9, "match": "yes"}, "boolean match"),
        (200, ["not", "an", "object"], "not a JSON object"),
        (200, {"score": 0.9, "match": True, "pad": "x" * 70_000}, "more than"),
        (422, {"error": {"code": "sunspots", "target": "probe"}}, "unknown refusal"),
    ],
)
def test_other_provider_failures_are_service_errors(provider, card, status, answer, reason):
    provider.status, provider.answer = status, answer
    with pytest.raises(FaceServiceError) as failed:
        remote(provider).compare(card, faces.selfie())
    assert reason in failed.value.reason


@pytest.mark.parametrize(
    ("code", "target", "field_name", "our_code"),
    [
        ("no_face", "probe", "selfie", "face_not_found"),
        ("multiple_faces", "probe", "selfie", "multiple_faces"),
        ("no_face", "reference", "id_card", "face_not_found"),
        ("bad_image", "reference", "id_card", "image_unreadable"),
    ],
)
def test_a_provider_refusal_names_the_upload_like_the_local_engine(
    provider, card, code, target, field_name, our_code
):
    provider.status = 422
    provider.answer = {"error": {"code": code, "target": target}}
    with pytest.raises(Unprocessable) as refused:
        remote(provider).compare(card, faces.selfie())
    assert refused.value.code == our_code
    assert set(refused.value.fields) == {field_name}


def test_a_broken_upload_is_refused_without_calling_the_provider(provider, card):
    with pytest.raises(Unprocessable) as refused:
        remote(provider).compare(card, b"not a photo")
    assert set(refused.value.fields) == {"selfie"}
    assert provider.requests == []
