"""Shared fixtures: ring files in a temporary directory, and the spec's path."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

PYTHON_DIR = Path(__file__).resolve().parent.parent
# For runs that do not pick up python/pyproject.toml's `pythonpath` (another rootdir).
if str(PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(PYTHON_DIR))

from cift.layout import RingKind  # noqa: E402
from cift.ring import SharedMemoryRing  # noqa: E402

SPEC_PATH = PYTHON_DIR.parent / "specs" / "shm-ring.md"


@pytest.fixture
def spec_text() -> str:
    """The text of specs/shm-ring.md."""
    return SPEC_PATH.read_text(encoding="utf-8")


@pytest.fixture
def make_ring(tmp_path: Path) -> Iterator[Callable[..., SharedMemoryRing]]:
    """Creates ring files under the test's temporary directory; unmaps them afterwards."""
    rings: list[SharedMemoryRing] = []

    def make(kind: RingKind = RingKind.SIGNALS, capacity: int = 8, name: str = "ring") -> SharedMemoryRing:
        ring = SharedMemoryRing.create(os.fspath(tmp_path / name), kind, capacity)
        rings.append(ring)
        return ring

    yield make
    for ring in rings:
        ring.close()
