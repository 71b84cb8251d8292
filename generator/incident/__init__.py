"""The incident record and its changes: a YAML record -> typed record -> status, postmortem.

``model`` holds the typed record (``IncidentRecord``, ``TimelineEntry``, ``Item``) and its
times; ``store`` reads and writes the file under a lock; ``changes`` is what each command
does to a record (start, update, acknowledge, resolve, a block run, a message sent);
``clock`` is the one time source (``RUNBOOK_NOW``); ``cadence`` reads comms channels'
update cadences; ``report`` says what is due and renders the postmortem; ``exec_log`` feeds
``runbook exec --incident``.
"""

from generator.incident.changes import (
    Update,
    acknowledge,
    append_block_result,
    append_message_sent,
    new_incident_id,
    new_record,
    resolve,
    start,
    update,
)
from generator.incident.clock import now
from generator.incident.model import IncidentRecord, TimelineEntry, format_time, parse_time
from generator.incident.store import (
    create_incident,
    find_incident,
    modify_incident,
    read_incident,
)

__all__ = [
    "IncidentRecord",
    "TimelineEntry",
    "Update",
    "acknowledge",
    "append_block_result",
    "append_message_sent",
    "create_incident",
    "find_incident",
    "format_time",
    "modify_incident",
    "new_incident_id",
    "new_record",
    "now",
    "parse_time",
    "read_incident",
    "resolve",
    "start",
    "update",
]
