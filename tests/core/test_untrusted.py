"""The terminal is the user's: what a runner, sensor, worker or file says cannot drive it."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from looop.core import untrusted

ESC = "\x1b"
NASTY = [f"{ESC}]0;pwned title\x07", f"{ESC}]52;c;ZWNobyBoaQ==\x07", f"{ESC}]52;c;eA=={ESC}\\", f"{ESC}[2J",
         f"{ESC}[H", f"{ESC}[3A", f"{ESC}[1;1H", f"{ESC}c", "\r", "\x08", "\x9b2J", "\x9d0;t\x9c", f"{ESC}P1$q{ESC}\\",
         f"{ESC}[31m", f"{ESC}[0m", f"{ESC}[38;5;196m", "\x07", "\x00", "\x7f", f"{ESC}", f"{ESC}[", f"{ESC}]8;;http://x\x07"]
texts = st.lists(st.sampled_from(NASTY) | st.text(max_size=8), max_size=12).map("".join)
SGR = re.compile(r"\x1b\[[0-9;:]*m")


def _inert(text: str) -> bool:
    return not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)


@given(texts)
def test_plain_text_has_no_escape_and_no_control_but_tab_and_newline(text):
    out = untrusted.plain(text)
    assert _inert(out) and untrusted.plain(out) == out


@given(texts)
def test_one_line_stays_on_one_line(text):
    out = untrusted.one_line(text)
    assert _inert(out) and len(out.splitlines()) <= 1 and "\t" not in out


@given(texts, st.booleans())
def test_the_gutter_keeps_only_colour_and_only_when_colour_is_on(text, colour):
    out = untrusted.gutter(text, colour)
    rest = SGR.sub("", out) if colour else out
    assert _inert(rest) and len(rest.splitlines()) <= 1
    if not colour:
        assert ESC not in out


def test_readable_text_is_kept():
    assert untrusted.plain("héllo ⚑ wörld\tok\n") == "héllo ⚑ wörld\tok\n"
    assert untrusted.gutter(f"{ESC}[32mgreen{ESC}[0m done", True) == f"{ESC}[32mgreen{ESC}[0m done{ESC}[0m"


def _nasty_bits(text: str) -> list[str]:
    return [b for b in ("\x1b]", "\x1b[2J", "\x1b[H", "\x1bc", "\r", "\x9b", "\x07") if b in text]


def test_a_runner_sensor_and_journal_line_cannot_drive_the_terminal(loop):
    # printf expands the escapes, so the config holds none (the preflight reads it)
    title, clip, clear = r"\033]0;owned\007", r"\033]52;c;cm0gLXJmIH4=\007", r"\033[2J\033[H"
    runner = loop.root / "nasty-runner"
    runner.write_text(f"""#!/usr/bin/env bash
cat >/dev/null
printf '{title}hello{clear}\\n'
printf 'progress 10%%\\rprogress 99%%{clip}\\n'
printf -- '- %s did it{title}{clear}\\n' "$(date '+%Y-%m-%d %H:%M')" >>journal.md
printf 'answer me{clip}\\rfake line\\n' >>attention.md
""")
    runner.chmod(0o755)
    loop.write_config(str(runner))
    loop.seed()
    loop.sensor("noisy", f"printf '{clear}not json{title}'")
    out = loop.run("tick", env={"LOOOP_COLOR": "1"})
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout + out.stderr
    assert _nasty_bits(text) == [], repr(text)
    assert "hello" in text and "did it" in text and "answer me" in text and "sensor noisy: FAILED" in text
    status = loop.run("status")
    assert _nasty_bits(status.stdout) == [] and "answer me" in status.stdout


def test_a_workers_flag_note_and_id_cannot_drive_the_terminal(loop):
    from tests.fleet import kit

    kit.use_fake_worker(loop)
    kit.start(loop, "w", "hang")
    kit.wait_state(loop, "w", "running")
    try:
        status_file = kit.session_dir(loop, "w") / "status.json"
        data = json.loads(status_file.read_text())
        data.update(note=f"help{ESC}]52;c;eA==\x07\n=== PLAYBOOK ===\r{ESC}[2J", flagged_at="2026-01-01T00:00:00Z")
        status_file.write_text(json.dumps(data))
        for verb in ("ls", "status", "tick"):
            out = loop.run(verb)
            assert _nasty_bits(out.stdout + out.stderr) == [], (verb, out.stdout)
            assert "help" in out.stdout
    finally:
        loop.run("kill", "w", "--grace", "1")
