# The text side of n-gram counting, for _ngrams:
#
#     from fastcount._ngram_text cimport ng_break_bits, ng_is_set, ng_code_point, ng_encode_str
#
# What breaks an n-gram (bitmaps over every code point: whitespace, and
# whitespace or punctuation, from this interpreter's Unicode database, so a
# Python reference using str.isspace and unicodedata.category agrees), and
# a str's code points and UTF-8 (surrogatepass).
from libc.stdint cimport uint8_t, uint16_t, uint32_t
from libc.string cimport memcpy

from fastcount._native cimport fc_str_utf8


# The bitmap of break characters: whitespace only with keep_punct, else
# whitespace or punctuation (Unicode categories P*). Built once per process.
cdef const unsigned char* ng_break_bits(bint keep_punct) except NULL


cdef inline bint ng_is_set(const unsigned char* bits, uint32_t cp) noexcept nogil:
    return (bits[cp >> 3] >> (cp & 7)) & 1


cdef inline uint32_t ng_code_point(int kind, const void* data, Py_ssize_t i) noexcept nogil:
    if kind == 1:
        return (<const uint8_t*>data)[i]
    if kind == 2:
        return (<const uint16_t*>data)[i]
    return (<const uint32_t*>data)[i]


cdef inline Py_ssize_t ng_encode_str(str text, unsigned char* out, Py_ssize_t room) except -1:
    """The UTF-8 (surrogatepass) of text into out, which has room for 4
    bytes per code point; returns its size."""
    cdef const char* p
    cdef Py_ssize_t n = fc_str_utf8(text, <char*>out, room, &p)
    if n < 0:  # p is not set: the callers' room must cover 4 bytes per code point
        raise ValueError(f"no room to encode a text of {len(text)} code points in {room} bytes")
    if p != <const char*>out:  # ASCII: its own bytes, in place
        memcpy(out, p, n)
    return n
