"""The admin is a court tool, not a master key (issue 13).

杭州互联网法院's court administrator (管理员杭) signs in to /admin/ with the permissions the
demo gives court administrators and tries what an attacker did: reset citizen 张三's
password, make himself a superuser, make himself a judge at 宁波海曙 and read that court's
staff and cases. Each is refused; what he may do at his own court works and is in the
ledger's private part."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin

from microcourt import demo
from microcourt.core.actor import Actor
from microcourt.core.admin_scope import COURT_ADMIN, CourtScopedAdmin
from microcourt.courts.models import Court, CourtClosure, Division, StaffAssignment
from microcourt.courts.tests.factories import CourtFactory, StaffFactory
from microcourt.identity.events import LedgerEvent
from microcourt.identity.roles import OrgRole
from microcourt.identity.tests.factories import PASSWORD, UserFactory
from microcourt.ledger.models import Entry

ADMIN = "/admin"


def with_second_factor(user):
    """Court staff have a second factor (else every page asks them to set one up)."""
    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, data={})
    return user


@pytest.fixture
def court_hzi(db):
    return CourtFactory(
        code="浙0192",
        name="杭州互联网法院",
        level="basic",
        specialty="internet",
        province="浙江省",
        city="杭州市",
    )


@pytest.fixture
def admin_hang(court_hzi):
    """杭州互联网法院's court administrator, set up as the demo sets one up."""
    user = UserFactory(username="admin_hang", display_name="管理员杭", is_staff=True)
    StaffFactory(user=user, court=court_hzi, role=OrgRole.COURT_ADMIN)
    user.groups.add(demo._court_admin_group())
    return with_second_factor(user)


@pytest.fixture
def admin_ning(court_haishu):
    """宁波海曙's court administrator."""
    user = UserFactory(username="admin_ning", display_name="管理员宁", is_staff=True)
    StaffFactory(user=user, court=court_haishu, role=OrgRole.COURT_ADMIN)
    user.groups.add(demo._court_admin_group())
    return with_second_factor(user)


@pytest.fixture
def judge_li(court_hzi):
    """A judge at 杭州互联网法院."""
    staff = StaffFactory(
        court=court_hzi, role=OrgRole.JUDGE, user__username="judge_li", user__display_name="李法官"
    )
    return staff.user


@pytest.fixture
def root(db):
    """A platform operator, with the second factor every operator must have."""
    return with_second_factor(
        UserFactory(username="root", display_name="运维", is_staff=True, is_superuser=True)
    )


def open_case(court: Court, citizen) -> object:
    from microcourt.cases import actions
    from microcourt.cases.models import CaseType

    case_type = CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]
    return actions.case_open(
        court=court,
        case_type=case_type,
        title=f"{citizen.display_name}诉王五民间借贷纠纷",
        cause="民间借贷纠纷",
        actor=Actor.citizen(citizen),
        filed_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
    )


def admin_entries() -> list[Entry]:
    return list(Entry.objects.filter(code=LedgerEvent.ADMIN_CHANGED).order_by("pk"))


def not_found(response) -> bool:
    """Django's admin answers an object outside the queryset with "not found": a 404, or a
    redirect to the index with a "does not exist" message."""
    return response.status_code == 404 or (
        response.status_code == 302 and response["Location"] == f"{ADMIN}/"
    )


# --- The attacks --------------------------------------------------------------------------------


def test_the_court_administrator_cannot_open_a_citizens_password_page(
    client, admin_hang, plaintiff_zhang, judge_li
):
    client.force_login(admin_hang)
    for person in (plaintiff_zhang, judge_li, admin_hang):  # a citizen, his own staff, himself
        url = f"{ADMIN}/identity/user/{person.pk}/password/"
        assert client.get(url).status_code == 404
        response = client.post(url, {"password1": "pwned-123456", "password2": "pwned-123456"})
        assert response.status_code == 404
    plaintiff_zhang.refresh_from_db()
    assert plaintiff_zhang.check_password(PASSWORD)
    assert not_found(client.get(f"{ADMIN}/identity/user/{plaintiff_zhang.pk}/change/"))
    assert admin_entries() == []


