"""The fast loader resolves every tag as ``yaml.SafeLoader`` does (short plain scalars
once, then remembered), and composes what ``yaml.CSafeLoader`` composed."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from generator.load.yaml_tags import FAST_LOADER, resolve_tag

_SAFE: Any = yaml.SafeLoader("")

# Text the implicit resolvers look at: each pattern's own language, near misses, and
# anything at all.
_PATTERNS = [
    regexp  # compiled: the patterns are verbose (re.X)
    for resolvers in Resolver.yaml_implicit_resolvers.values()
    for _, regexp in resolvers
]
_RESOLVER_TEXT = st.sampled_from(_PATTERNS).flatmap(
    lambda pattern: st.from_regex(pattern, fullmatch=True)
)
_NEAR = st.lists(
    st.sampled_from([*"0123456789-+._:xXbeE~<=!&*tTyYnNoOfF \t", "inf", "nan", "null", "ul"]),
    max_size=12,
).map("".join)
SCALAR_TEXT = st.one_of(_RESOLVER_TEXT, _NEAR, st.text(max_size=20))


@settings(max_examples=1500)
@given(SCALAR_TEXT, st.booleans(), st.booleans())
def test_every_scalar_gets_the_tag_safe_loader_gives(value: str, plain: bool, quoted: bool) -> None:
    implicit = (plain, quoted)
    expected = _SAFE.resolve(ScalarNode, value, implicit)
    assert resolve_tag(ScalarNode, value, implicit) == expected
    assert resolve_tag(ScalarNode, value, implicit) == expected  # again: remembered if plain


def test_tags_stay_right_past_any_number_of_distinct_scalars() -> None:
    # However many short plain scalars a load meets (the resolver remembers a bounded
    # number), each gets the tag SafeLoader gives it, the first time and again.
    values = [f"{n}" if n % 3 else f"v{n}" for n in range(25_000)]
    for _ in range(2):
        for value in values:
            expected = _SAFE.resolve(ScalarNode, value, (True, False))
            assert resolve_tag(ScalarNode, value, (True, False)) == expected


def test_collections_get_the_default_tags() -> None:
    for kind in (SequenceNode, MappingNode):
        assert resolve_tag(kind, None, (False, False)) == _SAFE.resolve(kind, None, (False, False))


def _tags(node: Node | None) -> list[tuple[int, int, str, object]]:
    """(line, column, tag, value) of every node, depth first."""
    if node is None:
        return []
    mark = node.start_mark
    if isinstance(node, ScalarNode):
        return [(mark.line, mark.column, node.tag, node.value)]
    out: list[tuple[int, int, str, object]] = [(mark.line, mark.column, node.tag, None)]
    for item in node.value:
        for child in item if isinstance(node, MappingNode) else (item,):
            out.extend(_tags(child))
    return out


_LINES = st.lists(
    st.tuples(
        st.sampled_from(["", "  ", "- ", "  - "]),
        st.sampled_from(["", "k: ", "<<: ", "? "]),
        st.one_of(SCALAR_TEXT.filter(lambda s: "\n" not in s), st.sampled_from(["[1, a]", "{}"])),
    ).map("".join),
    max_size=12,
).map("\n".join)


@settings(max_examples=600)
@given(_LINES)
def test_whole_documents_compose_as_they_did_with_libyaml(text: str) -> None:
    """The loader replaced is ``CSafeLoader`` (same marks; it differs from the Python
    composer only where libyaml itself does, e.g. a lone ``!``)."""
    try:
        expected = _tags(yaml.compose(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return  # not YAML; what the loader says about it is tested elsewhere
    assert _tags(yaml.compose(text, Loader=FAST_LOADER)) == expected


def test_the_fast_loader_is_libyaml_and_its_tags_include_every_implicit_kind() -> None:
    # This checkout has libyaml, so the test above compares our resolver with PyYAML's.
    assert FAST_LOADER.resolve is resolve_tag
    text = "a: [yes, 1, 1.5, 2026-10-01, ~, '1', <<, =, x, !!str 2, \"no\", 0x1f, .inf]\n"
    tags = {tag.rsplit(":", 1)[1] for _, _, tag, _ in _tags(yaml.compose(text, FAST_LOADER))}
    assert tags == {
        "map",
        "seq",
        "str",
        "bool",
        "int",
        "float",
        "timestamp",
        "null",
        "merge",
        "value",
    }
