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

import threading

import numpy as np

cimport cython

from libc.stdint cimport INT64_MAX, int64_t, uint32_t, uint64_t
from libc.string cimport memcpy, memset

from fastcount._native cimport fc_alloc, fc_calloc, fc_free, fc_utf8_invalid_at
from fastcount._ngram_table cimport NgEntry, NgSlot, NgTable, ng_key
from fastcount._ngrams cimport NgramTable
from fastcount._vocab cimport FC_VOCAB_MAX_WORDS, FCVocab, Vocab, fc_vocab_reserve
from fastcount._vocab_table cimport fc_hash_seed, fc_slot_put, fc_vocab_place

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
        text_chars(texts)
        raise
    out.lines = len(texts)
    return out


def text_chars(texts):
    """The characters (code points) of ``texts``, a list or tuple of str;
    TypeError naming the first item that is no str."""
    cdef Py_ssize_t i = 0, chars = 0
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, not str") from None
        chars += len(<str>text)
        i += 1
    return chars


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


#: N-grams from which ordered_vocab places the Vocab's slots in a second
#: thread while this one copies keys and counts (for fewer, a thread costs
#: more than it saves).
PLACE_APART = 1 << 16

cdef enum:
    # _place takes a table's slots this many at a time
    PLACE_BLOCK = 256


def ordered_vocab(tables):
    """``(vocab, counts)``: the n-grams of ordered tables that counted the
    same text, each its own orders, as one new :class:`fastcount.Vocab` in
    the order of first sight of one table counting every order, and their
    int64 counts by id. The tables are unchanged; each must be unfinished
    and must not have spilled. From :data:`PLACE_APART` n-grams on, a second
    thread places the Vocab's slots while this one copies keys and counts."""
    cdef NgramTable table
    cdef Vocab out = Vocab()
    cdef _Concat concat = _Concat()
    cdef int64_t n = 0, nbytes = 0, i
    cdef int64_t[::1] cv
    tables = list(tables)
    taken = []
    try:
        # every table busy before any Python code runs (numpy's allocation
        # below may): the sizes read next must still hold when they are copied
        for table in tables:
            table._check(False)  # busy in another thread, or listed twice
            if table.finished or table.run_paths or not table.ordered:
                raise ValueError("ordered_vocab takes unfinished tables that recorded first sights "
                                 "and never spilled")
            table.busy = True
            taken.append(table)
        for table in tables:
            n += table.t.n
            for i in range(table.t.n):
                nbytes += table.t.ents[i].len
        if n > FC_VOCAB_MAX_WORDS:
            raise MemoryError(f"{n} n-grams: more than a Vocab holds")
        if fc_vocab_reserve(&out.table, n, nbytes) < 0:
            raise MemoryError()
        counts = np.empty(n, dtype=np.int64)
        cv = counts
        concat.setup(out, tables, &cv[0] if n else NULL, n)
        for g, table in enumerate(tables):
            concat.ts[g] = &table.t
            concat.ords[g] = table.ords
        concat.number()
        if n >= PLACE_APART and concat.tagged:
            placer = threading.Thread(target=concat.place, name="fastcount-place", daemon=True)
            placer.start()
            try:
                concat.copy()
            finally:
                _join(placer)
        else:
            concat.copy()
            concat.place()
    finally:
        for table in taken:
            table.busy = False
    return out, counts


def _join(thread) -> None:
    """Join ``thread`` even through Ctrl-C (it reads tables that its caller
    hands back once it returns), then raise what interrupted the wait."""
    interrupted = None
    while thread.is_alive():
        try:
            thread.join()
        except BaseException as exc:
            interrupted = interrupted or exc
    if interrupted is not None:
        raise interrupted


