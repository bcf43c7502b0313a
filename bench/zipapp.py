#!/usr/bin/env python3
"""The single-file executable (dist/looop, made by shiv) next to the pip-installed wheel.

Both run on the same Python, the real interpreter (not a version manager's
shim): the wheel installed by pip into a fresh venv, the single file through
its `#!/usr/bin/env python3` with a bare venv's python3 first on PATH (no
looop, no dependencies). Measured: `looop version` and an unchanged `looop
tick` in a seeded data dir, warm (the file already unpacked into $SHIV_ROOT),
each normally and with PYTHONDONTWRITEBYTECODE=1 (container images often set
it); the same two through shiv's own bootstrap (any SHIV_* setting sends a
start there: SHIV_COMPILE_WORKERS=1 changes nothing else once unpacked); and
the file's one-time first start (it unpacks and compiles). Prints numbers;
never asserts.

    python3 bench/zipapp.py [--runs 9]

It builds the file with scripts/build-shiv and the wheel from the same copied
sources, into a temp dir (pip installs the dependencies: it takes a minute).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, table, timed  # noqa: E402


def paired(a: list[str], b: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall seconds of `a` and of `b`, run alternately so both see the same machine load."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for argv, into in ((a, times[0]), (b, times[1])):
            into.append(timed(argv, env, runs=1))
    return statistics.median(times[0]), statistics.median(times[1])


def _venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    return where / "bin"


def _build(tmp: Path) -> tuple[Path, Path]:
    """(dist/looop, a wheel of the sources it carries), built into `tmp`."""
    out = tmp / "dist" / "looop"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build-shiv"), "--out", str(out), "--work",
                    str(tmp / "work"), "--no-build-isolation"], check=True, stdout=subprocess.DEVNULL, timeout=900)
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp / "wheel"), str(tmp / "work" / "src")], check=True, timeout=900)
    (wheel,) = (tmp / "wheel").glob("looop-*.whl")
    return out, wheel


def rows(runs: int = 9) -> list:
    with tempfile.TemporaryDirectory(prefix="looop-bench-zipapp-") as scratch:
        tmp = Path(scratch)
        zipapp, wheel = _build(tmp)
        wheel_bin = _venv(tmp / "wheel-venv")
        subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--python",
                        str(wheel_bin / "python"), "install", "-q", str(wheel)], check=True, timeout=900)
        bare_bin = _venv(tmp / "bare-venv")
        config = tmp / "looop.json"
        runner = f"{ROOT / 'fixtures' / 'runners' / 'fake-runner'} journal"
        config.write_text(json.dumps({"default": "fake", "runners": {"fake": {"tick": runner}}}))
        env = {"PATH": f"{bare_bin}:/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8", "TMPDIR": str(tmp),
               "SHIV_ROOT": str(tmp / "shiv"), "LOOOP_CONFIG": str(config), "LOOOP_DATA_DIR": str(tmp / "data"),
               "LOOOP_COLOR": "0"}
        first = timed([str(zipapp), "version"], env, runs=1)
        wheel_looop = str(wheel_bin / "looop")
        subprocess.run([wheel_looop, "tick"], env=env, check=True, stdout=subprocess.DEVNULL)  # seed + decide once
        out = []
        for label, extra in (("", {}), (", PYTHONDONTWRITEBYTECODE=1", {"PYTHONDONTWRITEBYTECODE": "1"}),
                             (", through shiv's own bootstrap", {"SHIV_COMPILE_WORKERS": "1"})):
            e = {**env, **extra}
            for verb in ("version", "tick"):
                what = "looop version" if verb == "version" else "unchanged `looop tick`"
                single, base = paired([str(zipapp), verb], [wheel_looop, verb], e, runs)
                out.append((f"single file (warm): {what}{label}", single, "s", "pip-installed wheel, same Python",
                            base))
        out.append(("single file: first start (unpacks and compiles once)", first, "s", "", 0.0))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    table(rows(args.runs))
    print("\ntarget: the single file (warm) within 1.2x of the wheel for `looop version` and an unchanged tick, "
          "with and without PYTHONDONTWRITEBYTECODE")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
