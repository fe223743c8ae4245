"""Hostile exhibits (a zip-bomb Word document, a PNG declaring 50000×50000 pixels) fail their
preview alone, with the reason shown, in bounded memory; the worker goes on with the next."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from microcourt.core import sandbox
from microcourt.evidence import actions
from microcourt.evidence.models import PreviewFailure, PreviewStatus

from .conftest import docx_bytes, png_bytes


def huge_png(width=50000, height=50000) -> bytes:
    """A tiny PNG whose header declares ``width``×``height`` pixels (10 GB of RGBA)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width * 4 + 1) * 16, 9)  # a few rows of zeros
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def zip_bomb_docx(inflated_mb=300) -> bytes:
    """A real Word document with one more part: ``inflated_mb`` MB of zeros in ~1 MB."""
    out = io.BytesIO(docx_bytes())
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/padding.bin", "w", force_zip64=True) as part,
    ):
        block = b"\x00" * (1024 * 1024)
        for _ in range(inflated_mb):
            part.write(block)
    return out.getvalue()


def _preview(submit, zhang, run_tasks, data, filename, mime):
    exhibit = submit(zhang, data=data, filename=filename, mime=mime)
    run_tasks()
    exhibit.refresh_from_db()
    return exhibit


@pytest.mark.parametrize(
    "make, filename, mime, reason",
    [
        (huge_png, "截图.png", "image/png", PreviewFailure.TOO_MANY_PIXELS),
        (
            zip_bomb_docx,
            "聊天记录.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            PreviewFailure.ZIP_BOMB,
        ),
    ],
    ids=["50000x50000-png", "zip-bomb-docx"],
)
def test_a_hostile_file_fails_its_preview_alone_with_the_reason(
    case, zhang, submit, run_tasks, client, make, filename, mime, reason
):
    hostile = _preview(submit, zhang, run_tasks, make(), filename, mime)
    assert hostile.preview_status == PreviewStatus.FAILED
    # Refused by its guard (pixel count, zip ratio) before decoding, not stopped by the
    # memory limit: the reason says which. (The children's peak RSS cannot show it: it is
    # the largest of every child this test process ever had, Chromium's included.)
    assert hostile.preview_failure == reason
    # The evidence itself is kept and shown with the reason; the next exhibit previews.
    client.force_login(zhang.user)
    page = client.get(f"/cases/{case.pk}/evidence/{hostile.number}/").content.decode()
    assert str(reason.label) in page
    fine = _preview(submit, zhang, run_tasks, png_bytes(), "借条.png", "image/png")
    assert fine.preview_status == PreviewStatus.READY and fine.preview_path


def test_a_preview_over_its_memory_limit_is_stopped_by_the_kernel(settings, tmp_path):
    """What the guards miss the sandbox catches: a decode that needs more than the limit."""
    settings.PREVIEW_MAX_MEMORY_MB = 256
    path = tmp_path / "big.png"
    from PIL import Image

    Image.new("RGB", (12000, 12000), (1, 2, 3)).save(path, compress_level=1)
    with pytest.raises(sandbox.Failed) as failed:
        sandbox.run(
            "microcourt.evidence.preview_render.render",
            memory_mb=256,
            seconds=30,
            path=str(path),
            mime="image/png",
            max_pixels=10**9,  # the pixel guard off: only the memory limit is left
            max_unzipped=10**9,
            max_ratio=10**6,
        )
    assert failed.value.reason == "memory"


def test_a_failed_preview_keeps_the_exhibit_and_its_status_in_the_api(
    case, zhang, submit, run_tasks, client
):
    hostile = _preview(submit, zhang, run_tasks, huge_png(), "截图.png", "image/png")
    client.force_login(zhang.user)
    body = client.get(f"/api/v1/cases/{case.pk}/exhibits/{hostile.number}").json()
    assert body["preview_status"] == "failed" and body["preview_failure"] == "too_many_pixels"
    assert actions.preview_make(exhibit_id=hostile.pk).preview_status == PreviewStatus.FAILED
