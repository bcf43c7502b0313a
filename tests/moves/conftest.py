"""Typed moves start workers too: none may outlive its test."""

from tests.fleet.conftest import no_stray_workers  # noqa: F401  (autouse)
