"""One beat, top to bottom: sense → diff → decide → act → record.

A beat is disposable and level-triggered: it carries nothing in memory,
re-derives everything from files, makes at most ONE move (one runner call),
and saves the world hash only when the move succeeded, so a failed or killed
beat is simply retried by the next one.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from looop import fleet
from looop.beat import gate, parked, world
from looop.core.errors import FatalError
from looop.core.fsio import atomic_write, read_text
from looop.core.log import fail, say, warn
from looop.core.paths import Paths
from looop.guard import pause
from looop.records import events, journal
from looop.setup import seed
from looop.time import schedules

if TYPE_CHECKING:  # an unchanged beat never needs ACT's module
    from looop.beat.agent_act import Acted, Plan



@dataclass
class Outcome:
    acted: bool = False  # the runner ran and exited 0
    failed: bool = False  # the runner ran and failed
    skipped: str = ""  # paused | unchanged | dry-run | budget
    run_dir: Path | None = None
    prompt: Path | None = None
    exit_code: int | None = None
    summary: str = ""  # an unchanged beat's one line


def beat(paths: Paths, *, dry_run: bool = False, focus: str | None = None, quiet: bool = False) -> Outcome:
    """One beat. `quiet`: an unchanged beat prints nothing (its line is in Outcome.summary)."""
    ev = paths.events
    seed.ensure(paths)
    _report_odd_files(paths)
    _gate_pre(paths)
    events.emit(ev, "tick_start", **({"goal": focus} if focus else {}))
    from looop.setup import config

    config.load(paths.config, valid_cache=paths.valid_config)  # a bad config fails before sensing, not after
    housekeeping(paths)
    from looop.core.selfbin import child_env

    env = child_env(paths)
    snap_dir = Path(tempfile.mkdtemp(prefix="looop-sense-")) if focus else paths.snapshots
    try:
        readings = _sense(paths, snap_dir, env)
        workers = fleet_now(paths, env)
        timed = schedules.load_all(paths)
        parts = (world.parts(paths.playbook, paths.goals, snap_dir, workers, read_limit())
                 + schedules.world_parts(timed) + world.ask_parts(paths))
        world_hash = world.digest(parts)
        unchanged = read_text(paths.last_hash, "").strip() == world_hash
        if not focus and not dry_run and pause.holds(paths, readings, quiet):  # senses, serves asks, no decision
            _after(paths, workers)
            return Outcome(skipped="paused")
        if unchanged and not focus and not dry_run and not _must_decide(paths, world_hash):
            summary = "world unchanged: no decision needed" + _in_brief(readings)
            if not quiet:
                say(summary, "dim")
            events.emit(ev, "world_unchanged", hash=world_hash)
            _after(paths, workers)
            return Outcome(skipped="unchanged", summary=summary)
        _report(readings, snap_dir)
        seen = Seen(workers=workers, parts=parts, hash=world_hash, unchanged=unchanged, timed=timed)
        before = decide(paths, env, snap_dir, seen, dry_run=dry_run, focus=focus)
        outcome = before if isinstance(before, Outcome) else record(before, act(before.plan))
    finally:
        if focus:
            shutil.rmtree(snap_dir, ignore_errors=True)
    if outcome.acted and not focus:
        prune_shown(paths, workers)
    _after(paths, fleet.workers(paths.fleet_root))
    return outcome


def fleet_now(paths: Paths, env: dict[str, str]) -> list:
    """The workers with their health, once every ended worker's verify that
    fits this beat's budget has run (so the AI sees its verdict)."""
    from looop.core import knobs
    from looop.fleet import verify
    from looop.mailbox import asking

    config = knobs.config_dict(paths.config)
    asks = asking.blocked_workers(paths)
    workers = fleet.workers(paths.fleet_root, config=config, asks=asks)
    if not verify.pending(paths.fleet_root, workers):
        return workers
    timeout = max(1, knobs.whole("verify_timeout", config))
    from looop.fleet.sessions import bare_id

    for sid, result in verify.run_pending(paths.fleet_root, workers, paths.data, env, timeout):
        line = f"  verify {bare_id(sid)}: {result['result']}" + (" (timed out)" if result["timed_out"] else
                                                        f" (exit {result['exit_code']})")
        if result["result"] == "pass":
            say(line, "dim")
        else:
            warn(line)
        events.emit(paths.events, "verify_done", session=sid, result=result["result"],
                    exit_code=result["exit_code"], timed_out=result["timed_out"])
    return fleet.workers(paths.fleet_root, config=config, asks=asks)


