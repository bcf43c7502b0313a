"""The `looop` command: parse arguments and dispatch to one verb.

Each verb's work lives in `looop/commands/`; this module only knows switches.
Heavy imports stay inside the verbs, so `looop version` costs the CLI
framework and nothing else. User mistakes end as one line, never a traceback.
"""

from __future__ import annotations

import os
import signal
import sys

from plumbum import cli

from looop import __version__
from looop.errors import ExitStatus, FatalError
from looop.usage import Verb

VERBS = (
    "init", "tick", "run", "status", "ls", "attach", "start-session", "kill", "flag", "unflag", "prune",
    "playbook", "goal", "sensor", "shell", "cost", "schedule", "pause", "resume", "up", "down", "service",
    "watch", "screenshot", "ask", "asks", "answer", "tell", "told", "wait", "demo", "help", "version", "completions",
    "today", "attention", "serve",
)


def _paths():
    from looop.paths import resolve

    return resolve()


class Looop(Verb):
    """A tiny, Kubernetes-shaped control loop for your work."""

    PROGNAME = "looop"
    VERSION = __version__
    DESCRIPTION = ("Once per beat: run your sensors, and only when the world changed ask an LLM "
                   "for exactly ONE move. `looop` alone runs the pulse; `looop help` is the manual.")
    SUBCOMMAND_HELPMSG = False

    quiet = cli.Flag(["--quiet", "-q"], help="print nothing for a beat that found the world unchanged")

    @cli.switch(["-h", "--help"], overridable=True, group="Meta-switches", help="Prints this help and quits")
    def help(self) -> None:
        from looop.commands.help import overview

        print(overview(self.DESCRIPTION, [(v, self._subcommands[v].get().__doc__ or "")
                                          for v in VERBS if v in self._subcommands]), end="")

    def main(self, *args: str) -> int:
        if self.nested_command:
            return 0
        if args:
            from looop.usage import UsageError, did_you_mean

            close = did_you_mean(args[0], list(VERBS))
            hint = f"did you mean `looop {close}`? " if close else ""
            raise UsageError(f"unknown verb '{args[0]}'; {hint}verbs: {', '.join(VERBS)} (see `looop help`)")
        from looop import pulse

        return pulse.run(_paths(), quiet=self.quiet)


@Looop.subcommand("init")
class Init(Verb):
    """Write the config from a built-in runner preset (claude, pi, codex, gemini, opencode)"""

    runner = cli.SwitchAttr(["--runner", "-r"], str, default=None, argname="NAME",
                            help="the preset to use; without it, asks on a terminal (else the first installed)")
    force = cli.Flag("--force", help="overwrite an existing config (the old one is kept as .bak)")

    def main(self) -> int:
        from looop.commands.init import init

        return init(_paths(), runner=self.runner, force=self.force)


@Looop.subcommand("tick")
class Tick(Verb):
    """Run one beat and exit (for debugging and cron)"""

    dry_run = cli.Flag(["--dry-run", "-n"], help="sense and diff, write the prompt, do not call the runner")
    quiet = cli.Flag(["--quiet", "-q"], help="print nothing when the world is unchanged")

    def main(self) -> int:
        from looop.commands.tick import tick

        return tick(_paths(), dry_run=self.dry_run, quiet=self.quiet)


@Looop.subcommand("run")
class Run(Verb):
    """Force ONE move for a goal, now (manual override)"""

    def main(self, goal: str) -> int:
        from looop.commands.tick import run_goal

        return run_goal(_paths(), goal)


@Looop.subcommand("status")
class Status(Verb):
    """The loop's live state, for a human or (--json) a machine"""

    json = cli.Flag("--json", help="print the machine format (schemas/status.schema.json)")

    def main(self) -> int:
        from looop.commands.status import status

        return status(_paths(), as_json=self.json)


