"""Every tuning knob in one table: env var > config key > default, one parser.

Each knob is declared once (type, range, default, help); `looop help` lists
them from this table. A bad value is one clear line naming the knob (exit 2),
never a traceback or a silent nonsense cadence; no jsonschema on this path.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from typing import Any

from looop.core.errors import ExitStatus, FatalError

DAY = 86400
NO_LIMIT = 10**12  # a knob's `high` when it has no upper limit


class Knob:
    """One knob (a plain class: a dataclass would cost every start of the CLI a few ms)."""

    __slots__ = ("default", "env", "floor", "help", "high", "key", "kind", "low")

    def __init__(self, env: str | None, key: str | None, kind: str, default: Any, help: str, *,
                 low: float = 0, high: float = NO_LIMIT, floor: float | None = None) -> None:
        self.env = env  # the environment variable (wins over the config key)
        self.key = key  # the config key, if the config may set it
        self.kind = kind  # whole | seconds | number | dollars | regex | switch
        self.default = default
        self.help = help
        self.low, self.high = low, high
        self.floor = floor  # a value below it (but >= low) is raised to it, with a note


# One entry per knob. To add one: a line here; read it with `knobs.get(name, config)`.
KNOBS: dict[str, Knob] = {
    "interval": Knob("LOOOP_INTERVAL", "interval", "seconds", 60, "wait after a beat that did not act, with no live worker", high=DAY, floor=1),
    "busy_interval": Knob("LOOOP_BUSY_INTERVAL", "busy_interval", "seconds", 60, "wait after a beat that acted",
                          high=DAY, floor=1),
    "active_interval": Knob("LOOOP_ACTIVE_INTERVAL", "active_interval", "seconds", 60,
                            "wait while a worker is alive", high=DAY, floor=1),
    "max_decides_per_hour": Knob("LOOOP_MAX_DECIDES_PER_HOUR", "max_decides_per_hour", "whole", 120,
                                 "skip the runner after this many decisions in an hour; 0 = no cap"),
    "daily_budget_usd": Knob("LOOOP_DAILY_BUDGET_USD", "daily_budget_usd", "dollars", None,
                             "skip the runner once today's spend (host local day) reaches this", high=10**6),
    "runner_retries": Knob("LOOOP_RUNNER_RETRIES", "runner_retries", "whole", 0,
                           "retries of a failed runner within one beat", high=10),
    "runner_retry_match": Knob("LOOOP_RUNNER_RETRY_MATCH", "runner_retry_match", "regex", None,
                               "only matching output is retried; a match fails the beat even on exit 0"),
    "runner_retry_delay": Knob("LOOOP_RUNNER_RETRY_DELAY", "runner_retry_delay", "seconds", 10,
                               "wait before the first retry, doubling after", high=300),
    "flap_beats": Knob("LOOOP_FLAP_BEATS", "flap_beats", "whole", 5,
                       "a signal changed on this many decided beats in a row is flapping; 0 = off"),
    "noop_ttl": Knob("LOOOP_NOOP_TTL", "noop_ttl", "seconds", 6 * 3600,
                     "after a decision that changed nothing, decide again once still this long; 0 = off"),
    "tick_timeout": Knob("LOOOP_TICK_TIMEOUT", None, "seconds", 900, "kill a hung runner and fail the beat; 0 = none",
                         high=7 * DAY),
    "sensor_timeout": Knob("LOOOP_SENSOR_TIMEOUT", None, "number", 60, "seconds per sensor; 0 = none", high=DAY),
    "sensor_max_bytes": Knob("LOOOP_SENSOR_MAX_BYTES", None, "whole", 8192, "a reading's size cap; 0 = no cap",
                             high=1 << 30),
    "sensor_jobs": Knob("LOOOP_SENSOR_JOBS", None, "whole", 16, "how many sensors run at once", low=1, high=1024),
    "runs_keep": Knob("LOOOP_RUNS_KEEP", None, "whole", 50, "newest run dirs kept; 0 = all"),
    "prompt_body_max": Knob("LOOOP_PROMPT_BODY_MAX", None, "whole", 32768, "characters per body in the prompt",
                            low=1, high=1 << 30),
    "run_log_bytes": Knob("LOOOP_RUN_LOG_BYTES", None, "whole", 4 << 20,
                          "a run's output.log (and tick.log) keeps this much: head and tail; 0 = all", high=1 << 40),
    "worker_log_bytes": Knob("LOOOP_WORKER_LOG_BYTES", None, "whole", 4 << 20,
                             "a worker's output log: two files of this size at most", low=1, high=1 << 40),
    "tmux_surface": Knob("LOOOP_TMUX_SURFACE", None, "switch", True, "open a tmux window per new flag"),
    "color": Knob("LOOOP_COLOR", None, "switch", None, "colour; when unset: only on a terminal without NO_COLOR"),
    "max_workers": Knob("LOOOP_MAX_WORKERS", "max_workers", "whole", 8,
                        "at most this many live workers: start-session beyond it is refused; 0 = no cap"),
    "worker_stuck": Knob("LOOOP_WORKER_STUCK", "worker_stuck", "seconds", 900,
                         "a live worker with no output this long is stuck; 0 = never"),
    "worker_still": Knob("LOOOP_WORKER_STILL", None, "seconds", 10,
                         "a live worker this long without output has its screen checked for a CLI dialog",
                         low=1, high=DAY),
    "doctor_timeout": Knob("LOOOP_DOCTOR_TIMEOUT", None, "seconds", 30,
                           "`looop doctor` gives each worker command this long to show a dialog", low=1, high=3600),
    "verify_timeout": Knob("LOOOP_VERIFY_TIMEOUT", "verify_timeout", "seconds", 60,
                           "a worker's --verify command is killed after this long and fails "
                           "(a beat spends at most twice this on checks)", low=1, high=DAY),
    "shell_timeout": Knob("LOOOP_SHELL_TIMEOUT", "shell_timeout", "seconds", 300,
                          "typed moves: kill a run_shell command (its whole group) after this long; 0 = none",
                          high=7 * DAY),
    "shell_allow_dangerous": Knob("LOOOP_SHELL_ALLOW_DANGEROUS", "shell_allow_dangerous", "whole", 0,
                                  "typed moves: 1 turns the run_shell deny-list off", high=1),
    "ask_timeout": Knob("LOOOP_ASK_TIMEOUT", "ask_timeout", "number", None,
                        "seconds `looop ask` waits before exit 3; 0 or none = forever", high=30 * DAY),
    "ask_progress": Knob("LOOOP_ASK_PROGRESS", None, "seconds", 60,
                         "a waiting `looop ask` prints a line to stderr this often, so shell tools "
                         "that time out a silent command do not; 0 = never", high=DAY),
    "notify_after_failures": Knob("LOOOP_NOTIFY_AFTER_FAILURES", "notify_after_failures", "whole", 3,
                                  "notify after this many failed beats in a row; 0 = never"),
    "notify_stall": Knob("LOOOP_NOTIFY_STALL", "notify_stall", "seconds", 1800,
                         "notify when a live worker wrote nothing and asked nothing this long; 0 = never", high=30 * DAY),
    "shell_progress": Knob("LOOOP_SHELL_PROGRESS", None, "seconds", 10,
                           "a run_shell silent this long says it still runs (each time); 0 = never", high=DAY),
    "events_max_bytes": Knob("LOOOP_EVENTS_MAX_BYTES", None, "whole", 10 << 20,
                             "events.jsonl rotates to events.jsonl.1.gz past this size (7 kept); 0 = never",
                             high=1 << 40),
    "worker_log_keep": Knob("LOOOP_WORKER_LOG_KEEP", "worker_log_keep", "seconds", 7 * DAY,
                            "a finished worker's session (log, screen, verify) is kept this long", high=365 * DAY),
}

_WHOLE = re.compile(r"[0-9]{1,15}")
_DECIMAL = re.compile(r"[0-9]{1,15}(\.[0-9]{1,9})?")
_noted: set[str] = set()


def raw(name: str, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
        ) -> tuple[Any, str]:
    """(value before any check, where it came from: the env var, `config <key>` or `default`)."""
    knob = KNOBS[name]
    env = os.environ if env is None else env
    given = env.get(knob.env, "").strip() if knob.env else ""
    if given:
        return given, knob.env or name
    if knob.key and isinstance(config, Mapping) and config.get(knob.key) is not None:
        return config[knob.key], f"config {knob.key}"
    return knob.default, "default"


def get(name: str, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Any:
    """The knob's value: env var > config key > default, checked against its range."""
    knob = KNOBS[name]
    value, where = raw(name, config, env)
    if where == "default":
        return value
    if where.startswith("config ") and isinstance(value, str) and knob.kind != "regex":  # JSON numbers only
        raise FatalError(f"{where}={value!r}: must be {describe(knob)} (a JSON number, not a string)", ExitStatus.BAD_INPUT)
    return parse(knob, value, where)


