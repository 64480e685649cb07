"""N-gram counting and new-word discovery (issue #15).

ngram-char: character 1..4-grams of the corpus by ``collections.Counter``
over slices (the straightforward Python reference: the lines split at
whitespace and punctuation by one regex, then every slice of every run
counted) against ``count_ngrams`` with one and two workers; same counts.
The one-worker row is also timed back to back with the reference (pairs,
``Bench.paired_against``), as the spilled row is with the in-memory one.
The two-worker row also records the machine's ceiling for this work,
paired like its speedup (``paired_ceiling``): one thread feeding every line
to one table against two threads feeding halves to two, nothing merged.

ngram-spill: the same count in memory and with a budget small enough for
at least 4 spills (the same counts); the spilled count's peak resident
memory is measured in a fresh process, streaming its output to /dev/null,
against the budget plus the stated overhead: what the process held before
counting plus :data:`BUFFERS` (the chunks in flight, the runs' read and
write buffers).

ngram-1gb (huge mode): character 1..6-grams of the 1 GB generated corpus
(``fastcount.datasets``) within a 2 GB budget, in a fresh process: peak
memory and MB/s.

discover: the statistics of every candidate (2..4 characters, counted at
least 5 times) by the Python reference of the tests (tests/ngram_reference.py,
counting with Counter over slices) against ``discover_words``; equal, floats
included. fastcount's row also times the two back to back (``paired_peer``).
"""

import collections
import functools
import os
import re
import sys
import threading
import unicodedata
from pathlib import Path

import pytest

import benchlib
import fastcount
from fastcount.ngrams import NgramStats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from ngram_reference import discovery  # noqa: E402  (the reference the tests check against)

CORES = benchlib.cores()
#: The fixed overhead stated on top of the budget and of the process before
#: counting: chunks in flight, run write buffers (1 MiB a table), merge read
#: buffers (256 KiB a run, at most 64 runs at once) and the TSV buffer.
BUFFERS = 64 << 20


@functools.lru_cache(maxsize=2)
def _split_runs(keep_punct: bool):
    """``re.split`` at whitespace and (unless kept) punctuation: one compiled class."""
    chars = [chr(c) for c in range(0x110000)
             if chr(c).isspace() or (not keep_punct and unicodedata.category(chr(c)).startswith("P"))]
    return re.compile("[" + "".join(map(re.escape, chars)) + "]+").split


def counter_over_slices(lines, lo, hi, keep_punct=False) -> collections.Counter:
    """Character lo..hi-grams: collections.Counter over the slices of each run."""
    split = _split_runs(keep_punct)
    counts = collections.Counter()
    for line in lines:
        for run in split(line):
            for n in range(lo, hi + 1):
                counts.update([run[i : i + n] for i in range(len(run) - n + 1)])
    return counts


@pytest.fixture(scope="module")
def reference_1_4(corpus):
    _split_runs(False)  # built once, outside every timing
    return counter_over_slices(corpus.lines, 1, 4)


def test_counter_over_slices(bench, corpus, reference_1_4):
    counts = bench("ngram-char", "Counter over slices", lambda: counter_over_slices(corpus.lines, 1, 4),
                   slow=True, **corpus.info())
    assert counts == reference_1_4


@pytest.mark.parametrize("workers", [1, 2])
def test_count_ngrams(bench, corpus, reference_1_4, workers):
    stats = NgramStats()

    def run_with(w):
        return fastcount.count_ngrams(corpus.lines, (1, 4), workers=w, stats=stats)

    counts = bench("ngram-char", f"count_ngrams(char 1-4, workers={workers})", lambda: run_with(workers),
                   workers=workers, reference="Counter over slices", **corpus.info())
    assert counts == reference_1_4
    bench.info.update(diff_vs_jieba=0, workers_used=stats.workers, spills=stats.runs)
    if workers == 1:  # the #15 target's pair
        bench.paired_against("Counter over slices", lambda: counter_over_slices(corpus.lines, 1, 4),
                             lambda: run_with(1))
    if workers == 2:
        bench.paired_workers(run_with)
        bench.paired("paired_ceiling", "paired_ceiling_ratios", lambda: _feed(corpus.lines),
                     lambda: _feed_halves(corpus.lines))


def _feed(lines) -> None:
    from fastcount._ngrams import NgramTable

    NgramTable(1, 4).feed(lines)


def _feed_halves(lines) -> None:
    """Two workers' ceiling on this machine: halves of the lines fed to two
    tables in two threads, nothing merged (what splitting the text costs at
    least; a count split by order repeats the reading instead, and merges
    less)."""
    half = len(lines) // 2
    other = threading.Thread(target=_feed, args=(lines[:half],))
    other.start()
    _feed(lines[half:])
    other.join()


