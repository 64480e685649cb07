"""pytest-benchmark's saved JSON from bench/ as rows: loading, lookup, value formats.

A row is one benchmark: its group, its name (``extra_info["row"]``), the chosen
statistic of its rounds and its ``extra_info``.  bench/targets.py evaluates the
issues' targets on a :class:`Run`; bench/report.py renders it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple


@dataclass
class Row:
    """One benchmark of the run."""

    group: str
    row: str
    seconds: float  # the chosen statistic of the rounds
    rounds: int
    info: dict = field(default_factory=dict)

    @property
    def family(self) -> str:
        """The group without its case suffix: kernel-zipf-1e+03 -> kernel-zipf."""
        for prefix in ("kernel-zipf", "scaling"):
            if self.group.startswith(prefix + "-"):
                return prefix
        return self.group


class Run:
    """The benchmarks of one run, looked up by (group, row)."""

    def __init__(self, documents: List[dict], stat: str):
        self.rows: Dict[Tuple[str, str], Row] = {}
        self.machine: dict = {}
        self.commit: dict = {}
        self.datetime = ""
        for doc in documents:
            self.machine = doc.get("machine_info", self.machine)
            self.commit = doc.get("commit_info", self.commit)
            self.datetime = doc.get("datetime", self.datetime)
            for b in doc.get("benchmarks", []):
                info = b.get("extra_info", {})
                name = info.get("row", b.get("name"))
                self.rows[(b["group"], name)] = Row(b["group"], name, float(b["stats"][stat]),
                                                    int(b["stats"]["rounds"]), info)

    def get(self, group: str, row: str) -> Optional[Row]:
        """The row named ``row`` in ``group``, or None."""
        return self.rows.get((group, row))

    def groups(self) -> List[str]:
        """Group names in order of first appearance."""
        seen: Dict[str, None] = {}
        for group, _ in self.rows:
            seen.setdefault(group, None)
        return list(seen)

    def in_group(self, group: str) -> List[Row]:
        """The rows of one group."""
        return [r for (g, _), r in self.rows.items() if g == group]

    def family(self, family: str) -> List[Row]:
        """The rows of every group of one family (kernel-zipf-*, scaling-*)."""
        return [r for r in self.rows.values() if r.family == family]


def load(paths: List[str]) -> List[dict]:
    """The JSON documents of ``paths`` (a directory stands for its newest JSON file)."""
    docs = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.rglob("*.json"), key=lambda f: f.stat().st_mtime)
            if not found:
                raise SystemExit(f"report.py: no JSON file under {p}")
            p = found[-1]
        try:
            with open(p, encoding="utf-8") as f:
                docs.append(json.load(f))
        except (OSError, ValueError) as exc:
            raise SystemExit(f"report.py: cannot read {p}: {exc}")
    return docs


def cores_of(run: Run) -> int:
    """Cores of the machine the run was on (else the most workers any row used)."""
    return int(run.machine.get("cpu", {}).get("count") or 0) or max(
        [int(r.info.get("workers", 1)) for r in run.rows.values()] + [1])


def scaling_points(run: Run) -> List[str]:
    """Scaling groups in order of their vocabulary (distinct words)."""
    groups = {r.group: r.info.get("distinct", 0) for r in run.family("scaling")}
    return sorted(groups, key=groups.get)


def per_token(row: Row) -> float:
    """Seconds per token of a row that records its ``tokens``."""
    return row.seconds / max(1, row.info.get("tokens", 1))


# ------------------------------------------------------------- format ----

def fmt_time(seconds: float) -> str:
    """A duration in s, ms or µs."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def fmt_bytes(n: float) -> str:
    """A size in decimal units (GB, MB, kB, B)."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"
