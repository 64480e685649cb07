# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Merge: the k-way merge of sorted n-gram runs and tables into exact counts.

One job: read any number of sources in byte (code point) order, each a run
file written by :class:`fastcount._ngrams.NgramTable` (or by
:meth:`Merge.to_run`), a finished table, or a Vocab whose words are in byte
order with their counts, and hand on every distinct n-gram once, with its
counts summed: to a Vocab and counts (:meth:`Merge.to_vocab`), as
``ngram<TAB>count`` lines (:meth:`Merge.write_tsv`), to a new run
(:meth:`Merge.to_run`) or in batches of Python pairs (:meth:`Merge.batch`).

Run files are read defensively: a truncated, reordered or altered file
raises ValueError naming it, never reads out of bounds. Memory: one 256 KiB
read buffer per run plus the longest n-gram, whatever the runs' sizes.
"""

import os

import numpy as np

from fastcount._ngram_run_index import index_start

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.errno cimport EIO, ENOMEM, errno
from libc.stdint cimport INT64_MAX, int64_t, uint64_t
from libc.stdio cimport SEEK_SET, fclose, ferror, fopen, fread, fseek
from libc.string cimport memcmp, memcpy, memmove

from fastcount._ngram_table cimport (MAX_KEY_BYTES, NG_INLINE, NG_LITTLE_ENDIAN, RUN_MAGIC_LEN,
                                     NgRunWriter, NgTable, ng_key, ng_run_abort, ng_run_close,
                                     ng_run_magic, ng_run_open, ng_run_put)
from fastcount._native cimport (fc_alloc, fc_calloc, fc_free, fc_grow, fc_prefetch, fc_utf8_escape,
                               fc_utf8_invalid_at, fc_varint_get)
from fastcount._ngrams cimport NgramTable
from fastcount._vocab cimport (FCVocab, Vocab, fc_vocab_append_distinct, fc_vocab_free,
                              fc_vocab_push, fc_vocab_seal, fc_vocab_word)

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define NG_HAVE_BSWAP 1
    #define ng_bswap64(x) __builtin_bswap64(x)
    #else
    #define NG_HAVE_BSWAP 0
    #define ng_bswap64(x) (x)
    #endif
    """
    bint NG_HAVE_BSWAP
    uint64_t ng_bswap64(uint64_t x) noexcept nogil


cdef enum:
    READ_BUFFER = 1 << 18
    # a record's new key bytes copied as one block when at most this many
    FAST_REST = 16
    # a table's entries whose long keys are prefetched ahead of the merge
    AHEAD = 16
    TSV_BUFFER = 1 << 20


# ---------------------------------------------------------------- cursors

cdef int _fill(NgCursor* c) noexcept nogil:
    """More bytes in c.buf: 1, or 0 at the end of the file, -1 (errno) on a read error."""
    c.buf_pos = 0
    errno = 0
    c.buf_len = fread(c.buf, 1, READ_BUFFER, c.f)
    if c.buf_len > 0:
        return 1
    if ferror(c.f):
        return -1
    return 0


cdef int _read(NgCursor* c, unsigned char* out, Py_ssize_t n, int* err) noexcept nogil:
    """n bytes of the file into out; -1 with *err on a read error or a short file."""
    cdef Py_ssize_t k
    cdef int r
    while n > 0:
        if c.buf_pos == c.buf_len:
            r = _fill(c)
            if r <= 0:
                err[0] = (errno or EIO) if r < 0 else NG_CORRUPT
                return -1
        k = min(n, c.buf_len - c.buf_pos)
        memcpy(out, c.buf + c.buf_pos, k)
        c.buf_pos += k
        out += k
        n -= k
    return 0


