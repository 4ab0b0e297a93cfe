from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardware.streams.simulator import SimulatorProcess


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    """A stream simulator child process serving SIM-0001 and SIM-0002."""
    sim = SimulatorProcess(tmp_path_factory.mktemp("clips"), cameras=2)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def clip_dir(simulator: SimulatorProcess) -> Path:
    return simulator.cache_dir
