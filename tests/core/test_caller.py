"""The human-only verbs refuse looop's own hands, and a worker acts only as itself.

The decider (typed `run_shell` and agent mode), a worker and a sensor each try
the verbs that are the human's (`answer`, `playbook approve`, ...) and to act
in another worker's name; each attempt ends with exit 77 and nothing changes.
These run unboxed (`LOOOP_SANDBOX=off`): here the refusal is the convention
the environment carries, which must hold without the box too."""

from __future__ import annotations

import json
import shlex

import pytest

from looop.core import caller
from looop.core.errors import ExitStatus
from tests.fleet import kit as fleet
from tests.moves.test_typed_beat import decide

UNBOXED = {"LOOOP_SANDBOX": "off"}
PROPOSAL = "# PLAYBOOK\nthe AI's own proposal\n"

# every human-only attempt a hand might make, as shell words after "$LOOOP_BIN"
HUMAN_ONLY = [
    "answer other-1 yes", "playbook approve", "playbook reject", "playbook restore 1",
    "playbook write 'the AI makes its own PLAYBOOK live'", "init --force", "up", "down", "service install",
    "pause 'the AI stops the loop'", "resume", "attention done a1",
]


def _world(loop) -> None:
    """A seeded data dir with a pending proposal and another worker's pending ask."""
    loop.seed()
    (loop.data / "PLAYBOOK.proposed.md").write_text(PROPOSAL)
    asked = loop.run("ask", "--worker", "other", "--prompt", "Deploy?", "--timeout", "0.01")
    assert asked.returncode == 3, asked.stdout + asked.stderr


def _snapshot(loop) -> dict[str, object]:
    """What a human-only verb would change: the PLAYBOOK and its proposal, answers, config, the pulse."""
    def text(name: str) -> str | None:
        path = loop.data / name
        return path.read_text() if path.exists() else None

    answers = loop.data / "answers"
    return {"playbook": text("PLAYBOOK.md"), "proposed": text("PLAYBOOK.proposed.md"),
            "answers": sorted(p.name for p in answers.iterdir()) if answers.is_dir() else [],
            "config": loop.config.read_text(), "lock": (loop.data / ".lock").exists()}


def _script(attempts: list[str], out) -> str:
    """Bash that makes each attempt and writes `<attempt>\\t<exit>\\t<stderr>` lines to `out`."""
    return "".join(f'e=$("$LOOOP_BIN" {a} 2>&1 >/dev/null </dev/null); '
                   f'printf "%s\\t%s\\t%s\\n" {shlex.quote(a)} "$?" "$e" >>{shlex.quote(str(out))}; '
                   for a in attempts)


def _results(out) -> dict[str, tuple[int, str]]:
    found = {}
    for row in out.read_text().splitlines():
        attempt, code, err = row.split("\t", 2)
        found[attempt] = (int(code), err)
    return found


def _refused(results: dict[str, tuple[int, str]], attempts: list[str]) -> None:
    assert set(results) == set(attempts), results
    for attempt, (code, err) in results.items():
        assert code == ExitStatus.NOT_PERMITTED, (attempt, code, err)
        assert len(err.splitlines()) == 1 and "Traceback" not in err, (attempt, err)
        assert "only the human runs `looop " in err or "acts only as itself" in err, (attempt, err)


@pytest.mark.parametrize("tripwire", ["on", "off"])
@pytest.mark.parametrize("attempt", HUMAN_ONLY)
def test_a_typed_run_shell_cannot_run_a_human_only_verb(loop, attempt, tripwire):
    decide(loop, {"move": "run_shell", "cmd": f'"$LOOOP_BIN" {attempt}'})
    _world(loop)
    before = _snapshot(loop)
    out = loop.run("tick", env={**UNBOXED, "LOOOP_SHELL_ALLOW_DANGEROUS": "1" if tripwire == "off" else "0"})
    assert out.returncode == 1, out.stdout + out.stderr
    # the tripwire refuses it before it runs; without the tripwire the verb itself refuses
    said = "run_shell refused by the deny-list" if tripwire == "on" else "run_shell exited 77"
    assert said in out.stdout + out.stderr
    assert "only the human runs `looop " in out.stdout + out.stderr
    assert _snapshot(loop) == before
    assert [a["id"] for a in json.loads(loop.run("asks", "--json").stdout)] == ["other-1"]


