"""The ledger's reads: entries' public parts, proofs, checkpoints, receipts and matches.

Everything here is public except ``entry_private``. Proofs and receipts are read through
``merkle`` over the ``Node`` table: one query per proof, whatever the size of the log."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

import microcourt_verify as verify
from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import InvalidInput, NotFound

from . import actions, events, keys, merkle, notes, policies
from .models import Checkpoint, Entry, Leaf, LedgerState
from .store import DatabaseNodeStore

SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def size() -> int:
    """How many entries the tree holds."""
    return LedgerState.objects.filter(pk=1).values_list("size", flat=True).first() or 0


def _check_index(index: int, tree_size: int, field: str = "index") -> None:
    if not 0 <= index < tree_size:
        raise InvalidInput(
            _("序号超出范围：该树共有 %(size)s 条记录，序号应小于它。") % {"size": tree_size},
            fields={field: _("应在 0 到 %(last)s 之间") % {"last": tree_size - 1}}
            if tree_size
            else {field: _("日志中还没有记录")},
        )


def _check_size(tree_size: int, field: str, current: int, *, minimum: int = 0) -> None:
    if not minimum <= tree_size <= current:
        raise InvalidInput(
            _("树大小超出范围：当前日志共有 %(size)s 条记录。") % {"size": current},
            fields={field: _("应在 %(min)s 到 %(max)s 之间") % {"min": minimum, "max": current}},
        )


def leaf_of(entry: Entry) -> dict[str, Any]:
    return json.loads(entry.public_json)


def entry_at(index: int) -> Entry:
    """The entry at ``index`` of the tree; an index at or beyond the size is bad input."""
    _check_index(index, size())
    return Entry.objects.select_related("leaf").get(leaf__index=index)


def public_entry(index: int) -> dict[str, Any]:
    entry = entry_at(index)
    return {
        "index": index,
        "leaf": leaf_of(entry),
        "leaf_hash": b64(bytes(entry.leaf.leaf_hash)),
    }


def inclusion(index: int, tree_size: int) -> dict[str, Any]:
    """RFC 9162 §2.1.3 audit path of ``index`` in the tree of ``tree_size``."""
    _check_size(tree_size, "tree_size", size(), minimum=1)
    _check_index(index, tree_size)
    hashes = merkle.inclusion_proof(DatabaseNodeStore(), index, tree_size)
    return {"index": index, "tree_size": tree_size, "hashes": [b64(h) for h in hashes]}


def consistency(first: int, second: int) -> dict[str, Any]:
    """RFC 9162 §2.1.4 proof that the tree of ``second`` extends that of ``first``."""
    current = size()
    _check_size(second, "second", current)
    if not 0 <= first <= second:
        raise InvalidInput(
            _("较早的树大小不能大于较晚的树大小。"),
            fields={"first": _("应在 0 到 %(max)s 之间") % {"max": second}},
        )
    hashes = merkle.consistency_proof(DatabaseNodeStore(), first, second)
    return {"first": first, "second": second, "hashes": [b64(h) for h in hashes]}


def checkpoint_note(checkpoint: Checkpoint) -> str:
    """The signed note with every cosignature collected for it."""
    lines = list(checkpoint.cosignatures.order_by("id").values_list("line", flat=True))
    return notes.add_signatures(checkpoint.note, lines) if lines else checkpoint.note


def checkpoint(tree_size: int | None = None) -> str:
    """The latest signed checkpoint, or the one for an earlier ``tree_size`` (signed on
    demand if it was never made)."""
    if tree_size is None:
        return checkpoint_note(actions.checkpoint_latest())
    _check_size(tree_size, "tree_size", size())
    return checkpoint_note(actions.checkpoint_for_size(tree_size))


def receipt(entry: Entry) -> dict[str, Any]:
    """What a party keeps to prove, offline and to anyone, that ``entry`` is in the log:
    ``{"leaf", "index", "inclusion", "checkpoint", "key"}`` (``microcourt_verify`` checks it).

    An entry not yet in the tree is integrated first, and a checkpoint covering it is signed
    if none exists yet."""
    leaf = Leaf.objects.filter(entry=entry).first()
    if leaf is None:
        actions.integrate(entry_ids=[entry.pk])
        leaf = Leaf.objects.get(entry=entry)
    covering = Checkpoint.objects.filter(tree_size__gt=leaf.index).order_by("-tree_size").first()
    if covering is None:
        covering = actions.checkpoint_for_size(size())
    hashes = merkle.inclusion_proof(DatabaseNodeStore(), leaf.index, covering.tree_size)
    return {
        "leaf": leaf_of(entry),
        "index": leaf.index,
        "inclusion": {
            "index": leaf.index,
            "tree_size": covering.tree_size,
            "hashes": [b64(h) for h in hashes],
        },
        "checkpoint": checkpoint_note(covering),
        "key": keys.vkey(),
    }


def receipt_at(index: int) -> dict[str, Any]:
    return receipt(entry_at(index))


def parse_sha256(text: object, field: str = "sha256") -> str:
    """``sha256:<hex>`` from a hex digest (with or without the prefix), or bad input."""
    value = text.strip().lower() if isinstance(text, str) else ""
    value = value.removeprefix("sha256:")
    if not SHA256_HEX.fullmatch(value):
        raise InvalidInput(
            _("SHA-256 摘要格式不正确。"),
            fields={field: _("应为 64 位十六进制字符")},
        )
    return "sha256:" + value


def matches(subject_digest: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Every entry in the tree whose subject is the file with this digest, each as a receipt
    (public parts only) with its leaf hash."""
    entries = (
        Entry.objects.filter(subject_digest=subject_digest, leaf__isnull=False)
        .select_related("leaf")
        .order_by("leaf__index")[:limit]
    )
    found = []
    for entry in entries:
        item = receipt(entry)
        item["leaf_hash"] = b64(bytes(entry.leaf.leaf_hash))
        found.append(item)
    return found


