# cython: language_level=3
"""Test-only bindings: fastcount's native helpers and the byte-level Vocab C
API, callable from Python (built by tests/native_build.py, never packaged)."""
from libc.stdint cimport int64_t, uint32_t
from libc.string cimport memset

from fastcount._native cimport (fc_add_overflows, fc_alloc, fc_free, fc_grow, fc_grown_capacity,
                                fc_str_from_valid_utf8, fc_str_utf8, fc_str_utf8_need,
                                fc_sub_overflows, fc_utf8_decode_strict, fc_utf8_encode_kind,
                                fc_utf8_invalid_at, fc_utf8_max_size, fc_utf8_size_ucs4)
from fastcount._vocab cimport (FCVocab, Vocab, fc_hash_bytes, fc_vocab_find, fc_vocab_find_hashed,
                               fc_vocab_free, fc_vocab_init, fc_vocab_intern, fc_vocab_word)
from fastcount._ngrams cimport NgramTable
from fastcount._vocab_table cimport fc_hash_seed

cdef extern from "Python.h":
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    object PyBytes_FromStringAndSize(const char* s, Py_ssize_t size)


def utf8_encode(str s):
    """fc_utf8_encode_kind over the str's own PEP 393 code units."""
    cdef int kind = PyUnicode_KIND(s)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s)
    cdef unsigned char* out = <unsigned char*>fc_alloc(fc_utf8_max_size(kind, n) + 1, 1)
    try:
        return PyBytes_FromStringAndSize(<char*>out, fc_utf8_encode_kind(kind, PyUnicode_DATA(s), n, out))
    finally:
        fc_free(out)


def utf8_encode_ucs4(str s):
    """(fc_utf8_size_ucs4, fc_utf8_encode_kind(4)) of the str's code points as UCS4."""
    cdef Py_ssize_t i, n = len(s)
    cdef Py_UCS4* u = <Py_UCS4*>fc_alloc(n + 1, sizeof(Py_UCS4))
    cdef unsigned char* out = <unsigned char*>fc_alloc(4 * n + 1, 1)
    try:
        for i in range(n):
            u[i] = ord(s[i])
        return (fc_utf8_size_ucs4(u, n),
                PyBytes_FromStringAndSize(<char*>out, fc_utf8_encode_kind(4, u, n, out)))
    finally:
        fc_free(u)
        fc_free(out)


def utf8_invalid_at(bytes b, bint allow_surrogates):
    """fc_utf8_invalid_at: offset of the first invalid byte, or -1."""
    return fc_utf8_invalid_at(<const unsigned char*><char*>b, len(b), allow_surrogates)


def utf8_decode_strict(bytes b):
    """fc_utf8_decode_strict as a str, or None where it fails."""
    cdef Py_ssize_t i, n = len(b), k
    cdef Py_UCS4* out = <Py_UCS4*>fc_alloc(n + 1, sizeof(Py_UCS4))
    try:
        k = fc_utf8_decode_strict(<const unsigned char*><char*>b, n, out)
        if k < 0:
            return None
        return "".join([chr(out[i]) for i in range(k)])
    finally:
        fc_free(out)


def str_from_valid_utf8(bytes b):
    """fc_str_from_valid_utf8 (b must be valid UTF-8, surrogatepass)."""
    return fc_str_from_valid_utf8(<const unsigned char*><char*>b, len(b))


def str_utf8(str s, Py_ssize_t room):
    """fc_str_utf8 into a buffer of `room` bytes: (size, bytes or None, used in place)."""
    cdef char* out = <char*>fc_alloc(room + 1, 1)
    cdef const char* p = NULL
    cdef Py_ssize_t n
    try:
        n = fc_str_utf8(s, out, room, &p)
        if n < 0:
            return n, None, False
        return n, PyBytes_FromStringAndSize(p, n), p != out
    finally:
        fc_free(out)


def str_utf8_need(str s):
    """fc_str_utf8_need."""
    return fc_str_utf8_need(s)


def add_overflows(int64_t a, int64_t b):
    """a + b, or None when it leaves int64."""
    cdef int64_t r
    return None if fc_add_overflows(a, b, &r) else r


def sub_overflows(int64_t a, int64_t b):
    """a - b, or None when it leaves int64."""
    cdef int64_t r
    return None if fc_sub_overflows(a, b, &r) else r


def grown_capacity(Py_ssize_t cap, Py_ssize_t need, int shift):
    """fc_grown_capacity."""
    return fc_grown_capacity(cap, need, shift)


def grow(Py_ssize_t cap, Py_ssize_t need, size_t item, int shift):
    """fc_grow from a buffer of `cap` items: (return code, capacity after,
    the first `cap` bytes kept)."""
    cdef Py_ssize_t i, c = cap
    cdef unsigned char* p = <unsigned char*>fc_alloc(max(cap, 1), item)
    cdef int rc
    for i in range(cap):
        p[i] = <unsigned char>(i & 0xFF)
    try:
        rc = fc_grow(<void**>&p, &c, need, item, shift)
        kept = all(p[i] == (i & 0xFF) for i in range(cap))
        return rc, c, kept
    finally:
        fc_free(p)


# ---------------------------------------------------------------- Vocab C API

def vocab_intern_bytes(Vocab v, bytes word):
    """fc_vocab_intern(v, word): the id, or the C error code (-1, -2)."""
    return fc_vocab_intern(&v.table, word, len(word))


def vocab_find_bytes(Vocab v, bytes word):
    """fc_vocab_find(v, word): the id, or -1."""
    return fc_vocab_find(&v.table, word, len(word))


def vocab_intern_own_slice(Vocab v, int64_t wid, Py_ssize_t start, Py_ssize_t stop):
    """Intern bytes start:stop of word wid, passing a pointer into v's own
    arena (which may move while the new word is added)."""
    cdef Py_ssize_t n
    cdef const char* p = fc_vocab_word(&v.table, wid, &n)
    if p == NULL or not 0 <= start <= stop <= n:
        raise IndexError("no such slice")
    return fc_vocab_intern(&v.table, p + start, stop - start)


def vocab_bare_table(list words, Py_ssize_t expected):
    """Intern bytes into a bare FCVocab (zero-filled if expected < 0, else
    fc_vocab_init(expected)); returns (ids found before, ids, ids found
    again, words read back with fc_vocab_word)."""
    cdef FCVocab t
    cdef Py_ssize_t n
    cdef const char* p
    cdef bytes w
    memset(&t, 0, sizeof(FCVocab))
    if expected >= 0 and fc_vocab_init(&t, expected) < 0:
        raise MemoryError()
    try:
        found = [fc_vocab_find(&t, w, len(w)) for w in words]
        ids = [fc_vocab_intern(&t, w, len(w)) for w in words]
        again = [fc_vocab_find_hashed(&t, w, len(w), fc_hash_bytes(w, len(w))) for w in words]
        back = []
        for i in range(t.n):
            p = fc_vocab_word(&t, i, &n)
            back.append(p[:n])
        return found, ids, again, back
    finally:
        fc_vocab_free(&t)


def ngram_table_reseed(NgramTable table):
    """Give a new, empty n-gram table a hash seed other than the Vocab's (no
    table fastcount makes has one): its slots' tags are then not a Vocab's."""
    if table.t.n != 0:
        raise ValueError("only an empty table takes a new seed")
    table.t.seed = fc_hash_seed() ^ 0x9E3779B97F4A7C15