def prune_shown(paths: Paths, workers: list) -> None:
    """A decided beat showed these finished workers to the AI: now they leave
    the live fleet for fleet/finished/ (not one whose verify is still to run:
    the AI has not seen its verdict)."""
    from looop.core import knobs
    from looop.fleet import keep

    keep_s = knobs.get("worker_log_keep", knobs.config_dict(paths.config))
    for sid in keep.retire(paths.fleet_root, {w.id for w in workers if w.settled}, keep_s):  # kept worker_log_keep
        events.emit(paths.events, "session_pruned", session=sid)


def without_finished(parts: list, workers: list) -> list:
    """The world as it stands once the shown finished workers are pruned, so
    their going does not wake the next beat a second time."""
    gone = {f"worker:{w.id}" for w in workers if w.settled}
    return [p for p in parts if p[0] not in gone]


def housekeeping(paths: Paths) -> None:
    """Reap claims whose worker is not alive; sweep temp files a killed beat
    left behind. (Finished workers are pruned by the beat that showed them.)"""
    from looop.core.fsio import sweep_temps

    for directory in (paths.data, paths.goals, paths.claims, paths.sensor_cache, paths.playbook_history,
                      paths.asks, paths.answers, paths.tells, paths.tells_consumed):
        sweep_temps(directory)
    if paths.shell_running.exists():
        from looop.moves.shell import recover

        cmd = recover(paths)
        if cmd:
            warn(f"a run_shell was interrupted by a crash and will not be re-run: {cmd[:120]}")
            events.emit(paths.events, "shell_interrupted", cmd=cmd[:500])
    if not paths.claims.is_dir():
        return
    live = {w.id for w in fleet.workers(paths.fleet_root) if w.alive}

    def is_alive(session: str) -> bool:
        return session in live or f"looop-{session}" in live

    for name, why in gate.reap_claims(paths.claims, is_alive):
        say(f"claim {name} reaped: {why}", "dim")
        events.emit(paths.events, "claim_reaped", claim=name, why=why)


def _report_odd_files(paths: Paths) -> None:
    """A FIFO, device, directory or dangling link where looop reads a file is
    never read (it would block): it is reported each beat and treated as absent.
    The PLAYBOOK is the one the beat cannot go on without."""
    from looop.core.fsio import file_kind

    kind = file_kind(paths.playbook)
    if kind:
        raise FatalError(f"{paths.playbook} is {kind}, not a file; nothing was changed", 1)
    files = [paths.proposed, paths.approved, paths.attention, paths.next_interval,
             paths.last_hash, paths.world_state, paths.noop_state, paths.budget_state, paths.last_failure]
    for folder, pattern in ((paths.goals, "*.md"), (paths.claims, "*.json")):
        try:
            files += sorted(folder.glob(pattern))
        except OSError:
            pass
    for path in files:
        kind = file_kind(path)
        if kind:
            where = world.shown(str(path))
            warn(f"{where} is {kind}, not a regular file: ignored (replace it with a file)")
            events.emit(paths.events, "file_ignored", file=where, kind=kind)


