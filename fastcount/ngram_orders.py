"""Character n-grams with two or more threads, split by order instead of by text.

Threads that each count part of the text (as :func:`fastcount.count_words`
does) each end with a table holding most of the common n-grams, and the sum
must look every key of one up in the other. Split by order instead (orders
1-4 on two threads: 1-2 and 3-4), every table counts the whole text and the
tables' keys are disjoint: their sum is their concatenation, in the order of
first sight one table of every order would give (``fastcount._ngram_split``).

:func:`fastcount.ngrams.counted` uses it for character n-grams counted by
2..(number of orders) threads; the text is read and encoded once (one
reader, the calling thread), and each chunk is counted by every group's
table side by side; only where no table can outgrow its share of the
budget (:func:`never_spills`): a spilling count is split by text.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from typing import List, Optional, Sequence, Tuple

from fastcount.merge import PartialCount
from fastcount.ngrams import NgramFactory, NgramPartial, NgramSpec

__all__ = ["order_groups", "OrderSplitFactory", "OrderSplitCounter", "OrderedPartial",
           "merge_ordered", "split_spec", "never_spills", "most_held"]


def _order_cost(n: int) -> float:
    """What counting order ``n`` costs per character, roughly: a lookup in
    a table beyond the caches from trigrams on; bigrams fewer keys, mostly
    cached; unigrams counted by code point (a map, no lookup)."""
    return {1: 0.2, 2: 0.6}.get(n, 1.0)


def order_groups(lo: int, hi: int, k: int) -> Optional[List[Tuple[int, int]]]:
    """``k`` contiguous groups ``(lo, hi)`` of the orders ``lo..hi`` whose
    costliest group costs least, or None when there are fewer orders than
    ``k`` or ``k < 2`` (no split)."""
    orders = list(range(lo, hi + 1))
    if k < 2 or k > len(orders):
        return None
    cost = [0.0]
    for n in orders:
        cost.append(cost[-1] + _order_cost(n))
    m = len(orders)
    # best[j][i]: (the costliest group, groups) of orders[:i] in j groups
    best = [[(float("inf"), [])] * (m + 1) for _ in range(k + 1)]
    best[0][0] = (0.0, [])
    for j in range(1, k + 1):
        for i in range(j, m + 1):
            for s in range(j - 1, i):
                worst, groups = best[j - 1][s]
                worst = max(worst, cost[i] - cost[s])
                if worst < best[j][i][0]:
                    best[j][i] = (worst, groups + [(orders[s], orders[i - 1])])
    return best[k][m][1]


class OrderedPartial(NgramPartial):
    """One order group's n-grams: a table that recorded first sights (see
    :func:`merge_ordered`), or its runs once it spilled."""


@dataclasses.dataclass(frozen=True)
class OrderSplitFactory(NgramFactory):
    """The chunk counter of a count split by order: an :class:`OrderSplitCounter`
    of one table per group of ``groups``, each spilling within ``limit``."""

    groups: Tuple[Tuple[int, int], ...] = ()

    @property
    def releases_gil(self) -> bool:
        """The counter runs its own threads: one reader feeds it."""
        return False

    def __call__(self) -> "OrderSplitCounter":
        """A new counter, its tables empty."""
        tables = [NgramFactory(dataclasses.replace(self.spec, lo=lo, hi=hi), self.limit,
                               self.spill_dir)() for lo, hi in self.groups]
        return OrderSplitCounter(tables)

    def partial(self, counter: "OrderSplitCounter", marks) -> Tuple[OrderedPartial, ...]:  # type: ignore[override]
        """One partial per group, in group order, the last chunk counted."""
        counter.finish()
        return tuple(OrderedPartial(table, None, limit=self.limit) for table in counter.tables)


class OrderSplitCounter:
    """Tables of order groups that count every chunk side by side: the
    calling thread counts the first group, one thread per other group the
    rest. A chunk is counted at the next call (or :meth:`finish`): while the
    groups count it, the last group's thread, once done, encodes the chunk
    just handed over (the calling thread would encode it after the count,
    every group waiting; the last group has the fewest orders)."""

    def __init__(self, tables: Sequence):
        from fastcount._ngram_split import record_order

        self.tables = list(tables)
        for table in self.tables:
            record_order(table)
        self._pending = None  # the Lines handed over and not counted yet

    def seen(self) -> int:
        """No first-sight marks: the tables record first sights themselves."""
        return 0

    def feed(self, texts) -> int:
        """Count ``texts`` (str each; counted by the next call or
        :meth:`finish`); their size in UTF-8 bytes (lone surrogates as 3)."""
        from fastcount._ngram_split import text_chars

        texts = texts if isinstance(texts, (list, tuple)) else list(texts)
        text_chars(texts)  # its TypeError names the first text that is no str
        lines = self._hand_over(texts)
        return len(lines.data) - lines.lines

    def feed_block(self, block) -> int:
        """Count a :class:`fastcount.io.Block` of strict UTF-8 lines (their
        number; counted by the next call or :meth:`finish`), or -1, counting
        nothing, for Python to decode it."""
        from fastcount._ngram_split import lines_of_utf8

        if block.encoding != "utf-8" or block.field is not None:
            return -1
        lines = lines_of_utf8(block.data)
        if lines is None:
            return -1
        return self._hand_over(lines).lines

    def finish(self) -> None:
        """Count the chunk handed over last."""
        pending, self._pending = self._pending, None  # never counted twice, even after a failure
        if pending is not None:
            self._count(pending, None)

    def _hand_over(self, chunk):
        """Count the pending chunk while ``chunk`` (Lines, or texts to
        encode) becomes the pending one; its Lines."""
        from fastcount._ngram_split import Lines, lines_of_texts

        made = []

        def make() -> None:
            made.append(chunk if isinstance(chunk, Lines) else lines_of_texts(chunk))

        pending, self._pending = self._pending, None  # never counted twice, even after a failure
        if pending is None:
            make()
        else:
            self._count(pending, make)
        self._pending = made[0]
        return made[0]

    def _count(self, lines, then) -> None:
        from fastcount._ngram_split import count_lines

        last = len(self.tables) - 1
        failed: list = [None] * len(self.tables)

        def count(g: int) -> None:
            try:
                count_lines(self.tables[g], lines)
                if g == last and then is not None:
                    then()
            except BaseException as exc:  # raised as itself by the calling thread
                failed[g] = exc

        threads = [threading.Thread(target=count, args=(g,), name=f"fastcount-orders-{g}",
                                    daemon=True) for g in range(1, len(self.tables))]
        for thread in threads:
            thread.start()
        try:
            count(0)
        finally:
            # after Ctrl-C here, a thread still counting stops at its next
            # line end once the count's tables are aborted (ngrams._remove)
            for thread in threads:
                thread.join()
        for exc in failed:
            if exc is not None:
                raise exc


def merge_ordered(parts: Sequence[NgramPartial]) -> Optional[PartialCount]:
    """The sum of order groups' partials in order of first sight, or None
    when they are not all :class:`OrderedPartial` whose tables still
    recorded first sights (then: merged as any partials)."""
    from fastcount._ngram_split import ordered_vocab

    if len(parts) < 2 or not all(isinstance(part, OrderedPartial) and part.table is not None
                                 and not part.runs for part in parts):
        return None
    vocab, counts = ordered_vocab([part.table for part in parts])
    return PartialCount(vocab, counts)


def split_spec(spec: NgramSpec, workers: int, run_options: dict, source=None,
               budget: Optional[int] = None) -> Optional[List[Tuple[int, int]]]:
    """The order groups of a count of ``spec`` by ``workers`` with
    :func:`fastcount.pipeline.run_counters`'s ``run_options``, or None when
    it is not split (word n-grams, worker processes, fewer orders than
    workers, or, given ``source`` and ``budget``, a count whose tables
    might spill: see :func:`never_spills`)."""
    if spec.unit != "char" or run_options.get("backend") not in (None, "threads"):
        return None
    if run_options.get("mp_context") is not None:
        return None
    groups = order_groups(spec.lo, spec.hi, workers)
    if groups is not None and budget is not None and not never_spills(source, groups, budget):
        return None
    return groups


#: The most bytes a table's accounting (ng_peak_after_insert, _ords_peak)
#: reaches per n-gram it holds, the key's bytes aside, each array at the
#: peak of a growth step (old and new at once): entries (24 bytes, grown by
#: a quarter: 1 + 1.25 per n-gram), slots (8 bytes, at most 7/10 full:
#: 1/0.7 + 2/0.7 per n-gram) and first sights (8 bytes, by a quarter).
_HELD_PER_NGRAM = 24 * 9 // 4 + (8 * 3 * 10 + 6) // 7 + 8 * 9 // 4
#: ... and per character of the n-gram (a long key's bytes, at most 4 a
#: character, in an arena grown by doubling: 1 + 2 per byte).
_HELD_PER_CHAR = 4 * 3
#: ... and once per table: the arrays' smallest sizes.
_HELD_AT_LEAST = 4096


def most_held(chars: int, lo: int, hi: int) -> int:
    """The most a table of orders ``lo..hi`` can hold (its accounting) while
    counting text of ``chars`` characters: every n-gram distinct."""
    return chars * (hi - lo + 1) * (_HELD_PER_NGRAM + _HELD_PER_CHAR * hi) + _HELD_AT_LEAST


def never_spills(source, groups: Sequence[Tuple[int, int]], budget: int) -> bool:
    """Whether tables of ``groups``, each with its share of ``budget``, can
    hold every n-gram of ``source`` however many are distinct: so only for
    texts in hand (a list or tuple of str) or one uncompressed file (whose
    decoding gives at most 4 characters per byte), by the most n-grams
    their characters make.

    A split count that spills is slower and holds more than one split by
    text: a table that spills stops the other groups at every chunk, and
    the tables' memory, allocated by a new thread per chunk, is scattered
    over the allocator's per-thread arenas."""
    from fastcount._ngram_split import text_chars
    from fastcount.io import is_compressed

    if isinstance(source, (list, tuple)):
        try:
            chars = text_chars(source)
        except TypeError:
            return False
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path) or is_compressed(path):
            return False
        chars = 4 * os.path.getsize(path)
    else:
        return False
    share = budget // len(groups)
    return all(most_held(chars, lo, hi) <= share for lo, hi in groups)