def _spill_budget(corpus) -> int:
    """A budget a fifth of what the count holds in memory: several spills per worker."""
    from fastcount._ngrams import NgramTable

    table = NgramTable(1, 4)
    table.feed(corpus.lines)
    return max(16 << 10, table.memory() // 5)


def test_spilled_vs_in_memory(bench, corpus, reference_1_4, tmp_path):
    stats = NgramStats()
    counts = bench("ngram-spill", "count_ngrams(char 1-4, in memory)",
                   lambda: fastcount.count_ngrams(corpus.lines, (1, 4), workers=CORES, stats=stats),
                   workers=CORES, **corpus.info())
    assert counts == reference_1_4 and stats.runs == 0


PEAK_CODE = """
import json, os
from benchlib import PeakRSS
import fastcount
from fastcount.ngrams import NgramStats

fastcount.count_ngrams(["warm up"], 1, workers=1)  # imports and tables loaded before the baseline
stats = NgramStats()
with open(os.devnull, "wb") as out, PeakRSS() as rss:
    lines = fastcount.count_ngrams({path!r}, {orders!r}, memory={budget}, workers={workers},
                                   tmpdir={tmpdir!r}, output=out, stats=stats)
print(json.dumps({{"baseline_rss": rss.baseline, "peak_rss": rss.peak, "method": rss.method,
                  "lines": lines, "runs": stats.runs, "ngrams": stats.tokens,
                  "seconds": stats.seconds, "bytes": stats.bytes}}))
"""


def _peak(path, orders, budget, workers, tmpdir, timeout=900) -> dict:
    return benchlib.run_python(PEAK_CODE.format(path=str(path), orders=orders, budget=budget,
                                                workers=workers, tmpdir=str(tmpdir)), timeout=timeout)


def _memory_info(measured: dict, budget: int) -> dict:
    return dict(peak_rss_bytes=measured["peak_rss"], baseline_rss_bytes=measured["baseline_rss"],
                budget_bytes=budget, overhead_bytes=measured["baseline_rss"] + BUFFERS,
                spills=measured["runs"], peak_method=measured["method"])


def test_spilled(bench, corpus, reference_1_4, tmp_path):
    budget = _spill_budget(corpus)
    stats = NgramStats()

    def spilled():
        return fastcount.count_ngrams(corpus.lines, (1, 4), workers=CORES, memory=budget, tmpdir=tmp_path,
                                      stats=stats)

    counts = bench("ngram-spill", "count_ngrams(char 1-4, spilled)", spilled, workers=CORES, **corpus.info())
    assert counts == reference_1_4
    assert stats.runs >= 4 and os.listdir(tmp_path) == []
    # the #15 target's pair
    bench.paired_against("count_ngrams(char 1-4, in memory)",
                         lambda: fastcount.count_ngrams(corpus.lines, (1, 4), workers=CORES), spilled)
    if benchlib.rss_bytes() is None:
        pytest.skip("no way to read the resident memory of a process here (install psutil)")
    path = tmp_path / "corpus.txt"
    path.write_text(corpus.text + "\n", encoding="utf-8")
    measured = _peak(path, (1, 4), budget, CORES, tmp_path)
    assert measured["lines"] == len(reference_1_4) and measured["runs"] >= 4
    bench.info.update(_memory_info(measured, budget))


def test_one_gigabyte_in_two(bench, scale, tmp_path_factory):
    if not scale.huge:
        pytest.skip("the 1 GB corpus is opt-in: --fastcount-huge")
    if benchlib.rss_bytes() is None:
        pytest.skip("no way to read the resident memory of a process here (install psutil)")
    from fastcount import datasets

    directory = tmp_path_factory.mktemp("ngram-1gb")
    path = directory / "corpus-1GB.txt"
    size = datasets.write(path, "1GB", seed=0)
    budget = 2 * 1000**3
    measured = bench("ngram-1gb", "count_ngrams(char 1-6, budget 2GB)",
                     lambda: _peak(path, (1, 6), budget, CORES, directory, timeout=4 * 3600),
                     rounds=1, workers=CORES, corpus=path.name, corpus_bytes=size)
    assert measured["bytes"] == size and os.listdir(directory) == [path.name]
    bench.info.update(_memory_info(measured, budget), ngrams=measured["ngrams"],
                      distinct=measured["lines"])


@pytest.fixture(scope="module")
def reference_discovery(corpus):
    return discovery(corpus.lines, 4, 5, count=counter_over_slices)


def _statistics(found) -> dict:
    return {c.word: (c.count, c.cohesion, c.left_entropy, c.right_entropy) for c in found.candidates}


def python_discovery(corpus):
    """The statistics of every candidate by the Python reference (the discover group's peer)."""
    return discovery(corpus.lines, 4, 5, count=counter_over_slices)


def test_discover_reference(bench, corpus, reference_discovery):
    _split_runs(False)
    result = bench("discover", "Python reference", lambda: python_discovery(corpus), slow=True, **corpus.info())
    assert result == reference_discovery


def test_discover(bench, corpus, reference_discovery):
    def run():
        return fastcount.discover_words(corpus.lines, max_len=4, min_count=5, exclude_known=False)

    found = bench("discover", "fastcount discover", run, workers=CORES, reference="Python reference",
                  **corpus.info())
    assert _statistics(found) == reference_discovery
    bench.info.update(diff_vs_jieba=0, candidates=len(found.candidates))
    bench.paired_against("Python reference", lambda: python_discovery(corpus), run)  # the #15 target's pair
