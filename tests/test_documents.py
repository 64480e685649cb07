"""Document frequencies (fastcount.documents): exactly ``for doc in docs: df.update(set(tokens(doc)))``."""

import collections
import json
import math
import os
import pickle

import jieba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastcount
from fastcount.documents import DocumentCounts, count_documents
from fastcount.filters import WordFilter
from fastcount.merge import PartialCount, merge_partials
from fastcount.tokenizers import TokenCounter

SAMPLE = os.path.join(os.path.dirname(__file__), "data", "reviews_sample.txt")


def reference(docs, tokens=jieba.lcut, keep_whitespace=False):
    counts, dfs = collections.Counter(), collections.Counter()
    for doc in docs:
        words = [w for w in tokens(doc) if keep_whitespace or not w.isspace()]
        counts.update(words)
        dfs.update(set(words))
    return counts, dfs


def sample_lines():
    with open(SAMPLE, encoding="utf-8") as f:
        lines = f.read().split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def check(result, docs, tokens=jieba.lcut, keep_whitespace=False):
    counts, dfs = reference(docs, tokens, keep_whitespace)
    assert isinstance(result, DocumentCounts)
    assert dict(result.counts) == dict(counts)
    assert dict(result.dfs) == dict(dfs)
    assert list(result.dfs) == list(result.counts)
    assert result.docs == len(docs)


@pytest.mark.parametrize("workers, backend", [(1, None), (2, "threads"), (2, "processes")])
def test_native_jieba_on_a_file(workers, backend):
    result = count_documents(SAMPLE, workers=workers, backend=backend, chunk_size=1 << 14)
    check(result, sample_lines())


@pytest.mark.parametrize("tokenizer, tokens", [
    ("whitespace", str.split), ("char", list), (r"\w+", lambda t: __import__("re").findall(r"\w+", t)),
])
@pytest.mark.parametrize("workers", [1, 2])
def test_python_tokenizers(tokenizer, tokens, workers):
    lines = sample_lines()[:300]
    check(count_documents(lines, tokenizer, workers=workers, chunk_size=1 << 12), lines, tokens)


def test_jieba_py_and_keep_whitespace():
    lines = [line + "  x" for line in sample_lines()[:150]]
    check(count_documents(lines, "jieba-py", workers=1, keep_whitespace=True), lines,
          keep_whitespace=True)
    check(count_documents(lines, workers=1, keep_whitespace=True), lines, keep_whitespace=True)


def test_json_records_are_documents(tmp_path):
    lines = sample_lines()[:200]
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"text": t, "n": i}) + "\n" for i, t in enumerate(lines)),
                    encoding="utf-8")
    check(count_documents(path, field="text", workers=2, chunk_size=1 << 12), lines)


def test_long_texts_are_one_document(monkeypatch):
    monkeypatch.setattr(TokenCounter, "long_text", 5)
    monkeypatch.setattr(TokenCounter, "_BATCH", 2)
    docs = ["a b a c a b", "", "b b", "c", "a a a a a a a a"]
    check(count_documents(docs, "whitespace", workers=1), docs, str.split)


texts = st.lists(
    st.text(st.sampled_from(list("的了是我你他们北京大学 \t，。abc1２\u3000😀")), max_size=20), max_size=30
)


@settings(max_examples=40, deadline=None)
@given(texts, st.sampled_from([1, 2]), st.sampled_from([16, 1 << 16]))
def test_generated_texts_native(docs, workers, chunk_size):
    check(count_documents(docs, workers=workers, chunk_size=chunk_size), docs)


@settings(max_examples=40, deadline=None)
@given(texts, st.sampled_from([16, 1 << 16]))
def test_generated_texts_whitespace(docs, chunk_size):
    check(count_documents(docs, "whitespace", workers=1, chunk_size=chunk_size), docs, str.split)


def test_filters_min_count_and_top():
    lines = sample_lines()
    f = WordFilter(drop_punct=True, stopwords={"的"})
    counts, dfs = reference(lines)
    kept = {w: c for w, c in counts.items() if f.keep(w)}
    result = count_documents(SAMPLE, workers=2, word_filter=f, top=50)
    expected = sorted(kept.items(), key=lambda wc: (-wc[1], wc[0]))[:50]
    assert list(result.counts.items()) == expected
    assert list(result.dfs.items()) == [(w, dfs[w]) for w, _ in expected]
    cut = count_documents(SAMPLE, workers=1, word_filter=f, min_count=20)
    assert dict(cut.dfs) == {w: dfs[w] for w, c in kept.items() if c >= 20}


def test_stats_and_counts_equal_count_words():
    stats = fastcount.CountStats()
    result = count_documents(SAMPLE, workers=2, stats=stats)
    assert result.counts == fastcount.count_words(SAMPLE, workers=2)
    assert stats.texts == result.docs and stats.tokens == result.counts.total()


def test_idf():
    counts = fastcount.Counter({"a": 5, "b": 1})
    result = DocumentCounts(counts, fastcount.Counter({"a": 4, "b": 1}), 8)
    assert result.idf() == {"a": math.log(8 / 4), "b": math.log(8)}
    assert result.idf(smooth=True) == {"a": math.log(9 / 5) + 1, "b": math.log(9 / 2) + 1}
    assert result.rows() == [("a", 5, 4), ("b", 1, 1)]


