"""``runbook serve`` through MkDocs' ``serve`` with live reload forced on.

Click 8.3 silently turned MkDocs 1.6.1's live reload off (mkdocs#4032); the fix is
click >= 8.4, and we pass ``livereload=True`` explicitly as well.

A failed rebuild ends with one line that says what failed instead of MkDocs' bare
``Aborted with a BuildError!`` and "the server will appear stuck". MkDocs holds every page
request until a build succeeds, so a browser spins and curl waits for minutes after one bad
edit; ``keep_serving`` (installed by the plugin's ``on_serve``) instead keeps serving the
last good site, with a banner on every page naming the error and its location, and the next
good edit removes it.
"""

from __future__ import annotations

import errno
import html
import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from checks.problems import Outcome
from generator.errors import UsageError
from generator.site.build import ROOT_ENV, mkdocs_logging, require_config

_MKDOCS_ABORT = "Aborted with a BuildError!"
_MKDOCS_STUCK = "An error happened during the rebuild."
_LOCATION = re.compile(r"^(\S+?:\d+(?::\d+)?): (?:error|warning): ")


def run_serve(*, config_file: str, dev_addr: str, root: str | None, full: bool) -> Outcome:
    """Serve until interrupted; 0 on Ctrl-C, TERM or HUP after a clean start (the CLI
    raises TERM and HUP as Ctrl-C: MkDocs then removes its temporary site folder and the
    plugin ends a search index still running)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import Abort

    require_config(config_file)
    _check_can_listen(dev_addr)
    if root:
        if not Path(root).is_dir():
            raise UsageError(f"runbooks root '{root}' is not a folder (pass --root DIR)")
        # serve loads the configuration itself on every rebuild: the plugin reads this.
        os.environ[ROOT_ENV] = str(Path(root).resolve())
    print(f"serving on http://{dev_addr}/ (Ctrl-C stops)", file=sys.stderr)
    real_stderr = sys.stderr
    with mkdocs_logging(real_stderr, verbose=True) as handler:
        # The plugin rebuilds every page when the navigation changes, so MkDocs'
        # "dirty build ... inaccurate navigation" warning does not apply here.
        handler.addFilter(lambda r: "'dirty' build is being performed" not in r.getMessage())
        handler.addFilter(_RebuildFailure())
        sys.stderr = _WithoutLine(real_stderr, _MKDOCS_ABORT)
        try:
            serve(
                config_file,
                livereload=True,
                build_type=None if full else "dirty",
                dev_addr=dev_addr,
            )
        except Abort:
            print("error: not serving: the site did not build (see above)", file=real_stderr)
            return Outcome(invalid=True)
        except KeyboardInterrupt:
            return Outcome()  # how a server is stopped
        finally:
            sys.stderr = real_stderr
    return Outcome()


def _check_can_listen(dev_addr: str) -> None:
    """UsageError unless a server can listen on ``dev_addr`` (HOST:PORT, as MkDocs reads
    it: an IP address or ``localhost``, IPv6 in brackets or not): said before the first
    build, which takes a while with many runbooks, rather than as a traceback after it.
    The address is bound the way MkDocs' server binds it, then let go."""
    import ipaddress
    import socket

    host, colon, port_text = dev_addr.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        port = int(port_text)
        if not colon or not 0 <= port <= 65535:
            raise ValueError(port_text)
        if host != "localhost":
            ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(
            f"--dev-addr {dev_addr}: expected IP:PORT (such as 127.0.0.1:8000; the host an "
            "IP address or localhost, the port 0-65535)"
        ) from None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as MkDocs' server
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            hint = _LISTEN_HINTS.get(exc.errno or 0, "choose another address")
            message = f"--dev-addr {dev_addr}: cannot listen there: {reason} ({hint})"
            raise UsageError(message) from None