@cython.auto_pickle(False)
@cython.final
cdef class _Concat:
    """ordered_vocab's work on k ordered tables and a reserved, empty Vocab
    of their n n-grams: each entry's id in it (:meth:`number`: the order of
    first sights, a merge of the tables' ordinals); then its keys, offsets
    and counts (:meth:`copy`) and its slots (:meth:`place`), which touch
    disjoint memory: two threads may run them at once."""

    cdef Vocab out          # holds the Vocab alive while a pass runs
    cdef list tables        # ... and the tables
    cdef const NgTable** ts
    cdef const int64_t** ords
    cdef uint32_t** id1     # each table's entries' ids in the Vocab, + 1
    cdef int k
    cdef int64_t n
    cdef int64_t* counts
    # 0: made from Python (nothing to work on), 1: set up, 2: numbered
    cdef int stage
    cdef bint tagged        # every table's slot tags are the Vocab's (see _place)
    cdef bint copied

    cdef int _need(self, int stage) except -1:
        if self.stage != stage:
            raise RuntimeError("_Concat: only ordered_vocab runs its passes, in order")
        return 0

    cdef int setup(self, Vocab out, list tables, int64_t* counts, int64_t n) except -1:
        self.out = out
        self.tables = tables
        self.k = len(tables)
        self.counts = counts
        self.n = n
        # a table hashed with another seed than the Vocab's would leave its
        # words in slots where the Vocab never looks (ng_adoptable checks the
        # same for a table whose slots a Vocab takes over)
        self.tagged = True
        for table in tables:
            self.tagged &= (<NgramTable>table).t.seed == fc_hash_seed()
        self.ts = <const NgTable**>fc_calloc(max(self.k, 1), sizeof(NgTable*))
        self.ords = <const int64_t**>fc_calloc(max(self.k, 1), sizeof(int64_t*))
        self.id1 = <uint32_t**>fc_calloc(max(self.k, 1), sizeof(uint32_t*))
        if self.ts == NULL or self.ords == NULL or self.id1 == NULL:
            raise MemoryError()
        self.stage = 1
        return 0

    def number(self):
        """Number the entries (``id1``), without the GIL."""
        cdef int g, failed = 0
        self._need(1)
        with nogil:
            for g in range(self.k):
                self.id1[g] = <uint32_t*>fc_alloc(max(self.ts[g].n, 1), sizeof(uint32_t))
                failed |= self.id1[g] == NULL
            if not failed:
                if self.k == 2:
                    _number2(self.ords[0], self.ts[0].n, self.ords[1], self.ts[1].n, self.id1[0],
                             self.id1[1])
                else:
                    failed = _number(self.ts, self.ords, self.k, self.id1)
        if failed:
            raise MemoryError()
        self.stage = 2

    def copy(self):
        """Fill the Vocab's keys and offsets, and the counts, without the GIL."""
        self._need(2)
        with nogil:
            _copy(&self.out.table, self.ts, self.k, self.id1, self.counts, self.n)
        self.copied = True

    def place(self):
        """Fill the Vocab's slots, without the GIL: from the tables' slots
        (beside :meth:`copy`, in another thread) where their tags are the
        Vocab's, else by hashing the copied keys (after :meth:`copy`)."""
        self._need(2)
        if not self.tagged and not self.copied:
            raise RuntimeError("_Concat: only ordered_vocab runs its passes, in order")
        with nogil:
            if self.tagged:
                _place(&self.out.table, self.ts, self.k, self.id1)
            else:  # a new Vocab's slots: empty, room for n words
                fc_vocab_place(&self.out.table, 0, self.n)

    def __dealloc__(self):
        cdef int g
        if self.id1 != NULL:
            for g in range(self.k):
                fc_free(self.id1[g])
        fc_free(self.id1)
        fc_free(self.ts)
        fc_free(self.ords)


cdef void _number2(const int64_t* a, int64_t na, const int64_t* b, int64_t nb,
                   uint32_t* ia, uint32_t* ib) noexcept nogil:
    """_number of two tables without a branch per entry: both heads get the
    next id, the one that comes first moves on (the other's is rewritten
    when it does; the ordinals of two tables differ)."""
    cdef int64_t i = 0, j = 0
    cdef uint32_t id1 = 1
    cdef int t
    while i < na and j < nb:
        t = b[j] < a[i]
        ia[i] = id1
        ib[j] = id1
        i += 1 - t
        j += t
        id1 += 1
    while i < na:
        ia[i] = id1
        i += 1
        id1 += 1
    while j < nb:
        ib[j] = id1
        j += 1
        id1 += 1


