"""Configuration of the fastcount benchmark suite (pytest-benchmark).

Modes:
  smoke (default): every benchmark runs ONCE on tiny inputs and its result is
      checked, so the suite runs inside the normal ``pytest`` and cannot rot;
  full (``--fastcount-full`` or ``FASTCOUNT_BENCH=full``): the README numbers;
  huge (``--fastcount-huge`` or ``FASTCOUNT_BENCH=huge``): full plus the
      1e7-key and 1 GB rows.

The real corpus is ``../shared/corpus/reviews.txt`` next to the repository
(``FASTCOUNT_BENCH_CORPUS`` overrides it); without it, generated text is used.
"""

from __future__ import annotations

import collections
import dataclasses
import gc
import os
import platform
import statistics
import time
from pathlib import Path

import pytest

import benchlib

_MODES = ("smoke", "full", "huge")


def pytest_addoption(parser):
    group = parser.getgroup("fastcount-bench", "fastcount benchmarks (bench/)")
    group.addoption("--fastcount-full", action="store_true", default=False,
                    help="run the benchmarks at full size (default: smoke mode, each once, tiny inputs)")
    group.addoption("--fastcount-huge", action="store_true", default=False,
                    help="full size plus the opt-in 1e7-key and 1 GB rows")


def bench_mode(config) -> str:
    if config.getoption("--fastcount-huge", default=False):
        return "huge"
    if config.getoption("--fastcount-full", default=False):
        return "full"
    mode = os.environ.get("FASTCOUNT_BENCH", "smoke").strip().lower() or "smoke"
    if mode not in _MODES:
        raise pytest.UsageError(f"FASTCOUNT_BENCH={mode!r}: expected one of {', '.join(_MODES)}")
    return mode


def pytest_configure(config):
    bench_mode(config)  # a bad FASTCOUNT_BENCH stops the run at once, not in every test


def pytest_report_header(config):
    mode = bench_mode(config)
    return f"fastcount bench: {mode} mode, {benchlib.cores()} cores, {platform.machine()}"


@pytest.fixture(scope="session")
def scale(pytestconfig) -> benchlib.Scale:
    """Sizes and rounds of the current mode (``FASTCOUNT_BENCH_ROUNDS=N`` sets the rounds)."""
    chosen = benchlib.SCALES[bench_mode(pytestconfig)]
    rounds = os.environ.get("FASTCOUNT_BENCH_ROUNDS")
    if rounds and not chosen.smoke:
        if not rounds.isdigit() or int(rounds) < 1:
            raise pytest.UsageError(f"FASTCOUNT_BENCH_ROUNDS={rounds!r}: expected a positive integer")
        chosen = dataclasses.replace(chosen, rounds=int(rounds), rounds_slow=int(rounds))
    return chosen


class Bench:
    """Runs one benchmark: once in smoke mode, ``rounds`` times otherwise.

    Wraps pytest-benchmark's fixture so that every row sets its group and its
    ``extra_info`` the same way (bench/report.py reads them), and so that a
    fresh input (``setup``) is made outside the timed region each round.
    """

    def __init__(self, benchmark, scale):
        self.benchmark = benchmark
        self.scale = scale
        if scale.smoke:
            # As --benchmark-disable: the function runs once, untimed.
            benchmark.disabled = True
        else:
            _MEASURED.append(self)

    @property
    def info(self) -> dict:
        """The row's ``extra_info``, saved in pytest-benchmark's JSON."""
        return self.benchmark.extra_info

    def __call__(self, group, row, fn, *, setup=None, slow=False, rounds=None, **info):
        """Time ``fn`` (called with ``setup()``'s result, if given) and return its last result.

        ``slow`` rows (seconds per call) get fewer rounds; ``rounds`` overrides both.
        """
        self.benchmark.group = group
        self.info.update(row=row, mode=self.scale.mode, **info)
        if rounds is None:
            rounds = self.scale.rounds_slow if slow else self.scale.rounds
        if setup is None:
            return self.benchmark.pedantic(fn, rounds=rounds, warmup_rounds=0)
        return self.benchmark.pedantic(fn, setup=lambda: ((setup(),), {}), rounds=rounds, warmup_rounds=0)

    def paired_workers(self, run_with) -> None:
        """Also time ``run_with(1)`` and ``run_with(2)`` back to back, in alternating order,
        PAIRS times, and record the median of the pairs' time ratios (``paired_speedup``).

        The rows' own medians are taken minutes apart (all rounds of one row, then
        the other's); the second vCPU of a shared VM drifts in between, which moves a
        two-worker ratio by more than its targets' margin. Once in smoke mode.
        """
        self.paired("paired_speedup", "paired_ratios", lambda: run_with(1), lambda: run_with(2))

    def paired_against(self, peer_row: str, peer, own) -> None:
        """Also time the peer's ``peer()`` and this row's ``own()`` back to back, in
        alternating order, PAIRS times; record the pairs' ratios (the peer's time over
        ours) as ``paired_peer_ratios`` and their median, for ``peer_row``'s target.

        The two rows' own medians are taken minutes apart (other peers run in
        between); on a drifting machine that moves a ratio by more than its margin.
        """
        self.info["paired_peer"] = peer_row
        self.paired("paired_peer_speedup", "paired_peer_ratios", peer, own)

    def paired(self, key, ratios_key, one, two) -> None:
        """Time ``one()`` and ``two()`` back to back, in alternating order, PAIRS times
        (once in smoke mode); record the median of the pairs' ratios (one's time over
        two's) as ``key`` and the ratios as ``ratios_key``."""
        ratios = [s["one"] / s["two"] for s in self.interleaved({"one": one, "two": two})]
        self.info.update({key: statistics.median(ratios), ratios_key: ratios})

    def paired_growth(self, peer_row: str, small_group: str, peer_small, own_small, peer_large, own_large) -> None:
        """Also time the peer's and this row's function on the small input and on this
        row's (large) one back to back, in alternating order, PAIRS rounds; record per
        round the peer's growth (large over small) over ours as ``paired_growth_ratios``
        and their median, with ``paired_growth_peer`` and ``paired_growth_from``
        (``small_group``: the group of the small input), for the growth targets.

        A growth target divides two rows' growth factors: four rows' medians taken in
        four groups minutes apart, where one drifting row moves the verdict.
        """
        fns = {"peer small": peer_small, "own small": own_small, "peer large": peer_large, "own large": own_large}
        ratios = [(s["peer large"] / s["peer small"]) / (s["own large"] / s["own small"])
                  for s in self.interleaved(fns)]
        self.info.update(paired_growth_peer=peer_row, paired_growth_from=small_group,
                         paired_growth=statistics.median(ratios), paired_growth_ratios=ratios)

    def interleaved(self, fns: dict) -> list:
        """Each of ``fns`` (name -> function) timed once a round, in their order in even
        rounds and in reverse in odd ones, PAIRS rounds (once in smoke mode): each
        round's seconds by name. Back to back, so that a drifting machine moves all
        of a round's times together. Each starts from a collected heap: else the
        full collection that one function's garbage brings due may fall in the
        next one's time (it walks everything the session holds)."""
        order = list(fns.items())
        rounds = []
        for i in range(1 if self.scale.smoke else PAIRS):
            seconds = {}
            for name, fn in (order if i % 2 == 0 else order[::-1]):
                gc.collect()
                start = time.perf_counter()
                fn()
                seconds[name] = time.perf_counter() - start
            rounds.append(seconds)
        return rounds


