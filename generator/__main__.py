"""``python -m generator``: the ``runbook`` command."""

try:
    from generator.cli import main
except KeyboardInterrupt:  # Ctrl-C while starting: no traceback
    raise SystemExit(130) from None

main()
