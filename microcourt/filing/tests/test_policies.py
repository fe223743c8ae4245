"""Who reads and decides what in a filing (docs/adr/0001-policies.md; filing/policies.py).

The attack this file was written for: 王五, the defendant, fetched 张三's ID-card photo from the
filing's materials route (200 image/jpeg). 王五 is on the case, so he reads what the law gives
the other side — the complaint (民诉法第一百二十八条) and the evidence — but never 张三's
identity papers (在线诉讼规则第三十八条), on the page or through the API. 张三 and the judge on
the panel read them; a judge of the same court who is not on the panel finds nothing.

And the filing desk: only the officers of the filing's court decide it (the receiving court's
for a cross-region forward), in their own role in the ledger; another court's staff find
nothing; the desk's queries do not grow with the queue.
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import Forbidden, NotFound
from microcourt.filing import actions, policies, selectors
from microcourt.filing.events import LedgerEvent
from microcourt.filing.models import Filing, FilingMaterial, FilingStatus
from microcourt.identity.tests.test_mfa import enrol_totp, totp_now
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification

from .test_api import bearer

pytestmark = pytest.mark.django_db

CONSENT = {"mediation": True, "evidence_exchange": True, "hearing": True, "service": True}


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 40), (200, 180, 160)).save(out, "JPEG")
    return out.getvalue()


def staff(court, role, username):
    from microcourt.courts.tests.factories import StaffFactory

    return StaffFactory(court=court, role=role, user__username=username).user


def with_mfa(user):
    """Court staff's pages ask for a second factor first."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    return user


@pytest.fixture
def id_photo(draft, zhang):
    """张三's ID-card photo, filed with his complaint."""
    upload = SimpleUploadedFile("张三身份证.jpg", jpeg(), "image/jpeg")
    return actions.material_add(filing=draft, actor=zhang, kind="identity", upload=upload)


@pytest.fixture
def case_filing(id_photo, draft, zhang, wang, officer_li, judge_chen, run_tasks,
                django_capture_on_commit_callbacks):  # fmt: skip
    """Accepted, with its court documents issued, 王五 linked from his SMS and 陈法官 put on
    the panel (分案)."""
    from microcourt.cases import actions as case_actions

    actions.filing_submit(filing=draft, actor=zhang)
    with django_capture_on_commit_callbacks(execute=True):
        actions.filing_accept(filing=draft, actor=officer_li)
    run_tasks()
    draft.refresh_from_db()
    sms = Notification.objects.get(event="filing.invitation", channel="sms").body
    token = re.search(r"/cases/link/([^/\s]+)/", sms).group(1)
    actions.invitation_accept(token=token, actor=wang, consent=CONSENT)
    case_actions.participant_add(
        case=draft.case, actor=officer_li, role="judge", user=judge_chen, display_name="陈法官"
    )
    return draft


def material(filing, **kind) -> FilingMaterial:
    return filing.materials.filter(removed=False, **kind).order_by("pk").first()


def test_the_defendant_gets_404_on_the_plaintiffs_id_photo_page_and_the_parties_and_panel_200(
    client, case_filing, id_photo, plaintiff_zhang, defendant_wang, judge_chen, court_haishu
):
    photo = reverse("filing:material", args=[case_filing.number, id_photo.pk])
    complaint = reverse(
        "filing:material", args=[case_filing.number, material(case_filing, kind="complaint").pk]
    )
    client.force_login(defendant_wang)
    assert client.get(photo).status_code == 404
    assert client.get(complaint).status_code == 200  # the copy the law serves on him

    client.force_login(plaintiff_zhang)
    response = client.get(photo)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == jpeg_of(id_photo)

    client.force_login(with_mfa(judge_chen))
    assert client.get(photo).status_code == 200
    # A judge of the same court who is not on the panel does not see the case at all.
    client.force_login(with_mfa(staff(court_haishu, "judge", "judge_qian")))
    assert client.get(photo).status_code == 404
    assert client.get(complaint).status_code == 404


def jpeg_of(found: FilingMaterial) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(found.path, "rb") as f:
        return f.read()


