"""ACT: the one move of a decided beat (one runner call, never two).

The runner is marked in flight first: until this beat's gate_post, an edit
it makes to the PLAYBOOK is only a proposal. The move itself is made by
`looop.beat.agent_act` (the agent's own) or `looop.moves` (a typed move looop carries out).
"""

from __future__ import annotations

from looop.beat import gate
from looop.beat.value import Beat


def act(b: Beat) -> None:
    """Make the one move: the agent makes it, or looop makes the move it was handed."""
    plan = b.plan
    gate.runner_starts(plan.paths.runners_in_flight)  # until this beat's gate_post, its PLAYBOOK edit is a proposal
    if plan.moves == "typed":
        from looop.beat.typed_act import typed

        b.acted = typed(plan)
        return
    from looop.beat.agent_act import agent

    b.acted = agent(plan)
