#!/usr/bin/env python3
"""Start-up cost of the single-file executable (dist/looop), first and later.

The first start unpacks the zipapp into $SHIV_ROOT; every later start only
checks that the unpacked copy is there. This prints both (medians of whole
`looop version` processes, wall clock), next to the installed console script
for reference. It prints numbers; it never asserts.

    python3 bench/zipapp.py [--zipapp dist/looop] [--runs 7]

Without --zipapp it builds one with scripts/build-zipapp into a temp dir.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, timeout=120)
    return time.perf_counter() - start


def env_for(home: Path, shiv_root: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHIV_ROOT": str(shiv_root), "LANG": "C.UTF-8"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zipapp", type=Path, help="an already built dist/looop")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="looop-bench-") as scratch:
        tmp = Path(scratch)
        zipapp = args.zipapp
        if zipapp is None:
            zipapp = tmp / "dist" / "looop"
            subprocess.run([sys.executable, str(ROOT / "scripts" / "build-zipapp"), "--out", str(zipapp),
                            "--work", str(tmp / "work"), "--no-build-isolation"],
                           check=True, stdout=subprocess.DEVNULL, timeout=600)
        argv = [str(zipapp.resolve()), "version"]
        firsts, laters = [], []
        for i in range(args.runs):
            root = tmp / f"shiv-{i}"
            firsts.append(timed(argv, env_for(tmp, root)))
        warm = tmp / "shiv-0"
        for _ in range(args.runs):
            laters.append(timed(argv, env_for(tmp, warm)))
        print(f"zipapp {zipapp} ({zipapp.stat().st_size // 1024} KiB), {args.runs} runs each, `looop version`:")
        print(f"  first start (unpacks)      {statistics.median(firsts):.3f} s  (min {min(firsts):.3f})")
        print(f"  later starts (no unpack)   {statistics.median(laters):.3f} s  (min {min(laters):.3f})")
        script = shutil.which("looop") or str(Path(sys.executable).with_name("looop"))
        if Path(script).exists():
            installed = [timed([script, "version"], env_for(tmp, warm)) for _ in range(args.runs)]
            print(f"  installed console script   {statistics.median(installed):.3f} s  ({script})")
        python = [timed(["python3", "-c", "pass"], env_for(tmp, warm)) for _ in range(args.runs)]
        print(f"  python3 -c pass            {statistics.median(python):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
