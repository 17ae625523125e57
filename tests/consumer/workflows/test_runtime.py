"""The real runtime refuses before any I/O what the agency may not run or cannot run."""

from __future__ import annotations

import pytest

from opendsop.consumer.settings import ConsumerSettings
from opendsop.consumer.workflows import WorkflowRefused
from opendsop.consumer.workflows.runtime import open_runtime

pytestmark = pytest.mark.anyio
SKATTEETATEN = "974761076"


@pytest.mark.parametrize(
    ("service", "parameter"),
    [
        pytest.param("konkurs", "service", id="konkurs-is-not-skatteetatens-service"),
        pytest.param("skatt", "settings", id="no-grant-or-encryption-key"),
    ],
)
async def test_open_runtime_refuses(service: str, parameter: str) -> None:
    settings = ConsumerSettings(orgno=SKATTEETATEN, client_id="skatt-agency")
    with pytest.raises(WorkflowRefused) as refused:
        async with open_runtime(service, settings):
            pass
    assert refused.value.parameter == parameter
