"""Administrators edit type codes; cases are read-only in the admin (only actions write)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from microcourt.cases.models import Case, CaseType
from microcourt.identity.tests.factories import UserFactory


@pytest.fixture
def root_request(db):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    return request


def test_type_codes_are_editable_and_validated(root_request):
    model_admin = admin.site._registry[CaseType]
    assert model_admin.has_add_permission(root_request)
    assert model_admin.has_change_permission(root_request)
    form_class = model_admin.get_form(root_request)
    bad = form_class(data={"code": "民事初审", "name": "x", "active": True})
    assert not bad.is_valid() and "code" in bad.errors
    CaseType.objects.get_or_create(code="民督监", defaults={"name": "支付令监督"})
    good = form_class(data={"code": "民督监", "name": "支付令监督", "active": True})
    # A code already in use: the form says so on the code field, not a crash.
    assert not good.is_valid() and "code" in good.errors
    new = form_class(data={"code": "知行初", "name": "知识产权行政一审", "active": True})
    assert new.is_valid(), new.errors


def test_cases_are_read_only_in_the_admin(root_request, loan_case):
    model_admin = admin.site._registry[Case]
    assert not model_admin.has_add_permission(root_request)
    assert not model_admin.has_delete_permission(root_request, loan_case)
    readonly = set(model_admin.get_readonly_fields(root_request, loan_case))
    assert {f.name for f in Case._meta.fields} <= readonly
