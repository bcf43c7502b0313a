"""Notifications, with the real apprise posting to a local HTTP server and a
notify_command recording its stdin: each event reaches the human once, a
target that is down or slow never fails a beat, and is retried later."""

from __future__ import annotations

import json
import shlex

from looop.core import schemas
from tests.fleet import kit as fleet
from tests.helpers import FAKE_RUNNER
from tests.mailbox import kit


def test_an_ask_posts_once_to_a_webhook_and_a_command_with_the_answer_line(loop, tmp_path):
    hook = kit.Hook()
    cmd, sink = kit.recorder(tmp_path)
    try:
        loop.fake("journal", notify=[hook.url], notify_command=cmd)
        loop.seed()
        out = loop.run("ask", "--worker", "pr12", "--prompt", "Merge PR 12 now?", "--options", "yes,no",
                       "--ref", "reports/pr12.md", "--timeout", "0.01")
        assert out.returncode == 3 and out.stdout == ""
        [post] = hook.posts
        assert post["title"] == "looop: pr12 asks"
        assert "Merge PR 12 now?" in post["message"] and "Options: yes, no" in post["message"]
        assert "answer pr12-1 <yes|no>" in post["message"]
        [sent] = kit.recorded(sink)
        assert (sent["event"], sent["ask"], sent["worker"]) == ("ask", "pr12-1", "pr12")
        assert sent["answer_command"].endswith("answer pr12-1") and sent["data_dir"] == str(loop.data)
        for _ in range(2):  # the beats after it send nothing again
            assert loop.run("tick").returncode == 0
        assert len(hook.posts) == 1 and len(kit.recorded(sink)) == 1
        state = json.loads((loop.data / ".notified.json").read_text())
        assert hook.url not in json.dumps(state)  # a URL may hold a token: never written down
    finally:
        hook.close()


def test_a_flag_notifies_right_away(loop, tmp_path):
    cmd, sink = kit.recorder(tmp_path)
    fleet.use_fake_worker(loop, "journal", notify_command=cmd)
    loop.seed()
    fleet.start(loop, "chat", "flag", "let's talk about the schema", "hang")
    fleet.wait_for(lambda: kit.recorded(sink), what="the flag's notification")
    [sent] = kit.recorded(sink)
    assert (sent["event"], sent["worker"]) == ("flag", "chat")
    assert "let's talk about the schema" in sent["text"] and "attach chat" in sent["text"]
    assert loop.run("tick").returncode == 0
    assert len(kit.recorded(sink)) == 1


def test_a_target_that_is_down_never_fails_a_beat_and_is_retried(loop, tmp_path):
    hook = kit.Hook()
    port = hook.port
    hook.close()  # nothing listens there now
    url = f"json://127.0.0.1:{port}/hook"
    loop.fake("journal", notify=[url])
    loop.seed()
    assert loop.run("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.01").returncode == 3
    status = json.loads(loop.run("status", "--json").stdout)
    assert schemas.problems("status", status) == []
    [failed] = status["notify_failures"]
    assert (failed["event"], failed["target"], failed["tries"]) == ("ask:w-1", "notify[0] (json://…)", 1)
    assert "notify FAILING: ask:w-1" in loop.run("status").stdout
    beat = loop.run("tick")
    assert beat.returncode == 0 and "decided" in beat.stdout
    assert "not delivered to notify[0] (json://…)" in beat.stdout  # NEEDS YOU says so
    assert json.loads(loop.run("status", "--json").stdout)["notify_failures"][0]["tries"] == 2
    hook = kit.Hook(port=port)  # back up
    try:
        state = json.loads((loop.data / ".notified.json").read_text())
        for event in state["events"].values():  # the back-off has passed
            for mark in event["targets"].values():
                mark["next"] = 0
        (loop.data / ".notified.json").write_text(json.dumps(state))
        assert loop.run("tick").returncode == 0
        assert len(hook.posts) == 1 and "Go?" in hook.posts[0]["message"]
        assert json.loads(loop.run("status", "--json").stdout)["notify_failures"] == []
        assert loop.run("tick").returncode == 0
        assert len(hook.posts) == 1
    finally:
        hook.close()


def test_a_slow_target_is_cut_off_and_a_failing_command_is_reported(loop, tmp_path):
    slow = kit.Hook(delay=30)
    try:
        loop.fake("journal", notify=[slow.url], notify_command="echo 'smtp said no' >&2; exit 7")
        loop.seed()
        out = loop.run("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.01", timeout=40)
        assert out.returncode == 3
        failures = {f["target"]: f["error"] for f in json.loads(loop.run("status", "--json").stdout)["notify_failures"]}
        assert failures["notify_command"] == "exit 7: smtp said no"
        assert "notify[0] (json://…)" in failures
    finally:
        slow.close()


def test_a_malformed_notify_url_is_a_config_error_naming_the_field(loop):
    loop.fake("journal", notify=["https://ok.example/x", "not a url"])
    out = loop.run("tick")
    assert out.returncode == 2 and "notify[1]" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert loop.run("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.01").returncode == 3  # asks still work


def test_an_ask_whose_notification_never_went_is_sent_by_the_next_beat(loop, tmp_path):
    loop.fake("journal")
    loop.seed()
    assert loop.run("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.01").returncode == 3
    cmd, sink = kit.recorder(tmp_path)  # as if `looop ask` had died before it could send
    loop.fake("journal", notify_command=cmd)
    assert loop.run("tick").returncode == 0
    assert [s["ask"] for s in kit.recorded(sink)] == ["w-1"]
    assert loop.run("answer", "w-1", "yes").returncode == 0
    assert loop.run("tick").returncode == 0
    assert len(kit.recorded(sink)) == 1
    assert json.loads((loop.data / ".notified.json").read_text())["events"] == {}


def test_failing_beats_and_a_spend_hold_notify_once_each(loop, tmp_path):
    cmd, sink = kit.recorder(tmp_path)
    loop.fake("fail", notify_command=cmd, notify_after_failures=2)
    loop.seed()
    for _ in range(4):
        assert loop.run("tick").returncode == 1
    events = [s["event"] for s in kit.recorded(sink)]
    assert events == ["failing"]
    assert "2 beats in a row failed" in kit.recorded(sink)[0]["text"]
    loop.write_config(f"{shlex.quote(str(FAKE_RUNNER))} journal", notify_command=cmd, daily_budget_usd=0)
    for _ in range(2):
        loop.run("tick")
    assert [s["event"] for s in kit.recorded(sink)] == ["failing", "held"]
    assert "budget reached" in kit.recorded(sink)[1]["text"]
