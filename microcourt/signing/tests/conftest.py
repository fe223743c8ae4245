"""Personas for the signing stories: 张三 (plaintiff) and 王五 (defendant) sign a mediation
agreement from their phones after a face check; 赵书记员, clerk of the 海曙 court, puts the
court's e-seal on a ruling. Each test has its own PKI directory (EC keys are made in
milliseconds), so no test sees another's keys."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from microcourt.core.actor import Actor

ZHANG_ID = "330203198801021235"
WANG_ID = "330203198505051237"
HAISHU = ("浙0203", "宁波市海曙区人民法院")


@pytest.fixture(autouse=True)
def _pki(settings, tmp_path):
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    settings.SIGNING_AUTO_INIT = True
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_TSA_CA_FILE = ""
    settings.PUBLIC_BASE_URL = "https://court.example"


def pdf_bytes(*paragraphs: str, pages: int = 1) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs or ("民事调解协议",))
    breaks = '<p style="page-break-before: always">（续页）</p>' * (pages - 1)
    style = "font-family: 'WenQuanYi Micro Hei'; font-size: 14pt"
    return HTML(string=f'<body style="{style}">{body}{breaks}</body>').write_pdf()


@pytest.fixture(scope="session")
def agreement() -> bytes:
    return pdf_bytes(
        "民事调解协议书",
        "原告张三与被告王五民间借贷纠纷一案，双方自愿达成如下协议：",
        "一、被告王五于2025年6月30日前偿还原告张三借款50000元。",
        pages=2,
    )


def strokes_png(width: int = 320, height: int = 160) -> bytes:
    """A scribble on a transparent canvas, as the signature pad sends it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line(
        [(20, 120), (80, 30), (140, 110), (200, 40), (300, 100)], fill=(0, 0, 0, 255), width=6
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def verify_in_person(user, clerk, name: str, number: str):
    from microcourt.identity import verification

    verification.verification_in_person(
        actor=Actor(user=clerk, role="clerk"),
        user=user,
        id_type="resident_id",
        name=name,
        id_number=number,
    )


def age_checks(user, age: dt.timedelta) -> None:
    """Make the user's identity checks look ``age`` old."""
    from microcourt.identity.models import Verification

    Verification.objects.filter(user=user).update(created_at=timezone.now() - age)


@pytest.fixture
def zhang(plaintiff_zhang, clerk_zhao) -> Actor:
    """张三, verified in person at the court minutes ago (a fresh check)."""
    verify_in_person(plaintiff_zhang, clerk_zhao, "张三", ZHANG_ID)
    return Actor.citizen(plaintiff_zhang)


@pytest.fixture
def wang(defendant_wang, clerk_zhao) -> Actor:
    verify_in_person(defendant_wang, clerk_zhao, "王五", WANG_ID)
    return Actor.citizen(defendant_wang)


@pytest.fixture
def signed_by_zhang(zhang, agreement):
    from microcourt.signing import actions

    return actions.pdf_sign(
        pdf=agreement,
        actor=zhang,
        purpose="mediation",
        reason="确认调解协议",
        handwriting_png=strokes_png(),
        title="民事调解协议书",
    )
