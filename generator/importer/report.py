"""Import results -> the report: one line per file, compiler-style warnings, a summary
with the share of blocks each rule decided, as text or JSON; and the exit code."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from checks.problems import Outcome
from generator.importer.drafts import Warning_

__all__ = ["FileReport", "ImportReport"]

KINDS = ("check", "action", "destructive", "manual")


@dataclass(slots=True)
class FileReport:
    source: str
    output: str | None
    id: str = ""
    sections: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    samples: int = 0
    snippets: int = 0
    variables: int = 0
    warnings: list[Warning_] = field(default_factory=list)
    error: str | None = None
    """Why the file was not imported (unreadable, would overwrite)."""
    written: bool = False

    def line(self) -> str:
        if self.error is not None:
            return f"{self.source}: error: {self.error}"
        steps = sum(self.kinds.values())
        by_kind = ", ".join(f"{self.kinds[k]} {k}" for k in KINDS if self.kinds[k])
        target = self.output or "-"
        return (
            f"{self.source} -> {target}: {self.sections} sections, {steps} steps"
            + (f" ({by_kind})" if by_kind else "")
            + f", {self.samples} samples, {self.snippets} snippets, {self.variables} variables, "
            f"{len(self.warnings)} warnings"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "output": self.output,
            "id": self.id,
            "written": self.written,
            "error": self.error,
            "sections": self.sections,
            "steps": {k: self.kinds[k] for k in KINDS},
            "rules": dict(sorted(self.rules.items())),
            "samples": self.samples,
            "snippets": self.snippets,
            "variables": self.variables,
            "warnings": [
                {"line": w.line, "col": w.col, "code": w.code, "message": w.message}
                for w in self.warnings
            ],
        }


@dataclass(slots=True)
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    interrupted: bool = False

    def outcome(self, *, strict: bool) -> Outcome:
        """Imported (0); an unreadable input or existing output, or a warning under
        ``strict``, is invalid (3); no Markdown found, nothing ran (4); Ctrl-C (130)."""
        bad = any(f.error for f in self.files) or (strict and any(f.warnings for f in self.files))
        return Outcome(invalid=bad, nothing_ran=not self.files, interrupted=self.interrupted)

    def exit_code(self, *, strict: bool) -> int:
        return int(self.outcome(strict=strict).exit_code)

    def warning_lines(self) -> list[str]:
        return [
            f"{f.source}:{w.line}:{w.col}: warning {w.code}: {w.message}"
            for f in self.files
            for w in f.warnings
        ]

    def summary(self) -> dict[str, object]:
        kinds: Counter[str] = Counter()
        rules: Counter[str] = Counter()
        for f in self.files:
            kinds.update(f.kinds)
            rules.update(f.rules)
        blocks = sum(kinds.values())
        return {
            "files": len(self.files),
            "imported": sum(1 for f in self.files if f.error is None),
            "errors": sum(1 for f in self.files if f.error is not None),
            "steps": blocks,
            "kinds": {k: kinds[k] for k in KINDS},
            "samples": sum(f.samples for f in self.files),
            "snippets": sum(f.snippets for f in self.files),
            "warnings": sum(len(f.warnings) for f in self.files),
            "rules": {
                rule: {"steps": n, "share": round(n / blocks, 3) if blocks else 0.0}
                for rule, n in sorted(rules.items(), key=lambda item: (-item[1], item[0]))
            },
        }

    def text(self) -> str:
        lines = [f.line() for f in self.files]
        lines.extend(self.warning_lines())
        s = self.summary()
        kinds = s["kinds"]
        assert isinstance(kinds, dict)
        lines.append(
            f"imported {s['imported']} of {s['files']} file(s): {s['steps']} steps ("
            + ", ".join(f"{kinds[k]} {k}" for k in KINDS)
            + f"), {s['samples']} samples, {s['snippets']} snippets, {s['warnings']} warnings"
        )
        rules = s["rules"]
        assert isinstance(rules, dict)
        if rules:
            lines.append(
                "decided by: "
                + ", ".join(f"{rule} {100 * v['share']:.0f}%" for rule, v in rules.items())
            )
        return "\n".join(lines)

    def json(self, *, strict: bool) -> str:
        return json.dumps(
            {
                "version": 1,
                "files": [f.to_json() for f in self.files],
                "summary": self.summary(),
                "exit_code": self.exit_code(strict=strict),
            },
            indent=2,
            ensure_ascii=False,
        )
