"""Every case-scoped page and API path denies whoever has no standing on the case
(ARCHITECTURE §5, docs/adr/0001-policies.md): a citizen who is not in the case, a filing
officer and an administrator of another court, and a judge and a mediator of the case's own
court who are not on its panel all get 404 — the same answer as for something that does not
exist — on every route that names a filing, a case, a material, a fee order, an invitation or
a record by its number, whatever the method; and nothing changes.

Routes are read from the URL configuration and the published OpenAPI schema: every route with
a parameter must be classified here (case-scoped, or not with a reason), so a new route that
is not classified fails the test.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The filing stories' personas: 张三's draft, its submission and 李立案 of the 海曙 court.
from microcourt.filing.tests.conftest import (  # noqa: F401
    _seeded,
    draft,
    pdf_bytes,
    submitted,
    verify,
    zhang,
)
from microcourt.identity.tests.test_mfa import enrol_totp

pytestmark = pytest.mark.django_db

API = "/api/v1"

# Routes with a parameter that are not scoped to a case, and why. Everything else with a
# parameter is case-scoped and tested below.
NOT_CASE_SCOPED = {
    "ledger:receipt": "public by design: a receipt proves a ledger entry to anyone",
    "ledger:receipt_json": "public by design",
    "payments_sandbox:pay": "the payment provider's own page (the sandbox provider)",
    "pay:callback": "the payment provider's server-to-server callback, signed by the provider",
    "account_confirm_email": "allauth's e-mail confirmation key",
    "account_reset_password_from_key": "allauth's password-reset key",
    "identity:token_revoke": "one's own API token (identity/tests/test_tokens.py)",
    "mfa_remove_webauthn": "allauth: one's own security keys only",
    "mfa_edit_webauthn": "allauth: one's own security keys only",
    "notification_channels:aliyun_sms_report": "the SMS gateway's status reports; the token "
    "is the callback's shared secret, not a case",
    "notifications:read": "one's own notification (tested in notifications)",
    "service": "the public service directory by slug",
    "courts:detail": "public court navigation",
    "signing:request": "the signer's own request: 404 to anyone else (signing/tests)",
    "signing:request_pdf": "the signer's own request",
    "signing:signed_pdf": "the signer's own request",
    "workbench_review_decide": "identity reviews are platform-wide, not a case's (identity/tests)",
    "hearings_live_watch": "public by design (庭审直播): only a public, unprotected session; 404 "
    "for any other (hearings/tests/test_public_live.py)",
    "hearings_live_replay": "public by design: a finished public hearing's replay; 404 otherwise",
    "hearings_live_replay_video": "public by design: as hearings_live_replay",
}
NOT_CASE_SCOPED_API = {
    "/courts/{code}": "public court navigation",
    "/notifications/{notification_id}/read": "one's own notification",
    "/ledger/entries/{index}": "public by design",
    "/identity/tokens/{token_id}": "one's own API token (identity/tests/test_tokens.py)",
    "/ledger/entries/{index}/private": "court-scoped by the ledger (ledger/tests)",
    "/identity/organisations/{organisation_id}/members": "an organisation's own "
    "administrators (identity/tests)",
    "/live/sessions/{session_id}/view": "public by design (庭审直播): a viewer token for a "
    "public, unprotected, open session only; 404 otherwise (hearings/tests/test_public_live.py)",
    "/live/sessions/{session_id}/heartbeat": "public by design: the viewer's own key",
    "/live/sessions/{session_id}/leave": "public by design: the viewer's own key",
}


def _routes(patterns=None, prefix="", namespace=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", prefix + str(p.pattern)


def scoped_routes() -> list[tuple[str, list[str]]]:
    found = []
    for name, route in _routes():
        # The admin has its own court scoping, proved in identity/tests/test_admin*.
        if route.startswith("api/v1/") or name.startswith("admin:"):
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if params and name not in NOT_CASE_SCOPED:
            found.append((name, params))
    return found


def scoped_api_paths() -> list[tuple[str, str]]:
    from microcourt.api import api

    paths = api.get_openapi_schema()["paths"]
    return [
        (method, path.removeprefix(API))
        for path, operations in paths.items()
        if "{" in path and path.removeprefix(API) not in NOT_CASE_SCOPED_API
        for method in operations
    ]


@pytest.fixture
def world(submitted, officer_li, judge_chen, django_capture_on_commit_callbacks):  # noqa: F811
    """张三's accepted loan case with 陈法官 on its panel: the filing, the case, a material,
    the fee order and a relief application, 王五's link, a message, an exhibit, a
    cross-examination, a dossier build and a service."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from microcourt.cases import actions as case_actions
    from microcourt.cases.models import Case
    from microcourt.core.actor import Actor
    from microcourt.dossier import actions as dossier_actions
    from microcourt.evidence import actions as evidence_actions
    from microcourt.filing import actions as filing_actions
    from microcourt.notifications.models import Notification
    from microcourt.payments import actions as payment_actions
    from microcourt.payments.models import PaymentOrder
    from microcourt.service import actions as service_actions
    from microcourt.service import selectors as service_selectors
    from microcourt.spaces import actions as space_actions

    with django_capture_on_commit_callbacks(execute=True):
        filing_actions.filing_accept(filing=submitted, actor=officer_li)
    submitted.refresh_from_db()
    case = Case.objects.get(pk=submitted.case_id)
    case_actions.participant_add(
        case=case, actor=officer_li, role="judge", user=judge_chen, display_name="陈法官"
    )
    plaintiff = Actor.citizen(submitted.applicant)
    judge = Actor(user=judge_chen, role="judge", court_id=case.court_id)
    message = space_actions.message_post(case=case, actor=plaintiff, text="法官您好，证据已上传。")
    exhibit = evidence_actions.exhibit_submit(
        case=case,
        actor=plaintiff,
        upload=SimpleUploadedFile("借条.pdf", pdf_bytes("借条"), "application/pdf"),
        name="借条",
        source="被告书写",
        purpose="证明借款事实",
    )
    period = evidence_actions.cross_examination_open(
        case=case,
        actor=judge,
        exhibit_numbers=[exhibit.number],
        mode="async",
        deadline=timezone.now() + dt.timedelta(days=7),
    )
    build = dossier_actions.dossier_build(case=case, actor=judge)
    complaint = service_selectors.documents_to_serve(case)[0]
    [service] = service_actions.service_serve(
        case=case,
        actor=judge,
        recipient_ids=[p.pk for p in service_selectors.recipients(case)],
        documents=[service_actions.document_of_case(case=case, key=complaint["key"])],
    )[:1]
    order = PaymentOrder.objects.get(case_id=submitted.case_id)
    relief = payment_actions.relief_apply(
        applicant=submitted.applicant, order=order, kind="deferral", reason="暂时困难"
    )
    sms = Notification.objects.get(event="filing.invitation", channel="sms").body
    from microcourt.hearings.models import Recording
    from microcourt.hearings.models import Session as HearingSession

    hearing = HearingSession.objects.create(
        case=case, kind="hearing", starts_at=timezone.now(), scheduled_by=judge_chen
    )
    Recording.objects.create(session=hearing)
    from microcourt.hearings.actions import room as hearing_room
    from microcourt.hearings.models import AsyncStagePost, OfflineRequest

    hearing_room.seats_sync(session=hearing)
    offline = OfflineRequest.objects.create(
        seat=hearing.seats.get(role="plaintiff"), reason="不具备在线参加的条件"
    )
    # 庭审笔录: a line written by speech recognition, and a correction asked for.
    from microcourt.hearings.actions import transcript as hearing_transcript
    from microcourt.hearings.models import TranscriptCorrection, TranscriptRecord

    line = hearing_transcript.transcript_line_add(
        session_id=hearing.pk,
        seat_id=offline.seat_id,
        started_at=timezone.now(),
        ended_at=timezone.now(),
        text="被告借款未还。",
        engine="fake",
        source="feed-1",
        source_ms=1000,
    )
    transcript_record = TranscriptRecord.objects.get(session=hearing, case=case)
    correction = TranscriptCorrection.objects.create(
        record=transcript_record,
        line=line,
        text="被告借款五万元未还。",
        requested_by=submitted.applicant,
        requester_label="原告",
        revision=0,
    )
    return {
        "number": submitted.number,
        "case_id": submitted.case_id,
        "material_id": submitted.materials.first().pk,
        "party_id": submitted.parties.first().pk,
        "claim_id": submitted.claims.first().pk,
        "token": sms.split("/cases/link/")[1].split("/")[0],
        "order": order.number,
        "message_id": message.pk,
        "thread_id": message.thread_id,
        "exhibit": exhibit.number,
        "pk": period.pk,
        "relief": relief.pk,
        "build_id": build.pk,
        "service_id": service.pk,
        "position": 0,
        "step": "parties",
        "session_id": hearing.pk,
        "line_id": line.pk,
        "correction_id": correction.pk,
        "page": 1,  # a page of the exhibit on screen in the courtroom
        "seat_id": offline.seat_id,
        "request_id": offline.pk,
        "post_id": AsyncStagePost.objects.create(
            session=hearing, seat=offline.seat, stage="investigation", text="异步审理陈述"
        ).pk,
    }