cdef inline int _varint(NgCursor* c, uint64_t* out, int* err) noexcept nogil:
    """The next varint of the file; -1 with *err (NG_CORRUPT when malformed or cut)."""
    if c.buf_pos < c.buf_len and c.buf[c.buf_pos] < 0x80:  # one byte: most of them
        out[0] = c.buf[c.buf_pos]
        c.buf_pos += 1
        return 0
    return _varint_long(c, out, err)


cdef int _varint_long(NgCursor* c, uint64_t* out, int* err) noexcept nogil:
    cdef const unsigned char* end
    cdef int r
    if c.buf_len - c.buf_pos < 10:  # the longest varint: bring the rest to the front
        memmove(c.buf, c.buf + c.buf_pos, c.buf_len - c.buf_pos)
        c.buf_len -= c.buf_pos
        c.buf_pos = 0
        errno = 0
        c.buf_len += fread(c.buf + c.buf_len, 1, READ_BUFFER - c.buf_len, c.f)
        if ferror(c.f):
            err[0] = errno or EIO
            return -1
    end = fc_varint_get(c.buf + c.buf_pos, c.buf + c.buf_len, out)
    if end == NULL:
        err[0] = NG_CORRUPT
        return -1
    c.buf_pos = end - c.buf
    return 0


cdef inline uint64_t _be8(const unsigned char* p, Py_ssize_t n) noexcept nogil:
    """The first 8 bytes of p[0:n] as a big-endian number, zero-padded."""
    cdef uint64_t x = 0
    cdef Py_ssize_t k
    if n >= 8 and NG_LITTLE_ENDIAN and NG_HAVE_BSWAP:
        memcpy(&x, p, 8)
        return ng_bswap64(x)
    for k in range(min(n, 8)):
        x |= (<uint64_t>p[k]) << (56 - 8 * k)
    return x


cdef inline void _prefix(NgCursor* c) noexcept nogil:
    c.p0 = _be8(c.kp, c.key_len)
    c.p1 = _be8(c.kp + 8, c.key_len - 8) if c.key_len > 8 else 0


cdef int _advance_file(NgCursor* c, int* err) noexcept nogil:
    """The next record of a run: 1, 0 at its (intact) end, -1 with *err."""
    cdef uint64_t shared, rest, records
    cdef unsigned char old = 0, extra
    cdef const unsigned char* b = c.buf + c.buf_pos
    # most records: one-byte lengths, at most FAST_REST new bytes, all in the
    # buffer: copied as one fixed-size block (c.key has room past its end)
    if (c.buf_len - c.buf_pos >= 2 + FAST_REST and b[0] < 0x80 and 0 < b[1] <= FAST_REST
            and b[0] <= c.key_len and <Py_ssize_t>b[0] + FAST_REST <= c.key_cap):
        shared = b[0]
        rest = b[1]
        if shared < <uint64_t>c.key_len:
            old = c.key[shared]
        memcpy(c.key + shared, b + 2, FAST_REST)
        c.buf_pos += 2 + rest
        return _record_end(c, shared, rest, old, err)
    if _varint(c, &shared, err) < 0 or _varint(c, &rest, err) < 0:
        return -1
    if shared == 0 and rest == 0:
        # the end: the number of records, then nothing
        if _varint(c, &records, err) < 0:
            return -1
        if records != <uint64_t>c.done or _read(c, &extra, 1, err) == 0:
            err[0] = NG_CORRUPT
            return -1
        if err[0] != NG_CORRUPT:
            return -1  # a read error, not the end of the file
        err[0] = 0
        return 0
    if (shared > <uint64_t>c.key_len or rest == 0 or rest > MAX_KEY_BYTES
            or shared + rest > MAX_KEY_BYTES):
        err[0] = NG_CORRUPT
        return -1
    # FAST_REST bytes of room past the key, for the fast path's block copy
    if fc_grow(<void**>&c.key, &c.key_cap, shared + rest + FAST_REST, 1, 0) < 0:
        err[0] = ENOMEM
        return -1
    if shared < <uint64_t>c.key_len:
        old = c.key[shared]
    if _read(c, c.key + shared, rest, err) < 0:
        return -1
    return _record_end(c, shared, rest, old, err)


