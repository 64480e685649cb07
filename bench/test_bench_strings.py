"""String counting on real tokens: a list of jieba tokens of the corpus -> counts.

Rows: the dict loop, collections.Counter.update, fastcount.Counter.update, each
updating a fresh counter with the whole token list; fastcount's row also times
itself back to back with collections.Counter's (``paired_peer``).
"""

import collections

import pytest

import benchlib


def fresh_counter(kind):
    if kind == "collections.Counter.update":
        return collections.Counter()
    from fastcount import Counter

    return Counter()


@pytest.mark.parametrize("row", ["dict", "collections.Counter.update", "fastcount.Counter.update"])
def test_strings(bench, corpus, jieba_reference, row):
    tokens, _ = jieba_reference
    expected = collections.Counter(tokens)
    if row == "dict":
        result = bench("strings", row, lambda: benchlib.dict_count(tokens), **corpus.info(), tokens=len(tokens),
                       distinct=len(expected))
    else:
        def update(counter):
            counter.update(tokens)
            return counter

        result = bench("strings", row, update, setup=lambda: fresh_counter(row), **corpus.info(),
                       tokens=len(tokens), distinct=len(expected))
        if row == "fastcount.Counter.update":  # the #2 target's pair
            peer = "collections.Counter.update"
            bench.paired_against(peer, lambda: update(fresh_counter(peer)), lambda: update(fresh_counter(row)))
    assert len(result) == len(expected)
    assert dict(result.items()) == dict(expected)
