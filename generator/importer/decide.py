"""One code block -> what it becomes: a step (with kind and options), a sample output, a
diagram or a snippet that stays in the prose; and for a step, the rule that decided."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from checks.shell.reads import scan_shell
from generator.importer.kinds import read_shell
from generator.importer.options import ImportOptions
from generator.importer.queries import read_language
from generator.importer.reading import Reading
from generator.importer.runnable import (
    fill_placeholders,
    manual_reason,
    prompt_lines,
    strip_prompts,
)
from generator.importer.table import CommandTable

__all__ = [
    "OUTPUT_LANGS",
    "SHELL_LANGS",
    "Decision",
    "decide_step",
    "looks_like_command",
    "looks_like_output",
    "step_language",
]

SHELL_LANGS = frozenset(
    {
        "bash",
        "sh",
        "shell",
        "zsh",
        "ksh",
        "console",
        "shell-session",
        "shellsession",
        "terminal",
        "bash-session",
        "shell-script",
        "sh-session",
        "command",
        "commands",
        "cli",
    }
)
PROMPT_LANGS = frozenset(
    {"console", "shell-session", "shellsession", "terminal", "sh-session", "bash-session"}
)
SQL_LANGS = frozenset(
    {
        "sql",
        "postgresql",
        "postgres",
        "psql",
        "pgsql",
        "plpgsql",
        "mysql",
        "mariadb",
        "tsql",
        "plsql",
        "sqlite",
        "cql",
        "hql",
        "sparksql",
    }
)
QUERY_LANGS = frozenset(
    {
        "promql",
        "logql",
        "metricsql",
        "kql",
        "traceql",
        "flux",
        "influxql",
        "lucene",
        "spl",
        "cypher",
        "graphql",
    }
)
OTHER_CLI_LANGS = frozenset(
    {
        "powershell",
        "ps1",
        "pwsh",
        "ps",
        "bat",
        "batch",
        "cmd",
        "dos",
        "redis",
        "mongo",
        "mongodb",
        "mongosh",
        "cassandra",
    }
)
OUTPUT_LANGS = frozenset(
    {
        "text",
        "txt",
        "output",
        "plaintext",
        "plain",
        "log",
        "logs",
        "out",
        "stdout",
        "result",
        "results",
        "none",
        "nohighlight",
        "raw",
        "console-output",
        "shell-output",
    }
)
_LANGUAGE_OF = {
    **{lang: "sql" for lang in SQL_LANGS},
    "redis": "redis",
    "mongo": "mongo",
    "mongodb": "mongo",
    "mongosh": "mongo",
}
_READ_ONLY_QUERIES = frozenset({"promql", "logql", "metricsql", "traceql", "kql", "influxql"})
_YAMLISH = re.compile(r"^\s*[\w.\"'-]+:(?:\s|$)")
_SQLISH = re.compile(
    r"^\s*(?:SELECT|WITH|SHOW|EXPLAIN|INSERT|UPDATE|DELETE|DROP|ALTER|CREATE)\s", re.I
)


@dataclass(slots=True)
class Decision:
    """A step's kind and options, and how they were decided."""

    kind: str
    rule: str
    """What decided: ``header``, ``table``, ``sql``, ``unknown``, ``manual-prompt`` ..."""
    reason: str
    would_be: str | None = None
    """The kind a manual block would have had if it could run as written."""
    lang: str = "bash"
    run: str = ""
    interpreter: str | None = None
    requires: list[str] = field(default_factory=list)
    interactive: bool = False
    follow: bool = False
    strict: bool = True
    unknown: list[str] = field(default_factory=list)
    shell: bool = False
    """bash runs it (so ``bash -n`` must accept it before it may be anything but manual)."""
    rewritten: str | None = None
    """What the opt-in rewrite changed, for the report."""


def step_language(lang: str, content: str, table: CommandTable, opts: ImportOptions) -> str | None:
    """``shell``, ``sql``, ``query``, ``cli`` or ``interpreter`` for a block that is a step;
    None for a block that stays a snippet."""
    if not content.strip():
        return None
    if lang in opts.interpreters:
        return "interpreter"
    if lang in SHELL_LANGS:
        return "shell"
    if lang in SQL_LANGS:
        return "sql"
    if lang in QUERY_LANGS:
        return "query"
    if lang in OTHER_CLI_LANGS:
        return "cli"
    if lang == "":
        if looks_like_command(content, table):
            return "shell"
        if _SQLISH.match(content):
            return "sql"
    return None


def looks_like_command(content: str, table: CommandTable) -> bool:
    """Unlabelled text whose first line is a prompt or starts with a known command."""
    if prompt_lines(content)[:1] == [_first_line_index(content)]:
        return True
    line = content.strip().split("\n", 1)[0].strip()
    if not line or _YAMLISH.match(line) or line.startswith(("{", "[", "<", "-", "|", "+")):
        return False
    word = line.split()[0]
    if "=" in word and word.split("=", 1)[0].isidentifier():
        return True
    return (
        word in table.tools
        or word in table.wrappers
        or word in ("export", "cd", "source", "for", "if", "while")
        or word.startswith(("./", "~/"))
    )


def _first_line_index(content: str) -> int:
    for i, line in enumerate(content.split("\n")):
        if line.strip():
            return i
    return 0


