"""Shared test fixtures: where the reference data and the dev images live.

The golden outputs of the official models are found through SAMROI_REFERENCE (default
../shared/reference beside the repository), the dev images through SAMROI_DEV_DATA (default
../shared/data/dev). Where they are missing the tests that need them skip with a message,
except under CI=true, where a missing fixture is a failure: CI must test fidelity.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def _fixture_dir(env: str, default: Path) -> Path:
    path = Path(os.environ.get(env, default))
    if not path.is_dir():
        message = f"{path} not found (set {env} to the folder)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"required test data missing under CI: {message}")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference: random-initialised official-format checkpoints + golden outputs."""
    return _fixture_dir("SAMROI_REFERENCE", SHARED / "reference")


@pytest.fixture(scope="session")
def dev_data_dir() -> Path:
    """../shared/data/dev: real microscopy images with instance labels."""
    return _fixture_dir("SAMROI_DEV_DATA", SHARED / "data" / "dev")
