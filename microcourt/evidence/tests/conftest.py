"""Personas for the evidence stories: 张三 (plaintiff) sues 王五 (defendant) at 海曙; 陈法官 is
the judge on the case, 赵书记员 its clerk; 刘律师 is 王五's agent; 孙路人 is an outsider."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from microcourt.core.actor import Actor


def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes(text="借条") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p style=\"font-family: 'WenQuanYi Micro Hei'\">{text}</p>").write_pdf()


def docx_bytes(text="微信聊天记录整理：王五承认借款五万元。") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(name="借条.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes() if data is None else data, content_type)


@pytest.fixture
def case(reference_data, court_haishu, plaintiff_zhang, defendant_wang, judge_chen, clerk_zhao):
    from microcourt.cases.models import Case, CaseParticipant, CaseType

    case = Case.objects.create(
        court=court_haishu,
        case_type=CaseType.objects.get(code="民初"),
        year=2025,
        serial=101,
        number="(2025)浙0203民初101号",
        title="张三诉王五民间借贷纠纷",
        cause="民间借贷纠纷",
        status="accepted",
        filed_by=plaintiff_zhang,
        filed_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    CaseParticipant.objects.create(
        case=case, user=plaintiff_zhang, display_name="张三", role="plaintiff"
    )
    CaseParticipant.objects.create(
        case=case, user=defendant_wang, display_name="王五", role="defendant"
    )
    CaseParticipant.objects.create(case=case, user=judge_chen, display_name="陈法官", role="judge")
    CaseParticipant.objects.create(
        case=case, user=clerk_zhao, display_name="赵书记员", role="clerk"
    )
    return case


@pytest.fixture
def judge(judge_chen, court_haishu):
    with_second_factor(judge_chen)
    return Actor(user=judge_chen, role="judge", court_id=court_haishu.pk)


@pytest.fixture
def clerk(clerk_zhao, court_haishu):
    with_second_factor(clerk_zhao)
    return Actor(user=clerk_zhao, role="clerk", court_id=court_haishu.pk)


@pytest.fixture
def lawyer_liu(db, case, defendant_wang):
    from microcourt.cases.models import CaseParticipant
    from microcourt.identity.tests.factories import UserFactory

    user = UserFactory(username="lawyer_liu", display_name="刘律师", phone="13700001111")
    wang_party = CaseParticipant.objects.get(case=case, role="defendant")
    CaseParticipant.objects.create(
        case=case, user=user, display_name="刘律师", role="agent", represents=wang_party
    )
    return Actor.citizen(user)


@pytest.fixture
def outsider(db):
    from microcourt.identity.tests.factories import UserFactory

    return UserFactory(username="outsider_sun", display_name="孙路人", phone="13600002222")


@pytest.fixture
def submit(case, django_capture_on_commit_callbacks):
    from microcourt.evidence import actions

    def go(actor, data=None, name="借条", filename="借条.png", mime="image/png", **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.exhibit_submit(
                case=case,
                actor=actor,
                upload=upload(filename, data, mime),
                name=name,
                source=kw.pop("source", "原告自行保管"),
                purpose=kw.pop("purpose", "证明被告向原告借款五万元"),
                pages=kw.pop("pages", 1),
                **kw,
            )

    return go


@pytest.fixture
def officer_li(db, court_haishu):
    """The court's filing officer: sees the docket, but is not on the case's team."""
    from microcourt.courts.tests.factories import StaffFactory

    user = StaffFactory(
        court=court_haishu, role="filing_officer", user__username="officer_li",
        user__display_name="李立案",
    ).user  # fmt: skip
    with_second_factor(user)
    return Actor(user=user, role="filing_officer", court_id=court_haishu.pk)


def with_second_factor(user):
    """Court staff have a second factor (else every page asks them to set one up)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, data={})
