"""The targets the issues set, evaluated on a benchmark run (bench/report.py shows them).

Each target is one entry of :data:`TARGETS`.  Most are a ratio of two rows of
one group, made by :func:`speedup` ("row B at least N times as fast as row A")
or :func:`cost` ("row B takes at most N times row A's time"); a few read
measured values from a row's ``extra_info`` (:func:`within_budget`, :func:`rate`)
or need their own function below.  A target whose rows are absent shows as
"missing", never as passed.  The rows' names and extra_info keys are listed in
bench/README.md ("Adding a group").
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from runs import Row, Run, cores_of, fmt_bytes, fmt_time, per_token, scaling_points

Measured = Tuple[Optional[float], str]  # (value, shown text); value None: no verdict

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


def speedup(issue: str, text: str, group: str, slow: str, fast: str, at_least: Optional[float] = None, *,
            cores: int = 1) -> Target:
    """Target: row ``fast`` at least ``at_least`` times as fast as row ``slow`` of ``group``.

    ``at_least=None`` shows the ratio without a verdict.  ``cores``: the cores
    the comparison needs (a workers=2 row run on one core gives no verdict).
    """
    def measure(run: Run) -> Measured:
        if cores_of(run) < cores:
            return None, f"needs {cores} cores"
        value, text = ratio(run, group, slow, fast)
        return prefer_peer_pairs(value, text, run.get(group, fast), slow)

    if at_least is None:
        return Target(issue, text, "measured", measure, None)
    return Target(issue, text, f">= {at_least:g}x", measure, lambda v: v >= at_least)


def prefer_peer_pairs(value: Optional[float], text: str, row: Optional[Row], peer: str,
                      inverse: bool = False) -> Measured:
    """The median of ``row``'s back-to-back pairs with ``peer`` (``Bench.paired_against``:
    the peer's time over the row's; ``inverse``: the row's over the peer's) in place
    of the rows' ratio ``value``, where it has them; both are shown."""
    return prefer_pairs(value, text, row, "paired_peer_ratios", {"paired_peer": peer}, inverse)


def prefer_pairs(value: Optional[float], text: str, row: Optional[Row], ratios_key: str, timed_against: dict,
                 inverse: bool = False, of: str = "pairs") -> Measured:
    """The median of ``row``'s back-to-back ratios ``ratios_key`` (``inverse``: of
    their inverses) in place of the rows' ratio ``value``, where the row has them
    and its ``timed_against`` entries (what the pairs compared) are those of the
    target; both are shown. ``of``: what each ratio came from (pairs, rounds)."""
    paired = row.info.get(ratios_key) if row is not None else None
    if value is None or not paired or any(row.info.get(k) != v for k, v in timed_against.items()):
        return value, text
    value = statistics.median(paired)
    value = 1 / value if inverse else value
    return value, paired_text(value, len(paired), text, of)


def paired_text(value: float, pairs: int, rows: str, of: str = "pairs") -> str:
    """How a verdict taken from back-to-back pairs (or rounds) reads, the rows' ratio ``rows`` beside it."""
    return f"{value:.2f}x paired (median of {pairs} back-to-back {of}); the rows' medians: {rows}"


def cost(issue: str, text: str, group: str, base: str, row: str, at_most: float) -> Target:
    """Target: row ``row`` of ``group`` takes at most ``at_most`` times the time of row ``base``."""
    def measure(run: Run) -> Measured:
        value, shown = ratio(run, group, row, base)
        return prefer_peer_pairs(value, shown, run.get(group, row), base, inverse=True)

    return Target(issue, text, f"<= {at_most:g}x the time of `{base}`", measure, lambda v: v <= at_most)


