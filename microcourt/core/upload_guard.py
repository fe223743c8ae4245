"""Request bodies within their route's limit, refused before they are read.

Every route that takes an upload declares the largest body it accepts and, per file, the
limit for what the file turns out to be (``settings.UPLOAD_ROUTES``, a list of ``Route``;
any other route takes ``UPLOAD_DEFAULT_MAX_MB``). Three places apply it:

- ``UploadGuardASGI`` wraps the Django ASGI application. A declared ``Content-Length`` over
  the route's limit gets 413 before one byte of the body is read; a body without one
  (chunked) is counted while it arrives and cut off at the limit. For a route with per-type
  limits the first file's opening bytes are sniffed as they arrive, so a 200 MB "photo"
  stops at the photo limit, not at the video limit.
- ``UploadGuardMiddleware`` does the same for a request Django already holds (WSGI, the
  test client), then parses a multipart body right away with ``LimitUploadHandler`` in
  front of Django's own handlers: each file is cut off at its limit while it streams to its
  temporary file, and a malformed body (no boundary, a broken part) is a 400 with a reason,
  never a 500 from deep inside a view.
- The refusal names the field and the limit in the person's language, as the one JSON error
  shape under ``/api/`` and as a small page elsewhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.html import escape
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .errors import error_body
from .uploads import MB, SNIFF_BYTES, megabytes

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Room for the form's other fields and the multipart framing around the files.
FORM_SLACK = 1 * MB
# How far into a body the ASGI guard looks for the first file's opening bytes.
PEEK_BYTES = 256 * 1024


@dataclass(frozen=True)
class Route:
    """An upload route: ``pattern`` (a regular expression on the path), the largest file
    (``max_file``, bytes, or a callable) times ``files`` it takes, and optionally
    ``per_file(head) -> bytes``, the limit for a file whose content starts with ``head``.
    ``field`` names the file field in a refusal."""

    pattern: str
    max_file: int | Callable[[], int]
    field: str = "file"
    files: int = 1
    per_file: Callable[[bytes], int] | None = None

    def file_limit(self) -> int:
        return self.max_file() if callable(self.max_file) else int(self.max_file)

    def shown_limit(self) -> int:
        """The limit a refusal names: the files' own, without the form's room."""
        return self.file_limit() * self.files

    def body_limit(self) -> int:
        """Room for the form around the files; a route without a file field (the default
        for every other route) takes its limit as it says."""
        return self.shown_limit() + (FORM_SLACK if self.field else 0)


class TooLargeUpload(Exception):
    def __init__(self, field: str, max_bytes: int) -> None:
        super().__init__(field)
        self.field, self.max_bytes = field, max_bytes


@cache
def _routes(spec: str) -> tuple[tuple[re.Pattern[str], Route], ...]:
    routes = import_string(spec) if spec else ()
    return tuple((re.compile(r.pattern), r) for r in routes)


def route_for(path: str) -> Route:
    for pattern, route in _routes(getattr(settings, "UPLOAD_ROUTES", "")):
        if pattern.match(path):
            return route
    return Route(".*", int(settings.UPLOAD_DEFAULT_MAX_MB) * MB, field="")


# -- Refusals -------------------------------------------------------------------------------


def _too_large_text(field: str, max_bytes: int) -> tuple[str, dict[str, str]]:
    mb = megabytes(max_bytes)
    if field:
        return str(_("文件太大")), {field: _("文件不能超过 %(mb)s MB") % {"mb": mb}}
    return _("提交的内容太大，不能超过 %(mb)s MB") % {"mb": mb}, {}


def refusal(
    path: str, status: int, code: str, message: str, fields: dict[str, str]
) -> tuple[str, bytes]:
    """``(content type, body)`` of a refusal: JSON under /api/, a small page elsewhere."""
    if path.startswith("/api/"):
        body = json.dumps(error_body(code, message, fields), ensure_ascii=False)
        return "application/json", body.encode()
    details = "".join(f"<li>{escape(reason)}</li>" for reason in fields.values())
    page = (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(message)}</title></head><body>"
        f"<h1>{escape(message)}</h1><ul>{details}</ul>"
        f'<p><a href="javascript:history.back()">{escape(_("返回上一页"))}</a></p>'
        "</body></html>"
    )
    return "text/html; charset=utf-8", page.encode()


def _response(path: str, status: int, code: str, message: str, fields) -> HttpResponse:
    content_type, body = refusal(path, status, code, message, fields)
    response = HttpResponse(body, status=status, content_type=content_type)
    if status == 413:
        response["Connection"] = "close"  # the rest of the body is not wanted
    return response


def too_large_response(path: str, field: str, max_bytes: int) -> HttpResponse:
    return _response(path, 413, "too_large", *_too_large_text(field, max_bytes))


def bad_multipart_response(path: str) -> HttpResponse:
    return _response(
        path,
        400,
        "invalid",
        _("上传的内容格式不正确（multipart/form-data 缺少或带有无效的 boundary）"),
        {},
    )


# -- Django: the middleware and the upload handler ------------------------------------------


def _declared_length(value) -> int | None:
    try:
        length = int(value)
    except (TypeError, ValueError):
        return None
    return length if length >= 0 else None


class LimitUploadHandler(FileUploadHandler):
    """First in the handler chain: counts each file as it streams and stops it once it is
    past its limit (the route's, or the one for its sniffed type) by more than
    ``FORM_SLACK``, before the next handler writes more. A file just over its limit goes on
    to the action, which refuses it precisely, in the form it came from."""

    def __init__(self, route: Route, request=None) -> None:
        super().__init__(request)
        self.route = route
        self.limit = route.file_limit()
        self.received = 0
        self.head = b""

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.limit, self.received, self.head = self.route.file_limit(), 0, b""

    def receive_data_chunk(self, raw_data, start):
        if self.route.per_file is not None and len(self.head) < SNIFF_BYTES:
            self.head += raw_data[: SNIFF_BYTES - len(self.head)]
            if len(self.head) >= SNIFF_BYTES:
                self.limit = min(self.limit, self.route.per_file(self.head))
        self.received += len(raw_data)
        if self.received > self.limit + FORM_SLACK:
            raise TooLargeUpload(self.field_name, self.limit)
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadGuardMiddleware:
    """Below the language middleware (refusals in the person's language), above everything
    that reads ``request.POST`` (the CSRF check does, in its ``process_view``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in BODY_METHODS:
            return self.get_response(request)
        path = request.path_info
        route = route_for(path)
        declared = _declared_length(request.META.get("CONTENT_LENGTH"))
        if declared is not None and declared > route.body_limit():
            return too_large_response(path, route.field, route.shown_limit())
        if request.content_type == "multipart/form-data":
            request.upload_handlers.insert(0, LimitUploadHandler(route, request))
            try:
                request.POST  # noqa: B018 — parsed here, where its errors have an answer
            except MultiPartParserError:
                return bad_multipart_response(path)
            except TooLargeUpload as exc:
                return too_large_response(path, exc.field, exc.max_bytes)
        return self.get_response(request)


# -- ASGI -----------------------------------------------------------------------------------


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _language(scope) -> str:
    """The person's language as far as the request shows it: the switch's cookie."""
    supported = {code for code, _name in settings.LANGUAGES}
    for part in (_header(scope, b"cookie") or "").split(";"):
        name, _sep, value = part.strip().partition("=")
        if name == settings.LANGUAGE_COOKIE_NAME and value in supported:
            return value
    return settings.LANGUAGE_CODE


def _first_file_head(buffer: bytes, boundary: bytes) -> bytes | None:
    """The opening bytes of the first file part in a multipart body seen so far, once
    ``SNIFF_BYTES`` of it (or all of it) have arrived; ``None`` until then."""
    delimiter = b"--" + boundary
    position = 0
    while True:
        start = buffer.find(delimiter, position)
        if start < 0:
            return None
        headers_end = buffer.find(b"\r\n\r\n", start)
        if headers_end < 0:
            return None
        headers = buffer[start:headers_end].lower()
        data_start = headers_end + 4
        end = buffer.find(b"\r\n" + delimiter, data_start)
        if b"filename=" in headers:
            if end >= 0:
                return buffer[data_start:end]
            data = buffer[data_start:]
            return data[:SNIFF_BYTES] if len(data) >= SNIFF_BYTES else None
        if end < 0:
            return None
        position = end + 2


class UploadGuardASGI:
    """ASGI middleware in front of Django: the route's limit before and while the body is
    read (Django's ASGI handler reads the whole body before any middleware runs)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            return await self.app(scope, receive, send)
        path = scope["path"]
        route = route_for(path)
        limit, field = route.body_limit(), route.field
        declared = _declared_length(_header(scope, b"content-length"))
        if declared is not None and declared > limit:
            return await self._refuse(scope, send, field, route.shown_limit())
        boundary: bytes | None = None
        per_file = route.per_file
        if per_file is not None:
            content_type = _header(scope, b"content-type") or ""
            found = re.search(r'boundary="?([^";]+)"?', content_type)
            boundary = found.group(1).encode("latin-1") if found else None
        state: dict[str, Any] = {"received": 0, "refused": False, "peek": b""}

        async def guarded_receive():
            nonlocal limit, field, boundary
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunk = message.get("body", b"")
            state["received"] += len(chunk)
            if boundary is not None and per_file is not None:
                state["peek"] += chunk
                head = _first_file_head(state["peek"], boundary)
                if head is not None or len(state["peek"]) > PEEK_BYTES:
                    if head:
                        file_limit = min(route.file_limit(), per_file(head))
                        limit = min(limit, file_limit + FORM_SLACK)
                        field_limit = (route.field, file_limit)
                        state["field_limit"] = field_limit
                    boundary, state["peek"] = None, b""
            if state["received"] > limit:
                state["refused"] = True
                shown = state.get("field_limit", (field, route.shown_limit()))
                await self._refuse(scope, send, *shown)
                return {"type": "http.disconnect"}  # Django stops reading and answers nothing
            return message

        async def guarded_send(message):
            if not state["refused"]:
                await send(message)

        return await self.app(scope, guarded_receive, guarded_send)

    async def _refuse(self, scope, send, field: str, max_bytes: int) -> None:
        with translation.override(_language(scope)):
            content_type, body = refusal(
                scope["path"], 413, "too_large", *_too_large_text(field, max_bytes)
            )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
