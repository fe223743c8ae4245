"""长辈模式 (适老化): switched on 我的 with a plain form (no script), it makes the whole site
larger and puts the six most used services first on the home page; it is kept for the
browser and switched off the same way, each time said in the person's language."""

import re

import pytest

pytestmark = pytest.mark.django_db

MOST_USED = ["file", "cases", "fees", "service", "contact", "courts"]


def services_in_order(page: str) -> list[str]:
    return re.findall(r'data-service="([a-z]+)"', page)


def html_classes(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_zhang_turns_on_senior_mode_on_me_and_the_home_page_puts_six_services_first(
    client, plaintiff_zhang
):
    client.force_login(plaintiff_zhang)
    me = client.get("/accounts/me/").content.decode()
    assert "开启长辈模式" in me and "mc-elderly" not in html_classes(me)
    ordinary = services_in_order(client.get("/").content.decode())
    assert ordinary[:4] == ["file", "cases", "fees", "courts"]  # the usual grid

    response = client.post("/accounts/me/elderly/", {"elderly": "on", "next": "/accounts/me/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    me = client.get("/accounts/me/").content.decode()
    assert 'class="mc-elderly"' in html_classes(me)
    assert "长辈模式已开启" in me  # told so on the page the switch brought her back to
    assert "关闭长辈模式" in me

    home = client.get("/").content.decode()
    assert 'class="mc-elderly"' in html_classes(home)
    assert "常用服务" in home
    shown = services_in_order(home)
    assert shown[:6] == MOST_USED
    assert len(shown) == len(set(shown)) == 12  # nothing lost, nothing twice
    # Every other page of the site is larger too, not only the home page.
    assert 'class="mc-elderly"' in html_classes(client.get("/cases/").content.decode())

    client.post("/accounts/me/elderly/", {"elderly": "off", "next": "/accounts/me/"})
    me = client.get("/accounts/me/").content.decode()
    assert "mc-elderly" not in html_classes(me) and "长辈模式已关闭" in me
    assert services_in_order(client.get("/").content.decode()) == ordinary


def test_the_switch_is_kept_for_a_year_and_announced_in_english(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/me/elderly/", {"elderly": "on"}, follow=True)
    cookie = client.cookies["mc_elderly"]
    assert cookie.value == "1" and int(cookie["max-age"]) >= 365 * 24 * 3600
    page = response.content.decode()
    assert "Senior mode is on" in page and "Turn off senior mode" in page


def test_a_visitor_cannot_be_sent_elsewhere_by_the_switch(client):
    response = client.post(
        "/accounts/me/elderly/", {"elderly": "on", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/").content.decode()
    assert 'class="mc-elderly"' in html_classes(home)  # anyone may use it, logged in or not


def test_the_switch_only_answers_a_form_post(client):
    assert client.get("/accounts/me/elderly/").status_code == 405