def two_workers(issue: str, text: str, group: str, row: str) -> Target:
    """Target: the ``row`` with ``{}`` as 2 at least 1.7x as fast as with 1 (the issues' worker target).

    Where the workers=2 row timed the two back to back (``paired_speedup``, see
    ``Bench.paired_workers`` in conftest.py), that median of pairs decides: the
    rows' medians come from rounds minutes apart on a drifting machine. Both are shown.
    """
    def measure(run: Run) -> Measured:
        if cores_of(run) < 2:
            return None, "needs 2 cores"
        value, text = ratio(run, group, row.format(1), row.format(2))
        return prefer_paired(value, text, run.get(group, row.format(2)))

    return Target(issue, text, ">= 1.7x", measure, lambda v: v >= 1.7)


def prefer_paired(value: Optional[float], text: str, two: Optional[Row]) -> Measured:
    """The workers=2 row's median of back-to-back pairs (``paired_speedup``) in
    place of the rows' ratio ``value``, where it has one; both are shown."""
    paired = two.info.get("paired_speedup") if two is not None else None
    if value is None or paired is None:
        return value, text
    text = paired_text(paired, len(two.info.get("paired_ratios", ())), text)
    ceiling = two.info.get("paired_ceiling")
    if ceiling:
        text += (f"; this machine's ceiling for the work, paired: {ceiling:.2f}x "
                 f"(the count reaches {paired / ceiling:.0%} of it)")
    return paired, text


def within_budget(issue: str, text: str, group: str, row: str) -> Target:
    """Target: the row's measured peak memory within its memory budget plus the overhead it states.

    The row sets ``peak_rss_bytes``, ``budget_bytes`` and ``overhead_bytes``
    (the fixed overhead the README states), and ``spills`` where it spilled.
    """
    def measure(run: Run) -> Measured:
        r = run.get(group, row)
        keys = ("peak_rss_bytes", "budget_bytes", "overhead_bytes")
        if r is None or any(r.info.get(k) is None for k in keys):
            return None, f"missing row `{row}` in `{group}` with {', '.join(keys)}"
        peak, budget, overhead = (r.info[k] for k in keys)
        value = peak / (budget + overhead)
        spills = r.info.get("spills")
        return value, (f"peak {fmt_bytes(peak)} = {value:.0%} of the {fmt_bytes(budget)} budget + "
                       f"{fmt_bytes(overhead)} stated overhead" + (f", {spills} spills" if spills is not None else ""))

    return Target(issue, text, "peak <= budget + stated overhead", measure, lambda v: v <= 1)


def rate(issue: str, text: str, group: str, row: str) -> Target:
    """Shown, no verdict: the row's throughput in MB/s of its ``corpus_bytes``."""
    def measure(run: Run) -> Measured:
        r = run.get(group, row)
        if r is None or not r.info.get("corpus_bytes"):
            return None, f"missing row `{row}` in `{group}` with corpus_bytes"
        value = r.info["corpus_bytes"] / r.seconds / 1e6
        return value, f"{value:.1f} MB/s ({fmt_bytes(r.info['corpus_bytes'])} in {fmt_time(r.seconds)})"

    return Target(issue, text, "measured", measure, None)


def native_note(run: Run, row: Row) -> str:
    used = row.info.get("stats_tokenizer")
    return f"; tokenizer ran as `{used}`" if used and "native" not in used and row.info.get("tokenizer") == "jieba" else ""


def native_ratio(run: Run, slow_row: str, fast_row: str):
    """ratio() for a count_words(jieba) row, saying when it did not run the native path;
    from the row's back-to-back pairs where it timed them with ``slow_row``."""
    value, text = ratio(run, "e2e", slow_row, fast_row)
    row = run.get("e2e", fast_row)
    return prefer_peer_pairs(value, text + (native_note(run, row) if row and value is not None else ""), row, slow_row)


def workers_speedup(run: Run):
    n = min(2, cores_of(run))
    if n < 2:
        return None, "needs 2 cores"
    value, text = ratio(run, "e2e", "count_words(jieba, workers=1)", "count_words(jieba, workers=2)")
    row = run.get("e2e", "count_words(jieba, workers=2)")
    return prefer_paired(value, text + (native_note(run, row) if row else ""), row)


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


