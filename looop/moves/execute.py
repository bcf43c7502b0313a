"""The executor: carry out one move and journal it, for the decider and the human alike.

Every move checks its own input (plain ids, non-empty bodies under the cap,
the shell deny-list, the sensor's run-once check) before it touches a file,
and writes exactly one journal line stamped with looop's own clock. A refusal
is a FatalError: one line, nothing changed, nothing journaled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths
from looop.moves import MAX_BODY_BYTES


@dataclass
class Done:
    summary: str  # what looop did, in its own words
    line: str  # the journal line it wrote
    next_interval: int | None = None  # seconds until the next beat, if the move asks


def execute(paths: Paths, move: dict[str, Any], *, by: str = "decider", force: bool = False) -> Done:
    """Make `move` (already schema-checked when it came from the decider) and journal it."""
    name = move.get("move")
    handler = _HANDLERS.get(str(name))
    if handler is None:
        raise FatalError(f"unknown move {name!r} (moves: {', '.join(sorted(_HANDLERS))})", ExitStatus.FAILED)
    summary, follow_up = handler(paths, move, by, force)
    line = journal(paths, move.get("journal") or summary)
    wanted = move.get("next_interval_s")
    return Done(summary=summary, line=line, next_interval=wanted if isinstance(wanted, int) else follow_up)


def journal(paths: Paths, text: str) -> str:
    """Append `- <local stamp> <text>` (one line) and return it."""
    from looop.records.journal import write

    return write(paths.journal, text)


def plain(name: Any, what: str) -> str:
    from looop.core.ids import check_plain

    if not isinstance(name, str) or not name:
        raise FatalError(f"{what} is missing", ExitStatus.FAILED)
    return check_plain(name[:-3] if name.endswith(".md") and what == "goal id" else name, what)


def body(text: Any, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise FatalError(f"{what} is empty; nothing was changed", ExitStatus.FAILED)
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BODY_BYTES:
        raise FatalError(f"{what} is {size} bytes, over the {MAX_BODY_BYTES}-byte cap; nothing was changed", ExitStatus.FAILED)
    return text if text.endswith("\n") else text + "\n"


# --- the moves -----------------------------------------------------------------------------

Result = tuple[str, "int | None"]


def _noop(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    reason = " ".join(str(move.get("reason") or "").split())
    return (f"noop: {reason}" if reason else "noop"), None


def _run_shell(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    from looop.moves import shell

    cmd = body(move.get("cmd"), "run_shell cmd").rstrip("\n")
    timeout = shell.timeout_s(paths)  # a bad knob fails before anything runs
    tripwire(paths, cmd, "run_shell")
    ran = shell.run(paths, cmd, echo=True, timeout=timeout)
    if by == "decider" or ran.interrupted:
        shell.keep(paths, ran)  # an interrupted command is shown to the next beat, whoever ran it
    if ran.interrupted:
        journal(paths, f"run-shell interrupted after {ran.seconds:.0f}s, not re-run: {_short(cmd)}")
        raise KeyboardInterrupt
    if ran.timed_out:
        raise FatalError(f"run_shell timed out after {timeout}s and was killed with its process group: "
                         f"{_short(cmd)}", ExitStatus.FAILED)
    if ran.exit_code != 0:
        last = next((ln for ln in reversed(ran.tail.splitlines()) if ln.strip()), "")
        raise FatalError(f"run_shell exited {ran.exit_code}: {_short(cmd)}" + (f" ({_short(last)})" if last else ""), ExitStatus.FAILED)
    reason = " ".join(str(move.get("reason") or "").split())
    return f"run-shell: {_short(cmd)}" + (f" ({reason})" if reason else ""), shell.FOLLOW_UP_S if by == "decider" else None


def tripwire(paths: Paths, cmd: str, what: str) -> None:
    """Refuse shell code the deny-list trips on, before anything runs (run_shell, verify, a sensor)."""
    from looop.core import knobs
    from looop.moves import deny

    if not deny.allowed_dangerous(knobs.config_dict(paths.config)):
        why = deny.check(cmd)
        if why:
            raise FatalError(f"{what} refused by the deny-list: {why} (nothing ran; "
                             "LOOOP_SHELL_ALLOW_DANGEROUS=1 turns the tripwire off)", ExitStatus.FAILED)


def _own_dir(paths: Paths, directory: Path) -> None:
    """Refuse a move's write into `directory` when it (or a dir on the way to it)
    is a symlink leading out of the data dir: looop writes only its own files."""
    data = paths.data.resolve()
    here = directory
    while here != paths.data and here != here.parent:
        if here.is_symlink() and not here.resolve().is_relative_to(data):
            raise FatalError(f"{here} is a symlink out of the data dir ({here.resolve()}); "
                             "make it a plain directory: nothing was written", ExitStatus.FAILED)
        here = here.parent


def _write_goal(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    from looop.core.fsio import atomic_write

    gid = plain(move.get("id"), "goal id")
    text = body(move.get("body"), f"goal {gid} body")
    _own_dir(paths, paths.goals)
    target = paths.goals / f"{gid}.md"
    existed = target.exists()
    atomic_write(target, text)
    return f"write-goal {gid}" + (" (updated)" if existed else " (new)"), None


def _archive_goal(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    gid = plain(move.get("id"), "goal id")
    source = paths.goals / f"{gid}.md"
    if not source.is_file():
        names = ", ".join(sorted(p.stem for p in paths.goals.glob("*.md"))) or "(none)"
        raise FatalError(f"no goal '{gid}' in {paths.goals} (goals: {names})", ExitStatus.FAILED)
    from looop.core.fsio import move_aside

    _own_dir(paths, paths.archive)
    paths.archive.mkdir(parents=True, exist_ok=True)
    where = move_aside(source, paths.archive / f"{gid}.md")  # an id archived before keeps both
    return f"archive-goal {gid}" + (f" (as archive/{where.name})" if where.name != f"{gid}.md" else ""), None


def _write_sensor(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    from looop.core.fsio import atomic_write

    name = plain(move.get("name"), "sensor name")
    name = name.removesuffix(".sh")
    script = body(move.get("script"), f"sensor {name} script")
    if not script.startswith("#!"):
        script = "#!/usr/bin/env bash\n" + script
    tripwire(paths, script, f"sensor {name} script")
    if not force:
        problem = try_sensor(paths, name, script)
        if problem:
            raise FatalError(f"sensor {name} was not installed: its test run {problem}"
                             + (" (--force installs it anyway)" if by == "human" else ""), ExitStatus.FAILED)
    _own_dir(paths, paths.sensors)
    target = paths.sensors / f"{name}.sh"
    existed = target.exists()
    atomic_write(target, script, mode=0o755)
    _note_author(paths, name, by)
    return f"write-sensor {name}" + (" (updated)" if existed else " (new)"), None


def _note_author(paths: Paths, name: str, by: str) -> None:
    """Who wrote the sensor last decides its box: the decider's runs like `run_shell`, the human's read-only."""
    from looop.box.hands import ai_written
    from looop.core.fsio import atomic_write

    names = ai_written(paths)
    wanted = names - {name} if by == "human" else names | {name}
    if wanted != names:
        atomic_write(paths.ai_sensors, "".join(f"{n}\n" for n in sorted(wanted)))


def try_sensor(paths: Paths, name: str, script: str) -> str:
    """Run a candidate sensor once (usual timeout and cap): '' when it prints one JSON object."""
    import json
    import shutil
    import tempfile

    from looop.core import knobs, schemas
    from looop.core.selfbin import child_env
    from looop.sensing.sense import run_one

    env = child_env(paths)
    tmp = Path(tempfile.mkdtemp(prefix="looop-sensor-check-"))
    try:
        candidate = tmp / f"{name}.sh"
        candidate.write_text(script, encoding="utf-8")
        candidate.chmod(0o755)
        timeout = float(knobs.get("sensor_timeout", env=env))
        max_bytes = knobs.get("sensor_max_bytes", env=env)
        paths.data.mkdir(parents=True, exist_ok=True)
        from looop.box.hands import command

        wrap = command(paths, "shell", [], see=[tmp])  # the proving run is boxed like run_shell (§19)
        reading = run_one(candidate, tmp, env, timeout, max_bytes, paths.data, wrap=wrap or None)
        if not reading.ok:
            return reading.problem
        found = schemas.problems("reading", json.loads((tmp / f"sensor-{name}.json").read_bytes()))
        return f"does not match the reading schema: {found[0]}" if found else ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _propose_playbook(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    from looop.core.fsio import atomic_write

    text = body(move.get("body"), "PLAYBOOK proposal")
    if paths.proposed.exists():
        raise FatalError("a PLAYBOOK proposal is already pending (looop playbook diff); not proposing another", ExitStatus.FAILED)
    atomic_write(paths.proposed, text)
    return "propose-playbook (parked for `looop playbook approve`)", None


def _write_playbook(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    """The human's own PLAYBOOK: live at once, the text it replaces kept in history."""
    from looop.core.fsio import atomic_write
    from looop.records import history

    if by != "human":
        raise FatalError("only the human writes the PLAYBOOK directly; the decider proposes (propose_playbook)", ExitStatus.FAILED)
    text = body(move.get("body"), "PLAYBOOK text")
    try:
        live = paths.playbook.read_bytes()
    except FileNotFoundError:
        live = None
    history.keep(paths.playbook_history, live, "written")
    atomic_write(paths.playbook, text)
    atomic_write(paths.approved, text)
    return "write-playbook (live, the earlier text kept in history)", None


