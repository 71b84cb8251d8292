"""Package front doors that load their modules on first use.

A package ``__init__`` re-exports its entry points in ``__all__`` (with the imports under
``TYPE_CHECKING`` for type checkers and editors) and sets
``__getattr__ = lazy_exports(__name__, {name: module})``: importing one module of the
package, or ``runbook --help``, then loads nothing else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(package: str, module_of: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` (PEP 562) that imports ``package.<module_of[name]>`` for
    ``name`` when it is first asked for."""

    def __getattr__(name: str) -> object:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
