"""After acceptance: the case with its participants and 案号, the fee notice due in 7 days,
the acceptance and evidence notices, the other side's 3-day link (在线诉讼规则第十条), and the
case deemed withdrawn when the fee goes unpaid (《诉讼费用交纳办法》第二十二条)."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from microcourt.cases import selectors as case_selectors
from microcourt.cases.models import Case, CaseParticipant, CaseStatus
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, NotFound
from microcourt.filing import invitations, review, submission
from microcourt.filing.models import CaseInvitation, FilingMaterial, InvitationStatus
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.payments.models import OrderStatus, PaymentOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(submitted, officer_li, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review.filing_accept(filing=submitted, actor=officer_li, note="符合起诉条件")
    submitted.refresh_from_db()
    return submitted


def sms_link(case) -> str:
    sms = Notification.objects.get(event="filing.invitation", channel="sms")
    assert "/cases/link/" in sms.body
    return sms.body.split("/cases/link/")[1].split("/")[0]


def test_the_applicant_becomes_the_plaintiff_with_online_consent_per_stage(accepted, zhang):
    case = accepted.case
    plaintiff = CaseParticipant.objects.get(case=case, role="plaintiff")
    assert plaintiff.user_id == zhang.user_id
    assert case_selectors.consent_for(plaintiff, "filing") is True
    assert case_selectors.consent_for(plaintiff, "hearing") is True
    defendant = CaseParticipant.objects.get(case=case, role="defendant")
    assert defendant.user_id is None  # offline until they link
    assert case_selectors.consent_for(defendant, "hearing") is None  # never implied
    assert case_selectors.case_for(zhang, case.pk) == case


def test_the_fee_notice_is_due_in_seven_days_and_the_notices_are_issued(accepted, run_tasks):
    order = PaymentOrder.objects.get(case_id=accepted.case_id)
    assert order.kind == "acceptance" and order.payer_id == accepted.applicant_id
    assert (order.due_date - timezone.localdate()).days >= 7
    run_tasks()
    kinds = set(
        FilingMaterial.objects.filter(filing=accepted, generated=True).values_list(
            "document_kind", flat=True
        )
    )
    assert {"receipt", "acceptance", "evidence"} <= kinds
    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    notice = FilingMaterial.objects.get(filing=accepted, document_kind="acceptance")
    with default_storage.open(notice.path) as f:
        text = "".join(p.extract_text() for p in PdfReader(f).pages)
    assert accepted.case.number in text and "1,050.00" in text.replace("¥", "")
    # The notices are in the ledger under the case, with their digest.
    assert Entry.objects.filter(case_id=accepted.case_id, subject_digest=notice.digest).exists()


def test_the_applicant_is_told_at_once_with_the_case_number(accepted):
    message = Notification.objects.get(event="filing.accepted", channel="inapp")
    assert accepted.case.number in message.body


def test_the_defendant_links_within_three_days_and_states_consent(accepted, wang):
    token = sms_link(accepted.case)
    invitation = invitations.invitation_accept(
        token=token, actor=wang, consent={"hearing": True, "service": True, "mediation": False}
    )
    assert invitation.status == InvitationStatus.LINKED
    defendant = CaseParticipant.objects.get(case=accepted.case, role="defendant")
    assert defendant.user_id == wang.user_id
    assert case_selectors.consent_for(defendant, "hearing") is True
    assert case_selectors.consent_for(defendant, "mediation") is False
    assert case_selectors.case_for(wang, accepted.case_id)  # now a participant


def test_someone_else_cannot_use_the_defendants_link(accepted, zhang, clerk_zhao):
    from microcourt.identity.tests.factories import UserFactory

    from .conftest import verify

    other = UserFactory(username="impostor")
    verify(other, clerk_zhao, "赵六", "330203198505051210")
    with pytest.raises(Forbidden):
        invitations.invitation_accept(
            token=sms_link(accepted.case), actor=Actor.citizen(other), consent={}
        )
    with pytest.raises(NotFound):
        invitations.invitation_for("not-a-token")


def test_after_three_days_the_link_is_closed_and_the_defendant_stays_offline(accepted, wang):
    token = sms_link(accepted.case)
    invitation = CaseInvitation.objects.get()
    later = invitation.expires_at + dt.timedelta(minutes=1)
    assert invitations.invitations_expire(now=later) == [invitation.pk]
    defendant = CaseParticipant.objects.get(case=accepted.case, role="defendant")
    for stage in ("mediation", "evidence_exchange", "hearing", "service"):
        assert case_selectors.consent_for(defendant, stage) is False
    with pytest.raises(Conflict):
        invitations.invitation_accept(token=token, actor=wang, consent={})
    assert invitations.invitations_expire(now=later) == []  # once only


def test_an_unpaid_fee_deems_the_case_withdrawn_once(accepted):
    order = PaymentOrder.objects.get(case_id=accepted.case_id)
    assert review.cases_deem_withdrawn(today=order.due_date) == []  # the due day is still open
    after = order.due_date + dt.timedelta(days=1)
    assert review.cases_deem_withdrawn(today=after) == [accepted.case_id]
    case = Case.objects.get(pk=accepted.case_id)
    order.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and order.status == OrderStatus.CLOSED
    assert Notification.objects.filter(event="filing.deemed_withdrawn").exists()
    assert review.cases_deem_withdrawn(today=after) == []


def test_a_pending_relief_application_holds_the_consequence(accepted, zhang):
    from microcourt.payments import actions as payment_actions

    order = PaymentOrder.objects.get(case_id=accepted.case_id)
    payment_actions.relief_apply(
        applicant=zhang.user, order=order, kind="deferral", reason="暂时困难"
    )
    assert review.cases_deem_withdrawn(today=order.due_date + dt.timedelta(days=2)) == []
    assert Case.objects.get(pk=accepted.case_id).status == CaseStatus.ACCEPTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_at_once_make_one_case(draft, zhang, court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    submission.filing_submit(filing=draft, actor=zhang)
    officers = [
        Actor(user=StaffFactory(court=court_haishu, role="filing_officer").user,
              role="filing_officer", court_id=court_haishu.pk)
        for _ in range(2)
    ]  # fmt: skip
    barrier, outcomes = threading.Barrier(2), []

    def accept(officer):
        from django.db import connections

        try:
            barrier.wait()
            review.filing_accept(filing=draft, actor=officer)
            outcomes.append("accepted")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["accepted", "conflict"]
    assert Case.objects.count() == 1 and PaymentOrder.objects.count() == 1


def test_a_lawyer_files_for_zhang_under_his_authorisation(
    zhang, court_haishu, officer_li, plaintiff_zhang, django_capture_on_commit_callbacks
):
    """The agent files; on acceptance 张三 is the plaintiff with his own account, the lawyer
    his agent, and the 授权委托书 stays with the case."""
    import datetime as dt

    from microcourt.filing import actions
    from microcourt.filing.models import CauseOfAction
    from microcourt.identity import parties as identity_parties
    from microcourt.identity.tests.factories import UserFactory

    from .conftest import ZHANG_ID, complaint_upload

    lawyer_liu = UserFactory(username="lawyer_liu", display_name="刘律师")
    authorisation = identity_parties.authorisation_grant(
        principal=plaintiff_zhang, agent=lawyer_liu, scope="general", powers=[],
        valid_from=dt.date.today(),
    )  # fmt: skip
    liu = Actor.citizen(lawyer_liu)
    filing = actions.filing_create(
        actor=liu,
        changes={
            "capacity": "agent",
            "authorisation": authorisation.pk,
            "court": court_haishu.code,
            "cause": CauseOfAction.objects.get(name="民间借贷纠纷").pk,
            "facts": "被告借款未还。",
        },
        parties=[
            {
                "side": "claimant",
                "name": "张三",
                "id_number": ZHANG_ID,
                "phone": "13811112222",
                "address": "宁波市海曙区",
                "service_address_confirmed": True,
            },
            {"side": "respondent", "name": "王五", "address": "宁波市鄞州区"},
        ],
        claims=[{"text": "判令被告偿还借款本金50000元", "amount": "50000"}],
    )
    actions.material_add(filing=filing, actor=liu, kind="complaint", upload=complaint_upload())
    submission.filing_submit(filing=filing, actor=liu)
    with django_capture_on_commit_callbacks(execute=True):
        review.filing_accept(filing=filing, actor=officer_li)
    filing.refresh_from_db()
    plaintiff = CaseParticipant.objects.get(case=filing.case, role="plaintiff")
    agent = CaseParticipant.objects.get(case=filing.case, role="agent")
    assert plaintiff.user_id == plaintiff_zhang.pk
    assert agent.user_id == lawyer_liu.pk and agent.represents_id == plaintiff.pk
    authorisation.refresh_from_db()
    assert authorisation.case_id == filing.case_id
    assert case_selectors.case_for(zhang, filing.case_id) and case_selectors.case_for(
        liu, filing.case_id
    )
    # 王五 has no phone number: no SMS link; his part is served offline.
    assert not CaseInvitation.objects.filter(case=filing.case).exists()
