# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""jieba's segmentation (jieba 0.42.1 ``Tokenizer.cut`` and ``finalseg``), in C.

Every decision follows jieba's code step by step, so the tokens are jieba's,
token for token:

* the prefix dictionary is jieba's ``FREQ`` held as a trie over code points
  (a string "is in FREQ" and "has a non-zero frequency" are kept apart, as
  jieba's ``get_DAG`` does);
* the route is ``max((log(freq or 1) - logtotal) + route[x + 1][0], x)`` with
  the same doubles added in the same order (``log(freq)`` is stored per word:
  it is the same libm call on the same operand that jieba makes each time), the
  larger end index winning ties as it does in a tuple ``max``;
* the HMM is ``finalseg.viterbi`` with jieba's own tables and ``max`` tie rules
  (on equal probability the later state letter wins);
* the regular expressions are replaced by the character classes they denote
  (``re_han_default``, ``re_skip_default`` with Python's Unicode ``\\s``,
  finalseg's ``re_han``/``re_skip``), keeping their split semantics, including
  the empty strings full mode yields around whitespace.
"""
from cpython.unicode cimport (PyUnicode_GET_LENGTH, PyUnicode_Substring,
                              PyUnicode_FromKindAndData, PyUnicode_4BYTE_KIND)
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.ref cimport Py_INCREF
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t, INT64_MIN
from libc.stdlib cimport malloc, calloc, realloc, free, qsort
from libc.string cimport memset, memcpy
from libc.math cimport log, NAN

import math
import struct

from jieba import finalseg as _finalseg

cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch) nogil
    Py_UCS4* PyUnicode_AsUCS4(object u, Py_UCS4* buffer, Py_ssize_t buflen, int copy_null) except NULL

cdef extern from *:
    """
    #define JB_LIKELY(x) __builtin_expect(!!(x), 1)
    #define JB_UNLIKELY(x) __builtin_expect(!!(x), 0)
    """
    bint JB_LIKELY(bint) nogil
    bint JB_UNLIKELY(bint) nogil

cdef enum:
    SHORT_TEXT = 256        # texts up to this long are cut holding the GIL
    ROOT_SPAN = 65536
    HAN_LO = 0x4E00
    HAN_HI = 0x9FD5
    HAN_N = HAN_HI - HAN_LO + 1
    ST_B = 0
    ST_M = 1
    ST_E = 2
    ST_S = 3

cdef int64_t ABSENT = INT64_MIN
cdef uint64_t EMPTY = 0xFFFFFFFFFFFFFFFFULL
cdef uint64_t GOLD = 0x9E3779B97F4A7C15ULL

# ---------------------------------------------------------------- HMM tables
# finalseg's start_P, trans_P and emit_P, with MIN_FLOAT where jieba's
# dict.get(..., MIN_FLOAT) would fall back. Viterbi only ever looks up
# characters of re_han ([\u4E00-\u9FD5]), so emit_P is dense over that range.
cdef double MIN_FLOAT = _finalseg.MIN_FLOAT
cdef double START_P[4]
cdef double TRANS_P[4][4]
cdef double EMIT_P[4][HAN_N]


def _load_hmm_tables():
    cdef int y, y0, i
    states = ["B", "M", "E", "S"]
    for y in range(4):
        START_P[y] = _finalseg.start_P.get(states[y], MIN_FLOAT)
        for y0 in range(4):
            TRANS_P[y0][y] = _finalseg.trans_P[states[y0]].get(states[y], MIN_FLOAT)
        for i in range(HAN_N):
            EMIT_P[y][i] = MIN_FLOAT
        for ch, p in _finalseg.emit_P[states[y]].items():
            i = ord(ch) - HAN_LO
            if 0 <= i < HAN_N:
                EMIT_P[y][i] = p


_load_hmm_tables()

# [\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-] for ASCII
cdef uint8_t HAN_ASCII[128]
cdef uint8_t ENG_ASCII[128]     # [a-zA-Z0-9]


def _load_char_classes():
    cdef int c
    for c in range(128):
        ENG_ASCII[c] = chr(c).isascii() and chr(c).isalnum()
        HAN_ASCII[c] = ENG_ASCII[c] or chr(c) in "+#&._%-"


_load_char_classes()


cdef inline bint is_han_default(Py_UCS4 c) noexcept nogil:
    if c < 128:
        return HAN_ASCII[c]
    return HAN_LO <= c <= HAN_HI


cdef inline bint is_han(Py_UCS4 c) noexcept nogil:
    return HAN_LO <= c <= HAN_HI


cdef inline bint is_eng(Py_UCS4 c) noexcept nogil:
    return c < 128 and ENG_ASCII[c]


cdef inline bint is_ascii_digit(Py_UCS4 c) noexcept nogil:
    return 48 <= c <= 57


# ---------------------------------------------------------------- the trie
# The master copy of FREQ, the one changes go to. Its edge table is only
# needed to change it: Dictionary drops it once the frozen copy is built and
# rebuilds it (from parent/ch) on the next change, so that a loaded,
# unchanged dictionary holds only the compact arrays.
cdef int trie_init(JBTrie* t, bint with_root) noexcept nogil:
    memset(t, 0, sizeof(JBTrie))
    if with_root:
        t.root = <int32_t*>malloc(ROOT_SPAN * sizeof(int32_t))
        if t.root == NULL:
            return -1
        memset(t.root, 0xFF, ROOT_SPAN * sizeof(int32_t))
    t.mask = 1023
    t.shift = 64 - 10
    t.edges = <JBEdge*>malloc(1024 * sizeof(JBEdge))
    t.cap = 1024
    t.parent = <int32_t*>malloc(t.cap * sizeof(int32_t))
    t.ch = <int32_t*>malloc(t.cap * sizeof(int32_t))
    t.freq = <int64_t*>malloc(t.cap * sizeof(int64_t))
    if t.edges == NULL or t.parent == NULL or t.ch == NULL or t.freq == NULL:
        trie_free(t)
        return -1
    memset(t.edges, 0xFF, 1024 * sizeof(JBEdge))
    t.n = 1
    t.parent[0] = -1
    t.ch[0] = 0
    t.freq[0] = ABSENT
    return 0


cdef void trie_free(JBTrie* t) noexcept nogil:
    free(t.root)
    free(t.edges)
    free(t.parent)
    free(t.ch)
    free(t.freq)
    memset(t, 0, sizeof(JBTrie))


cdef inline int32_t trie_child(const JBTrie* t, int32_t node, Py_UCS4 c) noexcept nogil:
    """Child of node for c, or -1; t.edges must be built."""
    cdef uint64_t key, h
    if node == 0 and c < ROOT_SPAN and t.root != NULL:
        return t.root[c]
    key = ((<uint64_t>node) << 21) | <uint64_t>c
    h = (key * GOLD) >> t.shift
    while True:
        if t.edges[h].key == key:
            return t.edges[h].child
        if t.edges[h].key == EMPTY:
            return -1
        h = (h + 1) & t.mask


cdef Py_ssize_t jb_node_chars(const JBTrie* t, int32_t node, Py_UCS4* out, Py_ssize_t cap) noexcept nogil:
    """Length of node's word (the path from the root); its characters go to
    out[0:length] when length <= cap (read from the node up, written back to front)."""
    cdef Py_ssize_t n = 0, i
    cdef int32_t k = node
    while k > 0:
        n += 1
        k = t.parent[k]
    if n <= cap:
        i = n
        k = node
        while k > 0:
            i -= 1
            out[i] = t.ch[k]
            k = t.parent[k]
    return n


cdef int32_t jb_find(const JBTrie* t, const Py_UCS4* text, Py_ssize_t n) noexcept nogil:
    cdef int32_t node = 0
    cdef Py_ssize_t i
    for i in range(n):
        node = trie_child(t, node, text[i])
        if node < 0:
            return -1
    return node


cdef void edge_put(JBEdge* edges, uint64_t mask, int shift, uint64_t key, int32_t child) noexcept nogil:
    cdef uint64_t h = (key * GOLD) >> shift
    while edges[h].key != EMPTY:
        h = (h + 1) & mask
    edges[h].key = key
    edges[h].child = child


cdef int trie_build_edges(JBTrie* t, uint64_t size) noexcept nogil:
    """(Re)build the edge table (and root array) from parent/ch, with at
    least `size` slots; 0 ok, -1 out of memory (t unchanged)."""
    cdef uint64_t slots = 1024
    cdef int bits = 10
    cdef JBEdge* e
    cdef int32_t k
    cdef Py_ssize_t nedges = 0
    while slots < size or slots < 2 * <uint64_t>t.n:
        slots *= 2
        bits += 1
    e = <JBEdge*>malloc(slots * sizeof(JBEdge))
    if e == NULL:
        return -1
    memset(e, 0xFF, slots * sizeof(JBEdge))
    if t.root != NULL:
        memset(t.root, 0xFF, ROOT_SPAN * sizeof(int32_t))
    for k in range(1, t.n):
        if t.parent[k] == 0 and t.ch[k] < ROOT_SPAN and t.root != NULL:
            t.root[t.ch[k]] = k
        else:
            edge_put(e, slots - 1, 64 - bits, ((<uint64_t>t.parent[k]) << 21) | <uint64_t>t.ch[k], k)
            nedges += 1
    free(t.edges)
    t.edges = e
    t.mask = slots - 1
    t.shift = 64 - bits
    t.nedges = nedges
    return 0


cdef void trie_drop_edges(JBTrie* t) noexcept nogil:
    free(t.edges)
    t.edges = NULL
    t.nedges = 0


cdef int grow(void** p, size_t nbytes) noexcept nogil:
    """realloc ``*p`` to ``nbytes``; -1 (``*p`` unchanged and valid) when out of memory."""
    cdef void* q = realloc(p[0], nbytes)
    if q == NULL:
        return -1
    p[0] = q
    return 0


cdef int trie_grow_nodes(JBTrie* t) noexcept nogil:
    cdef int32_t cap = t.cap * 2
    if t.cap >= 0x40000000:
        return -1
    if (grow(<void**>&t.parent, cap * sizeof(int32_t)) or grow(<void**>&t.ch, cap * sizeof(int32_t))
            or grow(<void**>&t.freq, cap * sizeof(int64_t))):
        return -1
    t.cap = cap
    return 0


cdef int32_t trie_add_child(JBTrie* t, int32_t node, Py_UCS4 c) noexcept nogil:
    """The child of node for c, created (not in FREQ) if missing; -1: no memory."""
    cdef int32_t k
    if t.edges == NULL and trie_build_edges(t, 0) != 0:
        return -1
    k = trie_child(t, node, c)
    if k >= 0:
        return k
    if t.n == t.cap and trie_grow_nodes(t) != 0:
        return -1
    if node == 0 and c < ROOT_SPAN and t.root != NULL:
        t.root[c] = t.n
    else:
        if (t.nedges + 1) * 2 > <Py_ssize_t>(t.mask + 1) and trie_build_edges(t, 2 * (t.mask + 1)) != 0:
            return -1
        edge_put(t.edges, t.mask, t.shift, ((<uint64_t>node) << 21) | <uint64_t>c, t.n)
        t.nedges += 1
    k = t.n
    t.parent[k] = node
    t.ch[k] = <int32_t>c
    t.freq[k] = ABSENT
    t.n += 1
    return k


cdef int32_t trie_path(JBTrie* t, const Py_UCS4* w, Py_ssize_t n, bint prefixes_in_freq) noexcept nogil:
    """Node of w, creating what is missing; with prefixes_in_freq, every
    proper prefix not yet in FREQ enters it with frequency 0 (jieba's add_word)."""
    cdef int32_t node = 0
    cdef Py_ssize_t i
    for i in range(n):
        node = trie_add_child(t, node, w[i])
        if node < 0:
            return -1
        if prefixes_in_freq and t.freq[node] == ABSENT:
            t.freq[node] = 0
    return node


cdef inline double log_freq(int64_t f) noexcept nogil:
    """jieba's log(FREQ[w] or 1) for a word of the DAG (f != 0): the same libm
    log of the same double that math.log(f) computes; NaN where math.log
    raises (f < 0), for calc to report."""
    if f > 0:
        return log(<double>f)
    if f == 0:
        return 0.0
    return NAN


# ---------------------------------------------------------------- frozen trie
cdef inline int32_t fz_child_of(const JBFrozen* z, int32_t r, Py_UCS4 c) noexcept nogil:
    """Record of record r's child for c, or -1."""
    cdef const JBRec* recs = z.recs
    cdef uint32_t nk = recs[r].cpf >> JB_KIDS_SHIFT
    cdef int32_t lo = recs[r].first, hi = lo + <int32_t>nk
    cdef uint32_t k
    cdef uint64_t key, h
    if nk <= JB_SCAN:
        # children sorted by code point, in one or two cache lines
        while lo < hi:
            k = recs[lo].cpf & JB_CP_MASK
            if k == c:
                return lo
            if k > c:
                return -1
            lo += 1
        return -1
    key = ((<uint64_t>r) << 21) | <uint64_t>c
    h = (key * GOLD) >> z.bigshift
    while True:
        if z.big[h].key == key:
            return z.big[h].child
        if z.big[h].key == EMPTY:
            return -1
        h = (h + 1) & z.bigmask


cdef inline int32_t fz_child(const JBFrozen* z, int32_t r, Py_UCS4 c) noexcept nogil:
    if r == 0 and c < ROOT_SPAN:
        return z.root[c]
    return fz_child_of(z, r, c)


cdef inline int32_t rec_node(const JBFrozen* z, int32_t r) noexcept nogil:
    return z.node[r] if r >= 0 else -1


cdef int32_t jb_zfind(const JBFrozen* z, const Py_UCS4* text, Py_ssize_t n) noexcept nogil:
    cdef int32_t r = 0
    cdef Py_ssize_t i
    for i in range(n):
        r = fz_child(z, r, text[i])
        if r < 0:
            return -1
    return r


cdef void frozen_free(JBFrozen* z) noexcept nogil:
    free(z.recs)
    free(z.node)
    free(z.root)
    free(z.big)
    memset(z, 0, sizeof(JBFrozen))


cdef int fz_big_put(JBFrozen* z, int32_t r, uint32_t c, int32_t child) noexcept nogil:
    """Add (r, c) -> child to z.big, growing it; 0 ok, -1 out of memory."""
    cdef uint64_t size, i
    cdef JBEdge* e
    if (z.nbig + 1) * 2 > <Py_ssize_t>(z.bigmask + 1):
        size = (z.bigmask + 1) * 2
        e = <JBEdge*>malloc(size * sizeof(JBEdge))
        if e == NULL:
            return -1
        memset(e, 0xFF, size * sizeof(JBEdge))
        for i in range(z.bigmask + 1):
            if z.big[i].key != EMPTY:
                edge_put(e, size - 1, z.bigshift - 1, z.big[i].key, z.big[i].child)
        free(z.big)
        z.big = e
        z.bigmask = size - 1
        z.bigshift -= 1
    edge_put(z.big, z.bigmask, z.bigshift, ((<uint64_t>r) << 21) | <uint64_t>c, child)
    z.nbig += 1
    return 0


cdef int32_t fz_add_child(JBFrozen* z, int32_t r, uint32_t c, int32_t node) noexcept nogil:
    """The record of r's child for c, appended (for trie node `node`, not in
    FREQ) if missing; -1 out of memory. r's children then move to z.big,
    since the new record cannot sit next to its siblings."""
    cdef int32_t k = fz_child(z, r, c), j, cap
    cdef uint32_t nk
    if k >= 0:
        return k
    if z.n == z.cap:
        if z.cap >= 0x40000000:
            return -1
        cap = 2 * z.cap
        if grow(<void**>&z.recs, cap * sizeof(JBRec)) or grow(<void**>&z.node, cap * sizeof(int32_t)):
            return -1
        z.cap = cap
    nk = z.recs[r].cpf >> JB_KIDS_SHIFT
    if nk != JB_MANY:
        for j in range(z.recs[r].first, z.recs[r].first + <int32_t>nk):
            if fz_big_put(z, r, z.recs[j].cpf & JB_CP_MASK, j) != 0:
                return -1
        z.recs[r].cpf = (z.recs[r].cpf & ~(<uint32_t>JB_MANY << JB_KIDS_SHIFT)) | (<uint32_t>JB_MANY << JB_KIDS_SHIFT)
    k = z.n
    if fz_big_put(z, r, c, k) != 0:
        return -1
    z.recs[k].cpf = c
    z.recs[k].first = 0
    z.recs[k].logf = 0.0
    z.node[k] = node
    z.n += 1
    if r == 0 and c < ROOT_SPAN:
        z.root[c] = k
    return k


cdef inline void fz_set_freq(JBFrozen* z, int32_t r, int64_t f) noexcept nogil:
    z.recs[r].cpf &= ~(<uint32_t>(JB_PRESENT | JB_WORD))
    if f != ABSENT:
        z.recs[r].cpf |= JB_PRESENT | (JB_WORD if f != 0 else 0)
        z.recs[r].logf = log_freq(f)
    else:
        z.recs[r].logf = 0.0


cdef int cmp_u64(const void* a, const void* b) noexcept nogil:
    cdef uint64_t x = (<const uint64_t*>a)[0], y = (<const uint64_t*>b)[0]
    return (x > y) - (x < y)


cdef int frozen_build(const JBTrie* t, JBFrozen* z) noexcept nogil:
    """Lay t out breadth first, each node's children together in code point
    order. 0 ok, -1 out of memory, -2 t is no trie (z is then empty)."""
    cdef int32_t n = t.n, k, p, r, nxt, m, j
    cdef int32_t* start = <int32_t*>calloc(n + 1, sizeof(int32_t))
    cdef uint64_t* kids = <uint64_t*>malloc((n if n > 1 else 1) * sizeof(uint64_t))
    cdef int32_t* fill = NULL
    cdef uint64_t key, size, nbig
    cdef int bits, dup = 0
    cdef uint32_t flags
    cdef int64_t f
    frozen_free(z)
    z.recs = <JBRec*>malloc(n * sizeof(JBRec))
    z.node = <int32_t*>malloc(n * sizeof(int32_t))
    z.root = <int32_t*>malloc(ROOT_SPAN * sizeof(int32_t))
    fill = <int32_t*>malloc((n + 1) * sizeof(int32_t))
    if (start == NULL or kids == NULL or fill == NULL or z.recs == NULL or z.root == NULL
            or z.node == NULL):
        free(start)
        free(kids)
        free(fill)
        frozen_free(z)
        return -1
    # children of each node, grouped by parent (counting sort), as
    # (code point << 32 | node) so that sorting a group sorts by code point
    for k in range(1, n):
        start[t.parent[k] + 1] += 1
    for k in range(n):
        start[k + 1] += start[k]
    memcpy(fill, start, (n + 1) * sizeof(int32_t))
    for k in range(1, n):
        p = t.parent[k]
        kids[fill[p]] = ((<uint64_t>t.ch[k]) << 32) | <uint64_t>k
        fill[p] += 1
    for p in range(n):
        m = start[p + 1] - start[p]
        if m > 16:
            qsort(kids + start[p], m, sizeof(uint64_t), cmp_u64)
        elif m > 1:
            for j in range(start[p] + 1, start[p + 1]):      # insertion sort
                key = kids[j]
                k = j - 1
                while k >= start[p] and kids[k] > key:
                    kids[k + 1] = kids[k]
                    k -= 1
                kids[k + 1] = key
        for j in range(start[p] + 1, start[p + 1]):
            if (kids[j] >> 32) == (kids[j - 1] >> 32):
                dup = 1           # two nodes for one string: not a trie
    if dup:
        free(start)
        free(kids)
        free(fill)
        frozen_free(z)
        return -2
    memset(z.root, 0xFF, ROOT_SPAN * sizeof(int32_t))
    nbig = 0
    for p in range(n):
        m = start[p + 1] - start[p]
        if m > JB_SCAN or p == 0:
            nbig += m
    size = 1024
    bits = 10
    while size < 2 * nbig:
        size *= 2
        bits += 1
    z.big = <JBEdge*>malloc(size * sizeof(JBEdge))
    if z.big == NULL:
        free(start)
        free(kids)
        free(fill)
        frozen_free(z)
        return -1
    memset(z.big, 0xFF, size * sizeof(JBEdge))
    z.bigmask = size - 1
    z.bigshift = 64 - bits
    z.nbig = 0
    z.cap = n
    z.node[0] = 0
    nxt = 1
    r = 0
    while r < nxt:
        if r == 0:
            z.recs[0].cpf = 0
        p = z.node[r]
        m = start[p + 1] - start[p]
        # the root's children always go to z.big, so that a new one can join
        # them without moving anything (the BMP ones are found by z.root)
        z.recs[r].cpf |= (<uint32_t>(m if m <= JB_SCAN and r != 0 else JB_MANY)) << JB_KIDS_SHIFT
        fz_set_freq(z, r, t.freq[p])
        z.recs[r].first = nxt
        for j in range(start[p], start[p + 1]):
            k = <int32_t><uint32_t>kids[j]
            z.recs[nxt].cpf = <uint32_t>t.ch[k]
            z.node[nxt] = k
            if r == 0 and t.ch[k] < ROOT_SPAN:
                z.root[t.ch[k]] = nxt
            if start[p + 1] - start[p] > JB_SCAN or r == 0:
                edge_put(z.big, z.bigmask, z.bigshift,
                         ((<uint64_t>r) << 21) | <uint64_t>t.ch[k], nxt)
                z.nbig += 1
            nxt += 1
        r += 1
    z.n = n
    free(start)
    free(kids)
    free(fill)
    return 0


# ---------------------------------------------------------------- segmenting
cdef void jb_ctx_init(JBCtx* ctx, const JBFrozen* fz, const JBTrie* fsw, double logtotal) noexcept nogil:
    memset(ctx, 0, sizeof(JBCtx))
    ctx.fz = fz
    ctx.fsw = fsw
    ctx.logtotal = logtotal


cdef void jb_ctx_free(JBCtx* ctx) noexcept nogil:
    free(ctx.toks)
    free(ctx.aux)
    free(ctx.rscore)
    free(ctx.rx)
    free(ctx.rnode)
    free(ctx.bp)
    free(ctx.dag)
    free(ctx.dagnode)
    ctx.toks = NULL
    ctx.aux = NULL
    ctx.rscore = NULL
    ctx.rx = NULL
    ctx.rnode = NULL
    ctx.bp = NULL
    ctx.dag = NULL
    ctx.dagnode = NULL
    ctx.captok = ctx.capaux = ctx.caproute = ctx.capdag = 0


cdef int grow_toks(JBCtx* ctx) noexcept nogil:
    cdef Py_ssize_t cap = ctx.captok * 2 if ctx.captok else 256
    if grow(<void**>&ctx.toks, cap * sizeof(JBTok)):
        ctx.err = JB_ERR_NOMEM
        return -1
    ctx.captok = cap
    return 0


cdef inline int emit(JBCtx* ctx, Py_ssize_t s, Py_ssize_t e, int32_t node, int32_t kind) noexcept nogil:
    cdef JBTok* t
    if JB_UNLIKELY(ctx.ntok == ctx.captok):
        if grow_toks(ctx) != 0:
            return -1
    t = &ctx.toks[ctx.ntok]
    t.start = s
    t.end = e
    t.node = node
    t.kind = kind
    ctx.ntok += 1
    return 0


cdef inline int emit_char(JBCtx* ctx, Py_ssize_t i) noexcept nogil:
    cdef int32_t r = fz_child(ctx.fz, 0, ctx.text[i])
    return emit(ctx, i, i + 1, rec_node(ctx.fz, r), JB_SPAN)


cdef int reserve_route(JBCtx* ctx, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t cap
    if n <= ctx.caproute:
        return 0
    cap = n if n > 2 * ctx.caproute else 2 * ctx.caproute
    if cap < 256:
        cap = 256
    if (grow(<void**>&ctx.rscore, cap * sizeof(double)) or grow(<void**>&ctx.rx, cap * sizeof(Py_ssize_t))
            or grow(<void**>&ctx.rnode, cap * sizeof(int32_t))
            or grow(<void**>&ctx.bp, cap * 5)):  # 4 back pointers and 1 state per character
        ctx.err = JB_ERR_NOMEM
        return -1
    ctx.caproute = cap
    return 0


cdef int calc(JBCtx* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    """jieba's get_DAG + calc over text[b:b+N], into rscore/rx/rnode (rnode:
    the record of the chosen word, -1 for a character that is no word)."""
    cdef const JBFrozen* fz = ctx.fz
    cdef const JBRec* recs = fz.recs
    cdef const JBRec* rec
    cdef const Py_UCS4* text = ctx.text + b
    cdef double lt = ctx.logtotal
    cdef double* rscore
    cdef Py_ssize_t idx, i, bx
    cdef int32_t r, bn
    cdef double s, best
    cdef bint found
    if reserve_route(ctx, N + 1) != 0:
        return -1
    if lt != lt:
        ctx.err = JB_ERR_DOMAIN
        return -1
    rscore = ctx.rscore
    rscore[N] = 0.0
    ctx.rx[N] = 0
    idx = N - 1
    while idx >= 0:
        found = False
        best = 0.0
        bx = idx
        bn = -1
        i = idx
        r = fz_child(fz, 0, text[idx])
        while r >= 0:
            rec = &recs[r]
            if not (rec.cpf & JB_PRESENT):
                break
            if rec.cpf & JB_WORD:
                s = (rec.logf - lt) + rscore[i + 1]
                if JB_UNLIKELY(s != s):
                    ctx.err = JB_ERR_DOMAIN
                    return -1
                # tuple max with x ascending: a tie goes to the larger x
                if not found or s >= best:
                    best = s
                    bx = i
                    bn = r
                    found = True
            i += 1
            if i >= N:
                break
            r = fz_child_of(fz, r, text[i])
        if not found:
            best = (0.0 - lt) + rscore[idx + 1]
        rscore[idx] = best
        ctx.rx[idx] = bx
        ctx.rnode[idx] = bn
        idx -= 1
    return 0


cdef int emit_hmm_word(JBCtx* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    cdef int32_t node
    cdef Py_ssize_t i
    if ctx.fsw != NULL:
        node = jb_find(ctx.fsw, ctx.text + s, e - s)
        if node >= 0 and ctx.fsw.freq[node] == 1:
            for i in range(s, e):
                if emit_char(ctx, i) != 0:
                    return -1
            return 0
    return emit(ctx, s, e, -1, JB_SPAN)


cdef int viterbi_cut(JBCtx* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """finalseg.__cut over the Han run text[s:e] (Force_Split_Words applied)."""
    cdef const Py_UCS4* text = ctx.text + s
    cdef Py_ssize_t L = e - s
    cdef Py_ssize_t t, i, begin, nexti
    cdef double V[4]
    cdef double W[4]
    cdef double p1, p2, em
    cdef uint8_t* bp
    cdef uint8_t* pos
    cdef Py_ssize_t c
    cdef uint8_t st
    # the route arrays were sized for the whole block, which contains this run
    bp = ctx.bp
    pos = ctx.bp + 4 * L
    c = <Py_ssize_t>text[0] - HAN_LO
    for t in range(4):
        V[t] = START_P[t] + EMIT_P[t][c]
    for t in range(1, L):
        c = <Py_ssize_t>text[t] - HAN_LO
        # B <- E, S  (tie: S)
        em = EMIT_P[ST_B][c]
        p1 = (V[ST_E] + TRANS_P[ST_E][ST_B]) + em
        p2 = (V[ST_S] + TRANS_P[ST_S][ST_B]) + em
        if p2 >= p1:
            W[ST_B] = p2
            bp[4 * t + ST_B] = ST_S
        else:
            W[ST_B] = p1
            bp[4 * t + ST_B] = ST_E
        # M <- M, B  (tie: M)
        em = EMIT_P[ST_M][c]
        p1 = (V[ST_M] + TRANS_P[ST_M][ST_M]) + em
        p2 = (V[ST_B] + TRANS_P[ST_B][ST_M]) + em
        if p2 > p1:
            W[ST_M] = p2
            bp[4 * t + ST_M] = ST_B
        else:
            W[ST_M] = p1
            bp[4 * t + ST_M] = ST_M
        # E <- B, M  (tie: M)
        em = EMIT_P[ST_E][c]
        p1 = (V[ST_B] + TRANS_P[ST_B][ST_E]) + em
        p2 = (V[ST_M] + TRANS_P[ST_M][ST_E]) + em
        if p2 >= p1:
            W[ST_E] = p2
            bp[4 * t + ST_E] = ST_M
        else:
            W[ST_E] = p1
            bp[4 * t + ST_E] = ST_B
        # S <- S, E  (tie: S)
        em = EMIT_P[ST_S][c]
        p1 = (V[ST_S] + TRANS_P[ST_S][ST_S]) + em
        p2 = (V[ST_E] + TRANS_P[ST_E][ST_S]) + em
        if p2 > p1:
            W[ST_S] = p2
            bp[4 * t + ST_S] = ST_E
        else:
            W[ST_S] = p1
            bp[4 * t + ST_S] = ST_S
        V[0] = W[0]
        V[1] = W[1]
        V[2] = W[2]
        V[3] = W[3]
    # max over 'ES' (tie: S)
    st = ST_S if V[ST_S] >= V[ST_E] else ST_E
    t = L - 1
    while True:
        pos[t] = st
        if t == 0:
            break
        st = bp[4 * t + st]
        t -= 1
    begin = 0
    nexti = 0
    for i in range(L):
        st = pos[i]
        if st == ST_B:
            begin = i
        elif st == ST_E:
            if emit_hmm_word(ctx, s + begin, s + i + 1) != 0:
                return -1
            nexti = i + 1
        elif st == ST_S:
            if emit_hmm_word(ctx, s + i, s + i + 1) != 0:
                return -1
            nexti = i + 1
    if nexti < L:
        if emit_hmm_word(ctx, s + nexti, e) != 0:
            return -1
    return 0


cdef int skip_split(JBCtx* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """finalseg: re_skip.split(blk), non-empty pieces, for text[s:e].

    The pieces here come from jieba's re_han_default blocks, so they are ASCII
    and finalseg's \\d (any Unicode digit) can only meet ASCII digits."""
    cdef const Py_UCS4* text = ctx.text
    cdef Py_ssize_t r = s, g = s, m
    while r < e:
        if is_eng(text[r]):
            m = r + 1
            while m < e and is_eng(text[m]):
                m += 1
            if m + 1 < e and text[m] == 46 and is_ascii_digit(text[m + 1]):   # '.'
                m += 2
                while m < e and is_ascii_digit(text[m]):
                    m += 1
            if m < e and text[m] == 37:    # '%'
                m += 1
            if g < r and emit(ctx, g, r, -1, JB_SPAN) != 0:
                return -1
            if emit(ctx, r, m, -1, JB_SPAN) != 0:
                return -1
            r = m
            g = m
        else:
            r += 1
    if g < e:
        return emit(ctx, g, e, -1, JB_SPAN)
    return 0


cdef int finalseg_cut(JBCtx* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """finalseg.cut(text[s:e])."""
    cdef const Py_UCS4* text = ctx.text
    cdef Py_ssize_t r = s, q
    while r < e:
        q = r
        if is_han(text[r]):
            while q < e and is_han(text[q]):
                q += 1
            if viterbi_cut(ctx, r, q) != 0:
                return -1
        else:
            while q < e and not is_han(text[q]):
                q += 1
            if skip_split(ctx, r, q) != 0:
                return -1
        r = q
    return 0


cdef int flush_buf(JBCtx* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """The `buf` of __cut_DAG: text[s:e], absolute indices."""
    cdef int32_t r
    cdef Py_ssize_t i
    if e - s == 1:
        return emit_char(ctx, s)
    r = jb_zfind(ctx.fz, ctx.text + s, e - s)
    if r < 0 or not (ctx.fz.recs[r].cpf & JB_WORD):      # not FREQ.get(buf)
        return finalseg_cut(ctx, s, e)
    for i in range(s, e):
        if emit_char(ctx, i) != 0:
            return -1
    return 0


cdef int cut_dag(JBCtx* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    """__cut_DAG (HMM) over text[b:b+N]."""
    cdef Py_ssize_t x = 0, y, bs = -1
    if calc(ctx, b, N) != 0:
        return -1
    while x < N:
        y = ctx.rx[x] + 1
        if y - x == 1:
            if bs < 0:
                bs = x
        else:
            if bs >= 0:
                if flush_buf(ctx, b + bs, b + x) != 0:
                    return -1
                bs = -1
            if emit(ctx, b + x, b + y, rec_node(ctx.fz, ctx.rnode[x]), JB_SPAN) != 0:
                return -1
        x = y
    if bs >= 0:
        return flush_buf(ctx, b + bs, b + N)
    return 0


cdef int cut_dag_no_hmm(JBCtx* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    """__cut_DAG_NO_HMM over text[b:b+N]."""
    cdef Py_ssize_t x = 0, y, bs = -1
    if calc(ctx, b, N) != 0:
        return -1
    while x < N:
        y = ctx.rx[x] + 1
        if y - x == 1 and is_eng(ctx.text[b + x]):
            if bs < 0:
                bs = x
        else:
            if bs >= 0:
                if emit(ctx, b + bs, b + x, -1, JB_SPAN) != 0:
                    return -1
                bs = -1
            if emit(ctx, b + x, b + y, rec_node(ctx.fz, ctx.rnode[x]), JB_SPAN) != 0:
                return -1
        x = y
    if bs >= 0:
        return emit(ctx, b + bs, b + N, -1, JB_SPAN)
    return 0


cdef int reserve_dag(JBCtx* ctx, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t cap
    if n <= ctx.capdag:
        return 0
    cap = n if n > 2 * ctx.capdag else 2 * ctx.capdag
    if cap < 64:
        cap = 64
    if grow(<void**>&ctx.dag, cap * sizeof(Py_ssize_t)) or grow(<void**>&ctx.dagnode, cap * sizeof(int32_t)):
        ctx.err = JB_ERR_NOMEM
        return -1
    ctx.capdag = cap
    return 0


cdef int aux_append(JBCtx* ctx, const Py_UCS4* src, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t cap
    if ctx.naux + n > ctx.capaux:
        cap = 2 * ctx.capaux if 2 * ctx.capaux > ctx.naux + n else ctx.naux + n + 64
        if grow(<void**>&ctx.aux, cap * sizeof(Py_UCS4)):
            ctx.err = JB_ERR_NOMEM
            return -1
        ctx.capaux = cap
    memcpy(ctx.aux + ctx.naux, src, n * sizeof(Py_UCS4))
    ctx.naux += n
    return 0


cdef int cut_all_block(JBCtx* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    """__cut_all over text[b:b+N]; the Latin run it glues may skip characters,
    so it is built in ctx.aux."""
    cdef const JBFrozen* fz = ctx.fz
    cdef const JBRec* rec
    cdef const Py_UCS4* text = ctx.text + b
    cdef Py_ssize_t k, i, j, nL, old_j = -1, eng_start = 0
    cdef bint eng_scan = False
    cdef int32_t r
    for k in range(N):
        # DAG[k]
        nL = 0
        i = k
        r = fz_child(fz, 0, text[k])
        while r >= 0:
            rec = &fz.recs[r]
            if not (rec.cpf & JB_PRESENT):
                break
            if rec.cpf & JB_WORD:
                if nL == ctx.capdag and reserve_dag(ctx, nL + 1) != 0:
                    return -1
                ctx.dag[nL] = i
                ctx.dagnode[nL] = fz.node[r]
                nL += 1
            i += 1
            if i >= N:
                break
            r = fz_child_of(fz, r, text[i])
        if nL == 0:
            if ctx.capdag == 0 and reserve_dag(ctx, 1) != 0:
                return -1
            ctx.dag[0] = k
            r = fz_child(fz, 0, text[k])
            ctx.dagnode[0] = rec_node(fz, r)
            nL = 1
        if eng_scan and not is_eng(text[k]):
            eng_scan = False
            if emit(ctx, eng_start, ctx.naux, -1, JB_AUX) != 0:
                return -1
        if nL == 1 and k > old_j:
            j = ctx.dag[0]
            if is_eng(text[k]):
                if not eng_scan:
                    eng_scan = True
                    eng_start = ctx.naux
                if aux_append(ctx, text + k, j + 1 - k) != 0:
                    return -1
            if not eng_scan:
                if emit(ctx, b + k, b + j + 1, ctx.dagnode[0], JB_SPAN) != 0:
                    return -1
            old_j = j
        else:
            for i in range(nL):
                j = ctx.dag[i]
                if j > k:
                    if emit(ctx, b + k, b + j + 1, ctx.dagnode[i], JB_SPAN) != 0:
                        return -1
                    old_j = j
    if eng_scan:
        return emit(ctx, eng_start, ctx.naux, -1, JB_AUX)
    return 0


cdef int text_piece(JBCtx* ctx, Py_ssize_t s, Py_ssize_t e, bint cut_all) noexcept nogil:
    """A piece of re_skip_default.split() that is not whitespace."""
    cdef Py_ssize_t i
    if cut_all:
        return emit(ctx, s, e, -1, JB_SPAN)    # even when empty, as jieba yields it
    for i in range(s, e):
        if emit_char(ctx, i) != 0:
            return -1
    return 0


cdef int skip_block(JBCtx* ctx, Py_ssize_t s, Py_ssize_t e, bint cut_all) noexcept nogil:
    """A block that does not match re_han_default: re_skip_default.split()."""
    cdef const Py_UCS4* text = ctx.text
    cdef Py_ssize_t p = s, q = s, sl
    cdef Py_UCS4 c
    while q < e:
        c = text[q]
        if Py_UNICODE_ISSPACE(c):
            sl = 2 if (c == 13 and q + 1 < e and text[q + 1] == 10) else 1
            if text_piece(ctx, p, q, cut_all) != 0:
                return -1
            if emit(ctx, q, q + sl, -1, JB_SPACE) != 0:
                return -1
            q += sl
            p = q
        else:
            q += 1
    return text_piece(ctx, p, e, cut_all)


cdef int search_grams(JBCtx* ctx, Py_ssize_t first) noexcept nogil:
    """cut_for_search: rewrite toks[first:] adding the 2- and 3-grams with a
    non-zero frequency before each word."""
    cdef Py_ssize_t n = ctx.ntok - first, k, i, L
    cdef JBTok* words = <JBTok*>malloc((n if n > 0 else 1) * sizeof(JBTok))
    cdef JBTok w
    cdef int32_t r
    if words == NULL:
        ctx.err = JB_ERR_NOMEM
        return -1
    memcpy(words, ctx.toks + first, n * sizeof(JBTok))
    ctx.ntok = first
    for k in range(n):
        w = words[k]
        L = w.end - w.start
        if L > 2:
            for i in range(w.start, w.end - 1):
                r = jb_zfind(ctx.fz, ctx.text + i, 2)
                if r >= 0 and ctx.fz.recs[r].cpf & JB_WORD:
                    if emit(ctx, i, i + 2, ctx.fz.node[r], JB_SPAN) != 0:
                        free(words)
                        return -1
        if L > 3:
            for i in range(w.start, w.end - 2):
                r = jb_zfind(ctx.fz, ctx.text + i, 3)
                if r >= 0 and ctx.fz.recs[r].cpf & JB_WORD:
                    if emit(ctx, i, i + 3, ctx.fz.node[r], JB_SPAN) != 0:
                        free(words)
                        return -1
        if emit(ctx, w.start, w.end, w.node, w.kind) != 0:
            free(words)
            return -1
    free(words)
    return 0


cdef int jb_cut(JBCtx* ctx, bint cut_all, bint hmm, bint search) noexcept nogil:
    cdef const Py_UCS4* text = ctx.text
    cdef Py_ssize_t n = ctx.n, i = 0, j, first = ctx.ntok
    cdef int r
    if search:
        cut_all = False
    while i < n:
        j = i
        if is_han_default(text[i]):
            while j < n and is_han_default(text[j]):
                j += 1
            if cut_all:
                r = cut_all_block(ctx, i, j - i)
            elif hmm:
                r = cut_dag(ctx, i, j - i)
            else:
                r = cut_dag_no_hmm(ctx, i, j - i)
        else:
            while j < n and not is_han_default(text[j]):
                j += 1
            r = skip_block(ctx, i, j, cut_all)
        if r != 0:
            return ctx.err
        i = j
    if search:
        search_grams(ctx, first)
    return ctx.err



# ---------------------------------------------------------------- dictionary file
cdef inline bint is_bspace(unsigned char c) noexcept nogil:
    # bytes.strip()'s ASCII whitespace
    return c == 32 or (9 <= c <= 13)


cdef Py_ssize_t utf8_decode_strict(const unsigned char* s, Py_ssize_t n, Py_UCS4* out) noexcept nogil:
    """Code points of s (as bytes.decode('utf-8') gives them), or -1 where
    that decode would fail."""
    cdef Py_ssize_t i = 0, k = 0
    cdef unsigned char b0, b1
    cdef uint32_t c
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
            c = ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F)
            out[k] = c
            i += 4
        else:
            return -1
        k += 1
    return k


cdef int parse_dict(JBTrie* t, const unsigned char* data, Py_ssize_t size, int64_t* total) noexcept nogil:
    """jieba's gen_pfdict for files of plain lines `word freq [tag]` (freq:
    1 to 18 ASCII digits): 0 ok, 1 a line needs Python's own parse (t is
    then partly filled), -1 out of memory."""
    cdef Py_ssize_t pos = 0, a, b, e, w, i, nw
    cdef int64_t f
    cdef int32_t node
    cdef Py_UCS4* word = NULL
    cdef Py_ssize_t capword = 0
    cdef void* p
    total[0] = 0
    while pos < size:
        e = pos
        while e < size and data[e] != 10:
            e += 1
        a = pos
        b = e
        pos = e + 1
        while a < b and is_bspace(data[a]):
            a += 1
        while b > a and is_bspace(data[b - 1]):
            b -= 1
        # word: up to the first space; freq: up to the next space or the end
        w = a
        while w < b and data[w] != 32:
            w += 1
        if w == a or w == b:
            free(word)
            return 1
        i = w + 1
        f = 0
        while i < b and data[i] != 32:
            if not (48 <= data[i] <= 57) or i - (w + 1) >= 18:
                free(word)
                return 1
            f = f * 10 + (data[i] - 48)
            i += 1
        if i == w + 1:
            free(word)
            return 1
        if w - a > capword:
            capword = 2 * (w - a)
            p = realloc(word, capword * sizeof(Py_UCS4))
            if p == NULL:
                free(word)
                return -1
            word = <Py_UCS4*>p
        nw = utf8_decode_strict(data + a, w - a, word)
        if nw < 0:
            free(word)
            return 1
        # lfreq[word] = freq, then its prefixes not yet in lfreq get 0
        node = trie_path(t, word, nw, True)
        if node < 0:
            free(word)
            return -1
        t.freq[node] = f
        total[0] += f
        if total[0] > (<int64_t>1 << 62):
            free(word)
            return 1
    free(word)
    return 0

# ---------------------------------------------------------------- Python side
cdef Py_UCS4* to_ucs4(str s, Py_ssize_t* n) except? NULL:
    """A malloc'ed copy of s's code points (free() it); n gets the length."""
    cdef Py_ssize_t L = PyUnicode_GET_LENGTH(s)
    cdef Py_UCS4* buf = <Py_UCS4*>malloc((L + 1) * sizeof(Py_UCS4))
    if buf == NULL:
        raise MemoryError()
    if L:
        try:
            PyUnicode_AsUCS4(s, buf, L + 1, 0)
        except BaseException:
            free(buf)
            raise
    n[0] = L
    return buf


cdef object raise_ctx_error(int err):
    if err == JB_ERR_NOMEM:
        raise MemoryError("fastcount: out of memory while segmenting")
    if err == JB_ERR_DOMAIN:
        # jieba's calc raises this very error (log of a total or a
        # frequency that is not positive)
        raise ValueError("math domain error (the dictionary's total, or the "
                         "frequency of a word in this text, is not positive)")


cdef list toks_to_list(JBCtx* ctx, str s):
    cdef list out = PyList_New(ctx.ntok)
    cdef Py_ssize_t k
    cdef JBTok* t
    cdef object w
    for k in range(ctx.ntok):
        t = &ctx.toks[k]
        if t.kind == JB_AUX:
            w = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, ctx.aux + t.start, t.end - t.start)
        else:
            w = PyUnicode_Substring(s, t.start, t.end)
        Py_INCREF(w)
        PyList_SET_ITEM(out, k, w)
    return out


cdef int64_t as_freq(object freq, object word) except? -1:
    if type(freq) is not int:
        if isinstance(freq, int):
            freq = int(freq)
        else:
            raise TypeError(f"frequency of {word!r} must be an int, not {type(freq).__name__}")
    if not (-(1 << 63) < freq < (1 << 63)):
        raise OverflowError(f"frequency of {word!r} is out of the 64-bit range: {freq}")
    return freq


cdef class Dictionary:
    """jieba's prefix dictionary (``FREQ`` and ``total``) in C, with the
    segmentation that runs over it.

    Low-level: ``fastcount.Tokenizer`` (in ``fastcount.segment``) is the
    public face. Methods mirror what jieba does to ``FREQ``.
    """

    def __cinit__(self):
        if trie_init(&self.trie, True) != 0 or trie_init(&self.fsw, False) != 0:
            trie_free(&self.trie)
            trie_free(&self.fsw)
            raise MemoryError()
        memset(&self.fz, 0, sizeof(JBFrozen))
        self.fz_stale = True
        self._can_raise_version = -1
        jb_ctx_init(&self._ctx, &self.fz, NULL, 0.0)
        self._tbuf = <Py_UCS4*>malloc((SHORT_TEXT + 1) * sizeof(Py_UCS4))
        if self._tbuf == NULL:
            raise MemoryError()
        self._total = 0
        self.logtotal = NAN
        self._fsw_set = None
        self._fsw_len = -1

    def __dealloc__(self):
        trie_free(&self.trie)
        trie_free(&self.fsw)
        frozen_free(&self.fz)
        jb_ctx_free(&self._ctx)
        free(self._tbuf)

    cdef int _freeze(self) except -1:
        """Build the frozen trie if it is not (the words cannot change while
        a segmentation runs, see _check_writable, so never under one). The
        master trie's edge table is then dropped: only changes need it, and
        they rebuild it."""
        cdef int r
        if not self.fz_stale:
            return 0
        r = frozen_build(&self.trie, &self.fz)
        if r == -1:
            raise MemoryError()
        if r != 0:
            raise ValueError("the dictionary data is not a trie (two nodes for one string)")
        trie_drop_edges(&self.trie)
        self.fz_stale = False
        return 0

    cdef int _check_writable(self) except -1:
        if self._readers:
            raise RuntimeError("fastcount: the dictionary cannot change while "
                               "another thread is segmenting with it")
        return 0

    cdef int _sync_force_split(self) except -1:
        """Mirror jieba.finalseg.Force_Split_Words (a global that jieba's
        del_word and add_word(w, 0) grow) when it has changed."""
        cdef Py_ssize_t n
        cdef Py_UCS4* buf
        cdef int32_t node
        words = _finalseg.Force_Split_Words
        if words is self._fsw_set and len(words) == self._fsw_len:
            return 0
        trie_free(&self.fsw)
        if trie_init(&self.fsw, False) != 0:
            raise MemoryError()
        for w in words:
            if type(w) is not str:
                continue
            buf = to_ucs4(w, &n)
            node = trie_path(&self.fsw, buf, n, False)
            free(buf)
            if node < 0:
                raise MemoryError()
            self.fsw.freq[node] = 1
        self._fsw_set = words
        self._fsw_len = len(words)
        return 0

    @property
    def total(self):
        """jieba's ``total``: the sum of the frequencies added."""
        return self._total

    @total.setter
    def total(self, value):
        self._check_writable()
        if not isinstance(value, int):
            raise TypeError(f"total must be an int, not {type(value).__name__}")
        self._total = value
        try:
            self.logtotal = math.log(value)
        except ValueError:
            self.logtotal = NAN      # jieba's calc raises; so does ours, when it is used
        self.version += 1

    def load_dict_file_data(self, const unsigned char[::1] data):
        """Parse the bytes of a jieba dictionary file as jieba's gen_pfdict
        does, into an empty Dictionary (total included), and return True;
        return False, leaving it empty, when a line is not the plain
        ``word freq [tag]`` this parser takes (the caller then runs jieba's
        own parse, which gives the same result or jieba's error)."""
        cdef int64_t total = 0
        cdef int r
        if self.trie.n != 1:
            raise ValueError("load_dict_file_data() needs an empty dictionary")
        self._check_writable()
        self.version += 1
        self.fz_stale = True
        with nogil:
            r = parse_dict(&self.trie, &data[0] if data.shape[0] else NULL, data.shape[0], &total)
        if r != 0:
            trie_free(&self.trie)
            if trie_init(&self.trie, True) != 0 or r < 0:
                raise MemoryError()
            return False
        self.total = total
        return True

    def load_freq(self, dict freq not None):
        """Set ``FREQ[word] = f`` for every item of a jieba ``FREQ`` dict
        (prefixes must be in it too, as jieba keeps them)."""
        cdef Py_ssize_t n
        cdef Py_UCS4* buf
        cdef int32_t node
        cdef int64_t f
        self._check_writable()
        self.version += 1
        self.fz_stale = True
        for word, value in freq.items():
            if type(word) is not str:
                raise TypeError(f"dictionary word must be a str, not {type(word).__name__}: {word!r}")
            f = as_freq(value, word)
            buf = to_ucs4(word, &n)
            node = trie_path(&self.trie, buf, n, False)
            free(buf)
            if node < 0:
                raise MemoryError()
            self.trie.freq[node] = f

    def add_word(self, str word not None, freq):
        """jieba's ``add_word`` on FREQ/total: ``FREQ[word] = freq``,
        ``total += freq``, prefixes not in FREQ enter it with 0."""
        cdef Py_ssize_t n
        cdef Py_UCS4* buf
        cdef int32_t node
        cdef int64_t f = as_freq(freq, word)
        cdef int32_t r = 0, m = 0
        cdef Py_ssize_t i
        self._check_writable()
        new_total = self._total + f
        buf = to_ucs4(word, &n)
        try:
            node = trie_path(&self.trie, buf, n, True)
            if node < 0:
                raise MemoryError()
            self.trie.freq[node] = f
            if not self.fz_stale:
                # bring the frozen trie along, node by node of the word
                fz_set_freq(&self.fz, 0, self.trie.freq[0])
                for i in range(n):
                    m = trie_child(&self.trie, m, buf[i])
                    r = fz_add_child(&self.fz, r, buf[i], m)
                    if r < 0:
                        self.fz_stale = True
                        raise MemoryError()
                    fz_set_freq(&self.fz, r, self.trie.freq[m])
        finally:
            free(buf)
        self.total = new_total

    def get(self, str word not None, default=None):
        """``FREQ.get(word, default)``."""
        cdef Py_ssize_t n
        cdef Py_UCS4* buf
        cdef int32_t r
        self._freeze()
        buf = to_ucs4(word, &n)
        r = jb_zfind(&self.fz, buf, n)
        free(buf)
        if r < 0 or not (self.fz.recs[r].cpf & JB_PRESENT):
            return default
        return self.trie.freq[self.fz.node[r]]

    def __contains__(self, word):
        return type(word) is str and self.get(word) is not None

    def _logf(self, str word not None):
        """The stored log(frequency) of a word (for tests), or None."""
        cdef Py_ssize_t n
        cdef Py_UCS4* buf
        cdef int32_t r
        self._freeze()
        buf = to_ucs4(word, &n)
        r = jb_zfind(&self.fz, buf, n)
        free(buf)
        if r < 0 or not (self.fz.recs[r].cpf & JB_PRESENT):
            return None
        return self.fz.recs[r].logf

    def __len__(self):
        """Number of entries in FREQ (words and prefixes)."""
        cdef Py_ssize_t k, c = 0
        for k in range(self.trie.n):
            if self.trie.freq[k] != ABSENT:
                c += 1
        return c

    def can_raise(self):
        """True when a segmentation (other than full mode) may raise
        ValueError as jieba's calc would: a total or a word frequency that
        is not positive."""
        cdef Py_ssize_t k
        # a scan of every node (~0.3 ms for jieba's dictionary): once per version, not per feed
        if self._can_raise_version != self.version:
            self._can_raise = self.logtotal != self.logtotal
            k = 0
            while not self._can_raise and k < self.trie.n:
                self._can_raise = self.trie.freq[k] < 0 and self.trie.freq[k] != ABSENT
                k += 1
            self._can_raise_version = self.version
        return self._can_raise

    @property
    def n_nodes(self):
        """Trie nodes: ids ``0 .. n_nodes - 1`` (node 0 is the empty string)."""
        return self.trie.n

    @property
    def nbytes(self):
        """Bytes of memory the dictionary holds."""
        cdef Py_ssize_t b = self.trie.cap * 16
        if self.trie.edges != NULL:
            b += (self.trie.mask + 1) * sizeof(JBEdge)
        if self.trie.root != NULL:
            b += ROOT_SPAN * sizeof(int32_t)
        if self.fz.recs != NULL:
            b += (self.fz.cap * (sizeof(JBRec) + sizeof(int32_t)) + ROOT_SPAN * sizeof(int32_t)
                  + (self.fz.bigmask + 1) * sizeof(JBEdge))
        return b

    def node_word(self, Py_ssize_t node):
        """The string of a trie node."""
        if not 0 <= node < self.trie.n:
            raise IndexError(f"no trie node {node}")
        cdef Py_ssize_t n = jb_node_chars(&self.trie, <int32_t>node, NULL, 0)
        cdef Py_UCS4* buf = <Py_UCS4*>malloc((n + 1) * sizeof(Py_UCS4))
        if buf == NULL:
            raise MemoryError()
        jb_node_chars(&self.trie, <int32_t>node, buf, n)
        try:
            return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n)
        finally:
            free(buf)

    def cut(self, str sentence not None, bint cut_all=False, bint HMM=True, bint search=False):
        """The tokens of jieba's ``cut`` (or ``cut_for_search`` when search)
        as a list."""
        cdef JBCtx local
        cdef JBCtx* ctx
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(sentence)
        cdef int err
        cdef bint short = n <= SHORT_TEXT and not self._ctx_busy
        self._sync_force_split()
        self._freeze()
        if short:
            # short texts keep the GIL and reuse one set of buffers (a
            # call re-entered from a finalizer takes the other branch)
            ctx = &self._ctx
            self._ctx_busy = True
            ctx.ntok = 0
            ctx.naux = 0
            ctx.err = 0
            ctx.fz = &self.fz
            PyUnicode_AsUCS4(sentence, self._tbuf, SHORT_TEXT + 1, 0)
            ctx.text = self._tbuf
        else:
            ctx = &local
            jb_ctx_init(ctx, &self.fz, NULL, 0.0)
            ctx.text = to_ucs4(sentence, &n)
        ctx.n = n
        ctx.fsw = &self.fsw if self._fsw_len > 0 else NULL
        ctx.logtotal = self.logtotal
        self._readers += 1
        try:
            if short:
                err = jb_cut(ctx, cut_all, HMM, search)
            else:
                with nogil:
                    err = jb_cut(ctx, cut_all, HMM, search)
            if err:
                raise_ctx_error(err)
            return toks_to_list(ctx, sentence)
        finally:
            self._readers -= 1
            if short:
                self._ctx_busy = False
                if ctx.captok > 4096 or ctx.caproute > 4096:
                    jb_ctx_free(ctx)      # do not keep a rare big batch's memory
            else:
                free(<void*>ctx.text)
                jb_ctx_free(ctx)

    def dumps(self):
        """The trie as bytes (for a cache file); ``total`` is not included."""
        cdef Py_ssize_t n = self.trie.n
        cdef bytearray out = bytearray(16 + n * 16)
        cdef unsigned char* p = out
        memcpy(p, b"FCJB0001", 8)
        memcpy(p + 8, &self.trie.n, 4)
        memcpy(p + 16, self.trie.parent, n * 4)
        memcpy(p + 16 + n * 4, self.trie.ch, n * 4)
        memcpy(p + 16 + n * 8, self.trie.freq, n * 8)
        return bytes(out)

    def loads(self, const unsigned char[::1] data):
        """Fill an empty dictionary from ``dumps()`` output; ValueError when
        the data is not such output."""
        cdef int32_t n, k
        cdef Py_ssize_t size = data.shape[0]
        cdef const unsigned char* p
        if self.trie.n != 1:
            raise ValueError("loads() needs an empty dictionary")
        self._check_writable()
        if size < 16 or bytes(data[:8]) != b"FCJB0001":
            raise ValueError("not a fastcount dictionary cache")
        memcpy(&n, &data[8], 4)
        if n < 1 or size != 16 + <Py_ssize_t>n * 16:
            raise ValueError("truncated fastcount dictionary cache")
        p = &data[0]
        self.version += 1
        self.fz_stale = True
        while self.trie.cap < n:
            if trie_grow_nodes(&self.trie) != 0:
                raise MemoryError()
        # the arrays go straight in; the edges are built only when needed
        memcpy(self.trie.parent, p + 16, n * 4)
        memcpy(self.trie.ch, p + 16 + n * 4, n * 4)
        memcpy(self.trie.freq, p + 16 + n * 8, n * 8)
        self.trie.n = n
        trie_drop_edges(&self.trie)
        try:
            if self.trie.parent[0] != -1:
                raise ValueError("corrupt fastcount dictionary cache (root)")
            for k in range(1, n):
                if not 0 <= self.trie.parent[k] < k or not 0 <= self.trie.ch[k] < 0x110000:
                    raise ValueError(f"corrupt fastcount dictionary cache (node {k})")
            self._freeze()
        except BaseException:
            # back to an empty dictionary
            trie_free(&self.trie)
            frozen_free(&self.fz)
            self.fz_stale = True
            if trie_init(&self.trie, True) != 0:
                raise MemoryError()
            raise
