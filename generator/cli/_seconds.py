"""``--timeout`` and ``--grace``: a finite number of seconds within a week.

NaN, infinities and huge values would reach ``select`` and the clock as a traceback,
and a negative timeout would time every block out at once: all are usage errors.
"""

from __future__ import annotations

import math
from typing import Any

import click

MAX_SECONDS = 7 * 86400.0


class Seconds(click.ParamType[float, Any]):
    """Seconds above 0 (``positive``) or from 0, at most ``MAX_SECONDS``."""

    name = "seconds"

    def __init__(self, *, positive: bool) -> None:
        self.positive = positive

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        low_ok = seconds > 0 if self.positive else seconds >= 0
        if not (low_ok and seconds <= MAX_SECONDS):  # NaN fails both comparisons
            low = "above 0" if self.positive else "from 0"
            self.fail(f"{value!r}: expected seconds {low} and at most {MAX_SECONDS:g} (a week)")
        return seconds


TIMEOUT = Seconds(positive=True)
GRACE = Seconds(positive=False)
