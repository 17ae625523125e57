"""Fixtures for the authority tests (helpers live in authority_helpers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from opendsop.trust.keys import generate_rsa_key
from tests.authority.authority_helpers import Clock, Pki, make_pki


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(scope="session")
def client_key() -> Any:
    return generate_rsa_key(kid="client-key-1")
