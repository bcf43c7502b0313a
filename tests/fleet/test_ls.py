"""`looop ls`: the table, the machine format, and the live view."""

from __future__ import annotations

from looop.core import schemas
from tests.fleet import kit


def test_ls_table_and_json(loop):
    kit.use_fake_worker(loop)
    assert "no workers" in loop.call("ls").stdout
    assert kit.ls_json(loop)["sessions"] == []
    kit.start(loop, "alpha", "hang")
    kit.start(loop, "beta", "exit", "5")
    kit.wait_state(loop, "beta", "exited")
    assert loop.call("flag", "alpha", "pick a colour").returncode == 0

    lines = loop.call("ls").stdout.splitlines()
    assert lines[0].split() == ["ID", "STATE", "HEALTH", "AGE", "EXIT", "VERIFY"]
    alpha = next(ln for ln in lines if ln.startswith("alpha "))
    beta = next(ln for ln in lines if ln.startswith("beta "))
    assert alpha.split()[1:3] == ["running", "flagged"] and alpha.rstrip().endswith("⚑ pick a colour")
    assert beta.split()[1:3] == ["exited", "dead"] and beta.split()[4] == "5"
    assert alpha.split()[3].endswith("s")

    data = kit.ls_json(loop)
    assert schemas.problems("ls", data) == []
    assert data["fleet_root"] == str(loop.data / "fleet")
    by_id = {r["id"]: r for r in data["sessions"]}
    assert by_id["looop-alpha"]["alive"] and by_id["looop-alpha"]["note"] == "pick a colour"
    assert by_id["looop-beta"]["exit_code"] == 5 and not by_id["looop-beta"]["alive"]
    assert by_id["looop-alpha"]["health"] == "flagged" and by_id["looop-beta"]["health"] == "dead"
    assert by_id["looop-alpha"]["verify"] is None
    assert [r["id"] for r in data["sessions"]] == ["looop-alpha", "looop-beta"]  # oldest first


def test_the_schema_rejects_what_ls_never_prints():
    bad = {"fleet_root": "/x", "sessions": [{"id": "w", "state": "asleep"}]}
    assert schemas.problems("ls", bad)


def test_ls_watch_redraws_until_ctrl_c(loop):
    kit.use_fake_worker(loop)
    term = kit.Term(loop, "ls", "--watch", "--interval", "100ms")
    try:
        term.expect("no workers")
        kit.start(loop, "late", "hang")
        term.expect(b"\nlate ")
        assert term.seen.count(b"\033[H\033[2J") >= 2  # redrawn in place
        term.send("\x03")
        assert term.wait() == 0
    finally:
        term.close()


def test_ls_rejects_a_bad_interval(loop):
    out = loop.call("ls", "-w", "-n", "soon")
    assert out.returncode == 2 and "not a duration" in out.stderr


def test_ls_watch_into_a_pipe_prints_once_and_ends(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "piped", "hang")
    out = loop.run("ls", "--watch", "--interval", "100ms", timeout=10)
    assert out.returncode == 0
    assert out.stdout.splitlines()[1].startswith("piped ") and "\033[2J" not in out.stdout
    assert "--watch redraws a terminal" in out.stderr