def _start_worker(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    from looop.fleet.start import start as start_session

    wid = plain(move.get("id"), "worker id")
    prompt = body(move.get("prompt"), f"worker {wid} prompt")
    runner, verify = move.get("runner"), move.get("verify")
    if isinstance(verify, str):
        tripwire(paths, verify, f"worker {wid} verify")
    start_session(paths, wid, prompt, runner if isinstance(runner, str) else None,
                  verify=verify if isinstance(verify, str) else None)
    return f"start-worker {wid}", None


def _kill_worker(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    from looop.fleet.stop import stop as kill

    wid = plain(move.get("id"), "worker id")
    kill(paths, wid)
    reason = " ".join(str(move.get("reason") or "").split())
    return f"kill-worker {wid}" + (f": {reason}" if reason else ""), None


def _write_schedule(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    from looop.time import schedules

    name = plain(move.get("name"), "schedule name")
    made = schedules.write(paths, name, {k: move.get(k) for k in schedules.KINDS},
                           note=" ".join(str(move.get("note") or "").split()))
    return f"write-schedule {name}: {made.spec}" + (" (due now)" if made.state == "due" else ""), None


def _drop_schedule(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    from looop.time import schedules

    name = plain(move.get("name"), "schedule name")
    if not schedules.drop(paths, name):
        names = ", ".join(sorted(p.stem for p in paths.schedules.glob("*.json"))) or "(none)"
        raise FatalError(f"no schedule '{name}' in {paths.schedules} (schedules: {names})", ExitStatus.FAILED)
    return f"drop-schedule {name}", None


def _flag_human(paths: Paths, move: dict[str, Any], by: str, force: bool) -> Result:
    from looop.mailbox import alerts, notify
    from looop.records import attention

    text = " ".join(str(move.get("text") or "").split())
    if not text:
        raise FatalError("flag_human text is empty", ExitStatus.FAILED)
    note = attention.add(paths, text)
    notify.raise_event(paths, *alerts.attention_event(paths, note))
    return f"flag-human: {_short(text)}", None


def _short(text: str, limit: int = 120) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


_HANDLERS: dict[str, Callable[[Paths, dict[str, Any], str, bool], Result]] = {
    "noop": _noop, "run_shell": _run_shell, "write_goal": _write_goal, "archive_goal": _archive_goal,
    "write_sensor": _write_sensor, "propose_playbook": _propose_playbook, "write_playbook": _write_playbook,
    "start_worker": _start_worker, "kill_worker": _kill_worker, "write_schedule": _write_schedule,
    "drop_schedule": _drop_schedule, "flag_human": _flag_human,
}
