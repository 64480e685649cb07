"""Shared pieces of the benchmark suite: sizes per mode, data, peers, measurements.

Kept out of conftest.py so that worker processes (multiprocessing pickles
functions by module name) and bench/report.py can import them.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import multiprocessing
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "reviews.txt"

# Lines per batch in the batched versions of the classic loop: each batch is
# counted into its own small dict, which is the point of the experiment.
BATCH_LINES = 1000


def cores() -> int:
    """CPUs this process may use (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@dataclasses.dataclass(frozen=True)
class Scale:
    """Input sizes and rounds for one mode of the suite.

    smoke: every benchmark runs once on tiny inputs (the normal test run);
    full: the numbers for the README (about 20 minutes on 2 cores);
    huge: full plus the 1e7-key and 1 GB rows.
    """

    mode: str
    kernel_draws: int          # Zipf ids per kernel benchmark (10M in the issue)
    layout_keys: int           # distinct keys in the sequential/strided/random group
    layout_draws: int
    memory_keys: int           # distinct keys for the bytes-per-key measurement
    corpus_lines: Optional[int]  # None: the whole corpus
    generated_corpus_bytes: int  # stand-in for the real corpus when it is absent
    scaling_bytes: int         # pre-segmented text per scaling point
    scaling_extra_divisor: int  # smoke mode shrinks the synthetic vocabularies
    parent_memory_sizes: tuple  # corpus sizes for count_words' parent peak memory
    rounds: int                # rounds of a fast benchmark
    rounds_slow: int           # rounds of a benchmark that takes seconds

    @property
    def smoke(self) -> bool:
        return self.mode == "smoke"

    @property
    def huge(self) -> bool:
        return self.mode == "huge"


SCALES = {
    "smoke": Scale("smoke", 20_000, 5_000, 20_000, 50_000, 200, 40_000, 60_000, 1000,
                   (10_000, 20_000, 40_000, 80_000), 1, 1),
    "full": Scale("full", 10_000_000, 1_000_000, 10_000_000, 10_000_000, None, 7_500_000,
                  24_000_000, 1, (8_000_000, 32_000_000, 128_000_000), 5, 3),
}
SCALES["huge"] = dataclasses.replace(
    SCALES["full"], mode="huge", parent_memory_sizes=SCALES["full"].parent_memory_sizes + (1_000_000_000,)
)


# ---------------------------------------------------------------- data ----

def zipf_ids(n: int, vocab: int, seed: int = 0, s: float = 1.0) -> np.ndarray:
    """n int64 ids drawn by Zipf's law (weight 1/rank**s) over ``vocab`` ranks.

    Ids are numbered in order of first sight, as a Vocab numbers words: the
    frequent words get the small ids, but not in exact rank order.
    """
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(1.0 / np.arange(1, vocab + 1, dtype=np.float64) ** s)
    # Sorted queries make searchsorted walk the table in order (several times
    # faster at 10M draws); shuffling the result restores i.i.d. draws.
    u = rng.random(n) * cdf[-1]
    u.sort()
    ranks = np.searchsorted(cdf, u, side="right")
    del u
    np.minimum(ranks, vocab - 1, out=ranks)  # guard the float edge at cdf[-1]
    rng.shuffle(ranks)
    first = np.full(vocab, n, dtype=np.int64)
    np.minimum.at(first, ranks, np.arange(n, dtype=np.int64))
    seen = np.flatnonzero(first < n)
    new_id = np.empty(vocab, dtype=np.int64)
    new_id[seen[np.argsort(first[seen], kind="stable")]] = np.arange(len(seen), dtype=np.int64)
    return new_id[ranks]


def layout_keys(layout: str, distinct: int, n: int, seed: int = 0) -> np.ndarray:
    """n keys sweeping over ``distinct`` keys whose values follow ``layout``.

    The access pattern is the same for every layout (key i % distinct at step
    i); only the key values differ: random 64-bit values, 0..distinct-1, or
    multiples of 2**20.  A table that trusts its keys to be well spread
    (identity hash, power-of-two size) degrades badly on the last one.
    """
    slot = np.arange(n, dtype=np.int64) % distinct
    if layout == "sequential":
        return slot
    if layout == "strided":
        return slot << 20
    if layout == "random":
        rng = np.random.default_rng(seed)
        values = sorted_unique(rng.integers(-(2**63), 2**63 - 1, int(distinct * 1.01) + 16, dtype=np.int64))
        values = rng.permutation(values)[:distinct]
        assert len(values) == distinct
        return values[slot]
    raise ValueError(f"unknown layout {layout!r}")


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """The distinct values of ``a``, sorted.

    By sorting: numpy 2.x's np.unique can take a hash-based path that is
    very slow (tens of seconds) on 10M random 64-bit keys.
    """
    s = np.sort(a)
    if len(s) == 0:
        return s
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def canonical_counts(keys, counts):
    """(sorted keys, counts in that order) as int64 arrays, for comparing results."""
    keys = np.asarray(keys, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    return keys[order], counts[order]


def mapping_arrays(mapping) -> tuple:
    """A dict-like of int -> count as canonical arrays."""
    n = len(mapping)
    keys = np.fromiter(mapping.keys(), dtype=np.int64, count=n)
    counts = np.fromiter(mapping.values(), dtype=np.int64, count=n)
    return canonical_counts(keys, counts)


def read_corpus(path: Path, lines: Optional[int]) -> List[str]:
    """The texts of a corpus file, one per line, without line ends."""
    out = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if lines is not None and i >= lines:
                break
            out.append(line.rstrip("\n"))
    return out


def batches(items: List, size: int) -> Iterator[List]:
    """Consecutive slices of ``items`` of ``size`` elements (the last may be shorter)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ----------------------------------------------------- classic counting ----

def quiet_jieba():
    """Import jieba with its start-up chatter silenced, initialised."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def jieba_count_lines(lines: Iterable[str]) -> Dict[str, int]:
    """The classic loop: jieba.lcut, then ``d[w] = d.get(w, 0) + 1`` (whitespace skipped)."""
    import jieba

    lcut = jieba.lcut
    d: Dict[str, int] = {}
    get = d.get
    for line in lines:
        for w in lcut(line):
            if not w.isspace():
                d[w] = get(w, 0) + 1
    return d


def dict_count(keys: Iterable) -> dict:
    """The classic loop over keys in hand: ``d[k] = d.get(k, 0) + 1``."""
    d: dict = {}
    get = d.get
    for k in keys:
        d[k] = get(k, 0) + 1
    return d


def split_count_lines(lines: Iterable[str]) -> Dict[str, int]:
    """The classic loop on a pre-segmented corpus: ``str.split`` tokens into one dict."""
    d: Dict[str, int] = {}
    get = d.get
    for line in lines:
        for w in line.split():
            d[w] = get(w, 0) + 1
    return d


def merge_into(total: Dict[str, int], part: Dict[str, int]) -> None:
    """Add a partial dict of counts into ``total``."""
    get = total.get
    for w, c in part.items():
        total[w] = get(w, 0) + c


def batched_single_process(count_batch, lines: List[str], batch_lines: int = BATCH_LINES) -> Dict[str, int]:
    """Count each batch into its own small dict and merge it into the total."""
    total: Dict[str, int] = {}
    for batch in batches(lines, batch_lines):
        merge_into(total, count_batch(batch))
    return total


def _init_jieba_worker():
    quiet_jieba()


def batched_multi_process(count_batch, lines: List[str], workers: int, batch_lines: int = BATCH_LINES,
                          jieba_worker: bool = False) -> Dict[str, int]:
    """The multi-process experiment: a Pool counts batches into small dicts, the parent merges.

    The pool's start-up is part of the measured time, as it is for a user.
    """
    total: Dict[str, int] = {}
    pool = multiprocessing.Pool(workers, initializer=_init_jieba_worker if jieba_worker else None)
    try:
        for part in pool.imap_unordered(count_batch, batches(lines, batch_lines)):
            merge_into(total, part)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return total


def jieba_parallel_count(text: str, workers: int) -> Dict[str, int]:
    """jieba.enable_parallel(workers) over the whole text, then the dict loop.

    jieba splits the text into lines and maps them over its own Pool; only the
    module-level ``jieba.cut`` is switched (``jieba.lcut`` is not).
    """
    import jieba

    jieba.enable_parallel(workers)
    pool = jieba.pool
    try:
        d: Dict[str, int] = {}
        get = d.get
        for w in jieba.cut(text):
            if not w.isspace():
                d[w] = get(w, 0) + 1
    finally:
        jieba.disable_parallel()  # closes the pool without waiting for it
        pool.join()
    return d


def spin(n: int) -> int:
    """CPU-bound pure-Python work, the same in every process (the machine group's loop)."""
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
    return total


def counter_without_whitespace(tokens: Iterable[str]) -> collections.Counter:
    """collections.Counter of tokens, then the pure-whitespace tokens dropped."""
    c = collections.Counter(tokens)
    for w in [w for w in c if w.isspace()]:
        del c[w]
    return c


def count_difference(a, b) -> int:
    """Sum over words of |a[w] - b[w]|: 0 when the two counts are equal."""
    return sum(abs(a.get(w, 0) - b.get(w, 0)) for w in set(a) | set(b))


# ------------------------------------------------------- measurements ----

def child_env() -> dict:
    """The environment of a child Python that imports the same fastcount as this
    process (an in-place build or the installed package) and benchlib.

    Run the child outside the checkout (``cwd``): there its uncompiled
    ``fastcount/`` would shadow the installed package.
    """
    import fastcount

    env = dict(os.environ)
    paths = [str(BENCH_DIR), str(Path(fastcount.__file__).resolve().parent.parent), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def run_python(code: str, timeout: float = 900) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line.

    Memory is measured in a fresh process so that earlier benchmarks (and the
    allocator's cached free memory) cannot blur it.
    """
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=timeout, env=child_env(), cwd=str(BENCH_DIR),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"measurement subprocess failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# Imported by the measurement subprocesses (``from benchlib import rss_bytes``).
def rss_bytes() -> Optional[int]:
    """Resident set size of this process now, or None where it cannot be read."""
    try:
        import psutil

        return psutil.Process().memory_info().rss
    except ImportError:
        pass
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def _vm_hwm() -> Optional[int]:
    """Linux: this process's resident high-water mark (VmHWM), in bytes."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


class PeakRSS:
    """Peak resident memory of this process inside a ``with`` block.

    On Linux the high-water mark is reset at the start (``/proc/self/clear_refs``)
    and read at the end.  getrusage's ru_maxrss cannot be used: it keeps the
    maximum over the process's life, including the memory of the parent it was
    forked from before exec.  Elsewhere the resident size is sampled every 2 ms.
    """

    def __enter__(self):
        import threading

        self.baseline = rss_bytes()
        self.peak: Optional[int] = None
        self.method = None
        self._thread = None
        if _vm_hwm() is not None:
            try:
                with open("/proc/self/clear_refs", "w") as f:
                    f.write("5")
                self.method = "VmHWM"
            except OSError:
                pass
        if self.method is None and self.baseline is not None:
            self.method = "sampled"
            self._stop = threading.Event()
            self._samples = [self.baseline]

            def sample():
                while not self._stop.wait(0.002):
                    self._samples.append(rss_bytes())

            self._thread = threading.Thread(target=sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.method == "VmHWM":
            self.peak = _vm_hwm()
        elif self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._samples.append(rss_bytes())
            self.peak = max(self._samples)
        return False


def peak_rss_bytes() -> Optional[int]:
    """Peak resident set size of this process (not its children), or None.

    Includes whatever the process was forked from; see :class:`PeakRSS`.
    """
    try:
        import resource
    except ImportError:
        try:
            import psutil

            return getattr(psutil.Process().memory_info(), "peak_wset", None)
        except ImportError:
            return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere
