"""Security: owner-only files, hostile input through every door, no secrets.

Runs real workers (fixtures/runners/fake-worker) under the real supervisor.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from looop.core.ids import is_plain
from tests.fleet import kit

HOSTILE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                       min_size=1, max_size=60)
E2E = settings(max_examples=8, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_and_fleet_are_owner_only(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "priv", "hang")
    fleet = kit.fleet_root(loop)
    for path in (loop.data, fleet, fleet / "sessions", kit.session_dir(loop, "priv"),
                 kit.session_dir(loop, "priv") / "ctl"):
        assert _mode(path) == 0o700, f"{path} is {oct(_mode(path))}"
    assert _mode(kit.session_dir(loop, "priv") / "ctl" / "sock") == 0o600


PERL_CONNECT = ("use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]);"
                " exit($s ? 0 : ($!{EACCES} ? 13 : 1));")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to try the socket as another user (nobody)")
@pytest.mark.skipif(not shutil.which("perl"), reason="the probe client is perl's IO::Socket::UNIX")
def test_another_user_cannot_reach_a_worker(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "mine", "hang")
    sock = kit.session_dir(loop, "mine") / "ctl" / "sock"
    # make every parent above the data dir traversable, so only looop's own modes stand in the way
    for parent in (loop.root, *loop.root.parents):
        if parent != Path("/"):
            os.chmod(parent, parent.stat().st_mode | 0o011)

    def as_nobody() -> None:
        os.setgid(65534)
        os.setuid(65534)

    # a short way to the socket (a deep temp dir can pass the 108-byte socket path limit); it still
    # goes through the owner-only ctl dir
    short = Path(tempfile.mkdtemp(prefix="ls", dir="/tmp"))
    os.chmod(short, 0o755)
    (short / "ctl").symlink_to(sock.parent)
    try:
        probe = ["perl", "-e", PERL_CONNECT, str(short / "ctl" / "sock")]
        assert subprocess.run(probe, preexec_fn=as_nobody, capture_output=True).returncode == 13
        assert subprocess.run(probe, capture_output=True).returncode == 0  # the owner can
    finally:
        shutil.rmtree(short)


SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


@given(name=st.text(max_size=30) | st.from_regex(r"[A-Za-z0-9._-]{1,12}", fullmatch=True))
def test_worker_ids_are_exactly_the_plain_names(name):
    plain = bool(name) and set(name) <= SAFE and name[0] not in ".-" and ".." not in name
    assert is_plain(name) == plain


@E2E
@given(prompt=HOSTILE_TEXT, note=HOSTILE_TEXT)
@example(prompt="\r", note="0")  # a lone CR must arrive as itself (read without newline translation)
def test_hostile_prompts_and_notes_arrive_as_data(loop, prompt, note):
    kit.use_fake_worker(loop)
    bait = f"$(touch {loop.root}/PWNED) `touch {loop.root}/PWNED` ; touch {loop.root}/PWNED '"
    if kit.session_dir(loop, "h").exists():
        loop.run("kill", "h")
        loop.call("prune")
    kit.start(loop, "h", "hang", prompt=prompt + bait)
    written = (loop.data / "prompts" / "looop-h.md").read_bytes().decode()
    assert written.endswith(prompt + bait) or written.endswith(prompt + bait + "\n")
    out = loop.call("flag", "--", "h", note + bait)
    assert out.returncode == 0, out.stderr
    row = next(r for r in kit.ls_json(loop)["sessions"] if r["id"] == "looop-h")
    assert row["note"] == " ".join((note + bait).split())
    assert not list(loop.root.glob("PWNED*"))
    loop.run("kill", "h")


def test_the_tmux_attach_command_survives_a_hostile_data_dir(tmp_path, monkeypatch):
    from looop.beat.surface import attach_prefix
    from looop.core.paths import Paths

    data = tmp_path / "a b $(touch PWNED) `x` 'q' \"d\"" / "data"
    echo = tmp_path / "fake looop"
    echo.write_text('#!/bin/sh\nprintf "%s|" "$LOOOP_DATA_DIR" "$@"\n')
    echo.chmod(0o755)
    monkeypatch.setenv("LOOOP_BIN", str(echo))
    cmd = attach_prefix(Paths(data=data, config=tmp_path / "c.json", is_default_profile=False))
    ran = subprocess.run(["sh", "-c", f"{cmd} attach looop-w"], capture_output=True, text=True, cwd=tmp_path)
    assert ran.stdout == f"{data}|attach|looop-w|"
    assert not list(tmp_path.rglob("PWNED"))


SECRETS = {"GITHUB_TOKEN": "sekrit-gh-1111", "ANTHROPIC_API_KEY": "sekrit-key-2222",
           "SLACK_SIGNING_SECRET": "sekrit-slack-3333", "PGPASSWORD": "sekrit-pg-4444"}


def test_secrets_never_reach_fleet_metadata_or_ls(loop):
    kit.use_fake_worker(loop)
    kit.start(loop, "s", "flag", "need you", "hang", env=SECRETS)
    kit.wait_for(lambda: kit.status(loop, "s").get("note"), what="the flag")
    shown = loop.call("ls", "--json").stdout + loop.call("ls").stdout + loop.call("status", "--json").stdout
    files = [p for p in kit.session_dir(loop, "s").iterdir() if p.suffix == ".json"]
    files += [loop.data / "events.jsonl"]
    written = "".join(p.read_text() for p in files if p.exists())
    for value in SECRETS.values():
        assert value not in shown and value not in written