cdef inline int _record_end(NgCursor* c, uint64_t shared, uint64_t rest, unsigned char old,
                            int* err) noexcept nogil:
    """The rest of a record whose key bytes are read: its checks and count."""
    cdef uint64_t count
    # strictly increasing: the first new byte is above the one it replaces
    if c.done > 0 and shared < <uint64_t>c.key_len and c.key[shared] <= old:
        err[0] = NG_CORRUPT
        return -1
    if _varint(c, &count, err) < 0:
        return -1
    if count == 0 or count > <uint64_t>INT64_MAX:
        err[0] = NG_CORRUPT
        return -1
    c.key_len = shared + rest
    c.kp = c.key
    _prefix(c)
    c.count = <int64_t>count
    c.done += 1
    return 1


cdef int _advance_memory(NgCursor* c, int* err) noexcept nogil:
    """The next n-gram of a table or a Vocab, in place (neither moves its bytes
    while merged): 1, 0 at its end, -1 with *err."""
    cdef int64_t i = c.done, count
    cdef Py_ssize_t n, m
    cdef const char* p
    cdef int r
    if i >= c.n:
        return 0
    if c.table != NULL:  # sorted by finish()
        if i + AHEAD < c.n and c.table.ents[i + AHEAD].len > NG_INLINE:
            # sorted, the entries' arena bytes are in no order: fetch ahead
            fc_prefetch(ng_key(c.table, &c.table.ents[i + AHEAD]))
        p = <const char*>ng_key(c.table, &c.table.ents[i])
        n = c.table.ents[i].len
        count = c.table.ents[i].count
    else:
        p = fc_vocab_word(c.vocab, i, &n)
        count = c.counts[i]
        if p == NULL or count <= 0:
            err[0] = NG_CORRUPT
            return -1
        if c.kp != NULL:  # a Vocab given as sorted must be
            m = min(n, c.key_len)
            r = memcmp(p, c.kp, m)
            if r < 0 or r == 0 and n <= c.key_len:
                err[0] = NG_CORRUPT
                return -1
    c.kp = <const unsigned char*>p
    c.key_len = n
    _prefix(c)
    c.count = count
    c.done += 1
    return 1


cdef inline int _bytes_cmp(const unsigned char* a, Py_ssize_t na, const unsigned char* b,
                           Py_ssize_t nb) noexcept nogil:
    cdef int r = memcmp(a, b, min(na, nb))
    return r if r != 0 else (na > nb) - (na < nb)


cdef inline int _advance(NgCursor* c, int* err) noexcept nogil:
    cdef int r = _advance_file(c, err) if c.f != NULL else _advance_memory(c, err)
    if r > 0 and c.hi != NULL and _bytes_cmp(c.kp, c.key_len, c.hi, c.hi_len) >= 0:
        return 0  # past the merge's range
    return r


# ---------------------------------------------------------------- ranges

cdef int64_t _table_bound(const NgTable* t, const unsigned char* b, Py_ssize_t bn) noexcept nogil:
    """The first entry of the finished (sorted) t whose n-gram is >= b."""
    cdef int64_t lo = 0, hi = t.n, mid
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if _bytes_cmp(ng_key(t, &t.ents[mid]), t.ents[mid].len, b, bn) < 0:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef int64_t _vocab_bound(const FCVocab* v, int64_t n, const unsigned char* b,
                          Py_ssize_t bn) noexcept nogil:
    """The first of the n words of v (in byte order) that is >= b."""
    cdef int64_t lo = 0, hi = n, mid
    cdef Py_ssize_t m
    cdef const char* p
    while lo < hi:
        mid = lo + (hi - lo) // 2
        p = fc_vocab_word(v, mid, &m)
        if p != NULL and _bytes_cmp(<const unsigned char*>p, m, b, bn) < 0:
            lo = mid + 1
        else:
            hi = mid
    return lo