@Looop.subcommand("doctor")
class Doctor(Verb):
    """Is this machine ready? The config, the data dir's git, each worker command tried for a dialog"""

    def main(self) -> int:
        from looop.commands.doctor import doctor

        return doctor(_paths())


@Looop.subcommand("ls")
class Ls(Verb):
    """This profile's workers: id, state, age, exit code, ⚑ flag"""

    json = cli.Flag("--json", help="print the machine format (schemas/ls.schema.json)")
    watch = cli.Flag(["--watch", "-w"], help="redraw in place until Ctrl-C")
    interval = cli.SwitchAttr(["--interval", "-n"], str, default="2", argname="DUR",
                              help="how often --watch redraws (2, 2s, 500ms, 1m)")

    def main(self) -> int:
        from looop.commands.ls import ls

        return ls(_paths(), as_json=self.json, watch=self.watch, interval=self.interval)


@Looop.subcommand("start-session")
class StartSession(Verb):
    """Start a worker: an agent session in a detached terminal you can attach to"""

    verify = cli.SwitchAttr("--verify", str, default=None, argname="CMD",
                            help="a command the beat runs once after the worker ends; exit 0 = the work is done")
    cwd = cli.SwitchAttr("--cwd", str, default=None, argname="DIR",
                         help="where the worker starts (boxed: only its work dir or a sandbox_write path)")

    def main(self, id: str, prompt: str, runner: str = "") -> int:  # plumbum calls the annotation: plain str
        from looop.commands.workers import start_session

        return start_session(_paths(), id, prompt, runner or None, verify=self.verify, cwd=self.cwd)


@Looop.subcommand("attach")
class Attach(Verb):
    """Attach this terminal to a worker (Ctrl-\\ twice detaches, it keeps running)"""

    def main(self, id: str) -> int:
        from looop.commands.workers import attach

        return attach(_paths(), id)


@Looop.subcommand("kill")
class Kill(Verb):
    """End a worker: SIGTERM its process group, SIGKILL after a grace period"""

    grace = cli.SwitchAttr("--grace", float, default=5.0, argname="SECONDS",
                           help="seconds between SIGTERM and SIGKILL")

    def main(self, id: str) -> int:
        from looop.commands.workers import kill

        return kill(_paths(), id, grace=self.grace)


@Looop.subcommand("flag")
class Flag(Verb):
    """Mark a worker as waiting for the human, with a one-line note"""

    def main(self, id: str, *message: str) -> int:
        from looop.commands.workers import flag

        return flag(_paths(), id, " ".join(message))


@Looop.subcommand("unflag")
class Unflag(Verb):
    """Clear a worker's flag (the human answered)"""

    def main(self, id: str) -> int:
        from looop.commands.workers import unflag

        return unflag(_paths(), id)


@Looop.subcommand("prune")
class Prune(Verb):
    """Remove exited, killed and dead worker sessions"""

    def main(self) -> int:
        from looop.commands.workers import prune

        return prune(_paths())


@Looop.subcommand("watch")
class Watch(Verb):
    """A read-only full-screen view of the fleet: each session's terminal as it looked live"""

    show_all = cli.Flag(["--all", "-a"], help="list finished sessions too (Tab toggles)")
    since = cli.SwitchAttr("--since", str, default=None, argname="DUR",
                           help="also list sessions active within DUR (30m, 2h, 1d)")

    def main(self, id: str = "") -> int:
        from looop.commands.watch import watch

        return watch(_paths(), id or None, show_all=self.show_all, since=self.since)


@Looop.subcommand("screenshot")
class Screenshot(Verb):
    """Print what a session's terminal shows now (also for finished sessions)"""

    ansi = cli.Flag("--ansi", help="keep the colours (even with NO_COLOR: the flag is explicit)")
    json = cli.Flag("--json", help="a grid: cols, rows, lines, cursor (schemas/screenshot.schema.json)")

    def main(self, id: str) -> int:
        from looop.commands.watch import screenshot

        return screenshot(_paths(), id, ansi=self.ansi, as_json=self.json)


