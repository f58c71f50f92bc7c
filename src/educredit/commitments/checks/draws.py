"""The sampling draw (抽查) of commitments to check: documented, seeded and reproducible.

Method ``sha256-rank-v1``, which anyone can redo from what a draw keeps:

1. the pool is the list of the 承诺编码 waiting to be checked, sorted; its digest is the SHA-256
   of the codes joined by a line feed (UTF-8);
2. the sample size is the rate (per cent) of the pool, rounded up, at least one of a pool that
   is not empty;
3. each code's rank is the SHA-256 hex digest of ``seed + ":" + code``; the codes with the
   smallest ranks are drawn, in that order.

The seed is 128 random bits from the operating system, chosen at the draw and kept with it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

METHOD = "sha256-rank-v1"


def new_seed() -> str:
    """A fresh seed: 32 hex digits from the operating system's random source."""
    return secrets.token_hex(16)


def sorted_pool(codes: Iterable[str]) -> list[str]:
    """The pool as the draw records it: the codes sorted, each once."""
    return sorted(set(codes))


def pool_digest(pool: list[str]) -> str:
    """SHA-256 of the sorted codes joined by line feeds."""
    return hashlib.sha256("\n".join(sorted_pool(pool)).encode()).hexdigest()


def sample_size(pool_size: int, rate: int) -> int:
    """``rate`` per cent of the pool, rounded up; at least one of a pool that is not empty."""
    if pool_size <= 0:
        return 0
    rate = max(0, min(100, rate))
    return min(pool_size, max(1, -(-pool_size * rate // 100)))


def rank(seed: str, code: str) -> str:
    """A code's place in the draw: the SHA-256 of ``seed:code``; the smallest are drawn."""
    return hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()


def draw(seed: str, pool: Iterable[str], rate: int) -> list[str]:
    """The codes drawn from ``pool`` with ``seed`` at ``rate`` per cent, in draw order."""
    codes = sorted_pool(pool)
    ranked = sorted(codes, key=lambda code: rank(seed, code))
    return ranked[: sample_size(len(codes), rate)]
