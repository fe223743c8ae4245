"""The database side of the Merkle tree: ``merkle.NodeStore`` over the ``Node`` table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from .merkle import Node as NodeItem
from .merkle import NodeKey
from .models import Leaf, Node


class DatabaseNodeStore:
    """Reads any set of complete-subtree hashes with one query."""

    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        by_level: dict[int, list[int]] = defaultdict(list)
        for level, index in keys:
            by_level[level].append(index)
        if not by_level:
            return {}
        where = Q()
        for level, indexes in by_level.items():
            where |= Q(level=level, index__in=indexes)
        rows = Node.objects.filter(where).values_list("level", "index", "hash")
        return {(level, index): bytes(hashed) for level, index, hashed in rows}


class RememberingNodeStore:
    """Wraps a store and keeps what it read, so a caller can fold heads without reading twice."""

    def __init__(self, inner: DatabaseNodeStore) -> None:
        self.inner = inner
        self.seen: dict[NodeKey, bytes] = {}

    def get_nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        found = self.inner.get_nodes(keys)
        self.seen.update(found)
        return found


def insert_leaves(first_index: int, entry_ids: list[int], hashes: list[bytes]) -> None:
    """Insert the leaves ``first_index, first_index + 1, …`` of the given entries."""
    indices = list(range(first_index, first_index + len(entry_ids)))
    if connection.vendor == "postgresql":
        # One statement with three array parameters: ~10x faster than a multi-row VALUES.
        with connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO ledger_leaf ("index", entry_id, leaf_hash) '
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bytea[])",
                [indices, entry_ids, hashes],
            )
        return
    Leaf.objects.bulk_create(
        Leaf(index=index, entry_id=entry_id, leaf_hash=hashed)
        for index, entry_id, hashed in zip(indices, entry_ids, hashes, strict=True)
    )


def insert_nodes(nodes: list[NodeItem]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO ledger_node (level, "index", hash) '
                "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])",
                [
                    [level for (level, _), _ in nodes],
                    [index for (_, index), _ in nodes],
                    [hashed for _, hashed in nodes],
                ],
            )
        return
    Node.objects.bulk_create(
        (Node(level=level, index=index, hash=hashed) for (level, index), hashed in nodes),
        batch_size=2000,
    )
