"""Document frequencies: ``count_documents`` and its result, ``DocumentCounts``.

A document is one text (``document="text"``: a line of a text file, a JSON
record with ``field=``, an item of an iterable) or one whole file
(``document="file"``). For each word the count says how many documents
contain it, counted in the same pass as the word counts, by the chunk
counters themselves (a per-word "last document seen" mark, no set per
document), for every tokenizer, worker count and backend: exactly::

    dfs = collections.Counter()
    for doc in docs:
        dfs.update(set(tokens(doc)))

The workers' partial counts carry the document frequencies and the number
of documents (:class:`fastcount.merge.PartialCount`); merging sums them. A
file cut into chunks that several workers count is a document of each of
their partials: the workers list the words they saw in such a file, and the
merge counts the file once, for each word and in the number of documents. The
Dask and Spark engines count them with ``dfs=True``
(:func:`fastcount.dask.count_words_dask`, :func:`fastcount.spark.count_words_rdd`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import numpy as np

from fastcount import io as fio
from fastcount.merge import PartialCount, kept_ids
from fastcount.options import check_cut
from fastcount.tokenizers import chunk_counter_factory

if TYPE_CHECKING:
    from fastcount.counter import Counter
    from fastcount.filters import WordFilter
    from fastcount.pipeline import CountStats, Source
    from fastcount.tokenizers import TokenizerSpec

__all__ = ["DocumentCounts", "count_documents", "finalize_documents", "finalize_result", "DOCUMENTS"]

#: What a document can be: each text (line, JSON record, item of an
#: iterable), or each file.
DOCUMENTS = ("text", "file")


@dataclass
class DocumentCounts:
    """Word counts with document frequencies.

    ``counts`` and ``dfs`` are :class:`fastcount.Counter` s of the same
    words, in the same order (most common first when ``top`` was given);
    ``docs`` is the number of documents counted, ``texts`` the number of
    texts (lines), when known (with documents by text: ``docs``).
    """

    counts: "Counter"
    dfs: "Counter"
    docs: int
    texts: Optional[int] = None

    def idf(self, smooth: bool = False) -> Dict[str, float]:
        """Inverse document frequency of each word: ``ln(docs / df)``, as
        jieba.analyse's ``idf.txt`` holds it; with ``smooth``,
        ``ln((1 + docs) / (1 + df)) + 1`` (never 0, defined for any df)."""
        n = self.docs
        if smooth:
            return {w: math.log((1 + n) / (1 + df)) + 1 for w, df in self.dfs.items()}
        return {w: math.log(n / df) for w, df in self.dfs.items()}

    def rows(self) -> List[Tuple[str, int, int]]:
        """``(word, count, df)`` for every word, in order."""
        return [(w, c, self.dfs[w]) for w, c in self.counts.items()]


def finalize_documents(part: PartialCount, min_count: int = 1, top: Optional[int] = None) -> DocumentCounts:
    """The :class:`DocumentCounts` of a merged partial that carries document
    frequencies, cut by ``min_count``/``top`` as :func:`fastcount.merge.finalize`
    cuts (words counted 0, e.g. by a filter, are left out)."""
    from fastcount._vocab import Vocab
    from fastcount.counter import Counter

    if part.dfs is None:
        raise ValueError("this partial count has no document frequencies")
    vocab, counts = part.vocab, part.counts
    keep = kept_ids(counts, min_count, top, vocab.decode)
    if keep is None:
        keep = np.flatnonzero(counts)
    columns = []
    for column in (counts, part.dfs):
        words = Vocab()
        words.add_from(vocab, keep)
        columns.append(Counter.from_vocab(words, column[keep]))
    return DocumentCounts(columns[0], columns[1], part.docs)


def finalize_result(part: PartialCount, min_count: int = 1, top: Optional[int] = None):
    """:func:`finalize_documents` for a partial with document frequencies,
    else :func:`fastcount.merge.finalize` (a Counter): what the engines
    return."""
    if part.dfs is not None:
        return finalize_documents(part, min_count, top)
    from fastcount.merge import finalize

    return finalize(part, min_count, top)


def count_documents(
    source: "Source",
    tokenizer: "TokenizerSpec" = "jieba",
    *,
    document: str = "text",
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[str] = None,
    keep_whitespace: bool = False,
    min_count: int = 1,
    top: Optional[int] = None,
    word_filter: Optional["WordFilter"] = None,
    stats: Optional["CountStats"] = None,
    **run_options: Any,
) -> DocumentCounts:
    """Count the words of a corpus and the documents each occurs in, in one pass.

    ``document`` says what a document is: ``"text"``, each text (a line of
    a file, a JSON record with ``field``, an item of an iterable), or
    ``"file"``, each file (``source`` must then name files). The
    other arguments are :func:`fastcount.count_words`'s, ``run_options``
    too (``workers``, ``backend``, ``field``, ``encoding``, ``progress``...),
    and the words and counts are the same. Returns a
    :class:`DocumentCounts`: counts, document frequencies and the number of
    documents, cut by ``min_count``/``top`` (on the counts).
    """
    from fastcount.pipeline import CountStats, merged_count

    started = time.perf_counter()
    if document not in DOCUMENTS:
        raise ValueError(f"document must be one of {', '.join(map(repr, DOCUMENTS))}, got {document!r}")
    if document == "file" and fio.path_specs(source) is None:
        raise ValueError("document='file' counts files as documents: source must name files, "
                         "not be an iterable of texts (use document='text')")
    min_count, top = check_cut(min_count, top)
    factory = chunk_counter_factory(tokenizer, hmm=hmm, cut_all=cut_all, user_dict=user_dict,
                                    keep_whitespace=keep_whitespace, dfs=document)
    stats = stats if stats is not None else CountStats()
    total = merged_count(source, factory, word_filter, stats, **run_options)
    t0 = time.perf_counter()
    result = finalize_documents(total, min_count, top)
    result.texts = stats.texts
    stats.merge_seconds += time.perf_counter() - t0
    stats.seconds = time.perf_counter() - started
    return result
