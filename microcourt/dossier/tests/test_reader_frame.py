"""电脑阅卷: the desktop reader frames the dossier PDF from the same site, so that one route
may be framed by our own pages (SAMEORIGIN, CSP frame-ancestors 'self'); the reader page and
every other page still refuse any frame (DENY). Before, the PDF said DENY and the reader
showed a blank frame."""

import re

import pytest

from microcourt.dossier import actions
from microcourt.evidence import actions as evidence_actions
from microcourt.evidence.tests.conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_the_reader_frames_the_pdf_which_may_be_framed_only_by_our_own_pages(
    case, zhang, plaintiff_zhang, client
):
    evidence_actions.exhibit_submit(
        case=case, actor=zhang, upload=upload("借条.pdf", pdf_bytes("借条"), "application/pdf"),
        name="借条", source="被告书写", purpose="证明借款事实",
    )  # fmt: skip
    build = actions.dossier_build(case=case, actor=zhang)
    client.force_login(plaintiff_zhang)

    reader = client.get(f"/cases/{case.pk}/dossier/?reader=1")
    frame = re.search(r'<iframe[^>]*src="([^"]+)"', reader.content.decode())
    assert frame, "the reader frames the dossier"
    assert frame.group(1) == f"/cases/{case.pk}/dossier/{build.pk}.pdf"
    assert reader["X-Frame-Options"] == "DENY"  # the reader page itself is never framed

    pdf = client.get(frame.group(1))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"
    assert pdf["Content-Security-Policy"] == "frame-ancestors 'self'"

    # Only that route: the dossier page and every other page stay DENY.
    assert client.get(f"/cases/{case.pk}/dossier/")["X-Frame-Options"] == "DENY"
    assert client.get("/")["X-Frame-Options"] == "DENY"
