"""`microcourt demo`: idempotent, with the fixed log-ins scripts rely on."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate

from microcourt import demo
from microcourt.cases.models import Case
from microcourt.courts.models import StaffAssignment
from microcourt.filing.models import Filing
from microcourt.identity.models import User
from microcourt.notifications.models import Notification

pytestmark = pytest.mark.django_db

FIXED = [
    "demo_citizen",
    "demo_citizen2",
    "demo_company",
    "demo_lawyer",
    "demo_judge",
    "demo_assistant",
    "demo_clerk",
    "demo_head",
    "demo_filing",
    "demo_mediator",
    "demo_enforcer",
    "demo_admin",
]


def test_demo_creates_the_fixed_log_ins_once(settings):
    settings.DEMO_PASSWORD = "microcourt-demo"
    out = io.StringIO()
    demo.run(stdout=out)
    users, notes = User.objects.count(), Notification.objects.count()
    demo.run(stdout=io.StringIO())
    assert (User.objects.count(), Notification.objects.count()) == (users, notes)
    for username in FIXED:
        assert authenticate(username=username, password="microcourt-demo") is not None, username
        assert username in out.getvalue()
    roles = {
        a.user.username: a.role
        for a in StaffAssignment.objects.filter(court__code="浙0203").select_related("user")
    }
    assert roles == {
        "demo_judge": "judge",
        "demo_assistant": "judge_assistant",
        "demo_clerk": "clerk",
        "demo_head": "division_head",
        "demo_filing": "filing_officer",
        "demo_mediator": "mediator",
        "demo_enforcer": "enforcement_officer",
        "demo_admin": "court_admin",
    }
    assert StaffAssignment.objects.filter(court__code="粤0192", role="judge").exists()
    admin = User.objects.get(username="demo_admin")
    assert admin.is_staff and admin.has_perm("courts.change_court")
    assert not admin.has_perm("notifications.change_notification")
    # 张三's loan case is accepted, with its 案号 and a fee notice to try the payment flow
    # with: ¥50,000 claim → ¥1,050 (诉讼费用交纳办法 Art 13); 李四's waits on the desk.
    order = User.objects.get(username="demo_citizen").payment_orders.get()
    assert order.amount == Decimal("1050.00") and order.status == "pending"
    case = Case.objects.get(pk=order.case_id)
    assert case.number.startswith("（") and "浙0203民初" in case.number
    assert Filing.objects.get(applicant__username="demo_citizen2").status == "submitted"
    # The case has its panel and 李四 linked as the defendant: the space works for all three.
    roles = set(case.participants.values_list("user__username", "role"))
    assert {("demo_citizen", "plaintiff"), ("demo_citizen2", "defendant"),
            ("demo_judge", "judge"), ("demo_assistant", "judge_assistant"),
            ("demo_clerk", "clerk")} <= roles  # fmt: skip
    # 分案 put them there: the demo judge finds the case on the workbench.
    from microcourt.cases import selectors as case_selectors
    from microcourt.courts.selectors import staff_actor

    judge = staff_actor(User.objects.get(username="demo_judge"))
    assert case.pk in [row.case.pk for row in case_selectors.panel_cases_for(judge)]
    for username in ("demo_citizen", "demo_citizen2"):
        assert User.objects.get(username=username).real_name.name
