"""pytest plugin: ``pytest --runbooks PATH`` collects one item per ``.check`` block.

Items are named by block id (so ``-k``, ``-x`` and ``-n`` work) and report the block's
file:line; a block that ``runbook check`` would skip is skipped with the same reason.
Markdown files are extracted directly; YAML runbooks go through the page renderer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from checks.run.values import RunValues
    from checks.select import Decision


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("runbook")
    group.addoption(
        "--runbooks",
        action="append",
        default=[],
        metavar="PATH",
        help="Collect the .check blocks of these runbooks (Markdown or YAML files, folders).",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    wanted = parent.config.getoption("runbooks", default=[]) or []
    if not wanted or file_path.suffix.lower() not in (".md", ".markdown", ".yaml", ".yml"):
        return None
    if file_path.name.startswith("_"):
        return None
    roots = [Path(p).resolve() for p in wanted]
    here = file_path.resolve()
    if not any(here == r or r in here.parents for r in roots):
        return None
    return RunbookFile.from_parent(parent, path=file_path)


def pytest_configure(config: pytest.Config) -> None:
    # `pytest --runbooks runbooks/` collects those paths. Without test paths on the
    # command line pytest holds the configured `testpaths` (or the current folder), which
    # need not contain the runbooks: collect only the runbooks then. Explicit test paths
    # are kept and the runbooks are added to them.
    paths = [str(p) for p in config.getoption("runbooks", default=[]) or []]
    if not paths:
        return
    if config.args and config.args_source is pytest.Config.ArgsSource.ARGS:
        config.args[:] = [*config.args, *(p for p in paths if p not in config.args)]
    else:
        config.args[:] = paths


class RunbookFile(pytest.File):
    """One runbook: its extracted checks become items, which hand values on to the items
    after them (``$RUNBOOK_OUTPUT``) as the blocks of one run do."""

    values: RunValues | None = None

    def collect(self) -> Iterator[pytest.Item]:
        from checks.model import Risk
        from generator.plan import ci_plan
        from generator.targets import load_target

        target = load_target(str(self.path), os.environ.get("RUNBOOK_ROOT", "runbooks"))
        if target.extraction.problems:
            problems = "\n".join(str(p) for p in target.extraction.problems)
            raise self.CollectError(problems)
        plan = ci_plan(target.extraction, dict(os.environ))
        from checks.run.values import RunValues

        variables = plan.variables
        self.values = RunValues(variables.declared, variables.resolution, secrets=variables.secrets)
        for decision in plan.decisions:
            if decision.check.risk is not Risk.CHECK:
                continue
            item = CheckItem.from_parent(
                self,
                name=decision.check.id,
                decision=decision,
                env=plan.environments[decision.check.id],
                secrets=plan.variables.secrets,
            )
            if decision.reason:
                # A marker (not pytest.skip in runtest) so the report points at the block.
                item.add_marker(pytest.mark.skip(reason=decision.reason))
            yield item

    def teardown(self) -> None:
        if self.values is not None:
            self.values.close()

    class CollectError(Exception):
        pass


class CheckFailed(Exception):
    """A block failed: the report shows its location, reason and output tail."""


class CheckItem(pytest.Item):
    def __init__(
        self, *, decision: Decision, env: dict[str, str], secrets: tuple[bytes, ...], **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.decision = decision
        self.env = env
        self.secrets = secrets

    def runtest(self) -> None:
        from checks.model import Status
        from checks.report import failure_text
        from checks.run.process import RunOptions, run_check

        check, options = self.decision.check, RunOptions(secrets=self.secrets)
        values = self.parent.values if isinstance(self.parent, RunbookFile) else None
        if values is None:
            result = run_check(check, self.env, options)
        else:
            env = values.environment(check, self.env)
            result = values.finish(check, run_check(check, env, values.options(options)))
        if result.status is not Status.PASSED:
            raise CheckFailed(failure_text(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int, str]:
        loc = self.decision.check.location
        return loc.path, loc.line - 1, f"{loc}: {self.decision.check.id}"
