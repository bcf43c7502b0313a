"""Typed moves: the decider describes ONE move as JSON; looop checks and makes it.

`decision` reads and validates a decision file, `execute` carries out one
move (the same code the human's verbs run) and journals it, `shell` runs
`run_shell`, `deny` is its tripwire, `act` is the typed half of a beat's ACT.
Protects "one move per beat" and "nothing irreversible" by construction.
"""

from __future__ import annotations

MAX_BODY_BYTES = 65536  # a goal, sensor script, PLAYBOOK, worker prompt or command
DECISION_MAX_BYTES = 262144  # the whole decision file