def looks_like_output(lang: str, content: str, table: CommandTable) -> bool:
    """A block that shows what a command printed rather than a command."""
    if lang in OUTPUT_LANGS:
        return True
    if lang in ("", "json", "yaml", "yml", "console") and not prompt_lines(content):
        return not looks_like_command(content, table) or lang in ("json", "yaml", "yml")
    return False


def decide_step(
    group: str, lang: str, content: str, table: CommandTable, opts: ImportOptions
) -> Decision:
    """Kind and options of a block that is a step (``group`` from ``step_language``)."""
    if opts.default_kind == "manual":
        # The table reads with "action" for unknown commands; a step that met one is manual.
        decision = decide_step(group, lang, content, table, replace(opts, default_kind="action"))
        if decision.unknown and decision.kind != "manual":
            decision.would_be, decision.kind = decision.kind, "manual"
            decision.rule = "unknown"
        return decision
    if group == "shell":
        return _decide_shell(lang, content, table, opts)
    out_lang = lang or "text"
    if group in ("sql", "query", "cli") and lang not in opts.interpreters:
        language = _LANGUAGE_OF.get(lang, "sql" if group == "sql" else "")
        would = read_language(language, content, table, opts.default_kind) if language else None
        how = {"sql": "SQL", "query": f"a {lang} query", "cli": f"{lang or 'a'} code"}[group]
        return Decision(
            "manual",
            f"manual-{group}",
            f"{how} needs --interpreter {lang or group}=COMMAND to run",
            would_be=would.kind if would else None,
            lang=out_lang,
            run=content,
        )
    interpreter = opts.interpreters.get(lang) or opts.interpreters.get(group, "")
    placeholder = manual_reason(content, shell=False)
    language = _LANGUAGE_OF.get(lang, "")
    if lang in _READ_ONLY_QUERIES:
        reading = Reading(kind="check", reason=f"a {lang} query only reads", rule="query")
    elif language:
        reading = read_language(language, content, table, opts.default_kind)
    else:
        reading = Reading(
            opts.default_kind, f"what {lang} code does is not in the table", "unknown"
        )
    runner = read_shell(interpreter, table, opts.default_kind)
    decision = Decision(
        reading.kind,
        reading.rule,
        reading.reason,
        lang=out_lang,
        run=content,
        interpreter=interpreter,
        requires=[r for r in runner.requires],
        unknown=list(reading.unknown),
    )
    if placeholder is not None:
        decision.would_be, decision.kind = decision.kind, "manual"
        decision.rule, decision.reason = "manual-placeholder", f"{placeholder}"
    return decision


def _decide_shell(lang: str, content: str, table: CommandTable, opts: ImportOptions) -> Decision:
    out_lang = lang if lang in ("bash", "sh", "shell", "console", "zsh") else "bash"
    if out_lang == "zsh":
        out_lang = "bash"
    run = content
    rewritten = None
    if opts.strip_prompts and prompt_lines(content):
        stripped = strip_prompts(content)
        if stripped is not None and stripped != content:
            run, rewritten = stripped, "removed '$ ' prompts"
    reason = manual_reason(run, shell=True)
    if reason is not None:
        would = read_shell(fill_placeholders(_commands_only(run)), table, opts.default_kind)
        return Decision(
            "manual",
            "manual-" + _reason_rule(reason),
            reason,
            would_be=would.kind if would.reason != "no command" else None,
            lang=out_lang,
            run=run,
            rewritten=rewritten,
        )
    reading = read_shell(run, table, opts.default_kind)
    if not reading.split:
        return Decision(
            "manual", "manual-syntax", "a quote is never closed", lang=out_lang, run=run
        )
    if reading.reason == "no command":
        return Decision("manual", "manual-no-command", "it runs no command", lang=out_lang, run=run)
    scan = scan_shell(run)
    if scan.unterminated is not None:
        what = scan.unterminated[0]
        return Decision(
            "manual", "manual-syntax", f"{what} is never closed", reading.kind, out_lang, run
        )
    return Decision(
        reading.kind,
        reading.rule,
        reading.reason,
        lang=out_lang,
        run=run,
        requires=[r for r in reading.requires if _requirable(r)],
        interactive=reading.interactive,
        follow=reading.follow,
        strict=not scan.status_tests,
        unknown=list(reading.unknown),
        shell=True,
        rewritten=rewritten,
    )


def _requirable(name: str) -> bool:
    return bool(re.fullmatch(r"(?:\./)?[A-Za-z0-9_][\w.+-]*", name))


def _reason_rule(reason: str) -> str:
    for word, rule in (
        ("prompt", "prompt"),
        ("placeholder", "placeholder"),
        ("argument", "arguments"),
        ("empty", "empty"),
    ):
        if word in reason:
            return rule
    return "other"


def _commands_only(text: str) -> str:
    """The command lines of a transcript (prompts removed, output dropped)."""
    prompts = set(prompt_lines(text))
    if not prompts:
        return text
    stripped = strip_prompts(text)
    if stripped is not None:
        return stripped
    lines = text.split("\n")
    return "\n".join(re.sub(r"^\s*\S*?[$#%>] ", "", lines[i], count=1) for i in sorted(prompts))
