"""The proving side of the ledger's RFC 9162 Merkle tree, independent of how nodes are stored.

The store keeps one hash per *complete* subtree, keyed ``(level, index)``: the hash over leaves
``[index * 2**level, (index + 1) * 2**level)``, level 0 being the leaf hashes. Complete subtrees
never change once they exist, so the store is append-only, and any tree head, past or present,
is a fold of at most log2(n) of them.

Read cost: every function here makes at most one batched ``get_nodes`` call — it first works out
which complete subtrees it needs, then reads them together:

- ``root_hash`` and ``subtree_hash``: one call, at most ⌊log2 n⌋ + 1 keys;
- ``inclusion_proof`` and ``consistency_proof``: one call, at most 2·⌈log2 n⌉ + 1 keys (one
  key per level of the path, plus the pieces of the one sibling that ends at the tree's edge);
- ``append_many``: one call, at most ⌊log2 n⌋ + 1 keys, however many leaves the batch holds;
- ``nodes_to_append``: one ``get_node`` per trailing one bit of the tree size (amortised 1).

Verification lives in ``microcourt_verify``, the standalone verifier, so that the server and the
offline tool share one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from microcourt_verify import EMPTY_ROOT, HASH_SIZE, node_hash

NodeKey = tuple[int, int]
Node = tuple[NodeKey, bytes]


class NodeStore(Protocol):
    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        """Return the stored hashes of ``keys`` in one read; absent keys are left out."""
        ...


class InMemoryNodeStore:
    def __init__(self, nodes: Mapping[NodeKey, bytes] | None = None) -> None:
        self.nodes: dict[NodeKey, bytes] = dict(nodes or {})

    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        return {key: self.nodes[key] for key in keys if key in self.nodes}

    def put_nodes(self, nodes: Iterable[Node]) -> None:
        self.nodes.update(nodes)


def nodes_to_append(
    tree_size: int, leaf_hash: bytes, get_node: Callable[[NodeKey], bytes]
) -> list[Node]:
    """The complete-subtree nodes that appending ``leaf_hash`` at index ``tree_size`` creates.

    Each new node is the parent of a left sibling that already exists, which ``get_node`` reads.
    """
    if tree_size < 0:
        raise ValueError(f"tree size {tree_size} is negative")
    if len(leaf_hash) != HASH_SIZE:
        raise ValueError(f"a leaf hash must be {HASH_SIZE} bytes, not {len(leaf_hash)}")
    level, index, current = 0, tree_size, leaf_hash
    created = [((level, index), current)]
    while index & 1:
        current = node_hash(get_node((level, index - 1)), current)
        level, index = level + 1, index >> 1
        created.append(((level, index), current))
    return created


def append_many(tree_size: int, leaf_hashes: Iterable[bytes], store: NodeStore) -> list[Node]:
    """The nodes that appending ``leaf_hashes`` to a tree of ``tree_size`` leaves creates.

    The only stored nodes a batch needs are the tree's frontier, the complete subtrees of its
    current head; everything else is created within the batch.
    """
    hashes = list(leaf_hashes)
    if not hashes:
        return []
    known = dict(_read(store, _decompose(0, tree_size)))
    created: list[Node] = []
    for offset, hashed in enumerate(hashes):
        nodes = nodes_to_append(tree_size + offset, hashed, known.__getitem__)
        known.update(nodes)
        created.extend(nodes)
    return created


def subtree_hash(store: NodeStore, start: int, end: int) -> bytes:
    """MTH of leaves ``[start, end)``: a subtree as RFC 9162 splits trees into.

    Such a range starts at a multiple of the smallest power of two not below its size; it is
    the fold of the complete subtrees of its size's binary decomposition.
    """
    keys = _subtree_keys(start, end)
    return _fold(keys, _read(store, keys))


def root_hash(store: NodeStore, size: int) -> bytes:
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    return subtree_hash(store, 0, size) if size else EMPTY_ROOT


def head_keys(size: int) -> list[NodeKey]:
    """The complete subtrees whose fold is the root of the tree of ``size`` leaves (at most
    ⌊log2 n⌋ + 1), for callers that read the nodes of many tree heads in one batch."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    return _decompose(0, size)


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 §2.1.3.1)."""
    if size <= 0:
        raise ValueError(f"a tree of size {size} has no leaves to prove")
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    siblings = []
    start, end = 0, size
    while end - start > 1:
        split = start + _largest_power_of_two_below(end - start)
        if index < split:
            siblings.append((split, end))
            end = split
        else:
            siblings.append((start, split))
            start = split
    return _hash_ranges(store, siblings[::-1])


def consistency_proof(store: NodeStore, first: int, second: int) -> list[bytes]:
    """The proof that the tree of ``second`` leaves extends that of ``first`` (RFC 9162 §2.1.4.1).

    Proofs from the empty tree and between equal sizes are empty.
    """
    if first < 0:
        raise ValueError(f"tree size {first} is negative")
    if first > second:
        raise ValueError(f"tree size {second} cannot extend tree size {first}: sizes only grow")
    if first in (0, second):
        return []
    ranges = []
    start, end, whole = 0, second, True
    while first != end:
        split = start + _largest_power_of_two_below(end - start)
        if first <= split:
            ranges.append((split, end))
            end = split
        else:
            ranges.append((start, split))
            start, whole = split, False
    if not whole:
        # The old tree is not a complete subtree of the new one, so its last piece goes first.
        ranges.append((start, end))
    return _hash_ranges(store, ranges[::-1])


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def _decompose(start: int, end: int) -> list[NodeKey]:
    """Complete subtrees covering ``[start, end)``, largest first; ``start`` must be aligned."""
    keys = []
    size = end - start
    for level in reversed(range(size.bit_length())):
        if size >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


def _subtree_keys(start: int, end: int) -> list[NodeKey]:
    if not 0 <= start < end:
        raise ValueError(f"[{start}, {end}) is not a non-empty range of leaves")
    size = end - start
    if start % (1 << (size - 1).bit_length()):
        raise ValueError(f"[{start}, {end}) is not a subtree of any Merkle tree")
    return _decompose(start, end)


def _fold(keys: Sequence[NodeKey], nodes: Mapping[NodeKey, bytes]) -> bytes:
    current = nodes[keys[-1]]
    for key in reversed(keys[:-1]):
        current = node_hash(nodes[key], current)
    return current


def _hash_ranges(store: NodeStore, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    keys = [_subtree_keys(start, end) for start, end in ranges]
    nodes = _read(store, [key for range_keys in keys for key in range_keys])
    return [_fold(range_keys, nodes) for range_keys in keys]


def _read(store: NodeStore, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
    if not keys:
        return {}
    nodes = store.get_nodes(list(dict.fromkeys(keys)))
    missing = [key for key in keys if key not in nodes]
    if missing:
        raise LookupError(f"the node store lacks nodes {missing}: it is behind the tree size")
    return nodes
