"""Public pages: a receipt (回执) with its QR code, and 验证 — anyone checks a file against the
ledger. Public parts only; verification runs server-side with ``microcourt_verify``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import segno
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

import microcourt_verify as verify
from microcourt.core.errors import InvalidInput

from . import actions, keys, selectors
from .forms import VerifyForm

# How roles read in the public part; others are shown as stored.
ROLE_LABELS = {
    "citizen": _("公众用户"),
    "staff": _("法院工作人员"),
    "system": _("系统"),
    "superuser": _("系统管理员"),
    "court_admin": _("法院管理员"),
    "judge": _("法官"),
    "clerk": _("书记员"),
    "filing_officer": _("立案法官"),
    "mediator": _("调解员"),
    "enforcement_officer": _("执行员"),
}


def _shown(receipt: dict[str, Any], problem: str | None) -> dict[str, Any]:
    """What a page shows of a receipt: the public part in words, and the verdict."""
    leaf = receipt["leaf"]
    note = verify.parse_note(receipt["checkpoint"])
    checkpoint = verify.parse_checkpoint(note.text)
    try:
        moment = dt.datetime.strptime(leaf["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        when = timezone.localtime(moment)
    except (KeyError, ValueError):
        when = None
    return {
        "index": receipt["index"],
        "code": leaf.get("code"),
        "label": selectors.label(leaf.get("code")),
        "time": when,
        "subject_digest": leaf.get("subject_digest"),
        "case": leaf.get("case"),
        "role": ROLE_LABELS.get(leaf.get("role"), leaf.get("role")),
        "leaf_json": verify.canonical_json(leaf).decode("utf-8"),
        "tree_size": checkpoint.size,
        "root": selectors.b64(checkpoint.root_hash),
        "witnesses": sorted({s.name for s in note.signatures if s.name != checkpoint.origin}),
        "checkpoint": receipt["checkpoint"],
        "key": receipt["key"],
        "problem": problem,
        "url": reverse("ledger:receipt", args=[receipt["index"]]),
        "json_url": reverse("ledger:receipt_json", args=[receipt["index"]]),
    }


def _receipt_or_404(index: int) -> dict[str, Any]:
    try:
        return selectors.receipt_at(index)
    except InvalidInput:
        raise Http404 from None


def receipt(request, index: int):
    """回执: the entry's public part, the verdict, and a QR code of the JSON download."""
    data = _receipt_or_404(index)
    shown = _shown(data, selectors.check(data))
    json_url = request.build_absolute_uri(shown["json_url"])
    qr = segno.make(json_url, encoding="utf-8", error="m")
    svg = qr.svg_inline(scale=4, border=2, title=str(_("存证回执下载地址")))
    return render(
        request,
        "ledger/receipt.html",
        {"r": shown, "qr": mark_safe(svg), "download": json_url},  # noqa: S308 — segno's SVG
    )


def receipt_json(request, index: int):
    """The receipt to keep and to check offline with ``microcourt-verify``."""
    data = _receipt_or_404(index)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="receipt-{index}.json"'
    return response


def verify_page(request):
    """验证: drop a file (hashed here, never stored) or paste its SHA-256."""
    results = None
    digest = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            digest = actions.digest_of(upload.chunks()) if upload else form.cleaned_data["sha256"]
            results = [_shown(found, selectors.check(found)) for found in selectors.matches(digest)]
    else:
        form = VerifyForm()
    context = {
        "form": form,
        "results": results,
        "digest": digest,
        "key": keys.vkey(),
        "tab": "home",
    }
    partial = request.htmx and request.method == "POST"
    template = "ledger/verify.html#results" if partial else "ledger/verify.html"
    return render(request, template, context)
