"""Mailbox tests start real workers and real waiting `looop` processes: none may outlive its test."""

from __future__ import annotations

from tests.fleet.conftest import no_stray_workers  # noqa: F401  (autouse: kills the test's workers)
