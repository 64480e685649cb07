"""fastcount.dask_ngrams: n-grams counted on Dask equal count_ngrams (and the
Python reference), on any partitioning, merged as word counts are."""

import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed")

import fastcount  # noqa: E402
from fastcount.dask_ngrams import count_ngrams_dask, count_ngrams_delayed  # noqa: E402

from ngram_reference import char_ngrams  # noqa: E402
# Dask's modules, the sample and the fixtures of fastcount.dask's tests (texts, sync)
from test_dask import SAMPLE, db, dask, distributed, sync, texts  # noqa: E402,F401


@pytest.fixture(scope="module")
def expected(texts):
    return char_ngrams(texts, 1, 4)


@pytest.mark.parametrize("blocksize", [997, None])
def test_files_equal_count_ngrams_and_the_reference(sync, expected, blocksize):
    got = count_ngrams_dask(SAMPLE, (1, 4), blocksize=blocksize, split_every=3)
    local = fastcount.count_ngrams(SAMPLE, (1, 4), workers=1)
    assert isinstance(got, fastcount.Counter)
    assert got == expected == local
    assert list(got) == list(local) == list(expected)  # order of first sight, as count_ngrams


@pytest.mark.parametrize("npartitions,shards", [(1, 1), (7, 1), (7, 3)])
def test_bag_of_texts(sync, texts, expected, npartitions, shards):
    bag = db.from_sequence(texts, npartitions=npartitions)
    got = count_ngrams_dask(bag, "1-4", split_every=2, shards=shards)
    assert got == expected
    if shards == 1:
        assert list(got) == list(expected)


def test_cut_punctuation_and_word_ngrams(sync, texts):
    bag = db.from_sequence(texts, npartitions=4)
    top = count_ngrams_dask(bag, 2, min_count=3, top=50)
    assert list(top.items()) == list(fastcount.count_ngrams(texts, 2, min_count=3, top=50,
                                                            workers=1).items())
    kept = count_ngrams_dask(bag, (1, 2), keep_punct=True)
    assert kept == char_ngrams(texts, 1, 2, keep_punct=True)
    words = count_ngrams_dask(bag, (1, 3), unit="word")
    assert words == fastcount.count_ngrams(texts, (1, 3), unit="word", workers=1)
    assert any(" " in k for k in words)


def test_delayed_graph_and_threads(texts, expected):
    item = count_ngrams_delayed(db.from_sequence(texts, npartitions=5), (1, 4))
    assert item.compute(scheduler="threads") == expected


def test_bad_arguments_fail_before_any_task(texts):
    bag = db.from_sequence(texts, npartitions=2)
    with pytest.raises(ValueError, match="n-gram orders"):
        count_ngrams_delayed(bag, (3, 2))
    with pytest.raises(ValueError, match="unit"):
        count_ngrams_delayed(bag, 2, unit="byte")
    with pytest.raises(ValueError, match="unit='word' only"):
        count_ngrams_delayed(bag, 2, tokenizer="whitespace")
    with pytest.raises(TypeError, match="memory"):
        count_ngrams_delayed(bag, 2, memory="1GB")  # no budget on a cluster


def test_cluster_processes(texts, expected):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        got = count_ngrams_dask(db.from_sequence(texts, npartitions=6), (1, 4), client=client)
        assert got == expected and list(got) == list(expected)
        words = count_ngrams_dask(str(SAMPLE), 2, unit="word", client=client, blocksize=5000)
    assert words == fastcount.count_ngrams(SAMPLE, 2, unit="word", workers=1)
