"""`looop sensor write|list|test|rm`: install, see, try and remove sensors.

`write` is the write_sensor move (run once, journaled); `rm` keeps the script
in `sensors/removed/` and journals it; `list` and `test` change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths, resolve
from looop.core.untrusted import json_text


def sensor_write(paths: Paths, name: str, text: Sequence[str] = (), journal: str | None = None,
                 force: bool = False) -> int:
    from looop.moves import verbs

    script = verbs.text_arg(text, f"sensor {name} script")
    return verbs.run(paths, {"move": "write_sensor", "name": name, "script": script}, journal, force=force)


def sensor_list(paths: Paths, as_json: bool = False) -> int:
    from looop.sensing.sensor_state import listing

    rows = listing(paths)
    if as_json:
        print(json_text(rows))
        return 0
    if not rows:
        print(f"no sensors in {paths.sensors} (add one: looop sensor write NAME -, or copy one from "
              f"{paths.sensors / 'examples'})")
        return 0
    from looop.core.color import paint
    from looop.core.untrusted import one_line

    width = max(len(r["name"]) for r in rows)
    for r in rows:
        every = f"every {r['interval_s']}s" if r["interval_s"] else "every beat"
        if r["state"] == "never":
            seen = "not run yet"
        else:
            seen = f"{r['state']} {_ago(r['age_s'])} ago"
        line = f"{one_line(r['name']).ljust(width)}  {every:<12} {seen}"
        if r["problem"]:
            line = paint(f"{line}: {one_line(r['problem'])}", "red")
        print(line)
    return 0


def _ago(seconds: float | None) -> str:
    s = int(seconds or 0)
    return f"{s}s" if s < 120 else f"{s // 60}m" if s < 7200 else f"{s // 3600}h" if s < 172800 else f"{s // 86400}d"


def _script(paths: Paths, name: str, verb: str):
    from looop.core.ids import check_plain

    name = check_plain(name.removesuffix(".sh"), "sensor name")
    script = paths.sensors / f"{name}.sh"
    if not (script.is_file() or script.is_symlink()):
        from looop.sensing.sensor_state import installed

        names = ", ".join(p.name[:-3] for p in installed(paths)) or "(none)"
        raise FatalError(f"sensor {verb}: no sensor '{name}' in {paths.sensors} (sensors: {names})", ExitStatus.FAILED)
    return name, script


def sensor_test(paths: Paths, name: str) -> int:
    """Run one installed sensor now, as a beat would; print its reading and whether it is valid."""
    import shutil
    import tempfile
    from pathlib import Path

    from looop.box.hands import sensors
    from looop.core import knobs, schemas
    from looop.core.selfbin import child_env
    from looop.sensing.sense import run_one

    name, script = _script(paths, name, "test")
    wrap, extra = sensors(paths, knobs.config_dict(paths.config) or {})(script)  # boxed as a beat boxes it
    env = {**child_env(paths), **extra}
    tmp = Path(tempfile.mkdtemp(prefix="looop-sensor-test-"))
    try:
        reading = run_one(script, tmp, env, float(knobs.get("sensor_timeout", env=env)),
                          knobs.get("sensor_max_bytes", env=env), paths.data, wrap=wrap or None)
        out = (tmp / f"sensor-{name}.json").read_text(encoding="utf-8", errors="replace")
        err = tmp / f"sensor-{name}.err"
        problem = reading.problem
        if not problem:
            found = schemas.problems("reading", json.loads(out))
            problem = f"does not match the reading schema: {found[0]}" if found else ""
        print(out.rstrip("\n"))
        if err.exists():
            print(f"stderr:\n{err.read_text(encoding='utf-8', errors='replace').rstrip()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if problem:
        raise FatalError(f"sensor {name}: FAILED in {reading.seconds:.2f}s: {problem}", ExitStatus.FAILED)
    print(f"sensor {name}: ok in {reading.seconds:.2f}s (nothing was changed)")
    return 0


def sensor_rm(paths: Paths, name: str, journal: str | None = None) -> int:
    """Take a sensor out of the beat; its script is kept in sensors/removed/ (and in git)."""
    import os
    import time

    from looop.moves.execute import journal as write_journal

    name, script = _script(paths, name, "rm")
    keep = paths.sensors / "removed"
    keep.mkdir(parents=True, exist_ok=True)
    target = keep / f"{name}.sh"
    if target.exists():
        target = keep / f"{name}.{time.strftime('%Y%m%d-%H%M%S')}.sh"
    os.replace(script, target)
    shown = target.relative_to(paths.data)
    line = write_journal(paths, journal or f"sensor rm {name} (kept in {shown})")
    print(f"sensor {name} removed, kept in {shown}; journaled: {line}")
    return 0


class Sensor(usage.Verb):
    journal = usage.option("--journal", str, None, argname="LINE", help="the journal line's text (default: a summary)")
    force = usage.flag("--force", help="write: install even if its test run does not print one JSON object")
    json = usage.flag("--json", help="list: print JSON")

    def main(self, action: usage.one_of("write", "list", "test", "rm"), name: str = "", *text: str) -> int:  # type: ignore[valid-type]
        if action == "list":
            usage.no_more("sensor list", name, *text)
            return sensor_list(resolve(), as_json=self.json)
        if not name:
            raise FatalError(f"usage: looop sensor {action} NAME" + (" TEXT|-" if action == "write" else ""),
                             ExitStatus.BAD_INPUT)
        if action == "write":
            return sensor_write(resolve(), name, text, self.journal, force=self.force)
        usage.no_more(f"sensor {action} NAME", *text)
        if action == "test":
            return sensor_test(resolve(), name)
        return sensor_rm(resolve(), name, self.journal)