def from_env(name: str, env: Mapping[str, str] | None = None) -> Any:
    """The env var's value when it is set, else None (no config, no default)."""
    knob = KNOBS[name]
    env = os.environ if env is None else env
    given = env.get(knob.env, "").strip() if knob.env else ""
    return parse(knob, given, knob.env or name) if given else None


# Older call sites name the kind; the table knows it.
whole = amount = pattern = get


def check_env(env: Mapping[str, str] | None = None) -> None:
    """Every knob set in the environment parses (one line naming the first bad one)."""
    for name in KNOBS:
        from_env(name, env)


def parse(knob: Knob, value: Any, where: str) -> Any:
    if knob.kind == "regex":
        try:
            return re.compile(str(value))
        except re.error as exc:
            raise FatalError(f"{where}={value!r}: not a valid regular expression ({exc})", ExitStatus.BAD_INPUT) from None
    if knob.kind == "switch":
        if value in ("0", "1") or isinstance(value, bool):
            return value in ("1", True)
        raise FatalError(f"{where}={value!r}: must be 1 or 0", ExitStatus.BAD_INPUT)
    number = _number(value, knob.kind in ("whole", "seconds"))
    if number is None or not knob.low <= number <= knob.high:
        raise FatalError(f"{where}={value!r}: must be {describe(knob)}", ExitStatus.BAD_INPUT)
    if knob.floor is not None and number < knob.floor:
        if where not in _noted:
            _noted.add(where)
            import sys  # stderr: `status --json` keeps a clean stdout

            print(f"looop: {where}={value!r} is below the floor of {_show(knob.floor)} s: using {_show(knob.floor)} s",
                  file=sys.stderr, flush=True)
        number = type(number)(knob.floor)
    return number


