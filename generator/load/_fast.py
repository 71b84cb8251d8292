"""Faster constructors for the frozen model classes, for the loader's hot path.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, which
it looks up again for every field; a big tree of runbooks has many model objects of up
to 25 fields, and that was a large part of their conversion. ``constructor(cls)``
returns a function with the same parameters and defaults as ``cls.__init__`` that calls
each slot's own setter instead: the same object, cheaper to make. Classes with a
``__post_init__`` or fields outside ``__init__`` keep their own ``__init__``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

__all__ = ["constructor"]

_NO_VALUE: Any = object()
"""The default of a field with a ``default_factory``: call the factory."""


def constructor(cls: type) -> Callable[..., Any]:
    """``cls(**kwargs)``, faster for a slotted frozen dataclass; else ``cls`` itself."""
    fields = dataclasses.fields(cls)
    slots = getattr(cls, "__slots__", ())
    if (
        hasattr(cls, "__post_init__")
        or any(not f.init or f.name not in slots for f in fields)
        or any(f.kw_only for f in fields)
    ):
        return cls
    scope: dict[str, Any] = {"_new_": object.__new__, "_cls_": cls, "_NO_VALUE_": _NO_VALUE}
    params: list[str] = []
    body: list[str] = ["    _obj_ = _new_(_cls_)"]
    for index, f in enumerate(fields):
        scope[f"_set_{index}_"] = cls.__dict__[f.name].__set__
        if f.default is not dataclasses.MISSING:
            scope[f"_default_{index}_"] = f.default
            params.append(f"{f.name}=_default_{index}_")
        elif f.default_factory is not dataclasses.MISSING:
            scope[f"_factory_{index}_"] = f.default_factory
            params.append(f"{f.name}=_NO_VALUE_")
            body.append(f"    if {f.name} is _NO_VALUE_: {f.name} = _factory_{index}_()")
        else:
            params.append(f.name)
        body.append(f"    _set_{index}_(_obj_, {f.name})")
    source = "\n".join([f"def make({', '.join(params)}):", *body, "    return _obj_"])
    exec(source, scope)
    make: Callable[..., Any] = scope["make"]
    make.__qualname__ = f"{cls.__qualname__}.<fast constructor>"
    return make