def test_partials_carry_and_merge_dfs():
    vocab_a, vocab_b = fastcount.Vocab(["x", "y"]), fastcount.Vocab(["y", "z"])
    a = PartialCount(vocab_a, np.array([3, 1]), None, np.array([2, 1]), 4)
    b = PartialCount(vocab_b, np.array([2, 7]), None, np.array([1, 300]), 400)
    b = pickle.loads(pickle.dumps(b))
    assert b.dfs.dtype == np.int64 and b.dfs.tolist() == [1, 300] and b.docs == 400
    total = merge_partials([a, b])
    assert list(total.vocab) == ["x", "y", "z"]
    assert total.counts.tolist() == [3, 3, 7] and total.dfs.tolist() == [2, 2, 300] and total.docs == 404
    with pytest.raises(ValueError, match="with and without document frequencies"):
        merge_partials([a, PartialCount(vocab_b, np.array([2, 7]))])


def test_bad_document_kind():
    with pytest.raises(ValueError, match="document must be one of"):
        count_documents(["a"], "whitespace", document="page")


def test_dask_bag_and_files_count_dfs():
    dask = pytest.importorskip("dask")
    import dask.bag as db

    from fastcount.dask import count_words_dask

    lines = sample_lines()
    with dask.config.set(scheduler="sync"):
        check(count_words_dask(db.from_sequence(lines[:400], npartitions=5), dfs=True), lines[:400])
        # a file cut into several partitions, merged in a tree
        check(count_words_dask(SAMPLE, blocksize=20_000, split_every=2, dfs=True), lines)
        with pytest.raises(ValueError, match="shards=1"):
            count_words_dask(SAMPLE, shards=2, dfs=True)


def test_spark_steps_count_dfs():
    from fastcount import spark
    from fastcount.documents import finalize_result

    lines = sample_lines()[:300]
    parts = [next(spark._count(lines[i:i + 70], "jieba", {"dfs": True})) for i in range(0, 300, 70)]
    total = parts[0]
    for part in parts[1:]:
        total = spark._merge(total, part)
    check(finalize_result(total), lines)


def write_files(tmp_path, texts_per_file):
    paths = []
    for i, texts in enumerate(texts_per_file):
        path = tmp_path / f"f{i:03d}.txt"
        path.write_text("".join(t + "\n" for t in texts), encoding="utf-8")
        paths.append(path)
    return paths


def file_reference(texts_per_file, tokens=jieba.lcut):
    counts, dfs = reference(["\n".join(texts) for texts in texts_per_file], tokens)
    return counts, dfs


@pytest.mark.parametrize("workers, backend", [(1, None), (2, "threads"), (2, "processes")])
@pytest.mark.parametrize("tokenizer", ["jieba", "whitespace"])
def test_whole_files_as_documents_cut_across_workers(tmp_path, workers, backend, tokenizer):
    lines = sample_lines()
    # files of very different sizes: big ones are cut into many chunks that
    # both workers count; small ones sit inside a chunk; one is empty
    texts_per_file = [lines[:600], lines[600:605], [], lines[605:606], lines[606:1300], lines[1300:]]
    paths = write_files(tmp_path, texts_per_file)
    tokens = jieba.lcut if tokenizer == "jieba" else str.split
    result = count_documents(paths, tokenizer, document="file", workers=workers, backend=backend,
                             chunk_size=1 << 12)
    counts, dfs = file_reference(texts_per_file, tokens)
    assert dict(result.counts) == dict(counts)
    assert dict(result.dfs) == dict(dfs)
    assert result.docs == len(texts_per_file)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.text(st.sampled_from(list("的了是我北京 大学abc")), max_size=8), max_size=12),
                min_size=1, max_size=6),
       st.sampled_from([8, 64, 1 << 16]))
def test_generated_files_as_documents(tmp_path_factory, texts_per_file, chunk_size):
    texts_per_file = [[t.replace("\n", "") for t in texts] for texts in texts_per_file]
    paths = write_files(tmp_path_factory.mktemp("files"), texts_per_file)
    result = count_documents(paths, "whitespace", document="file", workers=2, chunk_size=chunk_size)
    counts, dfs = file_reference(texts_per_file, str.split)
    assert dict(result.dfs) == dict(dfs) and dict(result.counts) == dict(counts)
    assert result.docs == len(texts_per_file)


def test_file_documents_need_files():
    with pytest.raises(ValueError, match="must name files"):
        count_documents(["a b"], "whitespace", document="file")


def test_shared_documents_pickle_and_merge_once():
    vocab_a, vocab_b = fastcount.Vocab(["x", "y"]), fastcount.Vocab(["y", "z"])
    a = PartialCount(vocab_a, np.array([3, 1]), None, np.array([2, 1]), 3, {7: np.array([0, 1])})
    b = PartialCount(vocab_b, np.array([2, 7]), None, np.array([1, 2]), 2, {7: np.array([0])})
    b = pickle.loads(pickle.dumps(b))
    assert b.shared[7].tolist() == [0]
    total = merge_partials([a, b])
    # document 7 was in both parts; y was seen in it by both
    assert total.docs == 4 and total.dfs.tolist() == [2, 1, 2]
    assert total.shared[7].tolist() == [0, 1]
