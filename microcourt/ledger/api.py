"""The ledger's public API (RFC 9162 proofs, C2SP notes). Other courts and tools rely on these
exact shapes; all of it is public and needs no log-in, except an entry's private part."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status

from microcourt.core.actor import actor_of
from microcourt.core.errors import InvalidInput

from . import actions, keys, selectors
from .schemas import (
    ConsistencyOut,
    CosignatureIn,
    CosignatureOut,
    EntryOut,
    InclusionOut,
    LedgerVerifyOut,
    PrivateOut,
)

router = Router(tags=["ledger"])

TEXT = "text/plain; charset=utf-8"
# Files are hashed as they stream in; a limit keeps a public endpoint from being a free disk.
MAX_VERIFY_BYTES = 512 * 1024 * 1024


def _text(body: str) -> HttpResponse:
    return HttpResponse(body, content_type=TEXT)


def _text_doc(description: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    }


@router.get(
    "/ledger/key",
    auth=None,
    openapi_extra=_text_doc("The log's verifier key: <name>+<hex key id>+<base64 key>"),
)
def key(request: HttpRequest):
    """The verifier key (C2SP signed-note vkey) that signs every checkpoint."""
    return _text(keys.vkey())


class CheckpointQuery(Schema):
    tree_size: int | None = None


@router.get(
    "/ledger/checkpoint",
    auth=None,
    openapi_extra=_text_doc("A signed checkpoint (C2SP tlog-checkpoint) with its cosignatures"),
)
def checkpoint(request: HttpRequest, query: Query[CheckpointQuery]):
    """The latest signed checkpoint, or with ``tree_size`` the one for that earlier size."""
    return _text(selectors.checkpoint(query.tree_size))


@router.get("/ledger/entries/{index}", response=EntryOut, auth=None)
def entry(request: HttpRequest, index: int):
    """An entry's public part (the leaf's JSON) and its leaf hash."""
    return selectors.public_entry(index)


@router.get("/ledger/entries/{index}/private", response=PrivateOut)
def entry_private(request: HttpRequest, index: int):
    """The private part (who, which case, details): the administrators of the entry's court
    and platform operators only; the look is itself recorded in the ledger."""
    return selectors.entry_private(selectors.entry_at(index), actor_of(request))


class InclusionQuery(Schema):
    index: int
    tree_size: int


@router.get("/ledger/proof/inclusion", response=InclusionOut, auth=None)
def inclusion(request: HttpRequest, query: Query[InclusionQuery]):
    """RFC 9162 §2.1.3 inclusion proof of entry ``index`` in the tree of ``tree_size``."""
    return selectors.inclusion(query.index, query.tree_size)


class ConsistencyQuery(Schema):
    first: int
    second: int


@router.get("/ledger/proof/consistency", response=ConsistencyOut, auth=None)
def consistency(request: HttpRequest, query: Query[ConsistencyQuery]):
    """RFC 9162 §2.1.4 proof that the tree of ``second`` extends the tree of ``first``."""
    return selectors.consistency(query.first, query.second)


def _digest_from_request(request: HttpRequest) -> str:
    """The subject digest asked for: a multipart ``file`` (hashed) or JSON ``{"sha256"}``."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("请选择要验证的文件。"), fields={"file": _("必填")})
        if upload.size == 0:
            raise InvalidInput(_("文件是空的。"), fields={"file": _("文件没有内容")})
        if upload.size > MAX_VERIFY_BYTES:
            raise InvalidInput(_("文件太大。"), fields={"file": _("不能超过 512 MB")})
        return actions.digest_of(upload.chunks())
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or "sha256" not in body:
        raise InvalidInput(
            _('请上传文件（multipart 的 file 字段）或提交 JSON {"sha256": "…"}。'),
            fields={"sha256": _("必填")},
        )
    return selectors.parse_sha256(body["sha256"])


@router.post(
    "/ledger/verify",
    response=LedgerVerifyOut,
    auth=None,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
                        "required": ["sha256"],
                    }
                },
            },
            "required": True,
        }
    },
)
def verify(request: HttpRequest):
    """The entries whose subject is this file (or SHA-256), each with its inclusion proof,
    signed checkpoint and the log's key: a receipt per entry. Public parts only."""
    digest = _digest_from_request(request)
    return {"subject_digest": digest, "entries": selectors.matches(digest)}


@router.post("/ledger/cosignatures", response={201: CosignatureOut}, auth=None)
def cosignature(request: HttpRequest, payload: CosignatureIn):
    """A witness hands in its cosignature (C2SP tlog-cosignature) of a checkpoint."""
    row = actions.cosignature_add(note=payload.checkpoint, line=payload.cosignature)
    return Status(
        201,
        {"witness": row.witness, "tree_size": row.checkpoint.tree_size, "timestamp": row.timestamp},
    )
