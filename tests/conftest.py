"""Shared test setup: hypothesis profiles, the soak marker, and the looop test helpers.

Soak tests (`@pytest.mark.soak`: minutes of random kills, many rounds of
races) run in CI (CI=true) or with `--soak`; elsewhere they are skipped, so a
developer's run stays short. `-m soak` runs only them.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

pytest_plugins = ["tests.helpers", "tests.shipping"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--soak", action="store_true", help="also run the soak tests (CI=true does too)")


# The files whose tests take longest (soaks, builds, installs, real CLIs): they start first, so the
# suite's four processes are not left waiting on one of them at the end.
SLOW_FIRST = ("tests/test_crash.py", "tests/test_zipapp.py", "tests/test_install_sh.py", "tests/test_packaging.py",
              "tests/test_concurrency.py", "tests/real/", "tests/serve/test_browser.py")


def _slow_rank(item: pytest.Item) -> int:
    where = item.nodeid.split("::", 1)[0]
    return next((n for n, prefix in enumerate(SLOW_FIRST) if where.startswith(prefix)), len(SLOW_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_slow_rank)  # stable: the order within each group stays
    if config.getoption("--soak") or os.environ.get("CI") or "soak" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="soak test: runs in CI (CI=true) or with --soak")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)
