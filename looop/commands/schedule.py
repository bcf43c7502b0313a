"""`looop schedule write|rm|list`: the human's hand on the loop's clock.

Bad input is one line and exit 2 with nothing written; `list` shows every
file, an unreadable one as `invalid`, with next due times in local time.
"""

from __future__ import annotations

import time

from looop.commands import table as verbs
from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths, resolve
from looop.core.untrusted import json_text, one_line
from looop.time import schedules


def write(paths: Paths, name: str, *, in_: str | None = None, every: str | None = None, at: str | None = None,
          cron: str | None = None, note: str = "", journal: str | None = None) -> int:
    _check_journal(journal)
    spec: dict[str, object] = {"in_s": in_, "every_s": every, "at": at, "cron": cron}
    given = [k for k, v in spec.items() if v is not None]
    if len(given) == 1 and given[0] in ("in_s", "every_s"):
        flag = "--in" if given[0] == "in_s" else "--every"
        spec[given[0]] = schedules.parse_duration(str(spec[given[0]]), flag)
    from looop.setup.seed import make_data_dir

    make_data_dir(paths)
    now = time.time()
    existed = (paths.schedules / f"{name}.json").exists()
    s = schedules.write(paths, name, spec, note, now=now)
    said = f"schedule {name} {'replaced' if existed else 'written'}: {schedules.line(s, now)}"
    if at is not None and s.state == "due":
        said += f" (--at {at} is in the past: due now)"
    print(said)
    _journal(paths, journal or f"schedule write {name}: {s.spec}" + (f" ({s.note})" if s.note else "") + " (by hand)")
    return 0


def rm(paths: Paths, name: str, journal: str | None = None) -> int:
    _check_journal(journal)
    if not schedules.drop(paths, name):
        known = ", ".join(s.name for s in schedules.load_all(paths, use_cache=False)) or "none"
        raise FatalError(f"no schedule named {name!r} (schedules: {known})", ExitStatus.FAILED)
    print(f"schedule {name} removed")
    _journal(paths, journal or f"schedule rm {name} (by hand)")
    return 0


def list_(paths: Paths, as_json: bool = False) -> int:
    now = time.time()
    found = schedules.load_all(paths, now, use_cache=False)
    if as_json:
        print(json_text([schedules.as_json(s) for s in found]))
        return 0
    if not found:
        print("no schedules (add one: looop schedule write <name> --in 2h | --every 1d | --at TIME | --cron EXPR)")
        return 0
    for s in found:
        print(one_line(schedules.line(s, now)))  # names and notes come from files
    return 0


def _check_journal(journal: str | None) -> None:
    if journal is not None and not journal.strip():
        raise FatalError("--journal is empty; give the line to journal", ExitStatus.FAILED)


def _journal(paths: Paths, what: str) -> None:
    """The human's change is a move too: one journal line, in the loop's form (`--journal` words it)."""
    from looop.core.fsio import append_line
    from looop.records.journal import now_stamp

    line = f"- {now_stamp()[0]} {one_line(what.strip())}"
    append_line(paths.journal, line)
    from looop.records import memory

    memory.commit_human(paths, line)


class Schedule(usage.Verb):
    def main(self, *args: str) -> int:
        if self.nested_command:
            return ExitStatus.OK
        if args:
            raise FatalError(f"schedule: unknown action {args[0]!r} (write, rm, list)", ExitStatus.BAD_INPUT)
        return list_(resolve())


class ScheduleWrite(usage.Verb):
    in_ = usage.option("--in", str, None, argname="DUR", help="once, this long from now (90, 90s, 30m, 12h, 1d)")
    every = usage.option("--every", str, None, argname="DUR", help="every period (at least 60 s)")
    at = usage.option("--at", str, None, argname="TIME", help="once, at this ISO local time (2026-12-01T09:00)")
    cron = usage.option("--cron", str, None, argname="EXPR", help="a 5-field cron expression, local time")
    note = usage.option("--note", str, "", argname="TEXT", help="what the loop should do when it fires")
    journal = usage.option("--journal", str, None, argname="LINE", help="word the journal line yourself")

    def main(self, name: str) -> int:
        return write(resolve(), name, in_=self.in_, every=self.every, at=self.at, cron=self.cron, note=self.note,
                     journal=self.journal)


class ScheduleRm(usage.Verb):
    journal = usage.option("--journal", str, None, argname="LINE", help="word the journal line yourself")

    def main(self, name: str) -> int:
        return rm(resolve(), name, journal=self.journal)


class ScheduleList(usage.Verb):
    json = usage.flag("--json", help="print a JSON array")

    def main(self) -> int:
        return list_(resolve(), as_json=self.json)


for _row in verbs.actions("schedule"):
    Schedule.subcommand(_row.name.partition(" ")[2], _row.target)
