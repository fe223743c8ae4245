"""Demo data: courts, staff per demo court, litigants and lawyers, printed log-ins.

Idempotent: run it again and nothing is duplicated. Passwords come from
MICROCOURT_DEMO_PASSWORD (default ``microcourt-demo``)."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from microcourt.core import actions as core_actions
from microcourt.core.actor import Actor
from microcourt.courts import actions as court_actions
from microcourt.courts.models import Court, Division, StaffAssignment
from microcourt.identity.models import User
from microcourt.identity.roles import OrgRole
from microcourt.notifications import actions as notification_actions

HOME_COURT = "浙0203"  # 宁波市海曙区人民法院: the fixed demo log-ins work here

# (username suffix, display name, role)
STAFF = [
    ("judge", "陈法官", OrgRole.JUDGE),
    ("assistant", "钱法官助理", OrgRole.JUDGE_ASSISTANT),
    ("clerk", "赵书记员", OrgRole.CLERK),
    ("head", "冯庭长", OrgRole.DIVISION_HEAD),
    ("filing", "孙立案法官", OrgRole.FILING_OFFICER),
    ("mediator", "周调解员", OrgRole.MEDIATOR),
    ("enforcer", "吴执行员", OrgRole.ENFORCEMENT_OFFICER),
    ("admin", "郑管理员", OrgRole.COURT_ADMIN),
]
# The trial team and its head sit in the civil division (民事审判第一庭), where 分案 sends the
# demo loan cases; the others keep their court-wide posts.
CIVIL_DIVISION = "民事审判第一庭"
DIVISION_ROLES = {
    OrgRole.JUDGE,
    OrgRole.JUDGE_ASSISTANT,
    OrgRole.CLERK,
    OrgRole.DIVISION_HEAD,
}
# Other demo courts get the same staff under a prefix, e.g. demo_hzi_judge.
OTHER_COURTS = {"浙0192": "demo_hzi", "粤0192": "demo_gzi"}
PUBLIC = [
    ("demo_citizen", "张三", "13800000001"),
    ("demo_citizen2", "李四", "13800000002"),
    ("demo_company", "宁波某某贸易有限公司", "13800000003"),
    ("demo_lawyer", "刘律师", "13800000004"),
]
COURT_ADMIN_PERMISSIONS = [
    ("courts", "court"),
    ("courts", "division"),
    ("courts", "staffassignment"),
    ("courts", "courtclosure"),
    ("core", "calendarexception"),
    ("identity", "user"),
]


def _user(username: str, name: str, *, phone: str | None = None, is_staff: bool = False) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username, settings.DEMO_PASSWORD, phone=phone, display_name=name, is_staff=is_staff
        )
        if phone:
            # As if they had once logged in with a code sent to it: a verified number, which
            # a 送达地址确认书 may name.
            user.phone_verified = True
            user.save(update_fields=["phone_verified"])
    return user


def _court_admin_group() -> Group:
    group, _ = Group.objects.get_or_create(name="法院管理员 court administrators")
    perms = Permission.objects.filter(
        content_type__app_label__in={a for a, _ in COURT_ADMIN_PERMISSIONS},
        content_type__model__in={m for _, m in COURT_ADMIN_PERMISSIONS},
    )
    group.permissions.set(perms)
    return group


@transaction.atomic
def run(*, stdout: TextIO) -> None:
    system = Actor.system("demo data")
    court_actions.court_seed_load(actor=system)
    this_year = timezone.localdate().year
    core_actions.calendar_sync(years=range(2020, this_year + 2))
    admins = _court_admin_group()
    logins: list[tuple[str, str, str]] = []

    for code, prefix in [(HOME_COURT, "demo"), *OTHER_COURTS.items()]:
        court = Court.objects.get(code=code)
        civil = Division.objects.filter(court=court, name=CIVIL_DIVISION).first()
        for suffix, name, role in STAFF:
            username = f"{prefix}_{suffix}"
            user = _user(username, name, is_staff=(role == OrgRole.COURT_ADMIN))
            post, _created = StaffAssignment.objects.get_or_create(
                user=user, court=court, role=role
            )
            division = civil if role in DIVISION_ROLES else None
            if post.division_id != getattr(division, "pk", None):
                post.division = division
                post.save(update_fields=["division", "updated_at"])
            if role == OrgRole.COURT_ADMIN:
                user.groups.add(admins)
            logins.append((username, str(role.label), court.name))

    for username, name, phone in PUBLIC:
        user = _user(username, name, phone=phone)
        logins.append(
            (username, name, "公众用户 public" if username != "demo_lawyer" else "律师 lawyer")
        )
        notification_actions.notify(
            recipient=user,
            event="demo.welcome",
            url="/courts/",
            idempotency_key=f"demo-welcome:{username}",
        )

    _demo_identities()
    _demo_filings()
    _demo_assignments()
    _demo_procedure()
    _demo_hearing()

    stdout.write(f"\nmicrocourt demo log-ins (password: {settings.DEMO_PASSWORD})\n")
    for username, role, where in logins:
        stdout.write(f"  {username:<20} {role:<10} {where}\n")
    stdout.write(f"\nDemo data ready at {dt.datetime.now():%Y-%m-%d %H:%M}.\n")


# Fictitious resident ID numbers with valid check digits (海曙区 codes): the demo citizens
# are real-name verified in person by the demo clerk, so they can file at once.
DEMO_IDENTITIES = {
    "demo_citizen": ("张三", "330203198801021235"),
    "demo_citizen2": ("李四", "330203199003031230"),
}
DEMO_IDS = dict(DEMO_IDENTITIES.values())  # name → ID number, to name them as parties


def _demo_identities() -> None:
    from microcourt.identity import verification

    clerk = User.objects.get(username="demo_clerk")
    actor = Actor(user=clerk, role="clerk", court_id=Court.objects.get(code=HOME_COURT).pk)
    for username, (name, number) in DEMO_IDENTITIES.items():
        user = User.objects.get(username=username)
        if hasattr(user, "real_name"):
            continue
        verification.verification_in_person(
            actor=actor, user=user, id_type="resident_id", name=name, id_number=number
        )


def _demo_filings() -> None:
    """Two filings made through the real actions: 李四's loan case against 王五 waiting on
    the filing officer's desk, and 张三's case against 李四 already accepted — its 案号 and
    fee notice, 李四 linked from the SMS link, the judge, assistant and clerk assigned (分案) —
    so the case space, evidence and cross-examination can be tried between demo_citizen,
    demo_citizen2 and demo_judge."""
    from django.core.files.base import ContentFile

    from microcourt.courts.selectors import staff_actor
    from microcourt.filing import actions, review, submission
    from microcourt.filing.models import CauseOfAction, Filing

    court = Court.objects.get(code=HOME_COURT)
    officer = staff_actor(User.objects.get(username="demo_filing"), court=court)
    cause = CauseOfAction.objects.get(name="民间借贷纠纷")
    for username, defendant, amount, accept in (
        ("demo_citizen2", ("王五", "13900000005"), "30000", False),
        ("demo_citizen", ("李四", "13800000002"), "50000", True),
    ):
        user = User.objects.get(username=username)
        if Filing.objects.filter(applicant=user).exists():
            continue
        actor = Actor.citizen(user)
        filing = actions.filing_start(actor=actor)
        actions.filing_update(
            filing=filing,
            actor=actor,
            changes={
                "court": HOME_COURT,
                "cause": cause.pk,
                "facts": f"被告{defendant[0]}于2025年3月1日向原告借款{amount}元，"
                "约定同年9月1日归还，经多次催要至今未还。（演示数据）",
                "consent": {"mediation": True, "evidence_exchange": True, "hearing": True,
                            "service": True},
            },
        )  # fmt: skip
        actions.party_save(
            filing=filing,
            actor=actor,
            side="claimant",
            data={"self": True, "address": "浙江省宁波市海曙区（演示地址）",
                  "service_address_confirmed": True},
        )  # fmt: skip
        actions.party_save(
            filing=filing,
            actor=actor,
            side="respondent",
            data={"name": defendant[0], "phone": defendant[1],
                  "id_number": DEMO_IDS.get(defendant[0], ""),
                  "address": "浙江省宁波市鄞州区（演示地址）"},
        )  # fmt: skip
        actions.claim_save(
            filing=filing, actor=actor, text=f"判令被告偿还借款本金{amount}元", amount=amount
        )
        actions.claim_save(filing=filing, actor=actor, text="本案诉讼费用由被告承担")
        complaint = ContentFile(
            _demo_pdf(f"民事起诉状（演示）：{user.display_name}诉{defendant[0]}")
        )
        complaint.name = "起诉状.pdf"
        actions.material_add(filing=filing, actor=actor, kind="complaint", upload=complaint)
        submission.filing_submit(filing=filing, actor=actor)
        if accept:
            review.filing_accept(filing=filing, actor=officer, note="符合起诉条件（演示）")
            _demo_panel_and_defendant(filing, officer, defendant[1])


def _demo_panel_and_defendant(filing, officer: Actor, phone: str) -> None:
    from microcourt.cases import actions as case_actions
    from microcourt.filing import invitations
    from microcourt.notifications.models import Notification

    filing.refresh_from_db()
    # 分案 put the demo judge, assistant and clerk on the case at acceptance (the civil
    # division's only judge); asked again, it keeps them.
    case_actions.case_assign(case=filing.case, actor=officer)
    # 李四 follows the SMS link the platform sent (在线诉讼规则第十条), as a person would.
    sms = Notification.objects.filter(event="filing.invitation").latest("pk").body
    token = sms.split("/cases/link/")[1].split("/")[0]
    invitations.invitation_accept(
        token=token,
        actor=Actor.citizen(User.objects.get(username="demo_citizen2")),
        consent={"mediation": True, "evidence_exchange": True, "hearing": True, "service": True},
    )
    _demo_service(filing.case)


def _demo_assignments() -> None:
    """Demo cases accepted before 分案 existed (an older demo database) get their panel now,
    so the demo judge finds them on the workbench. Cases already assigned are left alone."""
    from microcourt.cases import actions as case_actions
    from microcourt.cases.models import Case, CaseParticipant
    from microcourt.courts.selectors import staff_actor

    court = Court.objects.get(code=HOME_COURT)
    officer = staff_actor(User.objects.get(username="demo_filing"), court=court)
    waiting = Case.objects.filter(
        court=court,
        status__in=("accepted", "in_trial"),
        filed_by__username__in=[username for username, _n, _p in PUBLIC],
    ).exclude(pk__in=CaseParticipant.objects.filter(role="judge", active=True).values("case_id"))
    for case in waiting:
        case_actions.case_assign(case=case, actor=officer)


def _demo_procedure() -> None:
    """The demo judge puts the accepted demo loan cases (a ¥50,000 loan, facts clear, at a
    basic court) under summary procedure (民事诉讼法第一百六十条), as a judge would; a case
    whose procedure is decided is left alone."""
    from microcourt.cases import actions as case_actions
    from microcourt.cases.models import Case
    from microcourt.courts.selectors import staff_actor

    court = Court.objects.get(code=HOME_COURT)
    judge = staff_actor(User.objects.get(username="demo_judge"), court=court)
    undecided = Case.objects.filter(
        court=court,
        procedure="",
        case_type__code="民初",
        status__in=("accepted", "in_trial"),
        filed_by__username__in=[username for username, _n, _p in PUBLIC],
        participants__user__username="demo_judge",
        participants__role="judge",
        participants__active=True,
    ).distinct()
    for case in undecided:
        case_actions.case_procedure_set(case=case, procedure="summary", actor=judge)


def _demo_hearing() -> None:
    """The shared case (张三 v 李四) has a 开庭 today, online, which demo_judge can open and
    demo_clerk enter at once. Both parties agreed to be heard today (民事诉讼法第一百三十九条's
    three days waived, recorded with the schedule). Run on another day, the demo adds
    that day's hearing."""
    from microcourt.cases.models import Case
    from microcourt.courts.selectors import staff_actor
    from microcourt.hearings.actions import scheduling
    from microcourt.hearings.models import Session

    case = Case.objects.filter(
        filed_by__username="demo_citizen", status__in=("accepted", "in_trial")
    ).first()
    if case is None:
        return
    now = timezone.localtime()
    today = Session.objects.filter(case=case, starts_at__date=now.date()).exclude(
        status="cancelled"
    )
    if today.exists():
        return
    judge = staff_actor(User.objects.get(username="demo_judge"), court=case.court)
    end_of_day = now.replace(hour=23, minute=30, second=0, microsecond=0)
    starts = min(now + dt.timedelta(hours=1), max(end_of_day, now + dt.timedelta(minutes=5)))
    scheduling.session_schedule(
        case=case,
        actor=judge,
        kind="hearing",
        starts_at=starts.replace(second=0, microsecond=0),
        duration_minutes=60,
        notice_waived=True,
        waiver_note="双方当事人在线确认同意当日开庭，放弃三日准备期（演示数据）",
        rest_day=True,
    )


def _demo_service(case) -> None:
    """The clerk serves the acceptance notice on 张三 (送达): it takes effect on arrival in
    his platform inbox, and the worker makes the sealed certificate."""
    from microcourt.filing import documents
    from microcourt.filing.models import FilingDecision
    from microcourt.service import actions as service_actions
    from microcourt.service import selectors as service_selectors

    # The worker issues the notice after acceptance; here it is needed now (same document).
    decision = FilingDecision.objects.filter(filing__case=case, kind="accepted").latest("pk")
    documents.issue(decision, "acceptance")
    clerk = User.objects.get(username="demo_clerk")
    actor = Actor(user=clerk, role="clerk", court_id=case.court_id)
    notice = next(
        d for d in service_selectors.documents_to_serve(case) if "受理案件通知书" in d["title"]
    )
    zhang = next(p for p in service_selectors.recipients(case) if p.display_name == "张三")
    service_actions.service_serve(
        case=case,
        actor=actor,
        recipient_ids=[zhang.pk],
        documents=[service_actions.document_of_case(case=case, key=notice["key"])],
    )


def _demo_pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=f"<p style=\"font-family: 'WenQuanYi Micro Hei'; font-size: 14pt\">{text}</p>"
    ).write_pdf()
