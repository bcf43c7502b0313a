"""`looop goal write|archive|list|show`: the goal moves by hand, and a look at the goals."""

from __future__ import annotations

from collections.abc import Sequence

from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths, resolve
from looop.core.untrusted import json_text


def goal(paths: Paths, action: str, gid: str, text: Sequence[str] = (), journal: str | None = None) -> int:
    from looop.moves import verbs

    if action == "write":
        return verbs.run(paths, {"move": "write_goal", "id": gid, "body": verbs.text_arg(text, f"goal {gid} body")},
                         journal)
    if text:
        raise FatalError(f"goal archive takes only the goal id (got extra words: {' '.join(text)[:60]})", ExitStatus.FAILED)
    return verbs.run(paths, {"move": "archive_goal", "id": gid}, journal)


def _title(path) -> str:
    from looop.core.fsio import read_text

    for line in (read_text(path, "", 4096) or "").splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip()
    return ""


def goal_list(paths: Paths, as_json: bool = False) -> int:
    """Every goal, the one waiting longest first, with its first line and when a move last touched it."""
    import time

    from looop.beat import fairness

    rows: list[dict[str, str | None]] = [{"id": g, "title": _title(paths.goals / f"{g}.md"),
             "last_acted": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(t)) if t else None}
            for g, t in fairness.order(paths, fairness.goal_ids(paths.goals))]
    archived = sorted(p.stem for p in paths.archive.glob("*.md")) if paths.archive.is_dir() else []
    if as_json:
        print(json_text({"goals": rows, "archived": archived}))
        return 0
    from looop.core.untrusted import one_line

    if not rows:
        print(f"no goals in {paths.goals} (add one: looop goal write ID TEXT)")
    width = max((len(str(r["id"])) for r in rows), default=0)
    for r in rows:
        when = f"last acted {str(r['last_acted']).replace('T', ' ')[:16]}" if r["last_acted"] else "never acted on"
        print(f"{one_line(str(r['id'])).ljust(width)}  {when:<28} {one_line(str(r['title']))[:80]}")
    if archived:
        print(f"archived: {', '.join(archived)}")
    return 0


def goal_show(paths: Paths, gid: str) -> int:
    from looop.commands.tick import check_goal_id
    from looop.core.fsio import read_text

    gid = check_goal_id(gid)
    for path, note in ((paths.goals / f"{gid}.md", ""), (paths.archive / f"{gid}.md", " (archived)")):
        if path.is_file():
            print(f"# goal {gid}{note}: {path}")
            print((read_text(path, "") or "").rstrip("\n"))
            return 0
    names = ", ".join(sorted(p.stem for p in paths.goals.glob("*.md"))) or "(none)"
    raise FatalError(f"goal show: no goal '{gid}' in {paths.goals} (goals: {names})", ExitStatus.FAILED)


class Goal(usage.Verb):
    journal = usage.option("--journal", str, None, argname="LINE", help="the journal line's text (default: a summary)")
    json = usage.flag("--json", help="list: print JSON")

    def main(self, action: usage.one_of("write", "archive", "list", "show"), id: str = "", *text: str) -> int:  # type: ignore[valid-type]
        if action == "list":
            usage.no_more("goal list", id, *text)
            return goal_list(resolve(), as_json=self.json)
        if not id:
            raise FatalError(f"usage: looop goal {action} ID" + (" TEXT|-" if action == "write" else ""),
                             ExitStatus.BAD_INPUT)
        if action == "show":
            usage.no_more("goal show ID", *text)
            return goal_show(resolve(), id)
        return goal(resolve(), action, id, text, self.journal)
