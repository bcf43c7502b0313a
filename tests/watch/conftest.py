"""Watch tests start real workers too: none may outlive its test."""

from tests.fleet.conftest import no_stray_workers  # noqa: F401  (an autouse fixture)
