"""``runbook exec`` end to end: real CLI processes, no TTY unless a pty is given."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from tests.helpers import FAILING, FIXTURES, Cli, page

SECRET = "tok-3f9a-SECRET-77"
# demo.md's action and destructive steps leave a mark in $MARK_DIR.
pytestmark = pytest.mark.work(files=[FIXTURES / "exec" / "demo.md"], env={"MARK_DIR": "{work}"})


def test_no_selection_runs_the_checks_and_lists_the_rest(work: Path, cli: Cli) -> None:
    proc = cli.process(
        "exec", "demo.md", "--var", f"API_TOKEN={SECRET}", "--json", "r.json", cwd=work
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "hello from eu\ntoken=***\n"
    assert "Not selected (use --step ID, --section ID, --tag T or --walk):\n" in proc.stderr
    assert "  demo--restart  [action]  demo.md:28:1\n" in proc.stderr
    assert "  demo--drop-cache  [destructive]  demo.md:34:1\n" in proc.stderr
    report = json.loads((work / "r.json").read_text())
    assert [(r["id"], r["status"]) for r in report["results"]] == [
        ("demo--hello", "passed"),
        ("demo--token", "passed"),
    ]
    assert report["version"] == 1
    assert report["summary"]["passed"] == 2 and report["summary"]["exit_code"] == 0
    assert report["results"][0]["location"] == "demo.md:13:1"


def test_secret_echoed_by_a_command_never_reaches_any_output(work: Path, cli: Cli) -> None:
    proc = cli.process(
        "exec",
        "demo.md",
        "--step",
        "token",
        "--json",
        "r.json",
        "--junit",
        "r.xml",
        "--transcript",
        "t.jsonl",
        cwd=work,
        env={"API_TOKEN": SECRET},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "token=***\n"
    assert "***\n" in proc.stderr
    for text in (proc.stdout, proc.stderr, *(p.read_text() for p in work.glob("[rt].*"))):
        assert SECRET not in text
    report = json.loads((work / "r.json").read_text())
    assert report["results"][0]["stdout"] == "token=***\n"
    assert report["results"][0]["stderr"] == "***\n"
    assert "token=***" in (work / "r.xml").read_text()


def test_action_and_destructive_without_a_tty_are_skipped_with_the_reason(
    work: Path, cli: Cli
) -> None:
    proc = cli.process(
        "exec",
        "demo.md",
        "--section",
        "mitigate",
        "--var",
        f"API_TOKEN={SECRET}",
        "--json",
        "r.json",
        cwd=work,
    )
    assert proc.returncode == 4  # nothing ran
    results = json.loads((work / "r.json").read_text())["results"]
    assert [(r["id"], r["status"], r["reason"]) for r in results] == [
        (
            "demo--restart",
            "skipped",
            "action: needs consent and there is no TTY (pass --yes)",
        ),
        (
            "demo--drop-cache",
            "skipped",
            "destructive: needs consent and there is no TTY (pass --yes --allow destructive)",
        ),
        ("demo--tell", "skipped", "manual step: a person does this"),
    ]
    assert not (work / "restart").exists() and not (work / "drop").exists()


def test_yes_allow_destructive_runs_action_and_destructive_without_a_tty(
    work: Path, cli: Cli
) -> None:
    proc = cli.process(
        "exec",
        "demo.md",
        "--section",
        "mitigate",
        "--yes",
        "--allow",
        "destructive",
        "--var",
        f"API_TOKEN={SECRET}",
        cwd=work,
    )
    assert proc.returncode == 0, proc.stderr
    assert (work / "restart").read_text() == "restarted\n"
    assert (work / "drop").read_text() == "dropped\n"


def test_allow_action_alone_does_not_run_destructive(work: Path, cli: Cli) -> None:
    proc = cli.process("exec", "demo.md", "--step", "drop-cache", "--allow", "action", cwd=work)
    assert proc.returncode == 4
    assert not (work / "drop").exists()


def test_ci_variable_changes_nothing(work: Path, cli: Cli) -> None:
    proc = cli.process("exec", "demo.md", "--step", "restart", cwd=work, env={"CI": "true"})
    assert proc.returncode == 4
    assert "action: needs consent and there is no TTY (pass --yes)" in proc.stderr


def test_missing_required_variable_without_tty_is_exit_3_naming_it(work: Path, cli: Cli) -> None:
    proc = cli.process("exec", "demo.md", cwd=work, unset=["API_TOKEN"])
    assert proc.returncode == 3
    assert proc.stderr == (
        "demo.md:5:1: error: required variable API_TOKEN has no value (no TTY to ask: set it "
        "with --var API_TOKEN=..., --env-file or the environment)\n"
    )


def test_choices_are_validated_with_the_declaration_location(work: Path, cli: Cli) -> None:
    proc = cli.process("exec", "demo.md", "--var", "REGION=mars", "--var", "API_TOKEN=x", cwd=work)
    assert proc.returncode == 3
    assert proc.stderr == (
        "demo.md:6:1: error: variable REGION: 'mars' is not one of: eu, us (from --var)\n"
    )


def test_precedence_var_then_env_file_then_environment_then_default(work: Path, cli: Cli) -> None:
    (work / "vars.env").write_text("# team values\nexport GREETING='hello-file'\nREGION=us\n")
    base = ["exec", "demo.md", "--step", "hello", "--env-file", "vars.env"]
    env = {"API_TOKEN": "x", "GREETING": "hello-env", "REGION": "eu"}
    proc = cli.process(*base, cwd=work, env=env)
    assert proc.stdout == "hello-file from us\n"
    proc = cli.process(*base, "--var", "GREETING=hello-cli", cwd=work, env=env)
    assert proc.stdout == "hello-cli from us\n"
    proc = cli.process("exec", "demo.md", "--step", "hello", cwd=work, env=env)
    assert proc.stdout == "hello-env from eu\n"


def test_a_var_the_page_does_not_declare_is_warned_of_and_still_given(work: Path, cli: Cli) -> None:
    proc = cli.process(
        "exec", "demo.md", "--step", "hello", "--var", "GRETING=hi", "--var", "EXTRA=1",
        cwd=work, env={"API_TOKEN": "x"},
    )  # fmt: skip
    assert (proc.returncode, proc.stdout) == (0, "hello from eu\n")  # GREETING kept its default
    assert proc.stderr.splitlines()[:2] == [
        "warning: --var GRETING: demo.md declares no such variable (did you mean 'GREETING'?); "
        "it reaches the blocks' environment as given",
        "warning: --var EXTRA: demo.md declares no such variable; it reaches the blocks' "
        "environment as given",
    ]
    proc = cli.process(*["exec", "demo.md", "--step", "hello", "--var", "GREETING=hi"],
                       cwd=work, env={"API_TOKEN": "x"})  # fmt: skip
    assert (proc.stdout, "warning" in proc.stderr) == ("hi from eu\n", False)
    # What the warning says: a command may read a variable its page does not declare.
    (work / "plain.md").write_text('# P\n\n```bash {#p--echo .check}\necho "[$EXTRA]"\n```\n')
    proc = cli.process("exec", "plain.md", "--var", "EXTRA=given", cwd=work)
    assert proc.stdout == "[given]\n"
    # A name a block requires from the environment is one the page knows.
    (work / "needs.md").write_text(
        '# N\n\n```bash {#n--echo .check requires=env:EXTRA}\necho "[$EXTRA]"\n```\n'
    )
    proc = cli.process("exec", "needs.md", "--var", "EXTRA=given", cwd=work)
    assert (proc.stdout, "warning" in proc.stderr) == ("[given]\n", False)


def test_a_passing_block_that_left_a_process_running_is_told_under_its_line(
    tmp_path: Path, cli: Cli
) -> None:
    (tmp_path / "bg.md").write_text(
        "# B\n\n```bash {#b--serve .check}\nsleep 77 >/dev/null 2>&1 &\necho started\n```\n"
    )
    proc = cli.process("exec", "bg.md", "--grace", "0.2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("[1/1] PASS b--serve"))
    assert lines[at + 1] == (
        "    note: a background process was still running after the block ended; its process "
        "group was stopped"
    )


def test_a_bad_env_file_line_is_exit_3_at_its_line(work: Path, cli: Cli) -> None:
    (work / "vars.env").write_text("# team values\nREGION=us\nthis is not an assignment\n")
    proc = cli.process(
        "exec", "demo.md", "--env-file", "vars.env", "--var", "API_TOKEN=x", cwd=work
    )
    assert proc.returncode == 3
    assert proc.stderr == (
        "vars.env:3:1: error: expected NAME=VALUE (the line is not shown: it may hold a secret)\n"
    )


def test_a_malformed_var_option_is_a_usage_error(work: Path, cli: Cli) -> None:
    proc = cli.process("exec", "demo.md", "--var", "REGION", cwd=work)
    assert proc.returncode == 2
    assert proc.stderr == "error: --var 'REGION': expected NAME=VALUE\n"


def test_dry_run_shows_values_and_sources_masks_secrets_and_runs_nothing(
    work: Path, cli: Cli
) -> None:
    proc = cli.process(
        "exec",
        "demo.md",
        "--walk",
        "--dry-run",
        "--var",
        f"API_TOKEN={SECRET}",
        cwd=work,
        env={"GREETING": "hi"},
    )
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:4] == [
        "demo.md:13:1: demo--hello [check] would run",
        '    | echo "$GREETING from $REGION"',
        "    GREETING = 'hi'  (from environment)",
        "    REGION = 'eu'  (from default)",
    ]
    assert "    API_TOKEN = '***'  (from --var)" in lines
    assert (
        "demo.md:28:1: demo--restart [action] would skip: action: needs consent and there "
        "is no TTY (pass --yes)" in lines
    )
    assert not (work / "restart").exists()


def test_unknown_step_is_a_usage_error_with_a_suggestion(work: Path, cli: Cli) -> None:
    proc = cli.process("exec", "demo.md", "--step", "restrat", cwd=work)
    assert proc.returncode == 2
    assert proc.stderr == "error: demo.md: unknown step 'restrat' (did you mean 'restart'?)\n"


def test_invalid_block_is_exit_3_with_its_location(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, "# X\n\n```bash {#x--a .check expect-exit=zero}\ntrue\n```\n")
    proc = cli.process("exec", "page.md", cwd=tmp_path)
    assert proc.returncode == 3
    assert proc.stderr == (
        "page.md:3:23: error: expect-exit: 'zero' is not a comma list of exit codes (e.g. 0,1)\n"
    )


def test_a_failed_check_is_reported_and_the_checks_after_it_still_run(
    tmp_path: Path, cli: Cli
) -> None:
    page(tmp_path, FAILING)
    proc = cli.process("exec", "page.md", "--json", "r.json", cwd=tmp_path)
    assert proc.returncode == 1
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    assert [(r["id"], r["status"], r["exit_code"]) for r in results] == [
        ("f--one", "passed", 0),
        ("f--two", "failed", 7),
        ("f--three", "passed", 0),
    ]
    assert (
        "page.md:7:1: failed: f--two\n    exit code 7, expected 0\n    last stdout:\n      two\n"
        in proc.stderr
    )


def test_github_step_summary_gets_a_table(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, FAILING)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    cli.process(
        "exec", "page.md", "--keep-going", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    lines = summary.read_text().splitlines()
    assert lines[0] == "earlier step"
    assert lines[1] == "### runbook: 2 passed, 1 failed"
    assert "| failed | `f--two` |" in lines[6]
    assert lines[6].endswith("| `page.md:7:1` | exit code 7, expected 0 |")


def test_junit_report_validates_against_the_junit_schema_with_error_elements(
    tmp_path: Path,
    cli: Cli,
) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    page(
        tmp_path,
        FAILING
        + "\n```bash {#f--slow .check timeout=0.2}\nsleep 5\n```\n"
        + "\n```bash {#f--bin .check}\nprintf 'ctl\\001 \\xff'\n```\n"
        + "\n```bash {#f--act .action}\ntrue\n```\n",
    )
    steps = [a for s in ("one", "two", "three", "slow", "bin", "act") for a in ("--step", s)]
    proc = cli.process(
        "exec",
        "page.md",
        *steps,
        "--keep-going",
        "--junit",
        "r.xml",
        "--grace",
        "0.2",
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    schema = xmlschema.XMLSchema(str(FIXTURES / "exec" / "junit.xsd"))
    schema.validate(str(tmp_path / "r.xml"))
    import xml.etree.ElementTree as ET

    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite is not None
    assert (
        suite.get("tests"),
        suite.get("failures"),
        suite.get("errors"),
        suite.get("skipped"),
    ) == (
        "6",
        "1",
        "1",
        "1",
    )
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    failure = cases["f--two"].find("failure")
    assert failure is not None
    assert failure.get("message") == "page.md:7:1: failed: exit code 7, expected 0"
    # A timeout is an <error> (what pytest, Jenkins and GitLab read), never <errors>.
    assert [(e.tag, e.get("type")) for e in cases["f--slow"] if e.tag.startswith("error")] == [
        ("error", "timeout")
    ]
    error = cases["f--slow"].find("error")
    assert error is not None
    assert (
        error.get("message") == "page.md:15:1: timeout: timed out after 0.2s: process group stopped"
    )
    assert [e.tag for e in cases["f--act"]] == ["skipped"]
    assert cases["f--bin"].findtext("system-out") == "ctl\\x01 \ufffd"


@pytest.mark.parametrize("command", ["exec", "check"])
def test_ctrl_c_stops_the_group_writes_partial_reports_and_exits_130(
    tmp_path: Path, cli: Cli, command: str
) -> None:
    page(
        tmp_path,
        "# S\n\n```bash {#s--fast .check}\necho fast\n```\n\n"
        "```bash {#s--slow .check}\necho started; sleep 60\n```\n\n"
        "```bash {#s--never .check}\necho never\n```\n",
    )
    args = ("page.md", "--json", "r.json", "--transcript", "t.jsonl")
    proc = cli.start(command, *args, cwd=tmp_path)
    transcript = tmp_path / "t.jsonl"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if transcript.exists() and '"id": "s--slow"' in transcript.read_text():
            break
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert out == "fast\nstarted\n"
    if command == "exec":
        assert "Interrupted: partial report written.\n" in err
    report = json.loads((tmp_path / "r.json").read_text())
    assert [(r["id"], r["status"]) for r in report["results"]] == [
        ("s--fast", "passed"),
        ("s--slow", "error"),
    ]
    assert report["results"][1]["reason"] == "interrupted (Ctrl-C): process group stopped"
    assert (report["summary"]["interrupted"], report["summary"]["exit_code"]) == (True, 130)
    events = [json.loads(line) for line in transcript.read_text().splitlines()]
    run = ["run"] if command == "exec" else []
    assert [e["event"] for e in events] == [*run, "start", "result", "start", "result", "end"]
    assert events[-1]["exit_code"] == 130


def test_jobs_runs_blocks_in_parallel_with_prefixed_output(tmp_path: Path, cli: Cli) -> None:
    blocks = "".join(
        f"\n```bash {{#j--b{i} .check}}\nsleep 0.3; echo line-{i}\n```\n" for i in range(8)
    )
    page(tmp_path, "# J\n" + blocks)
    proc = cli.process("exec", "page.md", "--jobs", "4", "--json", "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.splitlines()) == sorted(f"[j--b{i}] line-{i}" for i in range(8))
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    assert [r["id"] for r in results] == [f"j--b{i}" for i in range(8)]  # page order
    assert all(r["stdout"] == f"line-{i}\n" for i, r in enumerate(results))


def test_list_shows_risk_requirements_location_and_skip_reason(work: Path, cli: Cli) -> None:
    proc = cli.process("list", "demo.md", "--json", cwd=work, env={"API_TOKEN": ""})
    assert proc.returncode == 0, proc.stderr
    blocks = {b["id"]: b for b in json.loads(proc.stdout)["blocks"]}
    assert blocks["demo--hello"]["check_skip_reason"] == ""
    # Why `runbook check` would skip it: check reads values from the environment only.
    assert blocks["demo--token"]["check_skip_reason"] == (
        "needs API_TOKEN (no value: set it in the environment)"
    )
    assert blocks["demo--restart"]["location"] == "demo.md:28:1"
    assert blocks["demo--drop-cache"]["exec_without_tty"] == (
        "destructive: needs consent and there is no TTY (pass --yes --allow destructive)"
    )
    text = cli.process("list", "demo.md", cwd=work, env={"API_TOKEN": "x"}).stdout.splitlines()
    assert text[0] == "demo.md:13:1: demo--hello [check] -- runs in check"