def test_the_defendant_gets_404_on_the_plaintiffs_id_photo_through_the_api(
    client, case_filing, id_photo, zhang, wang, judge_chen
):
    path = f"/filing/filings/{case_filing.number}/materials"
    complaint = material(case_filing, kind="complaint")
    defendant = bearer(client, wang.user.username)
    refused = defendant.get(f"{path}/{id_photo.pk}")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert defendant.get(f"{path}/{complaint.pk}").status_code == 200

    plaintiff = bearer(client, zhang.user.username)
    response = plaintiff.get(f"{path}/{id_photo.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == jpeg_of(id_photo)
    judge = bearer(client, judge_chen.username, otp=totp_now(enrol_totp(judge_chen)))
    assert judge.get(f"{path}/{id_photo.pk}").status_code == 200


def test_the_other_side_reads_the_complaint_evidence_and_evidence_notice_only(
    case_filing, id_photo, wang, zhang
):
    readable = {(m.kind, m.document_kind) for m in selectors.materials_for(wang, case_filing)}
    assert ("complaint", "") in readable and ("court_document", "evidence") in readable
    assert ("identity", "") not in readable
    # The receipt and the acceptance notice (with 张三's fee) are the plaintiff's.
    assert not readable & {("court_document", "receipt"), ("court_document", "acceptance")}
    mine = {m.pk for m in selectors.materials_for(zhang, case_filing)}
    assert mine == set(case_filing.materials.filter(removed=False).values_list("pk", flat=True))
    # The e-dossier marks identity papers as the court's, for the parties' edition to leave out.
    items = {i["sha256"]: i["court_only"] for i in selectors.dossier_items(case_filing.case)}
    assert items[id_photo.sha256] is True
    assert items[material(case_filing, kind="complaint").sha256] is False


def test_the_named_defendant_reads_nothing_before_acceptance(id_photo, submitted, wang):
    complaint = material(submitted, kind="complaint")
    for found in (complaint, id_photo):
        with pytest.raises(NotFound):
            selectors.material_for(wang, submitted.number, found.pk)


# --- the filing desk ----------------------------------------------------------------------


DECISIONS = {
    "accept": {"note": "符合起诉条件"},
    "correction": {"items": ["补充借条原件照片"]},
    "reject": {"reasons": "不属于人民法院受理民事诉讼的范围"},
    "transfer": {"target_court": "浙0212", "reasons": "被告住所地在鄞州"},
    "forward": {"note": "身份和材料已核对"},
}


def test_another_courts_staff_and_a_judge_off_the_desk_get_404_the_applicant_403(
    client, submitted, zhang, court_haishu
):
    """Every decision route of a filing submitted to 海曙: nothing changes for anyone but
    海曙's filing desk."""
    from microcourt.courts.tests.factories import CourtFactory

    CourtFactory(code="浙0212", name="宁波市鄞州区人民法院", level="basic")
    elsewhere = CourtFactory(code="浙0106", name="杭州市西湖区人民法院", level="basic")
    outsiders = {
        "another court's filing officer": staff(elsewhere, "filing_officer", "officer_hz"),
        "another court's administrator": staff(elsewhere, "court_admin", "admin_hz"),
        "a judge of this court": staff(court_haishu, "judge", "judge_qian"),
        "a clerk of this court": staff(court_haishu, "clerk", "clerk_sun"),
    }
    path = f"/filing/filings/{submitted.number}"
    filing_entries = Entry.objects.filter(code__gte=6000, code__lt=7000)  # the filing's block
    entries = filing_entries.count()
    for who, user in outsiders.items():
        caller = bearer(client, user.username, otp=totp_now(enrol_totp(user)))
        for decision, body in DECISIONS.items():
            response = caller.post(f"{path}/{decision}", body)
            assert response.status_code == 404, (who, decision, response.json())
        assert caller.get("/filing/desk", court=court_haishu.code).status_code == 404, who
    applicant = bearer(client, zhang.user.username)
    for decision, body in DECISIONS.items():
        response = applicant.post(f"{path}/{decision}", body)
        assert response.status_code == 403, (decision, response.json())
        assert response.json()["error"]["message"]  # with its reason
    submitted.refresh_from_db()
    assert submitted.status == FilingStatus.SUBMITTED and submitted.court_id == court_haishu.pk
    assert filing_entries.count() == entries


def test_a_cross_region_filing_is_forwarded_only_by_the_receiving_courts_officers(
    client, draft, zhang, court_haishu
):
    from microcourt.courts.tests.factories import CourtFactory

    hangzhou = CourtFactory(code="浙0106", name="杭州市西湖区人民法院", level="basic")
    elsewhere = CourtFactory(code="浙0212", name="宁波市鄞州区人民法院", level="basic")
    actions.filing_update(filing=draft, actor=zhang, changes={"receiving_court": "浙0106"})
    actions.filing_submit(filing=draft, actor=zhang)
    path = f"/filing/filings/{draft.number}"
    for user in (staff(elsewhere, "filing_officer", "officer_yz"), staff(court_haishu,
                 "filing_officer", "officer_hs")):  # fmt: skip
        # Not yet at 海曙: its own officers do not see it before it is forwarded.
        caller = bearer(client, user.username, otp=totp_now(enrol_totp(user)))
        assert caller.post(f"{path}/forward", {}).status_code == 404
    centre = staff(hangzhou, "filing_officer", "officer_xh")
    receiving = bearer(client, centre.username, otp=totp_now(enrol_totp(centre)))
    assert receiving.post(f"{path}/accept", {}).status_code == 403  # not the deciding court
    forwarded = receiving.post(f"{path}/forward", {"note": "已核对"})
    assert forwarded.status_code == 200, forwarded.json()
    assert forwarded.json()["status"] == "submitted"
    entry = Entry.objects.filter(code=LedgerEvent.FORWARDED).get()
    assert entry.actor_user == centre and entry.actor_role == "filing_officer"


def test_the_ledger_records_the_role_the_officer_decided_in(client, submitted, court_haishu):
    """李立案 is also a judge at another court (his most senior role there): accepting at 海曙
    is recorded as the filing officer's act, not a judge's."""
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    officer = staff(court_haishu, "filing_officer", "officer_dual")
    StaffFactory(court=CourtFactory(code="浙0106"), role="judge", user=officer)
    assert actor_for(officer).role == "judge"
    desk = bearer(client, officer.username, otp=totp_now(enrol_totp(officer)))
    accepted = desk.post(f"/filing/filings/{submitted.number}/accept", {})
    assert accepted.status_code == 200, accepted.json()
    entry = Entry.objects.get(code=LedgerEvent.ACCEPTED)
    assert entry.actor_user == officer and entry.actor_role == "filing_officer"


def test_the_applicant_files_as_a_citizen_even_when_also_court_staff(court_haishu):
    """A judge suing on their own account files as a citizen: the ledger says so."""
    judge = staff(court_haishu, "judge", "judge_sues")
    filing = actions.filing_start(actor=actor_for(judge))
    entry = Entry.objects.get(code=LedgerEvent.DRAFT_CREATED, details__filing=filing.number)
    assert entry.actor_role == "citizen"


def _desk_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("filing:desk"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _more_pending(submitted, n: int) -> None:
    """``n`` more filings pending at the same court, each with parties and claims."""
    for _ in range(n):
        clone = Filing.objects.create(
            number=f"WS{Filing.objects.count():014d}",
            applicant=submitted.applicant,
            court=submitted.court,
            cause=submitted.cause,
            status=FilingStatus.SUBMITTED,
            review_due_at=submitted.review_due_at,
        )
        for party in submitted.parties.all():
            party.pk, party.filing = None, clone
            party.save()
        for claim in submitted.claims.all():
            claim.pk, claim.filing = None, clone
            claim.save()


def test_the_desk_page_takes_the_same_queries_for_1_or_20_filings(client, submitted, officer_li):
    client.force_login(with_mfa(officer_li.user))
    _desk_queries(client)  # the session's first request does its own once-only work
    one = _desk_queries(client)
    _more_pending(submitted, 19)
    twenty = _desk_queries(client)
    assert twenty == one, f"{one} queries for 1 filing, {twenty} for 20"
    page = client.get(reverse("filing:desk")).content.decode()
    assert page.count("王五") >= 20  # every filing is on it, with its parties


def test_the_desk_api_takes_the_same_queries_for_1_or_20_filings(
    client, submitted, officer_li, court_haishu
):
    desk = bearer(client, officer_li.user.username, otp=totp_now(enrol_totp(officer_li.user)))

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            listed = desk.get("/filing/desk", court=court_haishu.code).json()
        return len(ctx.captured_queries), len(listed)

    queries()  # the token's first use does its own once-only work
    one, count = queries()
    assert count == 1
    _more_pending(submitted, 19)
    twenty, count = queries()
    assert count == 20 and twenty == one


# --- the identity desk at the workbench (现场核验) ----------------------------------------


def test_only_court_staff_verify_in_person_and_the_ledger_says_who(
    client, plaintiff_zhang, defendant_wang, clerk_zhao, court_haishu
):
    from microcourt.identity.models import Verification

    from .conftest import WANG_ID

    data = {"username": "defendant_wang", "id_type": "resident_id", "name": "王五",
            "id_number": WANG_ID}  # fmt: skip
    client.force_login(plaintiff_zhang)
    assert client.post(reverse("workbench_in_person"), data).status_code == 404
    mediator = with_mfa(staff(court_haishu, "mediator", "mediator_zhou"))
    client.force_login(mediator)  # a mediator does not check identities at the desk
    assert client.get(reverse("workbench_in_person")).status_code == 404
    assert not Verification.objects.filter(user=defendant_wang).exists()
    client.force_login(with_mfa(clerk_zhao))
    assert client.post(reverse("workbench_in_person"), data).status_code == 302
    assert Verification.objects.get(user=defendant_wang).reviewed_by == clerk_zhao


def test_policies_bind_an_officer_only_at_the_court_they_hold(submitted, officer_li, judge_chen):
    from microcourt.courts.tests.factories import CourtFactory

    other = CourtFactory(code="浙0106")
    assert policies.require_decide(officer_li, submitted, "accept").court_id == submitted.court_id
    with pytest.raises(NotFound):
        policies.require_desk(officer_li, other.pk)
    with pytest.raises(NotFound):  # a judge of the court is no filing desk
        policies.require_desk(Actor(user=judge_chen, role="judge"), submitted.court_id)
    with pytest.raises(Forbidden):
        policies.require_decide(Actor.citizen(submitted.applicant), submitted, "accept")
