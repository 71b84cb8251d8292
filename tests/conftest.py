"""Shared test settings and fixtures.

- Hypothesis: deterministic and load-tolerant (a 2-core CI machine is often busy).
- ``cli``: the one way tests run the ``runbook`` command. ``cli("lint", "--strict")`` calls
  ``generator.cli.main`` in this process; ``cli.process(...)`` runs the venv's ``runbook``
  console script as a real process; ``cli.start(...)`` starts one to signal or watch. All
  three take ``cwd=``, ``env=`` (set) and ``unset=`` (removed); the first two return
  ``Ran(returncode, stdout, stderr)``. A module- or session-scoped fixture uses
  ``tests.helpers.Cli()`` (same runner, its own capture); prompts on a real terminal go
  through ``tests.pty_terminal.Terminal`` (the same command line, on a pty).
- ``work``: a temporary folder laid out as a user's repository, and the working directory.
  A module (``pytestmark``) or a test says what it holds with
  ``@pytest.mark.work(runbooks=FOLDER or True, files=[...], env={...}, unset=[...])``.
- Golden files (rendered pages, comms, invalid-input messages) are compared with
  ``tests.helpers.assert_golden``. After a deliberate change, regenerate them with
  ``RUNBOOK_UPDATE_GOLDENS=1 .venv/bin/python -m pytest`` and review ``git diff tests/``.

Shared non-fixture helpers (``REPO``, ``FIXTURES``, page writers) are in ``tests/helpers.py``;
test modules never import each other.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers import REPO, Cli

# CI runs on 2 busy cores: never fail a property because an example was slow.
settings.register_profile(
    "runbook",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
settings.load_profile("runbook")


@pytest.fixture
def cli(request: pytest.FixtureRequest) -> Iterator[Cli]:
    """Runs the ``runbook`` command; see the module docstring."""
    runner = Cli(request)
    yield runner
    runner.stop_all()


@pytest.fixture
def work(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder laid out as a user's repository, and the working directory.

    ``@pytest.mark.work(...)`` on the test or its module says what it holds:
    ``runbooks`` a folder copied to ``runbooks/`` (``True``: an empty ``runbooks/``),
    ``files`` files copied to the top, ``env`` variables set for the test (``{work}`` in a
    value is this folder), ``unset`` variables removed for the test."""
    marker = request.node.get_closest_marker("work")
    options = dict(marker.kwargs) if marker else {}
    runbooks = options.pop("runbooks", None)
    files = options.pop("files", ())
    env = options.pop("env", {})
    unset = options.pop("unset", ())
    assert not options, f"unknown work options: {sorted(options)}"
    if runbooks is True:
        (tmp_path / "runbooks").mkdir()
    elif runbooks:
        shutil.copytree(runbooks, tmp_path / "runbooks")
    for file in files:
        shutil.copy(file, tmp_path / Path(file).name)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(work=tmp_path))
    for name in unset:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def repo_root() -> Path:
    """The checkout's top folder (tests never read ../shared)."""
    return REPO


@pytest.fixture
def parsed_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the YAML files the loader parses from now on, in order (cache hits
    are not parses)."""
    from generator.load import parse

    calls: list[str] = []
    real = parse.parse_bytes

    def counting(data: bytes, display: str) -> object:
        calls.append(Path(display).name)
        return real(data, display)

    monkeypatch.setattr(parse, "parse_bytes", counting)
    return calls


@pytest.fixture(autouse=True)
def _no_terminal_left() -> Iterator[None]:
    """A test that started ``runbook`` on a pty (``tests.pty_terminal``) leaves none running."""
    yield
    from tests.pty_terminal import stop_terminals

    stop_terminals()
