"""`looop completions bash|zsh`: asked in a real shell, answered by looop.

The bash script is sourced into a real bash and its function called the way
bash calls it on TAB (COMP_WORDS/COMP_CWORD); the answers must be this
profile's live verbs, switches, goal ids and worker ids.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from looop.commands import completions
from looop.core.paths import resolve
from looop.fleet import Worker
from tests.helpers import Loop, looop_argv


def in_bash(loop: Loop, *words: str) -> list[str]:
    """What TAB offers after `looop <words>` (the last word is being typed)."""
    bin_dir = Path(looop_argv()[0]).parent
    script = loop.call("completions", "bash")
    assert script.returncode == 0, script.stderr
    quoted = " ".join(f"'{w}'" for w in ("looop", *words))
    probe = (f"{script.stdout}\nCOMP_WORDS=({quoted}); COMP_CWORD={len(words)}; "
             "_looop_complete; printf '%s\\n' \"${COMPREPLY[@]}\"")
    env = {**loop.env, "PATH": f"{bin_dir}:{loop.env['PATH']}"}
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", probe], env=env, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return [x for x in done.stdout.splitlines() if x]


def test_every_verb_completes(loop: Loop):
    from looop.cli import VERBS, Looop

    registered = [v for v in VERBS if v in Looop("looop")._subcommands]
    assert "completions" in registered
    assert sorted(in_bash(loop, "")) == sorted(registered)
    assert in_bash(loop, "stat") == ["status"]
    assert sorted(in_bash(loop, "sta")) == ["start-session", "status"]
    assert not any(v.startswith("_") for v in in_bash(loop, ""))


def test_run_completes_this_profiles_goals(loop: Loop, tmp_path: Path):
    loop.seed()
    (loop.data / "goals" / "ship-it.md").write_text("ship it\n")
    (loop.data / "goals" / "archive").mkdir(exist_ok=True)
    (loop.data / "goals" / "archive" / "old-news.md").write_text("done\n")
    assert in_bash(loop, "run", "") == ["playbook-daily", "setup", "ship-it", "old-news"]
    assert in_bash(loop, "run", "sh") == ["ship-it"]
    other = Loop(root=loop.root, env={**loop.env, "LOOOP_DATA_DIR": str(tmp_path / "other")})
    assert in_bash(other, "run", "") == []
    assert not (tmp_path / "other").exists()  # completing never seeds a profile


def test_fixed_words_and_switches_complete(loop: Loop):
    assert in_bash(loop, "playbook", "") == ["diff", "approve", "reject", "history", "restore", "write", "--journal"]
    assert in_bash(loop, "cost", "") == ["today", "all", "--json"]
    assert in_bash(loop, "status", "--") == ["--json"]
    assert in_bash(loop, "tick", "--d") == ["--dry-run"]
    assert in_bash(loop, "completions", "") == ["bash", "zsh"]
    assert in_bash(loop, "run", "setup", "") == []
    assert in_bash(loop, "init", "--runner", "") == ["claude", "pi", "codex", "gemini", "opencode"]
    assert in_bash(loop, "init", "-r", "co") == ["codex"]


def test_worker_verbs_complete_live_worker_ids(loop: Loop, monkeypatch: pytest.MonkeyPatch):
    fleet = [Worker(id="fix-ci", state="running"), Worker(id="daily-2026-01-01", state="exited", exit_code=0)]
    monkeypatch.setattr("looop.fleet.workers", lambda root: fleet)
    paths = resolve(loop.env)
    for verb in ("attach", "kill", "flag", "unflag"):
        found = completions.candidates(paths, [verb], ["tick"], lambda verb: [])
        assert found == ["daily-2026-01-01", "fix-ci"]
    # a real `looop _complete` on a profile with no sessions offers only kill's switch
    assert in_bash(loop, "kill", "") == ["--grace"]


def test_an_unknown_shell_is_one_clear_line(loop: Loop):
    out = loop.call("completions", "fish")
    assert out.returncode == 1
    assert out.stderr.strip() == "looop: no completion for shell 'fish'; choose one of: bash, zsh"


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion_offers_goals(loop: Loop):
    loop.seed()
    bin_dir = Path(looop_argv()[0]).parent
    script = loop.call("completions", "zsh").stdout
    probe = (f"compdef() {{ :; }}\n{script}\ncompadd() {{ shift; print -l -- \"$@\"; }}\n"
             "words=(looop run ''); CURRENT=3; _looop")
    env = {**loop.env, "PATH": f"{bin_dir}:{loop.env['PATH']}"}
    done = subprocess.run(["zsh", "-f", "-c", probe], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["playbook-daily", "setup"]
