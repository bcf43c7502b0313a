"""`looop init [--runner NAME] [--force]`: write the config from a built-in preset.

An existing config is the user's: it is never overwritten without --force
(and then the old one is kept beside it as `.bak`).
"""

from __future__ import annotations

import json
import sys

from looop import presets
from looop.errors import FatalError
from looop.fsio import atomic_write
from looop.paths import Paths


def init(paths: Paths, runner: str | None = None, force: bool = False) -> int:
    target = paths.config
    if target.exists() and not force:
        raise FatalError(f"config {target} already exists; not overwriting it (use `looop init --force`)", 1)
    if runner is None:
        runner = _ask() if sys.stdin.isatty() and sys.stdout.isatty() else _guess()
    if runner not in presets.PRESETS:
        raise FatalError(f"--runner {runner!r}: not a built-in preset (presets: {', '.join(presets.ORDER)})", 2)
    data = presets.config_for(runner)
    if target.exists():
        backup = target.with_name(target.name + ".bak")
        atomic_write(backup, target.read_bytes())
        print(f"kept the old config as {backup}")
    atomic_write(target, json.dumps(data, indent=2) + "\n")
    print(f"wrote {target} (runner: {runner})")
    print(f"  tick:        {data['runners'][runner]['tick']}")
    print(f"  interactive: {data['runners'][runner]['interactive']}")
    if runner not in presets.installed():
        from looop.config import INSTALL_HINTS

        print(f"note: `{runner}` is not on PATH yet ({INSTALL_HINTS.get(runner, 'install it')})")
    print("every preset is in the file: change \"default\" to switch runners")
    return 0


def _guess() -> str:
    found = presets.installed()
    return found[0] if found else "pi"


def _ask() -> str:
    found = set(presets.installed())
    default = _guess()
    print("Which agent CLI should make the loop's moves?")
    for n, name in enumerate(presets.ORDER, 1):
        mark = "installed" if name in found else "not found on PATH"
        print(f"  {n}. {name:<9} ({mark})")
    while True:
        try:
            answer = input(f"runner [{default}]: ").strip()
        except EOFError:
            return default
        if not answer:
            return default
        if answer.isdigit() and 1 <= int(answer) <= len(presets.ORDER):
            return presets.ORDER[int(answer) - 1]
        if answer in presets.PRESETS:
            return answer
        print(f"  please type a number 1-{len(presets.ORDER)} or one of: {', '.join(presets.ORDER)}")
