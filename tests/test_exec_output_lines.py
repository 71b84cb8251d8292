"""The runner's own lines start on a line of their own, whatever a block printed last.

A block whose output does not end in a newline must not have the runner's result line run
into it; the block's output itself stays byte-exact (the runner adds its newline to its
own line, never to what the block printed).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers import Cli, page

NO_NEWLINE_ON_STDERR = """# N

```bash {#n--err .check}
printf 'no newline' >&2; exit 1
```

```bash {#n--after .check}
echo after
```
"""

NO_NEWLINE_ON_STDOUT = """# N

```bash {#n--out .check}
printf 'partial'
```
"""


def test_an_error_line_without_a_newline_does_not_run_into_the_result_line(
    tmp_path: Path, cli: Cli
) -> None:
    page(tmp_path, NO_NEWLINE_ON_STDERR)
    ran = cli.process("exec", "page.md", "--keep-going", cwd=tmp_path)
    assert ran.returncode == 1
    lines = ran.stderr.splitlines()
    at = lines.index("no newline")
    assert lines[at + 1].startswith("[1/2] FAIL n--err  ")
    assert lines[at + 2] == "RUN  n--after  (page.md:7:1)"


def test_output_without_a_newline_on_a_shared_terminal_ends_before_the_result_line(
    tmp_path: Path,
) -> None:
    page(tmp_path, NO_NEWLINE_ON_STDOUT)
    merged = subprocess.run(
        Cli.argv("exec", "page.md"),
        cwd=tmp_path,
        env=Cli.environ(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        check=False,
    )
    assert merged.returncode == 0
    lines = merged.stdout.splitlines()
    at = lines.index("partial")
    assert lines[at + 1].startswith("[1/1] PASS n--out  ")


def test_output_on_its_own_stream_stays_byte_exact(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, NO_NEWLINE_ON_STDOUT)
    ran = cli.process("exec", "page.md", cwd=tmp_path)
    assert ran.returncode == 0
    assert ran.stdout == "partial"
    assert "\n\n" not in ran.stderr
    assert ran.stderr.startswith("RUN  n--out  (page.md:3:1)\n[1/1] PASS n--out  ")
