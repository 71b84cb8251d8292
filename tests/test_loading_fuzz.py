"""No input ever raises out of the loader: arbitrary YAML text and arbitrary mappings."""

from __future__ import annotations

import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.problems import Problem
from generator.load import spec
from generator.load.tree import LoadResult, load_file, load_tree

KEYS = sorted({f.name for obj in spec.OBJECTS.values() for f in obj.fields} | {"<<"})
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-300, 300),
    st.sampled_from([0.5, -1.0, float("nan"), float("inf"), 1e300]),
    st.text(alphabet="ab-_$(\n", max_size=6),
    st.sampled_from(["10s", "5m", "0", "^\\d+$", "(", "check", "manual", "a-b", "2026-10-01"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.sampled_from(["", "X_1", "é"]), st.integers()),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=12,
)
# Mostly our own keys, so the walk goes deep into sections, steps and variables.
DOCUMENTS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8)
PIECES = [
    *"[]{}:-,'\"&*!|>#%@ \n\t?<~.\\",
    *string.ascii_lowercase[:4],
    "id: ",
    "title: T\n",
    "steps:\n  - ",
    "<<: *a",
    "&a ",
    "\x00",
    "\ufeff",
    "\x85",
    "!!binary ",
    "!!python/object ",
    "---\n",
    "maintenance: &m {<<: *m}\n",
    "sections: &s [{id: a, title: A, sections: *s}]\n",
]
YAML_TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
FUZZ = settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])


def load(tmp_path: Path, data: bytes) -> LoadResult:
    path = tmp_path / "x.yaml"
    path.write_bytes(data)
    result = load_file(path, tmp_path)
    assert all(isinstance(p, Problem) for p in result.problems)
    # A runbook is returned only when there is nothing wrong with it.
    assert not (result.runbooks and result.problems)
    return result


@FUZZ
@given(DOCUMENTS)
def test_arbitrary_mappings_never_raise(tmp_path: Path, document: dict[object, object]) -> None:
    load(tmp_path, yaml.safe_dump(document).encode())


@FUZZ
@given(YAML_TEXT)
def test_arbitrary_yaml_text_never_raises(tmp_path: Path, text: str) -> None:
    load(tmp_path, text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=60))
def test_arbitrary_bytes_never_raise(tmp_path: Path, data: bytes) -> None:
    load(tmp_path, data)


@FUZZ
@given(DOCUMENTS)
def test_arbitrary_defaults_files_never_raise(
    tmp_path: Path, document: dict[object, object]
) -> None:
    (tmp_path / "_defaults.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    (tmp_path / "x.yaml").write_text("id: x\ntitle: X\n", encoding="utf-8")
    result = load_tree(tmp_path)
    assert all(isinstance(p, Problem) for p in result.problems)
    # The runbook itself is valid: a broken _defaults.yaml is reported, not fatal to it.
    assert all(p.location.path.endswith("_defaults.yaml") for p in result.problems)


@FUZZ
@given(
    st.integers(min_value=0, max_value=2600),
    st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=40),
)
def test_flow_nesting_over_lines_of_any_length_loads_or_is_too_deep(
    tmp_path: Path, depth: int, lengths: list[int]
) -> None:
    # Nesting spread over lines of any length: the C composer must never see a document
    # deeper than it can take (a miss crashes the process), and depth alone decides.
    brackets = "[" * depth + "]" * depth
    lines, start = [], 0
    for n in lengths * (len(brackets) // len(lengths) + 1):
        if start >= len(brackets):
            break
        lines.append(brackets[start : start + n])
        start += n
    (tmp_path / "deep.yaml").write_text("id: x\ntitle: X\nalerts: " + "\n  ".join(lines) + "\n")
    result = load_file(tmp_path / "deep.yaml", tmp_path)
    assert all(isinstance(p, Problem) for p in result.problems)
    if depth >= 2000:
        assert [p.message for p in result.problems] == ["invalid YAML: nested too deeply"]
