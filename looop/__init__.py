"""looop: a tiny, Kubernetes-shaped control loop for a person's work.

Once per beat: sense the world, hash what matters, and only when something
changed hand it to an LLM runner that makes exactly one move.

The code is in layers, lowest first. A module may import from its own layer
and from the layers below it, never from one above (tests/test_layers.py
holds every import, lazy ones included, to `LAYERS`):

    core/      paths, files, outside text, ids, stamps, knobs, colour and the log voice, child processes, the catch-all
    agents/    the agent CLIs: built-in presets, running one (runner)
    records/   the journal, events, the cost ledger and its meter (fmt), git history (memory, history), attention,
               run dirs, what changed (changes), the last failure and the spend
    setup/     a data dir and its config: seed, the starter catalog, first run and init, preflight, the service unit
    time/      schedules
    sensing/   SENSE: the sensors, concurrently, some cached; their state; the progress line
    box/       the OS sandbox around every hand, and the door that carries moves out
    fleet/     workers: detached agent sessions in a PTY; start, stop, cap, health, verify, their screens
    mailbox/   ask, answer, tell, notifications, alerts
    moves/     ACT (typed): read, check and carry out one described move; the deny-list
    guard/     guardrails around the runner: the noop TTL, the pause, retries
    beat/      one beat (tick): gates, world, prompt, act, record; the pulse; status, today, review, wait
    faces      watch/ (the fleet view), serve/ (the web inbox), commands/ (the verbs; commands/table.py is the
               verb table that cli, help and the completions read), cli (arguments → one verb)
"""

__version__ = "0.1.0"

# The layers, lowest first; each entry names the top-level parts of `looop` in it.
# A part may import its own layer and the ones before it, never a later one.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("agents",),
    ("records",),
    ("setup",),
    ("time",),
    ("sensing",),
    ("box",),
    ("fleet",),
    ("mailbox",),
    ("moves",),
    ("guard",),
    ("beat",),
    ("watch",),
    ("serve",),
    ("commands", "cli", "__main__"),
)
