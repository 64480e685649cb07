"""Count n-grams on a Dask cluster: the counts of :func:`fastcount.count_ngrams`.

Partial n-gram counts merge like word counts: the graph is
:mod:`fastcount.dask`'s (chains of partitions counted into one chunk
counter per chain, a tree of merges, ``min_count``/``top`` on the last
task), with an n-gram table (:class:`fastcount._ngrams.NgramTable`) as the
chunk counter. Each chain hands back its n-grams as a
:class:`fastcount.merge.PartialCount` (a Vocab of n-grams, counts by id),
summed exactly as word counts are, so the result equals
``count_ngrams(..., memory=None)`` key for key, in order of first sight.

There is no memory budget here: a chain's table, and the merges above it,
hold their n-grams in the workers' memory (a worker's temporary disk is
not the client's, so nothing is spilled). Use more partitions and
``shards`` for vocabularies of n-grams larger than a worker's memory, or
:func:`fastcount.count_ngrams` with ``memory=`` on one machine.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal, Optional, Union

from fastcount.dask import DEFAULT_BLOCKSIZE, _count_graph, _run_graph, require
from fastcount.ngrams import Orders, ngram_spec

__all__ = ["count_ngrams_dask", "count_ngrams_delayed"]


def count_ngrams_delayed(source, n: Orders, **options: Any):
    """Build, without running it, the Dask graph of :func:`count_ngrams_dask`
    (a ``dask.bag.Item`` whose ``.compute()`` gives the Counter); the
    arguments are those of :func:`count_ngrams_dask` but ``client``,
    ``retries`` and ``progress``."""
    return _ngram_graph(source, n, None, **options)


def _ngram_graph(source, n, client, *, unit="char", tokenizer="jieba", keep_punct=False,
                 hmm=True, cut_all=False, user_dict=None, min_count: int = 1,
                 top: Optional[int] = None, split_every: int = 8, shards: int = 1,
                 blocksize: Union[int, str, None] = DEFAULT_BLOCKSIZE, encoding: str = "utf-8",
                 errors: str = "strict", field: Optional[str] = None,
                 storage_options: Optional[dict] = None):
    """The graph of :func:`count_ngrams_delayed` for ``client``'s scheduler
    (None: the one in effect), its arguments checked here, on the client."""
    from fastcount.ngrams import InMemoryNgramFactory

    spec = ngram_spec(n, unit, tokenizer, keep_punct, hmm, cut_all, user_dict)
    return _count_graph(
        source, None, client, min_count=min_count, top=top, split_every=split_every,
        shards=shards, blocksize=blocksize, encoding=encoding, errors=errors, field=field,
        storage_options=storage_options, tokenizer_options={},
        factory=InMemoryNgramFactory(spec),
    )


def count_ngrams_dask(
    source,
    n: Orders,
    *,
    unit: Literal["char", "word"] = "char",
    tokenizer: Any = "jieba",
    keep_punct: bool = False,
    client: Any = None,
    retries: int = 0,
    progress: bool = False,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict=None,
    **options: Any,
):
    """Count n-grams with Dask; the result equals ``fastcount.count_ngrams(source, n, ...)``
    counted in memory (same keys and counts, in order of first sight).

    ``n``, ``unit``, ``tokenizer``, ``keep_punct``, ``hmm``, ``cut_all``,
    ``user_dict``: what to count, as in :func:`fastcount.count_ngrams` (a
    tokenizer must pickle; a user dictionary must exist on every worker).
    ``source``, ``client``, ``retries``, ``progress`` and ``options``
    (``min_count``, ``top``, ``split_every``, ``shards``, ``blocksize``,
    ``encoding``, ``errors``, ``field``, ``storage_options``): as in
    :func:`fastcount.dask.count_words_dask`. No memory budget: see the
    module's description.

    >>> from fastcount.dask_ngrams import count_ngrams_dask    # doctest: +SKIP
    >>> count_ngrams_dask("s3://bucket/news/*.txt", "2-4", client=client,
    ...                   min_count=5).most_common(3)           # doctest: +SKIP
    """
    require()
    graph = partial(_ngram_graph, source, n, unit=unit, tokenizer=tokenizer,
                    keep_punct=keep_punct, hmm=hmm, cut_all=cut_all, user_dict=user_dict, **options)
    return _run_graph(graph, client, retries, progress)
