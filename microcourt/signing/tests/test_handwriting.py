"""The handwriting the signature pad sends: a PNG data URL, refused when it is not a PNG,
too large, or blank — with a Chinese reason under the field ``handwriting``."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from microcourt.core.errors import InvalidInput
from microcourt.signing.forms import SignForm, handwriting_png

from .conftest import strokes_png


def data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def image_bytes(mode: str, colour, fmt: str = "PNG", size=(300, 150)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def test_a_real_signature_comes_back_as_png_bytes():
    png = strokes_png()
    assert handwriting_png(data_url(png)) == png


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "请先在签名框内手写签名"),
        ("   ", "请先在签名框内手写签名"),
        ("hello", "应为 PNG 图片"),
        ("data:image/png;base64,@@@not base64@@@", "无法解码"),
        (data_url(image_bytes("RGB", "white", "JPEG"), "image/png"), "不是 PNG"),
        (data_url(b"GIF89a" + b"\x00" * 100), "不是 PNG"),
        (data_url(strokes_png()[:80]), "已损坏"),  # cut off after the header
        (data_url(image_bytes("RGBA", (0, 0, 0, 0))), "空白"),
        (data_url(image_bytes("RGB", "white")), "空白"),
        ("data:image/png;base64," + "A" * (1024 * 1024 * 2), "1 MB"),
    ],
)
def test_bad_handwriting_is_refused_naming_the_field(value, reason):
    with pytest.raises(InvalidInput) as caught:
        handwriting_png(value)
    assert set(caught.value.fields) == {"handwriting"}
    assert reason in str(caught.value.fields["handwriting"])
    assert reason in str(caught.value.message)


def test_png_bytes_over_one_megabyte_are_refused_too():
    """What an app passes straight to pdf_sign (bytes, no data URL) gets the same checks."""
    from microcourt.signing.handwriting import check_png

    noisy = Image.frombytes("RGBA", (1200, 1200), bytes(range(256)) * (1200 * 1200 * 4 // 256))
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG", compress_level=0)
    assert len(buffer.getvalue()) > 1024 * 1024
    with pytest.raises(InvalidInput, match="1 MB"):
        check_png(buffer.getvalue())
    assert check_png(strokes_png()) == strokes_png()


def test_the_sign_form_reports_the_reason_on_its_field():
    form = SignForm({"handwriting": data_url(image_bytes("RGBA", (0, 0, 0, 0)))})
    assert not form.is_valid()
    assert "空白" in form.errors["handwriting"][0]
    good = SignForm({"handwriting": data_url(strokes_png())})
    assert good.is_valid() and good.cleaned_data["handwriting"].startswith(b"\x89PNG")
