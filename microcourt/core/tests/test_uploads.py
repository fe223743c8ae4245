"""Uploads stream to the storage (hashed on the way, never whole in memory), bodies over their
route's limit are refused before they are read, and a malformed multipart body is a 400 with
a reason on every upload route, never a 500."""

from __future__ import annotations

import asyncio
import hashlib
import json
import tracemalloc

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile

from microcourt.core import uploads
from microcourt.core.upload_guard import UploadGuardASGI, route_for

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _big_upload(size_mb: int) -> tuple[TemporaryUploadedFile, str]:
    """A video of ``size_mb`` MB on disk, as Django hands over a large upload, and its digest
    (the content is generated chunk by chunk: never whole in memory here either)."""
    upload = TemporaryUploadedFile("庭审录像.mp4", "video/mp4", size_mb * MB, None)
    digest = hashlib.sha256()
    for i in range(size_mb):
        chunk = hashlib.sha256(str(i).encode()).digest() * (MB // 32)
        digest.update(chunk)
        upload.write(chunk)
    upload.seek(0)
    return upload, digest.hexdigest()


def test_a_30_mb_upload_is_stored_under_its_sha256_without_being_held_in_memory():
    upload, expected = _big_upload(30)
    tracemalloc.start()
    try:
        stored = uploads.store(upload, mime="video/mp4", prefix="evidence", extension="mp4")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        upload.close()
    assert stored.sha256 == expected and stored.size == 30 * MB
    assert stored.path == f"evidence/{expected[:2]}/{expected}.mp4"
    assert default_storage.size(stored.path) == 30 * MB
    assert peak < 2 * MB, f"storing 30 MB allocated {peak / MB:.1f} MB"


def test_a_stream_over_its_limit_stops_there_and_stores_nothing(tmp_path):
    class Endless:
        read_bytes = 0

        def read(self, size=-1):
            self.read_bytes += size
            return b"\x00" * size

        def seekable(self):
            return False

    source = Endless()
    with pytest.raises(uploads.TooLarge) as refused:
        uploads.store(source, mime="video/mp4", prefix="evidence", max_bytes=2 * MB)
    assert refused.value.status == 413 and "2 MB" in str(refused.value.fields["file"])
    assert source.read_bytes <= 2 * MB + uploads.CHUNK
    assert not (tmp_path / "media").exists()


# -- The ASGI guard: 413 before the body is read --------------------------------------------


def _call_asgi(path: str, headers: dict[str, str], body_chunks):
    """Run the guard (in front of an app that would read the body) and return the response
    and how many body messages were asked for."""
    asked = {"n": 0}
    sent: list[dict] = []
    reached = {"app": False}

    async def app(scope, receive, send):
        reached["app"] = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        if message["type"] != "http.disconnect":
            await send({"type": "http.response.start", "status": 201, "headers": []})
            await send({"type": "http.response.body", "body": b"stored"})

    chunks = iter(body_chunks)

    async def receive():
        asked["n"] += 1
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(UploadGuardASGI(app)(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, asked["n"], reached["app"]


def test_a_declared_length_over_the_routes_limit_gets_413_before_the_body_is_read(settings):
    settings.EVIDENCE_MAX_VIDEO_MB = 500
    limit = route_for("/api/v1/cases/7/exhibits").body_limit()
    status, body, asked, reached = _call_asgi(
        "/api/v1/cases/7/exhibits",
        {"content-length": str(limit + 1), "content-type": "multipart/form-data; boundary=x"},
        body_chunks=[b"x" * 1024] * 10,
    )
    assert (status, asked, reached) == (413, 0, False)
    error = json.loads(body)["error"]
    assert error["code"] == "too_large" and "500 MB" in error["fields"]["file"]


def test_a_chunked_photo_past_the_image_limit_is_cut_off_while_it_arrives(settings):
    """No Content-Length: the first file's bytes are sniffed as they arrive, and a "photo"
    is stopped at the photo limit (plus the form's room), not at the video limit."""
    from microcourt.evidence.tests.conftest import png_bytes

    settings.EVIDENCE_MAX_IMAGE_MB = 1
    head = (
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xe5\x80\x9f\xe6\x9d\xa1\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png_bytes()
    )
    chunks = [head] + [b"\x00" * (256 * 1024)] * 400  # a 100 MB "photo"
    status, body, asked, _reached = _call_asgi(
        "/cases/7/evidence/",
        {"content-type": "multipart/form-data; boundary=b", "cookie": "django_language=en"},
        chunks,
    )
    assert status == 413
    assert asked <= 10  # stopped past 1 MB + 1 MB of room, not after 100 MB
    page = body.decode()
    assert "File too large" in page and "1 MB" in page  # in the person's language


def test_a_body_within_the_limit_reaches_the_application():
    status, body, _asked, reached = _call_asgi(
        "/api/v1/cases/7/exhibits",
        {"content-length": "3072", "content-type": "multipart/form-data; boundary=b"},
        [b"x" * 1024] * 3,
    )
    assert (status, body, reached) == (201, b"stored", True)


# -- The Django middleware: the same limit, and malformed multipart --------------------------


def test_the_middleware_refuses_a_declared_length_over_the_limit_with_413(client, settings):
    settings.UPLOAD_DEFAULT_MAX_MB = 1
    response = client.generic(
        "POST", "/accounts/login/", b"x" * 10, content_type="text/plain",
        CONTENT_LENGTH=str(2 * MB),
    )  # fmt: skip
    assert response.status_code == 413
    assert "1 MB" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/7/exhibits",
        "/api/v1/filing/filings/WS1/materials",
        "/api/v1/identity/verifications/review",
        "/api/v1/signing/verify",
        "/api/v1/ledger/verify",
    ],
)
def test_multipart_without_a_boundary_is_a_400_with_a_reason_on_the_api(client, path):
    response = client.generic(
        "POST", path, b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--",
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "boundary" in error["message"]


@pytest.mark.parametrize(
    "path", ["/cases/7/evidence/", "/verify/pdf/", "/ledger/verify/", "/accounts/verify/"]
)
def test_multipart_without_a_boundary_is_a_400_page_not_a_500(client, path):
    client.raise_request_exception = False
    response = client.generic(
        "POST", path, b"garbage", content_type="multipart/form-data; boundary="
    )
    assert response.status_code == 400
    assert "multipart/form-data" in response.content.decode()
