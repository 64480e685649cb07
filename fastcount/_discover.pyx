# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The statistics of new-word discovery, from exact character n-gram counts.

One job: given the sources of a merge of character n-grams of orders
``1..max_len + 1`` (see :mod:`fastcount._ngram_merge`), compute for every
candidate (an n-gram of ``2..max_len`` characters counted at least
``min_count`` times) its count, its cohesion and the entropies of its left
and right neighbouring characters, in two passes over the merged n-grams:

* pass 1 keeps the n-grams of up to ``max_len`` characters counted at least
  ``min_count`` times (a candidate's parts are counted at least as often as
  it is, so they are all kept), sums the 1-grams: ``N``, the characters,
  and the right neighbours: an n-gram g of 3..max_len + 1 characters is
  one of g minus its last character, the n-gram of that length the merge
  gave last (no lookup);
* cohesion(w) = log(min over the two-way splits w = x + y of
  N * c(w) / (c(x) * c(y))): the least pointwise mutual information of its
  parts, in nats;
* pass 2 reads every such g again: a left neighbour of g minus its first
  character (looked up). Entropy = log(S) - T / S with S the sum of the
  neighbours' counts c and T the sum of c * log(c), summed in code point
  order of the neighbouring character (the merge's order), so a Python
  reference summing in that order gets the same floats, bit for bit.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from libc.math cimport log
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.string cimport memcmp, memcpy, memset

from fastcount._ngram_merge cimport Merge
from fastcount._native cimport fc_alloc, fc_free, fc_grow, fc_prefetch
from fastcount._vocab cimport (FCVocab, Vocab, fc_hash_bytes, fc_vocab_find, fc_vocab_find_hashed,
                              fc_vocab_intern, fc_vocab_word)

cdef enum:
    LOOKUPS = 16


cdef inline Py_ssize_t _chars(const unsigned char* p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, k = 0
    for i in range(n):
        k += (p[i] & 0xC0) != 0x80
    return k


cdef inline Py_ssize_t _first_char(const unsigned char* p, Py_ssize_t n) noexcept nogil:
    """Bytes of the first code point of p[0:n]."""
    cdef Py_ssize_t i = 1
    while i < n and (p[i] & 0xC0) == 0x80:
        i += 1
    return i


cdef inline Py_ssize_t _last_char(const unsigned char* p, Py_ssize_t n) noexcept nogil:
    """Offset of the last code point of p[0:n]."""
    cdef Py_ssize_t i = n - 1
    while i > 0 and (p[i] & 0xC0) == 0x80:
        i -= 1
    return i


cdef struct KeptStat:
    # a kept n-gram's count, characters, and the sums of its right
    # neighbours' counts c and of c * log(c)
    int64_t count
    int64_t chars
    int64_t right_s
    double right_t


cdef struct Kept:
    KeptStat* stats         # by the n-gram's id in the Vocab
    Py_ssize_t cap
    # by length in characters: the id of the last n-gram of that length
    # the merge gave, -1 when it was not kept
    int64_t* last


cdef inline double _c_log_c(int64_t count) noexcept nogil:
    """c * log(c); 0 for c = 1 without the call (adding it changes no sum)."""
    cdef double c = <double>count
    return c * log(c) if count > 1 else 0.0


cdef int _first_pass(Merge a, FCVocab* kept, Kept* k, int max_len, int64_t min_count,
                     int64_t* total) noexcept nogil:
    """Pass 1 (see the module): 1 ok, 0 at the merge's error, -1 out of
    memory, -2 bytes that are not UTF-8."""
    cdef int r
    cdef int64_t wid, count
    cdef Py_ssize_t m, n, w
    cdef const unsigned char* key
    cdef const char* word
    while True:
        r = a.next()
        if r <= 0:
            return 1 if r == 0 else 0
        key = a.m.key
        m = a.m.key_len
        count = a.m.count
        n = _chars(key, m)
        if n == 1:
            total[0] += count
        if n > max_len + 1:
            continue
        if n >= 3:
            # g = w + b: in byte order w came last of the n-grams of its
            # length (all between w and g start with w), so it is g's prefix
            # when the last one kept is
            wid = k.last[n - 1]
            if wid >= 0:
                word = fc_vocab_word(kept, wid, &w)
                if w == _last_char(key, m) and memcmp(word, key, w) == 0:
                    k.stats[wid].right_s += count
                    k.stats[wid].right_t += _c_log_c(count)
        if n > max_len:
            continue
        if count < min_count:
            k.last[n] = -1
            continue
        wid = fc_vocab_intern(kept, <const char*>key, m)
        if wid == -2:
            return -2
        if wid < 0 or fc_grow(<void**>&k.stats, &k.cap, wid + 1, sizeof(KeptStat), 0) < 0:
            return -1
        k.stats[wid].count = count
        k.stats[wid].chars = n
        k.stats[wid].right_s = 0
        k.stats[wid].right_t = 0.0
        k.last[n] = wid


cdef struct Lookups:
    # pass 2's lookups, LOOKUPS at a time: their slots are fetched together
    unsigned char* bytes    # the keys, back to back (the merge's key moves on)
    Py_ssize_t bytes_len
    Py_ssize_t bytes_cap
    Py_ssize_t offs[LOOKUPS]
    Py_ssize_t lens[LOOKUPS]
    int64_t counts[LOOKUPS]
    int k


cdef int _look_up(Lookups* lb, const unsigned char* key, Py_ssize_t n,
                  int64_t count) noexcept nogil:
    """Queue a lookup of key[:n] with its count; -1 out of memory."""
    if fc_grow(<void**>&lb.bytes, &lb.bytes_cap, lb.bytes_len + n, 1, 0) < 0:
        return -1
    memcpy(lb.bytes + lb.bytes_len, key, n)
    lb.offs[lb.k] = lb.bytes_len
    lb.lens[lb.k] = n
    lb.counts[lb.k] = count
    lb.bytes_len += n
    lb.k += 1
    return 0


cdef struct Left:
    # where pass 2 puts what it finds: the sums by id (sl, tl), or, for the
    # upper of two key ranges, a log of (id, count) in merge order, added to
    # the sums after the lower range's (the floats then come out as one
    # pass in order would make them)
    int64_t* sl
    double* tl
    int64_t* log
    Py_ssize_t log_len
    Py_ssize_t log_cap


cdef int _add_left(Lookups* lb, const FCVocab* v, Left* out) noexcept nogil:
    """Run the queued lookups, in order, and add each found key's count c
    and c * log(c) to its sums (or log them); -1 out of memory."""
    cdef uint64_t hs[LOOKUPS]
    cdef int j
    cdef int64_t wid
    for j in range(lb.k):
        hs[j] = fc_hash_bytes(<const char*>lb.bytes + lb.offs[j], lb.lens[j])
        if v.slots != NULL:
            fc_prefetch(&v.slots[<uint32_t>hs[j] & v.mask])
    for j in range(lb.k):
        wid = fc_vocab_find_hashed(v, <const char*>lb.bytes + lb.offs[j], lb.lens[j], hs[j])
        if wid < 0:
            continue
        if out.sl != NULL:
            out.sl[wid] += lb.counts[j]
            out.tl[wid] += _c_log_c(lb.counts[j])
        else:
            if fc_grow(<void**>&out.log, &out.log_cap, out.log_len + 2, sizeof(int64_t), 0) < 0:
                return -1
            out.log[out.log_len] = wid
            out.log[out.log_len + 1] = lb.counts[j]
            out.log_len += 2
    lb.k = 0
    lb.bytes_len = 0
    return 0


cdef int _second_pass(Merge b, const FCVocab* v, int max_len, Left* out) noexcept nogil:
    """Pass 2 (see the module) over b's n-grams: 1 ok, 0 at the merge's
    error, -1 out of memory."""
    cdef Lookups lb
    cdef const unsigned char* key
    cdef Py_ssize_t m, j, split
    cdef int r, done = -1
    memset(&lb, 0, sizeof(Lookups))
    while True:
        r = b.next()
        if r <= 0:
            if r < 0:
                done = 0
            elif _add_left(&lb, v, out) == 0:
                done = 1
            break
        key = b.m.key
        m = b.m.key_len
        j = _chars(key, m)
        if j < 3 or j > max_len + 1:  # a candidate has 2+ characters
            continue
        # g = a + w: a left neighbour of w
        split = _first_char(key, m)
        if _look_up(&lb, key + split, m - split, b.m.count) < 0:
            break
        if lb.k == LOOKUPS and _add_left(&lb, v, out) < 0:
            break
    fc_free(lb.bytes)
    return done


cdef class _UpperPass:
    """Pass 2 over the upper of two key ranges, in a thread of its own."""
    cdef Merge merge
    cdef Vocab kept
    cdef int max_len
    cdef Left out
    cdef int r                  # _second_pass's result, once run() returned

    def __cinit__(self, Merge merge, Vocab kept, int max_len):
        self.merge = merge
        self.kept = kept
        self.max_len = max_len

    def __dealloc__(self):
        fc_free(self.out.log)

    def run(self):
        self.merge._begin()
        try:
            with nogil:
                self.r = _second_pass(self.merge, &self.kept.table, self.max_len, &self.out)
        finally:
            self.merge.busy = False


def candidates(first, sources, int max_len, int64_t min_count, *, indexes=None,
               bint halves=False):
    """The discovery statistics of the merged character n-grams.

    ``first``: a :class:`fastcount._ngram_merge.Merge` of ``sources`` (pass
    1); pass 2 merges ``sources`` again (``indexes``: the runs', as Merge
    takes them), with ``halves`` as two merges of adjacent key ranges side
    by side (the same floats). Returns ``(vocab, counts, chars, cohesion,
    left, right, total)``: every n-gram of 1..max_len characters counted at
    least ``min_count`` times, as a Vocab in code point order, with numpy
    arrays of its count, its length in characters, its cohesion (0 for one
    character) and its left and right entropies (0 when it has no
    neighbour); ``total`` is N, the number of characters counted.
    """
    cdef Merge a = first, b
    cdef Vocab kept = Vocab()
    cdef Kept k
    cdef Left out
    cdef _UpperPass upper = None
    cdef int64_t total = 0, wid, n, i, cx, cy, cw
    cdef Py_ssize_t m, split, j
    cdef const char* word
    cdef int r = 0
    cdef bint missing = False
    cdef double ratio, best
    cdef int64_t[::1] cv, lv, sl, sr
    cdef double[::1] coh, tl, tr
    if max_len < 1:
        raise ValueError(f"max_len must be >= 1, got {max_len}")
    memset(&k, 0, sizeof(Kept))
    try:
        k.last = <int64_t*>fc_alloc(max_len + 2, sizeof(int64_t))
        if k.last == NULL:
            raise MemoryError()
        for j in range(max_len + 2):
            k.last[j] = -1
        # pass 1: the n-grams kept, N, and the right neighbours
        a._begin()
        try:
            with nogil:
                r = _first_pass(a, &kept.table, &k, max_len, min_count, &total)
        finally:
            a.busy = False
        if r == 0:
            a._raise()
        if r == -2:
            raise ValueError("the n-gram sources hold bytes that are not UTF-8")
        if r < 0:
            raise MemoryError()
        n = len(kept)
        counts = np.empty(n, dtype=np.int64)
        chars = np.empty(n, dtype=np.int64)
        right_s = np.empty(n, dtype=np.int64)
        right_t = np.empty(n, dtype=np.float64)
        cv = counts
        lv = chars
        sr = right_s
        tr = right_t
        for i in range(n):
            cv[i] = k.stats[i].count
            lv[i] = k.stats[i].chars
            sr[i] = k.stats[i].right_s
            tr[i] = k.stats[i].right_t
    finally:
        fc_free(k.stats)
        fc_free(k.last)
    cohesion = np.zeros(n, dtype=np.float64)
    coh = cohesion
    # cohesion: every two-way split of each candidate
    with nogil:
        for i in range(n):
            if lv[i] < 2:
                continue
            word = fc_vocab_word(&kept.table, i, &m)
            cw = cv[i]
            best = -1.0
            split = _first_char(<const unsigned char*>word, m)
            while split < m:
                cx = fc_vocab_find(&kept.table, word, split)
                cy = fc_vocab_find(&kept.table, word + split, m - split)
                if cx < 0 or cy < 0:  # a part counted less often: not one count's n-grams
                    missing = True
                    break
                cx = cv[cx]
                cy = cv[cy]
                ratio = (<double>total * <double>cw) / (<double>cx * <double>cy)
                if best < 0 or ratio < best:
                    best = ratio
                split += _first_char(<const unsigned char*>word + split, m - split)
            coh[i] = log(best)
    if missing:
        raise ValueError("the n-gram sources are not the n-grams of one count "
                         "(a part of a candidate is missing)")
    # pass 2: the left neighbours (of the n-grams from the middle kept one on
    # in a second thread, when in halves)
    left_s = np.zeros(n, dtype=np.int64)
    left_t = np.zeros(n, dtype=np.float64)
    sl = left_s
    tl = left_t
    memset(&out, 0, sizeof(Left))
    out.sl = &sl[0] if n else NULL
    out.tl = &tl[0] if n else NULL
    pool = later = None
    if halves and n > 1:
        word = fc_vocab_word(&kept.table, n // 2, &m)
        middle = word[:m]
        upper = _UpperPass(Merge(sources, lo=middle, indexes=indexes), kept, max_len)
        b = Merge(sources, hi=middle, indexes=indexes)
        pool = ThreadPoolExecutor(1, thread_name_prefix="fastcount-discover")
        later = pool.submit(upper.run)
    else:
        b = Merge(sources, indexes=indexes)
    try:
        b._begin()
        try:
            with nogil:
                r = _second_pass(b, &kept.table, max_len, &out)
        finally:
            b.busy = False
    finally:
        if pool is not None:
            pool.shutdown(wait=True)  # the upper pass reads kept: it ends first
    if later is not None:
        later.result()  # what the upper pass raised, if it raised
    for merge, done in ((b, r), (upper.merge, upper.r) if upper is not None else (None, 1)):
        if done == 0:
            merge._raise()
        if done < 0:
            raise MemoryError()
    if upper is not None:
        with nogil:
            j = 0
            while j < upper.out.log_len:
                wid = upper.out.log[j]
                sl[wid] += upper.out.log[j + 1]
                tl[wid] += _c_log_c(upper.out.log[j + 1])
                j += 2
    left = np.zeros(n, dtype=np.float64)
    right = np.zeros(n, dtype=np.float64)
    _entropies(left_s, left_t, left)
    _entropies(right_s, right_t, right)
    return kept, counts, chars, cohesion, left, right, total


cdef void _entropies(const int64_t[::1] s, const double[::1] t, double[::1] out) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(s.shape[0]):
        if s[i] > 0:
            out[i] = log(<double>s[i]) - t[i] / <double>s[i]


def freedom_and_score(const int64_t[::1] counts, const double[::1] cohesion,
                      const double[::1] left, const double[::1] right):
    """``(freedom, score)`` arrays of the candidates: freedom = the smaller
    entropy (``min(left, right)``, left on a tie), score = log count +
    cohesion + freedom, added in that order with the C library's log, the
    floats Python's ``math.log(c) + h + f`` gives."""
    cdef Py_ssize_t i, n = counts.shape[0]
    if not cohesion.shape[0] == left.shape[0] == right.shape[0] == n:
        raise ValueError("the candidates' arrays differ in length")
    freedom = np.empty(n, dtype=np.float64)
    score = np.empty(n, dtype=np.float64)
    cdef double[::1] fv = freedom, sv = score
    with nogil:
        for i in range(n):
            fv[i] = right[i] if right[i] < left[i] else left[i]
            sv[i] = log(<double>counts[i]) + cohesion[i] + fv[i]
    return freedom, score