def check(receipt_: dict[str, Any], file_bytes: bytes | None = None) -> str | None:
    """Verify a receipt with the offline verifier against this log's key: None when it
    verifies, else the reason. The server verifies with the same code a lawyer runs."""
    try:
        verify.verify_receipt(receipt_, file_bytes=file_bytes, trusted_key=keys.vkey())
    except verify.VerificationError as error:
        return str(error)
    return None


def label(code: int) -> Any:
    return events.registry().label(code)


# --- The private part ---------------------------------------------------------------------------


def entry_court_id(entry: Entry) -> int | None:
    """The court an entry is about, or None (an account, national data, a filing before it
    is a case): the ``court_id`` in its details (admin changes), else its case's court, else
    the court whose code its details name. Entries are read as written, nothing is added to
    them. The ledger imports no domain app (ARCHITECTURE §3), so the case and court tables are
    looked up by name through Django's app registry."""
    details = entry.details if isinstance(entry.details, dict) else {}
    court_id = details.get("court_id")
    if isinstance(court_id, int) and not isinstance(court_id, bool):
        return court_id
    if entry.case_id is not None:
        case = apps.get_model("cases", "Case")
        found = case._base_manager.filter(pk=entry.case_id).values_list("court_id", flat=True)
        return found.first()
    code = details.get("court")
    if isinstance(code, str) and code:  # e.g. a court's closed day, recorded by its code
        court = apps.get_model("courts", "Court")
        return court._base_manager.filter(code=code).values_list("pk", flat=True).first()
    return None


def _as_actor(viewer: Actor | Any) -> Actor | None:
    return viewer if isinstance(viewer, Actor) else actor_for(viewer)


def entry_private(entry: Entry, viewer: Actor | Any) -> dict[str, Any]:
    """Who did it, in which case, with what details: for the administrators of the entry's
    court and platform operators only (``viewer`` is the request's actor, from
    ``core.actor.actor_of``, or a user). Every look is itself recorded in the ledger
    (sealed material's reads are logged, ARCHITECTURE §4.7). Others get "not found", as for
    anything hidden."""
    court_id = entry_court_id(entry)
    reader = policies.private_reader(_as_actor(viewer), court_id)
    if reader is None:
        raise NotFound(_("没有找到。"))
    with transaction.atomic():
        actions.record(
            code=events.LedgerEvent.PRIVATE_PART_VIEWED,
            actor=reader,
            case_id=entry.case_id,
            # The look is about the same court, so the same people may read who looked.
            data={"entry": entry.pk, **({"court_id": court_id} if court_id else {})},
        )
    return {
        "entry": entry.pk,
        "code": entry.code,
        "actor_user_id": entry.actor_user_id,
        "actor_role": entry.actor_role,
        "actor_label": entry.actor_label,
        "case_id": entry.case_id,
        "request_id": entry.request_id,
        "details": entry.details,
    }


def entries_about_user(user_id: int, *, codes: list[int]) -> list[Entry]:
    """Private-part read for the person themselves: entries whose details name them as
    the subject (e.g. who viewed their unmasked data), oldest first."""
    return list(
        Entry.objects.filter(
            code__in=[int(c) for c in codes], details__subject_user_id=user_id
        ).order_by("created_at", "pk")
    )


def entry_for(*, code: int, object_label: str) -> Entry | None:
    """The newest entry of ``code`` recorded for an object by ``transition_recorder``
    (details ``object`` = ``"<app.Model>:<pk>"``), e.g. to print its receipt."""
    return (
        Entry.objects.filter(code=int(code), details__object=object_label)
        .select_related("leaf")
        .order_by("-pk")
        .first()
    )


def entries_for_case(case_id: int, codes: Iterable[int] | None = None) -> list[Entry]:
    """A case's entries, oldest first (labels via ``label``); only those of ``codes`` when
    given (the case's milestones, ``cases.milestones``)."""
    return list(case_entries(case_id, codes))


def case_entries(case_id: int, codes: Iterable[int] | None = None) -> QuerySet[Entry]:
    """``entries_for_case`` as a queryset, for a read of a few of its columns."""
    qs = Entry.objects.filter(case_id=case_id)
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return qs.order_by("created_at", "pk")


def case_entry_with(*, code: int, case_id: int, key: str, value: Any) -> Entry | None:
    """The newest entry of ``code`` on a case whose details carry ``key == value`` (e.g.
    the entry that recorded when a given service took effect)."""
    return (
        Entry.objects.filter(code=int(code), case_id=case_id, **{f"details__{key}": value})
        .order_by("-pk")
        .first()
    )
