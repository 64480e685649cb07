# cython: language_level=3
# The one native helper layer of fastcount: UTF-8 codecs, checked int64
# arithmetic, prefetch hints, one allocator family and one growth rule,
# shared by every extension module.
#
#     from fastcount._native cimport fc_utf8_put, fc_add_overflows, fc_grow, ...
#
# Header-only: everything is a `cdef inline` function or a C macro compiled
# into each module that cimports it, so no call crosses a module boundary
# through a function pointer and the hot helpers inline into their loops.
# No extension defines its own copy of anything here.
#
# Allocator family: PyMem_Raw* (plain malloc underneath, callable without the
# GIL, seen by tracemalloc). Memory from one module may be freed by another.
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.string cimport memcpy
from cpython.mem cimport PyMem_RawMalloc, PyMem_RawCalloc, PyMem_RawRealloc, PyMem_RawFree
from cpython.exc cimport PyErr_CheckSignals
from cpython.pythread cimport PyThread_get_thread_ident
from cpython.ref cimport PyObject

cdef extern from *:
    """
    #ifndef FC_NATIVE_H
    #define FC_NATIVE_H
    #include <stdint.h>
    #include <stddef.h>
    /* int64 a + b / a - b: 1 on overflow (*r is then unspecified), else 0. */
    static inline int fc_add_overflows(int64_t a, int64_t b, int64_t *r) {
    #if defined(__GNUC__) || defined(__clang__)
        return __builtin_add_overflow(a, b, r);
    #else
        if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) return 1;
        *r = a + b;
        return 0;
    #endif
    }
    static inline int fc_sub_overflows(int64_t a, int64_t b, int64_t *r) {
    #if defined(__GNUC__) || defined(__clang__)
        return __builtin_sub_overflow(a, b, r);
    #else
        if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b)) return 1;
        *r = a - b;
        return 0;
    #endif
    }
    /* n * item bytes, or SIZE_MAX when that overflows (no allocator grants it). */
    static inline size_t fc_array_bytes(size_t n, size_t item) {
    #if defined(__GNUC__) || defined(__clang__)
        size_t r;
        return __builtin_mul_overflow(n, item, &r) ? (size_t)-1 : r;
    #else
        return (item && n > ((size_t)-1) / item) ? (size_t)-1 : n * item;
    #endif
    }
    /* Hints that *p will be read (or written) soon; no-ops where unsupported. */
    #if defined(__GNUC__) || defined(__clang__)
    #define fc_prefetch(p) __builtin_prefetch((const void *)(p), 0, 3)
    #define fc_prefetch_write(p) __builtin_prefetch((const void *)(p), 1, 3)
    #else
    #define fc_prefetch(p) ((void)0)
    #define fc_prefetch_write(p) ((void)0)
    #endif
    /* Strings from the pre-PEP 393 C API must be made "ready" before their
       kind/data are read; from Python 3.12 on every str is ready. */
    #if PY_VERSION_HEX < 0x030C0000
    #define FC_UNICODE_READY(o) PyUnicode_READY(o)
    #else
    #define FC_UNICODE_READY(o) 0
    #endif
    /* Large tables ask for transparent huge pages: random probes into a
       table of hundreds of MB otherwise miss the TLB on nearly every access. */
    #if defined(__linux__)
    #include <sys/mman.h>
    #endif
    static inline void fc_advise_huge(void *p, size_t n) {
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        const uintptr_t huge = (uintptr_t)1 << 21;
        uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
        uintptr_t b = ((uintptr_t)p + n) & ~(huge - 1);
        if (b > a) madvise((void *)a, b - a, MADV_HUGEPAGE);
    #else
        (void)p; (void)n;
    #endif
    }
    #endif
    /* Sleep for us microseconds, without the GIL (the caller released it). */
    #if defined(_WIN32)
    #include <windows.h>
    static inline void fc_sleep_us(long us) { Sleep((DWORD)(us >= 1000 ? us / 1000 : 1)); }
    #else
    #include <time.h>
    static inline void fc_sleep_us(long us) {
        struct timespec ts;
        ts.tv_sec = us / 1000000;
        ts.tv_nsec = (us % 1000000) * 1000;
        nanosleep(&ts, NULL);
    }
    #endif
    /* Code point c as UTF-8 (surrogatepass: lone surrogates as 3 bytes) at
       out[j]; the index after it. */
    static inline Py_ssize_t fc_utf8_put2(uint32_t c, unsigned char *out, Py_ssize_t j) {
        out[j] = (unsigned char)(0xC0 | (c >> 6));
        out[j + 1] = (unsigned char)(0x80 | (c & 0x3F));
        return j + 2;
    }
    static inline Py_ssize_t fc_utf8_put3(uint32_t c, unsigned char *out, Py_ssize_t j) {
        out[j] = (unsigned char)(0xE0 | (c >> 12));
        out[j + 1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        out[j + 2] = (unsigned char)(0x80 | (c & 0x3F));
        return j + 3;
    }
    static inline Py_ssize_t fc_utf8_put(uint32_t c, unsigned char *out, Py_ssize_t j) {
        if (c < 0x80) {
            out[j] = (unsigned char)c;
            return j + 1;
        }
        if (c < 0x800)
            return fc_utf8_put2(c, out, j);
        if (c < 0x10000)
            return fc_utf8_put3(c, out, j);
        out[j] = (unsigned char)(0xF0 | (c >> 18));
        out[j + 1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        out[j + 2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        out[j + 3] = (unsigned char)(0x80 | (c & 0x3F));
        return j + 4;
    }
    /* UTF-8 (surrogatepass) of n PEP 393 code units of `kind` (1, 2, 4) into
       out (room for fc_utf8_max_size(kind, n)); returns the size. A kind-2
       unit tests for 3 bytes first: nearly every unit of a Chinese word
       takes 3 (surrogates, D800-DFFF, do too). */
    static inline Py_ssize_t fc_utf8_encode_kind(int kind, const void *data, Py_ssize_t n,
                                                 unsigned char *out) {
        Py_ssize_t i, j = 0;
        if (kind == 1) {
            const uint8_t *d = (const uint8_t *)data;
            for (i = 0; i < n; i++) {
                if (d[i] < 0x80)
                    out[j++] = d[i];
                else
                    j = fc_utf8_put2(d[i], out, j);
            }
        } else if (kind == 2) {
            const uint16_t *d = (const uint16_t *)data;
            for (i = 0; i < n; i++) {
                uint16_t c = d[i];
                j = c >= 0x800 ? fc_utf8_put3(c, out, j) : fc_utf8_put(c, out, j);
            }
        } else {
            const uint32_t *d = (const uint32_t *)data;
            for (i = 0; i < n; i++)
                j = fc_utf8_put(d[i], out, j);
        }
        return j;
    }
    /* The UTF-8 (surrogatepass) of str o: *p points at it and the size is
       returned. An ASCII str is its own UTF-8 and is used in place; any other
       is encoded into out, -1 when that could need more than room bytes (2, 3
       or 4 per code unit of kind 1, 2 or 4). -2 with an exception when o
       cannot be made ready. In C on a borrowed pointer, for the bulk
       interning loop: no reference counting, no division by a variable. */
    static inline Py_ssize_t fc_str_utf8_c(PyObject *o, char *out, Py_ssize_t room,
                                           const char **p) {
        Py_ssize_t n;
        int kind;
        if (FC_UNICODE_READY(o) < 0) return -2;
        n = PyUnicode_GET_LENGTH(o);
        if (PyUnicode_IS_ASCII(o)) {
            *p = (const char *)PyUnicode_DATA(o);
            return n;
        }
        kind = PyUnicode_KIND(o);
        if (n > (kind == 1 ? room / 2 : kind == 2 ? room / 3 : room / 4)) return -1;
        *p = out;
        return fc_utf8_encode_kind(kind, PyUnicode_DATA(o), n, (unsigned char *)out);
    }
    """
    Py_ssize_t fc_utf8_put(uint32_t c, unsigned char* out, Py_ssize_t j) noexcept nogil
    Py_ssize_t fc_utf8_encode_kind(int kind, const void* data, Py_ssize_t n,
                                   unsigned char* out) noexcept nogil
    Py_ssize_t fc_str_utf8_c(PyObject* o, char* out, Py_ssize_t room, const char** p) except -2
    void fc_sleep_us(long us) noexcept nogil
    bint fc_add_overflows(int64_t a, int64_t b, int64_t* r) noexcept nogil
    bint fc_sub_overflows(int64_t a, int64_t b, int64_t* r) noexcept nogil
    size_t fc_array_bytes(size_t n, size_t item) noexcept nogil
    void fc_prefetch(const void* p) noexcept nogil
    void fc_prefetch_write(const void* p) noexcept nogil
    void fc_advise_huge(void* p, size_t n) noexcept nogil
    int FC_UNICODE_READY(object o) except -1

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    int PyUnicode_KIND(object o)
    const Py_ssize_t PY_SSIZE_T_MAX
    void* PyUnicode_DATA(object o)
    object PyUnicode_New(Py_ssize_t size, uint32_t maxchar)
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)


