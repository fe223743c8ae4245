"""Files built on request, answered with a sign for the page that asked.

A link with ``data-download-busy`` (static/shell/app.js) adds ``?dl=<token>`` and shows that
the file is being made; ``mark`` sets a short-lived cookie with that token on the file's
response, so the page knows the download has begun and takes the notice down. A browser
cannot otherwise tell when an attachment it was sent to fetch has arrived."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse

COOKIE = "mc_dl"
_TOKEN = re.compile(r"[a-z0-9]{8,40}")


def mark(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    token = request.GET.get("dl", "")
    if _TOKEN.fullmatch(token):
        # Read by the page's script (not HttpOnly); carries nothing but the page's own token.
        response.set_cookie(COOKIE, token, max_age=60, samesite="Lax", httponly=False)
    return response
