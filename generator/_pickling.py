"""Pickles of model objects for the caches and worker processes: one reducer for every
frozen slotted dataclass, kept out of the classes themselves.

A slotted dataclass pickles its state through ``dataclasses.fields()`` on every object,
both ways. The lint cache, the parse cache and the worker processes' results hold tens
of thousands of small model objects (problems, locations, steps), and that walk was
most of reading and writing them. ``dumps`` pickles each such object by value, as
``Class(*values)``: the pickle names only the public class, and ``pickle.loads`` reads it
back with no help from this module.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import operator
import pickle
from collections.abc import Callable
from typing import Any

__all__ = ["dumps"]

_Reduce = Callable[[Any], Any]
"""A reducer, as ``copyreg`` has them: an object -> what rebuilds it."""


def dumps(value: object) -> bytes:
    """``value`` pickled (highest protocol), frozen slotted dataclasses by value."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    return buffer.getvalue()


class _Reducers(dict[type, _Reduce]):
    """``copyreg.dispatch_table``, plus a by-value reducer for each frozen slotted
    dataclass, made the first time the pickler meets the class."""

    def __missing__(self, cls: type) -> _Reduce:
        params = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
        if (
            not params
            or not cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
            or "__slots__" not in vars(cls)
            or any(not f.init or f.kw_only for f in params)
        ):
            raise KeyError(cls)  # pickled as usual
        reduce = _by_value(cls, tuple(f.name for f in params))
        self[cls] = reduce
        return reduce


def _by_value(cls: type, names: tuple[str, ...]) -> _Reduce:
    """``obj -> (cls, (obj.a, obj.b, ...))``: ``attrgetter`` reads every field in C."""
    get = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (cls, (get(obj),))
    return lambda obj: (cls, get(obj))


_REDUCERS = _Reducers(copyreg.dispatch_table)
