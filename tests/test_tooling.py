"""The project's own tooling: the plain `pytest` entry point works as well as `python -m`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO


def test_plain_pytest_collects_tests_that_import_from_tests() -> None:
    # `python -m pytest` puts the working directory on sys.path; the `pytest` script does not,
    # so `from tests.helpers import ...` needs pyproject's `pythonpath`.
    script = Path(sys.executable).parent / "pytest"
    if not script.exists():
        pytest.skip(f"{script} is absent")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [str(script), "--collect-only", "-q", "-p", "no:xdist", "tests/test_render_safety.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tests/test_render_safety.py::test_the_checker_sees_live_html" in proc.stdout
