"""The incident record: a YAML file that many processes append to during an incident.

The file is a superset of seed 001's incident template::

    incident:
      id: INC-20240115-1415
      title: Payment processing outage
      severity: SEV1
      status: investigating          # free text; the Statuspage four are suggested
      runbook: db-connection-pool
      started_at: '2024-01-15T14:15:00Z'
      detected_by: monitoring_alert
      acknowledged_at: '2024-01-15T14:18:00Z'
      resolved_at: '2024-01-15T15:45:00Z'
      update_every_minutes: 15       # from the severity's cadence at start
      impact: {users_affected: 15000, revenue_lost: $45000, duration_minutes: 90, summary: ...}
      roles: {commander: Alex Kim, comms: Sam Lee}
      timeline:                      # {time, kind, event, ...}; kind: start, update, ack,
        - {time: ..., kind: start, event: Incident started}   # exec, comms, resolve
      checklist: [{text: Take command, done: false}]
      action_items: [Add monitoring for connection pool]
      resolution: Restarted database
      root_cause: ...

Every change goes through ``modify_incident``: an exclusive ``flock`` on a lock file next to
the record, read, change, write a temp file in the same folder, fsync, ``os.replace``. So a
reader never sees half a file and concurrent appends (``runbook exec --incident`` in two
terminals) never lose an entry. Times are ISO 8601 UTC strings; the clock is injected.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from checks.files import write_atomic
from checks.problems import ExitCode, Problem, Severity, did_you_mean
from generator.errors import RunbookError, UsageError
from generator.model import SeverityScheme, SourceLocation

if TYPE_CHECKING:
    from checks.model import Result

T = TypeVar("T")
Clock = Callable[[], datetime]

UPDATE_KINDS = frozenset({"start", "update", "comms"})
"""Timeline kinds that count as a status update for the cadence."""
OUTPUT_TAIL_LINES = 20
OUTPUT_TAIL_CHARS = 2000


def system_clock() -> datetime:
    """The real time, UTC."""
    return datetime.now(UTC)


def fixed_clock(value: str) -> Clock:
    """A clock that always says ``value`` (ISO 8601; ``RUNBOOK_NOW`` in the CLI)."""
    moment = parse_time(value)
    if moment is None:
        raise UsageError(f"RUNBOOK_NOW={value!r}: expected an ISO 8601 time")
    return lambda: moment


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from an ISO string (``Z`` accepted), or None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    return _parse_iso(value.strip())


@functools.lru_cache(maxsize=256)
def _parse_iso(text: str) -> datetime | None:
    # Remembered: every comms example renders the same sample incident's times.
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@functools.lru_cache(maxsize=256)
def format_time(moment: datetime) -> str:
    """``2024-01-15T14:15:00Z`` (remembered, as ``_parse_iso``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- YAML ----------------------------------------------------------------------------------


# libyaml when present: a record is re-read and re-written on every append.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _RecordLoader(_BaseLoader):  # type: ignore[misc]
    """Safe loading that keeps times as text (``14:15`` is not 855, dates are not datetimes)."""


def _construct_text_or_int(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    if ":" in node.value:
        return node.value  # YAML 1.1 sexagesimal: the seed's `time: 14:15`
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    return node.value


_RecordLoader.add_constructor("tag:yaml.org,2002:int", _construct_text_or_int)
_RecordLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


class _RecordDumper(_BaseDumper):  # type: ignore[misc]
    """Multi-line text (output tails, notes) as ``|`` blocks."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_RecordDumper.add_representer(str, _represent_text)


FIELD_ORDER = (
    "id", "title", "severity", "status", "runbook", "started_at", "detected_by",
    "acknowledged_at", "resolved_at", "update_every_minutes", "timezone", "channel", "eta",
    "impact", "roles", "resolution", "root_cause", "timeline", "checklist", "action_items",
)  # fmt: skip
"""Known fields are written in this order (seed 001's), others after them as they came."""


def dump_record(document: Mapping[str, Any]) -> str:
    """The YAML text of a whole incident document."""
    ordered = dict(document)
    record = ordered.get("incident")
    if isinstance(record, Mapping):
        known = {key: record[key] for key in FIELD_ORDER if key in record}
        ordered["incident"] = known | {k: v for k, v in record.items() if k not in known}
    return yaml.dump(
        ordered,
        Dumper=_RecordDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,  # one line per entry: greppable
    )


def _invalid(path: Path, line: int, col: int, message: str) -> RunbookError:
    problem = Problem(SourceLocation(str(path), line, col), Severity.ERROR, message, "incident")
    return RunbookError(problems=[problem], exit_code=ExitCode.INVALID)


def parse_record(text: str, path: Path) -> dict[str, Any]:
    """The whole document (``{"incident": {...}}``), or a located error (exit 3)."""
    try:
        node = yaml.compose(text, Loader=_RecordLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _invalid(
            path, line, col, f"invalid incident record: {exc.problem or exc.context}"
        ) from None
    if not isinstance(node, yaml.MappingNode):
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
        raise _invalid(path, line, col, "invalid incident record: expected a mapping 'incident:'")
    keys = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    if "incident" not in keys or not isinstance(keys["incident"][1], yaml.MappingNode):
        mark = keys["incident"][1].start_mark if "incident" in keys else node.start_mark
        raise _invalid(
            path,
            mark.line + 1,
            mark.column + 1,
            "invalid incident record: 'incident' must be a mapping",
        )
    inner = {k.value: v for k, v in keys["incident"][1].value if isinstance(k, yaml.ScalarNode)}
    for key, kind in (("timeline", yaml.SequenceNode), ("action_items", yaml.SequenceNode),
                      ("checklist", yaml.SequenceNode), ("impact", yaml.MappingNode),
                      ("roles", yaml.MappingNode)):  # fmt: skip
        value = inner.get(key)
        is_null = isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null")
        if value is not None and not is_null and not isinstance(value, kind):
            what = "a list" if kind is yaml.SequenceNode else "a mapping"
            mark = value.start_mark
            raise _invalid(
                path,
                mark.line + 1,
                mark.column + 1,
                f"invalid incident record: '{key}' must be {what}",
            )
    timeline = inner.get("timeline")
    if isinstance(timeline, yaml.SequenceNode):
        for entry in timeline.value:
            if not isinstance(entry, yaml.MappingNode):
                mark = entry.start_mark
                raise _invalid(
                    path,
                    mark.line + 1,
                    mark.column + 1,
                    "invalid incident record: a timeline entry must be a mapping {time, event}",
                )
    loader = _RecordLoader(text)
    try:
        document = loader.construct_document(node)
    finally:
        loader.dispose()
    assert isinstance(document, dict)
    return document


def read_incident(path: Path) -> dict[str, Any]:
    """The incident mapping of the record at ``path`` (exit 3 if it is not one)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such incident record") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunbookError(f"{path}: cannot read: {exc}") from None
    record = parse_record(text, path)["incident"]
    assert isinstance(record, dict)
    return record


# -- locking and atomic writes -------------------------------------------------------------


def _lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the record's exclusive lock (a ``flock`` on a lock file next to it)."""
    fd = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def modify_incident(path: Path, change: Callable[[dict[str, Any]], T]) -> T:
    """Lock, read, ``change(record)`` in place, write atomically; return what ``change`` did."""
    if not path.is_file():
        raise UsageError(f"{path}: no such incident record")
    with locked(path):
        text = path.read_text(encoding="utf-8")
        document = parse_record(text, path)
        record = document["incident"]
        result = change(record)
        write_atomic(path, dump_record(document))
    return result


def create_incident(directory: Path, record: dict[str, Any]) -> Path:
    """Write a new record as ``<dir>/<id>.yaml`` (``-2``, ``-3`` ... if taken); its path."""
    directory.mkdir(parents=True, exist_ok=True)
    base = str(record["id"])
    for attempt in range(1, 1000):
        incident_id = base if attempt == 1 else f"{base}-{attempt}"
        path = directory / f"{incident_id}.yaml"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        record["id"] = incident_id
        with locked(path):
            write_atomic(path, dump_record({"incident": record}))
        return path
    raise RunbookError(f"{directory}: too many incidents named {base}")


def find_incident(spec: str, directory: Path) -> Path:
    """INCIDENT as given on the command line: a path, or an id in ``directory``."""
    as_path = Path(spec)
    if as_path.suffix in {".yaml", ".yml"} or os.sep in spec or as_path.is_file():
        if not as_path.is_file():
            raise UsageError(f"{spec}: no such incident record")
        return as_path
    path = directory / f"{spec}.yaml"
    if path.is_file():
        return path
    known = sorted(p.stem for p in directory.glob("*.yaml")) if directory.is_dir() else []
    raise UsageError(f"no incident '{spec}' in {directory}/{did_you_mean(spec, known)}")


# -- record contents -----------------------------------------------------------------------


def new_record(
    *,
    incident_id: str,
    title: str,
    severity: str,
    runbook_id: str,
    now: datetime,
    update_every: float | None,
    detected_by: str | None = None,
    commander: str | None = None,
    channel: str | None = None,
    checklist: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A fresh record with its ``start`` timeline entry."""
    record: dict[str, Any] = {
        "id": incident_id,
        "title": title,
        "severity": severity,
        "status": "investigating",
        "runbook": runbook_id,
        "started_at": format_time(now),
    }
    if detected_by:
        record["detected_by"] = detected_by
    if update_every is not None:
        record["update_every_minutes"] = round(update_every / 60)
    if channel:
        record["channel"] = channel
    record["impact"] = {}
    record["roles"] = {"commander": commander} if commander else {}
    record["timeline"] = [
        {"time": format_time(now), "kind": "start", "event": f"Incident started: {title}"}
    ]
    if checklist:
        record["checklist"] = [{"text": text, "done": False} for text in checklist]
    record["action_items"] = []
    return record


def new_incident_id(now: datetime) -> str:
    """``INC-20240115-1415`` (``create_incident`` adds ``-2`` when taken)."""
    return now.astimezone(UTC).strftime("INC-%Y%m%d-%H%M")


def add_entry(record: dict[str, Any], entry: dict[str, Any]) -> None:
    """Append a timeline entry, creating the timeline if needed."""
    timeline = record.get("timeline")
    if not isinstance(timeline, list):
        timeline = record["timeline"] = []
    timeline.append(entry)


def output_tail(stdout: str, stderr: str) -> str:
    """The last lines of a block's (already redacted) output, bounded."""
    text = stdout.rstrip("\n")
    if stderr.strip():
        text = (text + "\n" if text else "") + stderr.rstrip("\n")
    lines = text.splitlines()[-OUTPUT_TAIL_LINES:]
    tail = "\n".join(line.rstrip() for line in lines)
    if len(tail) > OUTPUT_TAIL_CHARS:
        tail = "…" + tail[-(OUTPUT_TAIL_CHARS - 1) :]
    return tail


def append_block_result(path: Path, result: Result, *, now: datetime | None = None) -> None:
    """Append ``{time, kind: exec, block, status, exit_code, output}`` to the timeline.

    ``result`` comes from the executor, so its output is already redacted. The time is the
    result's ``finished_at`` (else ``now``, else the system clock).
    """
    when = parse_time(result.finished_at) or now or system_clock()
    status = result.status.value
    event = f"ran {result.check.id}: {status}"
    if result.exit_code is not None:
        event += f" (exit {result.exit_code})"
    entry: dict[str, Any] = {
        "time": format_time(when),
        "kind": "exec",
        "event": event,
        "block": result.check.id,
        "status": status,
        "exit_code": result.exit_code,
        "duration_s": round(result.duration_s, 3),
    }
    if result.reason:
        entry["reason"] = result.reason
    tail = output_tail(result.stdout, result.stderr)
    if tail:
        entry["output"] = tail
    modify_incident(path, lambda record: add_entry(record, entry))


def update_every_seconds(record: Mapping[str, Any], scheme: SeverityScheme | None) -> float | None:
    """The update cadence: the record's ``update_every_minutes``, else the severity's."""
    minutes = record.get("update_every_minutes")
    if isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0:
        return float(minutes) * 60
    severity = record.get("severity")
    if scheme is not None and severity:
        level = scheme.level(str(severity))
        if level is not None and level.update_every:
            return level.update_every
    return None


def last_update_at(record: Mapping[str, Any]) -> datetime | None:
    """When the last status update (start, update, comms) was recorded."""
    times = [
        moment
        for entry in record.get("timeline") or ()
        if isinstance(entry, Mapping) and entry.get("kind") in UPDATE_KINDS
        if (moment := parse_time(entry.get("time"))) is not None
    ]
    return max(times) if times else None