def url_for(name: str, params: list[str], world: dict) -> str:
    values = {p: world[p] for p in params}
    if name.startswith("pay:") or name.startswith("payments:"):
        values["number"] = world["order"]  # fee orders are numbered by payments
    if name.startswith("evidence:") and "number" in values:
        values["number"] = world["exhibit"]  # exhibits are numbered per case
    if "relief" in name and "pk" in values:
        values["pk"] = world["relief"]
    if name in ("filing:link", "service:link"):
        # The SMS link itself is the defendant's: holding it shows what the SMS already
        # said; linking needs the named person's verified identity (tested in
        # test_acceptance). Without the token there is nothing.
        values["token"] = "not-the-token"
    return reverse(name, kwargs=values)


def api_url_for(route: str, world: dict) -> str:
    values = dict(world)
    if route.startswith("/payments/orders/"):
        values["number"] = world["order"]
    if route.startswith("/cases/{case_id}/exhibits/"):
        values["number"] = world["exhibit"]
    if "{token}" in route:
        values["token"] = "not-the-token"
    return API + route.format(**values)


def test_the_case_scoped_routes_are_the_ones_we_know():
    names = {name for name, _params in scoped_routes()}
    assert names == {
        "filing:detail",
        "filing:step",
        "filing:receipt",
        "filing:material",
        "filing:review",
        "filing:case",
        "filing:link",
        "case_account",
        "pay:order",
        "pay:checkout",
        "pay:receipt",
        "pay:relief",
        "workbench_relief_decide",
        "workbench_assign",
        "workbench_recusal",
        "spaces:space",
        "spaces:export",
        "spaces:attachment",
        "evidence:list",
        "evidence:exhibit",
        "evidence:file",
        "evidence:preview",
        "evidence:objection",
        "evidence:original",
        "evidence:court_only",
        "evidence:xexam_open",
        "evidence:xexam",
        "evidence:xexam_mode",
        "evidence:matrix",
        "dossier:dossier",
        "dossier:new",
        "dossier:pdf",
        "service:case",
        "service:address",
        "service:detail",
        "service:document",
        "service:certificate",
        "service:settle",
        "service:link",
        "hearings_case",
        "hearings_session_schedule",
        "hearings_calendar",
        "hearing_recording",
        "hearing_recording_stream",
        "hearing_recording_download",
        "hearing_recording_permission",
        "hearings_publicity",
        "hearings_async",
        "hearings_async_video",
        "hearings_joint",
        "hearing_room",
        "hearing_enter",
        "hearing_identity",
        "hearing_rules",
        "hearing_waiting",
        "hearing_exhibit_page",
        "hearing_transcript",
        "hearing_transcript_pdf",
        "hearing_transcript_live",
    }, "classify the new route: case-scoped (tested here) or NOT_CASE_SCOPED with a reason"


