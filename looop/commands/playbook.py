"""`looop playbook [diff|approve|reject]`: the human half of the PLAYBOOK gate."""

from __future__ import annotations

import difflib

from looop import events, gate
from looop.color import paint
from looop.fsio import read_text
from looop.paths import Paths


def playbook(paths: Paths, action: str = "diff") -> int:
    if not paths.proposed.exists():
        print("no pending PLAYBOOK change")
        return 0
    if action == "approve":
        gate.approve(paths.playbook, paths.approved, paths.proposed)
        events.emit(paths.events, "playbook_approved")
        print("approved: PLAYBOOK.proposed.md is now the live PLAYBOOK.md (and the new baseline)")
        return 0
    if action == "reject":
        gate.reject(paths.proposed)
        events.emit(paths.events, "playbook_rejected")
        print("rejected: the proposed PLAYBOOK change was discarded")
        return 0
    base = read_text(paths.approved) if paths.approved.exists() else read_text(paths.playbook, "")
    proposed = read_text(paths.proposed, "") or ""
    diff = difflib.unified_diff((base or "").splitlines(keepends=True), proposed.splitlines(keepends=True),
                                fromfile="PLAYBOOK.md (approved)", tofile="PLAYBOOK.proposed.md")
    for line in diff:
        style = ("green",) if line.startswith("+") else ("red",) if line.startswith("-") else ()
        print(paint(line.rstrip("\n"), *style))
    print("\napprove: looop playbook approve    reject: looop playbook reject")
    return 0
