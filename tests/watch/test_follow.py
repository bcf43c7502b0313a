"""Following a log from the side: appends, rotation, truncation, removal."""

from __future__ import annotations

import os

from looop.fleet.logtail import Follower


def test_appended_bytes_arrive_once(tmp_path):
    log = tmp_path / "output.log"
    log.write_bytes(b"one\n")
    f = Follower(log, tmp_path / "output.log.1")
    assert f.open() == b"one\n"
    assert f.poll() == (b"", False)
    with open(log, "ab") as fh:
        fh.write(b"two\n")
    assert f.poll() == (b"two\n", False)
    assert f.poll() == (b"", False)


def test_rotation_continues_where_it_left_off(tmp_path):
    log, old = tmp_path / "output.log", tmp_path / "output.log.1"
    log.write_bytes(b"a\n")
    f = Follower(log, old)
    f.open()
    with open(log, "ab") as fh:
        fh.write(b"b\n")
    os.replace(log, old)  # what the supervisor's rotating log does
    log.write_bytes(b"c\n")
    assert f.poll() == (b"b\nc\n", False)


def test_truncation_asks_for_a_fresh_replay(tmp_path):
    log = tmp_path / "output.log"
    log.write_bytes(b"x" * 100)
    f = Follower(log, tmp_path / "output.log.1")
    f.open()
    log.write_bytes(b"short")
    assert f.poll() == (b"", True)


def test_a_removed_session_dir_is_noticed(tmp_path):
    d = tmp_path / "looop-w"
    d.mkdir()
    (d / "output.log").write_bytes(b"hi\n")
    f = Follower(d / "output.log", d / "output.log.1")
    f.open()
    (d / "output.log").unlink()
    d.rmdir()
    assert f.poll() == (b"", False)
    assert f.gone


def test_only_the_lines_the_scrollback_can_hold_are_replayed():
    from looop.fleet.logtail import last_lines

    data = b"".join(b"%d\n" % i for i in range(100))
    assert last_lines(data, 3) == b"97\n98\n99\n"
    assert last_lines(b"no newline", 3) == b"no newline"
