"""The payments stories' court and case: 张三 sues 王五 at the 海曙 court; 陈法官 and 赵书记员
sit on the panel, 李立案 is the court's filing officer. 鄞州 is another court, with its own
filing officer and administrator."""

import pytest

from microcourt.core.actor import Actor


def _staff(court, role, username, name):
    from microcourt.courts.tests.factories import StaffFactory

    return StaffFactory(
        court=court, role=role, user__username=username, user__display_name=name
    ).user


@pytest.fixture
def admin_sun(court_haishu):
    return _staff(court_haishu, "court_admin", "admin_sun", "孙管理员")


@pytest.fixture
def judge_qian(court_haishu):
    """A judge of the 海曙 court who is not on the case's panel."""
    return _staff(court_haishu, "judge", "judge_qian", "钱法官")


@pytest.fixture
def court_yinzhou(db):
    from microcourt.courts.tests.factories import CourtFactory

    return CourtFactory(code="浙0212", name="宁波市鄞州区人民法院", level="basic")


@pytest.fixture
def officer_yinzhou(court_yinzhou):
    return _staff(court_yinzhou, "filing_officer", "officer_zhou", "周立案")


@pytest.fixture
def admin_yinzhou(court_yinzhou):
    return _staff(court_yinzhou, "court_admin", "admin_wu", "吴管理员")


@pytest.fixture
def loan_case(court_haishu, plaintiff_zhang, defendant_wang, judge_chen, clerk_zhao, officer_li):
    """张三诉王五民间借贷纠纷 at the 海曙 court, 陈法官 and 赵书记员 on its panel (分案)."""
    from microcourt.cases import actions as case_actions
    from microcourt.cases.models import CaseType

    civil = CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]
    officer = officer_li
    case = case_actions.case_open(
        court=court_haishu,
        case_type=civil,
        title="张三诉王五民间借贷纠纷",
        cause="民间借贷纠纷",
        actor=officer,
        filed_by=plaintiff_zhang,
    )
    for role, user, name in (
        ("plaintiff", plaintiff_zhang, "张三"),
        ("defendant", defendant_wang, "王五"),
        ("judge", judge_chen, "陈法官"),
        ("clerk", clerk_zhao, "赵书记员"),
    ):
        case_actions.participant_add(
            case=case, actor=officer, role=role, user=user, display_name=name
        )
    return case


@pytest.fixture
def system():
    return Actor.system("payments test")