def _number(value: Any, whole_only: bool) -> int | float | None:
    """An ASCII decimal (no sign, exponent, inf or nan), or a finite JSON number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if whole_only or not math.isfinite(value):
            return None
        return value
    if not isinstance(value, str) or not value.isascii():
        return None
    if _WHOLE.fullmatch(value):
        return int(value)
    if not whole_only and _DECIMAL.fullmatch(value):
        return float(value)
    return None


def describe(knob: Knob) -> str:
    unit = {"whole": "a whole number", "seconds": "a whole number of seconds", "number": "a number of seconds",
            "dollars": "a number of US dollars"}.get(knob.kind, knob.kind)
    low = _show(knob.low)
    return f"{unit} from {low} to {_show(knob.high)}" if knob.high < NO_LIMIT else f"{unit} >= {low}"


def _show(number: float) -> str:
    return str(int(number)) if number == int(number) else f"{number:g}"


def manual_lines() -> list[str]:
    """The manual's knob list, generated from the table."""
    lines = []
    for knob in KNOBS.values():
        where = " / ".join(x for x in (knob.key and f"config {knob.key}", knob.env) if x)
        default = "none" if knob.default is None else int(knob.default) if isinstance(knob.default, bool) \
            else knob.default
        kind = describe(knob) if knob.kind not in ("regex", "switch") else \
            ("a regular expression" if knob.kind == "regex" else "1 or 0")
        if knob.floor:
            kind += f"; below {_show(knob.floor)} means {_show(knob.floor)}"
        lines.append(f"  {where}   (default {default})")
        lines.append(f"      {knob.help} ({kind})")
    return lines


def config_dict(path: Any) -> dict[str, Any] | None:
    """The config as plain JSON (no validation): for read-only verbs like status."""
    from looop.core.fsio import read_json_object

    return read_json_object(path)


# -- the documents generated from the table: the config schema's knob bounds and the README's table ------------
# `python -m looop.core.knobs --write` rewrites both; the suite fails while either is stale.

SCHEMA_FILE = "schemas/config.schema.json"  # inside the package
README_BEGIN = "<!-- knob table: generated from looop/core/knobs.py by `python -m looop.core.knobs --write` -->"
README_END = "<!-- end of the knob table -->"


