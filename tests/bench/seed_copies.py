"""Copies of the seed runbooks under new ids and titles: the benchmarks' real-shaped input.

The seeds (``runbooks/`` minus the small ``demo``) are five real incident-response runbooks,
each with its own sections, scenarios, comms and about 40 commands. Synthetic pages of a
few uniform blocks flatter the build; these are what users write.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "runbooks"


def seed_files() -> list[Path]:
    return sorted(
        p for p in SEEDS.rglob("*.yaml") if not p.name.startswith("_") and p.parent.name != "demo"
    )


def copy_seeds(n: int, root: Path) -> list[str]:
    """N copies of the seed runbooks under ``root`` (each organisation's ``_defaults.yaml``
    too); returns the copies' ids in order."""
    seeds = seed_files()
    for org in {p.parent for p in seeds}:
        target = root / org.relative_to(SEEDS)
        target.mkdir(parents=True, exist_ok=True)
        for defaults in org.glob("_defaults.yaml"):
            shutil.copy(defaults, target / defaults.name)
    ids: list[str] = []
    for i in range(n):
        seed = seeds[i % len(seeds)]
        text = seed.read_text(encoding="utf-8")
        text, found = re.subn(r"^id: *(\S+)", rf"id: \g<1>-c{i:05d}", text, count=1, flags=re.M)
        if not found:
            raise SystemExit(f"{seed}: no top-level 'id:' line to rename")
        text = re.sub(r"^title: *([\"']?)", rf"title: \g<1>Copy {i} of ", text, count=1, flags=re.M)
        out = root / seed.parent.relative_to(SEEDS) / f"{seed.stem}-c{i:05d}.yaml"
        out.write_text(text, encoding="utf-8")
        ids.append(re.search(r"^id: *(\S+)", text, re.M).group(1))  # type: ignore[union-attr]
    return ids
