"""A small HTTP client for gateways that tells "never left" from "may have arrived".

A failure to connect means the gateway never saw the request: safe to send again. A
failure after the request was written (time-out, reset, a broken response) means it may
have been acted on: the caller must look it up before sending again. urllib folds both
into one URLError; http.client keeps them apart."""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any
from urllib.parse import urlencode, urlsplit


class NotSent(Exception):
    """The request never reached the gateway."""


class MaybeSent(Exception):
    """The request was written; what the gateway did with it is unknown."""


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    elif parts.scheme == "http":
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    else:
        raise NotSent(f"unsupported URL scheme {parts.scheme!r}")
    return conn, path


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    content_type: str = "",
    timeout: float = 10.0,
) -> tuple[int, bytes]:
    conn, path = _connection(url, timeout)
    try:
        try:
            conn.connect()
        except OSError as exc:
            raise NotSent(f"cannot connect: {type(exc).__name__}: {exc}") from exc
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise MaybeSent(f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()


def post_form(url: str, fields: dict[str, str], *, timeout: float) -> tuple[int, bytes]:
    return request(
        "POST",
        url,
        body=urlencode(fields).encode(),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        timeout=timeout,
    )


def post_json(url: str, payload: Any, *, timeout: float) -> tuple[int, bytes]:
    return request(
        "POST",
        url,
        body=json.dumps(payload, ensure_ascii=False).encode(),
        content_type="application/json; charset=utf-8",
        timeout=timeout,
    )


def get(url: str, params: dict[str, str], *, timeout: float) -> tuple[int, bytes]:
    return request("GET", f"{url}?{urlencode(params)}", timeout=timeout)


def json_body(raw: bytes) -> dict | None:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None