def test_the_court_administrator_cannot_make_himself_a_superuser(client, admin_hang):
    client.force_login(admin_hang)
    url = f"{ADMIN}/identity/user/{admin_hang.pk}/change/"
    page = client.get(url)
    # He may see his own name, read-only; no flags, no groups, no password link.
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="is_superuser"' not in html and "password/" not in html
    response = client.post(
        url,
        {"username": "admin_hang", "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    assert response.status_code == 403
    admin_hang.refresh_from_db()
    assert not admin_hang.is_superuser
    assert client.get(f"{ADMIN}/identity/user/add/").status_code == 403


def test_the_court_administrator_cannot_make_himself_a_judge_at_another_court(
    client, admin_hang, court_hzi, court_haishu, plaintiff_zhang, judge_li
):
    client.force_login(admin_hang)
    url = f"{ADMIN}/courts/staffassignment/add/"
    attempts = [
        (admin_hang, court_haishu, OrgRole.JUDGE),  # another court
        (judge_li, court_hzi, OrgRole.COURT_ADMIN),  # a second administrator: operators only
        (plaintiff_zhang, court_hzi, OrgRole.JUDGE),  # a citizen: not his to pick
    ]
    for user, court, role in attempts:
        response = client.post(
            url, {"user": user.pk, "court": court.pk, "role": role, "active": "on"}
        )
        assert response.status_code == 200, (user, court, role)  # the form, with its errors
        assert response.context["adminform"].form.errors
    assert not StaffAssignment.objects.filter(court=court_haishu).exists()
    assert not StaffAssignment.objects.filter(user=plaintiff_zhang).exists()
    assert not StaffAssignment.objects.filter(user=judge_li, role=OrgRole.COURT_ADMIN).exists()
    assert admin_entries() == []


def test_the_court_administrator_cannot_change_his_own_administrator_role(
    client, admin_hang, court_hzi
):
    client.force_login(admin_hang)
    own = StaffAssignment.objects.get(user=admin_hang, role=OrgRole.COURT_ADMIN)
    url = f"{ADMIN}/courts/staffassignment/{own.pk}/change/"
    assert client.get(url).status_code == 200  # he may look
    response = client.post(url, {"user": admin_hang.pk, "court": court_hzi.pk, "role": "judge"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.role == OrgRole.COURT_ADMIN and own.active


def test_another_courts_staff_cases_and_national_data_are_out_of_sight(
    client, admin_hang, court_hzi, court_haishu, judge_chen, judge_li, plaintiff_zhang
):
    from django.contrib.auth.models import Permission

    haishu_case = open_case(court_haishu, plaintiff_zhang)
    hzi_case = open_case(court_hzi, plaintiff_zhang)
    # Even with the right to view cases, he sees only his court's.
    admin_hang.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(admin_hang)

    staff = client.get(f"{ADMIN}/courts/staffassignment/").content.decode()
    assert "李法官" in staff and "陈法官" not in staff and "宁波市海曙区人民法院" not in staff
    chens = StaffAssignment.objects.get(user=judge_chen)
    assert not_found(client.get(f"{ADMIN}/courts/staffassignment/{chens.pk}/change/"))

    cases = client.get(f"{ADMIN}/cases/case/").content.decode()
    assert f"/cases/case/{hzi_case.pk}/change/" in cases
    assert f"/cases/case/{haishu_case.pk}/change/" not in cases
    assert not_found(client.get(f"{ADMIN}/cases/case/{haishu_case.pk}/change/"))

    courts = client.get(f"{ADMIN}/courts/court/").content.decode()
    assert "杭州互联网法院" in courts and "宁波市海曙区人民法院" not in courts
    assert not_found(client.get(f"{ADMIN}/courts/court/{court_haishu.pk}/change/"))

    people = client.get(f"{ADMIN}/identity/user/").content.decode()
    assert "李法官" in people and "陈法官" not in people and "张三" not in people

    # National data and platform tables: not even listed, though the demo group grants
    # the national calendar.
    assert client.get(f"{ADMIN}/core/calendarexception/").status_code == 403
    assert client.get(f"{ADMIN}/auth/group/").status_code == 403
    index = client.get(f"{ADMIN}/").content.decode()
    assert "节假日调整" not in index and "人员任职" in index

    # Picking a person for a role offers only people at his court.
    found = client.get(
        f"{ADMIN}/autocomplete/",
        {"app_label": "courts", "model_name": "staffassignment", "field_name": "user", "term": ""},
    ).json()["results"]
    assert {int(r["id"]) for r in found} == {admin_hang.pk, judge_li.pk}


def test_staff_without_the_administrator_role_see_nothing(client, court_hzi):
    clerk = StaffFactory(court=court_hzi, role=OrgRole.CLERK, user__is_staff=True).user
    clerk.groups.add(demo._court_admin_group())
    client.force_login(with_second_factor(clerk))
    assert client.get(f"{ADMIN}/courts/court/").status_code == 403
    assert client.get(f"{ADMIN}/courts/staffassignment/").status_code == 403


# --- What he may do, recorded -------------------------------------------------------------------


def test_the_court_administrator_manages_roles_at_his_court_and_each_change_is_recorded(
    client, admin_hang, court_hzi, judge_li
):
    client.force_login(admin_hang)
    page = client.get(f"{ADMIN}/courts/staffassignment/add/").content.decode()
    assert 'name="reason"' not in page  # reasons are asked of operators
    assert 'value="court_admin"' not in page

    response = client.post(
        f"{ADMIN}/courts/staffassignment/add/",
        {"user": judge_li.pk, "court": court_hzi.pk, "role": "judge_assistant", "active": "on"},
    )
    assert response.status_code == 302, response.content
    added = StaffAssignment.objects.get(user=judge_li, role=OrgRole.JUDGE_ASSISTANT)

    judge_role = StaffAssignment.objects.get(user=judge_li, role=OrgRole.JUDGE)
    response = client.post(
        f"{ADMIN}/courts/staffassignment/{judge_role.pk}/change/",
        {"user": judge_li.pk, "court": court_hzi.pk, "role": "judge"},  # "在岗" unticked
    )
    assert response.status_code == 302, response.content
    judge_role.refresh_from_db()
    assert not judge_role.active

    first, second = admin_entries()
    assert (first.actor_user_id, first.actor_role) == (admin_hang.pk, COURT_ADMIN)
    assert first.details["action"] == "add"
    assert first.details["object"] == f"courts.StaffAssignment:{added.pk}"
    assert set(first.details["fields"]) >= {"user", "court", "role"}
    assert first.details["court_id"] == court_hzi.pk
    assert second.details["action"] == "change" and second.details["fields"] == ["active"]
    assert second.case_id is None and "admin_hang" not in second.public_json
    # A role is withdrawn, not deleted.
    assert client.get(f"{ADMIN}/courts/staffassignment/{added.pk}/delete/").status_code == 403


def test_the_court_administrator_keeps_his_courts_details_divisions_and_closed_days(
    client, admin_hang, court_hzi
):
    client.force_login(admin_hang)
    url = f"{ADMIN}/courts/court/{court_hzi.pk}/change/"
    response = client.post(
        url,
        {
            # national data, sent anyway: ignored (read-only for him)
            "code": "浙9999",
            "name": "随便法院",
            "phone": "0571-88888888",
            "hours": "周一至周五 9:00-17:00",
            "divisions-TOTAL_FORMS": "1",
            "divisions-INITIAL_FORMS": "0",
            "divisions-0-name": "民事审判庭",
            "divisions-0-kind": "civil",
            "closures-TOTAL_FORMS": "1",
            "closures-INITIAL_FORMS": "0",
            "closures-0-date": "2026-09-15",
            "closures-0-reason": "台风停止办公",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    court_hzi.refresh_from_db()
    assert (court_hzi.code, court_hzi.name) == ("浙0192", "杭州互联网法院")
    assert court_hzi.phone == "0571-88888888"
    assert Division.objects.filter(court=court_hzi, name="民事审判庭").exists()
    assert CourtClosure.objects.filter(court=court_hzi, date=dt.date(2026, 9, 15)).exists()

    (entry,) = admin_entries()
    assert entry.details["action"] == "change" and entry.details["court_id"] == court_hzi.pk
    assert set(entry.details["fields"]) == {"phone", "hours"}
    assert {i["model"] for i in entry.details["inlines"]} == {
        "courts.Division",
        "courts.CourtClosure",
    }
    assert "0571-88888888" not in str(entry.details)  # field names, never values


# --- The rules hold for every admin -------------------------------------------------------------


def test_every_registered_admin_follows_the_court_scope():
    loose = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, CourtScopedAdmin)
    ]
    assert loose == []
    # Without an admin page of its own, the ledger is not in the admin at all.
    assert not any(model._meta.app_label == "ledger" for model in admin.site._registry)


def test_core_names_the_court_administrator_role_as_identity_does():
    assert COURT_ADMIN == OrgRole.COURT_ADMIN
