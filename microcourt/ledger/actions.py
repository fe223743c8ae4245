"""The ledger's writes: ``record`` (the one way an entry is written), the integrator that
puts entries into the Merkle tree, checkpoints and witnesses' cosignatures."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import microcourt_verify as verify
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import InvalidInput
from microcourt.core.middleware import current_request_id

from . import events, keys, merkle, notes
from .models import Checkpoint, Cosignature, Entry, LedgerState
from .store import DatabaseNodeStore, RememberingNodeStore, insert_leaves, insert_nodes

log = logging.getLogger(__name__)

PUBLIC_VERSION = 1
SUBJECT_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
# A new checkpoint is signed when the newest one is at least this old and the tree has grown.
CHECKPOINT_INTERVAL = dt.timedelta(seconds=1)
# An entry still uncommitted this long after a later entry was written is left to the hourly
# full sweep; everything else is found by looking above ``LedgerState.entry_floor``.
FLOOR_GRACE = dt.timedelta(seconds=60)


# --- Recording ----------------------------------------------------------------------------------


def digest_of(content: bytes | Iterable[bytes]) -> str:
    """``sha256:<hex>`` of bytes or of an iterable of chunks (e.g. ``UploadedFile.chunks()``)."""
    hasher = hashlib.sha256()
    if isinstance(content, bytes | bytearray | memoryview):
        hasher.update(content)
    else:
        for chunk in content:
            hasher.update(chunk)
    return "sha256:" + hasher.hexdigest()


def public_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def public_part(
    *,
    code: int,
    created_at: dt.datetime,
    subject_digest: str | None,
    case_ref: str | None,
    role: str,
) -> dict[str, Any]:
    """What goes into the tree. Never a name, ID number, phone, user id or case id: the
    actor appears only as a role and the case only as its keyed pseudonym."""
    return {
        "v": PUBLIC_VERSION,
        "code": code,
        "time": public_time(created_at),
        "subject_digest": subject_digest,
        "case": case_ref,
        "role": role,
    }


def record(
    *,
    code: int,
    actor: Actor,
    case_id: int | None = None,
    subject_digest: str | None = None,
    data: dict[str, Any] | None = None,
) -> Entry:
    """Write a ledger entry for what ``actor`` just did (ARCHITECTURE §4.7; 在线诉讼规则
    第十六条至第十九条).

    Call it inside the action's own transaction, so the entry commits exactly when what it
    records commits. After the commit the entry is put into the Merkle tree in this process
    (so the user's receipt exists when the response renders); the worker's sweep catches any
    that this misses. ``data`` is the private part's details; it never reaches the public part.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "ledger.record must run inside the action's transaction (@transaction.atomic): "
            "the entry must commit or roll back with what it records"
        )
    code = int(code)  # an IntegerChoices member serialises as a plain number
    if code not in events.registry():
        raise ValueError(f"ledger code {code} is not declared in any app's events.py")
    if subject_digest is not None and not SUBJECT_DIGEST.fullmatch(subject_digest):
        raise ValueError(f"subject digest {subject_digest!r} is not sha256:<64 lowercase hex>")
    case_ref = None if case_id is None else keys.case_ref(case_id)
    role = actor.role[:64]
    now = timezone.now()
    public = public_part(
        code=code, created_at=now, subject_digest=subject_digest, case_ref=case_ref, role=role
    )
    request_id = current_request_id()
    entry = Entry(
        code=code,
        created_at=now,
        public_json=verify.canonical_json(public).decode("utf-8"),
        subject_digest=subject_digest,
        case_ref=case_ref,
        actor_user_id=actor.user_id,
        actor_role=role,
        actor_label=actor.label[:200],
        case_id=case_id,
        request_id="" if request_id == "-" else request_id[:64],
        details=data or {},
    )
    _insert(entry)
    _integrate_after_commit(entry.pk)
    return entry


