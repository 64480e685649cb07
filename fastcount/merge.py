"""Merging partial counts, and the one finalize step (``min_count``, ``top``).

A *partial* is the exact count of one part of a corpus. Inside fastcount it
is a :class:`PartialCount`: the part's words as a :class:`fastcount.Vocab`
(ids in order of first sight) and their counts by id, as a chunk counter
gives them (``vocab_result``). Workers of ``count_words``, the chains of
the Dask engine and Spark's partitions each produce one; :func:`merge_partials`
combines any number of them in C (:meth:`fastcount.Vocab.add_from`, then one
sum by id), and :func:`finalize` applies ``min_count``/``top`` and builds the
:class:`fastcount.Counter` once, with no Python str per word on the way.

Merging is addition of counts, hence associative and commutative: any
grouping and any order of merges gives the counts of one run over the whole
corpus. The order of the words also comes out as one run would give it when
the partials are merged in corpus order, or carry first-sight marks.

For partials that are Counters (:func:`fastcount.count_partition` returns
one, for pipelines of your own), :func:`merge_counts` and
:func:`finalize_counts` do the same on Counters, with the same rule for
``top`` (:func:`kept_ids`). This module imports no engine; it works anywhere
``fastcount`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from fastcount.options import check_cut

if TYPE_CHECKING:
    from fastcount._vocab import Vocab
    from fastcount.counter import Counter

__all__ = ["PartialCount", "merge_partials", "kept_ids", "finalize", "merge_counts", "finalize_counts"]


@dataclass
class PartialCount:
    """The exact counts of part of a corpus, by word id.

    ``counts[i]`` (int64) is the count of word ``i`` of ``vocab``; ids are
    in order of first sight. ``marks`` are first-sight marks: ``(chunk id,
    first id)`` for each chunk this part counted, in order, where ``first
    id`` is the number of distinct words before that chunk; chunk ids are
    numbered across the whole corpus, so merging by them restores the
    corpus's first-sight order across parts counted side by side. None:
    merge in the order given.

    ``dfs`` (int64 by id, or None when not counted) are the document
    frequencies of the part's words (documents of the part that contain
    them), and ``docs`` its number of documents; merged as ``counts`` are.
    With documents by file, a file cut into chunks counted by several
    workers is a document of each of their parts: ``shared`` maps each such
    document to the ids of its words in this part, and the merge counts it
    once (for each word, and in ``docs``).
    Pickles (to another process or machine) with a byte per count (and per
    df) and the counts above 255 apart, by id: most words are rare, so that
    is about a byte per word; a damaged pickle raises ValueError or
    TypeError.
    """

    vocab: "Vocab"
    counts: np.ndarray
    marks: Optional[List[Tuple[int, int]]] = None
    dfs: Optional[np.ndarray] = None
    docs: int = 0
    shared: Optional[Dict[int, np.ndarray]] = None

    def __reduce__(self):
        dfs = None if self.dfs is None else _packed(self.dfs)
        shared = None if self.shared is None else {doc: _narrow(ids) for doc, ids in self.shared.items()}
        return _rebuild_partial, (self.vocab, *_packed(self.counts), self.marks, dfs, self.docs, shared)


def _packed(counts: np.ndarray) -> tuple:
    """``counts`` (>= 0) as a byte each, and the ids and values of those above 255."""
    big = np.flatnonzero(counts > 255)
    small = np.where(counts > 255, 0, counts).astype(np.uint8)
    return small.tobytes(), _narrow(big), _narrow(counts[big])


def _narrow(values: np.ndarray) -> np.ndarray:
    """``values`` (>= 0) as uint32 where they fit, else as uint64."""
    return values.astype(np.uint32 if not len(values) or values.max() < 2**32 else np.uint64)


def _damaged(what: str) -> ValueError:
    return ValueError(f"a damaged PartialCount pickle: {what}")


def _unpacked(small: bytes, big: np.ndarray, big_counts: np.ndarray, n: int) -> np.ndarray:
    """The int64 counts :func:`_packed` gave, checked: ``n`` of them."""
    if not isinstance(small, bytes):
        raise TypeError("a damaged PartialCount pickle: no bytes of counts")
    counts = np.frombuffer(small, dtype=np.uint8).astype(np.int64)
    if len(counts) != n:
        raise _damaged(f"{len(counts)} counts for {n} words")
    if not all(isinstance(a, np.ndarray) and a.dtype.kind == "u" and a.ndim == 1
               for a in (big, big_counts)) or len(big) != len(big_counts):
        raise _damaged("the counts above 255 do not match their ids")
    if len(big) and (big.max() >= len(counts) or big_counts.max() >= 2**63):
        raise _damaged("a count above 255 out of range")
    counts[big] = big_counts
    return counts


def _rebuild_partial(vocab, small: bytes, big: np.ndarray, big_counts: np.ndarray, marks,
                     dfs: Optional[tuple] = None, docs: int = 0, shared: Optional[dict] = None) -> PartialCount:
    """A pickled :class:`PartialCount`, every part checked before it is used."""
    from fastcount._vocab import Vocab

    damaged = _damaged
    if not isinstance(vocab, Vocab):
        raise TypeError("a damaged PartialCount pickle: not a Vocab")
    counts = _unpacked(small, big, big_counts, len(vocab))
    if dfs is not None:
        if not isinstance(dfs, tuple) or len(dfs) != 3:
            raise damaged("document frequencies that are not packed counts")
        dfs = _unpacked(*dfs, len(vocab))
    if type(docs) is not int or docs < 0:
        raise damaged("a number of documents that is not an int >= 0")
    if shared is not None:
        if not isinstance(shared, dict) or not all(
            type(doc) is int and isinstance(ids, np.ndarray) and ids.dtype.kind == "u" and ids.ndim == 1
            and (not len(ids) or ids.max() < len(vocab)) for doc, ids in shared.items()
        ):
            raise damaged("shared documents that are not lists of word ids")
        shared = {doc: ids.astype(np.int64) for doc, ids in shared.items()}
    if marks is not None:
        if not isinstance(marks, list) or not all(
            isinstance(mark, tuple) and len(mark) == 2 and all(type(v) is int for v in mark)
            for mark in marks
        ):
            raise damaged("first-sight marks that are not (chunk id, first id) pairs")
        firsts = [first for _, first in marks]
        if firsts != sorted(firsts) or (firsts and (firsts[0] < 0 or firsts[-1] > len(vocab))):
            raise damaged("first-sight marks out of order or out of range")
    return PartialCount(vocab, counts, marks, dfs, docs, shared)


def first_sight_segments(marks: Sequence, sizes: Sequence[int]) -> List[Tuple[int, int, int, int]]:
    """``(chunk id, part, start, end)``: the ranges of each part's word ids
    in the order the merge takes them (``marks[p]``: part p's first-sight
    marks or None; ``sizes[p]``: its number of words).

    Each part's ids are in order of first sight, split by the chunk that
    introduced them (its marks); taking the segments by chunk id gives the
    corpus's first-sight order. Without every part's marks: in part order.
    """
    if any(m is None for m in marks):
        return [(0, p, 0, size) for p, size in enumerate(sizes)]
    segments = []
    for p, size in enumerate(sizes):
        ends = [start for _, start in marks[p][1:]] + [size]
        for (chunk_id, start), end in zip(marks[p], ends):
            if end > start:
                segments.append((chunk_id, p, start, end))
    segments.sort()
    return segments


def merge_partials(parts: Iterable[PartialCount]) -> PartialCount:
    """The sum of ``parts`` as one :class:`PartialCount` (a new one; the
    parts are left unchanged, except that a single part is returned as is).

    Words come in the corpus's order of first sight when every part has
    marks, else in the order of ``parts``. The result's marks are those of a
    part that counted everything: the first chunk's, at id 0 (None without
    marks).
    """
    from fastcount._vocab import Vocab

    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    segments = first_sight_segments([part.marks for part in parts], [len(part.vocab) for part in parts])
    total = Vocab()
    # ids[p][i]: the total's id of word i of part p
    ids = [np.empty(len(part.vocab), dtype=np.int64) for part in parts]
    for _, p, start, end in segments:
        ids[p][start:end] = total.add_from(parts[p].vocab, np.arange(start, end))
    summed = np.zeros(len(total), dtype=np.int64)
    for part, where in zip(parts, ids):
        _add_by_id(summed, where, part.counts, "count")
    dfs = None
    if any(part.dfs is not None for part in parts):
        # a part without dfs and without words (an empty partition) adds nothing
        if any(part.dfs is None and len(part.vocab) for part in parts):
            raise ValueError("cannot merge partial counts with and without document frequencies")
        dfs = np.zeros(len(total), dtype=np.int64)
        for part, where in zip(parts, ids):
            if part.dfs is not None:
                _add_by_id(dfs, where, part.dfs, "document frequency")
    docs, shared = sum(part.docs for part in parts), None
    if any(part.shared is not None for part in parts):
        docs, shared = _count_shared_once(parts, ids, dfs, docs)
    marks = [(segments[0][0], 0)] if segments and parts[0].marks is not None else None
    return PartialCount(total, summed, marks, dfs, docs, shared)


def _add_by_id(total: np.ndarray, where: np.ndarray, values: np.ndarray, what: str) -> None:
    """``total[where] += values`` (a part's words are distinct: no repeated
    index), refusing a sum past int64 instead of letting numpy wrap it."""
    total[where] += values
    # values are >= 0 (a PartialCount checks its pickle): a wrapped sum is below its addend
    if len(values) and (total[where] < values).any():
        raise OverflowError(f"merge_partials: a merged {what} is outside the int64 range")


def _count_shared_once(parts: List[PartialCount], ids: List[np.ndarray], dfs: np.ndarray,
                       docs: int) -> Tuple[int, Dict[int, np.ndarray]]:
    """A document shared by k parts was counted k times, in ``docs`` and in
    the dfs of each word of it that several parts saw: count it once (``dfs``
    is changed in place). Returns ``docs`` and the merged shared documents."""
    by_doc: Dict[int, List[np.ndarray]] = {}
    for part, where in zip(parts, ids):
        for doc, local in (part.shared or {}).items():
            by_doc.setdefault(doc, []).append(np.unique(where[local]))
    shared = {}
    for doc, lists in by_doc.items():
        words, times = np.unique(np.concatenate(lists), return_counts=True)
        dfs[words] -= times - 1
        docs -= len(lists) - 1
        shared[doc] = words
    return docs, shared


def kept_ids(
    counts: np.ndarray, min_count: int, top: Optional[int], words_of: Callable[[np.ndarray], list]
) -> Optional[np.ndarray]:
    """The ids (indexes of ``counts``) that ``min_count`` and ``top`` keep, in
    the order of the result; None when nothing is cut.

    ``min_count`` keeps words counted at least that many times, in id order.
    ``top`` then keeps the ``top`` most common, most common first, ties
    broken by word (``words_of(ids)`` gives the words of some ids), so that
    neither the cut nor the order depends on the order of merging.
    """
    if min_count <= 1 and top is None:
        return None
    keep = np.flatnonzero(counts >= min_count)
    if top is None or top == 0:
        return keep if top is None else keep[:0]
    if top < len(keep):
        # only words that can make the cut (count >= the top-th largest) are sorted
        kth = np.partition(counts[keep], len(keep) - top)[len(keep) - top]
        keep = keep[counts[keep] >= kth]
    words = words_of(keep)
    rank = np.empty(len(keep), dtype=np.int64)
    rank[sorted(range(len(keep)), key=words.__getitem__)] = np.arange(len(keep))
    return keep[np.lexsort((rank, -counts[keep]))[:top]]


def finalize(part: PartialCount, min_count: int = 1, top: Optional[int] = None) -> "Counter":
    """The :class:`fastcount.Counter` of a (merged) partial, cut by
    ``min_count``/``top`` (see :func:`kept_ids`), built from its Vocab with no
    str per word. Takes ``part``'s vocab over: do not use ``part`` afterwards."""
    from fastcount._vocab import Vocab
    from fastcount.counter import Counter

    vocab, counts = part.vocab, part.counts
    keep = kept_ids(counts, min_count, top, vocab.decode)
    if keep is None:
        return Counter.from_vocab(vocab, counts)
    if top is None:
        # ids in order: drop the others by counting them 0
        kept = np.zeros_like(counts)
        kept[keep] = counts[keep]
        return Counter.from_vocab(vocab, kept)
    cut = Vocab()  # the kept words, in the result's order
    cut.add_from(vocab, keep)
    return Counter.from_vocab(cut, counts[keep])


def merge_counts(partials: Iterable) -> "Counter":
    """Return a new :class:`fastcount.Counter` holding the sum of ``partials``.

    ``partials`` is an iterable of ``fastcount.Counter`` (or any mapping of
    word -> count), such as :func:`fastcount.count_partition` returns. The
    inputs are left unchanged: an engine may hand the same partial to a
    retried task, and mutating it would count it twice.
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
    from fastcount.counter import Counter

    min_count, top = check_cut(min_count, top)
    if min_count == 1 and top is None:
        return counts  # nothing to cut: skip a copy of a vocabulary-sized table
    words = list(counts.keys())
    values = np.fromiter(counts.values(), dtype=np.int64, count=len(words))
    keep = kept_ids(values, min_count, top, lambda ids: [words[i] for i in ids])
    out = Counter()
    out.update_counts([words[i] for i in keep], values[keep])
    return out