def append_sorted(Vocab lower not None, Vocab upper not None):
    """Append the words of ``upper`` to ``lower`` (ids following lower's):
    two Vocabs in byte order, every word of ``upper`` above every word of
    ``lower`` (what :meth:`Merge.to_vocab` gives for adjacent ranges), so
    lower stays in byte order and nothing needs looking up: the bytes are
    copied, the slots placed by upper's tags. ValueError when lower's last
    word is not below upper's first; MemoryError; lower unchanged then."""
    cdef const char* a
    cdef const char* b
    cdef Py_ssize_t na = 0, nb = 0
    if lower is upper:
        raise ValueError("append_sorted: lower and upper are the same Vocab")
    if lower.table.n and upper.table.n:
        a = fc_vocab_word(&lower.table, lower.table.n - 1, &na)
        b = fc_vocab_word(&upper.table, 0, &nb)
        if _bytes_cmp(<const unsigned char*>a, na, <const unsigned char*>b, nb) >= 0:
            raise ValueError("append_sorted: lower's last word is not below upper's first")
    if fc_vocab_append_distinct(&lower.table, &upper.table) < 0:
        raise MemoryError("Vocab: out of memory or full")


cdef int _seek_run(NgCursor* c, start, path) except -1:
    """Start c at an index entry (offset, j, n-gram j - 1), or where it is (None)."""
    cdef bytes key
    if start is None:
        return 0
    offset, j, key = start
    if offset < RUN_MAGIC_LEN or j < 1 or not 0 < len(key) <= MAX_KEY_BYTES:
        raise ValueError(f"the index of {os.fsdecode(path)} is not an n-gram run's index")
    if fc_grow(<void**>&c.key, &c.key_cap, len(key), 1, 0) < 0:
        raise MemoryError()
    if fseek(c.f, offset, SEEK_SET) != 0:
        raise OSError(errno, f"cannot read the n-gram run {os.fsdecode(path)}: "
                             f"{os.strerror(errno)}", os.fsdecode(path))
    memcpy(c.key, <char*>key, len(key))
    c.key_len = len(key)
    c.kp = c.key
    c.done = j
    c.buf_len = 0
    c.buf_pos = 0
    return 0


# ---------------------------------------------------------------- the heap

cdef inline bint _less(const NgCursor* a, const NgCursor* b) noexcept nogil:
    cdef Py_ssize_t m
    cdef int r
    if a.p0 != b.p0:
        return a.p0 < b.p0
    if a.p1 != b.p1:
        return a.p1 < b.p1
    # equal up to the shorter one's end (zero padding included) when it
    # ends within 16 bytes: the shorter one first
    if a.key_len <= 16 or b.key_len <= 16:
        return a.key_len < b.key_len
    m = min(a.key_len, b.key_len)
    r = memcmp(a.kp + 16, b.kp + 16, m - 16)
    return r < 0 or r == 0 and a.key_len < b.key_len


cdef inline bint _same(const NgCursor* c, const NgMerge* m) noexcept nogil:
    """c's n-gram is the merged one."""
    return (c.p0 == m.p0 and c.p1 == m.p1 and c.key_len == m.key_len
            and (c.key_len <= 16 or memcmp(c.kp + 16, m.key + 16, c.key_len - 16) == 0))


cdef void _sift(NgCursor** h, int n, int i) noexcept nogil:
    cdef int child
    cdef NgCursor* t
    while 2 * i + 1 < n:
        child = 2 * i + 1
        if child + 1 < n and _less(h[child + 1], h[child]):
            child += 1
        if not _less(h[child], h[i]):
            return
        t = h[i]
        h[i] = h[child]
        h[child] = t
        i = child


