"""Credentials written into a runbook file: an access key, a token, a webhook URL, a
private key. Everything in a runbook ends up on the site and in its search index (and
in the repository's history), so ``literal_credentials`` reports each one for lint, at
its line and column, with the way out: a ``secret: true`` variable whose value comes
from ``--var``, ``--env-file`` or the environment, never from a file.

Only formats a credential cannot be mistaken for are looked for (a provider's prefix and
its length), not "long random strings": a runbook is full of ids, hashes and ARNs. The
documented examples (AWS's ``AKIAIOSFODNN7EXAMPLE``), stand-ins (``xoxb-...-your-token``)
and filler (``ghp_xxxx...``) are not credentials. A file without any of the prefixes costs
a few substring tests.
"""

from __future__ import annotations

import re

from checks.problems import Problem, Severity
from generator.load.nodes import locate_offset

__all__ = ["RULE", "literal_credentials"]

RULE = "credential"
_KINDS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("an AWS access key id", ("AKIA",), re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
    ("a GitHub token", ("ghp_",), re.compile(r"\bghp_[A-Za-z0-9]{36,}\b")),
    ("a GitHub token", ("github_pat_",), re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b")),
    ("a Slack token", ("xox",), re.compile(r"\bxox[abposr]-\d{6,}-[A-Za-z0-9-]{10,}")),
    (
        "a Slack webhook URL",
        ("hooks.slack.com",),
        re.compile(r"https://hooks\.slack\.com/services/T\w+/B\w+/\w{16,}"),
    ),
    (
        "an AWS secret access key",
        ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
        re.compile(r"(?i:aws_secret_access_key)\s*[=:]\s*[\"']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"),
    ),
    ("a private key", ("PRIVATE KEY",), re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")),
    ("a Google API key", ("AIza",), re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
    ("a Stripe live key", ("_live_",), re.compile(r"\b[rs]k_live_[0-9A-Za-z]{20,}\b")),
)
"""What is looked for: the kind, the literals one of which every such credential holds
(a substring test is far faster than a search with alternatives, and rules out most
files), the pattern."""
_FILLER_DISTINCT = 6
"""Fewer distinct characters than this after the prefix: filler, not a key."""


def literal_credentials(text: str, path: str) -> tuple[Problem, ...]:
    """An error at each credential written in ``text`` (the file ``path``)."""
    found: list[Problem] = []
    for what, anchors, pattern in _KINDS:
        if not any(anchor in text for anchor in anchors):
            continue
        for match in pattern.finditer(text):
            if _example(match.group()):
                continue
            found.append(
                Problem(
                    locate_offset(path, text, match.start()),
                    Severity.ERROR,
                    f"{what} is written here: everything in a runbook is published on the "
                    "site and in its search index; declare a variable with `secret: true` "
                    "and give its value with --var, --env-file or the environment",
                    RULE,
                )
            )
    return tuple(sorted(found, key=lambda p: (p.location.line, p.location.col)))


_STAND_INS = ("example", "your", "xxxx", "redacted", "placeholder", "dummy", "fake", "sample")
"""Words that make a token a stand-in in documentation (``xoxb-123456-your-token``)."""


def _example(token: str) -> bool:
    body = token.split("_", 1)[-1] if "_" in token[:12] else token[4:]
    lowered = token.lower()
    return any(word in lowered for word in _STAND_INS) or len(set(body)) < _FILLER_DISTINCT
