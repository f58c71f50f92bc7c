"""The sampling draw (抽查) of commitments to check: documented, seeded and reproducible.

Method ``sha256-rank-v1``, which anyone can redo from what a draw keeps, on the platform's one
consistent sampler (``core.draws``):

1. the pool is the list of the 承诺编码 waiting to be checked, sorted; its digest is the SHA-256
   of the codes joined by a line feed (UTF-8);
2. the sample size is the rate (per cent) of the pool, rounded up, at least one of a pool that
   is not empty;
3. each code's rank is the SHA-256 hex digest of ``seed + ":" + code``; the codes with the
   smallest ranks are drawn, in that order.

The seed is 128 random bits from the operating system, chosen at the draw and kept with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from educredit.core import draws as sampler
from educredit.core.draws import new_seed, pool_digest, sorted_pool

METHOD = "sha256-rank-v1"

__all__ = ["METHOD", "draw", "new_seed", "pool_digest", "rank", "sample_size", "sorted_pool"]


def sample_size(pool_size: int, rate: int) -> int:
    """``rate`` per cent of the pool, rounded up; at least one of a pool that is not empty."""
    return sampler.sample_size(pool_size, rate)


def rank(seed: str, code: str) -> str:
    """A code's place in the draw: the SHA-256 of ``seed:code``; the smallest are drawn."""
    return sampler.ticket(seed, code)


def draw(seed: str, pool: Iterable[str], rate: int) -> list[str]:
    """The codes drawn from ``pool`` with ``seed`` at ``rate`` per cent, in draw order."""
    codes = sorted_pool(pool)
    return sampler.drawn(seed, codes, sample_size(len(codes), rate))
