"""Why a template's incident value is missing, and which ``runbook incident`` command
records it (the hint under an "undefined variable" error); which ``--set`` values a
template never reads (a misspelt name would otherwise vanish from the message)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

RECORDED_BY: dict[str, str] = {
    "title": "update {ref} --title TEXT",
    "severity": "update {ref} --severity LEVEL",
    "status": "update {ref} --status STATUS",
    "impact": "update {ref} --impact {field}=VALUE",
    "started_at_local": "update {ref} --timezone ZONE",
    "commander": "update {ref} --commander NAME",
    "roles": "update {ref} --role {field}=NAME",
    "update_every": "update {ref} --update-every 15m",
    "next_update": "update {ref} --update-every 15m",
    "resolution": "update {ref} --resolution TEXT",
    "root_cause": "update {ref} --root-cause TEXT",
    "eta": "update {ref} --eta TEXT",
    "channel": "update {ref} --channel NAME",
    "detected_by": "update {ref} --detected-by TEXT",
    "acknowledged_at": "ack {ref}",
    "resolved_at": "resolve {ref} --resolution TEXT",
    "action_items": "update {ref} --action-item TEXT",
}
"""Incident field -> the ``runbook incident`` command that records it (``{ref}``: the
incident; ``{field}``: the sub-field asked for, as in ``--impact summary=VALUE``)."""


def missing_hint(name: str, incident: Mapping[str, object] | None, ref: str | None) -> str:
    """Why the incident field ``name`` (``incident.root_cause``) has no value, and how to
    give it one; ``ref`` is how the user named the incident (a path or an id)."""
    parts = name.split(".")
    field = parts[1]
    sub = parts[2] if len(parts) > 2 else None
    ref = ref or str((incident or {}).get("id") or "INCIDENT")
    by_set = f"pass --set {name}=VALUE"
    if field in {"severity_level", "severity_label"}:
        severity = (incident or {}).get("severity")
        if incident is None or "severity_level" not in incident:
            why = (
                f"the incident's severity '{severity}' is not a level of the runbook's scheme"
                if severity
                else "the incident has no severity"
            )
            record = f"record one with `runbook incident update {ref} --severity LEVEL`"
            if name == "incident.severity_level":
                return f"{why} ({record})"  # --set cannot give a whole level
            return f"{why} ({record}, or {by_set})"
        what = sub or "label"
        return (
            f"level {severity} of the runbook's severity scheme has no {what} "
            f"(add it to the scheme, or {by_set})"
        )
    if field == "next_update" and incident is not None and "resolved_at" in incident:
        return f"the incident is resolved, so no update is due ({by_set})"
    command = RECORDED_BY.get(field)
    if command is None:
        return f"the incident has no value for it ({by_set})"
    command = command.format(ref=ref, field=sub or "NAME")
    why = "the incident has no value for it"
    if field in {"next_update", "update_every"}:
        why = "neither the incident nor its severity has an update cadence"
    return f"{why} (record it with `runbook incident {command}`, or {by_set})"


def unread_values(keys: Iterable[str], reads: Iterable[str], template: str) -> list[str]:
    """A warning for each ``--set`` key that ``template`` (whose context names are
    ``reads``) does not read, with the closest name it does read: ``incident.titel``,
    set where the template reads ``incident.title``, would leave the message as it was,
    silently. A key counts as read when the template reads it, a field under it, or the
    namespace it belongs to as a whole."""
    from checks.problems import did_you_mean

    names = list(dict.fromkeys(reads))
    warnings = []
    for key in dict.fromkeys(keys):
        if any(n == key or n.startswith(key + ".") or key.startswith(n + ".") for n in names):
            continue
        hint = did_you_mean(key, names)
        warnings.append(f"warning: --set {key}: template '{template}' does not read it{hint}")
    return warnings
