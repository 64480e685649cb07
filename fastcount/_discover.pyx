# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The statistics of new-word discovery, from exact character n-gram counts.

One job: given the sources of a merge of character n-grams of orders
``1..max_len + 1`` (see :mod:`fastcount._ngram_merge`), compute for every
candidate (an n-gram of ``2..max_len`` characters counted at least
``min_count`` times) its count, its cohesion and the entropies of its left
and right neighbouring characters, in two passes over the merged n-grams:

* pass 1 keeps the n-grams of up to ``max_len`` characters counted at least
  ``min_count`` times (a candidate's parts are counted at least as often as
  it is, so they are all kept) and sums the 1-grams: ``N``, the characters;
* cohesion(w) = log(min over the two-way splits w = x + y of
  N * c(w) / (c(x) * c(y))): the least pointwise mutual information of its
  parts, in nats;
* pass 2 reads every n-gram g of 2..max_len + 1 characters: g is a right
  neighbour of g minus its last character, a left neighbour of g minus its
  first. Entropy = log(S) - T / S with S the sum of the neighbours' counts
  c and T the sum of c * log(c), summed in code point order of the
  neighbouring character (the merge's order), so a Python reference summing
  in that order gets the same floats, bit for bit.
"""

import numpy as np

from libc.math cimport log
from libc.stdint cimport int64_t
from libc.string cimport memset

from fastcount._ngram_merge cimport Merge
from fastcount._vocab cimport Vocab, fc_vocab_find, fc_vocab_intern, fc_vocab_word


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


def candidates(first, second, int max_len, int64_t min_count):
    """The discovery statistics of the merged character n-grams.

    ``first``, ``second``: two :class:`fastcount._ngram_merge.Merge` of the
    same sources (one per pass). Returns ``(vocab, counts, chars, cohesion,
    left, right, total)``: every n-gram of 1..max_len characters counted at
    least ``min_count`` times, as a Vocab in code point order, with numpy
    arrays of its count, its length in characters, its cohesion (0 for one
    character) and its left and right entropies (0 when it has no
    neighbour); ``total`` is N, the number of characters counted.
    """
    cdef Merge a = first, b = second
    cdef Vocab kept = Vocab()
    cdef int64_t total = 0, wid, n, i, cx, cy, cw
    cdef Py_ssize_t m, split, k
    cdef const unsigned char* key
    cdef const char* word
    cdef int r = 0
    cdef bint missing = False
    cdef double ratio, best, c
    cdef int64_t[::1] cv, lv, sl, sr
    cdef double[::1] coh, tl, tr
    if max_len < 1:
        raise ValueError(f"max_len must be >= 1, got {max_len}")
    counts_list = []
    lengths_list = []
    # pass 1: the n-grams kept, and N
    a._begin()
    try:
        while True:
            r = a.next()
            if r <= 0:
                break
            k = _chars(a.m.key, a.m.key_len)
            if k == 1:
                total += a.m.count
            if k > max_len or a.m.count < min_count:
                continue
            wid = fc_vocab_intern(&kept.table, <const char*>a.m.key, a.m.key_len)
            if wid == -2:
                raise ValueError("the n-gram sources hold bytes that are not UTF-8")
            if wid < 0:
                raise MemoryError()
            counts_list.append(a.m.count)
            lengths_list.append(k)
    finally:
        a.busy = False
    if r < 0:
        a._raise()
    n = len(kept)
    counts = np.array(counts_list, dtype=np.int64)
    chars = np.array(lengths_list, dtype=np.int64)
    del counts_list, lengths_list
    cohesion = np.zeros(n, dtype=np.float64)
    cv = counts
    lv = chars
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
    # pass 2: the neighbours
    left_s = np.zeros(n, dtype=np.int64)
    right_s = np.zeros(n, dtype=np.int64)
    left_t = np.zeros(n, dtype=np.float64)
    right_t = np.zeros(n, dtype=np.float64)
    sl = left_s
    sr = right_s
    tl = left_t
    tr = right_t
    b._begin()
    try:
        with nogil:
            while True:
                r = b.next()
                if r <= 0:
                    break
                key = b.m.key
                m = b.m.key_len
                k = _chars(key, m)
                if k < 3 or k > max_len + 1:  # a candidate has 2+ characters
                    continue
                c = <double>b.m.count
                # g = w + b: a right neighbour of w
                wid = fc_vocab_find(&kept.table, <const char*>key, _last_char(key, m))
                if wid >= 0:
                    sr[wid] += b.m.count
                    tr[wid] += c * log(c)
                # g = a + w: a left neighbour of w
                split = _first_char(key, m)
                wid = fc_vocab_find(&kept.table, <const char*>key + split, m - split)
                if wid >= 0:
                    sl[wid] += b.m.count
                    tl[wid] += c * log(c)
    finally:
        b.busy = False
    if r < 0:
        b._raise()
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

