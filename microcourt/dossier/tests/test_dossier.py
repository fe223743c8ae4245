"""阅卷: the judge binds the whole file (court-only material included, every reading of it
recorded); 张三 reads his — without what the judge kept for the court; outsiders get 404."""

import io

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.dossier import actions, selectors
from microcourt.dossier.events import LedgerEvent
from microcourt.evidence import actions as evidence_actions
from microcourt.evidence.tests.conftest import pdf_bytes, upload
from microcourt.ledger.models import Entry
from microcourt.spaces import actions as space_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def judge(judge_chen, court_haishu):
    return Actor(user=judge_chen, role="judge", court_id=court_haishu.pk)


@pytest.fixture
def exhibits(case, zhang, judge):
    iou = upload("借条.pdf", pdf_bytes("借条：今借到伍万元"), "application/pdf")
    first = evidence_actions.exhibit_submit(
        case=case, actor=zhang, upload=iou, name="借条", source="被告书写", purpose="证明借款事实"
    )
    secret = evidence_actions.exhibit_submit(
        case=case, actor=zhang, upload=upload(), name="银行流水", source="银行",
        purpose="证明交付",
    )  # fmt: skip
    evidence_actions.exhibit_set_court_only(exhibit=secret, actor=judge)
    space_actions.message_post(case=case, actor=zhang, text="已提交借条和银行流水。")
    return first, secret


def outline_titles(pdf: bytes) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(PdfReader(io.BytesIO(pdf)).outline))


def read(build) -> bytes:
    with default_storage.open(build.path, "rb") as f:
        return f.read()


def test_the_judge_binds_the_whole_file_with_bookmarks_in_order(case, exhibits, judge):
    build = actions.dossier_build(case=case, actor=judge)
    assert build.audience == "court"
    titles = outline_titles(read(build))
    assert titles[0] == "目录"
    assert titles.index("证据材料") < titles.index("证据1：借条") < titles.index("证据2：银行流水")
    assert "案件空间记录" in titles
    pages = [r["first_page"] for r in build.catalogue]
    assert pages == sorted(pages) and pages[0] >= 2
    text = PdfReader(io.BytesIO(read(build))).pages[pages[0] - 1].extract_text()
    assert "借条" in text
    assert Entry.objects.filter(code=LedgerEvent.BUILT, subject_digest=build.digest).exists()


def test_zhang_reads_his_file_without_what_the_court_kept(case, exhibits, zhang, judge):
    build = actions.dossier_build(case=case, actor=zhang)
    assert build.audience == "parties"
    titles = outline_titles(read(build))
    assert "证据1：借条" in titles
    assert "证据2：银行流水" not in titles
    assert "案件空间记录" not in titles  # other parties' private threads are not his
    actions.dossier_read(build=build, actor=zhang)
    assert not Entry.objects.filter(code=LedgerEvent.COURT_ONLY_READ).exists()


def test_every_reading_of_court_only_material_is_recorded(case, exhibits, judge):
    build = actions.dossier_build(case=case, actor=judge)
    actions.dossier_read(build=build, actor=judge)
    entry = Entry.objects.get(code=LedgerEvent.COURT_ONLY_READ)
    assert entry.details["items"][0]["title"] == "证据2：银行流水"
    assert entry.actor_user_id == judge.user_id


def test_strangers_get_nothing(case, exhibits, client, judge):
    from microcourt.identity.tests.factories import UserFactory

    stranger = Actor.citizen(UserFactory(username="passer_by"))
    with pytest.raises(NotFound):
        selectors.audience_for(stranger, case)
    build = actions.dossier_build(case=case, actor=judge)
    client.force_login(stranger.user)
    for url in (f"/cases/{case.pk}/dossier/", f"/cases/{case.pk}/dossier/{build.pk}.pdf"):
        assert client.get(url).status_code == 404
    assert client.post(f"/cases/{case.pk}/dossier/new/").status_code == 404


def test_the_page_builds_in_the_worker_and_shows_the_catalogue(
    case,
    exhibits,
    client,
    plaintiff_zhang,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    client.force_login(plaintiff_zhang)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case.pk}/dossier/new/")
    assert response.status_code == 302 and "building=1" in response.url
    assert "正在装订" in client.get(response.url).content.decode()
    run_tasks()
    page = client.get(f"/cases/{case.pk}/dossier/").content.decode()
    assert "证据1：借条" in page and "银行流水" not in page
    build = selectors.builds_for(Actor.citizen(plaintiff_zhang), case)[0]
    pdf = client.get(f"/cases/{case.pk}/dossier/{build.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert Entry.objects.filter(code=LedgerEvent.READ, actor_user_id=plaintiff_zhang.pk).exists()


def test_the_api_builds_in_the_worker_and_lists_the_catalogue(
    case, exhibits, client, plaintiff_zhang, run_tasks, django_capture_on_commit_callbacks
):
    from microcourt.identity import actions as identity_actions
    from microcourt.identity.tests.factories import PASSWORD, UserFactory

    def bearer(user):
        token = identity_actions.api_token_issue(username=user.username, password=PASSWORD)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    url = f"/api/v1/cases/{case.pk}/dossier"
    stranger = bearer(UserFactory(username="outsider_api"))
    assert client.get(url, **stranger).status_code == 404
    assert client.post(url, **stranger).status_code == 404
    zhang_auth = bearer(plaintiff_zhang)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, **zhang_auth).status_code == 202
    run_tasks()
    (build,) = client.get(url, **zhang_auth).json()
    assert build["audience"] == "parties"
    assert [r["title"] for r in build["catalogue"] if r["section"] == "证据材料"] == ["证据1：借条"]
