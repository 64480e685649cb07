"""Turn pytest-benchmark's saved JSON from bench/ into a Markdown report and PNG plots.

Usage (from the repository root)::

    python bench/report.py bench/results/full.json -o bench/results

PATH may be a JSON file written by ``--benchmark-json`` or ``--benchmark-save``,
or a directory (``.benchmarks``), whose newest JSON file is used; several paths
are combined (a later file's row replaces an earlier one's).  Writes
``report.md`` and the plots into the output directory and prints the Markdown.

Every ratio is the time of a peer divided by the time of the row, both from the
same run, using the median of the rounds (``--stat min`` for the minimum).
Each target stated in the issues (bench/targets.py) is one row of the targets
table, with the ratio it demands and whether the run met it; rows that record
their parity with a reference (jieba) get a parity table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from runs import Row, Run, fmt_bytes, fmt_time, load, per_token, scaling_points
from targets import TARGETS

PLOTS = {
    "kernel": "kernel_throughput.png",
    "scaling": "scaling_cost.png",
    "workers": "workers_speedup.png",
    "memory": "parent_memory.png",
}

# The row each group's "vs baseline" column is taken against: the classic way
# where there is one (a new group adds one line here).
BASELINE = {
    "kernel-zipf": "dict",
    "kernel-layout": "Counter-random",
    "kernel-adversarial": "HashCounter-random",
    "strings": "dict",
    "e2e": "jieba+dict",
    "e2e-small": "count_words(jieba-py, workers=1)",
    "e2e-stats": "count_words(jieba, workers=1)",
    "segment": "jieba.lcut",
    "scaling": "dict classic",
    "segment-startup": "jieba",
    "cut": "python -m jieba -d ' '",
    "cut-file": "fastcount cut (workers=1)",
    "posseg": "jieba.posseg.lcut",
    "e2e-pos": "jieba.posseg+Counter",
    "ngram-char": "Counter over slices",
    "ngram-spill": "count_ngrams(char 1-4, in memory)",
    "discover": "Python reference",
}


def throughput(row: Row) -> str:
    """The row's rate, from the first of draws, tokens, corpus_bytes, distinct it records."""
    info = row.info
    if row.family in ("kernel-zipf", "kernel-layout"):
        return f"{info.get('draws', 0) / row.seconds / 1e6:.1f} M keys/s"
    if row.family == "scaling":
        return f"{per_token(row) * 1e9:.0f} ns/token"
    if "tokens" in info:
        return f"{info['tokens'] / row.seconds / 1e6:.2f} M tokens/s"
    if "corpus_bytes" in info:
        return f"{info['corpus_bytes'] / row.seconds / 1e6:.2f} MB/s"
    if "distinct" in info:
        return f"{info['distinct'] / row.seconds / 1e6:.1f} M keys/s"
    return ""


def machine_line(run: Run) -> str:
    m = run.machine
    cpu = m.get("cpu", {})
    parts = [cpu.get("brand_raw") or m.get("processor") or m.get("machine", "?"),
             f"{cpu.get('count', '?')} cores", f"{m.get('system', '')} {m.get('release', '')}".strip(),
             f"{m.get('python_implementation', 'Python')} {m.get('python_version', '')}"]
    return ", ".join(p for p in parts if p)