def _gate_pre(paths: Paths) -> None:
    legacy = paths.legacy_approved
    if legacy.is_file() and not paths.approved.exists():  # an older looop's baseline moves out of reach
        atomic_write(paths.approved, legacy.read_bytes())
    legacy.unlink(missing_ok=True)  # from now on a copy there means nothing

    def who_else() -> str:
        if gate.exact(paths.config):  # the box: no runner or worker can have written it (§19)
            return ""
        if gate.runner_in_flight(paths.runners_in_flight):
            return "runner"
        since = gate.last_checked(paths.gate_dir)
        busy = [w for w in fleet.workers(paths.fleet_root)
                if w.alive or (w.ended_at is not None and (since is None or w.ended_at >= since))]
        return "worker" if busy else ""

    try:
        done = gate.gate_pre(paths.playbook, paths.approved, paths.playbook_history, proposed=paths.proposed,
                             busy=who_else)
    except IsADirectoryError:
        raise FatalError(f"{paths.playbook} is a directory, not a file; nothing was changed", 1) from None
    except OSError as exc:
        if exc.filename and Path(exc.filename) == paths.playbook:
            raise FatalError(f"cannot read {paths.playbook}: {exc.strerror}; nothing was changed", 1) from None
        raise
    if done == "adopted":
        say("PLAYBOOK.md was edited by hand: adopted as the approved baseline")
        events.emit(paths.events, "playbook_adopted")
    elif done == "parked":
        warn("PLAYBOOK.md changed while a worker was running: parked in PLAYBOOK.proposed.md, baseline restored "
             "(if it was you: looop playbook approve)")
        events.emit(paths.events, "proposal_parked")
        parked.note(paths, "worker")
    if done != "in-flight":
        gate.mark_checked(paths.gate_dir)


def _mark_gate_done(paths: Paths) -> None:
    """After gate_post: this process's runner can no longer edit unseen."""
    gate.mark_checked(paths.gate_dir)
    gate.runner_done(paths.runners_in_flight)


def _sense(paths: Paths, snap_dir: Path, env: dict[str, str]) -> list:
    from looop.sensing.progress import SensorProgress
    from looop.sensing.readings import ReadingCache
    from looop.sensing.sense import sense, sensor_names

    started = time.monotonic()
    with SensorProgress(p.name[: -len(".sh")] for p in sensor_names(paths.sensors)) as progress:
        readings = sense(paths.sensors, snap_dir, env, paths.data, ReadingCache(paths.reading_cache),
                         sensor_cache=paths.sensor_cache, on_done=progress.done)
    events.emit(paths.events, "sense_done", sensors=len(readings), failed=sum(not r.ok for r in readings),
                seconds=round(time.monotonic() - started, 3))
    return readings


def _report(readings: list, snap_dir: Path) -> None:
    """A beat that goes on to decide: each sensor's outcome, one line each."""
    for r in readings:
        if r.ok:
            say(f"  sensor {r.sensor}: ok ({r.reused or f'{r.seconds:.2f}s'})", "dim")
        else:
            warn(f"  sensor {r.sensor}: FAILED, {r.problem} (see {snap_dir / ('sensor-' + r.sensor + '.json')})")


def _in_brief(readings: list) -> str:
    """An unchanged beat's sensors in a few words: ` (4 sensors, 1 reused; failing: mail)`."""
    if not readings:
        return ""
    reused = sum(bool(r.reused) for r in readings)
    failing = [r.sensor for r in readings if not r.ok]
    words = f"{len(readings)} sensor{'s' if len(readings) != 1 else ''}"
    if reused:
        words += f", {reused} reused"
    if failing:
        words += f"; failing: {', '.join(failing)}"
    return f" ({words})"


@dataclass(frozen=True)
class Seen:
    """What SENSE and DIFF found: the workers, the hashed parts, their digest."""

    workers: list
    parts: list
    hash: str
    unchanged: bool
    timed: list  # the schedules, as the prompt and the hash saw them


@dataclass(frozen=True)
class Before:
    """The state the move finds, so RECORD can tell what it changed."""

    plan: Plan
    seen: Seen
    fingerprint: str
    journal_size: int
    noop_ttl: int
    git: bool
    goals_before: tuple  # what fairness compares against to see which goals the move touched


