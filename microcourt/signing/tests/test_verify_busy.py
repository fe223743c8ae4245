"""Issue 15 (progress): checking a PDF takes a second or two; while it runs the 验证 button
is disabled and shows a spinner with 正在核验… (static/shell/app.js, ``data-busy-text``), and
the verdict replaces the result in place."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_verify_button_says_what_it_shows_while_checking(client):
    page = client.get("/verify/pdf/").content.decode()
    form = re.search(r'<form class="weui-form".*?</form>', page, re.S).group(0)
    assert 'hx-post="/verify/pdf/"' in form and 'hx-target="#result"' in form
    assert re.search(r'<button[^>]*type="submit"[^>]*data-busy-text="正在核验…"', form)


def test_the_shell_script_makes_such_buttons_busy(settings):
    from pathlib import Path

    script = (Path(settings.BASE_DIR) / "microcourt/static/shell/app.js").read_text()
    assert "button[data-busy-text]" in script and "weui-loading" in script
    assert '"role", "status"' in script and "htmx:afterRequest" in script