@functools.cache
def _insert_sql(vendor: str) -> tuple[str, tuple]:
    fields = tuple(field for field in Entry._meta.concrete_fields if not field.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Only identifiers from the model and placeholders: no value is ever formatted in.
    sql = f"INSERT INTO {quote(Entry._meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
    return sql + f"RETURNING {quote(Entry._meta.pk.column)}", fields


def _insert(entry: Entry) -> None:
    """Every action's hot path. On PostgreSQL one INSERT … RETURNING whose text is built once
    (psycopg then prepares it) instead of compiling SQL per call, which was a third of an
    append's cost; elsewhere the ORM's own insert."""
    if connection.vendor != "postgresql":
        entry.save()
        return
    sql, fields = _insert_sql(connection.vendor)
    values = [field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


class _Recorded(list):
    """The entry ids one after-commit integration will look at; ``ran`` once it has run
    (test helpers can run callbacks without clearing them, so a spent one is not reused)."""

    ran = False


def _integrate_after_commit(entry_id: int) -> None:
    """Schedule one integration per transaction, told which entries it recorded.

    Reusing the callback already scheduled is safe: it was registered on the same stack of
    savepoints, so every savepoint whose rollback would discard it is still below us, and
    rolling that back discards this entry too. (Savepoints released since do not count:
    Django discards a callback only when one of its savepoints is rolled back.)"""
    db = transaction.get_connection()
    for item in db.run_on_commit:
        callback = item[1]  # (savepoint ids, function, robust)
        if getattr(callback, "func", None) is integrate_committed and not callback.args[0].ran:
            callback.args[0].append(entry_id)
            return
    on_commit(integrate_committed, _Recorded([entry_id]))


def integrate_committed(entry_ids: list[int]) -> None:
    """Best effort: the entries are committed whatever happens here, and the periodic sweep
    integrates whatever this misses, so a failure is logged, never raised at the user."""
    if isinstance(entry_ids, _Recorded):
        entry_ids.ran = True
    try:
        integrate(entry_ids=list(entry_ids))
        checkpoint_maybe()
    except Exception:
        log.exception("after-commit ledger integration failed; the sweep will retry")


def transition_recorder(
    case_id_of: Callable[[Any], int | None] | None = None,
    digest_of: Callable[[Any], str | None] | None = None,
    details_of: Callable[[Any], dict[str, Any]] | None = None,
) -> Callable[..., None]:
    """A ``StateMachine(on_applied=…)`` hook recording every applied transition with its
    ``event`` code, in the transition's transaction; the note goes into the private part.
    ``digest_of`` gives the subject digest of what the transition decided on, if any;
    ``details_of`` what else the decision was about, beside the transition itself."""

    def on_applied(*, obj: Any, transition: Any, actor: Actor, source: str, note: str) -> None:
        if transition.event is None:
            raise ValueError(
                f"transition {transition.name!r} has no ledger code (Transition.event): "
                "every state change is recorded"
            )
        record(
            code=transition.event,
            actor=actor,
            case_id=None if case_id_of is None else case_id_of(obj),
            subject_digest=(digest_of(obj) or None) if digest_of is not None else None,
            data={
                "object": f"{obj._meta.label}:{obj.pk}",
                "transition": transition.name,
                "from": source,
                "to": transition.target,
                "note": note,
                **(details_of(obj) if details_of is not None else {}),
            },
        )

    return on_applied


# --- Integration ----------------------------------------------------------------------------


def _locked_state() -> LedgerState:
    LedgerState.objects.get_or_create(pk=1, defaults={"root_hash": verify.EMPTY_ROOT})
    return LedgerState.objects.select_for_update().get(pk=1)


def integrate(
    max_batch: int = 5000, *, entry_ids: Iterable[int] | None = None, full: bool = False
) -> int:
    """Put pending entries into the tree, in id order, at the next indices without gaps.

    Each batch runs in its own transaction under a lock on the one ``LedgerState`` row, so
    concurrent integrators take turns and the order is one line. Which entries are looked at:

    - ``entry_ids`` (after a commit): those ids, and every id above the last one integrated;
    - default (the periodic sweep): every id above ``entry_floor``, which then advances;
    - ``full`` (hourly, before the audit): every entry.

    Returns how many entries were integrated.
    """
    ids = None if entry_ids is None else list(entry_ids)
    total = 0
    while True:
        count = _integrate_batch(max_batch, ids, full)
        total += count
        if count < max_batch:
            return total


@transaction.atomic
def _integrate_batch(max_batch: int, entry_ids: list[int] | None, full: bool) -> int:
    state = _locked_state()
    pending = Entry.objects.filter(leaf__isnull=True)
    if entry_ids is not None:
        pending = pending.filter(Q(id__gt=state.last_entry_id) | Q(id__in=entry_ids))
    elif not full:
        pending = pending.filter(id__gt=state.entry_floor)
    started = timezone.now()
    rows = list(pending.order_by("id").values_list("id", "public_json")[:max_batch])
    if rows:
        hashes = [verify.leaf_hash(public.encode("utf-8")) for _, public in rows]
        store = RememberingNodeStore(DatabaseNodeStore())
        created = merkle.append_many(state.size, hashes, store)
        insert_leaves(state.size, [entry_id for entry_id, _ in rows], hashes)
        insert_nodes(created)
        size = state.size + len(rows)
        # The new head is made of the old head's subtrees and the nodes just created.
        head = merkle.InMemoryNodeStore({**store.seen, **dict(created)})
        state.root_hash = merkle.root_hash(head, size)
        state.size = size
        state.last_entry_id = max(state.last_entry_id, rows[-1][0])
    if entry_ids is None and len(rows) < max_batch:
        # Everything committed above the floor is now in the tree; an entry below the newest
        # one older than the grace period can only be missing if its transaction has been
        # open that long, which the full sweep handles.
        cutoff = started - FLOOR_GRACE
        older = (
            Entry.objects.filter(id__gt=state.entry_floor, created_at__lt=cutoff)
            .order_by("-created_at")
            .values_list("id", flat=True)
            .first()
        )
        if older is not None:
            state.entry_floor = max(state.entry_floor, min(older, state.last_entry_id))
    state.save()
    return len(rows)


# --- Checkpoints and cosignatures -------------------------------------------------------------


def checkpoint_for_size(size: int) -> Checkpoint:
    """The signed checkpoint of the tree at ``size``, signed now if it does not exist yet
    (any size up to the current one can be: old heads stay provable)."""
    existing = Checkpoint.objects.filter(tree_size=size).first()
    if existing is not None:
        return existing
    current = LedgerState.objects.filter(pk=1).values_list("size", flat=True).first() or 0
    if not 0 <= size <= current:
        raise InvalidInput(
            _("树大小超出范围：当前日志共有 %(size)s 条记录。") % {"size": current},
            fields={"tree_size": _("应在 0 到 %(size)s 之间") % {"size": current}},
        )
    root = merkle.root_hash(DatabaseNodeStore(), size)
    origin = keys.origin()
    note = notes.sign_note(notes.checkpoint_text(origin, size, root), origin, keys.signing_key())
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                tree_size=size, root_hash=root, note=note, created_at=timezone.now()
            )
    except IntegrityError:  # signed at the same moment elsewhere: Ed25519 is deterministic
        return Checkpoint.objects.get(tree_size=size)


def checkpoint_maybe(*, interval: dt.timedelta = CHECKPOINT_INTERVAL) -> Checkpoint | None:
    """Sign a checkpoint for the current size if the tree grew and the newest checkpoint is
    at least ``interval`` old (or there is none). Returns the newest checkpoint."""
    size = LedgerState.objects.filter(pk=1).values_list("size", flat=True).first() or 0
    newest = Checkpoint.objects.order_by("-tree_size").first()
    if newest is not None and (
        newest.tree_size >= size or newest.created_at > timezone.now() - interval
    ):
        return newest
    if newest is None and size == 0:
        return None
    return checkpoint_for_size(size)


def checkpoint_latest() -> Checkpoint:
    """The newest checkpoint, signing one first if the tree outgrew it (or none exists)."""
    newest = checkpoint_maybe()
    if newest is None:
        newest = checkpoint_for_size(0)
    return newest


def cosignature_add(*, note: str, line: str) -> Cosignature:
    """Accept a witness's cosignature of a checkpoint this log signed (C2SP tlog-cosignature).

    The witness must be one the log is configured to accept and its signature must verify;
    the first cosignature per witness and checkpoint is kept (rows are never changed).
    """
    try:
        parsed = verify.parse_note(note)
        checkpoint = verify.parse_checkpoint(parsed.text)
    except verify.VerificationError as error:
        raise InvalidInput(_("检查点格式不正确。"), fields={"checkpoint": str(error)}) from None
    stored = Checkpoint.objects.filter(tree_size=checkpoint.size).first()
    if stored is None or verify.parse_note(stored.note).text != parsed.text:
        raise InvalidInput(
            _("该检查点不是本日志签署的。"),
            fields={"checkpoint": _("本日志没有签署过这个检查点")},
        )
    try:
        signature = verify.parse_signature_line(line.strip())
    except verify.VerificationError as error:
        raise InvalidInput(_("联署格式不正确。"), fields={"cosignature": str(error)}) from None
    witness = keys.witnesses().get((signature.name, signature.key_id))
    if witness is None:
        raise InvalidInput(
            _("未知的见证方。"),
            fields={
                "cosignature": _("本日志不接受见证方 %(name)s 的联署") % {"name": signature.name}
            },
        )
    try:
        timestamp = verify.verify_cosignature(
            notes.add_signatures(stored.note, [signature.line]), witness
        )
    except verify.VerificationError as error:
        raise InvalidInput(_("联署签名无效。"), fields={"cosignature": str(error)}) from None
    existing = Cosignature.objects.filter(checkpoint=stored, witness=witness.name).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Cosignature.objects.create(
                checkpoint=stored,
                witness=witness.name,
                line=signature.line,
                timestamp=timestamp,
                created_at=timezone.now(),
            )
    except IntegrityError:
        return Cosignature.objects.get(checkpoint=stored, witness=witness.name)
