"""ACT, again: retry a runner whose failure looks transient (off by default).

With LOOOP_RUNNER_RETRY_MATCH set only matching output is retried, and a match
fails the beat even on exit 0 (some CLIs exit 0 on an upstream error).
Timeouts are never retried.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

MAX_DELAY = 300
_KEEP_LINES = 2000  # what the pattern is matched against, per attempt


@dataclass
class Result:
    code: int
    timed_out: bool
    matched: str | None  # the text that matched LOOOP_RUNNER_RETRY_MATCH
    attempts: int

    @property
    def failed(self) -> bool:
        return self.code != 0 or self.matched is not None

    def why(self, timeout: float) -> str:
        if self.timed_out:
            return f"timed out after {timeout:g}s"
        if self.code != 0:
            text = f"runner exited {self.code}"
        else:
            text = "runner exited 0"
        if self.matched is not None:
            text += f", output matched LOOOP_RUNNER_RETRY_MATCH ({self.matched[:80]!r})"
        return text + (f", after {self.attempts} attempts" if self.attempts > 1 else "")


def run(command: str, *, cwd: Path, prompt_file: Path, env: dict[str, str], log_file: Path,
        timeout: float | None, config: Mapping[str, Any] | None, events: Path | None = None,
        record: Path | None = None, wrap: list[str] | None = None) -> Result:
    from looop.agents import runner
    from looop.core import knobs
    from looop.core.log import warn
    from looop.records import events as ev

    retries = knobs.whole("runner_retries", config)
    match = knobs.pattern("runner_retry_match", config)
    delay = knobs.whole("runner_retry_delay", config)
    attempt = 0
    while True:
        attempt += 1
        lines: deque[str] = deque(maxlen=_KEEP_LINES)
        code, timed_out = runner.run(command, cwd=cwd, stdin_file=prompt_file, env=env, log_files=[log_file],
                                     timeout=timeout, on_line=lines.append, record=record, wrap=wrap)
        found = match.search("\n".join(lines)) if match else None
        result = Result(code, timed_out, found.group(0) if found else None, attempt)
        transient = result.failed and not timed_out and (found is not None if match else code != 0)
        if not transient or attempt > retries:
            return result
        wait = min(MAX_DELAY, delay * 2 ** (attempt - 1))
        warn(f"runner failed ({result.why(timeout or 0)}): retry {attempt} of {retries} in {wait}s")
        if events is not None:
            ev.emit(events, "runner_retry", attempt=attempt, of=retries, exit_code=code, wait_s=wait)
        with open(log_file, "ab") as fh:
            fh.write(f"\n── looop: retry {attempt} of {retries} ──\n".encode())
        time.sleep(wait)
