"""End-to-end word counting of the corpus, and segmentation alone.

Group "e2e": texts in, exact word counts out (pure-whitespace tokens dropped):
  jieba + dict loop (the classic), the classic batched over a multiprocessing
  Pool with per-batch dicts merged at the end, jieba.enable_parallel, each
  peer + collections.Counter, and fastcount.count_words for each tokenizer
  path ("jieba": native, "jieba-py": jieba.lcut) and workers 1..cores.
Group "e2e-small": count_words(jieba-py) of a few thousand lines, workers 1
  and 2: a job short enough that loading jieba in each worker shows.
Group "e2e-file": count_words(jieba) of a file holding the corpus 8 times, for
  workers 1..cores (the same job, long enough to show how it scales).
Group "segment": the segmenters alone over every line (jieba.lcut, each peer,
  fastcount.lcut).
Group "segment-startup": time and memory to load the dictionary, fresh process.

Peers (optional, a missing one skips its rows): other implementations of
jieba's algorithm, see PEERS.  jieba_next (Rust) is not on PyPI, so it has no row.
fastcount rows must equal jieba's exactly; a peer's parity is recorded in
``extra_info``: ``identical_lines`` of ``compared_lines`` (segment rows) and
``diff_vs_jieba``, the sum over words of |count differences|.
"""

import importlib.util
import itertools
import logging
import statistics

import pytest

import benchlib

CORES = benchlib.cores()
WORKERS = list(range(1, CORES + 1))
#: Rounds of the count_words rows that take a fraction of a second.
FAST_ROUNDS = 21


#: Optional peers: module -> the segment row's name (its cut function).
PEERS = {
    "rjieba": "rjieba.cut",                      # Rust
    "jieba_fast": "jieba_fast.lcut",             # C (Viterbi and DAG route)
    "jieba_fast_dat": "jieba_fast_dat.lcut",     # C++, double-array trie
    "cppjieba_py_dat": "cppjieba_py_dat.lcut",   # cppjieba, double-array trie
    "jieba3": "jieba3.cut_text",                 # pure Python
}
#: The peer of the #4 targets, also timed back to back with fastcount.lcut and count_words(jieba, workers=1).
PAIRED_PEER = "rjieba"
#: Rows that take seconds on the corpus: fewer rounds.
SLOW = {"jieba", "jieba_fast", "jieba3"}


def peer_count(cut, lines):
    """A segmenter's tokens of every line into collections.Counter, whitespace dropped."""
    return benchlib.counter_without_whitespace(itertools.chain.from_iterable(map(cut, lines)))


def peer(name):
    """The cut function of jieba, fastcount or an optional peer, initialised (skips the row when missing)."""
    if name == "jieba":
        return benchlib.quiet_jieba().lcut
    if name == "fastcount":
        import fastcount

        cut = fastcount.lcut
    else:
        module = pytest.importorskip(name, reason=f"the peer {name} is not installed")
        if name == "jieba3":
            cut = module.jieba3().cut_text
        elif name == "rjieba":
            cut = module.cut
        else:
            if name != "cppjieba_py_dat":
                module.setLogLevel(logging.WARNING)
                module.initialize()
            cut = module.lcut
    cut("预热")  # loads the dictionary, outside the timing
    return cut


def check_peer(bench, result, expected):
    """Record a peer's count difference from jieba; a peer far off (> 5%) is a broken row, not a peer."""
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


