"""How the site is shown to one person: 长辈模式 (适老化 — larger type, larger targets and the
most used services first). Kept in a cookie, so it works before logging in and on any
device the person switches it on."""

from __future__ import annotations

ELDERLY_COOKIE = "mc_elderly"
ONE_YEAR = 365 * 24 * 3600


def is_elderly(request) -> bool:
    return request.COOKIES.get(ELDERLY_COOKIE) == "1"


def remember_elderly(response, on: bool) -> None:
    if on:
        response.set_cookie(ELDERLY_COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(ELDERLY_COOKIE, samesite="Lax")
