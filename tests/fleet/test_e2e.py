"""A whole worker's life, driven like a human would: start, flag, attach,
answer, and the worker reports, bills and ends itself."""

from __future__ import annotations

import json

from looop.core import schemas
from tests.fleet import kit


def test_a_worker_asks_gets_an_answer_reports_and_ends_itself(loop):
    kit.use_fake_worker(loop, "journal")
    loop.seed()
    kit.start(loop, "e2e", "flag", "blue or green?", "ask", "unflag", "report", "cost", "0.25", "kill",
              prompt="Pick the colour with the human.")

    kit.wait_for(lambda: kit.status(loop, "e2e").get("note") == "blue or green?", what="the worker's flag")
    table = loop.call("ls").stdout
    assert "⚑ blue or green?" in table
    beat = loop.run("tick")
    assert "NEEDS YOU" in beat.stdout and "⚑ e2e: blue or green?" in beat.stdout

    term = kit.Term(loop, "attach", "e2e")
    try:
        term.expect("QUESTION: blue or green?")  # replayed: it asked before we attached
        term.send("blue\r")
        term.expect("got: blue")
        assert term.wait(timeout=20) == 143  # it killed its own session: SIGTERM
        term.expect("] e2e killed (exit code 143)")
    finally:
        term.close()

    st = kit.status(loop, "e2e")
    assert (st["state"], st["exit_code"], st["note"]) == ("killed", 143, None)
    assert (loop.data / "reports" / "e2e.md").read_text() == "# e2e\n\nanswer: blue\n"
    prompt = (loop.data / "prompts" / "looop-e2e.md").read_text()
    assert prompt.endswith("Pick the colour with the human.")
    ledger = [json.loads(ln) for ln in (loop.data / "cost.jsonl").read_text().splitlines()]
    session_costs = [e for e in ledger if e["kind"] == "session"]
    assert len(session_costs) == 1
    assert schemas.problems("ledger", session_costs[0]) == []
    assert (session_costs[0]["id"], session_costs[0]["runner"], session_costs[0]["cost_usd"]) == ("e2e", "fake", 0.25)
    names = loop.event_names()
    for name in ("session_started", "session_flagged", "session_unflagged", "session_killed"):
        assert name in names
    assert names.index("session_flagged") < names.index("session_unflagged") < names.index("session_killed")

    after = loop.run("tick")
    assert "NEEDS YOU" not in after.stdout
    assert not kit.session_dir(loop, "e2e").exists()
    assert "session_pruned" in loop.event_names()
    assert json.loads(loop.call("cost", "--json").stdout)["by_kind"]["session"] == {"usd": 0.25, "calls": 1}
