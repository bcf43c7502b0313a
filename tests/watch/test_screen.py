"""The emulator that watch and screenshot replay logs through."""

from __future__ import annotations

import pyte
from hypothesis import given
from hypothesis import strategies as st

from looop.fleet import logtail, screen
from tests.helpers import FIXTURES

LOGS = FIXTURES / "logs"


def show(data: bytes, cols: int = 80, rows: int = 24) -> screen.Terminal:
    term = screen.Terminal(cols, rows)
    term.feed(data)
    return term


def text(term: screen.Terminal) -> list[str]:
    return screen.trim_blank_tail(screen.text_lines(term.screen_rows(), term.columns))


def test_a_progress_bar_redrawn_a_thousand_times_is_one_line():
    lines = text(show((LOGS / "progress.log").read_bytes()))
    assert lines == ["building the thing", "step 1 ok", "step 2 ok", "step 3 ok", "done ünïcode ✓ 漢字"]


def test_colours_come_back_as_the_program_drew_them():
    term = show((LOGS / "progress.log").read_bytes())
    ansi = screen.ansi_lines(term.screen_rows()[:5], 80)
    assert ansi[0] == "\x1b[1;34mbuilding\x1b[0m the thing"
    assert ansi[1] == "\x1b[32mstep 1 ok\x1b[0m"
    assert ansi[4].startswith("\x1b[1;32mdone\x1b[0m")


def test_a_full_screen_program_is_shown_while_it_runs_and_gone_after():
    data = (LOGS / "less.log").read_bytes()
    leave = data.index(b"\x1b[?1049l")
    during = show(data[:leave])
    assert during.on_alternate
    assert text(during)[0] == "line 001 of a page shown by less"
    assert "before less" not in text(during)
    after = show(data)
    assert not after.on_alternate
    assert text(after) == ["before less", "after less"]
    assert after.scrollback == type(after.scrollback)(maxlen=after.scrollback.maxlen)  # less's page never scrolled in


def test_scrollback_keeps_at_least_ten_thousand_rows():
    term = show(b"".join(b"row %d\r\n" % i for i in range(12_000)), rows=24)
    assert term.scrollback.maxlen >= 10_000
    assert len(term.scrollback) == 10_000
    first = screen.text_lines([term.row(0)], 80)[0]
    assert first == f"row {12_000 - 10_000 - 23}"


def test_the_fast_path_draws_exactly_what_pyte_draws():
    data = "".join(f"\x1b[3{i % 8}mline {i}\x1b[0m {'x' * (i % 170)}\r\n" for i in range(300))
    ours = show(data.encode())
    ref = pyte.Screen(80, 24)
    pyte.Stream(ref).feed(data)
    assert screen.text_lines(ours.screen_rows(), 80) == [line.rstrip() for line in ref.display]
    assert [[ours.buffer[y][x] for x in range(80)] for y in range(24)] == \
        [[ref.buffer[y][x] for x in range(80)] for y in range(24)]


@given(st.binary(max_size=2000))
def test_any_bytes_replay_without_error(data):
    term = show(data, cols=20, rows=5)
    assert len(screen.text_lines(term.screen_rows(), 20)) == 5
    screen.ansi_lines(term.all_rows(), 20)


def test_invalid_utf8_and_a_truncated_escape_sequence_show_as_text():
    term = show(b"ok \xff\xfe bad\r\nnext \x1b[3")
    assert text(term)[0] == "ok \ufffd\ufffd bad"
    term.feed(b"1mred\x1b[0m")  # the sequence completes in the next read
    assert text(term)[1] == "next red"


def test_a_megabyte_line_with_no_newline_wraps_into_the_scrollback():
    term = show(b"y" * (1 << 20), cols=80, rows=24)
    assert len(term.scrollback) == 10_000
    assert set(text(term)[-1]) == {"y"}


def test_the_view_never_answers_the_program():
    term = show(b"\x1b[6n\x1b[c")  # cursor position and device attribute queries
    assert text(term) == []


def test_a_tail_cut_starts_at_a_line_boundary(tmp_path):
    log, old = tmp_path / "output.log", tmp_path / "output.log.1"
    old.write_bytes(b"\x1b[31mold red\x1b[0m\n" * 100)
    log.write_bytes(b"new line\n" * 10)
    data = logtail.tail(log, old, limit=200)
    assert data.endswith(b"new line\n" * 10)
    assert data.startswith(b"\x1b[31mold red")
    assert len(data) <= 200


def test_the_first_frame_needs_only_the_newest_part():
    data = b"".join(b"line %d\n" % i for i in range(100_000))
    older, newest = logtail.split_for_first_frame(data, first=1000)
    assert older + newest == data
    assert newest.startswith(b"line ") and len(newest) <= 1000


def test_a_private_sgr_probe_is_taken_and_changes_nothing():
    # gemini asks for xterm's modifyOtherKeys this way before it draws anything
    term = show(b"\x1b[>4;?m\x1b[>4;2mplain \x1b[?4mstill plain\x1b[1mbold")
    assert text(term) == ["plain still plainbold"]
    row = term.screen_rows()[0]
    assert not row[0].underscore and not row[6].underscore
    assert row[17].bold


def test_a_sequence_with_a_keyword_the_screen_does_not_know_is_dropped_not_fatal():
    # `CSI ? … J` / `CSI ? … K` are selective erases; `CSI ? … r` and `CSI ? … s` restore/save modes
    term = show(b"one\x1b[?5r\x1b[?1s\x1b[?2;3@two\x1b[?1b\r\nthree")
    assert text(term) == ["onetwo", "three"]


def test_a_csi_parameter_of_thousands_of_digits_is_clamped_like_any_big_one():
    term = show(b"a\x1b[" + b"9" * 5000 + b"Cb\r\n" + b"\x1b[" + b"1" * 100_000 + b";31mred\x1b[32m green")
    assert text(term)[0].startswith("a") and text(term)[0].endswith("b")  # to the right edge, as for 9999
    assert text(term)[1] == "red green"
    assert term.screen_rows()[1][4].fg == "green"
