"""Turn pytest-benchmark's saved JSON from bench/ into a Markdown report and PNG plots.

Usage (from the repository root)::

    python bench/report.py bench/results/full.json -o bench/results

PATH may be a JSON file written by ``--benchmark-json`` or ``--benchmark-save``,
or a directory (``.benchmarks``), whose newest JSON file is used; several paths
are combined (a later file's row replaces an earlier one's).  Writes
``report.md`` and the plots into the output directory and prints the Markdown.

Every ratio is the time of a peer divided by the time of the row, both from the
same run, using the median of the rounds (``--stat min`` for the minimum).
Each target stated in the issues is one row of the targets table, with the
ratio it demands and whether the run met it.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

PLOTS = {
    "kernel": "kernel_throughput.png",
    "scaling": "scaling_cost.png",
    "workers": "workers_speedup.png",
    "memory": "parent_memory.png",
}

# The row each group's ratios are taken against: the classic way.
CLASSIC = {
    "kernel-zipf": "dict",
    "kernel-layout": "Counter-random",
    "strings": "dict",
    "e2e": "jieba+dict",
    "segment": "jieba.lcut",
    "scaling": "dict classic",
    "segment-startup": "jieba",
}


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
        return self.rows.get((group, row))

    def groups(self) -> List[str]:
        seen: Dict[str, None] = {}
        for group, _ in self.rows:
            seen.setdefault(group, None)
        return list(seen)

    def in_group(self, group: str) -> List[Row]:
        return [r for (g, _), r in self.rows.items() if g == group]

    def family(self, family: str) -> List[Row]:
        return [r for r in self.rows.values() if r.family == family]


# ------------------------------------------------------------ targets ----

@dataclass
class Target:
    """One requirement from the issues, evaluated on a run."""

    issue: str
    text: str
    required: str
    measure: Callable[[Run], Tuple[Optional[float], str]]  # (value, shown text)
    check: Optional[Callable[[float], bool]]  # None: shown for information


def ratio(run: Run, group: str, slow_row: str, fast_row: str):
    """time(slow_row) / time(fast_row): how many times faster fast_row is."""
    slow, fast = run.get(group, slow_row), run.get(group, fast_row)
    if slow is None or fast is None:
        missing = slow_row if slow is None else fast_row
        return None, f"missing row `{missing}` in `{group}`"
    value = slow.seconds / fast.seconds
    return value, f"{value:.2f}x ({fmt_time(slow.seconds)} / {fmt_time(fast.seconds)})"


def cores_of(run: Run) -> int:
    return int(run.machine.get("cpu", {}).get("count") or 0) or max(
        [int(r.info.get("workers", 1)) for r in run.rows.values()] + [1])


def native_note(run: Run, row: Row) -> str:
    used = row.info.get("stats_tokenizer")
    return f"; tokenizer ran as `{used}`" if used and "native" not in used and row.info.get("tokenizer") == "jieba" else ""


def native_ratio(run: Run, slow_row: str, fast_row: str):
    """ratio() for a count_words(jieba) row, saying when it did not run the native path."""
    value, text = ratio(run, "e2e", slow_row, fast_row)
    row = run.get("e2e", fast_row)
    return value, text + (native_note(run, row) if row and value is not None else "")


def workers_speedup(run: Run):
    n = min(2, cores_of(run))
    if n < 2:
        return None, "needs 2 cores"
    value, text = ratio(run, "e2e", "count_words(jieba, workers=1)", "count_words(jieba, workers=2)")
    row = run.get("e2e", "count_words(jieba, workers=2)")
    return value, text + (native_note(run, row) if row else "")


def file_workers_speedup(run: Run):
    if min(2, cores_of(run)) < 2:
        return None, "needs 2 cores"
    value, text = ratio(run, "e2e-file", "count_words(jieba, workers=1)", "count_words(jieba, workers=2)")
    row = run.get("e2e-file", "count_words(jieba, workers=2)")
    if value is None or row is None:
        return value, text
    share = row.info.get("merge_share")
    return value, text + (f"; merge {share:.1%}" if share is not None else "") + f", {row.info['corpus']}"


def dask_ratio(run: Run):
    row = run.get("dask", "count_words_dask(LocalCluster 2 processes)")
    if row is None or row.info.get("ratio_vs_count_words") is None:
        return None, "missing `dask` rows (the dask extra, full or huge mode)"
    value = row.info["ratio_vs_count_words"]
    text = (f"{value:.2%} ({row.info['mb_per_s']:.1f} MB/s on {fmt_bytes(row.info['corpus_bytes'])}; "
            f"merge tree {row.info['reduction_tail_share']:.1%} of the wall time, "
            f"{row.info['partitions']} partitions)")
    paired = row.info.get("paired_ratios")
    if paired:
        # runs back to back: the rows' medians are minutes apart on a drifting machine
        value = statistics.median(paired)
        text = (f"{value:.2%} in runs of the two back to back (median of "
                f"{', '.join(f'{r:.0%}' for r in paired)}); the rows' medians: " + text)
    if row.info["corpus_bytes"] < 1e9:
        return None, text + " (not the 1 GB corpus: no verdict)"
    return value, text


def dask_partial_size(run: Run):
    row = run.get("dask", "count_words_dask(LocalCluster 2 processes)")
    if row is None or row.info.get("partial_bytes_per_word") is None:
        return None, "missing `dask` rows"
    value = row.info["partial_bytes_per_word"]
    return value, f"{value:.1f} B per distinct word (pickled partial of one partition)"


def merge_share(run: Run):
    rows = [r for r in run.in_group("e2e") if r.info.get("tokenizer") == "jieba" and r.info.get("workers", 1) >= 2]
    if not rows:
        return None, "missing row `count_words(jieba, workers=2)` in `e2e`"
    row = max(rows, key=lambda r: r.info.get("workers", 1))
    share = row.info.get("merge_share")
    if share is None:
        return None, "no merge_share recorded"
    return share, f"{share:.2%} of {fmt_time(row.info.get('seconds', 0))} ({row.row})"


def bytes_per_key(run: Run):
    row = run.get("kernel-memory", "HashCounter")
    if row is None or row.info.get("bytes_per_key") is None:
        return None, "missing `kernel-memory` (or resident memory unreadable)"
    keys = row.info.get("distinct", 0)
    value = row.info["bytes_per_key"]
    text = f"{value:.1f} B/key, {row.info['rss_delta_bytes'] / 1e6:.0f} MB for {keys:,} keys"
    if keys < 10_000_000:
        return None, text + " (not at 10M keys: no verdict)"
    return value, text


def parent_memory(run: Run):
    rows = sorted(run.in_group("parent-memory"), key=lambda r: r.info.get("corpus_bytes", 0))
    rows = [r for r in rows if r.info.get("peak_rss_bytes")]
    if len(rows) < 2:
        return None, "needs two corpus sizes in `parent-memory`"
    small, large = rows[0], rows[-1]
    growth = (large.info["peak_rss_bytes"] - small.info["peak_rss_bytes"]) / small.info["peak_rss_bytes"]
    return growth, (f"{growth:+.1%}: {small.info['peak_rss_bytes'] / 1e6:.0f} MB at "
                    f"{fmt_bytes(small.info['corpus_bytes'])}, {large.info['peak_rss_bytes'] / 1e6:.0f} MB at "
                    f"{fmt_bytes(large.info['corpus_bytes'])}")


def startup(run: Run, key: str, unit: Callable[[float], str]):
    jieba, fast = run.get("segment-startup", "jieba"), run.get("segment-startup", "fastcount")
    if jieba is None or fast is None or jieba.info.get(key) is None or fast.info.get(key) is None:
        return None, f"missing `segment-startup` rows with `{key}`"
    a, b = jieba.info[key], fast.info[key]
    value = a / b if b > 0 else math.inf
    return value, f"{value:.2f}x (jieba {unit(a)}, fastcount {unit(b)})"


def scaling_points(run: Run) -> List[str]:
    """Scaling groups in order of their vocabulary (distinct words)."""
    groups = {r.group: r.info.get("distinct", 0) for r in run.family("scaling")}
    return sorted(groups, key=groups.get)


def per_token(row: Row) -> float:
    return row.seconds / max(1, row.info.get("tokens", 1))


def cost_growth(run: Run, row_name: str) -> Tuple[Optional[float], str]:
    points = [g for g in scaling_points(run) if run.get(g, row_name)]
    if len(points) < 2:
        return None, f"needs two scaling points with `{row_name}`"
    first, last = run.get(points[0], row_name), run.get(points[-1], row_name)
    growth = per_token(last) / per_token(first)
    return growth, (f"{growth:.2f}x ({per_token(first) * 1e9:.0f} -> {per_token(last) * 1e9:.0f} ns/token, "
                    f"{first.info['distinct']:,} -> {last.info['distinct']:,} words)")


def growth_compare(run: Run, fast_row: str):
    dict_growth, dict_text = cost_growth(run, "dict classic")
    fast_growth, fast_text = cost_growth(run, fast_row)
    if dict_growth is None or fast_growth is None:
        return None, dict_text if dict_growth is None else fast_text
    return dict_growth / fast_growth, f"dict {dict_text}; {fast_row} {fast_text}"


def kernel_growth(run: Run, row_name: str) -> Tuple[Optional[float], str]:
    rows = sorted((r for r in run.family("kernel-zipf") if r.row == row_name), key=lambda r: r.info["vocab"])
    if len(rows) < 2:
        return None, f"needs two `kernel-zipf-*` groups with `{row_name}`"
    first, last = rows[0], rows[-1]
    cost = [r.seconds / r.info["draws"] * 1e9 for r in (first, last)]
    return cost[1] / cost[0], (f"{cost[1] / cost[0]:.2f}x ({cost[0]:.1f} -> {cost[1]:.1f} ns/key, "
                               f"{first.info['vocab']:,} -> {last.info['vocab']:,} keys)")


def kernel_growth_compare(run: Run):
    dict_growth, dict_text = kernel_growth(run, "dict")
    fast_growth, fast_text = kernel_growth(run, "HashCounter")
    if dict_growth is None or fast_growth is None:
        return None, dict_text if dict_growth is None else fast_text
    return dict_growth / fast_growth, f"dict {dict_text}; HashCounter {fast_text}"


def per_process(run: Run):
    points = scaling_points(run)
    parts, best = [], None
    for g in points:
        classic = run.get(g, "dict classic")
        pool = [r for r in run.in_group(g) if r.row.startswith("dict batched Pool")]
        if classic and pool:
            n = pool[0].info.get("workers", 1)
            value = classic.seconds / pool[0].seconds / n
            best = value if best is None else max(best, value)
            parts.append(f"{classic.info.get('distinct', 0):,} words: {value:.2f}")
    if best is None:
        return None, "needs `dict classic` and `dict batched Pool(N)` rows in `scaling-*`"
    return best, "; ".join(parts)


def pool_per_process_e2e(run: Run):
    pool = [r for r in run.in_group("e2e") if r.row.startswith("jieba+dict batched Pool")]
    if not pool:
        return None, "missing `jieba+dict batched Pool(N)` in `e2e`"
    value, text = ratio(run, "e2e", "jieba+dict", pool[0].row)
    if value is None:
        return None, text
    n = pool[0].info.get("workers", 1)
    return value / n, f"{value / n:.2f} ({text} on {n} processes)"


TARGETS = [
    Target("#2", "HashCounter.add vs pandas value_counts, Zipf ids over a 70k vocabulary", ">= 5x",
           lambda r: ratio(r, "kernel-zipf-7e+04", "pandas", "HashCounter"), lambda v: v >= 5),
    Target("#2", "HashCounter.add vs collections.Counter(list), same ids", ">= 10x",
           lambda r: ratio(r, "kernel-zipf-7e+04", "Counter", "HashCounter"), lambda v: v >= 10),
    Target("#2", "HashCounter.add vs collections.Counter, 1M distinct keys", ">= 3x",
           lambda r: ratio(r, "kernel-layout", "Counter-random", "HashCounter-random"), lambda v: v >= 3),
    Target("#2", "sequential keys 0..N as fast as random keys (HashCounter)", ">= 0.75x random's speed",
           lambda r: ratio(r, "kernel-layout", "HashCounter-random", "HashCounter-sequential"), lambda v: v >= 0.75),
    Target("#2", "keys that are multiples of 2**20 as fast as random keys (HashCounter)", ">= 0.75x random's speed",
           lambda r: ratio(r, "kernel-layout", "HashCounter-random", "HashCounter-strided"), lambda v: v >= 0.75),
    Target("#2", "HashCounter memory per distinct key, 10M keys", "<= 32 B/key", bytes_per_key, lambda v: v <= 32),
    Target("#2", "fastcount.Counter.update vs collections.Counter.update, real jieba tokens", ">= 1.5x",
           lambda r: ratio(r, "strings", "collections.Counter.update", "fastcount.Counter.update"),
           lambda v: v >= 1.5),
    Target("#3", "count_words(jieba): workers=2 vs workers=1, real corpus", ">= 1.8x", workers_speedup,
           lambda v: v >= 1.8),
    Target("#3", "count_words(jieba): parent's merge share of the wall time, all workers", "< 5%", merge_share,
           lambda v: v < 0.05),
    Target("#3", "count_words(jieba): workers=2 vs workers=1, a file of the real corpus 8 times", "measured",
           file_workers_speedup, None),
    Target("#3", "count_words: parent peak memory, largest vs smallest generated corpus", "grows <= 10%",
           parent_memory, lambda v: v <= 0.10),
    Target("#4", "count_words(jieba, workers=1) vs jieba.lcut + dict loop", ">= 20x",
           lambda r: native_ratio(r, "jieba+dict", "count_words(jieba, workers=1)"), lambda v: v >= 20),
    Target("#4", "count_words(jieba, workers=1) vs rjieba.cut + collections.Counter", ">= 1.5x",
           lambda r: native_ratio(r, "rjieba+Counter", "count_words(jieba, workers=1)"), lambda v: v >= 1.5),
    Target("#4", "fastcount.lcut vs rjieba.cut", ">= 1x",
           lambda r: ratio(r, "segment", "rjieba.cut", "fastcount.lcut"), lambda v: v >= 1),
    Target("#4", "dictionary load time: fastcount vs jieba's cached start (fresh process)", ">= 1x",
           lambda r: startup(r, "load_seconds", fmt_time), lambda v: v >= 1),
    Target("#4", "dictionary memory: jieba's over fastcount's (fresh process)", ">= 1x",
           lambda r: startup(r, "rss_delta_bytes", lambda b: f"{b / 1e6:.0f} MB"), lambda v: v >= 1),
    Target("#6", "Dask LocalCluster (2 processes) vs count_words(workers=2), 1 GB generated corpus", ">= 80%",
           dask_ratio, lambda v: v >= 0.8),
    Target("#6", "serialised partial count size", "measured", dask_partial_size, None),
    Target("#5", "per-key cost growth with vocabulary, ids in hand: dict's over HashCounter's", "> 1x",
           kernel_growth_compare, lambda v: v > 1),
    Target("#5", "per-token cost growth with vocabulary: dict's over fastcount.Counter's", "> 1x",
           lambda r: growth_compare(r, "fastcount.Counter classic"), lambda v: v > 1),
    Target("#5", "per-token cost growth with vocabulary: dict's over count_words(workers=1)'s", "> 1x",
           lambda r: growth_compare(r, "count_words(whitespace, workers=1)"), lambda v: v > 1),
    Target("#5", "speedup per process, dict batched over a Pool vs the classic loop (best vocabulary)",
           "measured", per_process, None),
    Target("#5", "speedup per process, jieba + dict batched over a Pool vs the classic loop", "measured",
           pool_per_process_e2e, None),
]


# ------------------------------------------------------------- format ----

def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def fmt_bytes(n: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def throughput(row: Row) -> str:
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
            "Ratios: the classic row's time over the row's time (higher is faster).", ""]
    for group in run.groups():
        rows = sorted(run.in_group(group), key=lambda r: r.seconds)
        classic = run.get(group, CLASSIC.get(rows[0].family, ""))
        out += [f"### {group}", "", "| Row | Time | Throughput | vs classic | Rounds |", "|---|---|---|---|---|"]
        for row in rows:
            vs = f"{classic.seconds / row.seconds:.2f}x" if classic else ""
            out.append(f"| {row.row} | {fmt_time(row.seconds)} | {throughput(row)} | {vs} | {row.rounds} |")
        extras = memory_lines(rows)
        if extras:
            out += [""] + extras
        out.append("")

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
    lines = []
    for row in rows:
        i = row.info
        if i.get("bytes_per_key") is not None:
            lines.append(f"- {row.row}: {i['rss_delta_bytes'] / 1e6:.1f} MB resident for {i['distinct']:,} keys = "
                         f"{i['bytes_per_key']:.1f} bytes per key")
        if i.get("peak_rss_bytes") is not None:
            lines.append(f"- {row.row}: parent peak {i['peak_rss_bytes'] / 1e6:.0f} MB "
                         f"(after imports {i['baseline_rss_bytes'] / 1e6:.0f} MB), merge share "
                         f"{i.get('merge_share', 0):.1%}")
        if i.get("load_seconds") is not None:
            rss = i.get("rss_delta_bytes")
            lines.append(f"- {row.row}: dictionary loaded in {fmt_time(i['load_seconds'])}"
                         + (f", {rss / 1e6:.0f} MB resident" if rss is not None else ""))
        if i.get("merge_share") is not None and row.group in ("e2e", "e2e-file"):
            lines.append(f"- {row.row}: merge {i['merge_share']:.2%} of {fmt_time(i['seconds'])}, "
                         f"tokenizer `{i.get('stats_tokenizer', '?')}`, {i.get('workers_used', '?')} workers used")
        if i.get("diff_vs_jieba"):
            lines.append(f"- {row.row}: counts differ from jieba's by {i['diff_vs_jieba']:,} tokens in all")
    return lines


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
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for name in sorted({r.row for r in kernel}):
            pts = sorted((r.info["vocab"], r.info["draws"] / r.seconds / 1e6) for r in kernel if r.row == name)
            ax.plot(*zip(*pts), marker="o", label=name)
        ax.set(xscale="log", yscale="log", xlabel="vocabulary (Zipf-drawn distinct keys)",
               ylabel="million keys counted per second", title="Counting kernel: int64 ids in hand")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        made.append(save(fig, outdir, PLOTS["kernel"]))

    points = scaling_points(run)
    if points:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for name in sorted({r.row for g in points for r in run.in_group(g)}):
            pts = [(run.get(g, name).info["distinct"], per_token(run.get(g, name)) * 1e9)
                   for g in points if run.get(g, name)]
            ax.plot(*zip(*pts), marker="o", label=name)
        ax.set(xscale="log", xlabel="distinct words", ylabel="ns per token (wall time / tokens)",
               title="Cost per token as the vocabulary grows")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
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

def load(paths: List[str]) -> List[dict]:
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