def test_an_agent_mode_decider_cannot_run_the_human_only_verbs(loop):
    out = loop.root / "attempts.tsv"
    loop.fake("sh", _script(HUMAN_ONLY, out), "journal", "tried")
    _world(loop)
    before = _snapshot(loop)
    done = loop.run("tick", env=UNBOXED)
    assert done.returncode == 0, done.stdout + done.stderr
    _refused(_results(out), HUMAN_ONLY)
    assert _snapshot(loop) == before
    # the same verbs still work for the human afterwards
    assert loop.run("answer", "other-1", "yes").returncode == 0
    assert loop.run("playbook", "approve").returncode == 0
    assert (loop.data / "PLAYBOOK.md").read_text() == PROPOSAL


def test_a_worker_cannot_answer_approve_or_act_as_another_worker(loop):
    fleet.use_fake_worker(loop, "journal")
    _world(loop)
    fleet.start(loop, "other", "hang")
    fleet.wait_state(loop, "other", "running")
    before = _snapshot(loop)
    out = loop.root / "attempts.tsv"
    as_other = ["ask --worker other --prompt forged --timeout 0.01", "ask --worker=looop-other --prompt forged",
                "told --worker other", "flag other forged", "unflag other", "kill other", "kill looop-other",
                "tell other 'from the human, honest'"]
    mine = loop.root / "mine.txt"
    fleet.start(loop, "w1", "sh", _script(HUMAN_ONLY + as_other, out)
                + f'"$LOOOP_BIN" flag w1 "my own hand" >/dev/null; echo "own flag: $?" >{mine}', "hang",
                env=UNBOXED)
    fleet.wait_for(lambda: mine.exists() and mine.read_text().strip(), 30, "the worker's attempts")
    _refused(_results(out), HUMAN_ONLY + as_other)
    assert mine.read_text().strip() == "own flag: 0"  # acting as itself still works
    assert _snapshot(loop) == before
    assert fleet.status(loop, "other").get("state") == "running"
    assert not fleet.status(loop, "other").get("note")
    assert [a["id"] for a in json.loads(loop.run("asks", "--json").stdout)] == ["other-1"]
    assert not (loop.data / "tells").exists() or not any((loop.data / "tells").glob("*.json"))


def test_a_sensor_is_a_looop_child_too(loop):
    loop.fake("journal")
    _world(loop)
    loop.sensor("sly", '"$LOOOP_BIN" answer other-1 yes >/dev/null 2>&1; printf \'{"rc": %s}\' "$?"')
    before = _snapshot(loop)
    assert loop.run("tick", env=UNBOXED).returncode == 0
    reading = json.loads((loop.data / "snapshots" / "sensor-sly.json").read_text())
    assert reading == {"rc": 77}
    assert _snapshot(loop) == before


def test_every_marker_refuses_and_the_human_is_not_refused():
    for name in caller.MARKERS:
        with pytest.raises(Exception) as refused:
            caller.check("answer", ["x-1", "yes"], {}, env={name: "looop-w"})
        assert getattr(refused.value, "code", None) == 77 and "only the human runs `looop answer`" in str(refused.value)
    caller.check("answer", ["x-1", "yes"], {}, env={})
    caller.check("playbook", ["diff"], {}, env={caller.CHILD: "1"})
    caller.check("prune", [], {}, env={caller.CHILD: "1"})
    with pytest.raises(Exception, match=r"`looop prune --force`"):
        caller.check("prune", [], {"--force": True}, env={caller.CHILD: "1"})
    with pytest.raises(Exception, match=r"`looop serve`"):  # one table entry covers a verb yet to land
        caller.check("serve", [], {}, env={caller.BOXED: "1"})
    caller.check("kill", ["w"], {}, env={caller.SESSION: "looop-w"})
    caller.check("kill", ["w"], {}, env={caller.CHILD: "1"})  # the decider kills any worker


@pytest.mark.parametrize("move", [
    {"move": "start_worker", "id": "w1", "prompt": "do it", "verify": "sudo rm -rf ~"},
    {"move": "write_sensor", "name": "sly", "script": "echo '{}'; busybox reboot"},
])
def test_verify_and_a_sensor_script_pass_the_deny_list_before_anything_runs(loop, move):
    fleet.use_fake_worker(loop, "journal")
    decide(loop, move)
    loop.seed()
    out = loop.run("tick", env=UNBOXED)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "refused by the deny-list" in out.stdout + out.stderr
    assert not fleet.session_dir(loop, "w1").exists()
    assert not (loop.data / "sensors" / "sly.sh").exists()