def decide(paths: Paths, env: dict[str, str], snap_dir: Path, seen: Seen, *, dry_run: bool,
           focus: str | None) -> Before | Outcome:
    """Load the config, check budget and runner, write the prompt: a Plan, or why not."""
    from looop.beat import fairness, prompt
    from looop.core import knobs
    from looop.guard import noop
    from looop.records import runs
    from looop.setup import config

    cfg = config.load(paths.config)
    runner_name, command = cfg.tick_command()
    if not dry_run and not focus and _over_budget(paths, cfg.data):
        return Outcome(skipped="budget")
    if not dry_run:
        from looop.setup.preflight import check_runner

        check_runner(cfg, runner_name)
    label = f"goal-{focus}" if focus else "tick"
    moves = cfg.data.get("moves", "agent")
    inputs = _inputs(paths, env, snap_dir, seen.workers, focus, seen.timed)
    inputs.moves = moves
    from looop.box import rules_line

    inputs.sandbox = rules_line(cfg.data)  # the box, or why there is none (§19)
    if not dry_run:
        from looop.box.notice import say_off

        say_off(paths, cfg.data)  # auto found no box: once a day in attention (§19)
    inputs.extra = _guard_sections(paths, seen.parts, cfg.data, consume=not dry_run)
    run_dir = runs.new_run_dir(paths.runs, label, prompt.build(inputs))
    prompt_file = run_dir / "prompt.md"
    if dry_run:
        if seen.unchanged:
            say("world unchanged: a real beat would skip the runner", "dim")
        say(f"dry run: prompt written to {prompt_file}")
        print(prompt_file, flush=True)
        return Outcome(skipped="dry-run", run_dir=run_dir, prompt=prompt_file)

    kind, cost_id = ("goal", focus) if focus else ("tick", run_dir.name)
    say(f"decide: {label} via {runner_name} (replay: {run_dir})", "bold")
    events.emit(paths.events, "decide_start", run=run_dir.name, runner=runner_name, **({"goal": focus} if focus else {}))
    env = dict(env, LOOOP_COST_KIND=kind, LOOOP_COST_RUNNER=runner_name, LOOOP_COST_ID=cost_id)
    from looop.beat.agent_act import Plan

    plan = Plan(paths=paths, config=cfg.data, runner=runner_name, command=command, run_dir=run_dir, env=env,
                focus=focus, moves=moves, record=None if focus else runner_record(paths))
    noop_ttl = knobs.whole("noop_ttl", cfg.data)  # a bad knob fails before the move, not after
    return Before(plan=plan, seen=seen, fingerprint=noop.fingerprint(paths.data, seen.workers),
                  journal_size=_size(paths.journal), noop_ttl=noop_ttl, git=cfg.git,
                  goals_before=fairness.observe(paths, seen.workers))


def act(plan: Plan) -> Acted:
    """Make the one move: the agent makes it, or looop makes the move it was handed."""
    gate.runner_starts(plan.paths.runners_in_flight)  # until this beat's gate_post, its PLAYBOOK edit is a proposal
    if plan.moves == "typed":
        from looop.beat.typed_act import typed

        return typed(plan)
    from looop.beat.agent_act import agent

    return agent(plan)


