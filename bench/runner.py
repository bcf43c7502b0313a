"""What runner output costs the beat (issue: hardening, "nothing hangs").

N MB of runner output with no newline at all, against the same N MB cut into
80-character lines: the gutter's line splitter must be linear in both, so the
ratio stays near 1 (it was quadratic: 50 MB took 18 s). Asserts nothing.
Run: python bench/runner.py [--mb N]
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import table


def _pump(command: str) -> float:
    from looop.agents import runner

    with tempfile.TemporaryDirectory(prefix="looop-bench-") as tmp:
        prompt = Path(tmp) / "prompt.md"
        prompt.write_text("p")
        started = time.perf_counter()
        runner.run(command, cwd=Path(tmp), stdin_file=prompt, env=dict(os.environ), log_files=[Path(tmp) / "log"],
                   timeout=None, out=io.StringIO())
        return time.perf_counter() - started


def rows(mb: int = 50) -> list:
    size = mb * 1_000_000
    endless = _pump(f"head -c {size} /dev/zero | tr '\\0' x")
    lines = _pump(f"head -c {size} /dev/zero | tr '\\0' x | fold -w 80")
    return [(f"runner prints {mb} MB with no newline", endless, "s", f"{mb} MB in 80-char lines", lines)]


def main() -> None:
    mb = int(sys.argv[sys.argv.index("--mb") + 1]) if "--mb" in sys.argv else 50
    table(rows(mb))


if __name__ == "__main__":
    main()
