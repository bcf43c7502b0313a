"""The box's pure halves: which mode, which paths each hand writes, the bwrap
command line, the Seatbelt profile (text only: it cannot run here) and the
door's policies (who may ask for what)."""

from __future__ import annotations

import pytest

from looop import box
from looop.agents import presets
from looop.box import bwrap, door, policy, seatbelt
from looop.box.policy import Spec
from looop.core import schemas
from looop.core.errors import FatalError
from looop.core.paths import Paths


def _paths(tmp_path) -> Paths:
    return Paths(data=tmp_path / "data", config=tmp_path / "looop.json", is_default_profile=False)


def test_the_env_wins_over_the_config_and_no_key_means_off():
    assert box.mode({"sandbox": "bwrap"}, {"LOOOP_SANDBOX": "off"}) == ("off", "LOOOP_SANDBOX")
    assert box.mode({"sandbox": "auto"}, {}) == ("auto", "config sandbox")
    assert box.mode({}, {}) == ("off", "default")
    with pytest.raises(FatalError, match=r"config sandbox='podman': must be one of auto, bwrap, seatbelt, off"):
        box.mode({"sandbox": "podman"}, {})


def test_inside_a_box_nothing_is_boxed_again():
    assert box.resolve({"sandbox": "bwrap"}, {box.INSIDE: "1"}) == box.Box("off", why="already inside a box")


def test_an_explicit_box_that_cannot_run_fails_closed_and_says_why():
    broken = box.Box("bwrap", broken="setting up uid map: Permission denied")
    with pytest.raises(FatalError, match="sandbox bwrap cannot run: setting up uid map: Permission denied; "
                                         "nothing boxed was started"):
        broken.check()
    assert "CANNOT RUN" in broken.describe()
    assert box.Box("off", why="auto: no bwrap").describe() == "sandbox: off (auto: no bwrap)"


def test_the_table_gives_each_hand_exactly_its_own_paths(tmp_path):
    paths = _paths(tmp_path)
    cfg = {"sandbox_write": ["~/code", "/srv/shared"]}
    home = policy.home_dir()
    work, cache, state = tmp_path / "w", tmp_path / "c", [home / ".pi"]
    assert policy.writable("decider", paths, config=cfg, state=state) == [
        *state, paths.ledger, home / "code", policy.Path("/srv/shared")]
    assert policy.writable("worker", paths, config=cfg, state=state, work=work) == [
        work, paths.claims, paths.reports, *state, home / "code", policy.Path("/srv/shared")]
    assert policy.writable("shell", paths, config={}) == [paths.reports]
    assert policy.writable("sensor", paths, config=cfg, cache=cache) == [cache]
    for hand in policy.HANDS:
        written = policy.writable(hand, paths, config=cfg, state=state, work=work, cache=cache)
        assert not {paths.playbook, paths.config, paths.answers, paths.data / ".git", paths.approved,
                    paths.data, paths.goals} & set(written)


def test_a_worker_may_start_only_where_it_may_write(tmp_path):
    write = [tmp_path / "work", tmp_path / "code"]
    assert policy.allowed_cwd(tmp_path / "code" / "repo", write)
    assert not policy.allowed_cwd(tmp_path / "data", write)


def test_each_preset_names_its_cli_state_and_the_config_it_writes_is_valid():
    cfg = presets.config_for("claude")
    assert cfg["sandbox"] == "auto"
    assert cfg["runners"]["claude"]["state"] == ["~/.claude", "~/.claude.json", "~/.cache"]
    assert cfg["runners"]["opencode"]["state"] == ["~/.local/share/opencode", "~/.local/state/opencode",
                                                  "~/.config/opencode", "~/.cache"]
    assert all("~/.cache" in presets.STATE[name] for name in presets.ORDER)
    assert schemas.problems("config", cfg) == []
    assert schemas.problems("config", {**cfg, "sandbox": "docker"})


def test_a_runner_without_state_gets_the_state_of_the_preset_cli_its_command_names(tmp_path):
    home = tmp_path
    assert policy.state_for("codex exec --json - | looop _fmt", {"tick": "x"}, home) == [
        home / ".codex", home / ".cache"]
    assert policy.state_for("codex exec", {"tick": "x", "state": []}, home) == []  # said: none
    assert policy.state_for("my-agent", {"tick": "x"}, home) == []


def test_the_bwrap_line_makes_tmp_private_before_showing_the_data_dir_again(tmp_path):
    spec = Spec(hand="shell", write=(tmp_path / "reports",), see=(tmp_path,),
                binds=((tmp_path / "door", "/tmp/.looop-door"),), env={"LOOOP_BOXED": "1"}, cwd=tmp_path)
    argv = bwrap.argv("/usr/bin/bwrap", spec, ["bash", "-c", "true"])
    assert argv[:4] == ["/usr/bin/bwrap", "--die-with-parent", "--unshare-pid", "--new-session"]
    assert "--unshare-net" not in argv  # the LLM APIs need the network
    at = argv.index
    assert at("--tmpfs") < at("--ro-bind-try") < at("--bind-try") < at("--bind")
    assert argv[at("--ro-bind"):at("--ro-bind") + 3] == ["--ro-bind", "/", "/"]
    assert argv[at("--dev"):at("--dev") + 2] == ["--dev", "/dev"]
    assert argv[at("--setenv"):at("--setenv") + 3] == ["--setenv", "LOOOP_BOXED", "1"]
    assert argv[-4:] == ["--", "bash", "-c", "true"]
    worker = bwrap.argv("bwrap", Spec(hand="worker", write=(), new_session=False), ["x"])
    assert "--new-session" not in worker and "--die-with-parent" in worker


