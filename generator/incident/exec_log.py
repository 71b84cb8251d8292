"""``runbook exec --incident``: the record checked before the run, every block that ran
appended to its timeline as it ends."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from checks.model import Result, Status
from generator.errors import RunbookError


class IncidentLog:
    """Every block that ran goes to the incident's timeline as it ends."""

    def __init__(self, path: Path, stream: TextIO) -> None:
        self.path = path
        self.stream = stream
        self.failed = False

    def result(self, result: Result) -> None:
        if result.status is Status.SKIPPED or self.failed:
            return
        from generator.incident.changes import append_block_result

        try:
            append_block_result(self.path, result)
        except (RunbookError, OSError) as exc:
            # The run goes on (it is an incident); say once that the record is behind.
            self.failed = True
            text = exc.format() if isinstance(exc, RunbookError) else str(exc)
            self.stream.write(
                f"warning: --incident {self.path}: cannot append to the timeline: {text}\n"
            )


def open_incident(spec: str, incident_dir: str, notes: TextIO) -> Path:
    """``--incident``: a path or an id in ``incident_dir``; checked before anything runs.
    A resolved incident still takes the results (checks after a fix are evidence too), but
    ``notes`` says it is resolved: a reader with two incidents open may have named the
    wrong one."""
    from generator.incident.store import find_incident, read_incident

    path = find_incident(spec, Path(incident_dir))
    record = read_incident(path)  # a record that does not parse is exit 3 now, not after
    if record.resolved_at is not None:
        notes.write(
            f"note: incident {record.shown('id', path.stem)} was resolved at "
            f"{record.shown('resolved_at', '?')}; the blocks' results still go into its "
            "timeline\n"
        )
    return path
