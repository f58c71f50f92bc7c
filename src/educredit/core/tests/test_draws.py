"""The consistent sampler: order-free, prefix-stable, committed to by the pool's digest."""

from __future__ import annotations

import hashlib
import random

from educredit.core import draws

POOL = [f"91410100MA{n:08d}" for n in range(40)]


def test_the_order_of_the_pool_does_not_matter() -> None:
    shuffled = POOL[:]
    random.Random(7).shuffle(shuffled)
    assert draws.drawn("seed-1", POOL, 5) == draws.drawn("seed-1", shuffled, 5)
    assert draws.pool_digest(POOL) == draws.pool_digest(reversed(POOL))


def test_drawing_more_never_changes_the_earlier_picks() -> None:
    assert draws.drawn("seed-2", POOL, 8)[:3] == draws.drawn("seed-2", POOL, 3)


def test_a_ticket_is_the_sha256_of_seed_and_candidate() -> None:
    expected = hashlib.sha256(b"abc:91410100MA00000001").hexdigest()
    assert draws.ticket("abc", "91410100MA00000001") == expected
    tickets = [draws.ticket("abc", c) for c in draws.ranked("abc", POOL)]
    assert tickets == sorted(tickets)


def test_the_pool_digest_is_of_the_sorted_identifiers_joined_by_line_feeds() -> None:
    assert draws.pool_digest(["b", "a", "a"]) == hashlib.sha256(b"a\nb").hexdigest()


def test_sample_size_rounds_up_with_a_minimum_and_never_exceeds_the_pool() -> None:
    assert draws.sample_size(0, 5) == 0
    assert draws.sample_size(40, 5) == 2
    assert draws.sample_size(41, 5) == 3  # 2.05 rounded up
    assert draws.sample_size(10, 1) == 1  # at least one
    assert draws.sample_size(10, 1, minimum=4) == 4
    assert draws.sample_size(3, 100, minimum=5) == 3
