"""HTTP for provider adapters: ``urllib`` with a timeout, no proxy taken from the
environment, no redirects followed (a payment API never redirects; following one would
send our signed request somewhere else), and a cap on the response size."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from microcourt.core.outbound import service_url

from .base import ProviderError

MAX_RESPONSE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None  # urllib then raises HTTPError with the 3xx status


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def check_url(url: str, *, option: str, allow_path: bool = True) -> str:
    """An https:// URL (plain http only to a loopback address: a local gateway or a test),
    without credentials, query or fragment."""
    parts = service_url(url, option=option)
    if not allow_path and parts.path not in ("", "/"):
        raise ImproperlyConfigured(f"{option} must not have a path")
    return url.rstrip("/") if not allow_path else url


def send(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float,
) -> Response:
    """One request; any status comes back as a :class:`Response`. Network failures and
    time-outs raise a retryable :class:`ProviderError`."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ProviderError("BAD_URL", f"refusing to send to {url!r}")
    # The scheme is checked above: no file:// or other handlers are reachable.
    request = urllib.request.Request(  # noqa: S310
        url, data=body, method=method, headers=dict(headers or {})
    )
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            status, answer_headers = answer.status, answer.headers
            data = answer.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        status, answer_headers = exc.code, exc.headers
        try:
            data = exc.read(MAX_RESPONSE_BYTES + 1)
        except OSError:
            data = b""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ProviderError("NETWORK", f"{method} {url}: {reason}", retryable=True) from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise ProviderError("BAD_RESPONSE", f"{method} {url}: response over 1 MiB")
    names = {str(k).lower(): str(v) for k, v in (answer_headers or {}).items()}
    return Response(status=status, headers=names, body=data)