# ---------------------------------------------------------------- memory

# Arrays of n items of `item` bytes; NULL when out of memory or when the size
# overflows. PyMem_Raw* hands out a unique pointer for 0 bytes too.
cdef inline void* fc_alloc(size_t n, size_t item) noexcept nogil:
    return PyMem_RawMalloc(fc_array_bytes(n, item))

cdef inline void* fc_calloc(size_t n, size_t item) noexcept nogil:
    return PyMem_RawCalloc(n, item)

cdef inline void* fc_realloc(void* p, size_t n, size_t item) noexcept nogil:
    return PyMem_RawRealloc(p, fc_array_bytes(n, item))

cdef inline void fc_free(void* p) noexcept nogil:
    PyMem_RawFree(p)


# The growth rule: a capacity of at least `need` that grows by cap >> shift
# (shift 0: doubling, for buffers that come and go; shift 2: by a quarter, for
# per-key arrays that live long, where doubling would waste up to half) and
# never below 16. -1 when need is negative or the result overflows.
cdef inline Py_ssize_t fc_grown_capacity(Py_ssize_t cap, Py_ssize_t need, int shift) noexcept nogil:
    cdef Py_ssize_t step, new_cap = 16
    if need < 0:
        return -1
    if cap >= 16:
        step = cap >> shift
        new_cap = cap + step if cap <= PY_SSIZE_T_MAX - step else cap
    return need if new_cap < need else new_cap


