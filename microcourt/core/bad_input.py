"""Input no field could hold, refused at the door with a 4xx that names the field.

Before: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB), a lone surrogate (``\\ud800``
in JSON), a NUL character (PostgreSQL cannot store one in text) or an overlong string that
reached a database lookup ended in a 500. Now:

- ``BadInputMiddleware`` answers 413 for a body over the limit that Django would read whole
  (anything but multipart, whose files stream and are limited by the upload guard), and 400
  naming the parameter for a NUL character in the path, the query string, a form or a JSON
  body, a lone surrogate in JSON, or a string longer than ``MAX_STRING_CHARS``.
- ``parse_checked`` / ``check_mapping`` do the same for the API's own parser (form fields of
  multipart requests, which the middleware leaves unread).
- ``bad_request`` (``handler400``) turns Django's own "request data too big" into 413, and the
  middleware's ``process_exception`` turns a database's refusal of a value (``DataError``,
  SQLite's "pattern too complex", an unencodable string) into 400 instead of a 500.

Refusals use the one JSON error shape under ``/api/`` and a small page elsewhere, in the
person's language (the middleware sits below ``LanguageMiddleware``)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .upload_guard import refusal
from .uploads import megabytes

log = logging.getLogger(__name__)

# No text the platform takes is longer (事实与理由: 20,000 characters); past this a string is
# refused by name before any lookup or model sees it. Fields have their own, lower limits.
MAX_STRING_CHARS = 50_000
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A JSON body can only carry a NUL or a lone surrogate as an escape, or a surrogate as raw
# CESU-8 bytes (``json.loads`` decodes bytes with "surrogatepass"): only then is it walked.
_SUSPECT_JSON = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})|\xed[\xa0-\xbf]")
# SQLite's refusals of a value (not of the statement): an overlong LIKE pattern, a string
# or blob over its limit.
_SQLITE_VALUE_ERRORS = ("pattern too complex", "too big")
# Django's refusals of a body it would not read, which keep their own answers (413 …).
BODY_REFUSALS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


class BadInput(InvalidInput):
    """A value no field can hold; ``fields`` names where it was."""


def string_problem(value: str) -> str | None:
    """Why a string cannot be taken: a NUL character, a lone surrogate, or its length."""
    if "\x00" in value:
        return _("不能包含空字符（U+0000）")
    if len(value) > MAX_STRING_CHARS:
        return _("内容过长，不能超过 %(n)s 个字符") % {"n": MAX_STRING_CHARS}
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("含有无效的字符（不成对的代理码位），请重新输入")
    return None


def _join(path: tuple[str, ...]) -> str:
    return ".".join(path) or "body"


def find_problem(data: Any, path: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """``(field, reason)`` for the first string in ``data`` (nested dicts and lists, keys
    included) that cannot be taken; None when all can."""
    if isinstance(data, str):
        reason = string_problem(data)
        return (_join(path), reason) if reason else None
    if isinstance(data, Mapping):
        for key, value in data.items():
            name = str(key)
            reason = string_problem(name)
            if reason:
                return _join((*path, _printable(name))), reason
            found = find_problem(value, (*path, name))
            if found:
                return found
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found = find_problem(value, (*path, str(index)))
            if found:
                return found
    return None


def _printable(name: str) -> str:
    """A field name that can itself be shown (and encoded) in the refusal."""
    cleaned = name.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return cleaned[:100]


def refuse(found: tuple[str, str]) -> BadInput:
    field, reason = found
    return BadInput(
        _("提交的内容含有无法保存的字符或过长，请检查标出的字段。"), fields={field: reason}
    )


def check_mapping(items: Iterable[tuple[str, Any]]) -> None:
    """Raise ``BadInput`` for the first unacceptable key or value of a query or form."""
    for key, value in items:
        found = find_problem({key: value})
        if found:
            raise refuse(found)


def _may_hold_bad_string(body: bytes) -> bool:
    return len(body) > MAX_STRING_CHARS or _SUSPECT_JSON.search(body) is not None


def parse_checked(body: bytes) -> Any:
    """``json.loads`` of a request body, refusing a string no field can hold. Only a body
    that could hold one (an escape for a NUL or a surrogate, or more bytes than the longest
    string) is walked; others are parsed as they are."""
    data = json.loads(body)
    if _may_hold_bad_string(body):
        found = find_problem(data)
        if found:
            raise refuse(found)
    return data


# -- Responses --------------------------------------------------------------------------


def _respond(request: HttpRequest, status: int, code: str, message: str, fields) -> HttpResponse:
    fields = {str(name): str(reason) for name, reason in dict(fields).items()}
    if not request.path_info.startswith("/api/"):
        # The page lists reasons only: each names its field there.
        fields = {name: f"{name}：{reason}" for name, reason in fields.items()}
    content_type, body = refusal(request.path_info, status, code, message, fields)
    return HttpResponse(body, status=status, content_type=content_type)


def too_large(request: HttpRequest) -> HttpResponse:
    limit = megabytes(int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    response = _respond(
        request, 413, "too_large", _("请求内容太大，不能超过 %(mb)s MB") % {"mb": limit}, {}
    )
    response["Connection"] = "close"  # the rest of the body is not wanted
    return response


def too_many_fields(request: HttpRequest) -> HttpResponse:
    return _respond(request, 400, "invalid", _("提交的字段或文件过多"), {})


def unstorable(request: HttpRequest) -> HttpResponse:
    return _respond(
        request,
        400,
        "invalid",
        _("提交的内容过长或含有无法保存的字符，请检查后重新提交。"),
        {},
    )


def bad_request(request: HttpRequest, exception: Exception | None = None, **kwargs):
    """``handler400``: Django's refusals of a body it would not read (raised while the CSRF
    check or the upload guard parse it) in our words, a body too big as 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return too_many_fields(request)
    if request.path_info.startswith("/api/"):
        return _respond(request, 400, "invalid", _("请求内容无法解析，请提交有效的 JSON。"), {})
    return _respond(request, 400, "invalid", _("提交的内容无法处理。请返回上一页检查后重试。"), {})