def record(before: Before, acted: Acted) -> Outcome:
    """Keep the result: on success save the hash, settle noop, commit; else remember the failure."""
    from looop.beat import fairness
    from looop.guard import noop
    from looop.records import failures as failure

    plan, paths, seen = before.plan, before.plan.paths, before.seen
    run_dir, prompt_file = plan.run_dir, plan.prompt_file
    if not acted.ok:
        streak = failure.record(paths.last_failure, exit_code=acted.exit_code, why=acted.why,
                                output_log=plan.output_log, run=run_dir.name)
        in_row = f", {streak} beats in a row" if streak > 1 else ""
        fail(f"{f'run {plan.focus}' if plan.focus else 'tick'} FAILED ({acted.why}{in_row}); replay: {plan.output_log}")
        events.emit(paths.events, "tick_failed", run=run_dir.name, exit_code=acted.exit_code,
                    timed_out=acted.timed_out)
        return Outcome(failed=True, run_dir=run_dir, prompt=prompt_file, exit_code=acted.exit_code or 1)
    failure.clear(paths.last_failure)
    workers_after = fleet.workers(paths.fleet_root)
    touched = fairness.touched(paths, before.goals_before, workers_after)
    fairness.stamp_many(paths, touched + ([plan.focus] if plan.focus else []))
    if not plan.focus:
        settled = schedules.without_dropped(paths, without_finished(seen.parts, seen.workers))
        world_hash = world.digest(settled)
        atomic_write(paths.last_hash, world_hash + "\n")
        _save_world(paths, settled)
        moved_to = noop.fingerprint(paths.data, workers_after)
        noop.settle(paths.noop_state, before.fingerprint, moved_to, world_hash, before.noop_ttl)
    line = acted.journal or (journal.last(paths.journal) if _size(paths.journal) != before.journal_size else "")
    seconds = acted.seconds
    if line:
        say(f"decided in {seconds:.1f}s: {line}", "green")
    else:
        warn(f"decided in {seconds:.1f}s, but the runner wrote no journal line")
    events.emit(paths.events, "decided", run=run_dir.name, seconds=round(seconds, 3), journal=line)
    if before.git:
        _commit(paths, line.lstrip("- ").strip() or f"looop: {run_dir.name}")
    return Outcome(acted=True, run_dir=run_dir, prompt=prompt_file, exit_code=0)


def _commit(paths: Paths, message: str) -> None:
    """Commit the tracked files; a failure is said once, in status and as an event."""
    from looop.records import memory

    done = memory.commit(paths.data, message)
    if not done.problem:
        paths.git_failure.unlink(missing_ok=True)
        return
    import json

    warn(f"the move stands, but its history was not kept: {done.problem}")
    events.emit(paths.events, "git_failed", problem=done.problem)
    atomic_write(paths.git_failure, json.dumps({"ts": events.utc_now(), "problem": done.problem}) + "\n")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _save_world(paths: Paths, parts: list) -> None:
    from looop.records import changes

    changes.save(paths.world_state, parts, changes.load(paths.world_state))


def _must_decide(paths: Paths, world_hash: str) -> bool:
    """An unchanged world still decides when a run_shell result waits to be seen, or a noop expired."""
    if paths.last_shell.exists():  # a crashed run_shell became one in prepare; a live `looop shell` is not news
        return True
    return _noop_expired(paths, world_hash)


def _noop_expired(paths: Paths, world_hash: str) -> bool:
    """The last decision changed nothing and the world sat still past LOOOP_NOOP_TTL."""
    from looop.guard import noop

    age = noop.expired(paths.noop_state, world_hash)
    if age is None:
        return False
    say(f"world unchanged for {age / 3600:.1f}h after a decision that changed nothing: deciding again")
    return True


def _over_budget(paths: Paths, config: dict) -> bool:
    """A spend cap is reached: skip the runner (the hash stays unsaved, so it resumes by itself)."""
    from looop.records import budget

    state = budget.check(paths.events, paths.ledger, config)
    budget.note(paths.budget_state, state)
    if not state.exhausted:
        return False
    until = time.strftime("%H:%M", time.localtime(state.resumes_at or time.time()))
    warn(f"budget reached ({state.reason}): skipping the runner until {until}")
    events.emit(paths.events, "budget_exhausted", reason=state.reason,
                resumes_at=budget.utc(state.resumes_at) if state.resumes_at else None)
    return True


