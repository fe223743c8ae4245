"""What a person meets when a page is refused or missing: the shell, their language, a way
back — never Django's debug or plain pages (issue 15, item 5)."""

import os
import subprocess
import sys

import pytest
from django.test import Client, RequestFactory

from microcourt import errors

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_shells_page_with_a_way_home(client):
    page = client.get("/cases/no-such-page/", HTTP_REFERER="http://testserver/cases/")
    html = page.content.decode()
    assert page.status_code == 404
    assert "页面不存在" in html and "返回首页" in html
    assert 'href="/cases/"' in html  # 返回上一页: where the person came from
    assert "mc-tabbar" in html  # in the shell, with its navigation
    assert "URLconf" not in html and "Page not found" not in html


def test_the_way_back_never_leads_off_the_site(client):
    html = client.get("/nope/", HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in html
    assert "返回上一页" not in html


def test_the_404_speaks_english_to_an_english_reader(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/nope/").content.decode()
    assert "页面不存在" not in html
    assert "Page not found" in html or "not found" in html.lower()


def test_api_refusals_keep_the_json_error_shape(client):
    page = client.get("/api/v1/no-such-endpoint")
    assert page.status_code == 404
    assert page.json()["error"]["code"]


def test_a_logged_in_citizen_at_the_admin_is_told_no_instead_of_going_round(
    client, plaintiff_zhang
):
    client.force_login(plaintiff_zhang)
    first = client.get("/admin/")
    assert first.status_code == 302  # the admin sends non-staff to its log-in
    second = client.get(first["Location"])
    assert second.status_code == 403
    assert "您的账号没有管理后台的权限。" in second.content.decode()


def test_an_anonymous_visitor_at_the_admin_is_sent_to_our_log_in(client):
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/?next=/admin/")


def test_a_refused_host_gets_a_plain_400_page_not_a_debug_page():
    page = Client(HTTP_HOST="evil.example").get("/")
    html = page.content.decode()
    assert page.status_code == 400
    assert "请求有误" in html
    assert "DisallowedHost" not in html and "ALLOWED_HOSTS" not in html


def test_an_expired_form_is_explained(plaintiff_zhang):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(plaintiff_zhang)
    page = browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert page.status_code == 403
    assert "页面已过期" in page.content.decode()


def test_a_server_error_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/cases/")
    with django_assert_num_queries(0):
        page = errors.server_error(request)
    assert page.status_code == 500
    assert "系统繁忙" in page.content.decode()


def test_a_server_error_under_the_api_is_json():
    page = errors.server_error(RequestFactory().get("/api/v1/cases"))
    assert page.status_code == 500
    assert b'"server_error"' in page.content


def test_the_demo_runs_without_debug_pages():
    env = {k: v for k, v in os.environ.items() if k not in ("MICROCOURT_DEBUG",)}
    env["DJANGO_SETTINGS_MODULE"] = "microcourt.settings.dev"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_the_service_worker_precaches_the_names_pages_ask_for(client):
    """With hashed static names, a precache of the plain names was downloaded for nothing and
    never matched a page's request (so nothing worked offline)."""
    import re

    from django.templatetags.static import static

    from microcourt.shell import PRECACHE

    script = client.get("/sw.js").content.decode()
    assert "__PRECACHE__" not in script and "__VERSION__" not in script
    listed = re.search(r"const PRECACHE = (\[.*?\]);", script).group(1)
    assert listed == "[" + ", ".join(f'"{static(name)}"' for name in PRECACHE) + "]"
    assert re.search(r'microcourt-shell-[0-9a-f]{12}"', script)
