"""Names: ids (slugs) from titles and file stems, the anchors other tools gave headings,
alert-shaped identifiers, and generated step titles."""

from __future__ import annotations

import os
import re
import unicodedata

__all__ = [
    "GENERIC_STEMS",
    "Ids",
    "alert_name",
    "generated_title",
    "heading_slugs",
    "id_from_path",
    "slugify",
    "title_from_stem",
]

GENERIC_STEMS = frozenset({"readme", "index", "_index", "main", "runbook", "home", "default"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_ALERT = re.compile(
    r"(?:[A-Z][a-z0-9]+|[A-Z]{2,}[a-z0-9]*|[a-z]+)(?:[A-Z][A-Za-z0-9]*){1,}"
    r"|[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+){1,}"
)
_NOT_ALERTS = frozenset(
    [
        "JavaScript",
        "TypeScript",
        "GitHub",
        "GitLab",
        "PostgreSQL",
        "MySQL",
        "MariaDB",
        "MongoDB",
        "PagerDuty",
        "OpsGenie",
        "YouTube",
        "DevOps",
        "OpenShift",
        "PowerShell",
        "CloudWatch",
        "CloudFront",
        "CloudFormation",
        "DynamoDB",
        "ElastiCache",
        "OpenSearch",
        "ElasticSearch",
        "RabbitMQ",
        "NodeJS",
        "DataDog",
        "OpenTelemetry",
        "VictoriaMetrics",
        "GraphQL",
        "WordPress",
        "LinkedIn",
        "StatusPage",
        "PromQL",
        "LogQL",
        "SQLite",
        "CockroachDB",
        "ClickHouse",
        "BigQuery",
        "MacOS",
        "iOS",
        "macOS",
        "eBPF",
        "gRPC",
        "OAuth",
        "JSON",
        "YAML",
        "HTTP",
        "HTTPS",
        "README",
        "FAQ",
        "TODO",
        "TL_DR",
    ]
)
_HEADING_PUNCT = re.compile(r"[^\w\- ]", re.U)


def slugify(text: str, fallback: str = "section", limit: int = 60) -> str:
    """A ``[a-z0-9][a-z0-9-]*`` id from ``text`` (CamelCase split, accents dropped)."""
    text = re.sub(r"`|\*\*|__|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", text)
    text = _CAMEL.sub("-", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    slug = slug.strip("-")
    return slug or fallback


class Ids:
    """Unique ids within one scope: ``x``, ``x-2``, ``x-3`` ..."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, wanted: str) -> str:
        candidate = wanted
        n = 2
        while candidate in self.used:
            candidate = f"{wanted}-{n}"
            n += 1
        self.used.add(candidate)
        return candidate


def id_from_path(path: str) -> str:
    """The runbook id a file's stem gives; README/index use their folder's name."""
    stem = _stem(os.path.basename(path))
    if stem.lower() in GENERIC_STEMS:
        folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
        stem = folder or stem
    return slugify(stem, fallback="runbook")


def _stem(name: str) -> str:
    for suffix in (".md.erb", ".markdown", ".md"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name.rsplit(".", 1)[0]


def title_from_stem(path: str) -> str:
    """``kube-pod-crash_looping.md`` -> ``Kube pod crash looping`` (a generated title)."""
    words = slugify(id_from_path(path), fallback="runbook").split("-")
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def stem_of(path: str) -> str:
    return _stem(os.path.basename(path))


def alert_name(text: str) -> str | None:
    """``text`` when it is one alert-shaped identifier (``KubePodCrashLooping``), else None."""
    candidate = text.strip().strip("`").strip()
    if candidate.startswith("Alert: ") or candidate.startswith("Alert:"):
        candidate = candidate.split(":", 1)[1].strip().strip("`")
    if not candidate or " " in candidate or candidate in _NOT_ALERTS or len(candidate) > 120:
        return None
    if candidate.isupper() and "_" not in candidate:
        return None
    return candidate if _ALERT.fullmatch(candidate) else None


def heading_slugs(title: str) -> tuple[str, str]:
    """The anchors GitHub and MkDocs (toc) give a heading with this text."""
    plain = re.sub(r"`|\*\*|__|!?\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", title)
    github = _HEADING_PUNCT.sub("", plain.strip().lower()).replace(" ", "-")
    ascii_text = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode("ascii")
    mkdocs = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text).strip().lower())
    return github, mkdocs


def generated_title(run: str, lang: str) -> str:
    """A step title from its command: the first command line, shortened, as code."""
    first = ""
    for line in run.split("\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not stripped.startswith("--"):
            first = stripped
            break
    if not first:
        first = run.strip().split("\n", 1)[0].lstrip("#- ").strip()
    first = re.sub(r"^(?:\$|>|%|[\w.-]+@[\w.-]+[^$#]*[$#]|[\w-]+=?[#>])\s+", "", first)
    if len(first) > 60:
        first = first[:57].rstrip() + "..."
    if not first:
        return f"{lang or 'Command'} block"
    if "`" in first:
        return first
    return f"`{first}`"
