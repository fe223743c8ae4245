"""Live face check: is the person in the selfie the person on the ID card?

Two engines behind one protocol (:class:`FaceEngine`), chosen by ``settings.FACE_ENGINE``:

- :class:`DlibFaceEngine` (default) runs on this machine: dlib's HOG detector, the 5-point
  shape predictor and the ResNet face descriptor from ``face-recognition-models``; two faces
  match when the Euclidean distance of their 128-d descriptors is below
  ``settings.FACE_MATCH_THRESHOLD`` (0.6, dlib's published operating point). The 68-point
  predictor is never used: its training data is licensed for non-commercial use only.
- :class:`HttpFaceVerificationEngine` is the adapter for a national identity platform or a
  commercial face-verification service (``settings.FACE_REMOTE``); the wire protocol it
  speaks is documented on the class.

Personal data: images are held in memory for the duration of :meth:`FaceEngine.compare`
and nothing else. No engine writes a file (not even a temporary one), caches an image or a
descriptor, or logs image content; only the returned :class:`FaceMatch` should be kept.
Callers receiving uploads must make sure Django did not spill them to a temporary file
(``FILE_UPLOAD_MAX_MEMORY_SIZE`` / ``MemoryFileUploadHandler``) and must not store them.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import http.client
import importlib.util
import io
import json
import logging
import math
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from PIL import Image

from microcourt.assist import images
from microcourt.core import outbound
from microcourt.core.errors import DomainError, Unprocessable

logger = logging.getLogger(__name__)

DEFAULT_ENGINE = "microcourt.assist.face.DlibFaceEngine"
DEFAULT_THRESHOLD = 0.6

# Field names the errors point at, so a form or the API can put the message next to the
# right upload.
REFERENCE_FIELD = "id_card"
PROBE_FIELD = "selfie"

# Phone photos are 2-8 MB; anything far beyond that is not a photo we want to decode.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
# Decompression-bomb guard independent of Pillow's global MAX_IMAGE_PIXELS (which other
# code may relax): 50 MP is above any phone camera.
MAX_IMAGE_PIXELS = 50_000_000
MIN_IMAGE_SIDE = 64
# HOG detection cost grows with the pixel count; faces on a card or in a selfie stay well
# above the detector's 40-px minimum (at 1 upsample) when the longer side is 800 px.
DETECTION_MAX_SIDE = 800
# Below this longer side a face may be under the 1-upsample minimum; a second, finer pass
# is cheap on an image this small.
SMALL_IMAGE_SIDE = 400
# On a live selfie, boxes smaller than this share of the largest one are background
# (a poster, a passer-by far behind), not a second person presenting themselves.
BACKGROUND_FACE_AREA_RATIO = 0.25
# Only what live capture and scanned cards produce; fewer decoders, less attack surface.

MSG_NO_FACE_SELFIE = _("没有检测到人脸，请正对摄像头、光线充足后重拍")
MSG_MANY_FACES = _("画面中有多张人脸，请确保只有本人入镜")
MSG_NO_FACE_ID_CARD = _("身份证照片上没有检测到人像，请上传清晰、完整、无反光的身份证人像面照片")
MSG_EMPTY = _("没有收到照片，请重新拍摄或上传")
MSG_TOO_LARGE = _("照片文件过大（不能超过 20 MB），请压缩后重新上传")
MSG_UNREADABLE = _("照片无法识别，请上传清晰的 JPG 或 PNG 照片")
MSG_TOO_SMALL = _("照片分辨率过低，请重新拍摄清晰的照片")
MSG_SERVICE_ERROR = _("人脸核验服务暂时不可用，请稍后重试")
MSG_SERVICE_TIMEOUT = _("人脸核验服务响应超时，请稍后重试")


@dataclass(frozen=True, slots=True)
class FaceMatch:
    """The outcome of one comparison; this (never the images) is what gets stored.

    ``distance`` is the engine's dissimilarity (dlib: Euclidean distance of the
    descriptors; remote: 1 - provider score); ``similarity`` is 0..1, higher is more alike
    and decreases monotonically with ``distance``; ``threshold`` is the cut-off on
    ``distance`` the decision used; ``request_id`` is the provider's reference, if any.
    """

    distance: float
    similarity: float
    threshold: float
    match: bool
    engine: str
    request_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@runtime_checkable
class FaceEngine(Protocol):
    def compare(self, reference: bytes, probe: bytes) -> FaceMatch:
        """``reference`` is the ID-card photo (or its portrait crop), ``probe`` the selfie.

        Raises :class:`~microcourt.core.errors.Unprocessable` naming ``id_card`` or
        ``selfie`` when an image is unusable (unreadable, no face, several faces)."""
        ...


def similarity_from_distance(distance: float) -> float:
    """Map a dlib descriptor distance to 0..1 (1 = identical, 0.5 at distance 0.6).

    The pivot is dlib's own operating point rather than the configured threshold, so scores
    stored before and after an operator tunes the threshold stay comparable."""
    return 1.0 / (1.0 + (max(distance, 0.0) / DEFAULT_THRESHOLD) ** 4)


def get_face_engine() -> FaceEngine:
    """The engine ``settings.FACE_ENGINE`` names (a dotted path), configured from settings.

    Built per call because construction is cheap (the dlib models are process-wide) and it
    keeps settings overrides effective."""
    path = getattr(settings, "FACE_ENGINE", DEFAULT_ENGINE)
    try:
        engine_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"FACE_ENGINE {path!r} cannot be imported: {exc}") from exc
    factory = getattr(engine_class, "from_settings", None)
    engine = factory() if callable(factory) else engine_class()
    if not isinstance(engine, FaceEngine):
        raise ImproperlyConfigured(f"FACE_ENGINE {path!r} has no compare(reference, probe)")
    return engine


# --------------------------------------------------------------------------- images


def _refuse(field: str, message: str | Promise, code: str) -> Unprocessable:
    return Unprocessable(message, code=code, fields={field: message})


def load_image(data: bytes, *, field: str, max_side: int) -> Image.Image:
    """Decode an upload into an upright RGB image whose longer side is at most ``max_side``.

    Everything a hostile or broken upload can do becomes an :class:`Unprocessable` naming
    ``field``: empty, oversized, not an allowed format, a decompression bomb, truncated."""
    if not data:
        raise _refuse(field, MSG_EMPTY, "image_missing")
    if len(data) > MAX_IMAGE_BYTES:
        raise _refuse(field, MSG_TOO_LARGE, "image_too_large")
    try:
        image = images.decode(data, max_side=max_side, max_pixels=MAX_IMAGE_PIXELS)
    except images.ImageRefused as exc:
        if exc.reason == "too_large":
            raise _refuse(field, MSG_TOO_LARGE, "image_too_large") from None
        raise _refuse(field, MSG_UNREADABLE, "image_unreadable") from None
    if min(image.size) < MIN_IMAGE_SIDE:
        raise _refuse(field, MSG_TOO_SMALL, "image_too_small")
    return image


# --------------------------------------------------------------------------- dlib engine


@dataclass(frozen=True, slots=True)
class _DlibModels:
    shape_predictor: Any
    recognizer: Any
    # dlib's HOG detector keeps per-call scratch state and its bindings release the GIL, so
    # a detector object must not be used by two threads at once; idle ones wait here.
    idle_detectors: queue.SimpleQueue[Any]
    # Same reason for the ResNet (a dlib DNN holds its layer outputs); it is 22 MB, so one
    # shared instance behind a lock rather than one per thread.
    recognizer_lock: threading.Lock


def model_directory() -> Path:
    # find_spec locates the package without executing it: face_recognition_models'
    # __init__ imports pkg_resources, which current setuptools no longer ships.
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or spec.origin is None:
        raise ImproperlyConfigured(
            "The face check needs the face-recognition-models package (pip install "
            "face-recognition-models==0.3.0)."
        )
    return Path(spec.origin).parent / "models"


def _load_dlib_models() -> _DlibModels:
    import dlib  # deferred: a deployment using the remote engine never loads dlib

    directory = model_directory()
    predictor_path = directory / "shape_predictor_5_face_landmarks.dat"
    recognizer_path = directory / "dlib_face_recognition_resnet_model_v1.dat"
    for path in (predictor_path, recognizer_path):
        if not path.is_file():
            raise ImproperlyConfigured(f"Face model file missing: {path}")
    started = time.perf_counter()
    idle: queue.SimpleQueue[Any] = queue.SimpleQueue()
    idle.put(dlib.get_frontal_face_detector())
    models = _DlibModels(
        shape_predictor=dlib.shape_predictor(str(predictor_path)),
        recognizer=dlib.face_recognition_model_v1(str(recognizer_path)),
        idle_detectors=idle,
        recognizer_lock=threading.Lock(),
    )
    logger.info("face models loaded in %.2f s", time.perf_counter() - started)
    return models


class ModelCache:
    """Loads once per process, on first use, even when many threads ask at the same time."""

    def __init__(self, loader: Callable[[], _DlibModels]) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._models: _DlibModels | None = None

    @property
    def loaded(self) -> bool:
        return self._models is not None

    def get(self) -> _DlibModels:
        models = self._models
        if models is None:
            with self._lock:
                if self._models is None:
                    self._models = self._loader()
                models = self._models
        return models


_MODELS = ModelCache(_load_dlib_models)


class DlibFaceEngine:
    """The local engine: dlib HOG detector + 5-point landmarks + ResNet descriptor, on CPU.

    On the reference (an ID card) the largest face is the portrait; anything else the
    detector finds there is card furniture. On the probe (a live selfie) exactly one face
    of real size is required, so nobody can hold a second person up to the camera."""

    name = "dlib-resnet-v1"

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        max_side: int = DETECTION_MAX_SIDE,
        models: ModelCache | None = None,
    ) -> None:
        try:
            value = float(threshold)  # settings from the environment may give str or Decimal
        except (TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise ImproperlyConfigured(f"FACE_MATCH_THRESHOLD must be > 0, got {threshold!r}")
        self.threshold = value
        self.max_side = max_side
        self._models = models or _MODELS

    @classmethod
    def from_settings(cls) -> DlibFaceEngine:
        return cls(threshold=getattr(settings, "FACE_MATCH_THRESHOLD", DEFAULT_THRESHOLD))

    def compare(self, reference: bytes, probe: bytes) -> FaceMatch:
        # Decode both before touching the models, so a bad upload is refused without paying
        # for (or waiting on) a model load.
        reference_pixels = self._pixels(reference, field=REFERENCE_FIELD)
        probe_pixels = self._pixels(probe, field=PROBE_FIELD)
        models = self._models.get()
        reference_vector = self._descriptor(models, reference_pixels, field=REFERENCE_FIELD)
        probe_vector = self._descriptor(models, probe_pixels, field=PROBE_FIELD)
        distance = float(np.linalg.norm(reference_vector - probe_vector))
        return FaceMatch(
            distance=distance,
            similarity=similarity_from_distance(distance),
            threshold=self.threshold,
            match=distance < self.threshold,
            engine=self.name,
        )

    def _pixels(self, data: bytes, *, field: str) -> np.ndarray:
        image = load_image(data, field=field, max_side=self.max_side)
        return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))

    def _descriptor(self, models: _DlibModels, pixels: np.ndarray, *, field: str) -> np.ndarray:
        boxes = self._detect(models, pixels)
        if not boxes:
            message = MSG_NO_FACE_ID_CARD if field == REFERENCE_FIELD else MSG_NO_FACE_SELFIE
            raise _refuse(field, message, "face_not_found")
        largest = max(boxes, key=lambda box: box.area())
        if field == PROBE_FIELD:
            floor = BACKGROUND_FACE_AREA_RATIO * largest.area()
            if sum(1 for box in boxes if box.area() >= floor) > 1:
                raise _refuse(field, MSG_MANY_FACES, "multiple_faces")
        landmarks = models.shape_predictor(pixels, largest)
        with models.recognizer_lock:
            vector = models.recognizer.compute_face_descriptor(pixels, landmarks)
        return np.asarray(vector, dtype=np.float64)

    def _detect(self, models: _DlibModels, pixels: np.ndarray) -> list[Any]:
        with _borrowed_detector(models) as detector:
            boxes = list(detector(pixels, 1))
            if not boxes and max(pixels.shape[:2]) <= SMALL_IMAGE_SIDE:
                boxes = list(detector(pixels, 2))
        return boxes


@contextmanager
def _borrowed_detector(models: _DlibModels) -> Iterator[Any]:
    try:
        detector = models.idle_detectors.get_nowait()
    except queue.Empty:
        # More concurrent checks than idle detectors: build another (about 0.2 s, once);
        # the pool then holds as many as the peak concurrency needed.
        import dlib

        detector = dlib.get_frontal_face_detector()
    try:
        yield detector
    finally:
        models.idle_detectors.put(detector)


# --------------------------------------------------------------------------- remote engine


class FaceServiceError(DomainError):
    """The remote face service failed or gave an answer we cannot trust.

    ``message`` is for the user (try again later); ``reason`` is for operators and names
    what went wrong, never anything about the person or the images."""

    status = 502
    code = "face_service_error"

    def __init__(self, reason: str, message: str | Promise | None = None) -> None:
        super().__init__(message or MSG_SERVICE_ERROR)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"


class FaceServiceTimeout(FaceServiceError):
    status = 504
    code = "face_service_timeout"

    def __init__(self, reason: str) -> None:
        super().__init__(reason, MSG_SERVICE_TIMEOUT)


def face_api_signature(*, secret: str, app_id: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``app_id\\ntimestamp\\nnonce\\nsha256_hex(body)`` under ``secret``."""
    digest = hashlib.sha256(body).hexdigest()
    text = f"{app_id}\n{timestamp}\n{nonce}\n{digest}".encode()
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