cdef int _number(const NgTable** ts, const int64_t** ords, int k, uint32_t** id1) noexcept nogil:
    """id1[g][i]: 1 + the rank of table g's entry i in the order of first
    sight of all k tables' entries (each table's ordinals increase: the
    smallest head, found by a scan, comes next). 0 ok, -1 out of memory."""
    cdef int64_t* pos = <int64_t*>fc_calloc(max(k, 1), sizeof(int64_t))
    cdef int64_t best, o
    cdef uint32_t next1 = 1
    cdef int g, pick
    if pos == NULL:
        return -1
    while True:
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
        id1[pick][pos[pick]] = next1
        pos[pick] += 1
        next1 += 1
    fc_free(pos)
    return 0


cdef void _copy(FCVocab* v, const NgTable** ts, int k, uint32_t** id1, int64_t* counts,
                int64_t n) noexcept nogil:
    """Fill the empty v's keys and offsets by the entries' ids, and
    counts[id] (its slots are _place's); table by table, each entry to its
    place, so every key is copied at its exact length."""
    cdef int64_t i
    cdef int g
    cdef const NgEntry* e
    cdef const uint32_t* ids
    v.offsets[0] = 0
    for g in range(k):
        ids = id1[g]
        for i in range(ts[g].n):
            v.offsets[ids[i]] = ts[g].ents[i].len
    for i in range(n):
        v.offsets[i + 1] += v.offsets[i]
    # the keys are whole characters of text checked or encoded as UTF-8
    # (surrogatepass) when fed: what a Vocab's arena must hold
    for g in range(k):
        ids = id1[g]
        for i in range(ts[g].n):
            e = &ts[g].ents[i]
            _put(v.arena + v.offsets[ids[i] - 1], ng_key(ts[g], e), e.len)
            counts[ids[i] - 1] = e.count
    v.n = n
    v.arena_len = v.offsets[n]


cdef inline void _put(char* dst, const unsigned char* src, size_t n) noexcept nogil:
    """dst[:n] = src[:n] and nothing past it; a short key (most are) by two
    fixed-size copies that overlap, not a call."""
    if n > 16:
        memcpy(dst, src, n)
    elif n >= 8:
        memcpy(dst, src, 8)
        memcpy(dst + n - 8, src + n - 8, 8)
    elif n >= 4:
        memcpy(dst, src, 4)
        memcpy(dst + n - 4, src + n - 4, 4)
    elif n:
        dst[0] = src[0]
        dst[n // 2] = src[n // 2]
        dst[n - 1] = src[n - 1]


cdef void _place(FCVocab* v, const NgTable** ts, int k, uint32_t** id1) noexcept nogil:
    """Fill the empty v's slots from the tables' slots: a slot's tag is the
    low half of the Vocab's hash of its key (the tables hash as a Vocab
    does: _Concat.tagged), so no key is read or hashed, and a table's
    slots, in order of their home, land in order in v's (linear probing
    finds a key wherever its probe from home passes first: the order of
    placing does not matter, and a Vocab only ever drops words added after
    it was made)."""
    cdef const NgSlot* s
    cdef NgSlot held[PLACE_BLOCK]
    cdef const uint32_t* ids
    cdef uint64_t i, m, b, n, end
    cdef int g
    # written before any is read: a fresh array's pages then fault in once
    # (a read first maps the zero page; the write after it faults again and
    # flushes the TLBs of the threads counting beside this one)
    memset(v.slots, 0, (v.mask + 1) * sizeof(v.slots[0]))
    for g in range(k):
        ids = id1[g]
        s = ts[g].slots
        end = ts[g].mask + 1 if s != NULL else 0
        b = 0
        while b < end:
            # a block's full slots gathered first, with no branch on whether
            # a slot is full (about half are, in no pattern)
            n = 0
            for m in range(b, b + PLACE_BLOCK if b + PLACE_BLOCK < end else end):
                held[n] = s[m]
                n += s[m].id1 != 0
            b += PLACE_BLOCK
            for i in range(n):
                fc_slot_put(v.slots, v.mask, held[i].tag, ids[held[i].id1 - 1])