def markdown(run: Run, stat: str, plots: List[str], inputs: Sequence[str] = ()) -> str:
    out = ["# fastcount benchmarks", ""]
    modes = {r.info.get("mode") for r in run.rows.values()} - {None}
    corpus = next((r.info for r in run.rows.values() if "corpus" in r.info and r.group == "e2e"), None)
    out.append(f"- Machine: {machine_line(run)}")
    if run.commit:
        dirty = " (with uncommitted changes)" if run.commit.get("dirty") else ""
        out.append(f"- Commit: `{str(run.commit.get('id', ''))[:10]}` on {run.commit.get('branch', '?')}{dirty}")
    out.append(f"- Run: {run.datetime or '?'}, mode {', '.join(sorted(modes)) or '?'}, "
               f"times are the {stat} of each row's rounds")
    if len(inputs) > 1:
        out.append("- Inputs: " + ", ".join(f"`{Path(p).name}`" for p in inputs)
                   + " (a later file's row replaces an earlier one's)")
    if corpus:
        kind = "real" if corpus.get("real_corpus") else "generated"
        out.append(f"- Corpus: `{corpus['corpus']}` ({kind}, {fmt_bytes(corpus['corpus_bytes'])}, "
                   f"{corpus['corpus_lines']:,} lines)")
    if "huge" in modes:
        out.append("- Regenerate: `pytest bench --fastcount-full --benchmark-json=bench/results/full.json`, "
                   "`pytest bench/test_dask_bench.py bench/test_bench_memory.py --fastcount-huge "
                   "--benchmark-json=bench/results/huge.json`, then `python bench/report.py "
                   "bench/results/full.json bench/results/huge.json -o bench/results`")
    else:
        out.append("- Regenerate: `pytest bench --fastcount-full --benchmark-json=bench/results/full.json` then "
                   "`python bench/report.py bench/results/full.json -o bench/results`")
    out += ["", "## Targets from the issues", "",
            "| Issue | Target | Required | Measured | Result |", "|---|---|---|---|---|"]
    for t in TARGETS:
        value, text = t.measure(run)
        if t.check is None:
            verdict = "info" if value is not None else "missing"
        elif value is None:
            verdict = "missing"
        else:
            verdict = "**pass**" if t.check(value) else "**FAIL**"
        out.append(f"| {t.issue} | {t.text} | {t.required} | {text} | {verdict} |")

    out += ["", "## All rows", "",
            "Ratios: the group's baseline row's time (the classic way where there is one) over the row's "
            "time (higher is faster).", ""]
    for group in run.groups():
        rows = sorted(run.in_group(group), key=lambda r: r.seconds)
        baseline = run.get(group, BASELINE.get(rows[0].family, ""))
        out += [f"### {group}", "", "| Row | Time | Throughput | vs baseline | Rounds |", "|---|---|---|---|---|"]
        for row in rows:
            vs = f"{baseline.seconds / row.seconds:.2f}x" if baseline else ""
            out.append(f"| {row.row} | {fmt_time(row.seconds)} | {throughput(row)} | {vs} | {row.rounds} |")
        extras = memory_lines(rows)
        if extras:
            out += [""] + extras
        out.append("")

    table = parity_table(run)
    if table:
        out += ["## Parity with the reference", ""] + table + [""]
    table = scaling_table(run)
    if table:
        out += ["## Cost per token as the vocabulary grows", ""] + table + [""]
    table = workers_table(run)
    if table:
        out += ["## Speedup against workers", ""] + table + [""]
    if plots:
        out += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    return "\n".join(out)


def memory_lines(rows: List[Row]) -> List[str]:
    """Notes under a group's table: the measured extras of its rows (memory, merge share, load time)."""
    lines = []
    for row in rows:
        i = row.info
        if i.get("bytes_per_key") is not None:
            lines.append(f"- {row.row}: {i['rss_delta_bytes'] / 1e6:.1f} MB resident for {i['distinct']:,} keys = "
                         f"{i['bytes_per_key']:.1f} bytes per key")
        if i.get("peak_rss_bytes") is not None:
            parts = [f"peak {i['peak_rss_bytes'] / 1e6:.0f} MB"]
            if i.get("baseline_rss_bytes") is not None:
                parts.append(f"after imports {i['baseline_rss_bytes'] / 1e6:.0f} MB")
            if i.get("budget_bytes") is not None:
                parts.append(f"budget {fmt_bytes(i['budget_bytes'])} + stated overhead "
                             f"{fmt_bytes(i.get('overhead_bytes') or 0)}")
            if i.get("spills") is not None:
                parts.append(f"{i['spills']} spills")
            if i.get("merge_share") is not None:
                parts.append(f"merge share {i['merge_share']:.1%}")
            lines.append(f"- {row.row}: " + ", ".join(parts))
        if i.get("load_seconds") is not None:
            rss = i.get("rss_delta_bytes")
            lines.append(f"- {row.row}: dictionary loaded in {fmt_time(i['load_seconds'])}"
                         + (f", {rss / 1e6:.0f} MB resident" if rss is not None else ""))
        if i.get("merge_share") is not None and row.group in ("e2e", "e2e-file"):
            lines.append(f"- {row.row}: merge {i['merge_share']:.2%} of {fmt_time(i['seconds'])}, "
                         f"tokenizer `{i.get('stats_tokenizer', '?')}`, {i.get('workers_used', '?')} workers used")
    return lines


