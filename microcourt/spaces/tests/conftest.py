"""Personas for the case space stories: 张三 (plaintiff) and his lawyer 刘律师 sue 王五
(defendant) at the 海曙 court; 陈法官 hears the case, 赵书记员 is its clerk; 周七 is not in
it."""

import struct

import pytest

from microcourt.core.actor import Actor


@pytest.fixture
def lawyer_liu(db):
    from microcourt.identity.tests.factories import UserFactory

    return UserFactory(username="lawyer_liu", display_name="刘律师", phone="13700001111")


@pytest.fixture
def outsider_zhou(db):
    from microcourt.identity.tests.factories import UserFactory

    return UserFactory(username="outsider_zhou", display_name="周七", phone="13600002222")


@pytest.fixture
def liu(lawyer_liu):
    return Actor.citizen(lawyer_liu)


@pytest.fixture
def loan_case(
    court_haishu, zhang, plaintiff_zhang, defendant_wang, lawyer_liu, judge_chen, clerk_zhao,
    officer_li,
):  # fmt: skip
    """张三诉王五民间借贷纠纷: 张三 names the parties and his lawyer when he files; the court's
    filing officer puts 陈法官 and 赵书记员 on the panel (分案)."""
    from microcourt.cases import actions
    from microcourt.cases.models import CaseType

    civil = CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]
    case = actions.case_open(
        court=court_haishu,
        case_type=civil,
        title="张三诉王五民间借贷纠纷",
        cause="民间借贷纠纷",
        actor=zhang,
    )
    add = actions.participant_add
    p = add(case=case, actor=zhang, role="plaintiff", user=plaintiff_zhang, display_name="张三")
    add(case=case, actor=zhang, role="defendant", user=defendant_wang, display_name="王五")
    add(case=case, actor=zhang, role="agent", user=lawyer_liu, display_name="刘律师", represents=p)
    add(case=case, actor=officer_li, role="judge", user=judge_chen, display_name="陈法官")
    add(case=case, actor=officer_li, role="clerk", user=clerk_zhao, display_name="赵书记员")
    return case


def pdf_bytes(text="证据清单") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p style=\"font-family: 'WenQuanYi Micro Hei'\">{text}</p>").write_pdf()


def ogg_voice() -> bytes:
    """The start of an Ogg/Opus recording, as Firefox's MediaRecorder writes it."""
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    header = b"OggS" + bytes([0, 2]) + b"\x00" * 8 + struct.pack("<II", 1, 0) + b"\x00" * 4
    return header + bytes([1, len(head)]) + head


def webm_voice() -> bytes:
    """The start of a WebM recording, as Chromium's MediaRecorder writes it."""

    def el(tag: bytes, data: bytes) -> bytes:
        return tag + bytes([0x80 | len(data)]) + data

    ebml = el(b"\x1a\x45\xdf\xa3", el(b"\x42\x86", b"\x01") + el(b"\x42\x82", b"webm"))
    return ebml + b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + b"\x00" * 64
