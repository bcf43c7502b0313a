"""The guardrail knobs: env > config key > default, read without jsonschema.

Each knob is one line in the config schema and one env var; a bad env value
is one clear line naming the variable (exit 2), like the cadence knobs.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from looop.errors import FatalError

# name: (env var, config key, default)
KNOBS: dict[str, tuple[str, str, Any]] = {
    "max_decides_per_hour": ("LOOOP_MAX_DECIDES_PER_HOUR", "max_decides_per_hour", 120),
    "daily_budget_usd": ("LOOOP_DAILY_BUDGET_USD", "daily_budget_usd", None),
    "runner_retries": ("LOOOP_RUNNER_RETRIES", "runner_retries", 0),
    "runner_retry_match": ("LOOOP_RUNNER_RETRY_MATCH", "runner_retry_match", None),
    "runner_retry_delay": ("LOOOP_RUNNER_RETRY_DELAY", "runner_retry_delay", 10),
    "flap_beats": ("LOOOP_FLAP_BEATS", "flap_beats", 5),
    "noop_ttl": ("LOOOP_NOOP_TTL", "noop_ttl", 6 * 3600),
    "max_workers": ("LOOOP_MAX_WORKERS", "max_workers", 8),
    "worker_stuck": ("LOOOP_WORKER_STUCK", "worker_stuck", 900),
    "verify_timeout": ("LOOOP_VERIFY_TIMEOUT", "verify_timeout", 60),
}


def raw(name: str, config: Mapping[str, Any] | None, env: Mapping[str, str] | None = None) -> tuple[Any, str]:
    """(value, where it came from) before any conversion."""
    var, key, default = KNOBS[name]
    env = os.environ if env is None else env
    given = env.get(var, "").strip()
    if given:
        return given, var
    if isinstance(config, Mapping) and config.get(key) is not None:
        return config[key], f"config {key}"
    return default, "default"


def whole(name: str, config: Mapping[str, Any] | None, env: Mapping[str, str] | None = None) -> int:
    value, where = raw(name, config, env)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise FatalError(f"{where}={value!r}: must be a whole number >= 0", 2)


def amount(name: str, config: Mapping[str, Any] | None, env: Mapping[str, str] | None = None) -> float | None:
    value, where = raw(name, config, env)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if isinstance(value, bool) or not number >= 0 or number == float("inf"):
        raise FatalError(f"{where}={value!r}: must be a number of US dollars >= 0", 2)
    return number


def pattern(name: str, config: Mapping[str, Any] | None, env: Mapping[str, str] | None = None):
    """A compiled regex, or None when unset."""
    import re

    value, where = raw(name, config, env)
    if not value:
        return None
    try:
        return re.compile(str(value))
    except re.error as exc:
        raise FatalError(f"{where}={value!r}: not a valid regular expression ({exc})", 2) from None


def config_dict(path: Any) -> dict[str, Any] | None:
    """The config as plain JSON (no validation): for read-only verbs like status."""
    from looop.fsio import read_json_object

    return read_json_object(path)
