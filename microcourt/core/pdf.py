"""HTML to PDF (WeasyPrint) in a child process, with a time budget.

WeasyPrint cannot be interrupted in-thread, and some content lays out slowly (a very long
paragraph in a table cell took minutes): a render left in the web process or the worker
would hold that thread, and any transaction around it, for as long as it takes. Here each
render runs in a fresh Python process that is killed when the budget
(``RENDER_BUDGET_SECONDS``) is spent; the caller gets ``RenderTimeout``, a refusal with
its reason in the user's language, and the job fails alone. Callers render with no
database transaction open (read, render, then write in a short transaction).

A job of several renders (the e-dossier) shares one budget: ``with budget(seconds):``
gives every render inside it only what is left.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

log = logging.getLogger(__name__)

# The child: imports WeasyPrint and loads the fonts (a small render), then reads
# {"pages": [html, ...], "base_url": ...} on stdin and writes per page a status byte ("P" and
# the PDF, or "E" and the error) with an 8-byte length. No Django, no database connection in
# the child. An empty stdin (its parent gone before using it) ends it.
_CHILD = """
import json, struct, sys, traceback
from weasyprint import HTML
HTML(string='<p style="font-family: WenQuanYi Micro Hei">预热</p>').write_pdf()  # fonts
raw = sys.stdin.buffer.read()
if not raw:
    sys.exit(0)
job = json.loads(raw)
out = sys.stdout.buffer
for page in job["pages"]:
    try:
        data, tag = HTML(string=page, base_url=job["base_url"]).write_pdf(), b"P"
    except Exception:
        data, tag = traceback.format_exc().encode(), b"E"
    out.write(tag + struct.pack(">Q", len(data)) + data)
    out.flush()
"""

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "pdf_deadline", default=None
)


class RenderTimeout(DomainError):
    """The render did not finish within its budget and was stopped."""

    status = 422
    code = "render_timeout"

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(message(seconds))


class RenderFailed(RuntimeError):
    """WeasyPrint (or its process) failed: a bug or a resource problem, not the user's."""


def message(seconds: int) -> str:
    """The reason a user is given, in the active language."""
    return str(
        _("生成 PDF 超过 %(seconds)s 秒仍未完成，已停止。内容过多时请联系法院工作人员。")
        % {"seconds": seconds}
    )


def budget_seconds() -> int:
    return int(settings.RENDER_BUDGET_SECONDS)


@contextlib.contextmanager
def budget(seconds: float | None = None) -> Iterator[None]:
    """Renders inside share ``seconds`` (the setting by default); an enclosing, earlier
    deadline still applies."""
    limit = time.monotonic() + (budget_seconds() if seconds is None else seconds)
    outer = _deadline.get()
    token = _deadline.set(limit if outer is None else min(outer, limit))
    try:
        yield
    finally:
        _deadline.reset(token)


def render(html: str, *, base_url: str | None = None) -> bytes:
    """One HTML document as PDF bytes. ``RenderTimeout`` past the budget."""
    (pdf,) = render_each([html], base_url=base_url)
    if pdf is None:
        raise RenderFailed("WeasyPrint could not render the document")
    return pdf


def render_each(pages: list[str], *, base_url: str | None = None) -> list[bytes | None]:
    """Several documents in one child process (one start-up): a PDF per page, ``None``
    where WeasyPrint failed on that page. ``RenderTimeout`` past the budget."""
    if not pages:
        return []
    deadline = _deadline.get()
    total = budget_seconds()
    remaining = total if deadline is None else deadline - time.monotonic()
    if remaining <= 0:
        raise RenderTimeout(total)
    job = json.dumps({"pages": pages, "base_url": base_url}).encode()
    try:
        out = _run_child(job, timeout=remaining)
    except subprocess.TimeoutExpired:
        log.warning("PDF render stopped after %.0f s (budget %s s)", remaining, total)
        raise RenderTimeout(total) from None
    return _parse(out, len(pages))


def _command() -> list[str]:
    return [sys.executable, "-c", _CHILD]


# One child kept started (WeasyPrint imported, waiting on stdin) per process: importing
# WeasyPrint and its libraries takes a second or more, which each render would otherwise
# pay. It is used by the next render and replaced at once.
_standby: tuple[int, subprocess.Popen] | None = None
_standby_lock = threading.Lock()


def _start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _take() -> subprocess.Popen:
    """A started child for this render: the standby if it is ours and alive, else a new one;
    a new standby is started for the next render."""
    global _standby
    command = _command()
    warm = command == [sys.executable, "-c", _CHILD]  # a test's stand-in is never kept
    with _standby_lock:
        child = None
        if _standby is not None:
            owner, standby = _standby
            if warm and owner == os.getpid() and standby.poll() is None:
                child = standby
            _standby = None
        if child is None:
            child = _start(command)
        if warm:
            _standby = (os.getpid(), _start(command))
    return child


def _run_child(job: bytes, *, timeout: float) -> bytes:
    """Run the render in a child, killed when ``timeout`` passes."""
    child = _take()
    try:
        out, err = child.communicate(job, timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise
    if child.returncode != 0:
        raise RenderFailed(f"PDF render process exited {child.returncode}: {err[-2000:].decode()}")
    return out


def _parse(out: bytes, count: int) -> list[bytes | None]:
    results: list[bytes | None] = []
    at = 0
    for _n in range(count):
        if len(out) < at + 9:
            raise RenderFailed("PDF render process returned too little")
        tag, (size,) = out[at : at + 1], struct.unpack(">Q", out[at + 1 : at + 9])
        data = out[at + 9 : at + 9 + size]
        at += 9 + size
        if tag == b"P":
            results.append(data)
        else:
            log.warning("WeasyPrint failed on a page: %s", data[-2000:].decode(errors="replace"))
            results.append(None)
    return results
