"""The incident record on disk: a YAML file that many processes append to during an incident.

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
      fields: {customer_impact: Card payments fail}   # update --set: for comms templates
      timeline:                      # {time, kind, event, ...}; kind: start, update, ack,
        - {time: ..., kind: start, event: Incident started}   # exec, comms, resolve
      checklist: [{text: Take command, done: false}]
      action_items: [Add monitoring for connection pool]
      resolution: Restarted database
      root_cause: ...
      contributing_factors: [No alert on pool saturation]    # the postmortem's: text or
      lessons_learned: [Check the pool first]                 # a list of texts

Every change goes through ``modify_incident``: an exclusive ``flock`` on the record itself
(``locked``: no lock file), read, change, write a temp file in the same folder, fsync,
``os.replace``. So a
reader never sees half a file and concurrent appends (``runbook exec --incident`` in two
terminals) never lose an entry. Times are ISO 8601 UTC strings.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

import yaml

from checks.encoding import NotUtf8, decode_utf8
from checks.files import write_atomic
from checks.problems import ExitCode, Problem, Severity, did_you_mean
from generator.errors import RunbookError, UsageError
from generator.incident.model import IncidentRecord, YamlMapping, YamlValue
from generator.model import SourceLocation

T = TypeVar("T")


# -- YAML ----------------------------------------------------------------------------------


# libyaml when present: a record is re-read and re-written on every append.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _RecordLoader(_BaseLoader):  # type: ignore[misc]
    """Safe loading that keeps times as text (``14:15`` is not 855, dates are not datetimes)."""


def _construct_text_or_int(loader: yaml.SafeLoader, node: yaml.Node) -> str | int:
    assert isinstance(node, yaml.ScalarNode)
    if ":" in node.value:
        text: str = node.value  # YAML 1.1 sexagesimal: the seed's `time: 14:15`
        return text
    number: int = yaml.SafeLoader.construct_yaml_int(loader, node)
    return number


def _construct_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    text: str = node.value
    return text


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
    "impact", "roles", "fields", "resolution", "root_cause", "contributing_factors",
    "lessons_learned", "timeline", "checklist", "action_items",
)  # fmt: skip
"""Known fields are written in this order (seed 001's), others after them as they came."""


def dump_record(document: Mapping[str, YamlValue]) -> str:
    """The YAML text of a whole incident document."""
    ordered = dict(document)
    record = ordered.get("incident")
    if isinstance(record, dict):
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


def parse_record(text: str, path: Path) -> YamlMapping:
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
                      ("roles", yaml.MappingNode), ("fields", yaml.MappingNode)):  # fmt: skip
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
    return cast(YamlMapping, document)


def read_incident(path: Path) -> IncidentRecord:
    """The incident mapping of the record at ``path`` (exit 3 if it is not one)."""
    try:
        text = _read_text(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such incident record") from None
    except OSError as exc:
        raise RunbookError(f"{path}: cannot read: {exc}") from None
    record = parse_record(text, path)["incident"]
    assert isinstance(record, dict)
    return IncidentRecord(record)


def _read_text(path: Path) -> str:
    """The record's text; a byte that is not UTF-8 is a located error (exit 3)."""
    try:
        return decode_utf8(path.read_bytes(), str(path))
    except NotUtf8 as exc:
        raise RunbookError(problems=[Problem(exc.location, Severity.ERROR, exc.message)]) from None


# -- locking and atomic writes -------------------------------------------------------------


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the record's exclusive lock: a ``flock`` on the record file itself.

    Every writer replaces the file (a new inode), so a process that waited for the lock
    may hold it on a file that is no longer the record: it checks, after locking, that
    the file it locked is still the one at ``path``, and tries again if not. Nothing is
    created for the lock, so nothing is left behind, whatever ends the process.
    """
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise UsageError(f"{path}: no such incident record") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(path).st_ino
            except FileNotFoundError:
                current = None
            if current == os.fstat(fd).st_ino:
                yield
                return
        finally:
            os.close(fd)  # closing releases the lock


def modify_incident(path: Path, change: Callable[[IncidentRecord], T]) -> T:
    """Lock, read, ``change(record)`` in place, write atomically; return what ``change`` did."""
    if not path.is_file():
        raise UsageError(f"{path}: no such incident record")
    with locked(path):
        text = _read_text(path)
        document = parse_record(text, path)
        record = document["incident"]
        assert isinstance(record, dict)
        result = change(IncidentRecord(record))
        write_atomic(path, dump_record(document))
    return result


def create_incident(directory: Path, record: IncidentRecord) -> Path:
    """Write a new record as ``<dir>/<id>.yaml`` (``-2``, ``-3`` ... if taken); its path."""
    directory.mkdir(parents=True, exist_ok=True)
    base = str(record.id)
    for attempt in range(1, 1000):
        incident_id = base if attempt == 1 else f"{base}-{attempt}"
        path = directory / f"{incident_id}.yaml"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        record.set("id", incident_id)
        with locked(path):
            write_atomic(path, dump_record({"incident": record.to_yaml()}))
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
