"""Profiles: another data dir is another fleet; verbs never cross over."""

from __future__ import annotations

from tests.fleet import kit
from tests.helpers import Loop, clean_env


def test_each_profile_sees_only_its_own_workers(loop, tmp_path):
    other_root = tmp_path / "other"
    (other_root / "home").mkdir(parents=True)
    other = Loop(root=other_root, env=clean_env(other_root))
    for lp in (loop, other):
        kit.use_fake_worker(lp)
    kit.start(loop, "mine", "hang")
    kit.start(other, "theirs", "exit", "0")
    kit.wait_state(other, "theirs", "exited")

    assert [r["id"] for r in kit.ls_json(loop)["sessions"]] == ["looop-mine"]
    assert [r["id"] for r in kit.ls_json(other)["sessions"]] == ["looop-theirs"]
    assert kit.ls_json(other)["fleet_root"] == str(other_root / "data" / "fleet")

    out = loop.run("kill", "theirs")
    assert out.returncode == 1 and "no worker 'theirs'" in out.stderr
    out = other.run("kill", "mine")
    assert out.returncode == 1
    assert other.run("prune").stdout.strip() == "pruned 1 finished session: theirs"
    assert loop.call("prune").stdout.startswith("pruned 0")
    assert kit.status(loop, "mine")["state"] == "running"
