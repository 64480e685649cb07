"""Peak memory of count_words' parent process against the corpus size.

count_words streams its input: the parent's peak memory should grow with the
vocabulary, not with the corpus.  Generated corpora of growing size (8 MB to
128 MB; 1 GB with --fastcount-huge) over a fixed vocabulary (the 10,000 most
frequent jieba words: every size has the same vocabulary) are
counted from a file by a fresh process with all cores as workers; its peak
resident memory during the call (the parent alone: benchlib.PeakRSS) is
recorded in ``extra_info``.

The pre-segmented form (``sep=" "``, tokenizer "whitespace") keeps the 1 GB
run short; the parent's work (reading, dispatching chunks, merging) does not
depend on the tokenizer.
"""

import functools
import json

import pytest

import benchlib

CORES = benchlib.cores()
BASE_WORDS = 10_000

PARENT_CODE = """
import json
from benchlib import PeakRSS
import fastcount
from fastcount.pipeline import CountStats

fastcount.Counter  # load the lazily imported modules before the baseline
stats = CountStats()
with PeakRSS() as rss:
    counts = fastcount.count_words({path!r}, tokenizer="whitespace", workers={workers}, stats=stats)
print(json.dumps({{"baseline_rss": rss.baseline, "peak_rss": rss.peak, "method": rss.method,
                  "tokens": counts.total(), "distinct": len(counts), "seconds": stats.seconds,
                  "merge_share": stats.merge_share, "workers_used": stats.workers}}))
"""


@functools.lru_cache(maxsize=1)
def corpus_file(directory, size):
    """A generated corpus of ``size`` bytes and its exact token and word counts."""
    from fastcount import datasets

    path = directory / f"corpus-{size}.txt"
    datasets.write(path, size, seed=2, base_words=BASE_WORDS, sep=" ")
    tokens, words = 0, set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            tokens += len(parts)
            words.update(parts)
    return path, tokens, len(words)


@pytest.mark.parametrize("index", range(4))
def test_parent_memory(bench, scale, tmp_path_factory, index):
    if benchlib.rss_bytes() is None:
        pytest.skip("no way to read the resident memory of a process here (install psutil)")
    sizes = scale.parent_memory_sizes
    if index >= len(sizes):  # full mode: the last (1 GB) size only with huge
        pytest.skip("the 1 GB corpus is opt-in: --fastcount-huge")
    size = sizes[index]
    path, tokens, words = corpus_file(tmp_path_factory.getbasetemp(), size)
    code = PARENT_CODE.format(path=str(path), workers=CORES)
    measured = bench("parent-memory", f"count_words, {size / 1e6:g} MB file", lambda: benchlib.run_python(code),
                     rounds=1, case=size, corpus_bytes=path.stat().st_size, workers=CORES)
    assert measured["tokens"] == tokens and measured["distinct"] == words
    peak = measured["peak_rss"]
    bench.info.update(peak_rss_bytes=peak, baseline_rss_bytes=measured["baseline_rss"],
                      peak_method=measured["method"], seconds=measured["seconds"],
                      merge_share=measured["merge_share"], workers_used=measured["workers_used"])
    print(f"\ncount_words on {size / 1e6:g} MB: parent peak {peak / 1e6:.1f} MB "
          f"(baseline {measured['baseline_rss'] / 1e6:.1f} MB), {json.dumps(measured)}")
    assert peak > 0 and measured["baseline_rss"] > 0
