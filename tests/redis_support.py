"""Redis for the tests of state shared across workers (127.0.0.1:6379 here and in CI)."""

from __future__ import annotations

import os
import uuid

import pytest

REDIS_URL = os.environ.get("DSOP_TEST_REDIS", "redis://127.0.0.1:6379/0")
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: Redis "down"


def redis_url() -> str:
    """The test Redis, or the test is skipped (the embedded default needs none)."""
    from opendsop.contracts.state import check_reachable

    if (problem := check_reachable(REDIS_URL)) is not None:
        pytest.skip(problem)
    return REDIS_URL


def unique_prefix() -> str:
    return f"dsop-test:{uuid.uuid4()}:"