@Looop.subcommand("playbook")
class Playbook(Verb):
    """Review an AI-proposed PLAYBOOK change (diff, approve, reject), go back (history, restore <n>), or write it (write TEXT|-)"""

    journal = cli.SwitchAttr("--journal", str, default=None, argname="LINE",
                             help="playbook write: the journal line's text (default: a summary)")

    def main(self, action: cli.Set("diff", "approve", "reject", "history", "restore", "write") = "diff",  # type: ignore[valid-type]
             *rest: str) -> int:
        from looop.commands.playbook import playbook, write

        if action == "write":
            return write(_paths(), list(rest), self.journal)
        return playbook(_paths(), action, rest[0] if rest else None)


@Looop.subcommand("goal")
class Goal(Verb):
    """Write a goal (write <id> TEXT|-), archive one (archive <id>), journaled; list them, show <id>"""

    journal = cli.SwitchAttr("--journal", str, default=None, argname="LINE",
                             help="the journal line's text (default: a summary)")
    json = cli.Flag("--json", help="list: print JSON")

    def main(self, action: cli.Set("write", "archive", "list", "show"), id: str = "", *text: str) -> int:  # type: ignore[valid-type]
        from looop.commands import goal

        if action == "list":
            _no_more("goal list", id, *text)
            return goal.goal_list(_paths(), as_json=self.json)
        if not id:
            raise FatalError(f"usage: looop goal {action} ID" + (" TEXT|-" if action == "write" else ""), 2)
        if action == "show":
            _no_more("goal show ID", *text)
            return goal.goal_show(_paths(), id)
        return goal.goal(_paths(), action, id, text, self.journal)


@Looop.subcommand("sensor")
class Sensor(Verb):
    """Install a sensor (write <name> TEXT|-) after running it once; list them; test <name>; rm <name>"""

    journal = cli.SwitchAttr("--journal", str, default=None, argname="LINE",
                             help="the journal line's text (default: a summary)")
    force = cli.Flag("--force", help="write: install even if its test run does not print one JSON object")
    json = cli.Flag("--json", help="list: print JSON")

    def main(self, action: cli.Set("write", "list", "test", "rm"), name: str = "", *text: str) -> int:  # type: ignore[valid-type]
        from looop.commands import sensor

        if action == "list":
            _no_more("sensor list", name, *text)
            return sensor.sensor_list(_paths(), as_json=self.json)
        if not name:
            raise FatalError(f"usage: looop sensor {action} NAME" + (" TEXT|-" if action == "write" else ""), 2)
        if action == "write":
            return sensor.sensor_write(_paths(), name, text, self.journal, force=self.force)
        _no_more(f"sensor {action} NAME", *text)
        if action == "test":
            return sensor.sensor_test(_paths(), name)
        return sensor.sensor_rm(_paths(), name, self.journal)


def _no_more(usage: str, *extra: str) -> None:
    if any(extra):
        raise FatalError(f"usage: looop {usage} (unexpected: {' '.join(extra)[:60]})", 2)


@Looop.subcommand("shell")
class Shell(Verb):
    """Run one command as a run_shell move (deny-list, timeout), output shown, journaled"""

    journal = cli.SwitchAttr("--journal", str, default=None, argname="LINE",
                             help="the journal line's text (default: a summary)")

    def main(self, *cmd: str) -> int:
        from looop.commands.shell import shell

        return shell(_paths(), cmd, self.journal)


@Looop.subcommand("cost")
class Cost(Verb):
    """Report LLM spend from the ledger: today (default) or all"""

    json = cli.Flag("--json", help="print the machine format")

    def main(self, scope: cli.Set("today", "all") = "today") -> int:  # type: ignore[valid-type]
        from looop.commands.cost import cost

        return cost(_paths(), scope, as_json=self.json)


