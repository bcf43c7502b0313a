"""`looop _fmt`: pi, Claude Code, codex and Gemini CLI streams rendered, metered, judged."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from looop.records import fmt
from tests.helpers import FIXTURES, looop_argv

STREAMS = FIXTURES / "streams"


def render(name: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    out = io.StringIO()
    with open(STREAMS / name, encoding="utf-8") as fh:
        code = fmt.run(fh, out, env or {})
    return code, out.getvalue().splitlines()


def ledger_total(path) -> float:
    return sum(json.loads(x)["cost_usd"] for x in path.read_text().splitlines())


@pytest.mark.parametrize("name, tool", [("pi-success.ndjson", "bash"), ("claude-success.ndjson", "Bash"),
                                        ("codex-success.ndjson", "shell"),
                                        ("gemini-success.ndjson", "run_shell_command")])
def test_a_successful_stream_shows_tools_and_text_and_exits_0(name, tool):
    code, lines = render(name)
    assert code == 0
    assert any(line.startswith(f"→ {tool}: ") and "cat goals/setup.md" in line for line in lines), lines
    assert lines[-1].startswith("Flagged the setup interview")
    assert not any(line.startswith("{") for line in lines), "raw JSON events must not leak through"


@pytest.mark.parametrize("name, tool", [("pi-tool-failure.ndjson", "bash"), ("claude-tool-failure.ndjson", "Bash"),
                                        ("codex-success.ndjson", "shell"), ("gemini-success.ndjson", "read_file")])
def test_a_failed_tool_is_shown_but_the_beat_still_succeeds(name, tool):
    code, lines = render(name)
    failed = [line for line in lines if line.startswith("✗")]
    assert failed and failed[0].startswith(f"✗ {tool} failed:") and "No such file" in failed[0]
    assert code == 0


def test_non_json_lines_pass_through_untouched():
    _, lines = render("pi-tool-failure.ndjson")
    assert "(node:4242) ExperimentalWarning: stray text on stdout is passed through" in lines


@pytest.mark.parametrize("name, said", [("pi-model-error.ndjson", "rate_limit_error"),
                                        ("claude-error-result.ndjson", "API Error: 500"),
                                        ("codex-turn-failed.ndjson", "429 Too Many Requests"),
                                        ("gemini-error-result.ndjson", "429 Resource exhausted")])
def test_a_model_error_fails_the_beat_even_though_the_cli_exited_0(name, said, capsys):
    code, lines = render(name)
    assert code == 1
    assert any(line.startswith("✗") and said in line for line in lines)
    assert said in capsys.readouterr().err


def test_pi_cost_sums_assistant_message_ends_only(tmp_path):
    ledger = tmp_path / "cost.jsonl"
    env = {"LOOOP_COST_KIND": "tick", "COST_LEDGER": str(ledger), "LOOOP_COST_ID": "t1", "LOOOP_COST_RUNNER": "pi"}
    assert render("pi-success.ndjson", env)[0] == 0
    entry = json.loads(ledger.read_text())
    # 0.0021 + 0.0013: turn_end and agent_end repeat the same usage and must not count twice.
    assert entry["cost_usd"] == pytest.approx(0.0034)
    assert (entry["kind"], entry["id"], entry["runner"]) == ("tick", "t1", "pi")


def test_claude_cost_comes_from_the_final_result_only(tmp_path):
    ledger = tmp_path / "cost.jsonl"
    render("claude-success.ndjson", {"LOOOP_COST_KIND": "tick", "COST_LEDGER": str(ledger)})
    assert ledger_total(ledger) == pytest.approx(0.0421)


@pytest.mark.parametrize("name, usd", [
    # 315 fresh + 24448 cached input, 122 output tokens at gpt-5 list price
    ("codex-success.ndjson", (315 * 1.25 + 24448 * 0.125 + 122 * 10) / 1e6),
    # 4000 fresh + 8000 cached input, 1000 output tokens at gemini-2.5-pro list price
    ("gemini-success.ndjson", (4000 * 1.25 + 8000 * 0.125 + 1000 * 10) / 1e6),
])
def test_token_streams_are_priced_into_the_ledger(tmp_path, name, usd):
    ledger = tmp_path / "cost.jsonl"
    env = {"LOOOP_COST_KIND": "tick", "COST_LEDGER": str(ledger), "LOOOP_COST_RUNNER": name.split("-")[0]}
    assert render(name, env)[0] == 0
    assert ledger_total(ledger) == pytest.approx(usd)


def test_a_failed_gemini_call_still_counts_the_tokens_it_spent(tmp_path):
    ledger = tmp_path / "cost.jsonl"
    assert render("gemini-error-result.ndjson", {"LOOOP_COST_KIND": "tick", "COST_LEDGER": str(ledger)})[0] == 1
    assert ledger_total(ledger) == pytest.approx(1500 * 0.30 / 1e6)  # gemini-2.5-flash input


@pytest.mark.parametrize("name", ["codex-success.ndjson", "gemini-success.ndjson"])
def test_a_token_stream_cut_before_its_end_fails(name):
    lines = (STREAMS / name).read_text().splitlines(keepends=True)
    code, _ = feed_all(lines[:-1])
    assert code == 1


def test_a_codex_reconnect_that_recovers_is_a_success():
    failed = (STREAMS / "codex-turn-failed.ndjson").read_text().splitlines(keepends=True)
    ok = (STREAMS / "codex-success.ndjson").read_text().splitlines(keepends=True)
    code, text = feed_all(failed[:3] + ok[2:])  # a transient `error` event, then the turn goes on
    assert code == 0 and "Reconnecting" in text


def test_no_cost_is_recorded_without_a_cost_kind_or_for_zero(tmp_path):
    ledger = tmp_path / "cost.jsonl"
    render("pi-success.ndjson", {"COST_LEDGER": str(ledger)})
    render("claude-error-result.ndjson", {"LOOOP_COST_KIND": "tick", "COST_LEDGER": str(ledger)})
    assert not ledger.exists()


def feed_all(lines: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = fmt.run(iter(lines), out, {})
    return code, out.getvalue()


def test_a_stream_with_no_assistant_message_fails():
    assert feed_all([])[0] == 1
    assert feed_all(['{"type":"agent_start"}\n', "plain text\n"])[0] == 1


def test_a_claude_stream_cut_before_its_result_fails():
    lines = (STREAMS / "claude-success.ndjson").read_text().splitlines(keepends=True)
    assert feed_all(lines[:-1])[0] == 1


def test_a_pi_error_followed_by_a_successful_retry_succeeds():
    err = (STREAMS / "pi-model-error.ndjson").read_text().splitlines(keepends=True)
    ok = (STREAMS / "pi-success.ndjson").read_text().splitlines(keepends=True)
    assert feed_all(err + ok)[0] == 0


def test_unknown_events_are_ignored():
    code, text = feed_all(['{"type":"auto_compaction_start","reason":"threshold"}\n',
                           '{"type":"brand_new_event","message":{"role":"assistant"}}\n'])
    assert text == "" and code == 1


def test_the_real_command_survives_invalid_utf8_and_meters(tmp_path):
    ledger = tmp_path / "cost.jsonl"
    data = b"\xff\xfe not utf-8\n" + (STREAMS / "claude-success.ndjson").read_bytes()
    env = {"LOOOP_COST_KIND": "tick", "COST_LEDGER": str(ledger), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([*looop_argv(), "_fmt"], input=data, capture_output=True, env=env, timeout=30)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    assert "→ Bash: cat goals/setup.md" in done.stdout.decode()
    assert ledger_total(ledger) == pytest.approx(0.0421)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "message", "role", "content", "usage", "cost", "total", "stopReason", "text",
                         "toolName", "args", "isError", "result", "is_error", "subtype", "total_cost_usd",
                         "tool_use_id", "name", "input", "id", "errorMessage"]), kids, max_size=6),
    max_leaves=20)
event_types = st.sampled_from(["message_end", "tool_execution_start", "tool_execution_end", "assistant", "user",
                               "result", "system", "turn_end", "other"])
events = st.builds(lambda t, body: json.dumps({**body, "type": t}) if isinstance(body, dict) else json.dumps(body),
                   event_types, json_values)


@given(st.lists(st.one_of(events, st.text(max_size=80), json_values.map(json.dumps)), max_size=12))
def test_any_lines_never_crash_and_exit_0_or_1(lines):
    code, _ = feed_all([line + "\n" for line in lines])
    assert code in (0, 1)
