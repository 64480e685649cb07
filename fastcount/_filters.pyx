# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Character facts about every word of a Vocab, read from its UTF-8 arena in C
for the word filters (:mod:`fastcount.filters`): each word's length in code
points, the distinct code points used, and whether all of a word's
characters are in a given set. No str is made per word.
"""
from libc.stdint cimport int64_t, uint8_t, uint32_t

import numpy as np

from fastcount._native cimport fc_calloc, fc_free
from fastcount._vocab cimport Vocab, fc_vocab_word

cdef enum:
    N_CODE_POINTS = 0x110000   # U+0000 .. U+10FFFF


cdef inline uint32_t next_char(const unsigned char* p, Py_ssize_t n, Py_ssize_t* i) noexcept nogil:
    """The code point at p[i[0]] (UTF-8 with lone surrogates as 3 bytes, as a
    Vocab stores words); advances i[0]. Never reads at or past p[n]."""
    cdef uint32_t c = p[i[0]]
    cdef int more = 0
    i[0] += 1
    if c >= 0xF0:
        c &= 0x07
        more = 3
    elif c >= 0xE0:
        c &= 0x0F
        more = 2
    elif c >= 0xC0:
        c &= 0x1F
        more = 1
    while more and i[0] < n:
        c = (c << 6) | (p[i[0]] & 0x3F)
        i[0] += 1
        more -= 1
    return c if c < N_CODE_POINTS else 0


def char_facts(Vocab vocab not None):
    """``(lengths, chars)``: each word's length in code points (int64, by id)
    and the distinct code points of all words (uint32, ascending)."""
    cdef int64_t i, n = len(vocab), n_chars = 0
    cdef Py_ssize_t k, m, count
    cdef const unsigned char* p
    cdef uint32_t c
    cdef uint8_t* seen
    lengths = np.zeros(n, dtype=np.int64)
    cdef int64_t[::1] out = lengths
    # no more distinct code points than bytes of text, nor than code points
    chars = np.empty(min(vocab.table.arena_len, N_CODE_POINTS), dtype=np.uint32)
    cdef uint32_t[::1] found = chars
    seen = <uint8_t*>fc_calloc(N_CODE_POINTS // 8, 1)
    if seen == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            p = <const unsigned char*>fc_vocab_word(&vocab.table, i, &m)
            k = count = 0
            while k < m:
                c = next_char(p, m, &k)
                if not (seen[c >> 3] >> (c & 7)) & 1:
                    seen[c >> 3] |= <uint8_t>(1 << (c & 7))
                    found[n_chars] = c
                    n_chars += 1
                count += 1
            out[i] = count
    finally:
        fc_free(seen)
    return lengths, np.sort(chars[:n_chars])


def only_chars(Vocab vocab not None, const uint8_t[::1] bitset not None):
    """A bool array by id: True where every character of the word is in
    ``bitset`` (bit ``c`` of the little-endian bit array: code point ``c``
    in the set; 0x110000 bits). The empty word has no other character: True."""
    cdef int64_t i, n = len(vocab)
    cdef Py_ssize_t k, m
    cdef const unsigned char* p
    cdef uint32_t c
    cdef bint all_in
    if bitset.shape[0] < N_CODE_POINTS // 8:
        raise ValueError(f"bitset must hold {N_CODE_POINTS} bits, not {bitset.shape[0] * 8}")
    result = np.zeros(n, dtype=np.bool_)
    cdef uint8_t[::1] out = result.view(np.uint8)
    for i in range(n):
        p = <const unsigned char*>fc_vocab_word(&vocab.table, i, &m)
        k = 0
        all_in = True
        while k < m:
            c = next_char(p, m, &k)
            if not (bitset[c >> 3] >> (c & 7)) & 1:
                all_in = False
                break
        out[i] = all_in
    return result
