"""The proving side against RFC 9162's own recursive definitions and published vectors."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microcourt_verify as verify
from microcourt.ledger import merkle

# --- RFC 9162 §2.1, transcribed as literally as possible ----------------------------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + leaves[0])
    k = _k(n)
    return _sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [ref_mth(leaves)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], b), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def ref_proof(m: int, leaves: list[bytes]) -> list[bytes]:
    return ref_subproof(m, leaves, True)


# --- Fixtures -----------------------------------------------------------------------------------


def build_store(leaves: Iterable[bytes], batch: int = 7) -> merkle.InMemoryNodeStore:
    store = merkle.InMemoryNodeStore()
    hashes = [verify.leaf_hash(leaf) for leaf in leaves]
    for start in range(0, len(hashes), batch):
        store.put_nodes(merkle.append_many(start, hashes[start : start + batch], store))
    return store


LEAVES = [f"entry {i}".encode() for i in range(300)]
# One append-only store of 300 leaves serves every smaller tree too: old heads stay provable.
STORE = build_store(LEAVES)


def flip(data: bytes, bit: int) -> bytes:
    return (int.from_bytes(data, "big") ^ (1 << bit)).to_bytes(len(data), "big")


# --- Agreement with the RFC ---------------------------------------------------------------------


def test_empty_tree_root_is_the_hash_of_nothing() -> None:
    assert merkle.root_hash(merkle.InMemoryNodeStore(), 0) == ref_mth([]) == verify.EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 34))
def test_every_proof_of_small_trees_matches_the_rfc(size: int) -> None:
    leaves = LEAVES[:size]
    root = merkle.root_hash(STORE, size)
    assert root == ref_mth(leaves)
    for index in range(size):
        proof = merkle.inclusion_proof(STORE, index, size)
        assert proof == ref_path(index, leaves)
        verify.verify_inclusion(index, size, verify.leaf_hash(leaves[index]), proof, root)
    for first in range(1, size + 1):
        proof = merkle.consistency_proof(STORE, first, size)
        assert proof == ref_proof(first, leaves)
        verify.verify_consistency(first, size, ref_mth(leaves[:first]), root, proof)


@settings(max_examples=150, deadline=None)
@given(size=st.integers(1, 300), data=st.data())
def test_root_and_proofs_match_the_rfc_at_random_sizes(size: int, data: st.DataObject) -> None:
    leaves = LEAVES[:size]
    root = merkle.root_hash(STORE, size)
    assert root == ref_mth(leaves)

    index = data.draw(st.integers(0, size - 1), label="index")
    proof = merkle.inclusion_proof(STORE, index, size)
    assert proof == ref_path(index, leaves)
    verify.verify_inclusion(index, size, verify.leaf_hash(leaves[index]), proof, root)
    assert verify.root_from_inclusion(index, size, verify.leaf_hash(leaves[index]), proof) == root

    first = data.draw(st.integers(0, size), label="first")
    proof = merkle.consistency_proof(STORE, first, size)
    assert proof == (ref_proof(first, leaves) if first else [])
    verify.verify_consistency(first, size, ref_mth(leaves[:first]), root, proof)


@settings(max_examples=50, deadline=None)
@given(batches=st.lists(st.integers(1, 40), min_size=1, max_size=12))
def test_batched_appends_create_the_same_nodes_as_single_appends(batches: list[int]) -> None:
    hashes = [verify.leaf_hash(leaf) for leaf in LEAVES[: sum(batches)]]
    batched = merkle.InMemoryNodeStore()
    size = 0
    for count in batches:
        batched.put_nodes(merkle.append_many(size, hashes[size : size + count], batched))
        size += count
    single: dict[merkle.NodeKey, bytes] = {}
    for index, hashed in enumerate(hashes):
        single.update(merkle.nodes_to_append(index, hashed, single.__getitem__))
    assert batched.nodes == single
    assert all(STORE.nodes[key] == value for key, value in single.items())


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_subtree_hash_of_any_valid_subtree_matches_the_rfc(data: st.DataObject) -> None:
    level = data.draw(st.integers(0, 8))
    start = data.draw(st.integers(0, (300 >> level) - 1)) << level
    end = data.draw(st.integers(start + 1, min(start + (1 << level), 300)))
    assert merkle.subtree_hash(STORE, start, end) == ref_mth(LEAVES[start:end])


# --- Published vectors: transparency-dev/merkle ------------------------------------------------
# Copied from github.com/transparency-dev/merkle, testonly/constants.go (LeafInputs, NodeHashes,
# RootHashes) and proof/verify_test.go (inclusionProofs, consistencyProofs; the leaf numbers
# there are 1-based, here they are 0-based indices). The same eight leaves serve
# certificate-transparency-go and Trillian, so these bytes are what other RFC 6962/9162 logs make.

TD_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
TD_NODES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
TD_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
TD_INCLUSION = [  # (index, tree size, audit path)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
TD_CONSISTENCY = [  # (first, second, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
TD_STORE = build_store(TD_LEAVES, batch=3)


def _unhex(hashes: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in hashes]


def test_stored_nodes_and_roots_equal_transparency_dev_vectors() -> None:
    for level, hashes in enumerate(TD_NODES):
        for index, expected in enumerate(hashes):
            assert TD_STORE.nodes[level, index].hex() == expected
    for size, expected in enumerate(TD_ROOTS):
        assert merkle.root_hash(TD_STORE, size).hex() == expected


@pytest.mark.parametrize(("index", "size", "expected"), TD_INCLUSION)
def test_inclusion_proofs_equal_transparency_dev_vectors(
    index: int, size: int, expected: list[str]
) -> None:
    proof = merkle.inclusion_proof(TD_STORE, index, size)
    assert proof == _unhex(expected)
    root = bytes.fromhex(TD_ROOTS[size])
    leaf = verify.leaf_hash(TD_LEAVES[index])
    verify.verify_inclusion(index, size, leaf, proof, root)
    # The corruptions transparency-dev/merkle's verifierCheck probes must all be rejected.
    some_hash = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
    probes = [
        (index - 1, size, leaf, proof, root),
        (index + 1, size, leaf, proof, root),
        (index ^ 2, size, leaf, proof, root),
        (index, size * 2, leaf, proof, root),
        (index, size // 2, leaf, proof, root),
        (index, size, verify.leaf_hash(b"WrongLeaf"), proof, root),
        (index, size, leaf, proof, verify.EMPTY_ROOT),
        (index, size, leaf, proof, some_hash),
        (index, size, leaf, [*proof, root], root),
        (index, size, leaf, [root, *proof], root),
    ]
    if proof:
        probes.append((index, size, leaf, proof[:-1], root))
    if len(proof) > 1:
        probes.append((index, size, leaf, [proof[0], some_hash, *proof[1:]], root))
    for probe in probes:
        with pytest.raises(verify.VerificationError):
            verify.verify_inclusion(*probe)


@pytest.mark.parametrize(("first", "second", "expected"), TD_CONSISTENCY)
def test_consistency_proofs_equal_transparency_dev_vectors(
    first: int, second: int, expected: list[str]
) -> None:
    proof = merkle.consistency_proof(TD_STORE, first, second)
    assert proof == _unhex(expected)
    old, new = bytes.fromhex(TD_ROOTS[first]), bytes.fromhex(TD_ROOTS[second])
    verify.verify_consistency(first, second, old, new, proof)
    if not proof:
        return
    probes = [
        (first - 1, second, old, new, proof),
        (first + 1, second, old, new, proof),
        (first ^ 2, second, old, new, proof),
        (first, second * 2, old, new, proof),
        (first, second // 2, old, new, proof),
        (first, second, new, old, proof),
        (first, second, old, new, []),
        (first, second, old, new, [*proof, old]),
        (first, second, old, new, [*proof, new]),
        (first, second, old, new, [old, *proof]),
        (first, second, old, new, [new, *proof]),
        (first, second, old, new, [proof[0], *proof]),
        (first, second, old, new, proof[:-1]),
    ]
    for probe in probes:
        with pytest.raises(verify.VerificationError):
            verify.verify_consistency(*probe)


# --- Tampering: any single-bit change is caught -------------------------------------------------


def _tampering_detected(store: merkle.InMemoryNodeStore, size: int, root: bytes) -> bool:
    """Whether a verifier holding the signed ``root`` and the real leaves notices."""
    if merkle.root_hash(store, size) != root:
        return True
    for index in range(size):
        proof = merkle.inclusion_proof(store, index, size)
        try:
            verify.verify_inclusion(index, size, verify.leaf_hash(LEAVES[index]), proof, root)
        except verify.VerificationError:
            return True
    return False


def _nodes_of(size: int) -> list[merkle.NodeKey]:
    return [key for key in STORE.nodes if (key[1] + 1) << key[0] <= size]


def test_every_bit_flip_of_every_stored_node_is_detected() -> None:
    size = 11
    root = ref_mth(LEAVES[:size])
    for key in _nodes_of(size):
        for bit in range(256):
            tampered = merkle.InMemoryNodeStore(STORE.nodes)
            tampered.nodes[key] = flip(STORE.nodes[key], bit)
            assert _tampering_detected(tampered, size, root), (key, bit)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(2, 300), data=st.data())
def test_a_bit_flip_of_a_stored_node_is_detected_at_random_sizes(
    size: int, data: st.DataObject
) -> None:
    key = data.draw(st.sampled_from(_nodes_of(size)), label="node")
    bit = data.draw(st.integers(0, 255), label="bit")
    tampered = merkle.InMemoryNodeStore(STORE.nodes)
    tampered.nodes[key] = flip(STORE.nodes[key], bit)
    assert _tampering_detected(tampered, size, ref_mth(LEAVES[:size]))


@pytest.mark.parametrize(("index", "size"), [(0, 1), (6, 7), (137, 300), (255, 256), (299, 300)])
def test_every_bit_flip_of_an_inclusion_proof_leaf_or_root_is_rejected(
    index: int, size: int
) -> None:
    leaf = verify.leaf_hash(LEAVES[index])
    proof = merkle.inclusion_proof(STORE, index, size)
    root = merkle.root_hash(STORE, size)
    verify.verify_inclusion(index, size, leaf, proof, root)
    for bit in range(256):
        with pytest.raises(verify.VerificationError):
            verify.verify_inclusion(index, size, flip(leaf, bit), proof, root)
        with pytest.raises(verify.VerificationError):
            verify.verify_inclusion(index, size, leaf, proof, flip(root, bit))
        for position in range(len(proof)):
            changed = [*proof[:position], flip(proof[position], bit), *proof[position + 1 :]]
            with pytest.raises(verify.VerificationError):
                verify.verify_inclusion(index, size, leaf, changed, root)


@pytest.mark.parametrize(("first", "second"), [(1, 2), (4, 300), (7, 8), (100, 257), (299, 300)])
def test_every_bit_flip_of_a_consistency_proof_or_root_is_rejected(first: int, second: int) -> None:
    old, new = merkle.root_hash(STORE, first), merkle.root_hash(STORE, second)
    proof = merkle.consistency_proof(STORE, first, second)
    verify.verify_consistency(first, second, old, new, proof)
    for bit in range(256):
        for args in [(flip(old, bit), new, proof), (old, flip(new, bit), proof)]:
            with pytest.raises(verify.VerificationError):
                verify.verify_consistency(first, second, *args)
        for position in range(len(proof)):
            changed = [*proof[:position], flip(proof[position], bit), *proof[position + 1 :]]
            with pytest.raises(verify.VerificationError):
                verify.verify_consistency(first, second, old, new, changed)


def test_trivial_consistency_cases() -> None:
    root = merkle.root_hash(STORE, 5)
    verify.verify_consistency(5, 5, root, root, [])
    verify.verify_consistency(0, 5, verify.EMPTY_ROOT, root, [])
    verify.verify_consistency(0, 0, verify.EMPTY_ROOT, verify.EMPTY_ROOT, [])
    with pytest.raises(verify.VerificationError, match="forked"):
        verify.verify_consistency(5, 5, root, merkle.root_hash(STORE, 6), [])
    with pytest.raises(verify.VerificationError, match="must be empty"):
        verify.verify_consistency(5, 5, root, root, [root])
    with pytest.raises(verify.VerificationError, match="empty tree"):
        verify.verify_consistency(0, 5, root, root, [])
    with pytest.raises(verify.VerificationError, match="sizes only grow"):
        verify.verify_consistency(6, 5, root, root, [root])


# --- Read cost: O(log n) keys in one batched read, never a rebuild -----------------------------


class CountingStore:
    def __init__(self, inner: merkle.NodeStore) -> None:
        self.inner = inner
        self.calls = 0
        self.keys = 0

    def get_nodes(self, keys: Iterable[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
        keys = list(keys)
        self.calls += 1
        self.keys += len(keys)
        return self.inner.get_nodes(keys)


class UniformTreeStore:
    """A genuine tree of ``size`` identical leaves, computed lazily: every node of a level is
    the same hash, so a million-leaf tree costs twenty hashes, yet its proofs really verify."""

    LEAF = b"the same entry"

    def __init__(self, size: int) -> None:
        self.size = size
        self.levels = [verify.leaf_hash(self.LEAF)]
        while len(self.levels) <= size.bit_length():
            self.levels.append(verify.node_hash(self.levels[-1], self.levels[-1]))

    def get_nodes(self, keys: Iterable[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
        nodes = {}
        for level, index in keys:
            assert (index + 1) << level <= self.size, "read a subtree that is not complete"
            nodes[level, index] = self.levels[level]
        return nodes


def _costs(
    size: int, store: merkle.NodeStore, leaf: Callable[[int], bytes]
) -> list[tuple[str, int, int]]:
    """(operation, calls, keys) of proofs across a tree, verifying each proof on the way."""
    costs = []
    counting = CountingStore(store)
    root = merkle.root_hash(counting, size)
    costs.append(("root", counting.calls, counting.keys))
    for index in sorted({0, 1, size // 3, size // 2, size - 2, size - 1}):
        counting = CountingStore(store)
        proof = merkle.inclusion_proof(counting, index, size)
        costs.append((f"inclusion {index}", counting.calls, counting.keys))
        verify.verify_inclusion(index, size, leaf(index), proof, root)
    powers = [1 << k for k in range(size.bit_length()) if 1 << k < size]
    for first in sorted({1, 2, 3, size // 3, size // 2 + 1, size - 1, *powers[-2:]}):
        counting = CountingStore(store)
        proof = merkle.consistency_proof(counting, first, size)
        costs.append((f"consistency {first}", counting.calls, counting.keys))
        verify.verify_consistency(first, size, merkle.root_hash(store, first), root, proof)
    return costs


def test_proofs_of_a_thousand_entries_read_logarithmically_many_keys_in_one_call() -> None:
    leaves = [verify.leaf_hash(b"entry %d" % i) for i in range(10**3)]
    store = merkle.InMemoryNodeStore()
    store.put_nodes(merkle.append_many(0, leaves, store))
    _assert_logarithmic(10**3, _costs(10**3, store, leaves.__getitem__))


def test_proofs_of_a_million_entries_read_logarithmically_many_keys_in_one_call() -> None:
    store = UniformTreeStore(10**6)
    _assert_logarithmic(10**6, _costs(10**6, store, lambda index: store.levels[0]))


def _assert_logarithmic(size: int, costs: list[tuple[str, int, int]]) -> None:
    bound = 2 * math.log2(size) + 4
    for operation, calls, keys in costs:
        assert calls <= 1, operation
        assert keys <= bound, (operation, keys, bound)


@pytest.mark.parametrize("size", [10**3, 10**6])
def test_a_batch_append_reads_only_the_frontier_once(size: int) -> None:
    store = CountingStore(UniformTreeStore(size + 500))
    created = merkle.append_many(size, [verify.leaf_hash(UniformTreeStore.LEAF)] * 500, store)
    assert store.calls == 1
    assert store.keys == bin(size).count("1") <= math.log2(size) + 1
    assert all(value == store.inner.levels[level] for (level, _), value in created)


def test_appending_one_leaf_reads_amortised_constant_nodes() -> None:
    reads = 0
    nodes: dict[merkle.NodeKey, bytes] = {}

    def get_node(key: merkle.NodeKey) -> bytes:
        nonlocal reads
        reads += 1
        return nodes[key]

    for index in range(1024):
        nodes.update(merkle.nodes_to_append(index, verify.leaf_hash(b"%d" % index), get_node))
    assert reads < 1024
    assert merkle.root_hash(merkle.InMemoryNodeStore(nodes), 1024) == nodes[10, 0]


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: merkle.inclusion_proof(STORE, 5, 5), "outside a tree of size 5"),
        (lambda: merkle.inclusion_proof(STORE, -1, 5), "outside a tree of size 5"),
        (lambda: merkle.inclusion_proof(STORE, 0, 0), "no leaves"),
        (lambda: merkle.consistency_proof(STORE, 6, 5), "sizes only grow"),
        (lambda: merkle.consistency_proof(STORE, -1, 5), "negative"),
        (lambda: merkle.root_hash(STORE, -1), "negative"),
        (lambda: merkle.subtree_hash(STORE, 1, 3), "not a subtree"),
        (lambda: merkle.subtree_hash(STORE, 4, 4), "non-empty"),
        (lambda: merkle.nodes_to_append(0, b"short", STORE.nodes.__getitem__), "32 bytes"),
        (lambda: merkle.nodes_to_append(-1, bytes(32), STORE.nodes.__getitem__), "negative"),
    ],
)
def test_bad_arguments_raise_value_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_a_store_behind_the_tree_size_is_reported() -> None:
    with pytest.raises(LookupError, match="lacks nodes"):
        merkle.root_hash(STORE, 301)
    with pytest.raises(LookupError, match="lacks nodes"):
        merkle.append_many(301, [bytes(32)], STORE)


def test_verifier_rejects_malformed_inclusion_arguments() -> None:
    root = merkle.root_hash(STORE, 8)
    leaf = verify.leaf_hash(LEAVES[0])
    proof = merkle.inclusion_proof(STORE, 0, 8)
    for args, message in [
        ((8, 8, leaf, proof, root), "outside a tree"),
        ((0, 0, leaf, [], root), "outside a tree"),
        ((0, 8, leaf[:31], proof, root), "32-byte"),
        ((0, 8, leaf, [*proof[:2], b""], root), "32-byte"),
        ((0, 8, leaf, proof, root + b"\x00"), "32-byte"),
        ((0, 8, leaf, [*proof, proof[0]], root), "more hashes"),
        ((0, 8, leaf, proof[:2], root), "fewer hashes"),
    ]:
        with pytest.raises(verify.VerificationError, match=message):
            verify.verify_inclusion(*args)