# Make *p (an array of *cap items of `item` bytes, or NULL) hold at least
# `need` items, by the growth rule above. 0 ok; -1 out of memory (or a size
# that overflows), with *p and *cap untouched and still valid.
cdef inline int fc_grow(void** p, Py_ssize_t* cap, Py_ssize_t need, size_t item,
                        int shift) noexcept nogil:
    cdef Py_ssize_t new_cap
    cdef void* q
    if need <= cap[0]:
        return 0
    new_cap = fc_grown_capacity(cap[0], need, shift)
    if new_cap < 0:
        return -1
    q = fc_realloc(p[0], <size_t>new_cap, item)
    if q == NULL:
        return -1
    p[0] = q
    cap[0] = new_cap
    return 0


# ---------------------------------------------------------------- UTF-8
# Two forms: strict UTF-8 (what bytes.decode("utf-8") accepts) and UTF-8 with
# 'surrogatepass' (lone surrogates U+D800..U+DFFF as 3-byte sequences), the
# form a Vocab stores, so that every Python str has exactly one encoding.

# The most bytes the UTF-8 (surrogatepass) of n code units of a PEP 393 kind
# (1, 2 or 4 bytes each) can take.
cdef inline Py_ssize_t fc_utf8_max_size(int kind, Py_ssize_t n) noexcept nogil:
    return n * (kind + 1 if kind < 4 else 4)


# fc_utf8_put and fc_utf8_encode_kind are in the C block above.