@pytest.fixture
def outsiders(clerk_zhao, court_haishu):
    """Everyone with no standing on the case: each must find nothing."""
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory
    from microcourt.identity.tests.factories import UserFactory

    citizen = UserFactory(username="outsider_zhou", display_name="周七")
    verify(citizen, clerk_zhao, "周七", "330203198709091118")
    other_court = CourtFactory(code="浙0212", name="宁波市鄞州区人民法院", level="basic")
    staff = {
        "another court's filing officer": StaffFactory(court=other_court, role="filing_officer"),
        "another court's administrator": StaffFactory(court=other_court, role="court_admin"),
        "a judge of this court, not on the panel": StaffFactory(court=court_haishu, role="judge"),
        "a mediator of this court, not on the panel": StaffFactory(
            court=court_haishu, role="mediator"
        ),
    }
    for assignment in staff.values():
        enrol_totp(assignment.user)
    return {"a citizen not in the case": citizen} | {k: a.user for k, a in staff.items()}


def _snapshot():
    """What a refused request must not change."""
    from microcourt.evidence.models import Exhibit
    from microcourt.hearings.models import (
        AsyncStagePost,
        CasePublicity,
        OfflineRequest,
        Session,
        TranscriptCorrection,
        TranscriptLine,
        TranscriptRecord,
    )
    from microcourt.ledger.models import Entry
    from microcourt.payments.models import PaymentOrder
    from microcourt.service.models import Service
    from microcourt.spaces.models import Message

    return (
        Entry.objects.count(),
        Message.objects.count(),
        Exhibit.objects.count(),
        Service.objects.count(),
        list(PaymentOrder.objects.values_list("status", flat=True)),
        list(Session.objects.values_list("status", "starts_at", "version")),
        list(OfflineRequest.objects.values_list("status", flat=True)),
        list(CasePublicity.objects.values_list("ground", flat=True)),
        list(Session.objects.values_list("public", flat=True)),
        AsyncStagePost.objects.count(),
        list(TranscriptLine.objects.values_list("text", "edited")),
        list(TranscriptRecord.objects.values_list("status", "live_visible", "revision")),
        list(TranscriptCorrection.objects.values_list("status", flat=True)),
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404_on_every_case_scoped_page(client, world, outsiders, method):
    before = _snapshot()
    for who, user in outsiders.items():
        client.force_login(user)
        for name, params in scoped_routes():
            url = url_for(name, params, world)
            response = getattr(client, method)(url)
            # 405 (a method the route never takes) is answered before any lookup, alike for
            # every number, so it tells nothing either.
            assert response.status_code in (404, 405), (who, method, url, response.status_code)
    assert _snapshot() == before


def test_outsiders_get_404_on_every_scoped_api_path(client, world, outsiders):
    routes = scoped_api_paths()
    assert len(routes) >= 45, routes
    nowhere = {k: 999999 if isinstance(v, int) else f"{v}x" for k, v in world.items()}
    before = _snapshot()
    for who, user in outsiders.items():
        client.force_login(user)
        for method, route in routes:
            url = api_url_for(route, world)
            response = getattr(client, method)(url, data={}, content_type="application/json")
            if response.status_code != 404:
                # A body refused before any lookup (a required field) is answered alike for
                # a record that does not exist, so it tells nothing either.
                absent = getattr(client, method)(
                    api_url_for(route, nowhere), data={}, content_type="application/json"
                )
                assert (response.status_code, response.content) == (
                    absent.status_code,
                    absent.content,
                ), (who, method, url, response.content[:300])
                assert response.status_code in (400, 405), (who, method, url)
                continue
            assert response.json()["error"]["code"] == "not_found", (who, method, url)
    assert _snapshot() == before


def test_the_panel_judge_and_the_parties_do_reach_the_case(client, world, judge_chen):
    """The other side of the proof: the same routes do answer those with standing."""
    from microcourt.filing.models import Filing

    enrol_totp(judge_chen)
    client.force_login(judge_chen)
    for name in ("filing:case", "spaces:space", "evidence:list", "service:case"):
        url = reverse(name, kwargs={"case_id": world["case_id"]})
        assert client.get(url).status_code == 200, url
    client.force_login(Filing.objects.get(number=world["number"]).applicant)
    assert (
        client.get(reverse("filing:case", kwargs={"case_id": world["case_id"]})).status_code == 200
    )
