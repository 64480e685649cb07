"""The issues' headline ratios on a baseline checkout and on this one, measured alternately in fresh processes.

Usage (from the repository root, on a quiet machine; its json keeps each child's seconds)::

    python bench/paired_baseline.py --baseline /work/baseline -o /tmp/paired-baseline

writes ``/tmp/paired-baseline.md`` (the table, also printed) and
``/tmp/paired-baseline.json`` (every sample).

bench/compare.py compares two full runs of the suite taken minutes apart, and
there the peers (the same jieba, rjieba, pandas and collections.Counter code
in both runs) moved by more than a row may lose.  Here every sample is
one fresh process of one side (its checkout first on PYTHONPATH, a TMPDIR of
its own: two commits' dictionary cache formats differ) that times the peer and
fastcount back to back, best of k each; the two sides take turns, group by
group, for several rounds (base first in even rounds, new first in odd ones).
A row's value per side is the median over the rounds of that side's ratios;
it holds when new / base >= ``--keep`` (0.95) in the direction the target
wants.  Beside it, the comparison no peer can move: fastcount's own time,
base over new, paired round by round (the median), held to the same
``--keep`` (for a ratio of two of fastcount's own rows, sequential or strided
vs random keys, the lower of the two); and the peer's time per side, the same
code on both: where it differs, the ratio's verdict speaks of the peer.

The timed operations are the bench rows' (their functions are imported from
bench/test_bench_*.py) on the same inputs, except where a row's ``how`` says
otherwise: the slow peers run on a slice, and fastcount on the same slice.
Values that do not depend on the machine's speed (bytes per key, pickled
partial size) are measured once per side.  Not measured here (minutes per
side; the full runs that bench/compare.py reads hold them): the parent's peak
memory growth and workers=2 vs 1 on the corpus 8 times (#3), the per-token
cost growth rows and the per-process Pool speedups (#5).
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import benchlib
from runs import fmt_time

FULL = benchlib.SCALES["full"]
#: Vocabulary of the kernel's headline rows (group kernel-zipf-7e+04).
ZIPF_VOCAB = 70_000
#: The first and last vocabularies of the kernel's growth row in full mode.
GROWTH_VOCABS = (1_000, 1_000_000)
#: Draws of the collections.Counter rows' slice (the bench's 10M take seconds a call).
COUNTER_DRAWS = 2_000_000
#: The jieba + dict loop (seconds on the whole corpus) runs on the first 1/CLASSIC_SHARE of the lines.
CLASSIC_SHARE = 8
#: Best of how many calls, by a call's cost: few, since a process's luck (its
#: memory's placement) moves a row by more than its calls differ; more rounds
#: of fresh processes average that out.
K_FAST, K_MID, K_SLOW = 3, 2, 2
#: The three key layouts of group kernel-layout.
LAYOUTS = ("random", "sequential", "strided")


class Row(NamedTuple):
    """One compared row: ``peer / ours`` (or a measured value) per sample."""

    key: str
    issue: str
    text: str
    higher_is_better: bool
    how: str  # where the measurement differs from the bench row's
    own_peer: bool = False  # the "peer" is fastcount too: a ratio of two of its own rows


ROWS = [
    Row("zipf-pandas", "#2", "HashCounter.add vs pandas value_counts, Zipf ids over a 70k vocabulary", True,
        "as the bench (10M ids)"),
    Row("zipf-counter", "#2", "HashCounter.add vs collections.Counter(list), same ids", True,
        f"the first {COUNTER_DRAWS:,} of the 10M ids, both sides of the ratio"),
    Row("layout-counter", "#2", "HashCounter.add vs collections.Counter, 1M distinct keys", True,
        f"the first {COUNTER_DRAWS:,} of the 10M random keys (two sweeps), both sides of the ratio"),
    Row("layout-sequential", "#2", "sequential keys 0..N as fast as random keys (HashCounter)", True,
        "as the bench", own_peer=True),
    Row("layout-strided", "#2", "keys that are multiples of 2**20 as fast as random keys (HashCounter)", True,
        "as the bench", own_peer=True),
    Row("bytes-per-key", "#2", "HashCounter memory per distinct key, 10M keys (B/key)", False,
        "as the bench; once per side"),
    Row("strings", "#2", "fastcount.Counter.update vs collections.Counter.update, real jieba tokens", True,
        "the tokens are fresh str objects made by str.split of the stored token stream (jieba.lcut's "
        "lie apart in memory)"),
    Row("workers", "#3", "count_words(jieba): workers=2 vs workers=1, real corpus", True, "as the bench"),
    Row("merge-share", "#3", "count_words(jieba): parent's merge share of the wall time, workers=2", False,
        "the median over the workers=2 calls (the bench keeps its last round's); fastcount's time: "
        "the merge's, their median"),
    Row("e2e-classic", "#4", "count_words(jieba, workers=1) vs jieba.lcut + dict loop", True,
        f"the first 1/{CLASSIC_SHARE} of the corpus's lines, both sides of the ratio"),
    Row("e2e-rjieba", "#4", "count_words(jieba, workers=1) vs rjieba.cut + collections.Counter", True,
        "as the bench"),
    Row("segment", "#4", "fastcount.lcut vs rjieba.cut", True, "as the bench"),
    Row("startup", "#4", "dictionary load time: fastcount vs jieba's cached start (fresh process)", True,
        "best of the fresh processes' load times (the bench row: their median)"),
    Row("startup-memory", "#4", "dictionary memory: jieba's over fastcount's (fresh process)", True,
        "median of the fresh processes'"),
    Row("partial-size", "#6", "serialised partial count size (B per distinct word)", False,
        "count_partition of the real corpus (the bench: one block of its generated file); once per side"),
    Row("kernel-growth", "#5", "per-key cost growth with vocabulary, ids in hand: HashCounter's own "
        f"({GROWTH_VOCABS[0]:,} -> {GROWTH_VOCABS[1]:,} keys)", False,
        "HashCounter's growth alone: the dict's is the same code on both sides"),
]

Sample = Dict[str, float]  # {"peer": s, "ours": s} or {"value": v}


# ----------------------------------------------------- in the child ----

def best_pair(peer: Callable, ours: Callable, k: int, setups: Tuple[Optional[Callable], ...] = (None, None),
              same: Optional[Callable] = None) -> Sample:
    """Best of ``k`` times of ``peer`` and of ``ours``, called back to back k times (each
    with a fresh result of its ``setups`` entry, made outside the timing, where given).
    ``same(peer's result, ours)``, where given, must hold for the last call's results."""
    best = [math.inf, math.inf]
    results = [None, None]
    for _ in range(k):
        for i, (fn, setup) in enumerate(zip((peer, ours), setups)):
            args = (setup(),) if setup is not None else ()
            start = time.perf_counter()
            results[i] = fn(*args)
            best[i] = min(best[i], time.perf_counter() - start)
    if same is not None and not same(*results):
        raise AssertionError(f"{ours} gave another result than {peer}")
    return {"peer": best[0], "ours": best[1]}


def group_kernel(data: Path) -> Dict[str, Sample]:
    import numpy as np
    import test_bench_kernel as kb

    out = {}
    ids = np.load(data / f"zipf-{ZIPF_VOCAB}.npy")
    out["zipf-pandas"] = best_pair(lambda: kb.count_pandas(ids), lambda: kb.count_hashcounter(ids), K_FAST)
    part = ids[:COUNTER_DRAWS]
    as_list = part.tolist()
    out["zipf-counter"] = best_pair(lambda: collections.Counter(as_list), lambda: kb.count_hashcounter(part),
                                    K_SLOW)
    keys = {layout: np.load(data / f"layout-{layout}.npy") for layout in LAYOUTS}
    part = keys["random"][:COUNTER_DRAWS]
    as_list = part.tolist()
    out["layout-counter"] = best_pair(lambda: collections.Counter(as_list), lambda: kb.count_hashcounter(part),
                                      K_SLOW)
    for layout in ("sequential", "strided"):
        out[f"layout-{layout}"] = best_pair(lambda: kb.count_hashcounter(keys["random"]),
                                            lambda: kb.count_hashcounter(keys[layout]), K_FAST)
    small, large = (np.load(data / f"zipf-{v}.npy") for v in GROWTH_VOCABS)
    growth = best_pair(lambda: kb.count_hashcounter(large), lambda: kb.count_hashcounter(small), K_FAST)
    out["kernel-growth"] = {"value": growth["peer"] / growth["ours"]}
    return out


def group_strings(data: Path) -> Dict[str, Sample]:
    import test_bench_strings as sb

    tokens = (data / "tokens.txt").read_text(encoding="utf-8").split("\n")
    collections.Counter(tokens)  # as the bench's expected counts: the strs' hashes cached

    def update(counter):
        counter.update(tokens)
        return counter

    return {"strings": best_pair(update, update, K_FAST, setups=(
        lambda: sb.fresh_counter("collections.Counter.update"), lambda: sb.fresh_counter("fastcount.Counter.update")),
        same=lambda expected, got: dict(got.items()) == expected)}


def group_e2e(data: Path) -> Dict[str, Sample]:
    import fastcount
    import test_bench_e2e as eb
    from fastcount.pipeline import CountStats

    lines = benchlib.read_corpus(Path(data / "corpus.txt"), None)
    benchlib.quiet_jieba()
    rjieba, lcut = eb.peer("rjieba"), eb.peer("fastcount")

    def count(workers, texts, stats=None):
        return fastcount.count_words(texts, tokenizer="jieba", workers=workers, stats=stats)

    count(1, lines[:100])
    out = {"e2e-rjieba": best_pair(lambda: eb.peer_count(rjieba, lines), lambda: count(1, lines), K_MID)}
    part = lines[:len(lines) // CLASSIC_SHARE]
    out["e2e-classic"] = best_pair(lambda: benchlib.jieba_count_lines(part), lambda: count(1, part), K_SLOW,
                                   same=lambda expected, got: dict(got.items()) == expected)
    out["segment"] = best_pair(lambda: [rjieba(t) for t in lines], lambda: [lcut(t) for t in lines], K_MID)
    merges = []

    def two():
        stats = CountStats()
        count(2, lines, stats)
        merges.append(stats)

    out["workers"] = best_pair(lambda: count(1, lines), two, K_FAST)
    out["merge-share"] = {"value": statistics.median(s.merge_share for s in merges),
                          "ours": statistics.median(s.merge_seconds for s in merges)}
    return out


def group_startup(data: Path) -> Dict[str, Sample]:
    from test_bench_e2e import STARTUP_CODE, STARTUP_LOADS

    measured: Dict[str, List[dict]] = {"jieba": [], "fastcount": []}
    for _ in range(K_FAST):
        for name in measured:
            measured[name].append(benchlib.run_python(STARTUP_CODE.format(load=STARTUP_LOADS[name])))
    jieba, ours = measured["jieba"], measured["fastcount"]
    return {
        "startup": {"peer": min(m["seconds"] for m in jieba), "ours": min(m["seconds"] for m in ours)},
        "startup-memory": {"value": statistics.median(m["rss_delta"] for m in jieba)
                           / statistics.median(m["rss_delta"] for m in ours)},
    }


def group_once(data: Path) -> Dict[str, Sample]:
    import pickle

    import test_bench_kernel as kb
    from fastcount.pipeline import count_partition

    n = FULL.memory_keys
    measured = benchlib.run_python(kb.MEMORY_CODE.format(n=n))
    partial = count_partition(benchlib.read_corpus(Path(data / "corpus.txt"), None))
    size = len(pickle.dumps(partial, protocol=pickle.HIGHEST_PROTOCOL)) / max(len(partial), 1)
    return {"bytes-per-key": {"value": measured["rss_delta"] / n}, "partial-size": {"value": size}}


def prepare(data: Path, corpus: Path) -> None:
    """The inputs every child reads: Zipf ids, the corpus, its jieba tokens (by fastcount.lcut:
    the same tokens, tested, in a fraction of jieba's time)."""
    import numpy as np

    import fastcount

    for vocab in (ZIPF_VOCAB, *GROWTH_VOCABS):
        np.save(data / f"zipf-{vocab}.npy", benchlib.zipf_ids(FULL.kernel_draws, vocab, seed=vocab))
    for layout in LAYOUTS:
        np.save(data / f"layout-{layout}.npy", benchlib.layout_keys(layout, FULL.layout_keys, FULL.layout_draws))
    lines = benchlib.read_corpus(corpus, None)
    (data / "corpus.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tokens = [w for line in lines for w in fastcount.lcut(line)]
    (data / "tokens.txt").write_text("\n".join(tokens), encoding="utf-8")


GROUPS = {"kernel": group_kernel, "strings": group_strings, "e2e": group_e2e, "startup": group_startup}


def child(group: str, data: Path, root: Path) -> None:
    """Run one group in this process (fastcount from ``root``) and print its samples as JSON."""
    import fastcount

    if not Path(fastcount.__file__).resolve().is_relative_to(root):
        raise SystemExit(f"fastcount imported from {fastcount.__file__}, not from {root}")
    if group == "prepare":
        prepare(data, Path(os.environ["PAIRED_CORPUS"]))
        return
    samples = (group_once if group == "once" else GROUPS[group])(data)
    print(json.dumps(samples))


# ----------------------------------------------------- in the parent ----

def run_child(group: str, side_root: Path, tmp: Path, data: Path, corpus: Path) -> Dict[str, Sample]:
    """One fresh process of one side running ``group``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(side_root), str(benchlib.BENCH_DIR)]),
               TMPDIR=str(tmp), PAIRED_CORPUS=str(corpus))
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", group, "--data", str(data),
                           "--root", str(side_root)], env=env, cwd=str(data), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{group} on {side_root} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    lines = proc.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def value_of(sample: Sample) -> float:
    """A sample's value: the peer's time over ours, or the measured value."""
    return sample["value"] if "value" in sample else sample["peer"] / sample["ours"]


def verdict(row: Row, base: List[Sample], new: List[Sample], keep: float) -> Tuple[float, float, float, bool]:
    """(base median, new median, gain, holds): gain is new / base for a row that wants
    a high value, base / new for one that wants a low one; it holds at >= keep."""
    b = statistics.median(value_of(s) for s in base)
    n = statistics.median(value_of(s) for s in new)
    gain = n / b if row.higher_is_better else b / n
    return b, n, gain, gain >= keep


def fmt(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:,.0f}"


def spread(samples: List[Sample]) -> str:
    """The range of the rounds' values, where there are several."""
    values = [value_of(s) for s in samples]
    return f" ({fmt(min(values))}-{fmt(max(values))})" if len(values) > 1 else ""


def own_gain(row: Row, base: List[Sample], new: List[Sample]) -> Optional[float]:
    """fastcount's own time, paired by round: the median over the rounds of base time / new
    time (> 1: faster now); for a ratio of two of its own rows, the lower of the two.
    The peer cancels out: it is the same code on both sides. None for a row whose samples
    hold no time of fastcount's."""
    gains = []
    for key in ("ours", "peer") if row.own_peer else ("ours",):
        pairs = [(b[key], n[key]) for b, n in zip(base, new) if key in b and key in n]
        if not pairs:
            return None
        gains.append(statistics.median(b / n for b, n in pairs))
    return min(gains)


def times(samples: List[Sample], key: str) -> str:
    """The median of the samples' ``key`` times, as text ("" where they have none)."""
    values = [s[key] for s in samples if key in s]
    return fmt_time(statistics.median(values)) if values else ""


def table(samples: Dict[str, Dict[str, List[Sample]]], keep: float) -> List[str]:
    """Markdown lines: one row per measured row of ROWS."""
    lines = ["| Issue | Row | Baseline (rounds' range) | New (rounds' range) | New vs baseline | Holds | "
             "fastcount's time, base -> new | Its speed, new vs base (paired) | Holds on own time | "
             "Peer's time, base -> new | Measured |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in ROWS:
        base, new = samples["base"].get(row.key, []), samples["new"].get(row.key, [])
        if not base or not new:
            continue
        b, n, gain, holds = verdict(row, base, new, keep)
        own = own_gain(row, base, new)
        own_text = "" if own is None else f"{own:.3f}x | {'yes' if own >= keep else '**no**'}"
        ours_time, peer_time = (f"{times(base, k)} -> {times(new, k)}" if times(base, k) else ""
                                for k in ("ours", "peer"))
        lines.append(f"| {row.issue} | {row.text} | {fmt(b)}{spread(base)} | {fmt(n)}{spread(new)} | {gain:.3f}x | "
                     f"{'yes' if holds else '**no**'} | {ours_time} | {own_text or ' | '} | {peer_time} | "
                     f"{row.how} |")
    return lines


def commit_of(checkout: Path) -> str:
    """The checkout's commit, and whether its tracked files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, text=True).stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "not a git checkout"
    return sha + (", with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def main(argv=None) -> int:
    """Command line: see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="the baseline checkout, built in place")
    parser.add_argument("--new", type=Path, default=benchlib.REPO_ROOT,
                        help="the checkout under test, built in place (default: this one)")
    parser.add_argument("--rounds", type=int, default=8, help="turns of each side per group (default 8)")
    parser.add_argument("--groups", default=",".join([*GROUPS, "once"]),
                        help="comma-separated groups to run (default: all)")
    parser.add_argument("--keep", type=float, default=0.95,
                        help="the least share of the baseline's value that holds (default 0.95)")
    parser.add_argument("--corpus", type=Path, default=benchlib.DEFAULT_CORPUS)
    parser.add_argument("-o", "--output", default="/tmp/paired-baseline",
                        help="write OUTPUT.md and OUTPUT.json (default /tmp/paired-baseline)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.data, args.root.resolve())
        return 0
    if args.baseline is None:
        parser.error("--baseline is required")
    if not args.corpus.is_file():
        parser.error(f"no corpus at {args.corpus}")
    sides = {"base": args.baseline.resolve(), "new": args.new.resolve()}
    groups = args.groups.split(",")
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="paired-baseline-") as work:
        work = Path(work)
        tmp = {side: work / f"tmp-{side}" for side in sides}
        for d in tmp.values():
            d.mkdir()
        run_child("prepare", sides["new"], tmp["new"], work, args.corpus)
        for side, root in sides.items():  # the dictionary caches, written outside the timing
            run_child("startup", root, tmp[side], work, args.corpus)
        samples: Dict[str, Dict[str, List[Sample]]] = {side: collections.defaultdict(list) for side in sides}
        seconds: Dict[str, List[float]] = collections.defaultdict(list)  # each child's wall time, by group
        for i in range(args.rounds):
            order = ("base", "new") if i % 2 == 0 else ("new", "base")
            for group in groups:
                if group == "once" and i > 0:
                    continue
                for side in order:
                    child_start = time.perf_counter()
                    for key, sample in run_child(group, sides[side], tmp[side], work, args.corpus).items():
                        samples[side][key].append(sample)
                    seconds[group].append(time.perf_counter() - child_start)
            print(f"round {i + 1} of {args.rounds} done at {time.time() - start:.0f} s", file=sys.stderr)
    commits = {side: commit_of(path) for side, path in sides.items()}
    lines = [f"Paired runs: baseline {sides['base']} ({commits['base']}), new {sides['new']} "
             f"({commits['new']}); {args.rounds} rounds, corpus "
             f"{args.corpus.name}, {time.strftime('%Y-%m-%d %H:%M', time.gmtime(start))}-"
             f"{time.strftime('%H:%M UTC', time.gmtime())}, keep {args.keep}", "",
             "Holds: the median of the rounds' ratios, new over base, at least keep (base over new for a "
             "cost). Holds on own time: fastcount's time, base over new paired round by round, at least "
             "keep; the peer, the same code on both sides, cannot move it.", "", *table(samples, args.keep)]
    text = "\n".join(lines)
    Path(args.output + ".md").write_text(text + "\n", encoding="utf-8")
    Path(args.output + ".json").write_text(json.dumps(
        {"baseline": str(sides["base"]), "new": str(sides["new"]), "commits": commits, "rounds": args.rounds, "keep": args.keep,
         "samples": samples, "child_seconds": seconds}, indent=1), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
