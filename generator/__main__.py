"""``python -m generator``: the ``runbook`` command."""

try:
    from generator.cli import main
except KeyboardInterrupt:  # Ctrl-C while starting, before main can map it: no traceback
    from checks.problems import ExitCode

    raise SystemExit(int(ExitCode.INTERRUPTED)) from None

main()
