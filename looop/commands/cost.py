"""`looop cost [today|all] [--json]` and `looop _cost` (a worker's self-report)."""

from __future__ import annotations

import math

from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths, resolve
from looop.core.untrusted import json_text
from looop.records import cost as ledger


def cost(paths: Paths, scope: str = "today", as_json: bool = False) -> int:
    if not paths.ledger.exists():
        if as_json:
            print(json_text(ledger.Report().as_json(scope)))
        else:
            print(f"no spend recorded yet (the ledger {paths.ledger} does not exist)")
        return 0
    items = ledger.today_entries(paths.ledger) if scope == "today" else ledger.entries(paths.ledger)
    rep = ledger.report(items)
    if as_json:
        print(json_text(rep.as_json(scope)))
        return 0
    title = "today" if scope == "today" else "all time"
    print(f"LLM spend, {title}: ${ledger.usd(rep.total)} over {rep.calls} call{'s' if rep.calls != 1 else ''}")
    for label, table in (("by kind", rep.by_kind), ("by runner", rep.by_runner)):
        if table:
            print(f"  {label}:")
            for key, (usd, calls) in sorted(table.items()):
                print(f"    {key:<12} ${ledger.usd(usd):<10} {int(calls)} call{'s' if calls != 1 else ''}")
    return 0


def record(paths: Paths, kind: str, cost_id: str, runner: str, usd: str) -> int:
    try:
        amount = float(usd)
    except ValueError:
        raise FatalError(f"_cost: amount {usd!r} is not a number", ExitStatus.BAD_INPUT) from None
    if not math.isfinite(amount) or amount < 0 or amount > ledger.MAX_USD:
        raise FatalError(f"_cost: amount {usd!r} must be a number of US dollars from 0 to {ledger.MAX_USD:,.0f}", ExitStatus.BAD_INPUT)
    if not kind:
        raise FatalError("_cost: kind must not be empty", ExitStatus.BAD_INPUT)
    ledger.record(paths.ledger, kind, cost_id, runner, amount)
    return 0


class Cost(usage.Verb):
    json = usage.flag("--json", help="print the machine format")

    def main(self, scope: usage.one_of("today", "all") = "today") -> int:  # type: ignore[valid-type]
        return cost(resolve(), scope, as_json=self.json)


class CostReport(usage.Verb):
    def main(self, kind: str, cost_id: str, runner: str, usd: str) -> int:
        return record(resolve(), kind, cost_id, runner, usd)
