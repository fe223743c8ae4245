"""Files built on request, answered with a sign for the page that asked.

A link with ``data-download-busy`` (static/shell/app.js) adds ``?dl=<token>`` and shows that
the file is being made; ``mark`` sets a short-lived cookie with that token on the file's
response, so the page knows the download has begun and takes the notice down. A browser
cannot otherwise tell when an attachment it was sent to fetch has arrived."""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

COOKIE = "mc_dl"
# One byte range: "bytes=first-last", "bytes=first-" or "bytes=-suffix".
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024
_TOKEN = re.compile(r"[a-z0-9]{8,40}")


def mark(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    token = request.GET.get("dl", "")
    if _TOKEN.fullmatch(token):
        # Read by the page's script (not HttpOnly); carries nothing but the page's own token.
        response.set_cookie(COOKIE, token, max_age=60, samesite="Lax", httponly=False)
    return response


def ranged_file(
    request: HttpRequest, name: str, content_type: str, filename: str, disposition: str
) -> HttpResponseBase:
    """A stored file (``default_storage`` name) answered with HTTP Range, one range being
    what a video element asks for, so playback can seek; never cached by the browser."""
    size = default_storage.size(name)
    header = request.headers.get("Range", "")
    match = RANGE.match(header.strip()) if header else None
    response: HttpResponseBase
    if header and match is None:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if match is None:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = match.groups()
        if first == "":  # the last N bytes
            length = min(int(last or 0), size)
            start, end = size - length, size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle = default_storage.open(name, "rb")
        handle.seek(start)

        def chunks(remaining=end - start + 1):
            try:
                while remaining > 0:
                    data = handle.read(min(CHUNK, remaining))
                    if not data:
                        break
                    remaining -= len(data)
                    yield data
            finally:
                handle.close()

        response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
