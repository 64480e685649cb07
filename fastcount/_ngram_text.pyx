# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The characters that break n-grams: bitmaps over every code point (see
``_ngram_text.pxd``)."""

from libc.stdint cimport uint32_t

from fastcount._native cimport fc_calloc, fc_free


cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)
    bint Py_UNICODE_ISALPHA(Py_UCS4 ch)
    bint Py_UNICODE_ISNUMERIC(Py_UCS4 ch)
    bint Py_UNICODE_ISPRINTABLE(Py_UCS4 ch)


cdef enum:
    NCODEPOINTS = 0x110000


# whitespace; whitespace or punctuation
cdef unsigned char* _space_bits = NULL
cdef unsigned char* _break_bits = NULL


cdef const unsigned char* ng_break_bits(bint keep_punct) except NULL:
    if _break_bits == NULL:
        _build()
    return _space_bits if keep_punct else _break_bits


cdef int _build() except -1:
    global _space_bits, _break_bits
    cdef uint32_t cp
    cdef unsigned char* space
    cdef unsigned char* both
    import unicodedata
    category = unicodedata.category
    space = <unsigned char*>fc_calloc(NCODEPOINTS // 8, 1)
    both = <unsigned char*>fc_calloc(NCODEPOINTS // 8, 1)
    if space == NULL or both == NULL:
        fc_free(space)
        fc_free(both)
        raise MemoryError()
    for cp in range(NCODEPOINTS):
        if Py_UNICODE_ISSPACE(cp):
            space[cp >> 3] |= 1 << (cp & 7)
            both[cp >> 3] |= 1 << (cp & 7)
        # Punctuation is printable and neither a letter nor a number: only
        # those few thousand code points need the (slow) category lookup.
        elif (Py_UNICODE_ISPRINTABLE(cp) and not Py_UNICODE_ISALPHA(cp)
                and not Py_UNICODE_ISNUMERIC(cp) and category(chr(cp))[0] == "P"):
            both[cp >> 3] |= 1 << (cp & 7)
    if _break_bits != NULL:  # built meanwhile by another thread
        fc_free(space)
        fc_free(both)
        return 0
    _space_bits = space
    _break_bits = both
    return 0
