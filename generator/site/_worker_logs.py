"""What a forked build worker logs, carried back to the main process and logged there.

MkDocs counts warnings for ``--strict`` in the main process, and prints them there: a
worker keeps each record as (logger name, level, message) instead of printing it, and the
main process logs it again through the same logger once it takes the worker's result.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

__all__ = ["Record", "capture_logs", "replay", "take_records"]

Record = tuple[str, int, str]
"""Logger name, level and message of one record."""


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[Record] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


_CAPTURE = _Capture()


def capture_logs() -> None:
    """In a worker: every record goes to the capture only (the parent prints them)."""
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            logger.handlers = []
            logger.propagate = True
    logging.getLogger().handlers = [_CAPTURE]


def take_records() -> tuple[Record, ...]:
    """In a worker: what was logged since the last call."""
    records = tuple(_CAPTURE.records)
    _CAPTURE.records.clear()
    return records


def replay(records: Iterable[Record]) -> None:
    """In the main process: log a worker's records where they are counted and printed."""
    for name, level, message in records:
        logging.getLogger(name).log(level, message)