def parity_table(run: Run) -> List[str]:
    """Rows that record their parity with a reference (peers, and fastcount where it is checked)."""
    rows = [r for r in run.rows.values() if r.info.get("identical_lines") is not None
            or r.info.get("diff_vs_jieba") is not None]
    if not rows:
        return []
    out = ["Identical lines: lines whose tokens (and tags) equal the reference's, out of all lines compared; "
           "tokens differing: the sum over words of |count - the reference's count|.", "",
           "| Group | Row | Reference | Identical lines | Tokens differing |", "|---|---|---|---|---|"]
    for r in rows:
        same, total = r.info.get("identical_lines"), r.info.get("compared_lines")
        lines = f"{same:,} / {total:,} ({same / total:.2%})" if same is not None and total else ""
        diff = r.info.get("diff_vs_jieba")
        out.append(f"| {r.group} | {r.row} | {r.info.get('reference', 'jieba.lcut')} | {lines} | "
                   f"{'' if diff is None else f'{diff:,}'} |")
    return out


def scaling_table(run: Run) -> List[str]:
    points = scaling_points(run)
    if not points:
        return []
    names: Dict[str, None] = {}
    for g in points:
        for r in sorted(run.in_group(g), key=lambda r: r.row):
            names.setdefault(r.row, None)
    head = [f"{run.in_group(g)[0].info.get('distinct', 0):,}" for g in points]
    tokens = [run.in_group(g)[0].info.get("tokens", 0) for g in points]
    out = [f"ns per token; columns: distinct words; {min(tokens):,} to {max(tokens):,} tokens per column "
           "(the same text size)", "",
           "| Row | " + " | ".join(head) + " |", "|---|" + "---|" * len(points)]
    for name in names:
        cells = []
        for g in points:
            r = run.get(g, name)
            cells.append(f"{per_token(r) * 1e9:.0f}" if r else "")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = []
    for g in points:
        classic = run.get(g, "dict classic")
        pool = [r for r in run.in_group(g) if r.row.startswith("dict batched Pool")]
        cells.append(f"{classic.seconds / pool[0].seconds / pool[0].info.get('workers', 1):.2f}"
                     if classic and pool else "")
    out.append("| *speedup per process, dict Pool vs classic* | " + " | ".join(cells) + " |")
    return out


def worker_series(run: Run) -> Dict[str, List[Tuple[int, float]]]:
    """Speedup against workers=1 for count_words per tokenizer (and scaling's largest point)."""
    series: Dict[str, List[Tuple[int, float]]] = {}
    for tokenizer in ("jieba", "jieba-py"):
        base = run.get("e2e", f"count_words({tokenizer}, workers=1)")
        if base is None:
            continue
        rows = [r for r in run.in_group("e2e") if r.info.get("tokenizer") == tokenizer]
        series[f"count_words({tokenizer}), corpus"] = sorted(
            (int(r.info["workers"]), base.seconds / r.seconds) for r in rows)
    base = run.get("e2e-file", "count_words(jieba, workers=1)")
    if base is not None:
        rows = run.in_group("e2e-file")
        series[f"count_words(jieba), {rows[0].info['corpus']} file"] = sorted(
            (int(r.info["workers"]), base.seconds / r.seconds) for r in rows)
    points = scaling_points(run)
    if points:
        g = points[-1]
        base = run.get(g, "count_words(whitespace, workers=1)")
        rows = [r for r in run.in_group(g) if r.row.startswith("count_words(whitespace")]
        if base:
            label = f"count_words(whitespace), {base.info.get('distinct', 0):,} words"
            series[label] = sorted((int(r.info["workers"]), base.seconds / r.seconds) for r in rows)
    return series


def workers_table(run: Run) -> List[str]:
    series = worker_series(run)
    if not series:
        return []
    out = ["| Row | " + " | ".join(f"workers={w}" for w, _ in next(iter(series.values()))) + " |",
           "|---|" + "---|" * len(next(iter(series.values())))]
    for label, points in series.items():
        out.append(f"| {label} | " + " | ".join(f"{s:.2f}x" for _, s in points) + " |")
    return out


