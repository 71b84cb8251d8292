"""The loader composes with libyaml, and the tag constants the converter compares with are
the tags it gives every implicit kind of scalar."""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from generator.load.yaml_tags import (
    BOOL,
    FAST_LOADER,
    FLOAT,
    INT,
    MAP,
    MERGE,
    NULL,
    SEQ,
    STR,
    TIMESTAMP,
)


def _tags(node: Node) -> list[str]:
    out = [node.tag]
    if isinstance(node, ScalarNode):
        return out
    for item in node.value:
        for child in item if isinstance(node, MappingNode) else (item,):
            out.extend(_tags(child))
    return out


def test_the_loader_is_libyaml_and_gives_the_tags_the_converter_expects() -> None:
    assert FAST_LOADER is yaml.CSafeLoader
    text = "a: [yes, 1, 1.5, 2026-10-01, ~, '1', <<, x, !!str 2, 0x1f, .inf]\n"
    tags = _tags(yaml.compose(text, FAST_LOADER))
    assert tags == [
        MAP, STR, SEQ, BOOL, INT, FLOAT, TIMESTAMP, NULL, STR, MERGE, STR, STR, INT, FLOAT,
    ]  # fmt: skip
