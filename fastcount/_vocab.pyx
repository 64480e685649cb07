# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Vocab: words <-> dense integer ids (0, 1, 2, ... in order of first sight).

The words live in a table in C (fastcount._vocab_table): once, as UTF-8, in
one arena, with no Python object per word: jieba's 349k-word dictionary
takes 36 bytes per word when built word by word (with doubling slack),
against ~130 for a dict str -> int with its str and int objects
(``bench/results/plan_inputs.md``). This module holds the class, the
str-level calls other Cython modules use, the text file format and the
pickle layout.

The C-level interface is declared in ``_vocab.pxd``.
"""

import os
import secrets

cimport cython

# numpy is imported by the functions that use it: `fastcount cut` loads this
# module and never needs numpy, whose import would be most of its start-up.

from cpython.list cimport PyList_GET_SIZE
from cpython.ref cimport PyObject
from cpython.sequence cimport PySequence_Fast_ITEMS
from cpython.number cimport PyNumber_Index
from cpython.unicode cimport PyUnicode_Check
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.string cimport memcmp, memcpy, memset, memchr

from fastcount._native cimport (fc_alloc, fc_free, fc_grow, fc_is_bool, fc_prefetch,
                                fc_str_from_valid_utf8, fc_str_utf8, fc_str_utf8_c,
                                fc_str_utf8_need, fc_utf8_escape, fc_utf8_invalid_at,
                                fc_utf8_put, fc_varint_get, fc_varint_put)


cdef extern from "Python.h":
    object PyBytes_FromStringAndSize(const char* s, Py_ssize_t size)
    char* PyBytes_AS_STRING(object o)

cdef enum:
    SCRATCH_MIN = 256
    # UTF-8 room of fc_vocab_intern_strs' batch buffer
    BATCH_BYTES = 2048
    # where a non-ASCII compact str's code units begin, near enough: the
    # object's second cache line
    STR_DATA_AT = 64


# ---------------------------------------------------------------- str level

cdef inline Py_ssize_t _str_utf8(Vocab v, str word, const char** out) except -1:
    """Point *out at the word's UTF-8 bytes and return their length.

    ASCII strs are their own UTF-8, so those are used in place; others are
    encoded into v.scratch, which only grows (no allocation per call)."""
    cdef Py_ssize_t n = fc_str_utf8(word, v.scratch, v.scratch_cap, out)
    if n >= 0:
        return n
    if fc_grow(<void**>&v.scratch, &v.scratch_cap, max(fc_str_utf8_need(word), SCRATCH_MIN),
               1, 0) < 0:
        raise MemoryError()
    return fc_str_utf8(word, v.scratch, v.scratch_cap, out)


cdef int64_t fc_vocab_intern_str(Vocab v, str word) except -2:
    cdef const char* p
    cdef Py_ssize_t n = _str_utf8(v, word, &p)
    cdef int64_t wid = fc_vocab_intern_trusted(&v.table, p, n)
    if wid < 0:
        _raise_full(&v.table)
    return wid


cdef int64_t fc_vocab_find_str(Vocab v, str word) except -2:
    cdef const char* p
    cdef Py_ssize_t n = _str_utf8(v, word, &p)
    return fc_vocab_find(&v.table, p, n)


cdef Py_ssize_t fc_vocab_intern_strs(Vocab v, list words, Py_ssize_t start, int64_t* ids) except -1:
    cdef const char* ps[FC_BATCH]
    cdef Py_ssize_t ns[FC_BATCH]
    cdef char buf[BATCH_BYTES]
    cdef Py_ssize_t k = 0, used = 0, n, j, size = PyList_GET_SIZE(words)
    cdef Py_ssize_t end = min(size, start + FC_BATCH)
    # Borrowed references: no Python code runs here, so the list keeps its items.
    cdef PyObject** items = PySequence_Fast_ITEMS(words)
    cdef PyObject* obj
    # The next run's str objects (header and data), so that they are in cache
    # when it comes: objects scattered in memory otherwise stall each encode.
    for j in range(end, min(size, end + FC_BATCH)):
        fc_prefetch(items[j])
        fc_prefetch(<char*>items[j] + STR_DATA_AT)
    while start + k < end:
        obj = items[start + k]
        if not PyUnicode_Check(<object>obj):
            break
        n = fc_str_utf8_c(obj, buf + used, BATCH_BYTES - used, &ps[k])
        if n < 0:
            if k:
                break   # the next run starts with it
            # longer than the whole buffer: alone, through the scratch buffer
            ids[0] = fc_vocab_intern_str(v, <str>obj)
            return 1
        if ps[k] == buf + used:
            used += n
        ns[k] = n
        k += 1
    if fc_vocab_intern_batch(&v.table, ps, ns, k, ids, 0) < k:
        _raise_full(&v.table)
    return k


cdef int _raise_full(const FCVocab* v) except -1:
    raise MemoryError("Vocab: out of memory" if v.n < FC_VOCAB_MAX_WORDS else "Vocab: full (2**32 - 1 words)")


cdef str fc_vocab_word_str(Vocab v, int64_t i):
    cdef Py_ssize_t n
    cdef const char* p = fc_vocab_word(&v.table, i, &n)
    if p == NULL:
        raise IndexError(_no_such_id(i, v.table.n))
    return fc_str_from_valid_utf8(<const unsigned char*>p, n)


cdef str _no_such_id(object i, int64_t n):
    if n == 0:
        return f"id {i} is not in the vocabulary (it is empty)"
    return f"id {i} is not in the vocabulary (ids are 0..{n - 1})"


cdef int64_t _as_id(object i, Py_ssize_t pos) except? -1:
    """An id argument (item pos of a batch, or -1 for a lone id) as int64;
    -1 stands for any integer that cannot be an id (negative or too large)."""
    if type(i) is not int:
        # bool is an int, but a bool among ids is a bug worth reporting
        if fc_is_bool(i) or not hasattr(type(i), "__index__"):
            raise TypeError(f"Vocab ids must be integers, not {type(i).__name__}"
                            + (f" (position {pos})" if pos >= 0 else ""))
        i = PyNumber_Index(i)
    if i < 0 or i > 0x7FFFFFFFFFFFFFFF:
        return -1
    return i


cdef object _id_array(object ids, int64_t n, str what):
    """``ids`` as a C-contiguous int64 array of ids of a vocabulary of n
    words: an integer buffer (read in C order) or an iterable of integers.
    IndexError names the first that is not an id (its real value) and its
    position; TypeError anything that is not integer ids."""
    cdef const int64_t[::1] view
    cdef Py_ssize_t i
    cdef int64_t wid
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{what}() takes integer ids, not a {type(ids).__name__}")
    import numpy as np
    try:
        memoryview(ids)
    except TypeError:
        out = []
        for i, x in enumerate(ids):
            wid = _as_id(x, i)
            if wid < 0 or wid >= n:
                raise IndexError(f"position {i}: " + _no_such_id(x, n))
            out.append(wid)
        return np.array(out, dtype=np.int64)
    arr = np.asarray(ids)
    if arr.ndim == 0:
        raise TypeError(f"{what}() takes a sequence of ids (word(i) takes one)")
    if arr.size == 0:
        return np.empty(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{what}() needs integer ids, not an array of {arr.dtype}")
    arr = arr.reshape(-1)
    if arr.dtype.kind == "u" and arr.max() > 0x7FFFFFFFFFFFFFFF:
        i = int(np.argmax(arr > 0x7FFFFFFFFFFFFFFF))
        raise IndexError(f"position {i}: " + _no_such_id(arr[i], n))
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    view = arr
    for i in range(view.shape[0]):
        if view[i] < 0 or view[i] >= n:
            raise IndexError(f"position {i}: " + _no_such_id(view[i], n))
    return arr


# ---------------------------------------------------------------- save / load

cdef struct LoadError:
    int kind            # one of the _E_* codes
    Py_ssize_t line     # 1-based
    Py_ssize_t col      # byte offset within the line
    int64_t first       # duplicate: id of the earlier occurrence

cdef enum:
    _E_NONE = 0
    _E_UTF8 = 1
    _E_ESCAPE = 2
    _E_CR = 3
    _E_DUPLICATE = 4
    _E_NOMEM = 5


cdef inline int _hexval(unsigned char c) noexcept nogil:
    if 0x30 <= c <= 0x39:
        return c - 0x30
    if 0x61 <= c <= 0x66:
        return c - 0x61 + 10
    if 0x41 <= c <= 0x46:
        return c - 0x41 + 10
    return -1


cdef int _load_lines(FCVocab* v, const unsigned char* data, Py_ssize_t size,
                     unsigned char* tmp, LoadError* err) noexcept nogil:
    """Parse the file format (see Vocab.save) into v; 0 ok, -1 with err set."""
    cdef Py_ssize_t pos = 0, end, stop, k, j, bad
    cdef Py_ssize_t line = 0
    cdef const unsigned char* nl
    cdef unsigned char c
    cdef int a, b, cc, d
    cdef uint32_t cp
    cdef int64_t wid, before
    while pos < size:
        line += 1
        nl = <const unsigned char*>memchr(data + pos, 0x0A, size - pos)
        end = size if nl == NULL else nl - data
        stop = end
        if stop > pos and data[stop - 1] == 0x0D:  # CRLF line ending
            stop -= 1
        err.line = line
        bad = fc_utf8_invalid_at(data + pos, stop - pos, 0)
        if bad >= 0:
            err.kind = _E_UTF8
            err.col = bad
            return -1
        j = 0
        k = pos
        while k < stop:
            c = data[k]
            if c == 0x5C:  # backslash
                err.col = k - pos
                err.kind = _E_ESCAPE
                if k + 1 >= stop:
                    return -1
                c = data[k + 1]
                if c == 0x5C:
                    tmp[j] = 0x5C
                elif c == 0x6E:  # n
                    tmp[j] = 0x0A
                elif c == 0x72:  # r
                    tmp[j] = 0x0D
                elif c == 0x75:  # u: only for lone surrogates (not valid UTF-8)
                    if k + 6 > stop:
                        return -1
                    a = _hexval(data[k + 2])
                    b = _hexval(data[k + 3])
                    cc = _hexval(data[k + 4])
                    d = _hexval(data[k + 5])
                    if a < 0 or b < 0 or cc < 0 or d < 0:
                        return -1
                    cp = (a << 12) | (b << 8) | (cc << 4) | d
                    if cp < 0xD800 or cp > 0xDFFF:
                        return -1
                    j = fc_utf8_put(cp, tmp, j)
                    k += 6
                    continue
                else:
                    return -1
                j += 1
                k += 2
            elif c == 0x0D:
                err.kind = _E_CR
                err.col = k - pos
                return -1
            else:
                tmp[j] = c
                j += 1
                k += 1
        before = v.n
        wid = fc_vocab_intern_trusted(v, <const char*>tmp, j)
        if wid < 0:
            err.kind = _E_NOMEM
            return -1
        if wid < before:
            err.kind = _E_DUPLICATE
            err.first = wid
            return -1
        pos = end + 1
    err.kind = _E_NONE
    return 0


cdef Py_ssize_t _escape_all(const FCVocab* v, unsigned char* out) noexcept nogil:
    """Write every word + newline in the file format; returns the size."""
    cdef int64_t wid
    cdef Py_ssize_t j = 0
    for wid in range(v.n):
        j += fc_utf8_escape(<const unsigned char*>v.arena + v.offsets[wid],
                            v.offsets[wid + 1] - v.offsets[wid], out + j, False)
        out[j] = 0x0A
        j += 1
    return j


cdef bytes _escaped(const FCVocab* v):
    """The whole file content of Vocab.save as bytes."""
    cdef Py_ssize_t size
    # Escaping at most doubles a word (a surrogate: 3 bytes -> 6), plus newlines.
    cdef unsigned char* out = <unsigned char*>fc_alloc(2 * v.arena_len + v.n + 1, 1)
    if out == NULL:
        raise MemoryError()
    size = _escape_all(v, out)
    try:
        return PyBytes_FromStringAndSize(<const char*>out, size)
    finally:
        fc_free(out)


# ---------------------------------------------------------------- pickling

cdef tuple fc_vocab_pack(const FCVocab* v, const int64_t* ids, Py_ssize_t n):
    cdef Py_ssize_t i, nb = 0, size = 0
    cdef const char* p
    cdef char* dst
    cdef unsigned char* lp
    cdef bytes arena
    if ids == NULL:
        n = v.n
        arena = PyBytes_FromStringAndSize(v.arena, v.arena_len)
    else:
        for i in range(n):
            size += v.offsets[ids[i] + 1] - v.offsets[ids[i]]
        arena = PyBytes_FromStringAndSize(NULL, size)
        dst = PyBytes_AS_STRING(arena)
        for i in range(n):
            p = fc_vocab_word(v, ids[i], &nb)
            memcpy(dst, p, nb)
            dst += nb
    # at most 10 bytes per varint; trimmed to size below
    lengths = PyBytes_FromStringAndSize(NULL, 10 * n)
    lp = <unsigned char*>PyBytes_AS_STRING(lengths)
    for i in range(n):
        p = fc_vocab_word(v, i if ids == NULL else ids[i], &nb)
        lp = fc_varint_put(lp, <uint64_t>nb)
    return arena, lengths[:lp - <unsigned char*>PyBytes_AS_STRING(lengths)]


cdef Py_ssize_t fc_vocab_unpack(FCVocab* v, object arena, object lengths, str what) except -1:
    cdef const char* ps[FC_BATCH]
    cdef Py_ssize_t ns[FC_BATCH]
    cdef int64_t ids[FC_BATCH]
    cdef Py_ssize_t alen, nbytes, start = 0, i = 0, j, m, r, nwords = 0
    cdef const unsigned char* lp
    cdef const unsigned char* lend
    cdef const char* a
    cdef uint64_t length
    cdef int64_t before = v.n
    cdef uint64_t mask_before = v.mask
    if type(arena) is not bytes or type(lengths) is not bytes:
        raise TypeError(f"{what}: the words and their lengths must be bytes, not "
                        f"{type(arena).__name__} and {type(lengths).__name__}")
    alen = len(<bytes>arena)
    nbytes = len(<bytes>lengths)
    a = PyBytes_AS_STRING(arena)
    lp = <const unsigned char*>PyBytes_AS_STRING(lengths)
    lend = lp + nbytes
    for j in range(nbytes):
        nwords += lp[j] < 0x80  # every varint ends in a byte below 0x80
    if nbytes and lp[nbytes - 1] >= 0x80:
        raise ValueError(f"{what}: the word lengths are truncated")
    # Room for every word at once: growing mid-way would move every slot.
    if fc_vocab_reserve(v, nwords, alen) < 0:
        raise MemoryError(f"{what}: out of memory")
    try:
        while lp < lend:
            m = 0
            while m < FC_BATCH and lp < lend:
                lp = fc_varint_get(lp, lend, &length)
                if lp == NULL:
                    raise ValueError(f"{what}: the length of word {i + m} overflows 64 bits")
                if length > <uint64_t>(alen - start):
                    raise ValueError(f"{what}: word {i + m} runs past the arena "
                                     f"({length} bytes from byte {start} of {alen})")
                ps[m] = a + start
                ns[m] = <Py_ssize_t>length
                start += <Py_ssize_t>length
                m += 1
            r = fc_vocab_intern_batch(v, ps, ns, m, ids, 1)
            for j in range(m):
                if j == r:
                    if ids[j] == -2:
                        raise ValueError(f"{what}: word {i + j} is not UTF-8")
                    _raise_full(v)
                if ids[j] != before + i + j:
                    raise ValueError(f"{what}: word {i + j} repeats word {ids[j] - before}")
            i += m
        if start != alen:
            raise ValueError(f"{what}: arena longer than its words "
                             f"({alen - start} bytes after the last word)")
    except BaseException:
        fc_vocab_truncate(v, before, mask_before)
        raise
    return i


def _unpickle_vocab(arena, lengths):
    """Rebuild a Vocab from ``Vocab.__reduce__``'s state (fc_vocab_pack's layout)."""
    cdef Vocab v = Vocab.__new__(Vocab)
    fc_vocab_unpack(&v.table, arena, lengths, "invalid Vocab pickle")
    return v


cdef _add_all(Vocab self, list seq, object out):
    """Intern every str of seq (their ids into out, an int64 buffer, if given).

    All or nothing: a non-str item (TypeError naming its position) or
    running out of memory rolls back the words this call added."""
    cdef Py_ssize_t i = 0, k, n
    cdef int64_t before
    cdef uint64_t mask_before
    cdef int64_t[::1] ids
    cdef int64_t* dst = NULL
    cdef int64_t scratch[FC_BATCH]
    if out is not None:
        ids = out
    # read after the last point where Python code may run (taking the view,
    # encode's allocation of out): a finalizer or another thread may have
    # changed a list the caller shares, or added words meanwhile
    n = len(seq)
    before = self.table.n
    mask_before = self.table.mask
    if out is not None:
        if ids.shape[0] != n:
            raise RuntimeError(f"Vocab.encode: the list of words changed size during the call "
                               f"({ids.shape[0]} words, now {n}; another thread or a finalizer)")
        if n:
            dst = &ids[0]
    try:
        # strs only: no Python code runs, so seq keeps its length
        while i < n:
            k = fc_vocab_intern_strs(self, seq, i, &scratch[0] if dst == NULL else dst + i)
            if k == 0:
                raise TypeError(f"Vocab words must be str; item {i} is {type(seq[i]).__name__}")
            i += k
    except BaseException:
        fc_vocab_truncate(&self.table, before, mask_before)
        raise


# ---------------------------------------------------------------- Vocab

cdef class Vocab:
    """Words <-> dense integer ids, in order of first sight.

    ``Vocab(words=())`` adds the words of an iterable (repeats are fine).
    Each word is kept once as UTF-8 in one arena; lone surrogates are kept
    as 'surrogatepass' bytes, so every str round-trips exactly.

    Ids are never negative: ``v[-1]`` raises IndexError instead of giving
    the last word, because -1 is the "absent" value of the C API and treating
    it as an index would hide bugs. Not thread-safe without the GIL (the C
    API's nogil calls need a lock of their own around a shared Vocab).
    """

    def __cinit__(self):
        # A zero-filled FCVocab is a valid empty vocabulary (no allocation).
        memset(&self.table, 0, sizeof(FCVocab))
        self.scratch = NULL
        self.scratch_cap = 0

    def __dealloc__(self):
        fc_vocab_free(&self.table)
        fc_free(self.scratch)

    def __init__(self, words=()):
        if isinstance(words, (str, bytes)):
            raise TypeError(f"Vocab() takes an iterable of words, not a {type(words).__name__}")
        _add_all(self, list(words), None)

    @cython.always_allow_keywords(False)  # METH_O: the cheapest call there is
    def add(self, word):
        """Add ``word`` if it is new and return its id."""
        if not isinstance(word, str):
            raise TypeError(f"Vocab words must be str, not {type(word).__name__}")
        return fc_vocab_intern_str(self, <str>word)

    @cython.always_allow_keywords(False)
    def id_of(self, word):
        """The id of ``word``; KeyError if it is not in the vocabulary
        (a non-str is never in it)."""
        cdef int64_t wid = -1
        if isinstance(word, str):
            wid = fc_vocab_find_str(self, <str>word)
        if wid < 0:
            raise KeyError(word)
        return wid

    def get(self, word, default=None):
        """The id of ``word``, or ``default`` if it is not in the vocabulary."""
        cdef int64_t wid = -1
        if isinstance(word, str):
            wid = fc_vocab_find_str(self, <str>word)
        return default if wid < 0 else wid

    def __contains__(self, word):
        return isinstance(word, str) and fc_vocab_find_str(self, <str>word) >= 0

    @cython.always_allow_keywords(False)
    def word(self, i):
        """The word with id ``i``; IndexError when ``i`` is not an id
        (including negative numbers), TypeError when it is not an integer."""
        cdef int64_t wid = _as_id(i, -1)
        if wid < 0 or wid >= self.table.n:
            raise IndexError(_no_such_id(i, self.table.n))
        return fc_vocab_word_str(self, wid)

    def __getitem__(self, i):
        """``v[i]`` is ``v.word(i)``."""
        cdef int64_t wid = _as_id(i, -1)
        if wid < 0 or wid >= self.table.n:
            raise IndexError(_no_such_id(i, self.table.n))
        return fc_vocab_word_str(self, wid)

    def __len__(self):
        return self.table.n

    def __iter__(self):
        """The words in id order."""
        cdef int64_t i = 0
        while i < self.table.n:
            yield fc_vocab_word_str(self, i)
            i += 1

    def words(self):
        """All words as a list, in id order (``v.words()[i] == v[i]``)."""
        cdef int64_t i
        return [fc_vocab_word_str(self, i) for i in range(self.table.n)]

    def encode(self, words):
        """The ids of ``words`` (an iterable of str) as an int64 numpy array,
        adding the new words in order of first sight.

        A non-str item raises TypeError naming its position and adds
        nothing, so a failed call leaves the vocabulary unchanged."""
        if isinstance(words, (str, bytes)):
            raise TypeError(f"encode() takes an iterable of words, not a {type(words).__name__}")
        seq = words if type(words) is list else list(words)
        import numpy as np
        out = np.empty(len(seq), dtype=np.int64)
        _add_all(self, seq, out)
        return out

    def add_from(self, Vocab other not None, ids=None):
        """Add the words of ``other`` with ids ``ids`` (integer ids as
        :meth:`decode` takes them; all of ``other``'s words, in id order, when
        None) in that order, and return their ids here as an int64 array:
        ``encode(other.decode(ids))`` without a str per word, copying UTF-8
        from arena to arena.

        IndexError names the first id that is not in ``other`` and its
        position (and adds nothing); running out of memory adds nothing either."""
        cdef const int64_t[::1] view
        cdef int64_t[::1] dst
        cdef const char* ps[FC_BATCH]
        cdef Py_ssize_t ns[FC_BATCH]
        cdef Py_ssize_t i, j, k, m
        cdef int64_t before, wid
        cdef uint64_t mask_before
        cdef bint all_ids = ids is None
        if not all_ids:
            view = _id_array(ids, other.table.n, "add_from")
        m = other.table.n if all_ids else view.shape[0]
        import numpy as np
        out = np.empty(m, dtype=np.int64)
        if m == 0:
            return out
        dst = out
        # after the Python code above (a finalizer may have added words): the
        # state a failure goes back to
        before = self.table.n
        mask_before = self.table.mask
        # Room for every word at once (at most twice the slots needed when
        # many are known already): growing mid-way would move every slot.
        if fc_vocab_reserve(&self.table, m, 0) < 0:
            raise MemoryError("Vocab: out of memory")
        # With the GIL held: another thread's add() could move either arena.
        # other's words are UTF-8 (checked on the way in) and stay in place
        # while self grows, even when other is self (then every word is found).
        i = 0
        while i < m:
            k = min(m - i, <Py_ssize_t>FC_BATCH)
            for j in range(k):
                wid = i + j if all_ids else view[i + j]
                ps[j] = fc_vocab_word(&other.table, wid, &ns[j])
                if ps[j] == NULL:
                    # ids may be the caller's array, checked above but written
                    # since (a finalizer, another thread): each id is read once
                    fc_vocab_truncate(&self.table, before, mask_before)
                    raise IndexError(f"position {i + j}: " + _no_such_id(wid, other.table.n))
            if fc_vocab_intern_batch(&self.table, ps, ns, k, &dst[i], 0) < k:
                full = self.table.n >= FC_VOCAB_MAX_WORDS   # before the undo shrinks it
                fc_vocab_truncate(&self.table, before, mask_before)
                raise MemoryError("Vocab: full (2**32 - 1 words)" if full else "Vocab: out of memory")
            i += k
        return out

    def decode(self, ids):
        """The words of ``ids`` (an integer buffer such as a numpy array, read
        in C order, or an iterable of ints) as a list of str. IndexError
        names the first id that is not in the vocabulary and its position."""
        cdef const int64_t[::1] view = _id_array(ids, self.table.n, "decode")
        cdef Py_ssize_t i
        return [fc_vocab_word_str(self, view[i]) for i in range(view.shape[0])]

    def save(self, path):
        """Write the words to ``path`` as UTF-8 text, one word per line in id
        order, each line ending in a newline.

        Backslash, newline and carriage return in a word are written as
        ``\\\\``, ``\\n`` and ``\\r``; a lone surrogate (not valid UTF-8) as
        ``\\uXXXX``. The file is written under a temporary name in the same
        directory and renamed into place, so a partly written file never
        carries the final name."""
        path = os.fspath(path)
        buf = _escaped(&self.table)
        directory = os.path.dirname(os.path.abspath(path))
        tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        # os.open with 0o666 lets the umask decide the mode, as open() would.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with open(fd, "wb") as f:
                f.write(buf)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    @classmethod
    def load(cls, path):
        """Read a file written by :meth:`save` (CRLF line endings are
        accepted). ValueError names the file and line of the first problem:
        invalid UTF-8, a bad escape, a stray carriage return, or a word
        that repeats an earlier line."""
        cdef Vocab v = cls.__new__(cls)
        cdef LoadError err
        cdef Py_ssize_t size
        cdef const unsigned char* data
        cdef unsigned char* tmp
        cdef int rc
        path = os.fspath(path)
        with open(path, "rb") as f:
            content = f.read()
        size = len(content)
        data = <const unsigned char*>PyBytes_AS_STRING(content)
        # Unescaping only shrinks a line, so the file size bounds the arena.
        if fc_vocab_reserve(&v.table, content.count(b"\n") + 1, size) < 0:
            raise MemoryError()
        tmp = <unsigned char*>fc_alloc(size + 1, 1)
        if tmp == NULL:
            raise MemoryError()
        memset(&err, 0, sizeof(LoadError))
        with nogil:
            rc = _load_lines(&v.table, data, size, tmp, &err)
        fc_free(tmp)
        if rc == 0:
            return v
        where = f"{path}:{err.line}: "
        if err.kind == _E_UTF8:
            raise ValueError(where + f"invalid UTF-8 at byte {err.col} of the line")
        if err.kind == _E_ESCAPE:
            raise ValueError(where + f"bad escape at byte {err.col} of the line "
                             "(only \\\\, \\n, \\r and \\uD800..\\uDFFF are allowed)")
        if err.kind == _E_CR:
            raise ValueError(where + f"raw carriage return at byte {err.col} of the line "
                             "(a word's \\r is written as \\\\r)")
        if err.kind == _E_DUPLICATE:
            raise ValueError(where + f"duplicate word {v.word(err.first)!r} "
                             f"(first on line {err.first + 1})")
        raise MemoryError(where + "out of memory")

    def __reduce__(self):
        # Compact: the arena and the words' lengths (about one byte per
        # word), not one str object per word.
        return (_unpickle_vocab, fc_vocab_pack(&self.table, NULL, 0))

    def __eq__(self, other):
        """Two Vocabs are equal when they hold the same words with the same ids."""
        cdef Vocab o
        if not isinstance(other, Vocab):
            return NotImplemented
        o = <Vocab>other
        if o.table.n != self.table.n or o.table.arena_len != self.table.arena_len:
            return False
        if self.table.n == 0:
            return True
        return (memcmp(o.table.offsets, self.table.offsets, (self.table.n + 1) * sizeof(int64_t)) == 0
                and memcmp(o.table.arena, self.table.arena, self.table.arena_len) == 0)

    def __sizeof__(self):
        return (object.__sizeof__(self) + self.table.arena_cap
                + self.table.offsets_cap * sizeof(int64_t)
                + ((self.table.mask + 1) * sizeof(FCVocabSlot) if self.table.slots != NULL else 0)
                + self.scratch_cap)

    def __repr__(self):
        cdef int64_t n = self.table.n
        if n <= 10:
            return f"Vocab({self.words()!r})"
        head = ", ".join(repr(fc_vocab_word_str(self, i)) for i in range(5))
        return f"Vocab([{head}, ...], len={n})"