def scaling_rows(run: Run, row_name: str) -> List[Row]:
    """The row ``row_name`` of each scaling group that has it, smallest vocabulary first."""
    return [run.get(g, row_name) for g in scaling_points(run) if run.get(g, row_name)]


def cost_growth(run: Run, row_name: str) -> Tuple[Optional[float], str]:
    rows = scaling_rows(run, row_name)
    if len(rows) < 2:
        return None, f"needs two scaling points with `{row_name}`"
    first, last = rows[0], rows[-1]
    growth = per_token(last) / per_token(first)
    return growth, (f"{growth:.2f}x ({per_token(first) * 1e9:.0f} -> {per_token(last) * 1e9:.0f} ns/token, "
                    f"{first.info['distinct']:,} -> {last.info['distinct']:,} words)")


def growth_compare(run: Run, fast_row: str):
    dict_growth, dict_text = cost_growth(run, "dict classic")
    fast_growth, fast_text = cost_growth(run, fast_row)
    if dict_growth is None or fast_growth is None:
        return None, dict_text if dict_growth is None else fast_text
    return prefer_growth_pairs(dict_growth / fast_growth, f"dict {dict_text} / {fast_row} {fast_text}",
                               scaling_rows(run, fast_row), "dict classic")


def kernel_rows(run: Run, row_name: str) -> List[Row]:
    """The row ``row_name`` of each ``kernel-zipf-*`` group that has it, smallest vocabulary first."""
    return sorted((r for r in run.family("kernel-zipf") if r.row == row_name), key=lambda r: r.info["vocab"])


def kernel_growth(run: Run, row_name: str) -> Tuple[Optional[float], str]:
    rows = kernel_rows(run, row_name)
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
    return prefer_growth_pairs(dict_growth / fast_growth, f"dict {dict_text} / HashCounter {fast_text}",
                               kernel_rows(run, "HashCounter"), "dict")


def prefer_growth_pairs(value: float, text: str, rows: List[Row], peer: str) -> Measured:
    """A growth target's ratio (the peer's growth over ours, ``text`` its two growths)
    from the rounds the largest of ``rows`` timed back to back (``Bench.paired_growth``)
    against ``peer``, from the smallest row's group, where it has them; both are shown.
    """
    return prefer_pairs(value, f"{value:.2f}x = {text}", rows[-1], "paired_growth_ratios",
                        {"paired_growth_peer": peer, "paired_growth_from": rows[0].group}, of="rounds")


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


def machine_ceiling(run: Run):
    """2 x time(loop, one process) / time(loop, two processes at once): the machine's own two-core speedup."""
    one, two = (run.get("machine", f"pure-Python loop, {n}") for n in ("1 process", "2 processes at once"))
    if one is None or two is None:
        return None, "missing the `machine` group's rows"
    value = 2 * one.seconds / two.seconds
    return value, f"{value:.2f}x (2 x {fmt_time(one.seconds)} / {fmt_time(two.seconds)})"


