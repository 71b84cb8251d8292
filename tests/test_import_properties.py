"""Properties of `runbook import` on Markdown nobody wrote by hand: random headings, lists
and fences keep every code block and their prose; fuzzed bytes never give a traceback;
any block text comes back exactly from the YAML."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.importer import ImportOptions, ImportRequest, import_paths, load_table
from tests.helpers import REPO
from tests.import_measure import output_measures, source_measures

WORDS = st.sampled_from(
    "the pod node disk check restart service database replica queue alert page owner "  # noqa: SIM905
    "latency error budget logs metrics cluster primary standby cache deploy rollback".split()
)
LINES = st.sampled_from(
    [
        "kubectl get pods -n web",
        "kubectl delete pod <pod>",
        "$ systemctl status nginx",
        "NAME READY STATUS",
        "api-0 1/1 Running",
        "SELECT * FROM orders;",
        "rate(http_requests_total[5m])",
        "curl -sf http://localhost/health",
        'echo "$HOST"',
        "key: value",
        "  indented: true",
        "\tтаб and ünïcödé  ",
        "",
        "if true; then",
        "fi",
        "   ",
        "graph TD; A-->B",
    ]
)
LANGS = st.sampled_from(
    ["bash", "", "sh", "console", "text", "sql", "promql", "yaml", "mermaid", "json"]
)


@st.composite
def sentences(draw: st.DrawFn) -> str:
    text = " ".join(draw(st.lists(WORDS, min_size=1, max_size=8)))
    return text[:1].upper() + text[1:] + draw(st.sampled_from([".", ":", "", "."]))


@st.composite
def fences(draw: st.DrawFn, indent: str = "") -> str:
    lang = draw(LANGS)
    body = draw(st.lists(LINES, min_size=1, max_size=5))
    lines = [f"```{lang}", *body, "```"]
    return "\n".join(indent + line if line else "" for line in lines)


@st.composite
def blocks(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["heading", "para", "fence", "list", "quote"]))
    if kind == "heading":
        return "#" * draw(st.integers(1, 6)) + " " + draw(sentences()).rstrip(".:")
    if kind == "para":
        return draw(sentences())
    if kind == "fence":
        return draw(fences())
    if kind == "quote":
        return "> " + draw(sentences())
    items = []
    for n in range(draw(st.integers(1, 4))):
        marker = draw(st.sampled_from(["-", "*", f"{n + 1}."]))
        item = f"{marker} {draw(sentences())}"
        if draw(st.booleans()):
            pad = " " * (len(marker) + 1)
            blank = draw(st.sampled_from(["\n\n", "\n"]))
            item += blank + draw(fences(indent=pad))
        items.append(item)
    return "\n".join(items)


@st.composite
def documents(draw: st.DrawFn) -> str:
    parts = draw(st.lists(blocks(), min_size=0, max_size=12))
    front = draw(st.sampled_from(["", "---\ntitle: Generated page\nweight: 3\n---\n\n"]))
    return front + "\n\n".join(parts) + draw(st.sampled_from(["\n", "", "\n\n"]))


def _import(data: bytes, name: str = "page.md") -> str:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / name
        source.write_bytes(data)
        report, texts = import_paths(
            ImportRequest((str(source),), out_dir=folder, dry_run=True),
            ImportOptions(),
            load_table(),
        )
        assert report.exit_code(strict=False) == 0
        (text,) = texts.values()
        return text


@settings(max_examples=80)
@given(documents())
def test_random_markdown_keeps_every_code_block_and_its_prose(markdown: str) -> None:
    data = markdown.encode()
    text = _import(data)
    blocks_in, words_in = source_measures(data)
    blocks_out, words_out = output_measures(text)
    assert blocks_out == blocks_in
    assert abs(words_out - words_in) <= max(1, 0.02 * words_in), (words_in, words_out)


@settings(max_examples=60)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_any_block_text_comes_back_exactly_from_the_yaml(content: str) -> None:
    body = "\n".join(
        line
        for line in content.replace("\r", "").split("\n")
        if not line.lstrip().startswith("~~~")
    )
    fence = "~" * 12
    markdown = f"# T\n\n## S\n\n{fence}bash\n{body}\n{fence}\n"
    text = _import(markdown.encode("utf-8", errors="surrogatepass"))
    blocks_in, _ = source_measures(markdown.encode("utf-8", errors="surrogatepass"))
    blocks_out, _ = output_measures(text)
    assert blocks_out == blocks_in
    assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text)


SEED = (REPO / "tests" / "fixtures" / "import" / "alerts" / "KubePodCrashLooping.md").read_bytes()


@settings(max_examples=60)
@given(
    st.integers(0, len(SEED)),
    st.sampled_from(["truncate", "crlf", "bom", "nul", "invalid", "cr"]),
    st.binary(max_size=8),
)
def test_fuzzed_bytes_never_give_a_traceback(cut: int, how: str, noise: bytes) -> None:
    data = {
        "truncate": SEED[:cut],
        "crlf": SEED[:cut].replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + SEED[:cut],
        "nul": SEED[:cut] + b"\x00" + noise + SEED[cut:],
        "invalid": SEED[:cut] + b"\xff\xfe\xc3" + noise + SEED[cut:],
        "cr": SEED[:cut].replace(b"\n", b"\r"),
    }[how]
    text = _import(data)
    assert isinstance(yaml.load(text, Loader=yaml.CSafeLoader), dict)


def test_pathological_inputs_import_without_a_traceback() -> None:
    deep = "\n".join("  " * i + "- item" for i in range(100)) + "\n"
    deep_fence = deep + "  " * 100 + "```bash\n" + "  " * 100 + "ls\n" + "  " * 100 + "```\n"
    cases = {
        "empty": b"",
        "one-mb-line": b"# Big\n\n" + b"word " * 200_000 + b"\n",
        "one-mb-code-line": b"# Big\n\n```bash\necho " + b"x" * 1_000_000 + b"\n```\n",
        "deep-list": deep.encode(),
        "deep-fence": deep_fence.encode(),
        "unclosed-fence": b"# T\n\n## S\n\n```bash\nkubectl get pods\n",
        "only-front-matter": b"---\ntitle: x\n---\n",
        "broken-front-matter": b"---\ntitle: [unclosed\n---\n# T\n",
        "nested-quotes": b"> " * 200 + b"deep\n",
        "nul-only": b"\x00\x00\x00",
        "latin1": "# Café résumé\n\n## Schritt\n\n```bash\necho 'Grüße'\n```\n".encode("latin-1"),
    }
    for name, data in cases.items():
        text = _import(data, f"{name}.md")
        assert isinstance(yaml.load(text, Loader=yaml.CSafeLoader), dict), name
