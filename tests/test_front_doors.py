"""Package front doors: a docstring "input -> output" and every entry point in ``__all__``,
loaded on first use so that one module of a package loads alone."""

from __future__ import annotations

import importlib

import pytest

from tests.helpers import run_fresh

PACKAGES = [
    "generator.load",
    "generator.lint",
    "generator.render",
    "generator.comms",
    "generator.incident",
    "generator.site",
    "generator.importer",
    "checks.run",
    "checks.shell",
]


@pytest.mark.parametrize("package", PACKAGES)
def test_a_front_door_says_what_goes_in_and_out_and_has_every_entry_point(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__doc__ is not None and "->" in module.__doc__.splitlines()[0]
    for name in module.__all__:
        value = getattr(module, name)
        assert getattr(importlib.import_module(value.__module__), name) is value
    with pytest.raises(AttributeError, match="has no attribute 'no_such_entry'"):
        module.no_such_entry  # noqa: B018


def test_one_module_of_a_package_loads_alone() -> None:
    out = run_fresh(
        "import sys, generator.render.text, generator.site.safety\n"
        "print(sorted(m for m in sys.modules if m.startswith(('generator.render', "
        "'generator.site'))))"
    )
    assert out.strip() == str(
        ["generator.render", "generator.render.text", "generator.site", "generator.site.safety"]
    )
