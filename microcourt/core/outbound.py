"""Outbound HTTP to one configured service (a speech service, a face-verification API, a
payment provider): which hosts may be spoken to in plain HTTP, and one POST bounded by a
deadline for the whole exchange and by a cap on the answer's size.

The callers map the exceptions to their own errors (``SpeechFailed``, ``FaceServiceError``,
…): this module knows nothing of what the service is for."""

from __future__ import annotations

import http.client
import ipaddress
import time
from dataclasses import dataclass
from typing import Final
from urllib.parse import SplitResult, urlsplit

from django.core.exceptions import ImproperlyConfigured

READ_CHUNK: Final = 64 * 1024


def is_loopback(host: str) -> bool:
    """``host`` is this machine (``localhost`` or a loopback address): the only place
    personal data or signed requests may go in plain HTTP (a local gateway or a test)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def service_url(
    url: str, *, option: str, clear_text: str = "plain http only to loopback"
) -> SplitResult:
    """``url``, split, when it is an https:// URL (plain http only to a loopback address)
    without credentials, query or fragment; otherwise ``ImproperlyConfigured`` naming the
    setting (``option``) and, for plain http elsewhere, why not (``clear_text``). The URL
    itself is left out of the message: it might hold a password."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ImproperlyConfigured(f"{option} must be an https:// URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ImproperlyConfigured(f"{option} must use https: {clear_text}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ImproperlyConfigured(f"{option} takes no credentials, query or fragment")
    return parts


class ResponseTooLarge(Exception):
    """The answer went past ``max_bytes``: reading stopped there."""

    def __init__(self, *, received: int, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.received = received
        self.limit = limit


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes


def post(
    *,
    scheme: str,
    host: str,
    port: int | None,
    path: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
    chunk: int = READ_CHUNK,
) -> Answer:
    """POST ``body`` to ``scheme://host:port/path`` and read the answer, all within
    ``timeout`` seconds: a deadline for the whole exchange, not per socket read, so a server
    trickling bytes cannot hold the caller past it. No proxy from the environment, no
    redirects (a 3xx comes back as it is); https verifies the certificate.

    Raises ``TimeoutError`` when the deadline passes, :class:`ResponseTooLarge` past
    ``max_bytes``, ``OSError`` (``ConnectionRefusedError``, ``ssl.SSLError``, …) and
    ``http.client.HTTPException`` as the connection gives them."""
    deadline = time.monotonic() + timeout
    connection: http.client.HTTPConnection
    if scheme == "https":
        import ssl

        connection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        _arm(connection, deadline)
        response = connection.getresponse()
        chunks, size = [], 0
        while True:
            _arm(connection, deadline)
            data = response.read1(chunk)
            if not data:
                break
            size += len(data)
            if size > max_bytes:
                raise ResponseTooLarge(received=size, limit=max_bytes)
            chunks.append(data)
        names = {key.lower(): value for key, value in response.getheaders()}
        return Answer(response.status, names, b"".join(chunks))
    finally:
        connection.close()


def _arm(connection: http.client.HTTPConnection, deadline: float) -> None:
    """The socket's timeout is what is left of the deadline (each read waits at most that)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    if connection.sock is not None:
        connection.sock.settimeout(remaining)
