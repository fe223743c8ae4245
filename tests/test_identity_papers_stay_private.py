"""A party's identity papers (ID card, business licence, authorisation) stay with its own side
and the court: the other side never gets them — not from the filing's material route (filing
tests), not in the parties' edition of the e-dossier, and not offered for service on it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcourt.filing.tests.conftest import (  # noqa: F401
    _seeded,
    complaint_upload,
    pdf_bytes,
    zhang,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted_with_id_card(zhang, court_haishu, officer_li, django_capture_on_commit_callbacks):  # noqa: F811
    from microcourt.filing import actions
    from microcourt.filing.tests.conftest import draft as make_draft

    filing = make_draft.__wrapped__(zhang, court_haishu)
    actions.material_add(
        filing=filing,
        actor=zhang,
        kind="identity",
        name="张三身份证",
        upload=SimpleUploadedFile("id.pdf", pdf_bytes("居民身份证 张三"), "application/pdf"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.filing_submit(filing=filing, actor=zhang)
    with django_capture_on_commit_callbacks(execute=True):
        actions.filing_accept(filing=filing, actor=officer_li)
    filing.refresh_from_db()
    return filing


def test_the_parties_dossier_and_the_servable_documents_hold_no_identity_papers(
    accepted_with_id_card,
):
    from microcourt.cases.models import Case
    from microcourt.dossier import selectors as dossier_selectors
    from microcourt.dossier.models import Audience
    from microcourt.service import selectors as service_selectors

    case = Case.objects.get(pk=accepted_with_id_card.case_id)
    court = [d.title for d in dossier_selectors.documents(case, Audience.COURT)]
    parties = [d.title for d in dossier_selectors.documents(case, Audience.PARTIES)]
    assert "张三身份证" in court
    assert "张三身份证" not in parties
    assert any("起诉状" in t for t in parties)  # the complaint is the other side's to read
    servable = [d["title"] for d in service_selectors.documents_to_serve(case)]
    assert "张三身份证" not in servable and servable
