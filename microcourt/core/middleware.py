"""Request ids: one id per request, taken from X-Request-ID when it is sane, echoed back,
and attached to every log line and ledger entry written while the request runs."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


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
        try:
            request.request_id = _request_id.get()
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            _request_id.reset(token)

    async def __acall__(self, request):
        token = _request_id.set(_choose(request.headers.get("X-Request-ID")))
        try:
            request.request_id = _request_id.get()
            response = await self.get_response(request)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            _request_id.reset(token)


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
