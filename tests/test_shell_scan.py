"""The shell scanner looks at every word of a command, not only the first: plain words are
skipped in bulk, but an assignment, an assigning builtin or a test after a blank counts."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from checks.shell.reads import Reference, scan_shell
from generator.lint.shell import may_read_or_quote


def test_words_after_blanks_that_assign_or_test_are_seen() -> None:
    text = (
        "PGHOST=db PGPORT=5432 psql -X -c 'select 1' && env LIMIT=5 run --fast\n"
        "sudo -u postgres read -r LINE < /etc/motd; kubectl get pods -n prod -o wide\n"
        "false\n"
        'echo done; [ $? -eq 0 ] || echo "$MISSING $LIMIT" # a $COMMENT\n'
        "  if ! grep -q x file; then echo $((TOTAL + 1)); fi\n"
    )
    scan = scan_shell(text)
    assert scan.assigned == {"PGHOST", "PGPORT", "LIMIT", "LINE"}
    assert scan.status_tests == ((3, 13),)
    assert scan.references == (
        Reference("MISSING", 3, 33),
        Reference("LIMIT", 3, 42),
        Reference("TOTAL", 4, 36),
    )
    assert scan.unterminated is None


def test_a_quote_after_plain_words_still_has_to_close() -> None:
    scan = scan_shell("kubectl logs -n prod deploy/api --since 5m | grep 'never closed\n")
    assert scan.unterminated == ("single quote", 0, 50)


PIECES = [*"abx_=-;&|<>{}[]!#?\\`\n\t $'\"()", "if ", "[ ", "<<EOF\n", "EOF\n", "$?", "((i++))"]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
@example("cat <<EOF\nnever ended\n")
@example("(( total++ ))")
@settings(max_examples=500)
def test_text_without_dollars_quotes_or_parentheses_has_nothing_to_report(text: str) -> None:
    """Lint skips the scan of such text (``may_read_or_quote``); the scan agrees."""
    scan = scan_shell(text)
    if not may_read_or_quote(text):
        assert (scan.references, scan.status_tests, scan.unterminated) == ((), (), None)


def test_two_blanks_before_a_closing_backtick_or_parenthesis_read_as_they_always_have() -> None:
    """A quirk kept on purpose (lint output must not change with the scanner's speed-ups):
    after two blanks the closer is not seen, so what follows stays inside."""
    one = scan_shell("x=`date `#c $NOT")
    two = scan_shell("x=`date  `#c $NOT")
    assert [r.name for r in one.references] == ["NOT"]
    assert two.references == ()
    assert [r.name for r in scan_shell("x=$(date )#c $NOT").references] == ["NOT"]
    assert scan_shell("x=$(date  )#c $NOT").references == ()