# -------------------------------------------------------------- plots ----

def line_plot(plt, series: Dict[str, list], legend_size: int, **axes):
    """A figure with a line of points per series (label -> [(x, y), ...]) and its axes set as ``axes``."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, pts in series.items():
        ax.plot(*zip(*pts), marker="o", label=label)
    ax.set(**axes)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=legend_size)
    return fig


def make_plots(run: Run, outdir: Path) -> List[str]:
    """Write the PNG plots; return their file names (none without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plots", file=sys.stderr)
        return []
    made = []

    kernel = run.family("kernel-zipf")
    if kernel:
        series = {name: sorted((r.info["vocab"], r.info["draws"] / r.seconds / 1e6)
                               for r in kernel if r.row == name) for name in sorted({r.row for r in kernel})}
        fig = line_plot(plt, series, 8, xscale="log", yscale="log", xlabel="vocabulary (Zipf-drawn distinct keys)",
                        ylabel="million keys counted per second", title="Counting kernel: int64 ids in hand")
        made.append(save(fig, outdir, PLOTS["kernel"]))

    points = scaling_points(run)
    if points:
        series = {name: [(run.get(g, name).info["distinct"], per_token(run.get(g, name)) * 1e9)
                         for g in points if run.get(g, name)]
                  for name in sorted({r.row for g in points for r in run.in_group(g)})}
        fig = line_plot(plt, series, 7, xscale="log", xlabel="distinct words",
                        ylabel="ns per token (wall time / tokens)", title="Cost per token as the vocabulary grows")
        made.append(save(fig, outdir, PLOTS["scaling"]))

    series = worker_series(run)
    if series:
        fig, ax = plt.subplots(figsize=(6, 4.5))
        top = max(w for pts in series.values() for w, _ in pts)
        ax.plot([1, top], [1, top], linestyle="--", color="grey", label="linear")
        for label, pts in series.items():
            ax.plot(*zip(*pts), marker="o", label=label)
        ax.set(xlabel="workers", ylabel="speedup over workers=1", title="count_words: speedup against workers")
        ax.set_xticks(range(1, top + 1))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        made.append(save(fig, outdir, PLOTS["workers"]))

    mem = sorted((r for r in run.in_group("parent-memory") if r.info.get("peak_rss_bytes")),
                 key=lambda r: r.info["corpus_bytes"])
    if mem:
        fig, ax = plt.subplots(figsize=(6, 4.5))
        ax.plot([r.info["corpus_bytes"] / 1e6 for r in mem], [r.info["peak_rss_bytes"] / 1e6 for r in mem],
                marker="o", label="parent peak")
        ax.plot([r.info["corpus_bytes"] / 1e6 for r in mem], [r.info["baseline_rss_bytes"] / 1e6 for r in mem],
                linestyle="--", label="after imports")
        ax.set(xscale="log", xlabel="corpus size (MB)", ylabel="resident memory (MB)", ylim=(0, None),
               title="count_words: parent memory against corpus size")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        made.append(save(fig, outdir, PLOTS["memory"]))
    return made


def save(fig, outdir: Path, name: str) -> str:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(outdir / name, dpi=110)
    plt.close(fig)
    return name


# ---------------------------------------------------------------- cli ----

def main(argv=None) -> int:
    """Command line: ``python bench/report.py RESULTS.json... [-o DIR] [--stat median|min|mean]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="pytest-benchmark JSON files, or directories of them")
    parser.add_argument("-o", "--outdir", default=str(Path(__file__).parent / "results"),
                        help="where report.md and the plots go (default bench/results)")
    parser.add_argument("--stat", choices=("median", "min", "mean"), default="median")
    parser.add_argument("--no-plots", action="store_true", help="write only the Markdown")
    args = parser.parse_args(argv)
    run = Run(load(args.paths), args.stat)
    if not run.rows:
        raise SystemExit("report.py: no benchmarks in the input (a smoke run records none: "
                         "use --fastcount-full with --benchmark-json)")
    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    plots = [] if args.no_plots else make_plots(run, outdir)
    text = markdown(run, args.stat, plots, args.paths)
    (outdir / "report.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
