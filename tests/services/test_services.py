"""The seed runbooks' PostgreSQL and Redis steps, run for real by ``runbook exec``/``check``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, Cli

pytestmark = [pytest.mark.service, pytest.mark.work(files=[FIXTURES / "exec" / "services.md"])]


def _psql(url: str, sql: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["psql", "-X", "-q", url, "-c", sql], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_check_runs_postgres_and_redis_steps_and_skips_aws_kubectl_precisely(
    work: Path, postgres_url: str, redis_port: int, ci_path: str, cli: Cli
) -> None:
    env = {
        "PATH": ci_path,
        "HOME": str(work),
        "DATABASE_URL": postgres_url,
        "REDIS_PORT": str(redis_port),
    }
    proc = cli.process("check", "services.md", "--json", "r.json", cwd=work, env=env, inherit=False)
    assert proc.returncode == 0, proc.stderr
    results = {r["id"]: r for r in json.loads((work / "r.json").read_text())["results"]}
    assert {k: r["status"] for k, r in results.items()} == {
        "svc--connection-count": "passed",
        "svc--long-running": "passed",
        "svc--lock-waits": "passed",
        "svc--redis-memory": "passed",
        "svc--alb-targets": "skipped",
        "svc--pods": "skipped",
    }
    assert int(results["svc--connection-count"]["stdout"]) >= 1
    assert "used_memory_human:" in results["svc--redis-memory"]["stdout"]
    assert results["svc--alb-targets"]["reason"] == "requires aws: not found on PATH"
    assert results["svc--pods"]["reason"] == "requires kubectl: not found on PATH"
    # DATABASE_URL is secret: it never appears, even though psql would print it in errors.
    assert postgres_url not in proc.stdout + proc.stderr + (work / "r.json").read_text()


def test_exec_finds_a_real_lock_wait_and_long_running_query(
    work: Path, postgres_url: str, ci_path: str, cli: Cli
) -> None:
    setup = subprocess.run(
        ["psql", "-X", "-q", postgres_url, "-c", "create table if not exists t_lock(id int)"],
        capture_output=True,
    )
    assert setup.returncode == 0, setup.stderr
    holder = _psql(postgres_url, "begin; lock table t_lock; select pg_sleep(30);")
    waiter = None
    try:
        time.sleep(0.5)
        waiter = _psql(postgres_url, "select count(*) from t_lock;")
        time.sleep(1.5)  # both are now older than the runbook's 1 s threshold
        env = {"PATH": ci_path, "HOME": str(work), "DATABASE_URL": postgres_url}
        proc = cli.process(
            "exec",
            "services.md",
            "--step",
            "lock-waits",
            "--step",
            "long-running",
            "--json",
            "r.json",
            cwd=work,
            env=env,
            inherit=False,
        )
        assert proc.returncode == 0, proc.stderr
        results = {r["id"]: r for r in json.loads((work / "r.json").read_text())["results"]}
        waits = results["svc--lock-waits"]["stdout"].splitlines()
        # blocked backend pid | relation | blocking backend pid
        assert len(waits) == 1
        blocked, relation, blocking = waits[0].split(" | ")
        assert relation == "t_lock" and blocked != blocking
        long_running = results["svc--long-running"]["stdout"]
        assert "select pg_sleep(30)" in long_running
        assert "select count(*) from t_lock" in long_running
    finally:
        for proc_ in (holder, waiter):
            if proc_ is not None:
                proc_.terminate()
                proc_.wait(timeout=10)


def test_check_without_database_url_skips_with_the_variable_named(
    work: Path, ci_path: str, redis_port: int, cli: Cli
) -> None:
    env = {"PATH": ci_path, "HOME": str(work), "REDIS_PORT": str(redis_port)}
    proc = cli.process("check", "services.md", "--json", "r.json", cwd=work, env=env, inherit=False)
    assert proc.returncode == 0, proc.stderr
    results = {r["id"]: r for r in json.loads((work / "r.json").read_text())["results"]}
    assert results["svc--connection-count"]["reason"] == (
        "needs DATABASE_URL (no value: set it in the environment)"
    )
    assert results["svc--redis-memory"]["status"] == "passed"


def test_check_exits_4_when_nothing_ran(work: Path, tmp_path: Path, cli: Cli) -> None:
    env = {"PATH": str(tmp_path), "HOME": str(work)}
    (tmp_path / "bash").symlink_to(shutil.which("bash") or "/bin/bash")
    proc = cli.process(
        "check",
        "services.md",
        cwd=work,
        env={**env, "LANG": os.environ.get("LANG", "C")},
        inherit=False,
    )
    assert proc.returncode == 4
    assert proc.stderr.endswith("error: nothing ran: every check was skipped or none was found\n")
