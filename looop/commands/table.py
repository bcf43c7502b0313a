"""The verb table: every `looop` verb declared once, as plain data.

A row names the verb, the class that parses its command line (imported only
when that verb runs: plumbum's lazy `subcommand(name, "module.Class")`), the
one line `looop --help` shows, and the group it is shown under. `cli` wires
the table into plumbum; `help` and `completions` read it; nothing imports a
verb's module to learn its name.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Entry(NamedTuple):
    name: str  # "kill"; an action of a verb is "schedule write"
    target: str  # "looop.commands.workers.Kill": the module and class, imported on demand
    summary: str
    group: str  # a heading of `looop --help`; INTERNAL rows are never shown nor completed


LOOP, WORKERS, MAILBOX, FILES, SETUP, INTERNAL = "the loop", "workers", "the mailbox", "your files", "set-up and help", ""
GROUPS = (LOOP, WORKERS, MAILBOX, FILES, SETUP)
_C = "looop.commands."

TABLE: tuple[Entry, ...] = (
    Entry("init", _C + "init.Init", "Write the config from a built-in runner preset (claude, pi, codex, gemini, opencode)",
          SETUP),
    Entry("tick", _C + "tick.Tick", "Run one beat and exit (for debugging and cron)", LOOP),
    Entry("run", _C + "tick.Run", "Force ONE move for a goal, now (manual override)", LOOP),
    Entry("status", _C + "status.Status", "The loop's live state, for a human or (--json) a machine", LOOP),
    Entry("doctor", _C + "doctor.Doctor",
          "Is this machine ready? The config, the data dir's git, each worker command tried for a dialog", SETUP),
    Entry("ls", _C + "ls.Ls", "This profile's workers: id, state, age, exit code, ⚑ flag", WORKERS),
    Entry("attach", _C + "workers.Attach",
          "Attach this terminal to a worker (Ctrl-\\ twice detaches, it keeps running)", WORKERS),
    Entry("start-session", _C + "workers.StartSession",
          "Start a worker: an agent session in a detached terminal you can attach to", WORKERS),
    Entry("kill", _C + "workers.Kill", "End a worker: SIGTERM its process group, SIGKILL after a grace period", WORKERS),
    Entry("flag", _C + "workers.Flag", "Mark a worker as waiting for the human, with a one-line note", WORKERS),
    Entry("unflag", _C + "workers.Unflag", "Clear a worker's flag (the human answered)", WORKERS),
    Entry("prune", _C + "workers.Prune", "Remove exited, killed and dead worker sessions", WORKERS),
    Entry("playbook", _C + "playbook.Playbook",
          "Review an AI-proposed PLAYBOOK change (diff, approve, reject), go back (history, restore <n>), "
          "or write it (write TEXT|-)", FILES),
    Entry("goal", _C + "goal.Goal",
          "Write a goal (write <id> TEXT|-), archive one (archive <id>), journaled; list them, show <id>", FILES),
    Entry("sensor", _C + "sensor.Sensor",
          "Install a sensor (write <name> TEXT|-) after running it once; list them; test <name>; rm <name>", FILES),
    Entry("shell", _C + "shell.Shell",
          "Run one command as a run_shell move (deny-list, timeout), output shown, journaled", FILES),
    Entry("cost", _C + "cost.Cost", "Report LLM spend from the ledger: today (default) or all", LOOP),
    Entry("schedule", _C + "schedule.Schedule",
          "Wake the loop later: write <name> --in|--every|--at|--cron DUR [--note TEXT], rm <name>, list [--json]",
          FILES),
    Entry("schedule write", _C + "schedule.ScheduleWrite",
          "Create or replace a schedule: exactly one of --in, --every, --at, --cron", FILES),
    Entry("schedule rm", _C + "schedule.ScheduleRm", "Remove a schedule (a handled one-shot, or one no longer wanted)",
          FILES),
    Entry("schedule list", _C + "schedule.ScheduleList",
          "Every schedule with its next due time (local time); invalid files show as invalid", FILES),
    Entry("pause", _C + "pause.Pause",
          "Hold decisions: the pulse keeps sensing and serving asks, decides nothing, starts no worker", LOOP),
    Entry("resume", _C + "pause.Resume", "End a pause: the next beat decides again", LOOP),
    Entry("up", _C + "updown.Up", "Start the pulse detached, as the session `pulse` (attach pulse to watch it)", LOOP),
    Entry("down", _C + "updown.Down", "Stop the pulse, then every worker (SIGTERM, SIGKILL after the grace)", LOOP),
    Entry("service", _C + "service.Service",
          "Run the pulse at login: install, uninstall or status (systemd user unit / launchd agent)", LOOP),
    Entry("watch", _C + "watch.Watch",
          "A read-only full-screen view of the fleet: each session's terminal as it looked live", WORKERS),
    Entry("screenshot", _C + "watch.Screenshot",
          "Print what a session's terminal shows now (also for finished sessions)", WORKERS),
    Entry("ask", _C + "mailbox.Ask", "(for workers) Ask the human and block until answered; prints the answer", MAILBOX),
    Entry("asks", _C + "mailbox.Asks", "Pending asks from workers, oldest first, with the command to answer each",
          MAILBOX),
    Entry("answer", _C + "mailbox.Answer", "Answer a pending ask, exactly once (text, or - / nothing to read stdin)",
          MAILBOX),
    Entry("tell", _C + "mailbox.Tell",
          "Queue a message for a live worker (it reads it with `told` or with its next answer)", MAILBOX),
    Entry("told", _C + "mailbox.Told", "(for workers) Print the messages the human told you, oldest first, each once",
          MAILBOX),
    Entry("wait", _C + "mailbox.Wait",
          "Block until the loop needs you (a pending ask returns at once), then print status", MAILBOX),
    Entry("demo", _C + "demo.Demo", "See the loop work with no LLM: a full beat, then a skipped one", SETUP),
    Entry("help", _C + "help.Help",
          "The whole manual, with this machine's live paths; `help <verb>` for one verb, `help exit-codes`", SETUP),
    Entry("version", _C + "help.Version", "Print the version", SETUP),
    Entry("completions", _C + "completions.Completions",
          "Print tab completion for bash or zsh (eval it in your shell rc)", SETUP),
    Entry("today", _C + "today.Today",
          "What the loop did today: decisions, workers, asks, cost, failures, on one screen", LOOP),
    Entry("attention", _C + "attention.Attention",
          "The AI's notes for you (attention.md) with their ids; `attention done ID` clears one, journaled", MAILBOX),
    Entry("serve", _C + "serve.Serve",
          "A web inbox for your phone: asks, fleet, today, playbook (127.0.0.1; `looop[serve]`)", MAILBOX),
    Entry("_complete", _C + "completions.Complete",
          "(internal) shell completion: the words that may follow `looop <words...>`", INTERNAL),
    Entry("_fmt", _C + "internal.Fmt", "(internal) render and meter an agent's NDJSON stream on stdin", INTERNAL),
    Entry("_cost", _C + "cost.CostReport", "(internal) record spend: _cost <kind> <id> <runner> <usd>", INTERNAL),
    Entry("_supervise", _C + "internal.Supervise", "(internal) the detached supervisor of one worker session",
          INTERNAL),
    Entry("_demo-runner", _C + "demo.DemoRunner", "(internal) the scripted runner `looop demo` uses instead of an LLM",
          INTERNAL),
)

# the verbs a user types, in the table's order (the actions of a verb are not verbs)
VERBS = tuple(e.name for e in TABLE if e.group != INTERNAL and " " not in e.name)


def entry(name: str) -> Entry | None:
    """The row of `name` ("kill", "schedule write"), or None."""
    return next((e for e in TABLE if e.name == name), None)


def actions(verb: str) -> list[Entry]:
    """The rows of `verb`'s actions (`schedule write`, ...), in the table's order."""
    return [e for e in TABLE if e.name.startswith(verb + " ")]


def load(name: str) -> Any:
    """The class of verb `name`, importing its module now."""
    import importlib

    found = entry(name)
    if found is None:
        raise KeyError(name)
    module, _, cls = found.target.rpartition(".")
    return getattr(importlib.import_module(module), cls)