# The size of the UTF-8 (surrogatepass) of n UCS4 code points (exact).
cdef inline Py_ssize_t fc_utf8_size_ucs4(const Py_UCS4* s, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, k = n
    cdef uint32_t c
    for i in range(n):
        c = s[i]
        k += (c >= 0x80) + (c >= 0x800) + (c >= 0x10000)
    return k


cdef inline bint _fc_cont(const unsigned char* p, Py_ssize_t k, Py_ssize_t n) noexcept nogil:
    return k < n and (p[k] & 0xC0) == 0x80


# Offset of the first byte of p[0:n] that is not valid UTF-8, or -1 if all
# are: no overlong forms, nothing above U+10FFFF; encoded surrogates count as
# valid only with allow_surrogates (the surrogatepass form).
cdef inline Py_ssize_t fc_utf8_invalid_at(const unsigned char* p, Py_ssize_t n,
                                          bint allow_surrogates) noexcept nogil:
    cdef Py_ssize_t k = 0
    cdef unsigned char c, lo, hi
    while k < n:
        c = p[k]
        if c < 0x80:
            k += 1
        elif 0xC2 <= c <= 0xDF:
            if not _fc_cont(p, k + 1, n):
                return k
            k += 2
        elif 0xE0 <= c <= 0xEF:
            lo = 0xA0 if c == 0xE0 else 0x80
            hi = 0x9F if (c == 0xED and not allow_surrogates) else 0xBF
            if not (k + 1 < n and lo <= p[k + 1] <= hi and _fc_cont(p, k + 2, n)):
                return k
            k += 3
        elif 0xF0 <= c <= 0xF4:
            lo = 0x90 if c == 0xF0 else 0x80
            hi = 0x8F if c == 0xF4 else 0xBF
            if not (k + 1 < n and lo <= p[k + 1] <= hi
                    and _fc_cont(p, k + 2, n) and _fc_cont(p, k + 3, n)):
                return k
            k += 4
        else:
            return k
    return -1


# The code points of strict UTF-8 s[0:n] into out (room for n), as
# bytes.decode("utf-8") gives them: their number, or -1 where that decode
# would fail (surrogates included).
cdef inline Py_ssize_t fc_utf8_decode_strict(const unsigned char* s, Py_ssize_t n,
                                             Py_UCS4* out) noexcept nogil:
    cdef Py_ssize_t i = 0, k = 0
    cdef unsigned char b0, b1
    while i < n:
        b0 = s[i]
        if b0 < 0x80:
            out[k] = b0
            i += 1
        elif 0xC2 <= b0 <= 0xDF:
            if i + 1 >= n or (s[i + 1] & 0xC0) != 0x80:
                return -1
            out[k] = ((b0 & 0x1F) << 6) | (s[i + 1] & 0x3F)
            i += 2
        elif 0xE0 <= b0 <= 0xEF:
            if i + 2 >= n:
                return -1
            b1 = s[i + 1]
            if ((b1 & 0xC0) != 0x80 or (s[i + 2] & 0xC0) != 0x80
                    or (b0 == 0xE0 and b1 < 0xA0) or (b0 == 0xED and b1 > 0x9F)):
                return -1      # overlong, or a surrogate
            out[k] = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (s[i + 2] & 0x3F)
            i += 3
        elif 0xF0 <= b0 <= 0xF4:
            if i + 3 >= n:
                return -1
            b1 = s[i + 1]
            if ((b1 & 0xC0) != 0x80 or (s[i + 2] & 0xC0) != 0x80 or (s[i + 3] & 0xC0) != 0x80
                    or (b0 == 0xF0 and b1 < 0x90) or (b0 == 0xF4 and b1 > 0x8F)):
                return -1
            out[k] = (((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12)
                      | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F))
            i += 4
        else:
            return -1
        k += 1
    return k


# The code point at p[pos[0]] of UTF-8 (surrogatepass) known to be valid;
# advances pos[0] past it.
cdef inline uint32_t fc_utf8_next_valid(const unsigned char* p, Py_ssize_t* pos) noexcept nogil:
    cdef Py_ssize_t k = pos[0]
    cdef unsigned char c = p[k]
    if c < 0x80:
        pos[0] = k + 1
        return c
    if c < 0xE0:
        pos[0] = k + 2
        return ((c & 0x1F) << 6) | (p[k + 1] & 0x3F)
    if c < 0xF0:
        pos[0] = k + 3
        return ((c & 0x0F) << 12) | ((p[k + 1] & 0x3F) << 6) | (p[k + 2] & 0x3F)
    pos[0] = k + 4
    return (((c & 0x07) << 18) | ((p[k + 1] & 0x3F) << 12)
            | ((p[k + 2] & 0x3F) << 6) | (p[k + 3] & 0x3F))


# Decode UTF-8 (surrogatepass) that is known to be valid into n code points
# of a PEP 393 buffer of `kind`: no checks (the bytes were validated when they
# were stored).
cdef inline void fc_utf8_decode_valid_into(const unsigned char* p, Py_ssize_t n, int kind,
                                           void* data) noexcept nogil:
    cdef Py_ssize_t k = 0, j = 0
    cdef uint32_t cp
    while k < n:
        cp = fc_utf8_next_valid(p, &k)
        if kind == 1:
            (<uint8_t*>data)[j] = <uint8_t>cp
        elif kind == 2:
            (<uint16_t*>data)[j] = <uint16_t>cp
        else:
            (<uint32_t*>data)[j] = cp
        j += 1


# A new str from UTF-8 (surrogatepass) known to be valid. Skips the checks
# and error-handler machinery of PyUnicode_DecodeUTF8, which dominate for the
# short words of a vocabulary.
cdef inline str fc_str_from_valid_utf8(const unsigned char* p, Py_ssize_t n):
    cdef Py_ssize_t k, count = 0
    cdef unsigned char c, top = 0
    cdef uint32_t maxchar
    for k in range(n):
        c = p[k]
        if (c & 0xC0) != 0x80:  # one code point per non-continuation byte
            count += 1
            if c > top:
                top = c
    # The highest lead byte gives the str's exact PEP 393 kind (CPython
    # requires the narrowest one): ASCII, Latin-1 (C2-C3), UCS2 (up to EF).
    if top < 0x80:
        return PyUnicode_FromKindAndData(1, p, n)
    maxchar = 0xFF if top <= 0xC3 else (0xFFFF if top <= 0xEF else 0x10FFFF)
    s = PyUnicode_New(count, maxchar)
    fc_utf8_decode_valid_into(p, n, PyUnicode_KIND(s), PyUnicode_DATA(s))
    return s


# Point *p at the UTF-8 (surrogatepass) of `word` and return its size: an
# ASCII str is its own UTF-8 and is used in place, any other is encoded into
# out; -1 when that could need more than `room` bytes (see fc_str_utf8_need).
cdef inline Py_ssize_t fc_str_utf8(str word, char* out, Py_ssize_t room,
                                   const char** p) except -2:
    return fc_str_utf8_c(<PyObject*>word, out, room, p)


# The room fc_str_utf8 needs to encode `word` (0 for ASCII, used in place).
cdef inline Py_ssize_t fc_str_utf8_need(str word) except -1:
    FC_UNICODE_READY(word)
    if PyUnicode_IS_ASCII(word):
        return 0
    return fc_utf8_max_size(PyUnicode_KIND(word), PyUnicode_GET_LENGTH(word))


# ---------------------------------------------------------------- varints
# LEB128 varints (7 bits per byte, low first; 1 byte below 128) and the
# zigzag map that makes small negative numbers small too: the compact,
# endian-free integers of the pickle formats.

cdef inline Py_ssize_t fc_varint_size(uint64_t u) noexcept nogil:
    cdef Py_ssize_t n = 1
    while u >= 0x80:
        u >>= 7
        n += 1
    return n


# Write u at p; the position after it (at most 10 bytes on).
cdef inline unsigned char* fc_varint_put(unsigned char* p, uint64_t u) noexcept nogil:
    while u >= 0x80:
        p[0] = <unsigned char>(u & 0x7F) | 0x80
        u >>= 7
        p += 1
    p[0] = <unsigned char>u
    return p + 1


# Read the varint at p (not past end) into *out; the position after it, or
# NULL when it is truncated or does not fit 64 bits.
cdef inline const unsigned char* fc_varint_get(const unsigned char* p, const unsigned char* end,
                                               uint64_t* out) noexcept nogil:
    cdef uint64_t u = 0
    cdef int shift = 0
    while p < end:
        if shift == 63 and p[0] > 1:
            return NULL
        u |= (<uint64_t>(p[0] & 0x7F)) << shift
        if not (p[0] & 0x80):
            out[0] = u
            return p + 1
        p += 1
        shift += 7
        if shift > 63:
            return NULL
    return NULL


cdef inline uint64_t fc_zigzag(int64_t v) noexcept nogil:
    return (<uint64_t>v << 1) ^ <uint64_t>(v >> 63)


cdef inline int64_t fc_unzigzag(uint64_t u) noexcept nogil:
    return <int64_t>(u >> 1) ^ -<int64_t>(u & 1)



# ---------------------------------------------------------------- integer arguments

cdef inline bint fc_is_bool(object x) except -1:
    """bool or numpy's bool, to be refused where an integer is expected:
    before numpy 2.3, numpy's bool has __index__, so True would count as 1."""
    if isinstance(x, bool):
        return True
    t = type(x)
    return t.__module__ == "numpy" and t.__name__ in ("bool", "bool_")


# ---------------------------------------------------------------- the gate
# Who may use an object whose operations run Python code or release the GIL
# midway (a HashCounter adding without the GIL, a Counter calling a key's
# __hash__): one thread at a time. A zero-filled FCGate is open. Operations
# that change the object enter for writing, whole-object reads for reading:
#   - another thread holds it: wait (without the GIL) until it is free, so
#     threads sharing an object take turns instead of failing;
#   - this thread holds it (code run by the operation itself, such as a key's
#     __eq__ or a finalizer, uses the object again): a read goes ahead (the
#     object is consistent between steps), a write raises RuntimeError, as it
#     would change the object under the running operation.
# Take it before any Python code of the operation runs. Not for nogil code.

cdef struct FCGate:
    unsigned long owner     # thread holding the gate, 0 when free
    Py_ssize_t depth        # nested entries of the owner


cdef inline int fc_gate_wait(FCGate* g) except -1:
    """Wait until no thread holds g (the caller does not)."""
    cdef long us = 20
    while g.owner != 0:
        with nogil:
            fc_sleep_us(us)
        PyErr_CheckSignals()   # Ctrl-C interrupts a wait
        if us < 2000:
            us *= 2
    return 0


cdef inline int fc_gate_enter_write(FCGate* g, str what) except -1:
    cdef unsigned long me = PyThread_get_thread_ident()
    if g.owner == me:
        raise RuntimeError(
            f"{what} was changed by code that one of its own operations ran in the same "
            f"thread (a key's __hash__ or __eq__, a finalizer, a callback): that change is "
            f"refused, as it would happen in the middle of the running operation")
    if g.owner != 0:
        fc_gate_wait(g)
    g.owner = me
    g.depth = 1
    return 0


cdef inline int fc_gate_enter_read(FCGate* g) except -1:
    cdef unsigned long me = PyThread_get_thread_ident()
    if g.owner == me:
        g.depth += 1
        return 0
    if g.owner != 0:
        fc_gate_wait(g)
    g.owner = me
    g.depth = 1
    return 0


cdef inline void fc_gate_exit(FCGate* g) noexcept:
    g.depth -= 1
    if g.depth == 0:
        g.owner = 0


# Two objects at once (a merge, a comparison): in address order, so that two
# threads taking the same pair cannot each hold one and wait for the other.
# b may be a.
cdef inline int fc_gate_enter_pair(FCGate* a, bint write_a, FCGate* b, str what) except -1:
    cdef FCGate* first = a if a <= b else b
    cdef FCGate* second = b if a <= b else a
    if first == a and write_a:
        fc_gate_enter_write(first, what)
    else:
        fc_gate_enter_read(first)
    if second != first:
        try:
            if second == a and write_a:
                fc_gate_enter_write(second, what)
            else:
                fc_gate_enter_read(second)
        except BaseException:
            fc_gate_exit(first)
            raise
    return 0


cdef inline void fc_gate_exit_pair(FCGate* a, FCGate* b) noexcept:
    fc_gate_exit(a)
    if b != a:
        fc_gate_exit(b)
# The text form of UTF-8 (surrogatepass) p[0:n] into out (room for 2 * n
# bytes), its size: backslash, newline and CR (and with `tab`, tab) escaped
# as \\, \n, \r, \t; a lone surrogate as \uXXXX (lowercase, as Python's
# backslashreplace), so the text is valid UTF-8. Vocab.save's words and the
# n-gram TSV lines.
cdef inline Py_ssize_t fc_utf8_escape(const unsigned char* p, Py_ssize_t n, unsigned char* out,
                                      bint tab) noexcept nogil:
    cdef const char* hexdigits = b"0123456789abcdef"
    cdef Py_ssize_t j = 0, k = 0
    cdef unsigned char c
    cdef uint32_t cp
    cdef int shift
    while k < n:
        c = p[k]
        if c == 0x5C or c == 0x0A or c == 0x0D or (tab and c == 0x09):
            out[j] = 0x5C
            out[j + 1] = (0x5C if c == 0x5C else 0x6E if c == 0x0A else 0x72 if c == 0x0D
                          else 0x74)
            j += 2
            k += 1
        elif c == 0xED and k + 2 < n and p[k + 1] >= 0xA0:  # an encoded lone surrogate
            cp = 0xD000 | ((p[k + 1] & 0x3F) << 6) | (p[k + 2] & 0x3F)
            out[j] = 0x5C
            out[j + 1] = 0x75
            for shift in range(4):
                out[j + 2 + shift] = hexdigits[(cp >> (12 - 4 * shift)) & 0xF]
            j += 6
            k += 3
        else:
            out[j] = c
            j += 1
            k += 1
    return j
