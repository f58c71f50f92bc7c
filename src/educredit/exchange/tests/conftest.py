"""A real platform simulator on loopback for every test that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from educredit.exchange.simulator import PlatformSimulator


@pytest.fixture
def platform() -> Iterator[PlatformSimulator]:
    sim = PlatformSimulator("127.0.0.1", 0).start()
    yield sim
    sim.stop()
