"""MkDocs' link warnings about generated pages, pointed at the YAML they come from.

MkDocs says ``Doc file 'runbooks/x.md' contains a link ...``; a generated page has no file
to open, so the warning becomes ``runbooks/x.yaml:LINE:COL: warning: ...`` at the line
where the link is written (else where the runbook starts).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

_LINK_WARNING = re.compile(
    r"Doc file '(?P<uri>[^']+)' contains a link '(?P<link>[^']+)'"
    r"|Doc file '(?P<uri2>[^']+)' contains an absolute link '(?P<link2>[^']+)'"
    r"|Doc file '(?P<uri3>[^']+)' contains an unrecognized relative link '(?P<link3>[^']+)'"
)


@dataclass(frozen=True, slots=True)
class Source:
    path: str
    """The YAML file a page comes from."""
    line: int
    col: int


class LocatingFilter(logging.Filter):
    """Rewrites MkDocs' link warnings on generated pages to ``file.yaml:line:col: ...``."""

    def __init__(self, sources: dict[str, Source]) -> None:
        super().__init__()
        self._sources = sources

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        message = record.getMessage()
        m = _LINK_WARNING.match(message)
        if not m:
            return True
        uri = m.group("uri") or m.group("uri2") or m.group("uri3")
        link = m.group("link") or m.group("link2") or m.group("link3")
        source = self._sources.get(uri)
        if source is None:
            return True
        line, col = _find_link(source, link)
        record.msg = f"{source.path}:{line}:{col}: warning: {message}"
        record.args = ()
        return True


def _find_link(source: Source, link: str) -> tuple[int, int]:
    """Where the link text appears in the YAML file, else the runbook's own location."""
    try:
        text = Path(source.path).read_text(encoding="utf-8")
    except OSError:
        return source.line, source.col
    for needle in (link, link.split("#", 1)[0], "#" + link.split("#", 1)[-1]):
        if not needle or needle == "#":
            continue
        index = text.find(needle)
        if index >= 0:
            line = text.count("\n", 0, index) + 1
            col = index - (text.rfind("\n", 0, index) + 1) + 1
            return line, col
    return source.line, source.col
