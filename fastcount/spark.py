"""Count word frequencies with Spark, exactly as ``count_words`` does.

Needs the ``spark`` extra: ``pip install 'fastcount[spark]'`` (PySpark, and a
Java runtime on every node), and fastcount installed on every executor.
Nothing here imports PySpark at import time; the core package never does.

Recipe
------
Each partition of an RDD of texts is counted once on an executor by
:func:`fastcount.pipeline.partial_count` (the tokenizer is loaded once per
Python worker, which Spark reuses across tasks), giving one compact partial
count per partition (a :class:`fastcount.merge.PartialCount`: words as a
Vocab, counts by id, about a byte per word beyond the words pickled). The
partials are summed with ``treeReduce`` (``depth`` levels of merges on the
executors, by :func:`fastcount.merge.merge_partials`, as ``count_words``
merges its workers' counts) and the driver cuts the one merged result by
``min_count``/``top``::

    from pyspark.sql import SparkSession
    from fastcount.spark import count_words_rdd

    spark = SparkSession.builder.appName("wordcount").getOrCreate()
    lines = spark.sparkContext.textFile("hdfs:///corpus/*.txt.gz", minPartitions=2000)
    counts = count_words_rdd(lines, top=100_000)          # a fastcount.Counter
    for word, n in counts.most_common(20):
        print(word, n)

The same by hand, for a pipeline of your own, with Counters::

    from fastcount import count_partition, finalize_counts, merge_counts
    partials = lines.mapPartitions(lambda texts: [count_partition(texts)])
    total = finalize_counts(partials.treeReduce(lambda a, b: merge_counts([a, b]), depth=2),
                            top=100_000)

With a DataFrame column of texts, use ``df.select("text").rdd.map(lambda r: r[0])``.

Lines: ``SparkContext.textFile`` ends lines at ``"\\n"``, ``"\\r\\n"`` and a
lone ``"\\r"``, and replaces bytes that are not UTF-8, whereas
``count_words`` ends lines at ``"\\n"`` only (a lone ``"\\r"`` stays in the
text) and raises on bad bytes unless ``errors="replace"``. Counts are equal
for the built-in tokenizers on valid UTF-8 (they never join words across a
``"\\r"``); a regex tokenizer that matches ``"\\r"`` can differ.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Iterable, Iterator, Optional

__all__ = ["count_words_rdd"]


def _import_pyspark():
    """Import pyspark, or raise ImportError naming the extra to install."""
    try:
        import pyspark
    except ImportError as exc:
        raise ImportError(
            f"fastcount.spark needs PySpark: pip install 'fastcount[spark]' ({exc})"
        ) from exc
    return pyspark


def _count(texts: Iterable[str], tokenizer: Any, options: dict) -> Iterator:
    """mapPartitions step: the exact partial count of one partition."""
    from fastcount.pipeline import partial_count

    yield partial_count(texts, tokenizer, **options)


def _merge(a, b):
    """treeReduce step: the merge ``count_words`` uses (a new partial; both
    inputs stay as they are)."""
    from fastcount.merge import merge_partials

    return merge_partials([a, b])


def count_words_rdd(
    rdd,
    tokenizer: Any = "jieba",
    *,
    min_count: int = 1,
    top: Optional[int] = None,
    depth: int = 2,
    **tokenizer_options: Any,
):
    """Count the words of an RDD of texts; the result equals ``count_words``.

    Parameters
    ----------
    rdd
        A ``pyspark.RDD`` of ``str``, one text per element (e.g.
        ``sc.textFile(...)``).
    tokenizer, **tokenizer_options
        As for ``count_words`` (``"jieba"``, ``hmm=``, ``cut_all=``,
        ``user_dict=``...). A callable must be picklable; a user dictionary
        must exist on every executor. ``dfs=True`` counts document
        frequencies too (each element a document) and returns a
        :class:`fastcount.documents.DocumentCounts`.
    min_count, top
        Keep words seen at least ``min_count`` times, then the ``top`` most
        common (ties by word); applied on the driver to the merged counts.
    depth
        Depth of ``treeReduce``: levels of merges on the executors before the
        driver receives the last ``~npartitions ** (1 / depth)`` partials.

    Returns
    -------
    fastcount.Counter

    Raises
    ------
    ImportError
        PySpark is not installed (``pip install 'fastcount[spark]'``).
    ValueError
        A bad option, before any Spark job runs.
    Exception
        A task's error (e.g. a ``TypeError`` naming a non-str element), as
        PySpark reports it after ``spark.task.maxFailures`` attempts.
    """
    _import_pyspark()
    from fastcount.documents import DocumentCounts, finalize_result
    from fastcount.options import check_cut, whole_number
    from fastcount.tokenizers import chunk_counter_factory

    min_count, top = check_cut(min_count, top)
    depth = whole_number("depth", depth, 1)
    # Check the tokenizer options here, so a typo fails on the driver and
    # not as a task error on every executor.
    chunk_counter_factory(tokenizer, **tokenizer_options)

    from fastcount.counter import Counter

    if rdd.getNumPartitions() == 0:
        return DocumentCounts(Counter(), Counter(), 0) if tokenizer_options.get("dfs") else Counter()
    partials = rdd.mapPartitions(partial(_count, tokenizer=tokenizer, options=tokenizer_options))
    return finalize_result(partials.treeReduce(_merge, depth=depth), min_count, top)
