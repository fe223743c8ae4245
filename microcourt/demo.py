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
from microcourt.courts.models import Court, StaffAssignment
from microcourt.identity.models import User
from microcourt.identity.roles import OrgRole
from microcourt.notifications import actions as notification_actions

HOME_COURT = "浙0203"  # 宁波市海曙区人民法院: the fixed demo log-ins work here

# (username suffix, display name, role)
STAFF = [
    ("judge", "陈法官", OrgRole.JUDGE),
    ("clerk", "赵书记员", OrgRole.CLERK),
    ("filing", "孙立案法官", OrgRole.FILING_OFFICER),
    ("mediator", "周调解员", OrgRole.MEDIATOR),
    ("enforcer", "吴执行员", OrgRole.ENFORCEMENT_OFFICER),
    ("admin", "郑管理员", OrgRole.COURT_ADMIN),
]
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
        for suffix, name, role in STAFF:
            username = f"{prefix}_{suffix}"
            user = _user(username, name, is_staff=(role == OrgRole.COURT_ADMIN))
            StaffAssignment.objects.get_or_create(user=user, court=court, role=role)
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
            title="欢迎使用微法院",
            body="这是演示环境。您可以浏览法院导航、查看消息；立案等服务正在建设中。",
            url="/courts/",
            idempotency_key=f"demo-welcome:{username}",
        )

    _demo_fee_order(system)

    stdout.write(f"\nmicrocourt demo log-ins (password: {settings.DEMO_PASSWORD})\n")
    for username, role, where in logins:
        stdout.write(f"  {username:<20} {role:<10} {where}\n")
    stdout.write(f"\nDemo data ready at {dt.datetime.now():%Y-%m-%d %H:%M}.\n")


def _demo_fee_order(system: Actor) -> None:
    """A fee notice for demo_citizen, so the payment flow (sandbox) can be tried at once."""
    from decimal import Decimal

    from microcourt.payments import actions as payment_actions
    from microcourt.payments import fees
    from microcourt.payments.models import PaymentOrder

    citizen = User.objects.get(username="demo_citizen")
    if PaymentOrder.objects.filter(payer=citizen).exists():
        return
    quote = fees.quote(
        kind="acceptance",
        category="property",
        amount=Decimal("50000"),
        procedure="ordinary",
        province="浙",
    )
    payment_actions.order_create(
        payer=citizen,
        kind="acceptance",
        amount=quote.amount,
        description="民间借贷纠纷（演示）案件受理费",
        actor=system,
        court=Court.objects.get(code=HOME_COURT),
        breakdown=[
            {"label": str(line.label), "amount": str(line.amount)} for line in quote.breakdown
        ],
        basis=[str(b) for b in quote.basis],
    )
