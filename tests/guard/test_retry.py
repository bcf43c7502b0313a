"""A failed beat: optional retries for transient errors, and what the next beat is told."""

from __future__ import annotations

import json

from looop.core import schemas


def prompt_of(out) -> str:
    """The prompt a dry run wrote (it prints the path on a line of its own)."""
    from pathlib import Path

    path = next(ln for ln in out.stdout.splitlines() if ln.endswith("/prompt.md") and " " not in ln)
    return Path(path).read_text()


def headers(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith("=== ")]


def test_no_retries_by_default(loop):
    loop.fake("fail-once", "journal")
    assert loop.run("tick").returncode == 1
    assert loop.calls() == 1


def test_a_transient_failure_is_retried_within_the_beat(loop):
    loop.fake("fail-once", "journal", runner_retries=2, runner_retry_delay=0)
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout
    assert loop.calls() == 2
    assert "retry 1 of 2" in out.stdout
    assert [e for e in loop.events() if e["event"] == "runner_retry"][0]["exit_code"] == 3
    assert "retry 1 of 2" in next((loop.data / "runs").glob("tick-*/output.log")).read_text()
    assert loop.run("tick").returncode == 0 and loop.calls() == 2, "the beat succeeded: world saved"


def test_a_matching_upstream_error_fails_the_beat_even_on_exit_0(loop):
    loop.fake("say", "API Error: 529 overloaded", "journal")
    env = {"LOOOP_RUNNER_RETRIES": "1", "LOOOP_RUNNER_RETRY_MATCH": "API Error: 5[0-9]{2}",
           "LOOOP_RUNNER_RETRY_DELAY": "0"}
    out = loop.run("tick", env=env)
    assert out.returncode == 1
    assert loop.calls() == 2
    assert "output matched LOOOP_RUNNER_RETRY_MATCH" in out.stdout
    loop.run("tick", env=env)
    assert loop.calls() == 4, "the hash was not saved: the next beat tries again"


def test_with_a_pattern_only_matching_failures_are_retried(loop):
    loop.fake("say", "invalid api key", "fail", "2")
    env = {"LOOOP_RUNNER_RETRIES": "3", "LOOOP_RUNNER_RETRY_MATCH": "overloaded", "LOOOP_RUNNER_RETRY_DELAY": "0"}
    assert loop.run("tick", env=env).returncode == 1
    assert loop.calls() == 1


def test_a_bad_retry_pattern_is_one_clear_line(loop):
    loop.fake("journal")
    out = loop.run("tick", env={"LOOOP_RUNNER_RETRY_MATCH": "(unclosed"})
    assert out.returncode == 2
    assert "LOOOP_RUNNER_RETRY_MATCH" in out.stderr and "Traceback" not in out.stderr


def test_the_next_prompt_tells_what_failed_until_a_beat_succeeds(loop):
    loop.fake("say", "boom: the disk is on fire", "fail", "7")
    assert loop.run("tick").returncode == 1
    text = prompt_of(loop.run("tick", "--dry-run"))
    assert headers(text)[:3] == ["=== LAST FAILURE ===", "=== WHAT CHANGED ===", "=== PLAYBOOK ==="]
    section = text.split("=== LAST FAILURE ===\n", 1)[1].split("\n=== ", 1)[0]
    assert "exit code 7" in section and "boom: the disk is on fire" in section
    assert "The last beat has failed" in section

    for _ in range(2):
        assert loop.run("tick").returncode == 1
    assert "3 beats in a row" in prompt_of(loop.run("tick", "--dry-run"))
    snap = json.loads(loop.call("status", "--json").stdout)
    assert schemas.problems("status", snap) == []
    assert snap["last_failure"]["failures_in_row"] == 3 and snap["last_failure"]["exit_code"] == 7
    assert "4 beats in a row failed" in loop.run("tick").stdout.split("NEEDS YOU", 1)[1]

    loop.fake("grow", "g", "journal")
    assert loop.run("tick").returncode == 0
    assert "=== LAST FAILURE ===" not in prompt_of(loop.run("tick", "--dry-run"))
    assert json.loads(loop.call("status", "--json").stdout)["last_failure"] is None
