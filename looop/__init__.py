"""looop: a tiny, Kubernetes-shaped control loop for a person's work.

Once per beat: sense the world, hash what matters, and only when something
changed hand it to an LLM runner that makes exactly one move.

Where things live (each module's docstring says the rule it protects):

    verbs, cli, usage        the verb table → one verb (imported lazily); one-line usage errors
    error_handler            an exception → an exit code, or a failed beat
    commands/                the verbs (tick and run, status, ls, ask, goal, watch, ...)
    pulse                    beat, wait, beat again; one pulse per data dir
    tick                     one beat: sense → diff → decide → act → record
      sense, sensor_cache    SENSE: the sensors, concurrently, some cached
      world, changes         DIFF: the world hash and what changed
      prompt, gate           DECIDE: the prompt; the PLAYBOOK gate, claims
      act, runner, fmt       ACT (agent): run the agent CLI once, meter its stream
      moves/                 ACT (typed): read, check, and carry out one described move
      journal, memory, runs  RECORD: the journal line, the data dir's git, run dirs
    guard/                   guardrails: spend caps, noop TTL, the last failure, retries
    schedules, fairness      time: wakes at due moments; the goal waiting longest
    mailbox/                 ask, answer, tell, wait, notifications
    surface                  what needs the human: NEEDS YOU, tmux windows
    fleet/                   workers: detached agent sessions in a PTY; cap, health, verify
    watch/                   the read-only fleet view and screenshots (pyte, textual)
    serve/                   the web inbox (`looop serve`): auth, page data, actions, routes
    today, attention, review the day's digest; attention notes with ids; PLAYBOOK verdicts
    service                  the pulse as a login service (systemd, launchd)
    config, presets, knobs   runner wiring, built-in presets, the knob table
    paths, seed, selfbin     where files live, a fresh data dir, LOOOP_BIN
    procgroup, cmd           process groups; short commands through plumbum
    fsio, stamps, events     atomic files and small JSON state, UTC stamps, events.jsonl
    errors, log, color, ids  FatalError and ExitStatus, the terminal voice, safe names
    untrusted                text from outside, made safe to print
    schemas                  the machine contracts (schemas/*.json)
"""

__version__ = "0.1.0"
