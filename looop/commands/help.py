"""`looop help`: the whole manual, with this machine's live paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from looop import __version__
from looop.commands import table as verbs
from looop.commands import usage
from looop.core.errors import ExitStatus, exit_table
from looop.core.paths import Paths

if TYPE_CHECKING:
    from looop.core.paths import Paths

MANUAL = """\
looop {version}: a tiny, Kubernetes-shaped control loop for your work

THE IDEA
  Desired state lives in goals, judgment in a PLAYBOOK, observation in
  sensors. Once per beat looop runs the sensors, hashes what matters and,
  only if something changed, hands everything to an LLM agent CLI (the
  runner) that makes exactly ONE move and writes ONE journal line. Long work
  goes to workers: detached agent sessions you can attach to. looop itself
  never thinks; all state is plain files, so any beat can crash and the next
  one carries on from the files (level-triggered).

THE NOUNS (in the data dir)
  PLAYBOOK.md          your judgment: priorities and guardrails (tracked)
  goals/*.md           desired state, one file per concern; goals/archive/ (tracked)
  sensors/*.sh         executables that print ONE JSON object each (tracked)
  sensors/examples/    starters `init` installs (not run until copied up to sensors/)
  journal.md           the action log, one line per move (tracked)
  .looop-git/          looop's own history when the data dir lies in your repository
                       (the tracked files are committed by path; your index, .gitignore
                       and branches are never touched)
  snapshots/           this beat's readings, sensor-<name>.json (+ .err)
  runs/<id>/           prompt.md + output.log of each decision (newest LOOOP_RUNS_KEEP kept)
  claims/<name>.json   a worker's lease on a task; reaped when its worker is gone
  reports/             deliverables for you
  prompts/             the prompt each worker started with
  attention.md         blockers the AI wants you to see
  asks/ answers/       workers' questions and your answers (kept as the record)
  tells/               messages for live workers (tells/consumed/: delivered, kept 7 days)
  .notified.json       which notifications went out, and which wait for a retry
  events.jsonl         lifecycle events, one JSON per line
  cost.jsonl           the spend ledger
  schedules/<name>.json  timed wake-ups: once (--in/--at) or recurring (--every/--cron) (tracked)
  paused               `looop pause` wrote it: beats sense and serve asks, decide nothing
  events.jsonl.N.gz    older events (rotated past LOOOP_EVENTS_MAX_BYTES, 7 kept)
  fleet/finished/      workers the beat has shown, kept worker_log_keep (7 days)
  .next-interval       the AI's one-shot request for the next wait (5..3600 s)

ONE BEAT
  0. seed a fresh data dir; PLAYBOOK gate (adopt your hand edits; an edit made
     while a runner or a worker ran is parked as a proposal)
  1. reap claims whose worker is gone
  2. SENSE   run every sensors/*.sh at once (timeout LOOOP_SENSOR_TIMEOUT,
             size cap LOOOP_SENSOR_MAX_BYTES); a bad reading becomes an error
             object saying what was wrong
  3. DIFF    hash PLAYBOOK + goals + each reading's "signal" (whole reading if
             it has none) + workers' id/state/exit/flag. Same as the last
             decided beat? stop: no LLM call
  4. DECIDE  write runs/<id>/prompt.md
  5. ACT     run the runner's tick command via bash -lc in the data dir, the
             prompt on stdin; stream its output; on success save the hash and
             commit the tracked files to git with the journal line
  6. AFTER   prune the finished workers this decision was shown; park any
             AI edit of PLAYBOOK.md as a proposal; prune runs/;
             print NEEDS YOU when something waits for you

THE RULES
  One beat, one move. The pulse is code; judgment is the AI's.
  Nothing irreversible happens without you: PLAYBOOK edits by the AI are parked
  until `looop playbook approve`; workers flag and wait.
  Single writer: the beat owns PLAYBOOK, goals and sensors; workers own
  claims/, reports/ and their own sandboxes.

THE MAILBOX
  A worker asks (`looop ask`) and blocks until you answer from any shell
  (`looop asks`, `looop answer <id> <text>`); you steer a live worker with
  `looop tell`, which it collects with `looop told` or with its next answer.
  Pending asks wake the loop once, appear in the prompt (LIVE or STRANDED),
  in NEEDS YOU, `status`, and as `waiting-ask` in `ls`. A worker flags instead
  when it needs a conversation at the keyboard.
  Notifications: config "notify" (Apprise URLs, e.g. "ntfys://ntfy.sh/<topic>",
  "json://host:port/path" for a webhook) and/or "notify_command" (a shell
  command given one JSON object on stdin). Each new ask, new flag, failing
  streak (notify_after_failures, LOOOP_NOTIFY_AFTER_FAILURES; default 3,
  0 = off), spend hold, worker that failed, failed its verify or stalled
  (notify_stall, 30 min), and pulse that stopped (not by `looop down`) is
  sent once (.notified.json); a target that is down is retried on later
  beats (5 s per try) and shown in status.
  ask_timeout, LOOOP_ASK_TIMEOUT (none): seconds `looop ask` waits before exit 3.

SENSORS
  Print one small JSON object: what should wake the loop under "signal",
  churn (timestamps, counters) under "detail". Only "signal" feeds the hash.
  A header line "# looop:interval=300" (5m, 2h; within the first 5 lines)
  runs the sensor at most that often: in between, its last good reading
  (kept in .sensor-cache/) is reused byte for byte.

PATHS (live)
  config     {config}   (LOOOP_CONFIG)
  data dir   {data}   (LOOOP_DATA_DIR){profile}
  fleet      {fleet}

VERBS
  looop [--quiet]              run the pulse: beat, wait, repeat (Ctrl-C stops);
                               an unchanged beat is one line (--quiet: none)
  looop init [--runner NAME] [--force]
                               write the config from a preset: claude, pi, codex,
                               gemini, opencode (never overwrites without --force)
  looop tick [--dry-run] [-q]  one beat, then exit (cron-friendly: exit 1 if it failed)
  looop run <goal>             force one move for a goal now
  looop status [--json]        pulse, last move, workers, pending changes, spend
  looop ls [--json] [-w]       this profile's workers (⚑ = waiting for you)
  looop doctor                 is this machine ready: config, git, each worker
                               command tried for a dialog that would block it
  looop attach <id>            attach to a worker (Ctrl-\\ twice within 3 s detaches;
                               a single Ctrl-\\ is not sent to the worker)
  looop watch [<id>] [--all | --since DUR]
                               read-only full-screen view of every session:
                               ↑/↓ select, PgUp/PgDn ^U/^D ←/→ scroll, g/G, Tab, q
  looop screenshot <id> [--ansi | --json]
                               what a session's terminal shows now
  looop start-session <id> "<prompt>" [runner] [--verify CMD]
                               start a worker (the beat's AI does this); CMD runs
                               once after it ends: exit 0 = the work is done
  looop kill|flag|unflag <id>  manage a worker; looop prune clears finished ones
  looop asks [--json] [--all] [--prune DAYS]
                               workers' pending asks, oldest first, with the answer command
  looop answer <ask-id> [TEXT|-] [--force]
                               answer once (no text or - reads stdin; cap 64 KiB);
                               --force replaces a wrong or unreadable answer
  looop tell <worker> <msg>    queue a message for a live worker
  looop wait [--only-asks|--actionable] [--timeout S] [--json]
                               block until the loop needs you, then print status:
                               exit 0 changed, 2 pulse not running, 3 timeout
  looop ask --prompt TEXT [--options a,b] [--ref PATH] [--timeout S] [--worker ID]
                               (workers) block until the human answers; print it
  looop ask --wait <ask-id>    (workers) pick up the answer after a cut-off wait
  looop told [--worker ID]     (workers) print messages told to you, each once
  looop playbook [diff|approve|reject]
                               review the AI's proposed PLAYBOOK change
  looop playbook history [<n>] | restore <n>
                               earlier live PLAYBOOKs (newest 20, in playbook.d/);
                               restore makes one live and the approved baseline
  looop goal write <id> TEXT|-  create or replace goals/<id>.md (the text as words, or - for stdin)
  looop goal archive <id>      move a goal to goals/archive/
  looop goal list [--json] | show <id>
                               every goal, the one waiting longest first; one goal's text
  looop sensor write <name> TEXT|- [--force]
                               install sensors/<name>.sh after one test run that must
                               print one JSON object (--force installs it anyway)
  looop sensor list [--json] | test <name> | rm <name>
                               each sensor's interval and last reading; run one now
                               (changes nothing); rm keeps it in sensors/removed/
  looop playbook write TEXT|-  make a PLAYBOOK live now (the replaced text goes to history)
  looop shell <cmd…>|-         run one command as a run_shell move (deny-list, timeout)
                               Each of these journals one line (--journal LINE to word
                               it); texts are capped at 65536 bytes
  looop cost [today|all] [--json]
                               LLM spend from the ledger
  looop schedule write <name> (--in DUR | --every DUR | --at TIME | --cron EXPR) [--note TEXT] [--journal LINE]
                               wake the loop later (DUR: 90, 90s, 30m, 12h, 1d, 1h30m, PT5M; --every >= 60 s;
                               --at an ISO local time; --cron 5 fields, local time)
  looop schedule rm <name> | list [--json]
                               drop a schedule; list them with their next due time
  looop up | down [--grace S]  start the pulse detached (as the session `pulse`: attach pulse,
                               read-only) and wait for its first beat; stop the pulse, then every worker
  looop pause [--for DUR] [REASON]
                               hold decisions: beats still sense, serve asks and notify, but
                               decide nothing and start no worker; journaled
  looop resume                 decide again (a pause --for DUR ends by itself)
  looop service install|uninstall|status [--serve]
                               run the pulse at login (systemd user unit / launchd agent);
                               --serve: the web inbox, as its own unit beside it
  looop today [--since DUR] [--json]
                               what the loop did: decisions, workers, asks, cost, failures
  looop attention [done <id>]  the AI's notes for you, with ids; done clears one (journaled)
  looop serve [--host H] [--port P] [--cert F --key F | --insecure-http] [--new-token]
                               (human) the web inbox: asks, fleet, today, playbook; prints
                               a login link; 127.0.0.1 unless TLS or --insecure-http
  looop demo                   a full beat and a skipped beat, no LLM needed
  looop completions bash|zsh   shell completion (verbs, goal ids, worker ids)
  looop version | help [<verb>] | help exit-codes
                               the version; this manual, one verb's switches, or what
                               each exit code means

CADENCE
  After a beat that acted: busy_interval; while a worker is alive:
  active_interval; otherwise: interval (never below 1 s). Failed beats back
  off exponentially up to 300 s. .next-interval overrides once.
  The guardrails: either spend cap reached, the beat skips the runner, says
  so in status and NEEDS YOU, and resumes by itself. The prompt also says what
  changed since the last decided beat (WHAT CHANGED) and, after a failed beat,
  its exit and output (LAST FAILURE).
  Worker health: busy, waiting-ask, stuck (worker_stuck), flagged, dead; a
  change of health wakes the loop. A beat starts --verify checks only within
  its first verify_timeout, and kills a check's whole process group after it.
  A schedule falling due ends the wait early; one written or removed while
  the pulse sleeps re-plans it. A due one-shot wakes the loop once and stays
  due until dropped; a recurring one wakes it once per period (once after
  downtime). The prompt's FAIRNESS names the goal acted on least recently.
  A tick command may take the prompt by path: {{{{prompt_file}}}} (else stdin).

KNOBS (the env var wins over the config key; a bad value stops with exit 2)
{knobs}

TYPED MOVES (config "moves": "typed"; `looop init` writes it, absent = "agent")
  The runner describes ONE move as JSON in its own decision file (named in its
  prompt and in LOOOP_DECISION: .decision-<pid>-<token>.json); looop validates it
  (schemas/move.schema.json), carries it out and journals it itself: noop,
  run_shell, write_goal, archive_goal, write_sensor, propose_playbook,
  start_worker, kill_worker, write_schedule, drop_schedule, flag_human
  (write_playbook is the human's `looop playbook write`, refused to a
  decider: it proposes instead). A move that is invalid, refused or
  fails, or no decision file at all, fails the beat (shown under LAST FAILURE).
  run_shell: bash -c in the data dir, killed with its process group after
  LOOOP_SHELL_TIMEOUT (300 s); its last 2 KiB are shown once to the next beat
  (=== RUN_SHELL OUTPUT ===), 5 s later. A deny-list refuses sudo, rm -rf of
  / or ~, forced pushes to main/master, curl|sh, mkfs, dd/redirects onto
  disks, shutdown/reboot: a tripwire, not a sandbox
  (LOOOP_SHELL_ALLOW_DANGEROUS=1 turns it off).

ENVIRONMENT
  LOOOP_DATA_DIR, LOOOP_CONFIG       where things live (another data dir = another profile)
  LOOOP_FLEET_DIR                    where this profile's workers live (default: <data>/fleet)
  NO_COLOR                           no colour (LOOOP_COLOR=1 wins)
  LOOOP_SANDBOX                      the box: auto | bwrap | seatbelt | off (over config "sandbox")
  Every sensor, runner and worker gets LOOOP_BIN, LOOOP_DATA_DIR, LOOOP_CONFIG,
  CLAIMS_DIR, REPORTS_DIR, COST_LEDGER and LOOOP_COLOR.

EXIT CODES (`looop help exit-codes`)
{exit_codes}
"""


def manual(paths: Paths) -> int:
    profile = "" if paths.is_default_profile else "  (a separate profile)"
    from looop.core.knobs import manual_lines

    print(MANUAL.format(version=__version__, config=paths.config, data=paths.data, profile=profile,
                        fleet=paths.fleet_root, knobs="\n".join(manual_lines()),
                        exit_codes=exit_codes()), end="")
    return 0


def exit_codes() -> str:
    """`looop help exit-codes`: one line per code, from `ExitStatus`."""
    return "".join(f"  {code:>3}  {name:<24} {meaning}\n" for code, name, meaning in exit_table())


def overview(description: str) -> str:
    """`looop --help`: what looop is and its verbs by group, one line each (internal verbs left out)."""
    lines = [f"looop {__version__}: {description}", "", "usage: looop [<verb> [<args>...]]"]
    for group in verbs.GROUPS:
        lines += ["", f"{group}:"]
        lines += [f"  {row.name:<14} {row.summary}" for row in verbs.TABLE if row.group == group and " " not in row.name]
    lines += ["", "`looop help` is the whole manual; `looop help <verb>` (or `looop <verb> -h`) one verb;",
              "`looop help exit-codes` what each exit code means."]
    return "\n".join(lines) + "\n"


class Help(usage.Verb):
    def main(self, verb: str = "", action: str = "") -> int:
        if verb == "exit-codes" and not action:
            print(exit_codes(), end="")
            return ExitStatus.OK
        if not verb:
            from looop.core.paths import resolve

            return manual(resolve())
        if verbs.entry(verb) is None or " " in verb:
            close = usage.did_you_mean(verb, [*verbs.VERBS, "exit-codes"], read_only=True)
            raise usage.UsageError(f"help: no verb '{verb}'" + (f"; did you mean `looop help {close}`?" if close
                                                                else f" (verbs: {', '.join(verbs.VERBS)})"))
        name = verb
        if action:  # `looop help schedule write`
            known = [row.name.partition(" ")[2] for row in verbs.actions(verb)]
            if action not in known:
                raise usage.UsageError(f"help: `looop {verb}` has no action '{action}'"
                                       + (f" (actions: {', '.join(known)})" if known else ""))
            name = f"{verb} {action}"
        print(usage.verb_help(verbs.load(name)(f"looop {name}")), end="")
        return ExitStatus.OK


class Version(usage.Verb):
    def main(self) -> int:
        print(f"looop {__version__}")
        return ExitStatus.OK
