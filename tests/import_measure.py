"""What the import must preserve, measured independently of the importer's own code:
the multiset of code-block texts and the number of prose words, in a Markdown source and
in the YAML runbook imported from it."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from typing import Any

import yaml
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_WORD = re.compile(r"\w", re.U)


def decode(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter mapping or {}, body)."""
    for mark in ("---", "+++"):
        if text.startswith(mark + "\n"):
            end = text.find(f"\n{mark}", 3)
            if end > 0:
                raw = text[4:end]
                body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
                data: Any = None
                try:
                    data = yaml.safe_load(raw) if mark == "---" else tomllib.loads(raw)
                except (yaml.YAMLError, tomllib.TOMLDecodeError):
                    data = None
                return (data if isinstance(data, dict) else {}), body
    return {}, text


def fences(markdown: str) -> Counter[str]:
    """Texts of every fenced block (any depth) of a Markdown text."""
    found: Counter[str] = Counter()
    for token in _MD.parse(markdown):
        if token.type == "fence" and ".runbook-variables" not in token.info:
            found[token.content] += 1
    return found


def words(markdown: str) -> int:
    """Prose words: inline text outside code, HTML tags and link targets."""
    count = 0
    for token in _MD.parse(markdown):
        if token.type != "inline":
            continue
        for child in token.children or ():
            if child.type == "text":
                count += sum(1 for w in _TAG.sub(" ", child.content).split() if _WORD.search(w))
    return count


def source_measures(data: bytes) -> tuple[Counter[str], int]:
    """(code blocks, prose words) of a Markdown file; mapped front matter text counts."""
    front, body = split_front_matter(decode(data))
    h1 = _first_h1(body)
    extra = sum(
        words(str(front[k]))
        for k in ("title", "description", "summary")
        if isinstance(front.get(k), str) and not (k == "title" and front[k].strip() == h1)
    )
    return fences(body), words(body) + extra


def _first_h1(markdown: str) -> str | None:
    tokens = _MD.parse(markdown)
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            return tokens[i + 1].content.strip() if token.tag == "h1" else None
    return None


def output_measures(yaml_text: str) -> tuple[Counter[str], int]:
    """(code blocks, prose words) of an imported runbook; generated titles left out."""
    doc = yaml.safe_load(yaml_text)
    generated: Counter[str] = Counter()
    lines = yaml_text.split("\n")
    for i, line in enumerate(lines[:-1]):
        if line.strip().startswith("# title generated"):
            value = yaml.safe_load(lines[i + 1].strip())
            generated[value["title"]] += 1
    blocks: Counter[str] = Counter()
    count = 0

    def text(value: Any) -> None:
        nonlocal count
        if isinstance(value, str) and value:
            blocks.update(fences(value))
            count += words(value)

    def title(value: Any) -> None:
        nonlocal count
        if not isinstance(value, str):
            return
        if generated[value] > 0:
            generated[value] -= 1
        else:
            count += words(value)

    def step(s: dict[str, Any]) -> None:
        title(s.get("title"))
        text(s.get("body"))
        for key in ("run", "sample_output", "expected_output"):
            if key in s:
                blocks[s[key]] += 1

    def section(s: dict[str, Any]) -> None:
        title(s.get("title"))
        text(s.get("body"))
        for st in s.get("steps", []):
            step(st)
        if "diagram" in s:
            blocks[s["diagram"]["mermaid"]] += 1
        text(s.get("footer"))
        for child in s.get("sections", []):
            section(child)

    title(doc.get("title"))
    text(doc.get("summary"))
    for s in doc.get("sections", []):
        section(s)
    return blocks, count