@pytest.mark.parametrize("name", list(PEERS))
def test_e2e_peer(bench, corpus, jieba_reference, name):
    cut = peer(name)
    result = bench("e2e", f"{name}+Counter", lambda: peer_count(cut, corpus.lines), slow=name in SLOW,
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
    if tokenizer == "jieba" and workers == 1 and importlib.util.find_spec(PAIRED_PEER):  # the #4 rjieba target's
        cut = peer(PAIRED_PEER)
        bench.paired_against(f"{PAIRED_PEER}+Counter", lambda: peer_count(cut, corpus.lines), run)
    if tokenizer == "jieba" and workers == 2:  # the #3 target's pair
        bench.paired_workers(lambda w: fastcount.count_words(corpus.lines, tokenizer=tokenizer, workers=w, **options))


#: Lines of the e2e-small job: a few thousand, as in issue #12 (item 8).
SMALL_LINES = 3000


@pytest.mark.parametrize("workers", [w for w in (1, 2) if w <= CORES])
def test_e2e_small_jieba_py(bench, scale, corpus, jieba_lines, workers):
    """count_words(jieba-py) of a few thousand lines: worker processes that load jieba
    themselves (~1 s each) cost about what they save; forked ones inherit it loaded."""
    import fastcount

    lines = corpus.lines[:SMALL_LINES]
    expected = benchlib.counter_without_whitespace(itertools.chain.from_iterable(jieba_lines[:SMALL_LINES]))
    benchlib.quiet_jieba()
    options = {"chunk_size": 2048} if scale.smoke else {}
    info = dict(corpus.info(), corpus=f"{corpus.name}, first {len(lines):,} lines",
                corpus_bytes=sum(len(t.encode("utf-8")) + 1 for t in lines), corpus_lines=len(lines))

    def run_with(w):
        return fastcount.count_words(lines, tokenizer="jieba-py", workers=w, **options)

    result = bench("e2e-small", f"count_words(jieba-py, workers={workers})", lambda: run_with(workers),
                   slow=True, tokenizer="jieba-py", workers=workers, **info)
    # Each forked worker costs time in proportion to this process's resident
    # memory (page tables copied at the fork, torn down at the exit): the
    # workers=2 ratio depends on what the session holds by now.
    bench.info["parent_rss_bytes"] = benchlib.rss_bytes()
    assert dict(result.items()) == dict(expected)
    if workers == 2:
        bench.paired_workers(run_with)


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


@pytest.mark.parametrize("name", ["jieba", *PEERS, "fastcount"])
def test_segment(bench, corpus, jieba_lines, jieba_reference, name):
    cut = peer(name)
    label = {"jieba": "jieba.lcut", "fastcount": "fastcount.lcut", **PEERS}[name]
    tokens = bench("segment", label, lambda: [cut(line) for line in corpus.lines], slow=name in SLOW,
                   **corpus.info())
    tokens = [list(line) for line in tokens]  # a peer may return another sequence type
    bench.info.update(identical_lines=sum(a == b for a, b in zip(tokens, jieba_lines)),
                      compared_lines=len(jieba_lines), reference="jieba.lcut")
    if name in ("jieba", "fastcount"):
        assert tokens == jieba_lines  # line for line, token for token
    else:
        assert len(tokens) == len(jieba_lines)
        flat = itertools.chain.from_iterable(tokens)
        check_peer(bench, benchlib.counter_without_whitespace(flat), jieba_reference[1])
    if name == "fastcount" and importlib.util.find_spec(PAIRED_PEER):
        rival = peer(PAIRED_PEER)
        bench.paired_against(PEERS[PAIRED_PEER], lambda: [rival(line) for line in corpus.lines],
                             lambda: [cut(line) for line in corpus.lines])


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
    runs = []

    def run():
        runs.append(benchlib.run_python(code))
        return runs[-1]

    bench("segment-startup", name, run)
    assert all(m["tokens"] == ["我", "来到", "北京", "清华大学"] for m in runs)
    # The median over the rounds' processes: one fresh process's load time is one
    # sample of a noisy machine (and was all this row kept before).
    rss = [m["rss_delta"] for m in runs]
    bench.info.update(load_seconds=statistics.median(m["seconds"] for m in runs),
                      load_seconds_rounds=[m["seconds"] for m in runs],
                      rss_delta_bytes=None if None in rss else statistics.median(rss))
