"""End-to-end word counting of the corpus, and segmentation alone.

Group "e2e": texts in, exact word counts out (pure-whitespace tokens dropped):
  jieba + dict loop (the classic), the classic batched over a multiprocessing
  Pool with per-batch dicts merged at the end, jieba.enable_parallel,
  rjieba + Counter, jieba_fast + Counter, and fastcount.count_words for each
  tokenizer path ("jieba": native, "jieba-py": jieba.lcut) and workers 1..cores.
Group "e2e-file": count_words(jieba) of a file holding the corpus 8 times, for
  workers 1..cores (the same job, long enough to show how it scales).
Group "segment": the segmenters alone over every line (jieba.lcut,
  jieba_fast.lcut, rjieba.cut, fastcount.lcut).
Group "segment-startup": time and memory to load the dictionary, fresh process.

fastcount rows must equal jieba's counts exactly; the other implementations of
jieba's algorithm (rjieba, jieba_fast) differ on a few tokens, which is recorded
in ``extra_info["diff_vs_jieba"]`` (sum of |count differences|).
"""

import itertools

import pytest

import benchlib

CORES = benchlib.cores()
WORKERS = list(range(1, CORES + 1))
#: Rounds of the count_words rows that take a fraction of a second.
FAST_ROUNDS = 21


def peer_count(cut, lines):
    """A segmenter's tokens of every line into collections.Counter, whitespace dropped."""
    return benchlib.counter_without_whitespace(itertools.chain.from_iterable(map(cut, lines)))


def peer(name):
    """The cut function of an optional peer, initialised (skips the row when missing)."""
    if name == "rjieba":
        rjieba = pytest.importorskip("rjieba")
        rjieba.cut("预热")  # loads its dictionary, outside the timing
        return rjieba.cut
    if name == "jieba_fast":
        jieba_fast = pytest.importorskip("jieba_fast")
        import logging

        jieba_fast.setLogLevel(logging.WARNING)
        jieba_fast.initialize()
        return jieba_fast.lcut
    if name == "jieba":
        return benchlib.quiet_jieba().lcut
    if name == "fastcount":
        import fastcount

        fastcount.lcut("预热")
        return fastcount.lcut
    raise ValueError(name)


def check_peer(bench, result, expected):
    diff = benchlib.count_difference(result, expected)
    bench.info["diff_vs_jieba"] = diff
    assert result and diff <= 0.05 * sum(expected.values()), f"{diff} tokens differ from jieba"


def test_e2e_classic(bench, corpus, jieba_reference):
    benchlib.quiet_jieba()
    result = bench("e2e", "jieba+dict", lambda: benchlib.jieba_count_lines(corpus.lines), slow=True,
                   workers=1, **corpus.info())
    assert result == jieba_reference[1]


def test_e2e_classic_batched_pool(bench, corpus, jieba_reference):
    """The experiment: batches counted into small dicts by a Pool, merged in the parent."""
    benchlib.quiet_jieba()
    result = bench("e2e", f"jieba+dict batched Pool({CORES})",
                   lambda: benchlib.batched_multi_process(benchlib.jieba_count_lines, corpus.lines, CORES,
                                                          jieba_worker=True),
                   slow=True, workers=CORES, batch_lines=benchlib.BATCH_LINES, **corpus.info())
    assert result == jieba_reference[1]


def test_e2e_jieba_enable_parallel(bench, corpus, jieba_reference):
    import os

    if os.name != "posix":
        pytest.skip("jieba.enable_parallel supports POSIX systems only")
    benchlib.quiet_jieba()
    result = bench("e2e", f"jieba.enable_parallel({CORES})+dict",
                   lambda: benchlib.jieba_parallel_count(corpus.text, CORES), slow=True, workers=CORES,
                   **corpus.info())
    assert result == jieba_reference[1]


@pytest.mark.parametrize("name", ["rjieba", "jieba_fast"])
def test_e2e_peer(bench, corpus, jieba_reference, name):
    cut = peer(name)
    result = bench("e2e", f"{name}+Counter", lambda: peer_count(cut, corpus.lines), slow=name == "jieba_fast",
                   workers=1, **corpus.info())
    check_peer(bench, result, jieba_reference[1])


