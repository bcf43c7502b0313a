#!/usr/bin/env python3
"""`looop watch`: time to the first frame of a 16 MiB log, and the CPU an open
view costs while the fleet is idle. Targets (SPEC §18): ≤ 1 s, ≤ 2 % of a core."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from common import Row, looop_argv  # noqa: E402


def _session(root: Path, name: str, log: bytes, alive_pid: int | None) -> Path:
    d = root / "sessions" / f"looop-{name}"
    d.mkdir(parents=True)
    (d / "output.log").write_bytes(log)
    (d / "meta.json").write_text(json.dumps({"cols": 120, "rows": 40, "started_epoch": time.time(),
                                             "supervisor_pid": alive_pid}))
    (d / "status.json").write_text(json.dumps({"state": "running"}))
    return d


def big_log(mb: int) -> bytes:
    line = b"\x1b[32m%06d\x1b[0m compiling module %d of the build, all fine so far\r\n"
    bar = b"".join(b"\r[%-40s]" % (b"#" * (i % 40)) for i in range(200)) + b"\r\n"
    out, i = bytearray(), 0
    while len(out) < mb << 20:
        out += line % (i, i)
        if i % 50 == 0:
            out += bar
        i += 1
    return bytes(out[-(mb << 20):])


def first_frame(mb: int = 16) -> float:
    from looop.watch.app import TermView, Watch

    root = Path(tempfile.mkdtemp(prefix="looop-bench-watch-"))
    _session(root, "big", big_log(mb), os.getpid())
    seen: dict[str, float] = {}

    async def go() -> None:
        start = time.perf_counter()
        app = Watch(root)
        async with app.run_test(size=(120, 50)):
            view = app.query_one(TermView)
            while not (app.replay and view.virtual_size.height and view.render_line(0).text.strip()):
                await asyncio.sleep(0.005)
            seen["s"] = time.perf_counter() - start
    asyncio.run(go())
    return seen["s"]


def idle_cpu(seconds: float = 10.0) -> float:
    """Per cent of one core used by an open `looop watch` over `seconds` of an idle fleet."""
    from ptyprocess import PtyProcess

    root = Path(tempfile.mkdtemp(prefix="looop-bench-watch-"))
    data = root / "data"
    fleet = data / "fleet"
    for i in range(4):
        _session(fleet, f"w{i}", b"idle worker output\r\n" * 200, os.getpid())
    env = {**os.environ, "LOOOP_DATA_DIR": str(data), "LOOOP_CONFIG": str(root / "looop.json"),
           "HOME": str(root), "TERM": "xterm-256color"}
    proc = PtyProcess.spawn([*looop_argv(), "watch"], env=env, dimensions=(24, 80))

    def cpu() -> float:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # let it start and draw; keep its output drained
        try:
            proc.read(65536)
        except EOFError:
            break
    import select

    before, start = cpu(), time.monotonic()
    while time.monotonic() - start < seconds:
        if select.select([proc.fd], [], [], 0.2)[0]:
            try:
                proc.read(65536)
            except EOFError:
                break
    used = cpu() - before
    proc.write(b"q")
    proc.wait()
    return 100 * used / (time.monotonic() - start)


def rows(mb: int = 16) -> list[Row]:
    frame = first_frame(mb)
    cpu = idle_cpu()
    return [
        (f"watch: first frame of a {mb} MiB log", frame, "s", "target (SPEC §18)", 1.0),
        ("watch: CPU of an open view, idle fleet of 4 (% of a core)", cpu, "%", "target (SPEC §18)", 2.0),
    ]


if __name__ == "__main__":
    from common import table

    table(rows())
