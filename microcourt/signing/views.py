"""Pages and public endpoints: 验证 (anyone checks a signed PDF), the PKI's root certificate
and CRL, the RFC 3161 TSA, and the signer's signature requests."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcourt.core import uploads
from microcourt.core.actor import Actor, actor_of
from microcourt.core.errors import DomainError, NotFound
from microcourt.identity import selectors as identity_selectors

from . import actions, policies, selectors, tsa
from .errors import PkiNotReady
from .forms import SignForm
from .models import RequestStatus

PDF = frozenset({"application/pdf"})


def _text(body: str, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def _verify_upload(upload) -> selectors.VerificationReport:
    data = uploads.read_limited(
        upload, field="file", max_bytes=settings.SIGNING_VERIFY_MAX_MB * 1024 * 1024
    )
    uploads.sniff(data, field="file", allowed=PDF)
    return selectors.pdf_verify(data)


@require_http_methods(["GET", "POST"])
def verify(request):
    """验证: choose a signed PDF (checked here, never stored) and see whether each
    signature and seal holds, who signed, when, and its ledger receipt. No log-in."""
    context: dict = {
        "tab": "home",
        "report": None,
        "error": None,
        "max_mb": settings.SIGNING_VERIFY_MAX_MB,
    }
    status = 200
    if request.method == "POST":
        try:
            context["report"] = _verify_upload(request.FILES.get("file"))
        except DomainError as error:
            context["error"] = error
            status = error.status
    partial = request.htmx and request.method == "POST"
    template = "signing/verify.html#result" if partial else "signing/verify.html"
    # htmx swaps only 2xx answers: the fragment carries the error itself.
    return render(request, template, context, status=200 if partial else status)


@require_GET
def ca_pem(request):
    """The root CA certificate: what verifiers trust (offline, with the CRL)."""
    try:
        root = actions.pki_root()
    except PkiNotReady as error:
        return _text(str(error.message), 503)
    response = HttpResponse(root.certificate_pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="microcourt-ca.pem"'
    return response


@require_GET
def crl_der(request):
    """The current CRL (DER), signed by the root: revoked serials, reasons and dates."""
    try:
        crl = actions.crl_current()
    except PkiNotReady as error:
        return _text(str(error.message), 503)
    response = HttpResponse(bytes(crl.der), content_type="application/pkix-crl")
    response["Content-Disposition"] = 'inline; filename="microcourt.crl"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@csrf_exempt  # a protocol endpoint for TSA clients (RFC 3161 §3.4), not a form
@require_POST
def tsa_endpoint(request):
    """RFC 3161 over HTTP: ``application/timestamp-query`` in, ``-reply`` out."""
    if request.content_type != tsa.QUERY_TYPE:
        return _text(
            _("请以 Content-Type: application/timestamp-query 提交 RFC 3161 时间戳请求。"), 415
        )
    body = request.body[: tsa.MAX_REQUEST_BYTES + 1]
    return HttpResponse(actions.timestamp_respond(request_der=body), content_type=tsa.REPLY_TYPE)


def _own(request, request_id: int):
    try:
        return selectors.request_for(actor_of(request), request_id)
    except NotFound:
        raise Http404 from None


def _pdf(data: bytes, name: str, download: bool) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def requests_list(request):
    """我的签署: what the user has been asked to sign, pending first."""
    return render(
        request,
        "signing/requests.html",
        {"requests": selectors.requests_for(actor_of(request)), "tab": "me"},
    )


def _gate(actor: Actor, purpose: str, next_url: str) -> dict | None:
    """The fresh identity check a signature needs, as a message and where to go."""
    try:
        policies.require_fresh_identity(actor, purpose)
    except identity_selectors.VerificationRequired as error:
        joiner = "&" if "?" in error.url else "?"
        return {"message": error.message, "url": f"{error.url}{joiner}next={quote(next_url)}"}
    return None


@login_required
@require_http_methods(["GET", "POST"])
def request_page(request, request_id: int):
    """Sign one requested document: view it, pass the fresh face check, sign on the pad."""
    row = _own(request, request_id)
    actor = actor_of(request)
    here = reverse("signing:request", args=[row.pk])
    form = SignForm()
    error = None
    status = 200
    if request.method == "POST" and row.status == RequestStatus.PENDING:
        form = SignForm(request.POST)
        if form.is_valid():
            try:
                actions.signature_request_sign(
                    request_id=row.pk,
                    actor=actor,
                    handwriting_png=form.cleaned_data["handwriting"],
                )
            except DomainError as exc:
                error, status = exc, exc.status
            else:
                return redirect(here)
        else:
            status = 400
    gate = _gate(actor, row.purpose, here) if row.status == RequestStatus.PENDING else None
    report = None
    if row.status == RequestStatus.SIGNED:
        report = selectors.pdf_verify(selectors.read_stored(row.signed_path))
    context = {
        "row": row,
        "form": form,
        "gate": gate,
        "error": error,
        "report": report,
        "tab": "me",
    }
    return render(request, "signing/request.html", context, status=status)


@login_required
@require_GET
def request_pdf(request, request_id: int):
    row = _own(request, request_id)
    data = selectors.read_stored(row.source_path)
    return _pdf(data, f"{row.title}.pdf", bool(request.GET.get("download")))


@login_required
@require_GET
def request_signed_pdf(request, request_id: int):
    row = _own(request, request_id)
    if row.status != RequestStatus.SIGNED:
        raise Http404
    data = selectors.read_stored(row.signed_path)
    return _pdf(data, f"{row.title}（已签署）.pdf", bool(request.GET.get("download")))