TARGETS = [
    speedup("#2", "HashCounter.add vs pandas value_counts, Zipf ids over a 70k vocabulary", "kernel-zipf-7e+04",
            "pandas", "HashCounter", 5),
    speedup("#2", "HashCounter.add vs collections.Counter(list), same ids", "kernel-zipf-7e+04",
            "Counter", "HashCounter", 10),
    speedup("#2", "HashCounter.add vs collections.Counter, 1M distinct keys", "kernel-layout",
            "Counter-random", "HashCounter-random", 3),
    speedup("#2", "sequential keys 0..N as fast as random keys (HashCounter)", "kernel-layout",
            "HashCounter-random", "HashCounter-sequential", 0.75),
    speedup("#2", "keys that are multiples of 2**20 as fast as random keys (HashCounter)", "kernel-layout",
            "HashCounter-random", "HashCounter-strided", 0.75),
    Target("#2", "HashCounter memory per distinct key, 10M keys", "<= 32 B/key", bytes_per_key, lambda v: v <= 32),
    speedup("#2", "fastcount.Counter.update vs collections.Counter.update, real jieba tokens", "strings",
            "collections.Counter.update", "fastcount.Counter.update", 1.5),
    Target("#3, #12-#15", "this machine: two processes vs one, the same pure-Python loop in each (the ceiling of the "
           "two-worker targets)", "measured", machine_ceiling, None),
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
    speedup("#4", "fastcount.lcut vs rjieba.cut", "segment", "rjieba.cut", "fastcount.lcut", 1),
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
    # Issue #11: adversarial keys (group kernel-adversarial, core's rows).
    cost("#11", "crafted keys vs random keys, HashCounter.add", "kernel-adversarial",
         "HashCounter-random", "HashCounter-crafted", 2),
    cost("#11", "another table's key order vs the same keys shuffled, into an empty HashCounter",
         "kernel-adversarial", "HashCounter-shuffled", "HashCounter-table-order", 2),
    # Issue #12 item 8: worker processes inherit the loaded tokenizer where the platform forks.
    two_workers("#12", "count_words(jieba-py): workers=2 vs workers=1, a few thousand lines", "e2e-small",
                "count_words(jieba-py, workers={})"),
    # Issue #13: statistics (group e2e-stats) and the segmented corpus (group cut).
    cost("#13", "document frequencies: count_words with df vs without, same tokenizer and workers", "e2e-stats",
         "count_words(jieba, workers=1)", "count_words(jieba, df, workers=1)", 1.25),
    cost("#13", "filters: count_words with filters vs without", "e2e-stats",
         "count_words(jieba, workers=1)", "count_words(jieba, filters, workers=1)", 1.05),
    speedup("#13", "fastcount cut, one worker, vs python -m jieba -d ' '", "cut",
            "python -m jieba -d ' '", "fastcount cut (workers=1)", 20),
    two_workers("#13", "fastcount cut: two workers vs one, the corpus 8 times in one file", "cut-file",
                "fastcount cut (workers={})"),
    # Issue #14: POS tagging (groups posseg: tagging alone, e2e-pos: counting by word and tag).
    speedup("#14", "POS counting, one worker, vs jieba.posseg.lcut + collections.Counter", "e2e-pos",
            "jieba.posseg+Counter", "count_words(pos, workers=1)", 60),
    two_workers("#14", "POS counting: two workers vs one", "e2e-pos", "count_words(pos, workers={})"),
    speedup("#14", "fastcount.posseg.lcut vs rjieba.tag", "posseg", "rjieba.tag", "fastcount.posseg.lcut", 1),
    cost("#14", "POS counting vs plain count_words, same text, one worker", "e2e-pos",
         "count_words(jieba, workers=1)", "count_words(pos, workers=1)", 2.5),
    # Issue #15: n-grams (groups ngram-char, ngram-spill, ngram-1gb) and new-word discovery.
    speedup("#15", "character 1..4-grams, one worker, vs collections.Counter over slices", "ngram-char",
            "Counter over slices", "count_ngrams(char 1-4, workers=1)", 20),
    two_workers("#15", "character 1..4-grams: two workers vs one", "ngram-char",
                "count_ngrams(char 1-4, workers={})"),
    cost("#15", "character 1..4-grams spilled (>= 4 spills) vs in memory", "ngram-spill",
         "count_ngrams(char 1-4, in memory)", "count_ngrams(char 1-4, spilled)", 2),
    within_budget("#15", "character 1..4-grams spilled: peak memory", "ngram-spill",
                  "count_ngrams(char 1-4, spilled)"),
    within_budget("#15", "1 GB generated corpus, character 1..6-grams: peak memory in a 2 GB budget", "ngram-1gb",
                  "count_ngrams(char 1-6, budget 2GB)"),
    rate("#15", "1 GB generated corpus, character 1..6-grams: throughput", "ngram-1gb",
         "count_ngrams(char 1-6, budget 2GB)"),
    speedup("#15", "fastcount discover vs the Python reference of the same statistics", "discover",
            "Python reference", "fastcount discover", 20),
]