cdef int _step(NgMerge* m) noexcept nogil:
    """Advance the heap's top cursor and restore the heap; -1 on error."""
    cdef NgCursor* top = m.heap[0]
    cdef int r = _advance(top, &m.err)
    if r < 0:
        m.bad = <int>(top - m.cursors)
        return -1
    if r == 0:
        m.nheap -= 1
        m.heap[0] = m.heap[m.nheap]
    _sift(m.heap, m.nheap, 0)
    return 0


cdef int _merge_next(NgMerge* m) noexcept nogil:
    cdef int i, r
    cdef NgCursor* top
    if not m.started:
        m.started = True
        for i in range(m.ncursors):
            r = _advance(&m.cursors[i], &m.err)
            while r > 0 and m.lo_len > 0 and _bytes_cmp(
                    m.cursors[i].kp, m.cursors[i].key_len, m.lo, m.lo_len) < 0:
                r = _advance(&m.cursors[i], &m.err)  # before the merge's range
            if r < 0:
                m.bad = i
                return -1
            if r > 0:
                m.heap[m.nheap] = &m.cursors[i]
                m.nheap += 1
        for i in range(m.nheap // 2 - 1, -1, -1):
            _sift(m.heap, m.nheap, i)
    if m.nheap == 0:
        return 0
    top = m.heap[0]
    if top.f != NULL:  # its buffer moves on: a copy
        if fc_grow(<void**>&m.own, &m.own_cap, top.key_len, 1, 0) < 0:
            m.err = ENOMEM
            m.bad = -1
            return -1
        memcpy(m.own, top.kp, top.key_len)
        m.key = m.own
    else:
        m.key = top.kp
    m.key_len = top.key_len
    m.p0 = top.p0
    m.p1 = top.p1
    m.count = top.count
    if _step(m) < 0:
        return -1
    while m.nheap > 0:
        top = m.heap[0]
        if not _same(top, m):
            break
        if top.count > INT64_MAX - m.count:
            m.err = NG_OVERFLOW
            m.bad = -1
            return -1
        m.count += top.count
        if _step(m) < 0:
            return -1
    return 1


# ---------------------------------------------------------------- to a Vocab

cdef int _keep(FCVocab* v, int64_t** counts, Py_ssize_t* cap, NgMerge* m) noexcept nogil:
    """Append the merge's current n-gram to v without a slot (fc_vocab_push:
    the merge's n-grams come out strictly increasing, so each is new) and
    keep its count by id; -1 with m.err."""
    # only an altered run gets a key that is not UTF-8 this far
    if m.check_utf8 and fc_utf8_invalid_at(m.key, m.key_len, 1) >= 0:
        m.err = NG_CORRUPT
        m.bad = -1
        return -1
    if (fc_grow(<void**>counts, cap, v.n + 1, sizeof(int64_t), 0) < 0
            or fc_vocab_push(v, <const char*>m.key, m.key_len) < 0):
        m.err = ENOMEM
        m.bad = -1
        return -1
    counts[0][v.n - 1] = m.count
    return 0


# ---------------------------------------------------------------- TSV

cdef Py_ssize_t _tsv_line(const unsigned char* k, Py_ssize_t n, int64_t count,
                          unsigned char* out) noexcept nogil:
    """``key<TAB>count<LF>`` into out (room for 2 * n + 24 bytes): the key
    escaped as the CLI escapes words (fc_utf8_escape, with tabs)."""
    cdef Py_ssize_t j = fc_utf8_escape(k, n, out, True), d
    cdef unsigned char digits[24]
    cdef uint64_t x
    out[j] = 0x09
    j += 1
    x = <uint64_t>count
    d = 0
    while True:
        digits[d] = 0x30 + <unsigned char>(x % 10)
        d += 1
        x //= 10
        if x == 0:
            break
    while d > 0:
        d -= 1
        out[j] = digits[d]
        j += 1
    out[j] = 0x0A
    return j + 1


# ---------------------------------------------------------------- the class

cdef class Merge:
    """A one-shot k-way merge of n-gram sources into exact counts.

    ``sources``: run file paths (str or os.PathLike), finished
    :class:`fastcount._ngrams.NgramTable` s, and ``(vocab, counts)`` pairs
    whose words are in byte order (what ``NgramTable.sorted_vocab``
    returns). Every n-gram comes out once, in byte order, with its counts
    summed; ``min_count`` (where a method takes it) applies to the sums.
    A run that is not intact raises ValueError naming it; a file that
    cannot be read, OSError. One method call consumes the merge.

    ``lo``, ``hi`` (bytes, optional): merge only the n-grams whose UTF-8 is
    in ``[lo, hi)``, so that merges of adjacent ranges can run side by side.
    ``indexes``: for each source that is a run, its index as
    ``NgramTable.run_indexes`` gives it (or None): where the run's n-grams
    from ``lo`` on start, instead of reading up to them.
    """

    def __cinit__(self):
        self.sources = []
        self.names = []
        self.views = []
        self.min_count = 1

    def __init__(self, sources, *, bytes lo=None, bytes hi=None, indexes=None):
        cdef int i = 0
        cdef NgCursor* c
        cdef NgramTable t
        cdef Vocab v
        cdef const int64_t[::1] counts
        if self.m.cursors != NULL:
            raise RuntimeError("Merge.__init__ called twice")
        sources = list(sources)
        indexes = list(indexes) if indexes is not None else [None] * len(sources)
        if len(indexes) != len(sources):
            raise ValueError(f"{len(sources)} sources but {len(indexes)} indexes")
        self.lo = lo or None
        self.hi = hi
        if self.lo is not None:
            self.m.lo = <const unsigned char*>(<char*>self.lo)
            self.m.lo_len = len(self.lo)
        self.m.cursors = <NgCursor*>fc_calloc(max(len(sources), 1), sizeof(NgCursor))
        self.m.heap = <NgCursor**>fc_calloc(max(len(sources), 1), sizeof(NgCursor*))
        if self.m.cursors == NULL or self.m.heap == NULL:
            raise MemoryError()
        for source in sources:
            c = &self.m.cursors[i]
            self.m.ncursors = i + 1     # a cursor that fails half set up is freed too
            if isinstance(source, NgramTable):
                t = source
                if not t.finished:
                    raise ValueError(f"source {i}: the n-gram table is not finished (call finish())")
                c.table = &t.t
                c.n = t.t.n
                self.names.append(f"source {i} (an n-gram table)")
                if self.lo is not None:
                    c.done = _table_bound(c.table, self.m.lo, self.m.lo_len)
                if hi is not None:
                    c.n = _table_bound(c.table, <const unsigned char*>(<char*>hi), len(hi))
            elif isinstance(source, tuple):
                v, counts = source
                if len(counts) != len(v):
                    raise ValueError(f"source {i}: {len(v)} words but {len(counts)} counts")
                self.views.append(counts)
                c.vocab = &v.table
                c.counts = &counts[0] if len(counts) else NULL
                c.n = len(v)
                self.names.append(f"source {i} (a sorted vocabulary)")
                if self.lo is not None:
                    c.done = _vocab_bound(c.vocab, c.n, self.m.lo, self.m.lo_len)
                if hi is not None:
                    c.n = _vocab_bound(c.vocab, c.n, <const unsigned char*>(<char*>hi), len(hi))
            else:
                path = os.fspath(source)
                self.names.append(os.fsdecode(path))
                self.m.check_utf8 = True
                c.buf = <unsigned char*>fc_alloc(READ_BUFFER, 1)
                if c.buf == NULL:
                    raise MemoryError()
                c.f = fopen(os.fsencode(path), "rb")
                if c.f == NULL:
                    fc_free(c.buf)
                    c.buf = NULL
                    raise OSError(errno, f"cannot read the n-gram run {os.fsdecode(path)}: "
                                         f"{os.strerror(errno)}", os.fsdecode(path))
                if _fill(c) < 0 or c.buf_len < RUN_MAGIC_LEN or memcmp(
                        c.buf, ng_run_magic(), RUN_MAGIC_LEN) != 0:
                    raise ValueError(f"{os.fsdecode(path)} is not an n-gram run file "
                                     "(written by fastcount's n-gram counting)")
                c.buf_pos = RUN_MAGIC_LEN
                if self.lo is not None and indexes[i]:
                    _seek_run(c, index_start(indexes[i], self.lo), path)
                if hi is not None:
                    c.hi = <const unsigned char*>(<char*>hi)
                    c.hi_len = len(hi)
            self.sources.append(source)
            i += 1

    def __dealloc__(self):
        cdef int i
        cdef NgCursor* c
        if self.m.cursors != NULL:
            for i in range(self.m.ncursors):
                c = &self.m.cursors[i]
                if c.f != NULL:
                    fclose(c.f)
                fc_free(c.buf)
                fc_free(c.key)
        fc_free(self.m.cursors)
        fc_free(self.m.heap)
        fc_free(self.m.own)

    cdef int _begin(self) except -1:
        if self.m.cursors == NULL:
            raise RuntimeError("Merge.__init__ was not called")
        if self.busy:
            raise RuntimeError("this merge is busy in another thread")
        if self.used:
            raise RuntimeError("this merge was consumed already")
        self.used = True
        self.busy = True
        return 0

    cdef int next(self) noexcept nogil:
        cdef int r
        while True:
            r = _merge_next(&self.m)
            if r <= 0:
                return r
            self.distinct += 1
            self.total += self.m.count
            if self.m.count >= self.min_count:
                return r

    cdef int _raise(self) except -1:
        cdef int e = self.m.err
        name = self.names[self.m.bad] if self.m.bad >= 0 else "the merge"
        if e == NG_CORRUPT:
            raise ValueError(f"{name} is not an intact n-gram run (truncated, out of order or "
                             "altered): count again")
        if e == NG_OVERFLOW:
            raise OverflowError("an n-gram's count, summed over the runs, leaves int64")
        if e == ENOMEM:
            raise MemoryError()
        raise OSError(e, f"cannot read {name}: {os.strerror(e)}", name)

    @property
    def distinct(self):
        """N-grams merged so far (before ``min_count``)."""
        return self.distinct

    @property
    def total(self):
        """Their counts, summed."""
        return self.total

    def to_vocab(self, int64_t min_count=1, *, bint joined=False):
        """``(vocab, counts)``: the n-grams counted at least ``min_count``
        times as a new Vocab in byte order, and their int64 counts.
        ``joined``: the Vocab's slots are sized for as many words again (the
        lower of two ranges that :func:`append_sorted` joins: about as many
        come), so that the join need not move them."""
        cdef Vocab out = Vocab()
        cdef int64_t* kept = NULL
        cdef Py_ssize_t kept_cap = 0
        cdef int64_t[::1] rv
        cdef int r = 0
        self._begin()
        self.min_count = min_count
        try:
            with nogil:
                while True:
                    r = self.next()
                    if r > 0 and _keep(&out.table, &kept, &kept_cap, &self.m) < 0:
                        r = -1
                    if r <= 0:
                        break
                if r == 0 and fc_vocab_seal(&out.table, 0, out.table.n if joined else 0) < 0:
                    self.m.err = ENOMEM
                    self.m.bad = -1
                    r = -1
        finally:
            self.busy = False
        try:
            if r < 0:
                fc_vocab_free(&out.table)  # words without slots: not a Vocab to hand on
                self._raise()
            result = np.empty(len(out), dtype=np.int64)
            if len(out):
                rv = result
                memcpy(&rv[0], kept, len(out) * sizeof(int64_t))
        finally:
            fc_free(kept)
        return out, result

    def write_tsv(self, write, int64_t min_count=1):
        """Write ``ngram<TAB>count`` lines (n-grams counted at least
        ``min_count`` times, in byte order) as UTF-8 bytes through
        ``write(bytes)``, about 1 MiB per call; return the lines written."""
        cdef unsigned char* buf = <unsigned char*>fc_alloc(TSV_BUFFER, 1)
        cdef unsigned char* big = NULL
        cdef Py_ssize_t used = 0, need
        cdef int64_t lines = 0
        cdef int r = 0
        if buf == NULL:
            raise MemoryError()
        try:
            self._begin()
            self.min_count = min_count
            try:
                while True:
                    with nogil:
                        while True:
                            r = self.next()
                            if r <= 0:
                                break
                            need = 2 * self.m.key_len + 24
                            if used + need > TSV_BUFFER:
                                break
                            used += _tsv_line(self.m.key, self.m.key_len, self.m.count, buf + used)
                            lines += 1
                    if used > 0:
                        write(buf[:used])
                        used = 0
                    if r <= 0:
                        break
                    # the line that did not fit: first in the emptied buffer,
                    # or alone, in a buffer of its own
                    lines += 1
                    if need <= TSV_BUFFER:
                        used = _tsv_line(self.m.key, self.m.key_len, self.m.count, buf)
                        continue
                    big = <unsigned char*>fc_alloc(need, 1)
                    if big == NULL:
                        raise MemoryError()
                    write(big[:_tsv_line(self.m.key, self.m.key_len, self.m.count, big)])
                    fc_free(big)
                    big = NULL
            finally:
                self.busy = False
            if r < 0:
                self._raise()
        finally:
            fc_free(buf)
            fc_free(big)
        return lines

    def to_run(self, path):
        """Write the merged n-grams as one run file at ``path``; return their number.
        On error the file is removed."""
        cdef NgRunWriter w
        cdef int r = 0, failed = 0
        cdef bytes name = os.fsencode(path)
        self._begin()
        try:
            failed = ng_run_open(&w, name) < 0
            if not failed:
                with nogil:
                    while True:
                        r = self.next()
                        if r <= 0:
                            break
                        if ng_run_put(&w, self.m.key, self.m.key_len, self.m.count) < 0:
                            break
                    # closing first: a failed close also removes the file
                    failed = r != 0 or ng_run_close(&w) < 0
        finally:
            self.busy = False
            if failed:
                ng_run_abort(&w)
                if os.path.exists(name):
                    os.unlink(name)
            fc_free(w.index)  # not kept: merged runs are read whole
        if r < 0:
            self._raise()
        if failed:
            raise OSError(w.err, f"cannot write the n-gram run {os.fsdecode(name)}: "
                                 f"{os.strerror(w.err)} (free space there, or give another "
                                 "directory: tmpdir=, --tmpdir)", os.fsdecode(name))
        return self.distinct

    def batch(self, Py_ssize_t size, int64_t min_count=1):
        """Up to ``size`` of the next ``(ngram, count)`` pairs (counted at
        least ``min_count`` times) as a list; an empty list at the end. Unlike
        the other methods it may be called again for the next batch."""
        cdef list out = []
        cdef int r = 1
        if self.m.cursors == NULL:
            raise RuntimeError("Merge.__init__ was not called")
        if self.busy:
            raise RuntimeError("this merge is busy in another thread")
        if self.used and not self.m.started:
            raise RuntimeError("this merge was consumed already")
        self.used = True
        self.min_count = min_count
        while len(out) < size:
            r = self.next()
            if r <= 0:
                break
            out.append((PyUnicode_DecodeUTF8(<char*>self.m.key, self.m.key_len, "surrogatepass"),
                        self.m.count))
        if r < 0:
            self._raise()
        return out
