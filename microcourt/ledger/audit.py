"""Recompute the whole ledger from the database and name the first divergence.

The order of checks is the order of trust: each entry's public part against its columns, each
leaf hash against the public part, each stored node against its children, then every signed
checkpoint (note, signature, root) and cosignature, and last the integrator's state. Tables
stream in index order, so memory stays small at millions of entries.

A leaf hash is stored twice (``Leaf.leaf_hash`` and ``Node`` level 0) besides being
recomputable from the entry, so when one of the three changed, the odd one out names the table.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import microcourt_verify as verify

from . import keys, merkle
from .actions import public_part
from .models import Checkpoint, Cosignature, Entry, Leaf, LedgerState, Node
from .store import DatabaseNodeStore

CHUNK = 5000
CHECKPOINT_BATCH = 500


@dataclass(frozen=True)
class Divergence:
    table: str
    where: str
    expected: str
    stored: str
    reason: str = ""

    def __str__(self) -> str:
        text = (
            f"DIVERGENCE in {self.table} at {self.where}: "
            f"expected {self.expected}, stored {self.stored}"
        )
        return f"{text} ({self.reason})" if self.reason else text


@dataclass
class AuditResult:
    entries: int = 0
    pending: int = 0
    checkpoints: int = 0
    cosignatures: int = 0
    divergence: Divergence | None = None

    @property
    def ok(self) -> bool:
        return self.divergence is None

    def __str__(self) -> str:
        return f"OK {self.entries} entries" if self.ok else str(self.divergence)


class _Found(Exception):
    def __init__(self, divergence: Divergence) -> None:
        self.divergence = divergence


def _diverge(table: str, where: str, expected: object, stored: object, reason: str = "") -> None:
    raise _Found(Divergence(table, where, str(expected), str(stored), reason))


def _hex(raw: bytes) -> str:
    return raw.hex()


def _rows(queryset, *fields: str) -> Iterator[tuple]:
    """Stream rows in chunks (server-side cursors on PostgreSQL)."""
    return queryset.values_list(*fields).iterator(chunk_size=CHUNK)


def audit() -> AuditResult:
    """Check every stored hash and signature. Read-only."""
    result = AuditResult()
    state = LedgerState.objects.filter(pk=1).first()
    try:
        size = _audit_leaves(result)
        _audit_nodes(size)
        _audit_checkpoints(result, size)
        _audit_state(state, size)
    except _Found as found:
        result.divergence = found.divergence
    result.pending = Entry.objects.filter(leaf__isnull=True).count()
    return result


# --- Entries and leaves -------------------------------------------------------------------------


def _audit_leaves(result: AuditResult) -> int:
    """Entries, leaves and level-0 nodes, side by side in index order. Returns the size."""
    leaves = _rows(
        Leaf.objects.order_by("index"),
        "index",
        "leaf_hash",
        "entry_id",
        "entry__public_json",
        "entry__code",
        "entry__created_at",
        "entry__subject_digest",
        "entry__case_ref",
        "entry__actor_role",
    )
    level0 = _rows(Node.objects.filter(level=0).order_by("index"), "index", "hash")
    expected = 0
    for row, node in itertools.zip_longest(leaves, level0):
        if row is None:
            _diverge(
                "Node",
                f"level 0 index {node[0]}",
                "(no such node)",
                _hex(bytes(node[1])),
                "a leaf node without a leaf",
            )
        index, stored_leaf, entry_id, public_json, *columns = row
        if index != expected:
            _diverge(
                "Leaf",
                f"index {expected}",
                f"index {expected}",
                f"index {index}",
                "the leaf indices have a gap",
            )
        if node is None or node[0] != index:
            _diverge("Node", f"level 0 index {index}", _hex(bytes(stored_leaf)), "(missing)")
        _check_leaf(index, entry_id, public_json, columns, bytes(stored_leaf), bytes(node[1]))
        expected += 1
    result.entries = expected
    return expected


def _check_leaf(
    index: int, entry_id: int, public_json: str, columns: list, stored: bytes, node: bytes
) -> None:
    public_bytes = public_json.encode("utf-8")
    computed = verify.leaf_hash(public_bytes)
    if computed == stored == node:
        code, created_at, digest, case_ref, role = columns
        rebuilt = verify.canonical_json(
            public_part(
                code=code,
                created_at=created_at,
                subject_digest=digest,
                case_ref=case_ref,
                role=role,
            )
        )
        if rebuilt != public_bytes:
            _diverge(
                "Entry",
                f"id {entry_id} (leaf index {index})",
                rebuilt.decode(),
                public_json,
                "the entry's columns no longer match its public part",
            )
        return
    where = f"leaf index {index}"
    if stored == node:
        _diverge(
            "Entry",
            f"id {entry_id} ({where})",
            f"a public part hashing to {_hex(stored)}",
            f"{public_json!r} hashing to {_hex(computed)}",
            "the public part was changed after it entered the tree",
        )
    if computed == node:
        _diverge("Leaf", f"index {index}", _hex(computed), _hex(stored))
    if computed == stored:
        _diverge("Node", f"level 0 index {index}", _hex(computed), _hex(node))
    _diverge(
        "Leaf",
        f"index {index}",
        _hex(computed),
        _hex(stored),
        f"the level-0 node holds a third value, {_hex(node)}",
    )


# --- Nodes --------------------------------------------------------------------------------------


def _audit_nodes(size: int) -> None:
    """Each level above 0 holds exactly the complete subtrees of the tree, each the hash of
    its two children (whose level was checked just before)."""
    level = 1
    while size >> level:
        count = size >> level
        children = _rows(
            Node.objects.filter(level=level - 1, index__lt=2 * count).order_by("index"),
            "hash",
        )
        parents = _rows(Node.objects.filter(level=level).order_by("index"), "index", "hash")
        for index in range(count):
            (left,), (right,) = next(children), next(children)
            expected = verify.node_hash(bytes(left), bytes(right))
            parent = next(parents, None)
            if parent is None or parent[0] != index:
                _diverge("Node", f"level {level} index {index}", _hex(expected), "(missing)")
            if bytes(parent[1]) != expected:
                _diverge(
                    "Node", f"level {level} index {index}", _hex(expected), _hex(bytes(parent[1]))
                )
        extra = next(parents, None)
        if extra is not None:
            _diverge(
                "Node",
                f"level {level} index {extra[0]}",
                "(no such node)",
                _hex(bytes(extra[1])),
                f"the tree has only {size} leaves",
            )
        level += 1
    extra = Node.objects.filter(level__gte=max(level, 1)).values_list("level", "index").first()
    if extra is not None:
        _diverge(
            "Node",
            f"level {extra[0]} index {extra[1]}",
            "(no such node)",
            "(a node)",
            f"the tree has only {size} leaves",
        )


# --- Checkpoints, cosignatures, state -----------------------------------------------------------


def _audit_checkpoints(result: AuditResult, size: int) -> None:
    batch: list[tuple] = []
    rows = _rows(Checkpoint.objects.order_by("tree_size"), "pk", "tree_size", "root_hash", "note")
    for row in rows:
        batch.append(row)
        if len(batch) == CHECKPOINT_BATCH:
            _check_checkpoints(result, batch, size)
            batch = []
    if batch:
        _check_checkpoints(result, batch, size)


def _check_checkpoints(result: AuditResult, batch: list[tuple], size: int) -> None:
    """A batch of checkpoints: roots from one read of the nodes, each note signed by the
    log's key naming that size and root; cosignatures by configured witnesses verify."""
    for _pk, tree_size, _root, _note in batch:
        if tree_size > size:
            _diverge(
                "Checkpoint",
                f"tree_size {tree_size}",
                f"a size of at most {size}",
                tree_size,
                "a checkpoint beyond the tree",
            )
    wanted = {key for _pk, tree_size, _root, _note in batch for key in merkle.head_keys(tree_size)}
    heads = merkle.InMemoryNodeStore(DatabaseNodeStore().get_nodes(wanted))
    log_key = keys.verifier()
    for _pk, tree_size, root, note in batch:
        where = f"tree_size {tree_size}"
        computed = merkle.root_hash(heads, tree_size)
        if bytes(root) != computed:
            _diverge("Checkpoint", where, f"root {_hex(computed)}", f"root {_hex(bytes(root))}")
        try:
            signed = verify.verify_checkpoint(note, log_key)
        except verify.VerificationError as error:
            _diverge("Checkpoint", where, "a note signed by the log's key", repr(note), str(error))
        if (signed.size, signed.root_hash) != (tree_size, computed):
            expected_root = base64.b64encode(computed).decode()
            signed_root = base64.b64encode(signed.root_hash).decode()
            _diverge(
                "Checkpoint",
                where,
                f"a note for size {tree_size}, root {expected_root}",
                f"a note for size {signed.size}, root {signed_root}",
            )
        result.checkpoints += 1
    witnesses = {name: witness for (name, _kid), witness in keys.witnesses().items()}
    notes_by_id = {pk: (tree_size, note) for pk, tree_size, _root, note in batch}
    cosignatures = Cosignature.objects.filter(checkpoint_id__in=notes_by_id).order_by("id")
    for checkpoint_id, witness, line in cosignatures.values_list(
        "checkpoint_id", "witness", "line"
    ):
        tree_size, note = notes_by_id[checkpoint_id]
        verifier = witnesses.get(witness)
        if verifier is None:
            continue  # a witness no longer configured: nothing to check its line against
        try:
            verify.verify_cosignature(f"{note}{line}\n", verifier)
        except verify.VerificationError as error:
            _diverge(
                "Cosignature",
                f"tree_size {tree_size} witness {witness}",
                "a cosignature that verifies",
                line,
                str(error),
            )
        result.cosignatures += 1


def _audit_state(state: LedgerState | None, size: int) -> None:
    stored_size = 0 if state is None else state.size
    if stored_size != size:
        _diverge("LedgerState", "size", size, stored_size)
    if state is None:
        return
    computed = merkle.root_hash(DatabaseNodeStore(), size)
    if bytes(state.root_hash) != computed:
        _diverge("LedgerState", "root", _hex(computed), _hex(bytes(state.root_hash)))
