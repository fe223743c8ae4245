"""Personas for the filing stories: 张三 sues 王五 (and 宁波某某贸易有限公司) for an unpaid loan
at the 海曙 court; 李立案 is the court's filing officer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcourt.core.actor import Actor

ZHANG_ID = "330203198801021235"
WANG_ID = "330203198505051237"


def pdf_bytes(text: str = "民事起诉状") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p style=\"font-family: 'WenQuanYi Micro Hei'\">{text}</p>").write_pdf()


def verify(user, clerk, name, number):
    from microcourt.identity import verification

    verification.verification_in_person(
        actor=Actor(user=clerk, role="clerk"),
        user=user,
        id_type="resident_id",
        name=name,
        id_number=number,
    )


@pytest.fixture(autouse=True)
def _seeded(reference_data):
    """Case types and causes (migration data) present even after a transactional test."""


@pytest.fixture
def zhang(plaintiff_zhang, clerk_zhao):
    verify(plaintiff_zhang, clerk_zhao, "张三", ZHANG_ID)
    return Actor.citizen(plaintiff_zhang)


@pytest.fixture
def wang(defendant_wang, clerk_zhao):
    verify(defendant_wang, clerk_zhao, "王五", WANG_ID)
    return Actor.citizen(defendant_wang)


def complaint_upload(name="起诉状.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), "application/pdf")


@pytest.fixture
def draft(zhang, court_haishu):
    """A complete 民间借贷 draft, ready to submit."""
    from microcourt.filing import actions
    from microcourt.filing.models import CauseOfAction

    filing = actions.filing_start(actor=zhang)
    cause = CauseOfAction.objects.get(name="民间借贷纠纷")
    actions.filing_update(
        filing=filing,
        actor=zhang,
        changes={
            "court": court_haishu.code,
            "cause": cause.pk,
            "facts": "2025年1月1日，被告向原告借款50000元，约定2025年6月30日还款，至今未还。",
            "consent": {"mediation": True, "evidence_exchange": True, "hearing": True,
                        "service": True},
        },
    )  # fmt: skip
    actions.party_save(
        filing=filing,
        actor=zhang,
        side="claimant",
        data={"self": True, "address": "浙江省宁波市海曙区中山西路1号",
              "service_address_confirmed": True},
    )  # fmt: skip
    actions.party_save(
        filing=filing,
        actor=zhang,
        side="respondent",
        data={"name": "王五", "id_number": WANG_ID, "phone": "13933334444",
              "address": "浙江省宁波市鄞州区天童南路2号"},
    )  # fmt: skip
    actions.claim_save(
        filing=filing, actor=zhang, text="判令被告偿还借款本金50000元", amount="50000"
    )
    actions.claim_save(filing=filing, actor=zhang, text="本案诉讼费用由被告承担")
    actions.material_add(filing=filing, actor=zhang, kind="complaint", upload=complaint_upload())
    filing.refresh_from_db()
    return filing


@pytest.fixture
def submitted(draft, zhang, django_capture_on_commit_callbacks):
    """Submitted, with its after-commit effects run (the receipt document is queued)."""
    from microcourt.filing import submission

    with django_capture_on_commit_callbacks(execute=True):
        return submission.filing_submit(filing=draft, actor=zhang)