def schema_property(knob: Knob) -> dict[str, Any]:
    """The config schema's entry for a knob with a config key: its JSON type and the table's range."""
    if knob.kind == "regex":
        prop: dict[str, Any] = {"type": "string"}
    else:
        prop = {"type": "integer" if knob.kind in ("whole", "seconds") else "number", "minimum": knob.low}
        if knob.high < NO_LIMIT:
            prop["maximum"] = knob.high
    if knob.default is None:
        prop["type"] = [prop["type"], "null"]
    prop = {k: int(v) if isinstance(v, float) and v == int(v) else v for k, v in prop.items()}
    default = "none" if knob.default is None else _show(knob.default)
    prop["description"] = f"{knob.help[:1].upper()}{knob.help[1:]} (default {default}; env {knob.env})."
    return prop


def config_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` with every knob's property as the table says (the other properties kept as they are)."""
    properties = dict(schema["properties"])
    for knob in KNOBS.values():
        if knob.key:
            properties[knob.key] = schema_property(knob)
    return {**schema, "properties": properties}


def readme_table() -> list[str]:
    """The README's knob table (every knob), between its two marker lines."""
    rows = [README_BEGIN, "", "| config key | env | default | range | what it does |", "|---|---|---|---|---|"]
    for knob in KNOBS.values():
        unit = " s" if knob.kind in ("seconds", "number") else ""
        default = "none" if knob.default is None else str(int(knob.default)) if isinstance(knob.default, bool) \
            else f"{_show(knob.default)}{unit}"
        if knob.kind in ("regex", "switch"):
            span = "a regular expression" if knob.kind == "regex" else "1 or 0"
        else:
            span = (f"{_show(knob.low)}–{_show(knob.high)}" if knob.high < NO_LIMIT else f"≥ {_show(knob.low)}") + unit
            if knob.kind == "dollars":
                span = f"{span} USD"
            if knob.floor:
                span = f"{span} (below {_show(knob.floor)}: {_show(knob.floor)})"
        key, what = f"`{knob.key}`" if knob.key else "", knob.help.replace("|", r"\|")
        rows.append(f"| {key} | `{knob.env}` | {default} | {span} | {what} |")
    return [*rows, "", README_END]


def dump_schema(schema: Any, indent: int = 0, key: str = "") -> str:
    """JSON as the schema files are laid out: a property per line."""
    import json

    def depth(value: Any) -> int:
        return 1 + max((depth(v) for v in value.values()), default=0) if isinstance(value, dict) else 0

    if not isinstance(schema, dict) or (key != "properties" and indent and depth(schema) <= 2):
        return json.dumps(schema, ensure_ascii=False)
    pad = "  " * (indent + 1)
    inner = ",\n".join(f"{pad}{json.dumps(k)}: {dump_schema(v, indent + 1, k)}" for k, v in schema.items())
    return "{\n" + inner + "\n" + "  " * indent + "}"


def _documents() -> dict[Any, str]:
    """Each generated file → the text it must have."""
    import json
    from importlib import resources
    from pathlib import Path

    schema_file = Path(str(resources.files("looop").joinpath(SCHEMA_FILE)))
    out: dict[Any, str] = {schema_file: dump_schema(config_schema(json.loads(schema_file.read_text("utf-8")))) + "\n"}
    readme = schema_file.parent.parent.parent / "README.md"
    if readme.is_file():  # a checkout, not an installed wheel
        text = readme.read_text("utf-8")
        head, found, rest = text.partition(README_BEGIN)
        if found:
            tail = rest.partition(README_END)[2]
            out[readme] = head + "\n".join(readme_table()) + tail
    return out


def stale() -> list[str]:
    """The generated files that differ from what the table makes (empty when all agree)."""
    return [str(path) for path, text in _documents().items() if path.read_text("utf-8") != text]


def main(argv: list[str]) -> int:
    if argv == ["--schema"]:
        import json
        from importlib import resources

        text = resources.files("looop").joinpath(SCHEMA_FILE).read_text("utf-8")
        print(dump_schema(config_schema(json.loads(text))))
        return 0
    if argv == ["--write"]:
        from looop.core.fsio import atomic_write

        for path, text in _documents().items():
            atomic_write(path, text)
        return 0
    if argv == ["--check"]:
        late = stale()
        for path in late:
            print(f"looop.core.knobs: {path} is stale: run python -m looop.core.knobs --write")
        return 1 if late else 0
    print("usage: python -m looop.core.knobs --schema | --write | --check")
    return 2


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
