"""Shared fixtures: paths to the bundled models and to the real data sets.

The real data sets live beside the repository in ``../shared/data``. A test that
needs them skips when the folder is missing, except under CI (``CI=true``), where a
missing folder is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "process_models"
SHARED_DATA = Path(os.environ.get("WORKBENCH_DATA", REPO.parent / "shared" / "data"))


def shared_data_file(relative: str) -> Path:
    """Return the path of a real data file, skipping (or failing under CI) if absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"real data file not found: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def call_center_tsv() -> Path:
    return shared_data_file("call_center/anonymous_bank_1999-02.tsv")


@pytest.fixture
def receipt_xes() -> Path:
    return shared_data_file("event_logs/receipt_wabo.xes.gz")


@pytest.fixture
def running_example_xes() -> Path:
    return shared_data_file("event_logs/running-example.xes")


@pytest.fixture
def running_example_csv() -> Path:
    return shared_data_file("event_logs/running-example.csv")


def bundled_model_paths() -> list[Path]:
    """Every bundled scenario file, ``process_models/<process>/<scenario>.yaml``."""
    return sorted(MODELS.glob("*/*.yaml"))
