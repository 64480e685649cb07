"""Merging partial word counts: the engine-neutral reduce step.

A *partial* is the exact count of one partition of a corpus, as returned by
:func:`fastcount.pipeline.count_partition`: a :class:`fastcount.Counter`,
which pickles compactly as arrays (one UTF-8 blob of words, their offsets and
an int64 array of counts), so it is cheap to ship between processes or
machines. Merging partials is addition of counts, hence associative and
commutative: any grouping and any order of merges gives the counts of one
run over the whole corpus. Dask (:mod:`fastcount.dask`) and Spark
(:mod:`fastcount.spark`) use these functions as their reduce step.

This module imports no engine; it works anywhere ``fastcount`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

if TYPE_CHECKING:
    from fastcount.counter import Counter

__all__ = ["merge_counts", "finalize_counts"]


def merge_counts(partials: Iterable) -> "Counter":
    """Return a new :class:`fastcount.Counter` holding the sum of ``partials``.

    ``partials`` is an iterable of ``fastcount.Counter`` (or any mapping of
    word -> count). The inputs are left unchanged: an engine may hand the same
    partial to a retried task, and mutating it would count it twice.
    """
    from fastcount.counter import Counter

    total = Counter()
    for part in partials:
        total.update(part)
    return total


def finalize_counts(counts, min_count: int = 1, top: Optional[int] = None) -> "Counter":
    """Apply ``min_count`` and ``top`` to merged counts, as ``count_words`` does.

    Returns a new :class:`fastcount.Counter` (``counts`` itself when there is
    nothing to cut: ``min_count=1``, ``top=None``); ``counts`` is left unchanged.
    ``min_count`` keeps words seen at least that many times; ``top`` keeps the
    ``top`` most common of those (``None`` keeps all), most common first,
    ties broken by word.
    """
    import heapq

    import numpy as np

    from fastcount.counter import Counter

    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count!r}")
    if top is not None and top < 0:
        raise ValueError(f"top must be >= 0 or None, got {top!r}")
    if min_count == 1 and top is None:
        return counts  # nothing to cut: skip a copy of a vocabulary-sized table
    kept = [(w, c) for w, c in counts.items() if c >= min_count]
    if top is not None:
        # Most common first, ties by word: the cut and the order then do not
        # depend on the order in which partials were merged.
        kept = heapq.nsmallest(top, kept, key=lambda wc: (-wc[1], wc[0]))
    out = Counter()
    out.update_counts([w for w, _ in kept], np.array([c for _, c in kept], dtype=np.int64))
    return out
