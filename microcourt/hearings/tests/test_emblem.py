"""The national emblem over the courtroom (《国徽法》第四条): the official artwork the operator
configures is shown in the courtroom's header and on the entry steps; unset or unusable, the
header names the State in text and the emblem's address is "not found"."""

from __future__ import annotations

import pytest

from .test_courtroom_pages import session, url  # noqa: F401

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="5"/></svg>'


@pytest.fixture
def official(tmp_path, settings):
    path = tmp_path / "emblem.svg"
    path.write_bytes(SVG)
    settings.COURT_EMBLEM_FILE = str(path)
    return path


def _enter(client, session, judge_chen):  # noqa: F811
    client.force_login(judge_chen)
    client.post(url(session, "enter/"), {"participation": "video"})
    client.post(url(session, "enter/rules/"), {"agree": "yes"})


def test_the_configured_emblem_is_over_the_courtroom_and_the_entry_steps(
    client,
    session,  # noqa: F811
    judge,
    judge_chen,
    official,
):
    _enter(client, session, judge_chen)
    for tail in ("", "enter/"):
        html = client.get(url(session, tail)).content.decode()
        assert 'class="hr-emblem" src="/hearings/emblem"' in html, tail
        assert 'alt="中华人民共和国国徽"' in html
        assert "中华人民共和国" in html  # the State's name stays beside it

    image = client.get("/hearings/emblem")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"
    assert b"".join(image.streaming_content) == SVG
    assert "default-src 'none'" in image["Content-Security-Policy"]


def test_without_the_official_artwork_the_header_names_the_state_in_text(
    client,
    session,  # noqa: F811
    judge,
    judge_chen,
    settings,
    tmp_path,
):
    _enter(client, session, judge_chen)
    for configured in ("", str(tmp_path / "missing.svg"), str(tmp_path)):
        settings.COURT_EMBLEM_FILE = configured
        html = client.get(url(session)).content.decode()
        assert "hr-emblem" not in html
        assert "中华人民共和国" in html
        assert client.get("/hearings/emblem").status_code == 404