@Looop.subcommand("schedule")
class Schedule(Verb):
    """Wake the loop later: write <name> --in|--every|--at|--cron DUR [--note TEXT], rm <name>, list [--json]"""

    def main(self, *args: str) -> int:
        if self.nested_command:
            return 0
        if args:
            raise FatalError(f"schedule: unknown action {args[0]!r} (write, rm, list)", 2)
        from looop.commands.schedule import list_

        return list_(_paths())


@Schedule.subcommand("write")
class ScheduleWrite(Verb):
    """Create or replace a schedule: exactly one of --in, --every, --at, --cron"""

    in_ = cli.SwitchAttr("--in", str, default=None, argname="DUR", help="once, this long from now (90, 90s, 30m, 12h, 1d)")
    every = cli.SwitchAttr("--every", str, default=None, argname="DUR", help="every period (at least 60 s)")
    at = cli.SwitchAttr("--at", str, default=None, argname="TIME", help="once, at this ISO local time (2026-12-01T09:00)")
    cron = cli.SwitchAttr("--cron", str, default=None, argname="EXPR", help="a 5-field cron expression, local time")
    note = cli.SwitchAttr("--note", str, default="", argname="TEXT", help="what the loop should do when it fires")
    journal = cli.SwitchAttr("--journal", str, default=None, argname="LINE", help="word the journal line yourself")

    def main(self, name: str) -> int:
        from looop.commands.schedule import write

        return write(_paths(), name, in_=self.in_, every=self.every, at=self.at, cron=self.cron, note=self.note,
                     journal=self.journal)


@Schedule.subcommand("rm")
class ScheduleRm(Verb):
    """Remove a schedule (a handled one-shot, or one no longer wanted)"""

    journal = cli.SwitchAttr("--journal", str, default=None, argname="LINE", help="word the journal line yourself")

    def main(self, name: str) -> int:
        from looop.commands.schedule import rm

        return rm(_paths(), name, journal=self.journal)


@Schedule.subcommand("list")
class ScheduleList(Verb):
    """Every schedule with its next due time (local time); invalid files show as invalid"""

    json = cli.Flag("--json", help="print a JSON array")

    def main(self) -> int:
        from looop.commands.schedule import list_

        return list_(_paths(), as_json=self.json)


@Looop.subcommand("pause")
class Pause(Verb):
    """Hold decisions: the pulse keeps sensing and serving asks, decides nothing, starts no worker"""

    for_ = cli.SwitchAttr("--for", str, default=None, argname="DUR", help="end the pause by itself after DUR (30m, 2h, 1d)")

    def main(self, *reason: str) -> int:
        from looop.commands.pause import pause

        return pause(_paths(), reason, self.for_)


@Looop.subcommand("resume")
class Resume(Verb):
    """End a pause: the next beat decides again"""

    def main(self) -> int:
        from looop.commands.pause import resume

        return resume(_paths())


@Looop.subcommand("up")
class Up(Verb):
    """Start the pulse detached, as the session `pulse` (attach pulse to watch it)"""

    def main(self) -> int:
        from looop.commands.updown import up

        return up(_paths())


@Looop.subcommand("down")
class Down(Verb):
    """Stop the pulse, then every worker (SIGTERM, SIGKILL after the grace)"""

    grace = cli.SwitchAttr("--grace", float, default=5.0, argname="SECONDS",
                           help="seconds between SIGTERM and SIGKILL")

    def main(self) -> int:
        from looop.commands.updown import down

        return down(_paths(), grace=self.grace)


@Looop.subcommand("service")
class Service(Verb):
    """Run the pulse at login: install, uninstall or status (systemd user unit / launchd agent)"""

    serve = cli.Flag("--serve", help="the web inbox (`looop serve`) as its own service, beside the pulse")

    def main(self, action: cli.Set("install", "uninstall", "status") = "status") -> int:  # type: ignore[valid-type]
        from looop.commands.service import service

        return service(_paths(), action, serve=self.serve)


