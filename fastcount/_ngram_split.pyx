# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Character n-grams counted split by order: the native half.

Several :class:`fastcount._ngrams.NgramTable` count the same text, each its
own orders (say 1-2 and 3-4), side by side in threads (the counting runs
without the GIL). Their keys are disjoint (an n-gram's order is its number
of characters), so their sum needs no lookup: it is their concatenation, in
the order one table of every order would have given the keys ids. That
order is (the offset in the text where an n-gram's first sight ends, its
order), and an ordered table records it per entry (``ords``, see
``_ngrams.pxd``): :func:`ordered_vocab` merges the tables' entries by it.
"""

import numpy as np

cimport cython

from libc.stdint cimport INT64_MAX, int64_t

from fastcount._native cimport fc_alloc, fc_calloc, fc_free, fc_utf8_invalid_at
from fastcount._ngram_table cimport NG_INLINE, NgEntry, NgTable, ng_copy_key
from fastcount._ngrams cimport NgramTable
from fastcount._vocab cimport FC_VOCAB_MAX_WORDS, FCVocab, Vocab, fc_vocab_place, fc_vocab_reserve

def record_order(NgramTable table not None):
    """Make a new table record each entry's first sight, for :func:`ordered_vocab`
    (until it spills). Its text must then come through :func:`count_lines`."""
    table._check(True)
    if table.ntotal or table.ntexts or table.run_paths or table.word_mode:
        raise ValueError("only a new character n-gram table records first sights")
    table.ordered = True


@cython.auto_pickle(False)  # else a pickle could make one of any bytes
cdef class Lines:
    """Whole lines of text as UTF-8 (surrogatepass) that this module made or
    checked (:func:`lines_of_texts`, :func:`lines_of_utf8`): what
    :func:`count_lines` counts, as is, in every table of a split."""

    cdef readonly bytes data
    cdef readonly Py_ssize_t lines


def lines_of_texts(texts):
    """``texts`` (a list or tuple of str) as :class:`Lines`, each ended by a
    line end; TypeError naming the first item that is no str."""
    cdef Lines out = Lines()
    try:
        out.data = ("\n".join(texts) + "\n").encode("utf-8", "surrogatepass") if texts else b""
    except TypeError:
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] is {type(text).__name__}, not str") from None
        raise
    out.lines = len(texts)
    return out


def lines_of_utf8(bytes data not None):
    """``data`` (whole lines; the last one's line end may be missing) as
    :class:`Lines`, or None when it is not strict UTF-8 (as ``feed_utf8``
    decides: for Python to decode and report)."""
    cdef Lines out = Lines()
    cdef const unsigned char* p = <const unsigned char*>(<char*>data)
    cdef Py_ssize_t n = len(data), i, lines = 0
    with nogil:
        if fc_utf8_invalid_at(p, n, False) >= 0:
            lines = -1
        elif n:
            for i in range(n):
                lines += p[i] == 10
            lines += p[n - 1] != 10
    if lines < 0:
        return None
    out.data = data
    out.lines = lines
    return out


def count_lines(NgramTable table not None, Lines lines not None):
    """Count the character n-grams of ``lines`` in a table that recorded
    first sights (:func:`record_order`; since spilled, it counts on without
    them), without the GIL: every table of a split must get the same lines,
    in the same order, for their first sights to compare."""
    cdef bytes data = lines.data
    cdef const unsigned char* p
    cdef Py_ssize_t n
    cdef int failed = 0
    table._check(True)
    if data is None:
        raise ValueError("Lines come from lines_of_texts or lines_of_utf8")
    if not table.ordered and not table.run_paths:
        raise ValueError("this table does not record first sights (record_order)")
    p = <const unsigned char*>(<char*>data)
    n = len(data)
    table.busy = True
    try:
        with nogil:
            table.ord_s0 = p
            if n:
                failed = table._count_utf8(p, n)
            table.ord_base += n
            table.ord_s0 = NULL
    finally:
        table.busy = False
    table.ntexts += lines.lines
    if failed:
        table._raise_err()


def ordered_vocab(tables):
    """``(vocab, counts)``: the n-grams of ordered tables that counted the
    same text, each its own orders, as one new :class:`fastcount.Vocab` in
    the order of first sight of one table counting every order, and their
    int64 counts by id. The tables are unchanged; each must be unfinished
    and must not have spilled."""
    cdef NgramTable table
    cdef Vocab out = Vocab()
    cdef int k, g, failed = 0
    cdef int64_t n = 0, nbytes = 0, i
    cdef const NgTable** ts = NULL
    cdef const int64_t** ords = NULL
    cdef int64_t[::1] cv
    tables = list(tables)
    k = len(tables)
    for table in tables:
        table._check(False)
        if table.finished or table.run_paths or not table.ordered:
            raise ValueError("ordered_vocab takes unfinished tables that recorded first sights "
                             "and never spilled")
        n += table.t.n
        for i in range(table.t.n):
            nbytes += table.t.ents[i].len
    if n > FC_VOCAB_MAX_WORDS:
        raise MemoryError(f"{n} n-grams: more than a Vocab holds")
    # NG_INLINE bytes of slack: a short key is copied as its whole inline field
    if fc_vocab_reserve(&out.table, n, nbytes + NG_INLINE) < 0:
        raise MemoryError()
    counts = np.empty(n, dtype=np.int64)
    cv = counts
    ts = <const NgTable**>fc_alloc(max(k, 1), sizeof(NgTable*))
    ords = <const int64_t**>fc_alloc(max(k, 1), sizeof(int64_t*))
    taken = []
    try:
        if ts == NULL or ords == NULL:
            raise MemoryError()
        for g in range(k):
            table = tables[g]
            if table.busy:
                raise RuntimeError("this n-gram table is busy in another thread")
            table.busy = True
            taken.append(table)
            ts[g] = &table.t
            ords[g] = table.ords
        with nogil:
            failed = _concat(&out.table, ts, ords, k, &cv[0] if n else NULL)
    finally:
        for table in taken:
            table.busy = False
        fc_free(ts)
        fc_free(ords)
    if failed:
        raise MemoryError()
    return out, counts


cdef int _concat(FCVocab* v, const NgTable** ts, const int64_t** ords, int k,
                 int64_t* counts) noexcept nogil:
    """Fill the empty v (room reserved) with every table's keys, ids in the
    order of their ordinals, and counts[id] with their counts; then its
    slots. 0 ok, -1 out of memory."""
    cdef int64_t* pos = <int64_t*>fc_calloc(max(k, 1), sizeof(int64_t))
    cdef int64_t best, o, off = 0, i = 0
    cdef int g, pick
    cdef const NgEntry* e
    if pos == NULL:
        return -1
    while True:
        # a few tables: the smallest head by a scan (each table's ordinals increase)
        pick = -1
        best = INT64_MAX
        for g in range(k):
            if pos[g] < ts[g].n:
                o = ords[g][pos[g]]
                if o < best:
                    best = o
                    pick = g
        if pick < 0:
            break
        e = &ts[pick].ents[pos[pick]]
        pos[pick] += 1
        # the keys are whole characters of text checked or encoded as UTF-8
        # (surrogatepass) when fed: what a Vocab's arena must hold
        off += ng_copy_key(v.arena + off, ts[pick], e)
        counts[i] = e.count
        i += 1
        v.offsets[i] = off
    fc_free(pos)
    v.n = i
    v.arena_len = off
    fc_vocab_place(v, 0, i)
    return 0
