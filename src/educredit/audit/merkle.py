"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and proof verification (pure, no Django).

Leaves are already hashed (``leaf_hash(d) = SHA-256(0x00 ‖ d)``); interior nodes are
``SHA-256(0x01 ‖ left ‖ right)``; the left subtree of a tree of ``n`` leaves holds the largest
power of two strictly less than ``n``; the empty tree's root is ``SHA-256("")``. Odd leaves are
never duplicated. The verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2 to the letter, including
the checks that the proof consumes the whole tree: shipped verifiers that skipped them accepted
forged proofs (GHSA-672p-m5jq-mrh8).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly less than ``n`` (``n`` ≥ 2)."""
    if n < 2:
        raise ValueError("a split needs at least two leaves")
    return 1 << ((n - 1).bit_length() - 1)


class CompactRange:
    """Root of a growing tree in O(log n) memory: the perfect subtrees of the leaves so far.

    After ``n`` leaves, ``hashes`` holds one root per set bit of ``n``, largest (leftmost) first.
    Folding them from the right gives exactly the RFC 6962 root, so a tree over millions of
    entries can be hashed while streaming them, and a sealed tree head can store its range to
    let the next seal continue from where it stopped.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != bin(size).count("1"):
            raise ValueError("a compact range holds one hash per set bit of its size")
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add the next leaf hash; return the subtree roots it completes as (level, position,
        hash): the node over leaves [position * 2**level, (position + 1) * 2**level)."""
        self.hashes.append(leaf)
        size = self.size
        completed: list[tuple[int, int, bytes]] = []
        level = 0
        # Each trailing one bit of the old size is a perfect subtree the new leaf completes.
        while size & 1:
            right = self.hashes.pop()
            left = self.hashes.pop()
            node = node_hash(left, right)
            self.hashes.append(node)
            level += 1
            completed.append((level, self.size >> level, node))
            size >>= 1
        self.size += 1
        return completed

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add several leaf hashes in order."""
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """The Merkle tree hash of all leaves added so far."""
        if not self.hashes:
            return EMPTY_ROOT
        root = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            root = node_hash(left, root)
        return root


def root_of(leaves: Sequence[bytes], lo: int = 0, hi: int | None = None) -> bytes:
    """MTH(D[lo:hi]) over leaf hashes (the whole sequence by default)."""
    end = len(leaves) if hi is None else hi
    tree = CompactRange()
    for index in range(lo, end):
        tree.append(leaves[index])
    return tree.root()


def perfect_pieces(lo: int, hi: int) -> list[tuple[int, int]]:
    """The leaves [lo, hi) as aligned perfect subtrees (level, position), left to right: the
    fewest stored nodes whose fold is MTH(D[lo:hi]) (at most two per level)."""
    pieces: list[tuple[int, int]] = []
    while lo < hi:
        level = (lo & -lo).bit_length() - 1 if lo else (hi - lo).bit_length() - 1
        while lo + (1 << level) > hi:
            level -= 1
        pieces.append((level, lo >> level))
        lo += 1 << level
    return pieces


def fold_pieces(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect pieces (``perfect_pieces`` order), as a compact range
    folds: from the right."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose roots make PATH(index, D[0:size]), from the leaf up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    ranges: list[tuple[int, int]] = []
    lo, hi, m = 0, size, index
    # Walk down from the root, collecting the sibling at each level; reverse at the end.
    while hi - lo > 1:
        k = split_point(hi - lo)
        if m < k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m = lo + k, m - k
    ranges.reverse()
    return ranges


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The leaf ranges whose roots make PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1)."""
    if not 0 <= first <= second:
        raise ValueError(f"cannot prove size {first} consistent with size {second}")
    if first in (0, second):
        return []
    ranges: list[tuple[int, int]] = []
    lo, hi, m, whole = 0, second, first, True
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int | None = None) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1: sibling hashes from the leaf up."""
    n = len(leaves) if size is None else size
    if n > len(leaves):
        raise ValueError(f"a tree of {n} leaves needs {n} leaf hashes")
    return [root_of(leaves, lo, hi) for lo, hi in inclusion_ranges(index, n)]


def consistency_proof(
    leaves: Sequence[bytes], first: int, second: int | None = None
) -> list[bytes]:
    """PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1 (empty when first is 0 or equal)."""
    n = len(leaves) if second is None else second
    if n > len(leaves):
        raise ValueError(f"cannot prove size {first} consistent with size {n}")
    return [root_of(leaves, lo, hi) for lo, hi in consistency_ranges(first, n)]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows ``leaf`` at ``index`` in the tree of ``size`` with ``root``."""
    if not 0 <= index < size or any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False  # the proof is longer than the tree is deep
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    # sn == 0 means the path climbed to the root of exactly this tree size.
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """Whether ``proof`` shows the tree of size ``first`` is a prefix of the one of ``second``."""
    if not 0 <= first <= second or any(len(p) != HASH_SIZE for p in proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        # Every tree extends the empty one; RFC 9162 defines no proof for it.
        return not proof and first_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