@Looop.subcommand("ask")
class Ask(Verb):
    """(for workers) Ask the human and block until answered; prints the answer"""

    worker = cli.SwitchAttr("--worker", str, default=None, argname="ID",
                            help="the asking worker (default: $LOOOP_SESSION_ID)")
    prompt = cli.SwitchAttr("--prompt", str, default="", argname="TEXT", help="the question, in a line or a few")
    options = cli.SwitchAttr("--options", str, default=None, argname="A,B", help="the choices, comma separated")
    ref = cli.SwitchAttr("--ref", str, default=None, argname="PATH", help="a file with the detail (e.g. reports/x.md)")
    timeout = cli.SwitchAttr("--timeout", str, default=None, argname="SECONDS",
                             help="give up after this long (exit 3; the ask stays pending); env LOOOP_ASK_TIMEOUT")
    wait = cli.SwitchAttr("--wait", str, default=None, argname="ASK-ID",
                          help="pick up the answer to an ask made before (after a cut-off wait); asks nothing new")

    def main(self) -> int:
        from looop.commands.mailbox import ask

        return ask(_paths(), self.worker, self.prompt, self.options, self.ref, self.timeout, self.wait)


@Looop.subcommand("asks")
class Asks(Verb):
    """Pending asks from workers, oldest first, with the command to answer each"""

    json = cli.Flag("--json", help="print a JSON array of ask records (schemas/asks.schema.json)")
    all = cli.Flag("--all", help="include answered asks, with their answers")
    prune = cli.SwitchAttr("--prune", str, default=None, argname="DAYS",
                           help="remove answered asks (and their answers) older than DAYS")

    def main(self) -> int:
        from looop.commands.mailbox import asks

        return asks(_paths(), as_json=self.json, include_answered=self.all, prune=self.prune)


@Looop.subcommand("answer")
class Answer(Verb):
    """Answer a pending ask, exactly once (text, or - / nothing to read stdin)"""

    force = cli.Flag("--force", help="replace an answer already given, or send one outside the ask's --options")

    def main(self, ask_id: str, *text: str) -> int:
        from looop.commands.mailbox import answer

        return answer(_paths(), ask_id, list(text), force=self.force)


@Looop.subcommand("tell")
class Tell(Verb):
    """Queue a message for a live worker (it reads it with `told` or with its next answer)"""

    def main(self, worker: str, *message: str) -> int:
        from looop.commands.mailbox import tell

        return tell(_paths(), worker, list(message))


@Looop.subcommand("told")
class Told(Verb):
    """(for workers) Print the messages the human told you, oldest first, each once"""

    worker = cli.SwitchAttr("--worker", str, default=None, argname="ID",
                            help="the worker (default: $LOOOP_SESSION_ID)")

    def main(self) -> int:
        from looop.commands.mailbox import told

        return told(_paths(), self.worker)


@Looop.subcommand("wait")
class Wait(Verb):
    """Block until the loop needs you (a pending ask returns at once), then print status"""

    only_asks = cli.Flag("--only-asks", help="watch asks only")
    actionable = cli.Flag("--actionable", help="watch asks and the journal")
    timeout = cli.SwitchAttr("--timeout", str, default=None, argname="SECONDS", help="give up after this long (exit 3)")
    json = cli.Flag("--json", help="print the status --json object plus \"changed\"")

    def main(self) -> int:
        from looop.commands.mailbox import wait

        return wait(_paths(), only_asks=self.only_asks, actionable=self.actionable, timeout=self.timeout,
                    as_json=self.json)


@Looop.subcommand("today")
class Today(Verb):
    """What the loop did today: decisions, workers, asks, cost, failures, on one screen"""

    since = cli.SwitchAttr("--since", str, default=None, argname="DUR",
                           help="the window instead of since midnight (30m, 12h, 7d)")
    json = cli.Flag("--json", help="print the machine format (schemas/today.schema.json)")

    def main(self) -> int:
        from looop.commands.today import today

        return today(_paths(), since=self.since, as_json=self.json)


