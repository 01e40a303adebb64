"""Tests against the real vendors: skipped unless pointed at one (CI has none)."""

from __future__ import annotations

import pytest

from tests.contract.vendors.itflow_target import live_enabled


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if live_enabled():
        return
    skip = pytest.mark.skip(reason="set SYNCD_LIVE_ITFLOW_URL and SYNCD_LIVE_ITFLOW_KEY to run against a real ITFlow "
                                   "(tools/itflow-live/setup.sh stands one up)")
    for item in items:
        if "tests/live/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(skip)