#: Back-to-back pairs (rounds) of ``Bench.paired`` and ``Bench.paired_growth``.
PAIRS = 7


# Timed rows of this session, for the summary of measured extras.
_MEASURED = []

# extra_info keys worth printing after the timing tables, with their format.
_EXTRAS = {
    "bytes_per_key": lambda v: f"{v:.1f} bytes per key",
    "rss_delta_bytes": lambda v: f"{v / 1e6:.1f} MB resident",
    "peak_rss_bytes": lambda v: f"parent peak {v / 1e6:.1f} MB",
    "parent_rss_bytes": lambda v: f"parent resident {v / 1e6:.0f} MB",
    "load_seconds": lambda v: f"loaded in {v:.3f} s",
    "merge_share": lambda v: f"merge {v:.2%} of the wall time",
    "identical_lines": lambda v: f"{v:,} lines identical to the reference",
    "diff_vs_jieba": lambda v: f"{v:,} tokens counted differently from the reference",
    "workers_used": lambda v: f"{v} workers used",
    "paired_speedup": lambda v: f"workers=2 vs 1 paired back to back: {v:.2f}x",
    "paired_peer_speedup": lambda v: f"against its target's peer, paired back to back: {v:.2f}x",
    "paired_growth": lambda v: f"the peer's cost growth over this row's, rounds back to back: {v:.2f}x",
    "paired_ceiling": lambda v: f"this machine's ceiling (the work in 2 threads vs 1, paired): {v:.2f}x",
}


def pytest_terminal_summary(terminalreporter):
    """Print the measured extras (memory, merge share, ...) that the timing tables leave out."""
    lines = []
    for b in _MEASURED:
        info = b.info
        shown = [fmt(info[k]) for k, fmt in _EXTRAS.items() if info.get(k) is not None]
        if shown and "row" in info:
            lines.append(f"{b.benchmark.group} / {info['row']}: " + ", ".join(shown))
    if lines:
        terminalreporter.write_sep("-", "fastcount bench: measured extras (also in the JSON's extra_info)")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def bench(benchmark, scale) -> Bench:
    return Bench(benchmark, scale)


@pytest.fixture(scope="session")
def corpus(scale, tmp_path_factory):
    """The corpus for the end-to-end rows: real text when present, else generated."""
    env = os.environ.get("FASTCOUNT_BENCH_CORPUS")
    path = Path(env) if env else benchlib.DEFAULT_CORPUS
    if env and not path.is_file():
        raise pytest.UsageError(f"FASTCOUNT_BENCH_CORPUS={env!r} is not a file")
    if path.is_file():
        lines = benchlib.read_corpus(path, scale.corpus_lines)
        name = path.name
    else:
        from fastcount import datasets

        size = scale.generated_corpus_bytes
        lines = list(datasets.generate(size, seed=0))
        name = f"generated-{size}"
    return Corpus(name=name, lines=lines, real=path.is_file())


class Corpus:
    """Texts of the end-to-end corpus, with what the report shows about them."""

    def __init__(self, name, lines, real):
        self.name = name
        self.lines = lines
        self.real = real
        self.text = "\n".join(lines)
        self.nbytes = len(self.text.encode("utf-8")) + 1  # with a final newline

    def info(self) -> dict:
        return {"corpus": self.name, "corpus_bytes": self.nbytes, "corpus_lines": len(self.lines),
                "real_corpus": self.real}


@pytest.fixture(scope="session")
def jieba_lines(corpus):
    """jieba.lcut tokens of each line of the corpus (the reference of every parity check)."""
    jieba = benchlib.quiet_jieba()
    return [jieba.lcut(line) for line in corpus.lines]


@pytest.fixture(scope="session")
def jieba_reference(jieba_lines):
    """jieba.lcut tokens of the corpus (all, flattened) and their exact counts without whitespace."""
    tokens = [w for line in jieba_lines for w in line]
    counts = collections.Counter(w for w in tokens if not w.isspace())
    return tokens, counts