@Looop.subcommand("attention")
class Attention(Verb):
    """The AI's notes for you (attention.md) with their ids; `attention done ID` clears one, journaled"""

    json = cli.Flag("--json", help="print a JSON array of {id, text}")

    def main(self, action: cli.Set("list", "done") = "list", id: str = "") -> int:  # type: ignore[valid-type]
        from looop.commands.attention import attention

        return attention(_paths(), action, id or None, as_json=self.json)


@Looop.subcommand("serve")
class Serve(Verb):
    """A web inbox for your phone: asks, fleet, today, playbook (127.0.0.1; `looop[serve]`)"""

    DESCRIPTION_MORE = (
        "JSON under /api/ (the same cookie; POSTs need the X-CSRF-Token header from GET /api/session): "
        "GET /api/inbox, /api/fleet, /api/fleet/<id>/screen, /api/today, /api/playbook; "
        "POST /api/asks/<id>/answer {answer}, /api/fleet/<id>/tell {msg}, /api/fleet/<id>/kill, "
        "/api/attention/<id>/done, /api/playbook/approve|reject. Schemas: schemas/web-*.schema.json.")

    host = cli.SwitchAttr("--host", str, default="127.0.0.1", argname="ADDR",
                          help="where to listen; anything but 127.0.0.1/localhost/::1 needs --cert/--key or --insecure-http")
    port = cli.SwitchAttr("--port", int, default=8765, argname="PORT", help="the TCP port (0: any free one)")
    cert = cli.SwitchAttr("--cert", str, default=None, argname="FILE", help="TLS certificate (PEM)")
    key = cli.SwitchAttr("--key", str, default=None, argname="FILE", help="TLS private key (PEM)")
    insecure_http = cli.Flag("--insecure-http", help="allow plain HTTP on a non-local host (warned: anyone on the path sees the token)")
    token_file = cli.SwitchAttr("--token-file", str, default=None, argname="FILE",
                                help="where the login token lives (default: owner-only, in the state dir)")
    new_token = cli.Flag("--new-token", help="rotate the login token: old links and sessions stop working")

    def main(self) -> int:
        from looop.commands.serve import serve

        return serve(_paths(), host=self.host, port=self.port, cert=self.cert, key=self.key,
                     insecure_http=self.insecure_http, token_file=self.token_file, new_token=self.new_token)


@Looop.subcommand("demo")
class Demo(Verb):
    """See the loop work with no LLM: a full beat, then a skipped one"""


    def main(self) -> int:
        from looop.commands.demo import demo

        return demo()


@Looop.subcommand("help")
class Help(Verb):
    """The whole manual, with this machine's live paths; `help <verb>` for one verb"""

    def main(self, verb: str = "", action: str = "") -> int:
        if verb:
            from looop.usage import UsageError, did_you_mean, verb_help

            assert self.parent is not None  # a subcommand always has its parent
            sub = self.parent._subcommands.get(verb)
            if sub is None:
                close = did_you_mean(verb, list(VERBS), read_only=True)
                raise UsageError(f"help: no verb '{verb}'" + (f"; did you mean `looop help {close}`?" if close else
                                                              f" (verbs: {', '.join(VERBS)})"))
            name = f"looop {verb}"
            if action:  # `looop help schedule write`
                actions = getattr(sub.get()(name), "_subcommands", {})
                if action not in actions:
                    raise UsageError(f"help: `looop {verb}` has no action '{action}'"
                                     + (f" (actions: {', '.join(actions)})" if actions else ""))
                sub, name = actions[action], f"{name} {action}"
            print(verb_help(sub.get()(name)), end="")
            return 0
        from looop.commands.help import manual

        return manual(_paths())


