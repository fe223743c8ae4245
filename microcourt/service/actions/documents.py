"""The documents a service carries: one the court uploads, or one of the case's own."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from microcourt.cases.models import Case
from microcourt.core import uploads
from microcourt.core.errors import InvalidInput

from .. import selectors
from ..models import DocumentKind
from .common import Doc


def document_upload(*, upload, title: str, kind: str) -> Doc:
    """A PDF the court uploads to serve (a judgment, a summons …), sniffed and stored. Call
    it only after the serving guard (``services_serve_by`` does): a refused request stores
    nothing."""
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise InvalidInput(_("请填写文书名称"), fields={"title": _("请填写文书名称（200字以内）")})
    if kind not in DocumentKind.values:
        raise InvalidInput(_("请选择文书种类"), fields={"kind": _("请选择文书种类")})
    stored = uploads.accept(
        upload,
        field="file",
        allowed=frozenset({"application/pdf"}),
        max_bytes=settings.FILING_MAX_UPLOAD_BYTES,
        prefix="service",
    )
    return Doc(title, kind, stored.path, stored.sha256, stored.mime, stored.size)


def document_of_case(*, case: Case, key: str, kind: str = "") -> Doc:
    """One of the case's own documents (the complaint — served as its copy — or the
    court's notices), served as its own kind unless the clerk says otherwise."""
    for item in selectors.documents_to_serve(case):
        if item["key"] == key:
            title = item["title"].removesuffix(".pdf")
            kind = kind or item["serve_kind"]
            if kind not in DocumentKind.values:
                raise InvalidInput(_("请选择文书种类"), fields={"kind": _("请选择文书种类")})
            if item["serve_kind"] == DocumentKind.COMPLAINT_COPY and not title.endswith("副本"):
                title = f"{title}副本"
            return Doc(title, kind, item["path"], item["sha256"], item["mime"], item["size"])
    raise InvalidInput(_("请选择要送达的文书"), fields={"documents": _("该文书不属于本案")})