def is_unstorable_value(exc: BaseException) -> bool:
    """Whether a database error refuses a value the request sent (not a broken query)."""
    if isinstance(exc, DataError | UnicodeEncodeError):
        return True
    return isinstance(exc, OperationalError) and any(
        text in str(exc) for text in _SQLITE_VALUE_ERRORS
    )


# -- The middleware ---------------------------------------------------------------------


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except (TypeError, ValueError):
        return 0


class BadInputMiddleware:
    """Below ``LanguageMiddleware`` (refusals in the person's language) and above the upload
    guard, which parses multipart bodies; the CSRF check reads forms only in its
    ``process_view``, after this has run. Sync only, like the rest of the chain."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        answer = self._refusal(request)
        return answer if answer is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        if "\x00" in request.path_info:
            return self._bad(request, ("path", _("不能包含空字符（U+0000）")))
        try:
            if request.META.get("QUERY_STRING"):
                check_mapping(request.GET.items())
            if request.method not in _BODY_METHODS:
                return None
            multipart = request.content_type == "multipart/form-data"
            if not multipart and _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return too_large(request)
            if request.content_type == "application/x-www-form-urlencoded":
                check_mapping(request.POST.items())  # parsed from the body, kept for the view
            elif request.content_type == "application/json" or (
                request.content_type or ""
            ).endswith("+json"):
                self._check_json(request.body)
        except BadInput as exc:
            return self._bad(request, next(iter(exc.fields.items())))
        except RequestDataTooBig:
            return too_large(request)
        except (TooManyFieldsSent, TooManyFilesSent):
            return too_many_fields(request)
        return None

    def process_view(self, request: HttpRequest, view, args, kwargs):
        """The text fields of a multipart body, once the upload guard has parsed it (files
        stream to their handlers and are not looked at)."""
        if request.content_type != "multipart/form-data" or not hasattr(request, "_post"):
            return None
        try:
            check_mapping(request.POST.items())
        except BadInput as exc:
            return self._bad(request, next(iter(exc.fields.items())))
        return None

    @staticmethod
    def _check_json(body: bytes) -> None:
        if not _may_hold_bad_string(body):
            return  # the common case: not parsed here at all
        try:
            parse_checked(body)
        except (ValueError, RecursionError):
            return  # not JSON: the view answers that in its own words

    @staticmethod
    def _bad(request: HttpRequest, found: tuple[str, Any]) -> HttpResponse:
        exc = refuse((str(found[0]), str(found[1])))
        return _respond(request, 400, exc.code, str(exc.message), exc.fields)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, RequestDataTooBig):
            return too_large(request)
        if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
            return too_many_fields(request)
        if is_unstorable_value(exception):
            log.warning("value refused by the database: %s", exception)
            return unstorable(request)
        return None
