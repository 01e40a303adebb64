"""The ITFlow tests, run against the real ITFlow: every test of ``tests/contract/test_itflow.py`` and the
shared contract suite, unchanged, with ``target`` / ``vendor`` pointing at ``SYNCD_LIVE_ITFLOW_URL``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType

import pytest

from tests.contract.test_contract import *  # noqa: F403  (the shared contract suite, collected here again)
from tests.contract.test_itflow import *  # noqa: F403
from tests.contract.vendors import itflow_live
from tests.contract.vendors.itflow_target import Target, live


@pytest.fixture
async def target() -> AsyncIterator[Target]:
    async with live() as t:
        yield t


@pytest.fixture(params=["itflow-live"])
def vendor(request: pytest.FixtureRequest) -> ModuleType:
    return itflow_live
