"""The loader's fast constructors make the same objects as the model classes' own."""

from __future__ import annotations

import dataclasses

import pytest

from checks import model as checks_model
from checks.model import SourceLocation
from generator import model
from generator.load._fast import constructor

CLASSES = [
    value
    for module in (model, checks_model)
    for value in vars(module).values()
    if isinstance(value, type) and dataclasses.is_dataclass(value)
]


def _required(cls: type) -> dict[str, object]:
    """A value for each field without a default: any object will do for equality."""
    return {
        f.name: f"value of {f.name}"
        for f in dataclasses.fields(cls)
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_defaults_and_given_values_make_equal_objects(cls: type) -> None:
    make = constructor(cls)
    assert make is not cls  # every model class is slotted and frozen: the fast path
    required = _required(cls)
    assert make(**required) == cls(**required)
    given = {f.name: f"given {f.name}" for f in dataclasses.fields(cls) if f.init}
    made = make(**given)
    assert made == cls(**given)
    assert type(made) is cls
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, dataclasses.fields(cls)[0].name, "changed")


def test_factories_run_per_object_and_positional_arguments_work() -> None:
    make = constructor(model.Org)
    first, second = make(id="a", title="A"), make(id="a", title="A")
    assert first.communications == model.Communications()
    assert first.communications is not second.communications  # the factory ran twice
    assert constructor(SourceLocation)("a.yaml", 3, 5) == SourceLocation("a.yaml", 3, 5)
    with pytest.raises(TypeError):
        constructor(SourceLocation)("a.yaml", 3, 5, unknown=1)


def test_a_class_with_post_init_keeps_its_own_constructor() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    assert constructor(Checked) is Checked
