"""The guardrails: what keeps a loop from burning money on an unchanged world.

`budget` (decides an hour, spend a day), `noop` (a decision that changed
nothing is not repeated until its TTL), `failure` (a failed beat is quoted to
the next one and backs off), `retry` (a flaky runner is retried within a beat).
"""
