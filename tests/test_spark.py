"""fastcount.spark: counts from a local-mode Spark session equal count_words.

Skipped, with the reason, when PySpark or a Java runtime is missing (CI has
neither; install the ``spark`` extra and a JDK to run them)."""

import os
import pathlib
import shutil
import sys

import pytest

import fastcount
from fastcount.spark import count_words_rdd

try:
    import pyspark  # noqa: F401

    _missing = None if (shutil.which("java") or os.environ.get("JAVA_HOME")) else (
        "no Java runtime for Spark (java not on PATH, JAVA_HOME unset)"
    )
except ImportError:
    _missing = "pyspark is not installed (the spark extra)"

SAMPLE = pathlib.Path(__file__).parent / "data" / "engines" / "reviews-300.txt"


def test_missing_pyspark_says_which_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(ImportError, match=r"fastcount\[spark\]"):
        count_words_rdd(object())


@pytest.fixture(scope="module")
def sc():
    if _missing:
        pytest.skip(_missing)
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("fastcount-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.task.maxFailures", "1")
        .getOrCreate()
    )
    try:
        yield spark.sparkContext
    finally:
        spark.stop()


@pytest.fixture(scope="module")
def texts():
    return SAMPLE.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("partitions", [1, 3, 16])
def test_text_file_equals_count_words(sc, tmp_path, partitions):
    # Real text with CRLF endings and blank lines; gzip read whole by Spark.
    import gzip

    raw = SAMPLE.read_bytes()
    (tmp_path / "a.txt").write_bytes(raw.replace(b"\n", b"\r\n") + b"\n\n  \nlast line")
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress(raw[: len(raw) // 3].rsplit(b"\n", 1)[0]))
    rdd = sc.textFile(str(tmp_path), minPartitions=partitions)
    got = count_words_rdd(rdd)
    assert isinstance(got, fastcount.Counter)
    assert got == fastcount.count_words(tmp_path, workers=1)
    assert len(got) > 1000


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_parallelized_texts_and_options(sc, texts, depth):
    rdd = sc.parallelize(texts, 7)
    for kwargs in ({}, {"min_count": 2, "top": 30}, {"tokenizer": "char", "top": 5}, {"hmm": False}):
        assert count_words_rdd(rdd, depth=depth, **kwargs) == fastcount.count_words(
            texts, workers=1, **kwargs
        ), kwargs


def test_empty_rdd(sc):
    assert count_words_rdd(sc.parallelize([], 3)) == fastcount.Counter()
    assert count_words_rdd(sc.emptyRDD()) == fastcount.Counter()


def test_bad_options_fail_on_the_driver(sc, texts):
    rdd = sc.parallelize(texts, 2)
    with pytest.raises(ValueError):
        count_words_rdd(rdd, min_count=0)
    with pytest.raises(ValueError):
        count_words_rdd(rdd, depth=0)
    with pytest.raises(ValueError, match="unknown tokenizer"):
        count_words_rdd(rdd, tokenizer="nosuchtokenizer")


def test_task_error_surfaces(sc):
    rdd = sc.parallelize(["好的", 17, "不错"], 2)
    with pytest.raises(Exception, match="int"):
        count_words_rdd(rdd)


@pytest.mark.parametrize("depth", [1, 3])
def test_document_frequencies_equal_count_documents(sc, texts, depth):
    from fastcount.documents import count_documents

    want = count_documents(texts, workers=1)
    for rdd in (sc.parallelize(texts, 7), sc.parallelize(texts, 1)):
        got = count_words_rdd(rdd, depth=depth, dfs=True)
        assert dict(got.counts) == dict(want.counts)
        assert dict(got.dfs) == dict(want.dfs)
        assert got.docs == want.docs == len(texts)
    empty = count_words_rdd(sc.parallelize([], 2), dfs=True)
    assert (dict(empty.counts), dict(empty.dfs), empty.docs) == ({}, {}, 0)
