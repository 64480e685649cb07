"""Part-of-speech tagging and counting by word and tag (issue #14).

Group "posseg": the taggers alone over every line of the corpus:
  jieba.posseg.lcut (the reference), the optional peers rjieba.tag and
  cppjieba_py_dat.tag (each row records its parity with jieba.posseg:
  ``identical_lines`` of ``compared_lines``), fastcount.posseg.lcut (equal to
  jieba.posseg line for line, word for word, tag for tag).
Group "e2e-pos": corpus texts to exact counts by (word, tag), whitespace
  dropped: jieba.posseg.lcut + collections.Counter, count_words(pos=True) for
  workers 1..cores, and plain count_words(jieba, workers=1) on the same text
  (what the tags cost; the one-worker POS row also times the two back to back:
  ``paired_peer``).
"""

import collections
import importlib.util

import pytest

import benchlib

CORES = benchlib.cores()
# jieba.posseg takes about a minute over the whole corpus: its rows run once
# (the ratios' error comes from the fast side, which runs the usual rounds).

#: Optional peers: module -> the posseg row's name (its tag function).
PEERS = {"rjieba": "rjieba.tag", "cppjieba_py_dat": "cppjieba_py_dat.tag"}
#: The peer of the tagging target (#14), also timed back to back with fastcount.posseg.lcut.
PAIRED_PEER = "rjieba"


@pytest.fixture(scope="module")
def posseg_lines(corpus):
    """jieba.posseg's (word, tag) pairs of every corpus line: the reference."""
    benchlib.quiet_jieba()
    import jieba.posseg

    return [[(p.word, p.flag) for p in jieba.posseg.lcut(line)] for line in corpus.lines]


@pytest.fixture(scope="module")
def posseg_counts(posseg_lines):
    return collections.Counter(pair for line in posseg_lines for pair in line if not pair[0].isspace())


def tagger(name):
    """The tag function of jieba, fastcount or a peer, warmed up (skips a missing peer)."""
    if name == "jieba":
        benchlib.quiet_jieba()
        import jieba.posseg

        tag = jieba.posseg.lcut
    elif name == "fastcount":
        import fastcount.posseg

        tag = fastcount.posseg.lcut
    else:
        tag = pytest.importorskip(name, reason=f"the peer {name} is not installed").tag
    tag("预热")   # loads the dictionary and the tables, outside the timing
    return tag


@pytest.mark.parametrize("name", ["jieba", *PEERS, "fastcount"])
def test_posseg(bench, corpus, posseg_lines, name):
    tag = tagger(name)
    label = {"jieba": "jieba.posseg.lcut", "fastcount": "fastcount.posseg.lcut", **PEERS}[name]
    tagged = bench("posseg", label, lambda: [tag(line) for line in corpus.lines],
                   rounds=1 if name == "jieba" else None, **corpus.info())
    tagged = [[tuple(p) for p in line] for line in tagged]   # pairs, or a peer's tuples
    bench.info.update(identical_lines=sum(a == b for a, b in zip(tagged, posseg_lines)),
                      compared_lines=len(posseg_lines), reference="jieba.posseg.lcut")
    if name in ("jieba", "fastcount"):
        assert tagged == posseg_lines
    else:
        assert len(tagged) == len(posseg_lines)
    if name == "fastcount" and importlib.util.find_spec(PAIRED_PEER):
        rival = tagger(PAIRED_PEER)
        bench.paired_against(PEERS[PAIRED_PEER], lambda: [rival(line) for line in corpus.lines],
                             lambda: [tag(line) for line in corpus.lines])


def test_e2e_pos_jieba(bench, corpus, posseg_counts):
    benchlib.quiet_jieba()
    import jieba.posseg

    def count():
        return collections.Counter((p.word, p.flag) for line in corpus.lines
                                   for p in jieba.posseg.lcut(line) if not p.word.isspace())

    result = bench("e2e-pos", "jieba.posseg+Counter", count, rounds=1, workers=1, **corpus.info())
    assert result == posseg_counts


@pytest.mark.parametrize("workers", range(1, CORES + 1))
def test_e2e_pos_count_words(bench, corpus, posseg_counts, workers):
    import fastcount
    import fastcount.posseg

    fastcount.posseg.lcut("预热")
    def run_with(w):
        return fastcount.count_words(corpus.lines, pos=True, workers=w)

    result = bench("e2e-pos", f"count_words(pos, workers={workers})", lambda: run_with(workers),
                   workers=workers, **corpus.info())
    assert dict(result) == dict(posseg_counts)
    if workers == 1:  # the #14 cost target's pair
        bench.paired_against(PLAIN, lambda: plain_count(corpus), lambda: run_with(1))
    if workers == 2:
        bench.paired_workers(run_with)


#: The row the POS cost target compares with (the one-worker POS row is also timed back to back with it).
PLAIN = "count_words(jieba, workers=1)"


def plain_count(corpus):
    import fastcount

    return fastcount.count_words(corpus.lines, workers=1)


def test_e2e_pos_plain_count_words(bench, corpus, jieba_reference):
    import fastcount

    fastcount.lcut("预热")
    result = bench("e2e-pos", PLAIN, lambda: plain_count(corpus), workers=1, **corpus.info())
    assert dict(result) == dict(jieba_reference[1])
