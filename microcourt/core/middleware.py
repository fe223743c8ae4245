"""The request path's own middleware: request ids (one per request, taken from X-Request-ID
when it is sane, echoed back, attached to every log line and ledger entry written while the
request runs) with a memo for read-only requests, the session's idle time-out without a write
per request, and compression of pages and JSON."""

from __future__ import annotations

import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.middleware.gzip import GZipMiddleware

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("request_memo", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Requests that change nothing (RFC 9110 §9.2.1): what they read cannot change under them.
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def current_request_id() -> str:
    return _request_id.get()


def request_memo() -> dict[Any, Any] | None:
    """A dict that lives for one read-only request (GET, HEAD), for reads asked several times
    while it runs (a person's standing on a case is asked by the case lookup, the space, the
    policies). ``None`` while a write request, a task or a websocket runs: there a standing
    may change half-way (a party linking to a case), so nothing is remembered."""
    return _memo.get()


def _choose(header: str | None) -> str:
    return header if header and _SANE.match(header) else uuid.uuid4().hex


class RequestIdMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        token = _request_id.set(_choose(request.headers.get("X-Request-ID")))
        memo = _memo.set({} if request.method in _SAFE else None)
        try:
            request.request_id = _request_id.get()
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            _memo.reset(memo)
            _request_id.reset(token)

    async def __acall__(self, request):
        token = _request_id.set(_choose(request.headers.get("X-Request-ID")))
        # The dict itself is shared with the sync views (asgiref copies the context, and with
        # it this reference, into the thread that runs them).
        memo = _memo.set({} if request.method in _SAFE else None)
        try:
            request.request_id = _request_id.get()
            response = await self.get_response(request)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            _memo.reset(memo)
            _request_id.reset(token)


class SessionRefreshMiddleware:
    """The idle time-out without a write per request. A signed-in session expires
    ``SESSION_COOKIE_AGE`` after it was last saved; instead of saving it on every request
    (``SESSION_SAVE_EVERY_REQUEST``: one UPDATE of the session row per page view and per API
    call made with the session), it is saved again once ``SESSION_REFRESH_SECONDS`` have
    passed since the last save. The time-out thus counts from a request at most that long
    before the last one. Placed right below ``SessionMiddleware`` so that the mark it sets is
    saved by it on the way out. Sessions that the request never read are left alone (bearer-
    token API calls, static files)."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or not session.get("_auth_user_id"):
            return response
        from django.conf import settings

        now = int(time.time())
        last = session.get(self.KEY)
        if not isinstance(last, int) or now - last >= settings.SESSION_REFRESH_SECONDS:
            session[self.KEY] = now  # marks the session modified: SessionMiddleware saves it
        return response


# What is worth compressing: text that is built per request. Images, PDFs and archives are
# compressed already; static files are compressed ahead of time by WhiteNoise.
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "application/json",
        "application/problem+json",
        "text/plain",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
        "application/manifest+json",
    }
)


class CompressionMiddleware(GZipMiddleware):
    """Gzip for pages and JSON. Django's gzip pads each compressed body with random bytes
    (since 4.2, against BREACH), so a secret in a page (the CSRF token) cannot be read off
    compressed lengths. Streamed responses — evidence files, PDFs, exports, server-sent
    events — pass as they are: they are binary or already compressed, and compressing a
    stream would drop its Content-Length and its byte ranges. Goes below WhiteNoise (static
    files answer before reaching it) and above everything that writes a body."""

    def process_response(self, request, response):
        if response.streaming:
            return response
        kind = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if kind not in COMPRESSIBLE:
            return response
        return super().process_response(request, response)


class LanguageMiddleware:
    """Chinese unless the person chose otherwise: the language cookie set by the switch,
    then the account's preference. The browser's Accept-Language is deliberately not
    consulted — a court platform in China opens in Chinese (ARCHITECTURE §4.14)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        supported = {code for code, _ in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            user = getattr(request, "user", None)
            preferred = getattr(user, "preferred_language", None) if user else None
            language = preferred if preferred in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        from django.utils.cache import patch_vary_headers

        patch_vary_headers(response, ("Cookie",))
        return response


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain run synchronously, in one call.

    Django loads the chain for ASGI in async mode: every sync-only middleware then adapts
    the handler below it, and every async-capable ``MiddlewareMixin`` runs its hooks through
    ``sync_to_async``. Our chain is mostly sync-only, so each request crossed between the event
    loop and its thread several times (three round trips) before and after the view, which
    runs in a thread anyway. Here the whole chain and the view run in one
    ``sync_to_async`` call, as under WSGI; the server, streaming responses, request signals
    and websockets stay as they are (docs/benchmarks.md, request path)."""

    def __init__(self):
        BaseHandler.__init__(self)  # not ASGIHandler's: it loads the chain in async mode
        self.load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
