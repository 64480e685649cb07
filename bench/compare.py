"""Compare the issues' ratios of two benchmark runs: a baseline commit against this one.

Usage (from the repository root)::

    python bench/compare.py BASELINE.json NEW.json [-o bench/results/vs-baseline.md]

Each target of bench/targets.py that both runs can evaluate is one row: its
ratio in the baseline run, in the new run, and new / baseline.  A ratio is
already relative to a peer timed in the same run, so the two runs may come
from different commits on the same machine minutes apart.  A row "holds" when
the new ratio is at least ``--keep`` (0.95) times the baseline's in the
direction the target wants (higher for "at least", lower for "at most" and for
shares of the wall time).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List

from runs import Run, load
from targets import TARGETS, Target


def lower_is_better(target: Target) -> bool:
    """Whether the target asks for a small value (a cost, a share, a growth)."""
    return target.required.startswith(("<", "grows"))


def compare(base: Run, new: Run, keep: float) -> List[str]:
    """Markdown lines: one table row per target both runs evaluate."""
    lines = ["| Issue | Target | Baseline | New | New vs baseline | Holds |",
             "|---|---|---|---|---|---|"]
    for target in TARGETS:
        (b, b_text), (n, n_text) = target.measure(base), target.measure(new)
        if b is None or n is None or b == 0 or n == 0:
            continue
        gain = b / n if lower_is_better(target) else n / b
        holds = "yes" if gain >= keep else "**no**"
        lines.append(f"| {target.issue} | {target.text} | {b_text} | {n_text} | {gain:.2f}x | {holds} |")
    return lines


def main(argv=None) -> int:
    """Command line: ``python bench/compare.py BASELINE.json NEW.json [-o FILE] [--keep 0.95]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", help="pytest-benchmark JSON of the baseline commit")
    parser.add_argument("new", help="pytest-benchmark JSON of the commit under test")
    parser.add_argument("-o", "--output", help="write the Markdown table here as well")
    parser.add_argument("--keep", type=float, default=0.95,
                        help="the least share of the baseline's ratio that holds (default 0.95)")
    parser.add_argument("--stat", choices=("median", "min", "mean"), default="median")
    args = parser.parse_args(argv)
    base, new = Run(load([args.baseline]), args.stat), Run(load([args.new]), args.stat)
    text = "\n".join(compare(base, new, args.keep))
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
