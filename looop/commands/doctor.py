"""`looop doctor`: is this machine ready to run the loop unattended?

A table of checks: the config, the data dir's git, and each configured worker
command run for real in a PTY against a throwaway prompt (bounded), naming the
CLI dialog that would stop a detached worker. A check is one function and one
entry in CHECKS; it returns rows and never raises for what it finds.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths, resolve

if TYPE_CHECKING:
    import subprocess

    from looop.fleet import dialogs, screen

PROMPT = "This is a readiness check by looop. Reply with one word, ready, and do nothing else."


@dataclasses.dataclass(frozen=True)
class Row:
    check: str
    result: str  # ok | warn | fail | blocked: <dialog>
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.result not in ("ok", "warn")


def check_config(paths: Paths) -> list[Row]:
    from looop.setup import config

    if not paths.config.exists():
        return [Row("config", "fail", f"{paths.config} does not exist (run `looop init`)")]
    try:
        config.load(paths.config, seed=False)
    except FatalError as exc:
        return [Row("config", "fail", str(exc).splitlines()[0])]
    return [Row("config", "ok", str(paths.config))]


def check_git(paths: Paths) -> list[Row]:
    from looop.core import cmd
    from looop.records import memory

    if not memory.available():
        return [Row("data dir git", "warn", "git is not installed: no history of the data dir")]
    if not paths.data.is_dir():
        return [Row("data dir git", "warn", f"{paths.data} does not exist yet (the first beat makes it)")]
    broken = memory.broken_dot_git(paths.data)
    if broken:
        return [Row("data dir git", "fail", f"{broken}; beats stop before deciding until it is fixed")]
    gdir = memory.git_dir(paths.data)
    if gdir is None:
        return [Row("data dir git", "warn", f"{paths.data} has no looop history yet (the first beat starts it)")]
    found = cmd.run(["git", f"--git-dir={gdir}", f"--work-tree={paths.data}", "status", "--porcelain"],
                    cwd=paths.data)
    if not found.ok:
        return [Row("data dir git", "fail", f"git in {gdir}: {(found.err or found.out).strip()[:200]}")]
    return [Row("data dir git", "ok", str(gdir))]


def check_workers(paths: Paths) -> list[Row]:
    from looop.core import knobs
    from looop.setup import config
    from looop.setup.preflight import missing, tools_in

    try:
        cfg = config.load(paths.config, seed=False)
    except (FatalError, OSError):
        return []  # check_config said why
    runners = {n: s["interactive"] for n, s in cfg.data.get("runners", {}).items() if s.get("interactive")}
    bound = float(knobs.get("doctor_timeout"))
    todo, rows = [], {}
    for name, command in runners.items():
        absent = missing(tools_in(command))
        if absent:
            rows[name] = Row(f"worker {name}", "warn", f"not installed: {', '.join(absent)}")
        else:
            todo.append((name, command))
    with ThreadPoolExecutor(max_workers=max(1, len(todo))) as pool:
        for name, row in zip([n for n, _ in todo], pool.map(lambda t: try_worker(paths, t[0], t[1], bound), todo)):
            rows[name] = row
    return [rows[n] for n in runners]


def try_worker(paths: Paths, name: str, command: str, bound: float) -> Row:
    """Run one worker command in a PTY, as `start-session` would, and watch its screen."""
    import fcntl
    import shlex
    import struct
    import subprocess
    import tempfile
    import termios

    from looop.core import procgroup
    from looop.fleet import dialogs, screen

    cols, rows = 100, 30
    with tempfile.TemporaryDirectory(prefix="looop-doctor-") as tmp:
        prompt_file = Path(tmp) / "prompt.md"
        prompt_file.write_text(PROMPT + "\n")
        line = command.replace("{{prompt_file}}", shlex.quote(str(prompt_file)))
        cwd = paths.data if paths.data.is_dir() else Path(tmp)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        from looop.agents import runner

        env = runner.child_env({**os.environ, "TERM": os.environ.get("TERM") or "xterm-256color"})
        try:  # the shape start-session launches: a login shell that keeps the caller's PATH
            proc = subprocess.Popen(runner.bash_argv(f"cd {shlex.quote(str(cwd))} && {line}"), stdin=slave,
                                    stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True)
        except OSError as exc:
            os.close(master)
            os.close(slave)
            return Row(f"worker {name}", "fail", f"cannot start bash: {exc.strerror or exc}")
        os.close(slave)
        term = screen.Terminal(cols, rows, scrollback=0)
        try:
            return _watch(name, proc, master, term, bound, dialogs.find)
        finally:
            procgroup.stop(proc.pid, grace=1.0, leader=proc)
            os.close(master)


def _watch(name: str, proc: subprocess.Popen[bytes], master: int, term: screen.Terminal, bound: float,
           find: Callable[[str], dialogs.Dialog | None]) -> Row:
    import select

    from looop.fleet import screen

    start = last_change = time.monotonic()
    drew = eof = False
    while True:
        now = time.monotonic()
        text = "\n".join(screen.text_lines(term.screen_rows(), term.columns))
        found = find(text)
        if found is not None and now - last_change >= 1.0:
            return Row(f"worker {name}", f"blocked: {found.name}", found.fix)
        if eof and proc.poll() is None:
            try:
                proc.wait(timeout=max(0.0, min(1.0, bound - (now - start))))
            except Exception:  # noqa: BLE001 - the terminal closed but the process lingers
                pass
        if proc.poll() is not None and (eof or not select.select([master], [], [], 0)[0]):
            code = proc.returncode
            last = next((ln.strip() for ln in reversed(text.splitlines()) if ln.strip()), "")
            if found is not None:
                return Row(f"worker {name}", f"blocked: {found.name}", found.fix)
            return Row(f"worker {name}", "fail" if code else "ok",
                       f"exited {code} at once: {last[:160]}" if code else "ran and ended cleanly")
        if now - start >= bound:  # a CLI can take many seconds to start: only the bound says "no dialog"
            if not drew:
                return Row(f"worker {name}", "warn", f"drew nothing in {bound:g} s")
            return Row(f"worker {name}", "ok", f"ran {bound:g} s with no dialog")
        if eof:
            continue
        if select.select([master], [], [], 0.2)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer of the terminal is gone
                data = b""
            if data:
                term.feed(data)
                last_change, drew = time.monotonic(), True
            else:
                eof = True


def check_box(paths: Paths) -> list[Row]:
    """The sandbox in use, proved by one boxed `true` and one refused write (§19)."""
    from looop.box import doctor as box_doctor

    lines = box_doctor.report(paths)
    head, proof = lines[0], lines[1:]
    rows = [Row("sandbox", "fail" if head.startswith("!") else "ok" if not head.startswith("sandbox: off") else "warn",
                head.lstrip("! "))]
    rows += [Row("sandbox", "fail" if line.startswith("!") else "ok", line.lstrip("! ").strip()) for line in proof]
    return rows


CHECKS: tuple[Callable[[Paths], list[Row]], ...] = (check_config, check_git, check_box, check_workers)


def doctor(paths: Paths) -> int:
    from looop.core.untrusted import one_line

    rows = [row for check in CHECKS for row in check(paths)]
    width = max([len(r.check) for r in rows] + [5])
    rwidth = max([len(r.result) for r in rows] + [6])
    print(f"{'CHECK':<{width}}  {'RESULT':<{rwidth}}  DETAIL")
    for r in rows:
        print(f"{one_line(r.check):<{width}}  {r.result:<{rwidth}}  {one_line(r.detail)}")
    failed = [r for r in rows if r.failed]
    if failed:
        print(f"{len(failed)} check{'s' if len(failed) != 1 else ''} failed")
        return ExitStatus.FAILED
    return 0


class Doctor(usage.Verb):
    def main(self) -> int:
        return doctor(resolve())
