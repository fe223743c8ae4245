"""The request path (docs/benchmarks.md, request path): a signed-in person's idle time-out
without a session write per page, compressed pages and JSON but never a streamed file, a
memo only while nothing can change, one identity per request, the middleware run in one
thread under ASGI, and SQLite connections kept between requests."""

import gzip
import io
from unittest import mock

import pytest
from django.db import connection
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from microcourt.core import middleware
from microcourt.core.actor import actor_of


def session_writes(queries) -> int:
    return sum(
        1
        for q in queries.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


@pytest.fixture
def signed_in(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    return client


def test_page_views_do_not_write_the_session_each_time(signed_in, settings):
    from django.contrib.sessions.models import Session

    settings.SESSION_REFRESH_SECONDS = 300
    now = 1_800_000_000
    with mock.patch.object(middleware.time, "time", return_value=now):
        signed_in.get("/cases/")  # the first view marks when the session was saved
        with CaptureQueriesContext(connection) as queries:
            for _ in range(3):
                assert signed_in.get("/cases/").status_code == 200
    assert session_writes(queries) == 0

    key = signed_in.cookies["sessionid"].value
    expiry = Session.objects.get(session_key=key).expire_date
    with (
        mock.patch.object(middleware.time, "time", return_value=now + 301),
        CaptureQueriesContext(connection) as queries,
    ):
        signed_in.get("/cases/")
    assert session_writes(queries) == 1  # the idle time-out starts again
    assert Session.objects.get(session_key=key).expire_date > expiry


def test_a_bearer_token_call_never_touches_a_session(client, plaintiff_zhang):
    from microcourt.cases.tests.test_api import bearer

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/cases", **bearer(plaintiff_zhang))
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


def _compressed(request, response):
    return middleware.CompressionMiddleware(lambda r: response)(request)


def test_pages_and_json_are_gzipped_for_clients_that_accept_it():
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    page = "<html><body>" + "案件进程 " * 400 + "</body></html>"
    for body, kind in (
        (page, "text/html; charset=utf-8"),
        ('{"a": "' + "x" * 2000 + '"}', "application/json"),
    ):
        response = _compressed(request, HttpResponse(body, content_type=kind))
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content).decode() == body
        assert "Accept-Encoding" in response["Vary"]


def test_a_page_arrives_gzipped(signed_in):
    response = signed_in.get("/cases/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "我的案件" in gzip.decompress(response.content).decode()


def test_compressed_lengths_vary_so_a_secret_cannot_be_read_off_them():
    """BREACH: Django pads each gzip body with random bytes (the "Heal the BREACH" mitigation);
    the same page compressed twice must not give a predictable length."""
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    page = "<input name=csrfmiddlewaretoken value=abcdef>" + "<p>案件</p>" * 300
    lengths = {
        len(_compressed(request, HttpResponse(page, content_type="text/html")).content)
        for _ in range(20)
    }
    assert len(lengths) > 1


def test_files_and_streams_pass_uncompressed():
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    pdf = FileResponse(io.BytesIO(b"%PDF-1.4 " + b"0" * 5000), content_type="application/pdf")
    stream = StreamingHttpResponse((b"<p>x</p>" for _ in range(500)), content_type="text/html")
    png = HttpResponse(b"\x89PNG" + b"0" * 5000, content_type="image/png")
    for response in (pdf, stream, png):
        assert not _compressed(request, response).has_header("Content-Encoding")


def test_the_memo_lives_only_while_a_read_only_request_runs():
    seen = {}

    def view(request):
        seen[request.method] = middleware.request_memo()
        return HttpResponse("ok")

    chain = middleware.RequestIdMiddleware(view)
    factory = RequestFactory()
    chain(factory.get("/"))
    chain(factory.post("/"))
    assert seen["GET"] == {} and seen["POST"] is None
    assert middleware.request_memo() is None  # nothing outlives the request


def test_the_actor_cached_on_a_request_is_never_someone_elses(rf, plaintiff_zhang, defendant_wang):
    """A middleware may build the session user's actor before the API reads a bearer token
    that names someone else: the API must act as the token's owner."""
    request = rf.get("/api/v1/cases")
    request.user = plaintiff_zhang
    assert actor_of(request).user_id == plaintiff_zhang.pk
    request.auth = defendant_wang
    assert actor_of(request).user_id == defendant_wang.pk


def test_under_asgi_the_whole_chain_runs_synchronously():
    """One hop into a thread per request, as under WSGI; still a working ASGI application."""
    import asyncio

    from asgiref.testing import ApplicationCommunicator

    handler = middleware.SyncChainASGIHandler()
    assert not asyncio.iscoroutinefunction(handler._middleware_chain)

    async def call():
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/api/v1/cases",
            "query_string": b"",
            "headers": [(b"host", b"testserver")],
            "server": ("testserver", 80),
        }
        app = ApplicationCommunicator(handler, scope)
        await app.send_input({"type": "http.request", "body": b""})
        start = await app.receive_output(5)
        body = await app.receive_output(5)
        return start, body

    start, body = asyncio.run(call())
    assert start["status"] == 401
    assert any(name == b"X-Request-ID" for name, _ in start["headers"])
    assert b"unauthenticated" in body["body"]


def test_sqlite_connections_are_kept_for_the_next_request(db, tmp_path):
    from microcourt.core.sqlite.base import DatabaseWrapper

    settings_dict = {
        **connection.settings_dict,
        "ENGINE": "microcourt.core.sqlite",
        "NAME": str(tmp_path / "kept.sqlite3"),
        "OPTIONS": {},
    }
    wrapper = DatabaseWrapper(settings_dict, alias="kept")
    try:
        wrapper.ensure_connection()
        first = wrapper.connection
        wrapper.close()
        wrapper.ensure_connection()
        assert wrapper.connection is first  # handed back, not reopened

        wrapper.connection.execute("BEGIN")
        wrapper.close()  # closed mid-transaction: never handed to anyone else
        wrapper.ensure_connection()
        assert wrapper.connection is not first
    finally:
        wrapper.close()
        DatabaseWrapper._idle.pop(settings_dict["NAME"], None)


def test_numbers_past_any_key_are_answered_not_crashed_on(client, plaintiff_zhang, court_haishu):
    """The hot reads are fixed SQL statements: a number too big for the database to bind must
    still get "not found" or an empty page, never a server error."""
    from microcourt.cases import actions
    from microcourt.cases.models import CaseType
    from microcourt.cases.tests.test_api import bearer
    from microcourt.core.actor import Actor

    civil = CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]
    case = actions.case_open(
        court=court_haishu,
        case_type=civil,
        title="张三诉王五",
        cause="民间借贷纠纷",
        actor=Actor.citizen(plaintiff_zhang),
    )
    actions.participant_add(
        case=case,
        actor=Actor.citizen(plaintiff_zhang),
        role="plaintiff",
        user=plaintiff_zhang,
        display_name="张三",
    )
    headers = bearer(plaintiff_zhang)
    assert client.get(f"/api/v1/cases/{10**20}", **headers).status_code == 404
    for after in (10**20, -(10**20)):
        response = client.get(f"/api/v1/cases/{case.pk}/space/messages?after={after}", **headers)
        assert response.status_code == 200 and response.json() == []