def test_the_seatbelt_profile_is_made_from_the_same_table(tmp_path):
    spec = Spec(hand="worker", write=(tmp_path / 'a "quoted" dir', tmp_path / "claims"),
                binds=((tmp_path / "door", "/tmp/.looop-door"),))
    text = seatbelt.profile(spec)
    lines = text.splitlines()
    assert lines[:2] == ["(version 1)", "(deny default)"]
    assert "(allow file-read*)" in lines and "(allow network*)" in lines
    writes = [ln for ln in lines if ln.startswith("(allow file-write* (subpath \"/")]
    assert writes == [f'(allow file-write* (subpath "{tmp_path}/a \\"quoted\\" dir"))',
                      f'(allow file-write* (subpath "{tmp_path / "claims"}"))',
                      f'(allow file-write* (subpath "{tmp_path / "door"}"))']
    argv = seatbelt.argv("/usr/bin/sandbox-exec", spec, ["bash"])
    assert argv[0] == "/usr/bin/sandbox-exec" and argv[argv.index("-p") + 1] == text and argv[-1] == "bash"


def test_the_decider_door_lets_one_move_through_per_beat():
    agent = door.OneMove("agent")
    assert agent(["goal", "write", "a", "x"]) == ""
    agent.ran(["goal", "write", "a", "x"], 1)  # a failed verb changed nothing: not the move
    assert agent(["goal", "write", "a", "x"]) == ""
    agent.ran(["goal", "write", "a", "x"], 0)
    assert "one move per beat" in agent(["kill", "w"])
    assert agent(["_cost", "tick", "r", "fake", "0.1"]) == ""  # metering is not a move
    assert "not a move" in agent(["answer", "w-1", "yes"])
    assert "not a move" in agent(["playbook", "approve"])
    assert "your decision file" in door.OneMove("typed")(["goal", "write", "a", "x"])


def test_the_worker_door_speaks_only_for_its_own_worker_and_never_answers():
    mine = door.Worker("looop-w")
    assert mine(["ask", "--prompt", "ok?"]) == ""
    assert mine(["ask", "--worker", "w", "--prompt", "ok?"]) == ""
    assert "only as itself" in mine(["ask", "--worker", "other", "--prompt", "ok?"])
    assert "only as itself" in mine(["ask", "--worker=looop-other"])
    assert mine(["flag", "w", "help"]) == "" and mine(["kill", "looop-w"]) == ""
    assert "only itself" in mine(["kill", "other"])
    assert mine(["kill", "--grace", "1", "w"]) == ""
    assert "only itself" in mine(["kill", "--grace", "1", "other"])
    assert "only itself" in mine(["flag", "other", "x"])
    assert mine(["answer", "w-1", "yes"]) == "only the human runs `looop answer`"
    assert "does not run" in mine(["tell", "other", "hi"])
    assert "own spend" in mine(["_cost", "session", "other", "fake", "1"])
    assert mine(["_cost", "session", "w", "fake", "1"]) == ""


def test_what_lives_under_tmp_is_shown_again_but_tmp_itself_stays_private(tmp_path, monkeypatch):
    monkeypatch.chdir("/tmp")
    monkeypatch.setenv("PATH", f"/usr/bin:{tmp_path}/bin")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    paths = Paths(data=tmp_path / "data", config=tmp_path / "looop.json", is_default_profile=False)
    shown = policy.visible(paths)
    assert policy.Path("/tmp") not in shown and policy.Path("/usr/bin") not in shown
    assert tmp_path in shown  # the config's dir holds the data dir, HOME and the PATH entry: one bind
    assert not any(p.is_relative_to(tmp_path) and p != tmp_path for p in shown)


def test_every_box_hides_the_serve_tokens_and_the_sockets_that_start_things_outside(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    runtime = tmp_path / "run"
    (runtime / "systemd").mkdir(parents=True)
    (runtime / "bus").write_text("")  # where the user's D-Bus socket would be
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    tokens = tmp_path / "state" / "looop-serve"
    policy.prepare([])  # as every box is prepared
    assert set(policy.hidden()) >= {tokens, runtime / "bus", runtime / "systemd"}
    assert tokens.is_dir() and tokens.stat().st_mode & 0o777 == 0o700  # there before serve makes a token
    argv = bwrap.argv("bwrap", Spec(hand="shell", write=(tmp_path / "state",)), ["true"])
    pairs = list(zip(argv, argv[1:]))
    assert ("--tmpfs", str(tokens)) in pairs and ("--tmpfs", str(runtime / "systemd")) in pairs
    assert argv[argv.index(str(runtime / "bus")) - 2:argv.index(str(runtime / "bus"))] == ["--ro-bind", "/dev/null"]
    assert pairs.index(("--tmpfs", str(tokens))) > pairs.index(("--bind-try", str(tmp_path / "state")))  # on top
    text = seatbelt.profile(Spec(hand="shell", write=()))
    assert f'(deny file-read* file-write* (subpath "{tokens}"))' in text.splitlines()
