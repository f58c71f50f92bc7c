"""RFC 6962 / 9162 hashing, proofs and verifiers against the reference vectors and forgeries."""

from __future__ import annotations

import hashlib

import pytest

from educredit.audit import merkle

# transparency-dev/merkle testonly (also RFC 6962's reference implementation's test data).
LEAVES = [
    bytes.fromhex(h)
    for h in [
        *("", "00", "10", "2021", "3031", "40414243", "5051525354555657"),
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION_0_OF_8 = [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]
CONSISTENCY = {
    (1, 8): INCLUSION_0_OF_8,
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
HASHES = [merkle.leaf_hash(d) for d in LEAVES]


def hexes(values: list[bytes]) -> list[str]:
    return [v.hex() for v in values]


def test_empty_tree_root_is_hash_of_nothing():
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()
    assert merkle.CompactRange().root() == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_reference_vectors(size):
    assert merkle.root_of(HASHES[:size]).hex() == ROOTS[size - 1]


def test_size_8_root_from_the_anchor():
    assert merkle.root_of(HASHES).hex().startswith("5dc9da79")


def test_compact_range_resumes_from_a_stored_frontier():
    first = merkle.CompactRange()
    first.extend(HASHES[:5])
    resumed = merkle.CompactRange(first.size, first.hashes)
    resumed.extend(HASHES[5:])
    assert resumed.root().hex() == ROOTS[7]
    with pytest.raises(ValueError):
        merkle.CompactRange(5, first.hashes[:1])


def test_inclusion_proof_matches_reference():
    assert hexes(merkle.inclusion_proof(HASHES, 0)) == INCLUSION_0_OF_8


@pytest.mark.parametrize(("first", "second"), sorted(CONSISTENCY))
def test_consistency_proofs_match_reference(first, second):
    proof = merkle.consistency_proof(HASHES, first, second)
    assert hexes(proof) == CONSISTENCY[(first, second)]
    assert merkle.verify_consistency(
        first, second, proof, bytes.fromhex(ROOTS[first - 1]), bytes.fromhex(ROOTS[second - 1])
    )


def test_every_honest_proof_verifies_up_to_33_leaves():
    leaves = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(33)]
    for n in range(1, 34):
        root = merkle.root_of(leaves[:n])
        for m in range(n):
            proof = merkle.inclusion_proof(leaves, m, n)
            assert merkle.verify_inclusion(leaves[m], m, n, proof, root), (m, n)
        for m in range(n + 1):
            proof = merkle.consistency_proof(leaves, m, n)
            old = merkle.root_of(leaves[:m])
            assert merkle.verify_consistency(m, n, proof, old, root), (m, n)


class TestForgedInclusionProofs:
    """A verifier must reject anything but the exact proof for the exact tree."""

    root = bytes.fromhex(ROOTS[6])  # size 7: an unbalanced tree
    index = 4
    proof = merkle.inclusion_proof(HASHES, 4, 7)

    def test_honest_proof_accepted(self):
        assert merkle.verify_inclusion(HASHES[4], self.index, 7, self.proof, self.root)

    def test_wrong_index(self):
        for index in (3, 5, 6):
            assert not merkle.verify_inclusion(HASHES[4], index, 7, self.proof, self.root)

    def test_index_outside_the_tree(self):
        assert not merkle.verify_inclusion(HASHES[4], 7, 7, self.proof, self.root)
        assert not merkle.verify_inclusion(HASHES[4], -1, 7, self.proof, self.root)

    def test_truncated_proof(self):
        assert not merkle.verify_inclusion(HASHES[4], self.index, 7, self.proof[:-1], self.root)

    def test_extended_proof(self):
        for extra in (self.proof[-1], merkle.EMPTY_ROOT, self.root):
            proof = [*self.proof, extra]
            assert not merkle.verify_inclusion(HASHES[4], self.index, 7, proof, self.root)

    def test_wrong_size(self):
        # A size comes signed together with its root: each wrong size with its own real root.
        for size in (5, 6, 8):
            root = bytes.fromhex(ROOTS[size - 1])
            assert not merkle.verify_inclusion(HASHES[4], self.index, size, self.proof, root)
        # A size whose tree is shaped differently along the path, even with this root.
        for size in (5, 6, 9, 16):
            assert not merkle.verify_inclusion(HASHES[4], self.index, size, self.proof, self.root)

    def test_wrong_leaf_or_root_or_node(self):
        assert not merkle.verify_inclusion(HASHES[3], self.index, 7, self.proof, self.root)
        assert not merkle.verify_inclusion(HASHES[4], self.index, 7, self.proof, HASHES[0])
        tampered = [self.proof[0], bytes(32), *self.proof[2:]]
        assert not merkle.verify_inclusion(HASHES[4], self.index, 7, tampered, self.root)

    def test_subtree_root_passed_off_as_a_leaf(self):
        # The root of leaves 4-5 "proved" at index 2 of a 3-wide view: the size check stops it.
        inner = merkle.node_hash(HASHES[4], HASHES[5])
        proof = self.proof[1:]
        assert not merkle.verify_inclusion(inner, 2, 7, proof, self.root)

    def test_single_leaf_tree_needs_an_empty_proof(self):
        assert merkle.verify_inclusion(HASHES[0], 0, 1, [], HASHES[0])
        assert not merkle.verify_inclusion(HASHES[0], 0, 1, [HASHES[1]], HASHES[0])

    def test_malformed_node_length(self):
        proof = [self.proof[0][:31], *self.proof[1:]]
        assert not merkle.verify_inclusion(HASHES[4], self.index, 7, proof, self.root)


class TestForgedConsistencyProofs:
    first, second = 6, 8
    old, new = bytes.fromhex(ROOTS[5]), bytes.fromhex(ROOTS[7])
    proof = [bytes.fromhex(h) for h in CONSISTENCY[(6, 8)]]

    def test_truncated_or_extended(self):
        assert not merkle.verify_consistency(6, 8, self.proof[:-1], self.old, self.new)
        assert not merkle.verify_consistency(6, 8, [*self.proof, self.new], self.old, self.new)

    def test_wrong_sizes(self):
        for first, second in ((5, 8), (7, 8), (6, 9), (8, 6)):
            assert not merkle.verify_consistency(first, second, self.proof, self.old, self.new)
        # Size 7 with its own root (sizes are signed together with their roots).
        assert not merkle.verify_consistency(6, 7, self.proof, self.old, bytes.fromhex(ROOTS[6]))

    def test_wrong_roots(self):
        assert not merkle.verify_consistency(6, 8, self.proof, bytes.fromhex(ROOTS[4]), self.new)
        assert not merkle.verify_consistency(6, 8, self.proof, self.old, bytes.fromhex(ROOTS[6]))

    def test_empty_proof_only_for_equal_or_empty_trees(self):
        assert not merkle.verify_consistency(6, 8, [], self.old, self.new)
        assert merkle.verify_consistency(8, 8, [], self.new, self.new)
        assert not merkle.verify_consistency(8, 8, [self.new], self.new, self.new)
        assert merkle.verify_consistency(0, 8, [], merkle.EMPTY_ROOT, self.new)
        assert not merkle.verify_consistency(0, 8, [], self.old, self.new)

    def test_power_of_two_first_size(self):
        proof = [bytes.fromhex(h) for h in CONSISTENCY[(1, 8)]]
        leaf = bytes.fromhex(ROOTS[0])
        assert merkle.verify_consistency(1, 8, proof, leaf, self.new)
        assert not merkle.verify_consistency(1, 8, proof, HASHES[1], self.new)
