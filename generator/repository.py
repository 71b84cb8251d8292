"""Where the runbooks repository is, found like git finds its repository.

``find_top`` walks up from a folder to the first one holding ``runbooks/`` or
``mkdocs.yml``, so every command works from any subfolder; ``--root`` and
``$RUNBOOK_ROOT`` override it, the same way for every command (``generator.cli._options``).
Light on purpose: the CLI's option callbacks import it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["ROOT_ENV", "default_config", "default_root", "find_top"]

ROOT_ENV = "RUNBOOK_ROOT"
"""Overrides where runbooks are, for every command (``--root`` overrides it in turn)."""
RUNBOOKS = "runbooks"
CONFIG = "mkdocs.yml"


def find_top(start: str = ".", *, config_only: bool = False) -> str | None:
    """The nearest folder from ``start`` upwards that holds ``runbooks/`` or ``mkdocs.yml``
    (only ``mkdocs.yml`` with ``config_only``)."""
    folder = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(folder, CONFIG)) or (
            not config_only and os.path.isdir(os.path.join(folder, RUNBOOKS))
        ):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def default_root(environ: Mapping[str, str] | None = None, start: str = ".") -> str:
    """Where runbooks are when ``--root`` is not given: ``$RUNBOOK_ROOT``, else the found
    repository's ``runbooks/``, else ``runbooks`` here (which then does not exist, and the
    command says so). Relative to the working directory, so messages stay short."""
    env = os.environ if environ is None else environ
    if env.get(ROOT_ENV):
        return env[ROOT_ENV]
    top = find_top(start)
    if top is None:
        return RUNBOOKS
    return _relative(os.path.join(top, RUNBOOKS), start)


def default_config(start: str = ".") -> str:
    """The nearest ``mkdocs.yml`` upwards (``mkdocs.yml`` here when there is none)."""
    top = find_top(start, config_only=True)
    return CONFIG if top is None else _relative(os.path.join(top, CONFIG), start)


def _relative(path: str, start: str) -> str:
    return os.path.relpath(path, os.path.abspath(start))