_LISTEN_HINTS = {
    errno.EADDRINUSE: "another server has that port: choose another, such as --dev-addr "
    "127.0.0.1:8001",
    errno.EADDRNOTAVAIL: "not an address of this machine: 127.0.0.1 serves this machine "
    "alone, 0.0.0.0 every interface",
    errno.EACCES: "ports below 1024 need privileges: choose one above, such as 8000",
}


class _RebuildFailure(logging.Filter):
    """Rewrites MkDocs' "error happened during the rebuild" into what failed."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Building documentation" in message:
            self.errors.clear()
        elif _MKDOCS_STUCK in message:
            record.msg = (
                f"error: rebuild failed ({self.summary()}); "
                "serving the last good site until a change fixes it"
            )
            record.args = ()
        elif record.levelno >= logging.ERROR:
            self.errors.extend(line for line in message.splitlines() if line.strip())
        return True

    def summary(self) -> str:
        if not self.errors:
            return "see the messages above"
        count = f"{len(self.errors)} error{'s' if len(self.errors) > 1 else ''} above"
        m = _LOCATION.match(self.errors[0])
        return f"{count}, the first at {m.group(1)}" if m else f"{count}: {self.errors[0]}"


class _BuildErrors(logging.Handler):
    """The error lines MkDocs and the plugin log during one build."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if _MKDOCS_STUCK not in message:
            self.lines.extend(line for line in message.splitlines() if line.strip())


class ServeState:
    """What the served pages say about the last rebuild (shared with the server's threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._error = ""

    @property
    def error(self) -> str:
        with self._lock:
            return self._error

    def set_error(self, text: str) -> None:
        with self._lock:
            self._error = text


def keep_serving(server: Any) -> ServeState:
    """Make a failed rebuild keep the last good site served, with a banner naming the error.

    ``server`` is MkDocs' ``LiveReloadServer``: its build loop treats a builder that
    returns as a finished build (so held requests are answered and browsers reload), and it
    passes every served HTML page through ``_inject_js_into_html`` (where the banner goes).
    """
    state = ServeState()
    build: Callable[..., None] = server.builder
    inject: Callable[[bytes, int], bytes] = server._inject_js_into_html
    logger = logging.getLogger("mkdocs")

    def builder(*args: Any, **kwargs: Any) -> None:
        errors = _BuildErrors()
        logger.addHandler(errors)
        try:
            build(*args, **kwargs)
        except Exception as exc:  # any failed build keeps the last good site served
            lines = errors.lines or [line for line in str(exc).splitlines() if line.strip()]
            state.set_error("\n".join(lines) or "the site did not build")
            logging.getLogger("mkdocs.commands.serve").error(_MKDOCS_STUCK)
            return
        finally:
            logger.removeHandler(errors)
        state.set_error("")

    def inject_banner(content: bytes, epoch: int) -> bytes:
        content = inject(content, epoch)
        error = state.error
        if not error:
            return content
        match = re.search(rb"<body[^>]*>", content)
        at = match.end() if match else 0
        return content[:at] + _banner(error).encode() + content[at:]

    server.builder = builder
    server._inject_js_into_html = inject_banner
    return state


def _banner(error: str) -> str:
    first, *rest = error.splitlines()
    more = f" (and {len(rest)} more)" if rest else ""
    return (
        '<div class="runbook-serve-error" role="alert" style="position:sticky;top:0;'
        "z-index:1000;padding:.6em 1em;background:#b71c1c;color:#fff;font:14px/1.4 "
        'sans-serif;white-space:pre-wrap">'
        f"<strong>Rebuild failed</strong>: <code>{html.escape(first)}</code>{more}. "
        "This is the last good build; save a fix and the page reloads.</div>"
    )


class _WithoutLine:
    """A text stream that drops one exact line MkDocs prints past its logger."""

    def __init__(self, stream: TextIO, line: str) -> None:
        self._stream = stream
        self._line = line
        self._dropped = False

    def write(self, text: str) -> int:
        # print() writes the text and its newline in two calls.
        dropped, self._dropped = self._dropped, text.strip() == self._line
        if self._dropped or (dropped and text == "\n"):
            return len(text)
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)
