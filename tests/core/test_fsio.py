"""Atomic writes, whole-line appends, reading from the tail."""

from __future__ import annotations

import multiprocessing
import os

from hypothesis import given
from hypothesis import strategies as st

from looop.core import fsio, locks

lines_st = st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
                                                   blacklist_categories=("Cs",)), min_size=1, max_size=40)
                    .filter(lambda s: s.strip()), max_size=60)


@given(lines=lines_st, count=st.integers(0, 80), chunk=st.integers(1, 64))
def test_tail_lines_matches_reading_everything(tmp_path_factory, lines, count, chunk):
    path = tmp_path_factory.mktemp("t") / "journal.md"
    path.write_text("".join(f"{ln}\n" for ln in lines))
    expected = [ln for ln in path.read_text().splitlines() if ln.strip()]
    assert fsio.tail_lines(path, count, chunk=chunk) == (expected[-count:] if count else [])


@given(lines=lines_st, chunk=st.integers(1, 64))
def test_lines_backwards_is_the_file_reversed(tmp_path_factory, lines, chunk):
    path = tmp_path_factory.mktemp("b") / "cost.jsonl"
    path.write_text("".join(f"{ln}\n" for ln in lines))
    raw = path.read_bytes().decode().split("\n")
    assert list(fsio.lines_backwards(path, chunk=chunk)) == [ln for ln in reversed(raw) if ln]


def test_atomic_write_keeps_mode_and_leaves_no_temp(tmp_path):
    path = tmp_path / "state.json"
    fsio.atomic_write(path, "one", mode=0o600)
    fsio.atomic_write(path, "two")
    assert path.read_text() == "two"
    assert path.stat().st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path) == ["state.json"]


def _append_many(path: str, tag: str, n: int) -> None:
    from pathlib import Path

    for i in range(n):
        fsio.append_line(Path(path), f"{tag}-{i}-" + "x" * 300)


def test_concurrent_appends_are_whole_lines(tmp_path):
    path = tmp_path / "journal.md"
    procs = [multiprocessing.Process(target=_append_many, args=(str(path), t, 300)) for t in "abc"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    lines = path.read_text().splitlines()
    assert len(lines) == 900
    assert all(ln.endswith("x" * 300) and ln.count("-") == 2 for ln in lines)


def test_lock_is_exclusive_and_reclaimed_after_death(tmp_path):
    a, b = locks.PulseLock(tmp_path / ".lock"), locks.PulseLock(tmp_path / ".lock")
    assert a.acquire()
    assert a.holder() == os.getpid()
    assert not b.acquire()
    a.release()
    assert b.acquire()
    b.release()
    # a lock whose holder died: pid file names a dead process, no flock held
    (tmp_path / ".lock" / "pid").write_text("999999999\n")
    assert b.holder() is None
    assert b.acquire()
    b.release()


def test_read_bytes_never_blocks_and_reads_only_regular_files(tmp_path):
    import os

    from looop.core.fsio import file_kind, read_bytes, read_text

    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "device").symlink_to("/dev/zero")
    (tmp_path / "file").write_bytes(b"x" * 100)
    for name, kind in (("fifo", "a FIFO"), ("dir", "a directory"), ("dangling", "a dangling symlink"),
                       ("device", "a device")):
        assert read_bytes(tmp_path / name) is None and read_text(tmp_path / name, "d") == "d"
        assert file_kind(tmp_path / name) == kind
    assert read_bytes(tmp_path / "file", 10) == b"x" * 10 and file_kind(tmp_path / "file") == ""
    assert read_bytes(tmp_path / "missing") is None and file_kind(tmp_path / "missing") == ""


def test_one_lock_helper_blocks_tries_or_times_out(tmp_path):
    import time

    path = tmp_path / "start.lock"
    with locks.locked(path) as first:
        assert first and locks.lock_held(path)
        with locks.locked(path, blocking=False) as second:
            assert not second
        began = time.monotonic()
        with locks.locked(path, timeout=0.3) as third:
            assert not third and time.monotonic() - began >= 0.3
    assert locks.lock_held(path) is False
    with locks.locked(path, blocking=False) as again:
        assert again


def test_shared_holders_and_probes_never_see_each_other_but_see_a_writer(tmp_path):
    path = tmp_path / "ask.json"
    path.write_text("{}")
    with locks.locked(path, shared=True, create=False) as waiting:
        assert waiting and locks.lock_held(path) and not locks.lock_held(path, shared=True)
    with locks.locked(path):
        assert locks.lock_held(path, shared=True)
    assert locks.lock_held(tmp_path / "missing") is None
    try:
        with locks.locked(tmp_path / "missing", create=False):
            raise AssertionError("a missing file was locked")
    except FileNotFoundError:
        pass


def test_a_lock_dies_with_its_holder(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "up"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pathlib import Path\nfrom looop.core import locks\n"
                               f"with locks.locked(Path({str(path)!r})):\n print('held', flush=True)\n"
                               " time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert locks.lock_held(path)
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        began = time.monotonic()
        with locks.locked(path, timeout=5) as got:
            assert got and time.monotonic() - began < 5
    finally:
        holder.kill()
        holder.wait()
