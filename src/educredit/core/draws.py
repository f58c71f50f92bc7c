"""The one consistent sampler of the platform: seeded, order-free and reproducible by anyone.

Every random choice the platform makes in public — the commitments' check sample, the
双随机一公开 targets and inspectors — ranks its candidates by a **ticket**, the SHA-256 hex
digest of ``seed + ":" + candidate``, and takes the lowest tickets. The order the pool comes
in does not matter (a candidate's ticket depends only on the seed and its own identifier),
drawing one more never changes the earlier picks, and a pool is committed to by its digest:
the SHA-256 of its identifiers, sorted and joined by line feeds (UTF-8). These few lines are
what a standard-library script outside the product repeats.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable


def new_seed() -> str:
    """A fresh seed: 32 hex digits from the operating system's random source."""
    return secrets.token_hex(16)


def sorted_pool(candidates: Iterable[str]) -> list[str]:
    """The pool as a draw records it: the identifiers sorted, each once."""
    return sorted(set(candidates))


def pool_digest(candidates: Iterable[str]) -> str:
    """SHA-256 of the sorted identifiers joined by line feeds."""
    return hashlib.sha256("\n".join(sorted_pool(candidates)).encode()).hexdigest()


def ticket(seed: str, candidate: str) -> str:
    """A candidate's ticket: the SHA-256 of ``seed:candidate``; the lowest are drawn."""
    return hashlib.sha256(f"{seed}:{candidate}".encode()).hexdigest()


def ranked(seed: str, candidates: Iterable[str]) -> list[str]:
    """The pool in draw order: lowest ticket first."""
    return sorted(sorted_pool(candidates), key=lambda candidate: ticket(seed, candidate))


def drawn(seed: str, candidates: Iterable[str], count: int) -> list[str]:
    """The ``count`` candidates with the lowest tickets, in draw order."""
    return ranked(seed, candidates)[: max(0, count)]


def sample_size(pool_size: int, rate: int, *, minimum: int = 1) -> int:
    """``rate`` per cent of the pool rounded up, at least ``minimum``, at most the pool."""
    if pool_size <= 0:
        return 0
    rate = max(0, min(100, rate))
    return min(pool_size, max(minimum, -(-pool_size * rate // 100)))
