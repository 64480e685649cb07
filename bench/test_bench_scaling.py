"""Scaling with the vocabulary: does a dict's cost per update grow with its size?

The experiment behind fastcount: the classic loop ``d[w] = d.get(w, 0) + 1``
over a whole corpus was beaten by more than N times on N processes when the
corpus was split into batches, each counted into its own small dict and merged
at the end ("a speedup per process above 1"), because small tables stay in the
CPU caches.  This group measures it instead of assuming it.

Input: a generated, pre-segmented corpus (``fastcount.datasets`` with
``sep=" "``) of fixed size whose vocabulary grows from about 1e3 to millions of
distinct words (extra rare words); tokens are ``line.split()``, so the counting
is the work, not the segmentation.

Rows per vocabulary: the dict classic loop, the same batched in one process
and over a Pool of all cores; fastcount.Counter.update per line (the drop-in in
the classic loop), batched in one process; count_words(tokenizer="whitespace")
for workers 1..cores.  ``extra_info`` holds the tokens and distinct words, so
the report shows ns per token against the vocabulary size.  At the largest
vocabulary, the GROWTH_ROWS also time the dict classic loop and themselves on
the smallest and the largest back to back (``paired_growth``).
"""

import collections
import functools
import itertools

import pytest

import benchlib

CORES = benchlib.cores()

# name (about the distinct words reached) ->
#     (jieba words used, extra rare words, share of tokens drawn from them, opt-in)
POINTS = {
    "1e3": (1_000, 0, None, False),
    "1e4": (10_000, 0, None, False),
    "1e5": (None, 0, None, False),
    "1e6": (None, 1_000_000, 0.35, False),
    "2e6": (None, 3_000_000, 0.9, False),
    "1e7": (None, 10_000_000, 0.9, True),
}


@functools.lru_cache(maxsize=1)
def scaling_case(point, scale):
    from fastcount import datasets

    base, extra, rare, huge = POINTS[point]
    size = scale.scaling_bytes * (5 if huge else 1)
    extra //= scale.scaling_extra_divisor
    lines = list(datasets.generate(size, seed=11, base_words=base, extra_words=extra,
                                   rare_fraction=rare if extra else None, sep=" "))
    expected = collections.Counter(itertools.chain.from_iterable(map(str.split, lines)))
    nbytes = sum(len(line.encode("utf-8")) + 1 for line in lines)
    return lines, expected, nbytes


def fastcount_classic(lines):
    from fastcount import Counter

    c = Counter()
    update = c.update
    for line in lines:
        update(line.split())
    return c


def fastcount_count_batch(lines):
    from fastcount import Counter

    return Counter(itertools.chain.from_iterable(map(str.split, lines)))


def fastcount_batched(lines):
    from fastcount import Counter

    total = Counter()
    for batch in benchlib.batches(lines, benchlib.BATCH_LINES):
        total.update(fastcount_count_batch(batch))
    return total


def count_words(lines, workers):
    import fastcount

    return fastcount.count_words(lines, tokenizer="whitespace", workers=workers)


ROWS = {
    "dict classic": benchlib.split_count_lines,
    "dict batched 1 process": functools.partial(benchlib.batched_single_process, benchlib.split_count_lines),
    f"dict batched Pool({CORES})": lambda lines: benchlib.batched_multi_process(
        benchlib.split_count_lines, lines, CORES),
    "fastcount.Counter classic": fastcount_classic,
    "fastcount.Counter batched 1 process": fastcount_batched,
}
ROWS.update({f"count_words(whitespace, workers={w})": functools.partial(count_words, workers=w)
             for w in range(1, CORES + 1)})


#: Rows of the #5 growth targets (each against ``dict classic``): at the largest
#: vocabulary they also time the four back to back (``Bench.paired_growth``).
GROWTH_ROWS = ("fastcount.Counter classic", "count_words(whitespace, workers=1)")


def scaling_points(scale):
    """The points of this mode (the 1e7-word vocabulary is opt-in in full mode)."""
    return [p for p in POINTS if not (POINTS[p][3] and scale.mode == "full")]


@functools.lru_cache(maxsize=1)
def smallest_case(scale):
    """The smallest point's case, held apart from ``scaling_case``'s cache (which
    keeps the point being run) for the growth rows' rounds."""
    return scaling_case.__wrapped__(next(iter(POINTS)), scale)


@pytest.mark.parametrize("point, row", [(p, r) for p in POINTS for r in ROWS])
def test_scaling(bench, scale, point, row):
    if point not in scaling_points(scale):
        pytest.skip("the 1e7-word vocabulary is opt-in: --fastcount-huge")
    lines, expected, nbytes = scaling_case(point, scale)
    fn = ROWS[row]
    workers = CORES if "Pool" in row else int(row.rsplit("=", 1)[1].rstrip(")")) if "workers=" in row else 1
    result = bench(f"scaling-{point}", row, lambda: fn(lines), slow=True, case=point, workers=workers,
                   tokens=expected.total(), distinct=len(expected),
                   corpus_bytes=nbytes)
    assert len(result) == len(expected)
    assert dict(result.items()) == dict(expected)
    if row in GROWTH_ROWS and point == scaling_points(scale)[-1]:
        small = smallest_case(scale)[0]
        classic = ROWS["dict classic"]
        bench.paired_growth("dict classic", f"scaling-{next(iter(POINTS))}", lambda: classic(small),
                            lambda: fn(small), lambda: classic(lines), lambda: fn(lines))