@Looop.subcommand("version")
class Version(Verb):
    """Print the version"""

    def main(self) -> int:
        print(f"looop {__version__}")
        return 0


@Looop.subcommand("completions")
class Completions(Verb):
    """Print tab completion for bash or zsh (eval it in your shell rc)"""

    def main(self, shell: str) -> int:
        from looop.commands.completions import completions

        return completions(shell)


@Looop.subcommand("_complete")
class Complete(Verb):
    """(internal) shell completion: the words that may follow `looop <words...>`"""

    def main(self, *words: str) -> int:
        from looop.commands.completions import complete, switches_of

        assert self.parent is not None  # a subcommand always has its parent
        registered = self.parent._subcommands

        def switches(verb: str) -> list[str]:
            """`verb` may be nested: `schedule write`."""
            table, app = registered, None
            for word in verb.split():
                sub = table.get(word)
                if sub is None:
                    return []
                app = sub.get()(f"looop {verb}")
                table = app._subcommands
            return switches_of(app) if app else []

        return complete(_paths(), list(words), [v for v in VERBS if v in registered], switches)


@Looop.subcommand("_fmt")
class Fmt(Verb):
    """(internal) render and meter an agent's NDJSON stream on stdin"""

    def main(self) -> int:
        from looop import fmt

        return fmt.run(sys.stdin, sys.stdout)


@Looop.subcommand("_cost")
class CostReport(Verb):
    """(internal) record spend: _cost <kind> <id> <runner> <usd>"""

    def main(self, kind: str, cost_id: str, runner: str, usd: str) -> int:
        from looop.commands.cost import record

        return record(_paths(), kind, cost_id, runner, usd)


@Looop.subcommand("_supervise")
class Supervise(Verb):
    """(internal) the detached supervisor of one worker session"""

    def main(self, session_dir: str, lock_fd: str = "") -> int:
        from looop.fleet.supervisor import main as supervise

        return supervise(session_dir, int(lock_fd) if lock_fd.isdigit() else None)


@Looop.subcommand("_demo-runner")
class DemoRunner(Verb):
    """(internal) the scripted runner `looop demo` uses instead of an LLM"""

    def main(self) -> int:
        from looop.commands.demo import scripted_move

        return scripted_move(sys.stdin.read())


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


# verbs whose text may come on stdin as a lone `-` (which plumbum would read as a switch)
_STDIN_VERBS = ("goal", "sensor", "playbook", "shell", "answer")


def _stdin_dash(argv: list[str]) -> list[str]:
    """`looop goal write g - --journal X` → `looop goal write g --journal X -- -`."""
    if argv and argv[0] in _STDIN_VERBS and "-" in argv[1:]:
        cut = argv.index("--") if "--" in argv else len(argv)
        if "-" in argv[1:cut]:
            return [a for a in argv[:cut] if a != "-"] + ["--", "-"] + argv[cut + 1:]
    return argv


def main(argv: list[str] | None = None) -> int:
    from looop.error_handler import error_handler
    from looop.untrusted import argument, guard_streams

    guard_streams()
    argv = _stdin_dash([argument(a) for a in (sys.argv[1:] if argv is None else argv)])
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        with error_handler(lambda: _paths().crash_log, _stderr):
            if argv[:1] not in (["help"], ["version"], ["-h"], ["--help"], ["-v"], ["--version"]):
                from looop import knobs

                knobs.check_env()  # a bad knob is one line naming it, before any verb runs
            if argv and "LOOOP_DOOR" in os.environ:  # inside a box: changes go out through the door (§19)
                from looop.box import door

                if door.through(argv):
                    return door.forward(argv)
            _, code = Looop.run(["looop", *argv], exit=False)
            sys.stdout.flush()
            return int(code or ExitStatus.OK)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def _stderr(text: str) -> None:
    try:
        print(text, file=sys.stderr, flush=True)
    except OSError:
        pass
