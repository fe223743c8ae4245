"""Platform operators (superusers) are appointed by a command, with a reason, and give a
reason for every change of an account, a role or a court setting in /admin/; each is a
ledger entry's private part, without the password."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from microcourt import cli
from microcourt.courts.models import StaffAssignment
from microcourt.identity.events import LedgerEvent
from microcourt.identity.models import User
from microcourt.identity.roles import OrgRole
from microcourt.identity.tests import test_admin_court_scope as court_scope
from microcourt.identity.tests.factories import PASSWORD
from microcourt.ledger.models import Entry

ADMIN = court_scope.ADMIN
admin_entries = court_scope.admin_entries
# The personas of the court-scope stories: 杭州互联网法院, its administrator and judge, an operator.
court_hzi, admin_hang, judge_li, root = (
    court_scope.court_hzi,
    court_scope.admin_hang,
    court_scope.judge_li,
    court_scope.root,
)

NEW_PASSWORD = "a-long-new-password-2026"


def test_an_operator_must_give_a_reason_to_change_a_role(client, root, judge_li, court_hzi):
    client.force_login(root)
    role = StaffAssignment.objects.get(user=judge_li)
    url = f"{ADMIN}/courts/staffassignment/{role.pk}/change/"
    assert 'name="reason"' in client.get(url).content.decode()
    data = {"user": judge_li.pk, "court": court_hzi.pk, "role": "judge"}  # withdrawn

    response = client.post(url, {**data, "reason": "  "})
    assert response.status_code == 200
    assert "reason" in response.context["adminform"].form.errors
    role.refresh_from_db()
    assert role.active and admin_entries() == []

    response = client.post(url, {**data, "reason": "李法官调离，院政治部函〔2026〕12号"})
    assert response.status_code == 302
    role.refresh_from_db()
    assert not role.active
    (entry,) = admin_entries()
    assert (entry.actor_user_id, entry.actor_role) == (root.pk, "superuser")
    assert entry.details["reason"] == "李法官调离，院政治部函〔2026〕12号"
    assert entry.details["fields"] == ["active"] and entry.details["court_id"] == court_hzi.pk
    assert "调离" not in entry.public_json  # the reason is in the private part only


def test_an_operator_resets_a_password_with_a_reason_and_the_ledger_never_sees_it(
    client, root, plaintiff_zhang
):
    client.force_login(root)
    url = f"{ADMIN}/identity/user/{plaintiff_zhang.pk}/password/"
    passwords = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}

    response = client.post(url, passwords)
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    plaintiff_zhang.refresh_from_db()
    assert plaintiff_zhang.check_password(PASSWORD)

    response = client.post(url, {**passwords, "reason": "本人来电，核实身份后重置"})
    assert response.status_code == 302
    plaintiff_zhang.refresh_from_db()
    assert plaintiff_zhang.check_password(NEW_PASSWORD)
    (entry,) = admin_entries()
    assert entry.details["action"] == "password" and entry.details["fields"] == ["password"]
    assert entry.details["reason"] == "本人来电，核实身份后重置"
    assert NEW_PASSWORD not in str(entry.details) + entry.public_json


def test_an_operator_changes_an_accounts_flags_only_with_a_reason(client, root, judge_li):
    client.force_login(root)
    url = f"{ADMIN}/identity/user/{judge_li.pk}/change/"
    data = {
        "username": "judge_li",
        "display_name": "李法官",
        "preferred_language": judge_li.preferred_language,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "reason" in response.context["adminform"].form.errors
    judge_li.refresh_from_db()
    assert not judge_li.is_staff

    response = client.post(url, {**data, "reason": "开通管理后台，院办通知"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    judge_li.refresh_from_db()
    assert judge_li.is_staff
    (entry,) = admin_entries()
    assert "is_staff" in entry.details["fields"] and entry.details["action"] == "change"


def test_accounts_roles_and_courts_are_deactivated_not_deleted(client, root, judge_li, court_hzi):
    client.force_login(root)
    role = StaffAssignment.objects.get(user=judge_li)
    for url in (
        f"{ADMIN}/identity/user/{judge_li.pk}/delete/",
        f"{ADMIN}/courts/staffassignment/{role.pk}/delete/",
        f"{ADMIN}/courts/court/{court_hzi.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    assert User.objects.filter(pk=judge_li.pk).exists()


def test_the_operator_command_appoints_with_a_reason_and_says_what_it_did(db, capsys):
    # The console entry point maps `microcourt operator …` to the Django command. A command
    # run from argv closes the connections when done, which would end the test's transaction.
    argv = ["operator", "create", "ops_wu", "--reason", "平台运维值班，工单 OPS-7"]
    with mock.patch("django.core.management.base.connections.close_all"):
        assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "Created operator ops_wu" in out and "changepassword ops_wu" in out
    wu = User.objects.get(username="ops_wu")
    assert wu.is_superuser and wu.is_staff and not wu.has_usable_password()
    entry = Entry.objects.filter(code=LedgerEvent.OPERATOR_APPOINTED).get()
    assert entry.actor_role == "system" and entry.details["reason"] == "平台运维值班，工单 OPS-7"
    assert entry.details["created"] is True and entry.details["subject_user_id"] == wu.pk


def test_the_operator_command_promotes_and_revokes_an_existing_account(db, court_hzi):
    from io import StringIO

    from microcourt.courts.tests.factories import StaffFactory

    staff = StaffFactory(court=court_hzi, role=OrgRole.COURT_ADMIN, user__is_staff=True).user
    out = StringIO()
    call_command("operator", "create", staff.username, reason="兼任平台运维", stdout=out)
    assert "is now an operator" in out.getvalue()
    staff.refresh_from_db()
    assert staff.is_superuser and staff.check_password(PASSWORD)  # the password is untouched

    call_command("operator", "revoke", staff.username, reason="兼任结束", stdout=out)
    staff.refresh_from_db()
    assert not staff.is_superuser and staff.is_staff  # still this court's administrator
    codes = list(Entry.objects.order_by("pk").values_list("code", flat=True))
    assert codes[-2:] == [LedgerEvent.OPERATOR_APPOINTED, LedgerEvent.OPERATOR_REVOKED]


@pytest.mark.parametrize("reason", [None, "   "])
def test_the_operator_command_refuses_without_a_reason(db, reason):
    args = ["operator", "create", "ops_zhou"] + ([] if reason is None else ["--reason", reason])
    with pytest.raises(CommandError):
        call_command(*args)
    assert not User.objects.filter(username="ops_zhou").exists()
    assert not Entry.objects.filter(code=LedgerEvent.OPERATOR_APPOINTED).exists()


def test_a_court_administrator_cannot_create_users_let_alone_superusers(client, admin_hang):
    client.force_login(admin_hang)
    response = client.post(
        f"{ADMIN}/identity/user/add/",
        {"username": "evil", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="evil").exists()


def test_every_page_where_an_operator_changes_accounts_roles_or_courts_asks_why(
    client, root, judge_li, court_hzi
):
    client.force_login(root)
    role = StaffAssignment.objects.get(user=judge_li)
    for url in (
        "/identity/user/add/",
        f"/identity/user/{judge_li.pk}/change/",
        f"/identity/user/{judge_li.pk}/password/",
        "/courts/staffassignment/add/",
        f"/courts/staffassignment/{role.pk}/change/",
        "/courts/court/add/",
        f"/courts/court/{court_hzi.pk}/change/",
        "/core/calendarexception/add/",
    ):
        page = client.get(ADMIN + url)
        assert page.status_code == 200, url
        assert page.content.decode().count('name="reason"') == 1, url
    # Elsewhere an operator's change is recorded without being asked why.
    assert 'name="reason"' not in client.get(f"{ADMIN}/cases/casetype/add/").content.decode()


def test_operators_still_open_every_admin_list(client, root):
    from django.contrib import admin

    client.force_login(root)
    for model in admin.site._registry:
        url = f"{ADMIN}/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
