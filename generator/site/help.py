"""The site's "How to use these runbooks" page: for a reader, not a writer.

An on-call engineer who never ran the CLI lands on a runbook page from a pager link at
3 a.m.; this page tells them what the badges mean, what "stale" means, how to fill in and
copy a command, and what ``runbook exec`` will ask before it runs something. Every runbook
page's header and the home page link here. The risk badges are drawn with the same classes
as on runbook pages, so they look the same.
"""

from __future__ import annotations

__all__ = ["HELP", "help_markdown"]

HELP = "help.md"
"""The page's source path (its URL is ``help/``)."""


def _badge(kind: str, gist: str) -> str:
    # The first strong of a .runbook-meta paragraph is drawn as the risk badge (runbook.css).
    return f"**{kind}** · {gist}\n{{: .runbook-meta .risk-{kind} }}"


def help_markdown() -> str:
    """The page's Markdown."""
    return (
        "\n\n".join(
            [
                "# How to use these runbooks",
                "A runbook says what to check, what to do and whom to tell when something breaks. "
                "Each step with a command is a block you can copy or run; each block carries a "
                "badge that says how risky it is.",
                "## Finding the right page",
                "- **From an alert:** the alert's link (`alerts/<AlertName>/`) opens the runbook, "
                "or the section of it, that handles the alert.\n"
                "- **Search:** press `/` anywhere and type an alert name, a service or a word from "
                "a command.\n"
                "- **By service:** the home page lists every service with its runbooks, their "
                "severity, owner and review state. On a large site it names each service with "
                "how many runbooks it has, and the service's page lists them.",
                "## What the badges mean",
                _badge("check", "looks, never changes"),
                "Read-only: it looks and never changes anything. Safe to run at any time; CI runs "
                "these to prove the documented commands still work.",
                _badge("action", "changes something"),
                "Changes something (restarts, scales, fails over). `runbook exec` asks *y/N* "
                "before it runs one.",
                _badge("destructive", "can lose data or cause an outage"),
                "Can lose data or cause an outage. `runbook exec` asks you to type the step's id "
                "before it runs one.",
                _badge("manual", "a person does it"),
                "Something a person does (tell a channel, decide the severity). Shown, never run.",
                "A **stale** badge beside *Last reviewed* means the runbook's review is overdue: "
                "its owner set a review period (such as 90 days) and it has passed. Read it with "
                "care and tell the owner what was wrong. *Last run* under a block, when present, "
                "says when CI last ran it and whether it passed; *Last verified* under the "
                "title sums up the checks of the whole runbook.",
                "## Filling in and copying a command",
                "Commands read their inputs from environment variables (such as "
                "`$REPLICA_HOST`), never from text pasted into them; the **Variables** table at "
                "the top of a runbook page lists each one with its default and an example. The "
                "copy button of a block copies the command exactly as shown: set the variables "
                "first (`export REPLICA_HOST=db-2`), then paste. Or fill them in the form under "
                "the table (a link from an alert fills in what its labels say): the copy button "
                "then puts those `export` lines in front of the command for you. The values stay "
                "in your browser tab. Secrets are never shown or asked for on the page: you type "
                "them in the terminal.",
                "**Expected output** under a block is what it must print (CI checks it); "
                "**sample output** is only an example of what it prints.",
                "## Running a block with `runbook exec`",
                "Instead of copying, you can let the tool run the blocks of a runbook, exactly as "
                "the page shows them (install it with `pip install runbook-docs`):",
                "```bash\n"
                "runbook exec RUNBOOK-ID --dry-run        # what would run, with each value\n"
                "runbook exec RUNBOOK-ID                  # the read-only checks, in page order\n"
                "runbook exec RUNBOOK-ID --walk           # every block in order, asking first\n"
                "runbook exec RUNBOOK-ID --step STEP-ID   # one block\n"
                "```",
                "It asks for a variable that has no value (a secret without echo), asks *y/N* "
                "before an action and asks for the step id before a destructive block; it never "
                "asks before a check. Every block runs with a timeout, and whatever it starts is "
                "stopped when it ends. With `--incident INCIDENT` each block that ran is added "
                "to the incident's timeline.",
                "## Messages and contacts",
                "A runbook's **communication templates** are shown filled in with *example* "
                "values; `runbook comms RUNBOOK-ID TEMPLATE --incident INCIDENT` fills one in "
                "with your incident's facts. The organisation page (linked from each runbook's "
                "header) has the severity levels, escalation, contacts and roles.",
            ]
        )
        + "\n"
    )
