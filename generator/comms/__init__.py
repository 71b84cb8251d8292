"""A runbook's communication templates + an incident -> a message, rendered in the sandbox.

``templates`` finds, checks and renders a template (``render_template`` for an incident,
``render_example`` with its examples, ``check_template`` for lint); ``sandbox`` is the
Jinja2 immutable sandbox with per-channel escaping and ``limits`` what a template may
build; ``context`` is what a template renders over (``incident_context`` the incident's
values, ``hints`` which ``runbook incident`` command records a missing one); ``send``
posts a message to a Slack-style webhook, only when asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks._lazy import lazy_exports

if TYPE_CHECKING:
    from generator.comms.send import post_slack_webhook
    from generator.comms.templates import (
        check_template,
        find_template,
        render_example,
        render_template,
        required_values,
        template_references,
    )

__all__ = [
    "check_template",
    "find_template",
    "post_slack_webhook",
    "render_example",
    "render_template",
    "required_values",
    "template_references",
]

_MODULE_OF = {
    "check_template": "templates",
    "find_template": "templates",
    "render_example": "templates",
    "render_template": "templates",
    "required_values": "templates",
    "template_references": "templates",
    "post_slack_webhook": "send",
}

__getattr__ = lazy_exports(__name__, _MODULE_OF)