@pytest.mark.parametrize("tokenizer, workers", [(t, w) for t in ("jieba", "jieba-py") for w in WORKERS])
def test_e2e_count_words(bench, scale, corpus, jieba_reference, tokenizer, workers):
    import fastcount
    from fastcount.pipeline import CountStats

    benchlib.quiet_jieba()
    stats = CountStats()
    # The smoke corpus fits in one default chunk, which one worker would take:
    # smaller chunks make every requested worker run.
    options = {"chunk_size": 2048} if scale.smoke else {}

    def run():
        return fastcount.count_words(corpus.lines, tokenizer=tokenizer, workers=workers, stats=stats, **options)

    # The native rows take ~0.1 s: more rounds steady the median their ratio is read from.
    rounds = None if scale.smoke or tokenizer == "jieba-py" else max(scale.rounds, FAST_ROUNDS)
    result = bench("e2e", f"count_words({tokenizer}, workers={workers})", run, slow=tokenizer == "jieba-py",
                   rounds=rounds, tokenizer=tokenizer, workers=workers, **corpus.info())
    # The stats of the last round: where the time went in the parent.
    bench.info.update(merge_seconds=stats.merge_seconds, seconds=stats.seconds,
                      merge_share=stats.merge_share, stats_tokenizer=stats.tokenizer,
                      workers_used=stats.workers)
    assert stats.workers == workers or not scale.smoke
    assert 0 <= stats.merge_share < 1
    assert dict(result.items()) == dict(jieba_reference[1])


#: The corpus repeated this many times in one file, for the e2e-file group.
REPEAT = 8


@pytest.fixture(scope="module")
def corpus_file_repeated(corpus, tmp_path_factory):
    """The corpus written REPEAT times into one file: a job long enough that a
    pool's fixed costs (start, merge) no longer hide how the work scales."""
    path = tmp_path_factory.mktemp("e2e") / f"{corpus.name}-x{REPEAT}.txt"
    path.write_text((corpus.text + "\n") * REPEAT, encoding="utf-8")
    return path


@pytest.mark.parametrize("workers", WORKERS)
def test_e2e_file_count_words(bench, scale, corpus, jieba_reference, corpus_file_repeated, workers):
    """count_words(jieba) of a file as the command runs it, workers 1..cores."""
    import fastcount
    from fastcount.pipeline import CountStats

    stats = CountStats()
    options = {"chunk_size": 2048} if scale.smoke else {}
    info = dict(corpus.info(), corpus=f"{corpus.name} x{REPEAT}", corpus_bytes=corpus.nbytes * REPEAT,
                corpus_lines=len(corpus.lines) * REPEAT)

    def run():
        return fastcount.count_words(corpus_file_repeated, workers=workers, stats=stats, **options)

    result = bench("e2e-file", f"count_words(jieba, workers={workers})", run, tokenizer="jieba",
                   workers=workers, **info)
    bench.info.update(merge_seconds=stats.merge_seconds, seconds=stats.seconds,
                      merge_share=stats.merge_share, stats_tokenizer=stats.tokenizer,
                      workers_used=stats.workers)
    expected = {w: n * REPEAT for w, n in jieba_reference[1].items()}
    assert dict(result.items()) == expected


@pytest.mark.parametrize("name", ["jieba", "jieba_fast", "rjieba", "fastcount"])
def test_segment(bench, corpus, jieba_reference, name):
    cut = peer(name)
    label = {"jieba": "jieba.lcut", "jieba_fast": "jieba_fast.lcut", "rjieba": "rjieba.cut",
             "fastcount": "fastcount.lcut"}[name]
    tokens = bench("segment", label, lambda: [cut(line) for line in corpus.lines],
                   slow=name in ("jieba", "jieba_fast"), **corpus.info())
    flat = [w for line in tokens for w in line]
    if name in ("jieba", "fastcount"):
        assert flat == jieba_reference[0]  # token for token
    else:
        check_peer(bench, benchlib.counter_without_whitespace(flat), jieba_reference[1])


STARTUP_CODE = """
import json, time
from benchlib import rss_bytes, quiet_jieba
before = rss_bytes()
t0 = time.perf_counter()
{load}
seconds = time.perf_counter() - t0
after = rss_bytes()
print(json.dumps({{"seconds": seconds, "rss_delta": None if before is None else after - before,
                  "tokens": tokens}}))
"""

STARTUP_LOADS = {
    # jieba's cached start: the pickled prefix dictionary in the temp dir.
    "jieba": "jieba = quiet_jieba()\ntokens = jieba.lcut('我来到北京清华大学')",
    "fastcount": "import fastcount\ntokens = fastcount.lcut('我来到北京清华大学')",
}


@pytest.mark.parametrize("name", ["jieba", "fastcount"])
def test_segment_startup(bench, name):
    """Dictionary load time and resident memory of a fresh process's first lcut."""
    benchlib.quiet_jieba()  # jieba's cache file exists, as after any earlier use
    code = STARTUP_CODE.format(load=STARTUP_LOADS[name])
    measured = bench("segment-startup", name, lambda: benchlib.run_python(code))
    assert measured["tokens"] == ["我", "来到", "北京", "清华大学"]
    bench.info.update(load_seconds=measured["seconds"], rss_delta_bytes=measured["rss_delta"])
