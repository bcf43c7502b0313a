"""looop: a tiny, Kubernetes-shaped control loop for a person's work.

Once per beat: sense the world, hash what matters, and only when something
changed hand it to an LLM runner that makes exactly one move.

Where things live (each module's docstring says the rule it protects):

    cli                      arguments → one verb; the one FatalError catch
    commands/                one module per verb (tick, run, status, ls, init, ...)
    pulse                    beat, wait, beat again; one pulse per data dir
    tick                     one beat: sense → diff → decide → act → record
      sense, sensor_cache    SENSE: the sensors, concurrently, some cached
      world, changes         DIFF: the world hash and what changed
      prompt, gate           DECIDE: the prompt; the PLAYBOOK gate, claims
      runner, retry, fmt     ACT: run the agent CLI once, meter its stream
      journal, memory        RECORD: the journal line, the data dir's git
    budget, noop, failure    guardrails: spend caps, noop TTL, the last failure
    surface                  what needs the human, after every beat
    fleet/                   workers: detached agent sessions in a PTY
    config, presets, knobs   runner wiring, built-in presets, guardrail knobs
    paths, seed, selfbin     where files live, a fresh data dir, LOOOP_BIN
    fsio, stamps, events     atomic files and small JSON state, UTC stamps, events.jsonl
    errors, log, color, ids  FatalError, the terminal voice, safe names
    schemas                  the machine contracts (schemas/*.json)
"""

__version__ = "0.1.0"