REMOTE_DEFAULTS: dict[str, Any] = {
    "base_url": "",
    "app_id": "",
    "app_secret": "",
    "timeout": 5.0,
    # The provider's own ``match`` decides; a floor here can only make it stricter.
    "min_score": 0.0,
    "name": "remote",
    "max_side": 1024,
}

_REMOTE_ERROR_CODES = {
    ("no_face", "reference"): (REFERENCE_FIELD, MSG_NO_FACE_ID_CARD, "face_not_found"),
    ("no_face", "probe"): (PROBE_FIELD, MSG_NO_FACE_SELFIE, "face_not_found"),
    ("multiple_faces", "probe"): (PROBE_FIELD, MSG_MANY_FACES, "multiple_faces"),
    ("bad_image", "reference"): (REFERENCE_FIELD, MSG_UNREADABLE, "image_unreadable"),
    ("bad_image", "probe"): (PROBE_FIELD, MSG_UNREADABLE, "image_unreadable"),
}


class HttpFaceVerificationEngine:
    """Adapter for a national identity platform or a commercial face-verification service.

    Configure ``settings.FACE_REMOTE`` (keys of :data:`REMOTE_DEFAULTS`) and set
    ``FACE_ENGINE = "microcourt.assist.face.HttpFaceVerificationEngine"``. A provider whose
    API differs gets a thin gateway (or a subclass overriding :meth:`_exchange`) that speaks:

    Request: ``POST {base_url}/v1/face/compare`` with JSON
    ``{"reference_image": <base64 JPEG>, "probe_image": <base64 JPEG>}`` and headers
    ``X-App-Id``, ``X-Timestamp`` (Unix seconds), ``X-Nonce`` (random hex, single use) and
    ``X-Signature`` = :func:`face_api_signature` over those three and the body.

    Answer 200: ``{"score": 0..1, "match": bool, "request_id": str}``; answer 422:
    ``{"error": {"code": "no_face" | "multiple_faces" | "bad_image",
    "target": "reference" | "probe"}}``. Both are signed the same way with the response's
    ``X-App-Id``, ``X-Timestamp`` and ``X-Signature`` and with ``X-Nonce`` echoing the
    request's nonce, which binds the answer to this request (an old "match" cannot be
    replayed). An unsigned, mis-signed or stale answer is refused before it is parsed.

    Images are decoded, checked and re-encoded locally first: garbage is refused without a
    network call, and EXIF (GPS position, device) never leaves the platform. Only the
    configured host is contacted: no proxy from the environment, no redirects; plain HTTP
    only to a loopback address (a local gateway or a test)."""

    def __init__(
        self,
        *,
        base_url: str,
        app_id: str,
        app_secret: str,
        timeout: float = REMOTE_DEFAULTS["timeout"],
        min_score: float = REMOTE_DEFAULTS["min_score"],
        name: str = REMOTE_DEFAULTS["name"],
        max_side: int = REMOTE_DEFAULTS["max_side"],
        max_response_bytes: int = 64 * 1024,
        clock_skew: float = 300.0,
    ) -> None:
        parts = outbound.service_url(
            base_url, option="FACE_REMOTE['base_url']", clear_text="face images are biometric data"
        )
        if not app_id or not app_secret:
            raise ImproperlyConfigured("FACE_REMOTE needs 'app_id' and 'app_secret'")
        try:
            port, timeout, min_score = parts.port, float(timeout), float(min_score)
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(f"FACE_REMOTE has a malformed value: {exc}") from None
        if not timeout > 0:
            raise ImproperlyConfigured("FACE_REMOTE['timeout'] must be > 0 seconds")
        if not 0.0 <= min_score <= 1.0:
            raise ImproperlyConfigured("FACE_REMOTE['min_score'] must be within 0..1")
        self.scheme = parts.scheme
        self.host = parts.hostname or ""  # never empty: service_url checked it
        self.port = port
        self.path = parts.path.rstrip("/") + "/v1/face/compare"
        self.app_id = app_id
        self._secret = app_secret
        self.timeout = timeout
        self.min_score = min_score
        self.name = name
        self.max_side = max_side
        self.max_response_bytes = max_response_bytes
        self.clock_skew = clock_skew

    def __repr__(self) -> str:  # never show the secret, e.g. in a traceback's locals
        return f"<HttpFaceVerificationEngine {self.name} {self.scheme}://{self.host}>"

    @classmethod
    def from_settings(cls) -> HttpFaceVerificationEngine:
        config = getattr(settings, "FACE_REMOTE", {})
        unknown = set(config) - set(REMOTE_DEFAULTS)
        if unknown:
            raise ImproperlyConfigured(f"FACE_REMOTE has unknown keys: {sorted(unknown)}")
        return cls(**{**REMOTE_DEFAULTS, **config})

    def compare(self, reference: bytes, probe: bytes) -> FaceMatch:
        body = json.dumps(
            {
                "reference_image": self._encoded(reference, field=REFERENCE_FIELD),
                "probe_image": self._encoded(probe, field=PROBE_FIELD),
            },
            separators=(",", ":"),
        ).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Connection": "close",
            "X-App-Id": self.app_id,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": face_api_signature(
                secret=self._secret, app_id=self.app_id, timestamp=timestamp, nonce=nonce,
                body=body,
            ),
        }  # fmt: skip
        try:
            status, response_headers, payload = self._exchange(body, headers)
            if status not in (200, 422):
                raise FaceServiceError(f"{self.host} answered HTTP {status}")
            self._verify(response_headers, payload, nonce)
            answer = self._json(payload)
            if status == 422:
                raise self._refusal(answer)
            return self._match(answer)
        except FaceServiceError as exc:
            logger.warning("remote face check failed (%s): %s", self.name, exc.reason)
            raise

    def _encoded(self, data: bytes, *, field: str) -> str:
        image = load_image(data, field=field, max_side=self.max_side)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=92)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    def _exchange(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """POST ``body``; return status, lower-cased headers and the (size-capped) payload.

        ``timeout`` is a deadline for the whole exchange, not per socket read, so a server
        trickling bytes cannot hold a user's request open."""
        try:
            answer = outbound.post(
                scheme=self.scheme, host=self.host, port=self.port, path=self.path,
                body=body, headers=headers, timeout=self.timeout,
                max_bytes=self.max_response_bytes, chunk=16 * 1024,
            )  # fmt: skip
        except outbound.ResponseTooLarge:
            raise FaceServiceError(
                f"{self.host} sent more than {self.max_response_bytes} bytes"
            ) from None
        except TimeoutError as exc:
            raise FaceServiceTimeout(
                f"{self.host} did not answer within {self.timeout:g} s"
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FaceServiceError(f"cannot talk to {self.host}: {type(exc).__name__}") from exc
        return answer.status, answer.headers, answer.body

    def _verify(self, headers: dict[str, str], payload: bytes, nonce: str) -> None:
        signature = headers.get("x-signature", "")
        timestamp = headers.get("x-timestamp", "")
        if not signature or not timestamp:
            raise FaceServiceError("response is not signed")
        if headers.get("x-app-id") != self.app_id:
            raise FaceServiceError("response signed for another app id")
        if headers.get("x-nonce") != nonce:
            raise FaceServiceError("response nonce does not echo the request")
        try:
            age = abs(time.time() - int(timestamp))
        except (ValueError, OverflowError):
            raise FaceServiceError("response timestamp is not a number") from None
        if age > self.clock_skew:
            raise FaceServiceError(f"response timestamp is {age:.0f} s off")
        expected = face_api_signature(
            secret=self._secret, app_id=self.app_id, timestamp=timestamp, nonce=nonce,
            body=payload,
        )  # fmt: skip
        if not hmac.compare_digest(expected, signature.lower()):
            raise FaceServiceError("response signature does not verify")

    def _json(self, payload: bytes) -> dict[str, Any]:
        try:
            answer = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise FaceServiceError("response is not JSON") from None
        if not isinstance(answer, dict):
            raise FaceServiceError("response is not a JSON object")
        return answer

    def _refusal(self, answer: dict[str, Any]) -> DomainError:
        error = answer.get("error")
        key = (error.get("code"), error.get("target")) if isinstance(error, dict) else None
        known = _REMOTE_ERROR_CODES.get(key) if key else None
        if known is None:
            return FaceServiceError(f"unknown refusal from {self.host}: {key!r}")
        field, message, code = known
        return _refuse(field, message, code)

    def _match(self, answer: dict[str, Any]) -> FaceMatch:
        score, match, request_id = (
            answer.get("score"),
            answer.get("match"),
            answer.get("request_id", ""),
        )
        if (
            isinstance(score, bool)
            or not isinstance(score, int | float)
            or not 0.0 <= score <= 1.0
            or not isinstance(match, bool)
            or not isinstance(request_id, str)
        ):
            raise FaceServiceError("response lacks a 0..1 score, a boolean match or request_id")
        score = float(score)
        return FaceMatch(
            distance=1.0 - score,
            similarity=score,
            threshold=1.0 - self.min_score,
            match=match and score >= self.min_score,
            engine=self.name,
            request_id=request_id[:128],
        )


__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_THRESHOLD",
    "PROBE_FIELD",
    "REFERENCE_FIELD",
    "REMOTE_DEFAULTS",
    "DlibFaceEngine",
    "FaceEngine",
    "FaceMatch",
    "FaceServiceError",
    "FaceServiceTimeout",
    "HttpFaceVerificationEngine",
    "ModelCache",
    "face_api_signature",
    "get_face_engine",
    "load_image",
    "model_directory",
    "similarity_from_distance",
]