def _guard_sections(paths: Paths, parts: list, config: dict, consume: bool = True) -> list[tuple[str, str]]:
    """LAST FAILURE, RUN_SHELL OUTPUT, WHAT CHANGED and FLAPPING SENSORS, before the PLAYBOOK."""
    from looop.beat import prompt
    from looop.core import knobs
    from looop.records import changes
    from looop.records import failures as failure

    out = []
    held = pause.prompt_section(paths)
    if held:
        out.append((prompt.PAUSED, held))
    failed = failure.section(paths.last_failure)
    if failed:
        out.append((prompt.LAST_FAILURE, failed))
    if paths.last_shell.exists():
        from looop.moves.shell import section

        shown = section(paths, consume=consume)
        if shown:
            out.append((prompt.RUN_SHELL, shown))
    before = changes.load(paths.world_state)
    out.append((prompt.WHAT_CHANGED, "\n".join(changes.report(before, parts)) + "\n"))
    beats = knobs.whole("flap_beats", config)
    flaps = changes.flapping(changes.streaks(before, parts), beats)
    if flaps:
        out.append((prompt.FLAPPING, changes.flapping_section(flaps, beats)))
    return out


def _inputs(paths: Paths, env: dict[str, str], snap_dir: Path, workers: list, focus: str | None,
            timed: list[schedules.Schedule]):
    from looop.beat import fairness, prompt
    from looop.core import knobs
    from looop.mailbox import view

    now, zone = journal.now_stamp()
    body_max = knobs.get("prompt_body_max")
    limit = read_limit()
    return prompt.Inputs(
        data_dir=paths.data,
        looop_bin=env["LOOOP_BIN"],
        now=now,
        zone=zone,
        playbook=_read_playbook(paths),
        proposal_pending=paths.proposed.exists(),
        goals=[(world.shown(g.name), read_text(g, "", limit) or "") for g in sorted(paths.goals.glob("*.md"))],
        readings=[(world.shown(s.name), read_text(s, "", limit) or "") for s in sorted(snap_dir.glob("sensor-*.json"))],
        workers=workers,
        pending_asks=view.prompt_section(paths, workers),
        claims=[(world.shown(c.stem), read_text(c, "", limit) or "") for c in sorted(paths.claims.glob("*.json"))],
        fairness=fairness.section(paths, fairness.goal_ids(paths.goals)),
        schedules=schedules.section(timed, time.time()),
        journal=journal.recent(paths.journal, 20),
        focus_goal=focus,
        body_max=body_max,
    )


def read_limit() -> int | None:
    """How many bytes of a goal or the PLAYBOOK a beat reads: enough for the
    prompt's per-body cap in characters (up to 4 bytes each), never the whole file."""
    from looop.core import knobs

    body_max = knobs.get("prompt_body_max")
    return body_max * 4 + 1 if body_max > 0 else None


def _read_playbook(paths: Paths) -> str:
    try:
        text = read_text(paths.playbook, "", read_limit()) or ""
    except OSError as exc:
        raise FatalError(f"cannot read {paths.playbook}: {exc.strerror}", 1) from None
    if not text.strip():
        warn("PLAYBOOK.md is empty: the AI gets no judgment to follow (edit it, or delete it to re-seed)")
    return text


def _after(paths: Paths, workers: list) -> None:
    from looop.beat import surface
    from looop.mailbox import notify, store

    notify.on_beat(paths, workers, store.pending_ids(paths))

    if gate.gate_post(paths.playbook, paths.approved, paths.proposed, lambda: gate.exact(paths.config)):
        warn("the AI edited PLAYBOOK.md: change parked in PLAYBOOK.proposed.md, baseline restored")
        events.emit(paths.events, "proposal_parked")
        parked.note(paths, "runner")
    _mark_gate_done(paths)
    from looop.core import knobs
    from looop.records import runs

    runs.prune_runs(paths.runs, knobs.get("runs_keep"))
    surface.print_block(paths, workers)


def runner_record(paths: Paths) -> Path:
    """Where the lock holder notes its running runner (see runner.reap_orphan)."""
    return paths.lock_dir / "runner"


def reap_orphan_runner(paths: Paths) -> None:
    """Called right after taking the lock: a runner whose pulse was killed
    must not make a second move alongside ours."""
    from looop.agents.runner import reap_orphan

    stopped = reap_orphan(runner_record(paths))
    if stopped:
        warn(f"stopped {stopped} process(es) of a runner whose pulse had died")
