# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""HashCounter: exact counts of signed 64-bit integer keys.

One flat array of 16-byte (key, count) cells; open addressing with linear
probing; power-of-two capacity; the murmur3 64-bit finalizer as the hash,
so sequential or strided keys spread out; backward-shift deletion (no
tombstones); the table doubles in place at 3/4 load.

A cell stores its key with the sign bit flipped, so all-zero memory is an
empty table (calloc hands it out lazily) and the one key whose flipped
form is 0, INT64_MIN, is kept out of line. Presence is tracked apart from
the count: a key may be present with a count of 0 or below.

Batches are validated and converted before anything is applied; an error
met while applying (out of memory, a count leaving int64) undoes the part
already applied, so a failed call leaves the counter as it was.

A batch of +1s whose keys span a small range (dense ids, as a Vocab hands
out) is first counted into a temporary array indexed by key - min, one
pass without hashing; only its distinct keys then go through the table.
"""
from cpython.buffer cimport (PyBUF_FORMAT, PyBUF_STRIDES, PyBuffer_Release,
                             PyObject_CheckBuffer, PyObject_GetBuffer)
from cpython.object cimport PyObject_LengthHint
from libc.stdint cimport (int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t,
                          uint32_t, uint64_t, INT64_MAX, INT64_MIN)
from libc.string cimport memcpy, memset

# The native layer's allocator (the system's: calloc stays lazy, realloc
# remaps), usable without the GIL and visible to tracemalloc.
from fastcount._native cimport (fc_add_overflows, fc_advise_huge, fc_alloc, fc_calloc, fc_free,
                                fc_grow, fc_prefetch_write, fc_realloc)

import operator
import sys
from collections.abc import Mapping

ctypedef fused ikey_t:
    int8_t
    int16_t
    int32_t
    int64_t
    uint8_t
    uint16_t
    uint32_t
    uint64_t

cdef enum:
    MIN_CAPACITY = 8
    # batches shorter than this keep the GIL: releasing it costs more than the work
    NOGIL_MIN = 2048
    # the add loop hashes and prefetches this many items ahead (a power of two)
    AHEAD = 16
    # tables from this many cells (32 MiB) on ask for huge pages
    HUGE_MIN_CELLS = 1 << 21
    # dense counting: the temporary array has at most this many cells (64 MiB
    # of uint32) and at most one cell per DENSE_KEYS_PER_CELL keys of the batch,
    # so its scan and the table updates of its nonzero cells cost at most
    # about half a hashed pass
    DENSE_MAX_CELLS = 1 << 24
    DENSE_KEYS_PER_CELL = 2
    # batches shorter than this are hashed: the scratch costs more than it saves
    DENSE_MIN = 64
    # an iterable's length hint sizes its first buffer up to this many items
    HINT_MAX = 1 << 20
    # dense counting takes a batch in chunks of this many keys (L1-sized for int64)
    SPAN_CHUNK = 4096


# ---------------------------------------------------------------------------
# C level: the table. "tag" = key with the sign bit flipped, as stored.
# ---------------------------------------------------------------------------

cdef inline int64_t _tag(int64_t key) noexcept nogil:
    # an involution: also turns a tag back into its key
    return <int64_t>(<uint64_t>key ^ 0x8000000000000000ULL)


cdef inline uint64_t _mix(int64_t tag) noexcept nogil:
    # murmur3 fmix64: a bijection whose low bits depend on every key bit
    cdef uint64_t h = <uint64_t>tag
    h ^= h >> 33
    h *= 0xff51afd7ed558ccdULL
    h ^= h >> 33
    h *= 0xc4ceb9fe1a85ec53ULL
    h ^= h >> 33
    return h


cdef inline size_t _grow_threshold(size_t capacity) noexcept nogil:
    return capacity - capacity // 4


cdef int fc_table_init(FCTable* t, Py_ssize_t expected) noexcept nogil:
    cdef size_t cap = MIN_CAPACITY
    if expected < 0:
        expected = 0
    while _grow_threshold(cap) < <size_t>expected:
        if cap > (<size_t>-1) // (4 * sizeof(FCCell)):
            return -1
        cap *= 2
    t.cells = <FCCell*>fc_calloc(cap, sizeof(FCCell))
    if t.cells == NULL:
        return -1
    if cap >= HUGE_MIN_CELLS:
        fc_advise_huge(t.cells, cap * sizeof(FCCell))
    t.mask = cap - 1
    t.used = 0
    t.grow_at = _grow_threshold(cap)
    t.has_spare = 0
    t.spare_count = 0
    return 0


cdef void fc_table_free(FCTable* t) noexcept nogil:
    fc_free(t.cells)
    t.cells = NULL
    t.mask = 0
    t.used = 0
    t.grow_at = 0
    t.has_spare = 0
    t.spare_count = 0


cdef int _grow(FCTable* t) noexcept nogil:
    """Double the capacity in place: 0 ok, -1 out of memory (table untouched).

    realloc of a large block remaps pages instead of copying, so the peak is
    the new size, not old + new. Elements then move to their new homes
    inside the array; a bitmap marks the lower-half cells whose content is
    final ("done"). An element goes to the first cell on its probe path that
    is empty or holds a not-yet-moved element, which it displaces and which
    is carried on; every cell it passed holds a final element, so each
    element ends up reachable from its home.
    """
    cdef size_t old_cap = t.mask + 1
    cdef size_t new_cap = old_cap * 2
    cdef size_t mask = new_cap - 1
    cdef size_t i, h
    cdef FCCell e, tmp
    cdef FCCell* cells
    cdef uint64_t* done
    if old_cap > (<size_t>-1) // (2 * sizeof(FCCell)):
        return -1
    done = <uint64_t*>fc_calloc(old_cap // 64 + 1, sizeof(uint64_t))
    if done == NULL:
        return -1
    cells = <FCCell*>fc_realloc(t.cells, new_cap, sizeof(FCCell))
    if cells == NULL:
        fc_free(done)
        return -1
    memset(cells + old_cap, 0, old_cap * sizeof(FCCell))
    if new_cap >= HUGE_MIN_CELLS:
        fc_advise_huge(cells, new_cap * sizeof(FCCell))
    t.cells = cells
    t.mask = mask
    t.grow_at = _grow_threshold(new_cap)
    for i in range(old_cap):
        if cells[i].key == 0 or (done[i >> 6] >> (i & 63)) & 1:
            continue
        e = cells[i]
        cells[i].key = 0
        cells[i].count = 0
        while True:
            h = _mix(e.key) & mask
            while cells[h].key != 0 and (h >= old_cap or (done[h >> 6] >> (h & 63)) & 1):
                h = (h + 1) & mask
            if cells[h].key == 0:
                cells[h] = e
                if h < old_cap:
                    done[h >> 6] |= (<uint64_t>1) << (h & 63)
                break
            tmp = cells[h]
            cells[h] = e
            done[h >> 6] |= (<uint64_t>1) << (h & 63)
            e = tmp
    fc_free(done)
    return 0


cdef inline FCCell* _find(const FCTable* t, int64_t tag) noexcept nogil:
    # tag != 0
    cdef size_t mask = t.mask
    cdef size_t h = _mix(tag) & mask
    cdef FCCell* cells = t.cells
    while True:
        if cells[h].key == tag:
            return &cells[h]
        if cells[h].key == 0:
            return NULL
        h = (h + 1) & mask


cdef int _bump_spare(FCTable* t, int64_t n) noexcept nogil:
    # the out-of-line key INT64_MIN; same codes as _bump
    cdef int64_t r
    if t.has_spare:
        if fc_add_overflows(t.spare_count, n, &r):
            return -2
        t.spare_count = r
        return 0
    t.has_spare = 1
    t.spare_count = n
    return 1


cdef int _insert(FCTable* t, int64_t tag, uint64_t hash, int64_t n) noexcept nogil:
    """Insert an absent tag (!= 0) with count n: 1, or -1 out of memory."""
    cdef size_t mask, h
    if t.used >= t.grow_at:
        if _grow(t) < 0:
            return -1
    mask = t.mask
    h = hash & mask
    while t.cells[h].key != 0:
        h = (h + 1) & mask
    t.cells[h].key = tag
    t.cells[h].count = n
    t.used += 1
    return 1


cdef inline int _bump(FCTable* t, int64_t tag, int64_t n) noexcept nogil:
    """count[tag] += n: 0 added to a present key, 1 inserted, -1 out of
    memory, -2 overflow (table unchanged on -1/-2)."""
    cdef FCCell* c
    cdef int64_t r
    if tag == 0:
        return _bump_spare(t, n)
    c = _find(t, tag)
    if c == NULL:
        return _insert(t, tag, _mix(tag), n)
    if fc_add_overflows(c.count, n, &r):
        return -2
    c.count = r
    return 0


cdef void _delete_cell(FCTable* t, size_t i) noexcept nogil:
    # backward shift: pull later members of the cluster into the hole
    # unless their home lies cyclically in (hole, their position]
    cdef size_t mask = t.mask
    cdef FCCell* cells = t.cells
    cdef size_t j = i
    cdef size_t k
    while True:
        j = (j + 1) & mask
        if cells[j].key == 0:
            break
        k = _mix(cells[j].key) & mask
        if i <= j:
            if i < k <= j:
                continue
        elif i < k or k <= j:
            continue
        cells[i] = cells[j]
        i = j
    cells[i].key = 0
    cells[i].count = 0
    t.used -= 1


cdef int _del_tag(FCTable* t, int64_t tag) noexcept nogil:
    cdef FCCell* c
    if tag == 0:
        if not t.has_spare:
            return 0
        t.has_spare = 0
        t.spare_count = 0
        return 1
    c = _find(t, tag)
    if c == NULL:
        return 0
    _delete_cell(t, <size_t>(c - t.cells))
    return 1


cdef int64_t* _count_ptr(FCTable* t, int64_t tag) noexcept nogil:
    cdef FCCell* c
    if tag == 0:
        return &t.spare_count if t.has_spare else NULL
    c = _find(t, tag)
    return &c.count if c != NULL else NULL


cdef int fc_table_add(FCTable* t, int64_t key, int64_t n) noexcept nogil:
    cdef int r = _bump(t, _tag(key), n)
    return r if r < 0 else 0


cdef int64_t fc_table_get(const FCTable* t, int64_t key) noexcept nogil:
    cdef int64_t tag = _tag(key)
    cdef FCCell* c
    if tag == 0:
        return t.spare_count if t.has_spare else 0
    c = _find(t, tag)
    return c.count if c != NULL else 0


cdef int64_t* fc_table_find(FCTable* t, int64_t key) noexcept nogil:
    return _count_ptr(t, _tag(key))


cdef int fc_table_set(FCTable* t, int64_t key, int64_t n) noexcept nogil:
    cdef int64_t tag = _tag(key)
    cdef int64_t* p = _count_ptr(t, tag)
    if p == NULL:
        if _bump(t, tag, 0) < 0:
            return -1
        p = _count_ptr(t, tag)
    p[0] = n
    return 0


cdef int fc_table_del(FCTable* t, int64_t key) noexcept nogil:
    return _del_tag(t, _tag(key))


cdef Py_ssize_t fc_table_len(const FCTable* t) noexcept nogil:
    return <Py_ssize_t>(t.used + (1 if t.has_spare else 0))


cdef int fc_table_reserve(FCTable* t, Py_ssize_t n) noexcept nogil:
    cdef size_t cap = t.mask + 1
    # refuse an impossible size before growing at all
    while _grow_threshold(cap) < <size_t>max(n, 0):
        if cap > (<size_t>-1) // (4 * sizeof(FCCell)):
            return -1
        cap *= 2
    while t.mask + 1 < cap:
        if _grow(t) < 0:
            return -1
    return 0


cdef int fc_table_copy(FCTable* dst, const FCTable* src) noexcept nogil:
    cdef size_t cap = src.mask + 1
    dst.cells = <FCCell*>fc_alloc(cap, sizeof(FCCell))
    if dst.cells == NULL:
        return -1
    memcpy(dst.cells, src.cells, cap * sizeof(FCCell))
    if cap >= HUGE_MIN_CELLS:
        fc_advise_huge(dst.cells, cap * sizeof(FCCell))
    dst.mask = src.mask
    dst.used = src.used
    dst.grow_at = src.grow_at
    dst.has_spare = src.has_spare
    dst.spare_count = src.spare_count
    return 0


cdef bint fc_table_next(const FCTable* t, Py_ssize_t* pos, int64_t* key, int64_t* count) noexcept nogil:
    # pos 0: the out-of-line key; pos p > 0: cells from index p - 1 on
    cdef size_t i
    cdef size_t cap = t.mask + 1
    if pos[0] == 0:
        pos[0] = 1
        if t.has_spare:
            key[0] = INT64_MIN
            count[0] = t.spare_count
            return 1
    i = <size_t>(pos[0] - 1)
    while i < cap:
        if t.cells[i].key != 0:
            key[0] = _tag(t.cells[i].key)
            count[0] = t.cells[i].count
            pos[0] = <Py_ssize_t>(i + 2)
            return 1
        i += 1
    pos[0] = <Py_ssize_t>(cap + 1)
    return 0


cdef Py_ssize_t fc_table_export(const FCTable* t, int64_t* keys, int64_t* counts) noexcept nogil:
    cdef Py_ssize_t n = 0
    cdef size_t i
    if t.has_spare:
        keys[0] = INT64_MIN
        counts[0] = t.spare_count
        n = 1
    for i in range(t.mask + 1):
        if t.cells[i].key != 0:
            keys[n] = _tag(t.cells[i].key)
            counts[n] = t.cells[i].count
            n += 1
    return n


# ---------------------------------------------------------------------------
# C level: batches with undo
# ---------------------------------------------------------------------------

cdef inline int64_t _key_at(const char* data, Py_ssize_t stride, Py_ssize_t i, ikey_t* kind) noexcept nogil:
    # `kind` only picks the element type (fused dispatch); it is never read
    return <int64_t>(<const ikey_t*>(data + i * stride))[0]


cdef void _unbump(FCTable* t, int64_t tag, int64_t n, bint inserted) noexcept nogil:
    # exact inverse of a _bump(t, tag, n) that succeeded (so cannot overflow)
    cdef int64_t* p = _count_ptr(t, tag)
    p[0] = <int64_t>(<uint64_t>p[0] - <uint64_t>n)
    if inserted:
        _del_tag(t, tag)


cdef void _undo(FCTable* t, const char* keys, Py_ssize_t kstride, ikey_t* kind,
                const char* counts, Py_ssize_t cstride, Py_ssize_t stop,
                const uint8_t* newbits) noexcept nogil:
    """Revert items stop-1 .. 0 of a batch, newest first, so each key goes
    back through exactly the states it had; a key inserted by the batch is
    removed when its inserting item is reverted."""
    cdef Py_ssize_t j = stop - 1
    cdef int64_t c = 1
    while j >= 0:
        if counts != NULL:
            c = (<const int64_t*>(counts + j * cstride))[0]
        _unbump(t, _tag(_key_at(keys, kstride, j, kind)), c, (newbits[j >> 3] >> (j & 7)) & 1)
        j -= 1


cdef inline int _step(FCTable* t, FCCell** cells, size_t* mask, int64_t tag, uint64_t h,
                      int64_t c) noexcept nogil:
    """One item of a batch (same codes as _bump); *cells/*mask are the
    caller's register copies of t's, refreshed after an insertion."""
    cdef size_t j
    cdef int64_t sum
    cdef int r
    cdef FCCell* cell
    if tag == 0:
        return _bump_spare(t, c)
    j = h & mask[0]
    while True:
        cell = &cells[0][j]
        if cell.key == tag:
            if fc_add_overflows(cell.count, c, &sum):
                return -2
            cell.count = sum
            return 0
        if cell.key == 0:
            r = _insert(t, tag, h, c)
            cells[0] = t.cells
            mask[0] = t.mask
            return r
        j = (j + 1) & mask[0]


cdef inline int _run_impl(FCTable* t, const char* keys, Py_ssize_t kstride, ikey_t* kind,
                          const char* counts, Py_ssize_t cstride, Py_ssize_t n,
                          uint8_t* newbits, Py_ssize_t* where, bint weighted) noexcept nogil:
    cdef uint64_t ring[AHEAD]
    cdef uint64_t h
    cdef Py_ssize_t i
    cdef int r
    cdef int64_t c = 1
    cdef FCCell* cells = t.cells
    cdef size_t mask = t.mask
    cdef Py_ssize_t steady = n - AHEAD if n > AHEAD else 0
    for i in range(min(n, <Py_ssize_t>AHEAD)):
        ring[i] = _mix(_tag(_key_at(keys, kstride, i, kind)))
    for i in range(n):
        h = ring[i & (AHEAD - 1)]
        if i < steady:
            ring[i & (AHEAD - 1)] = _mix(_tag(_key_at(keys, kstride, i + AHEAD, kind)))
            fc_prefetch_write(&cells[ring[i & (AHEAD - 1)] & mask])
        if weighted:
            c = (<const int64_t*>(counts + i * cstride))[0]
        r = _step(t, &cells, &mask, _tag(_key_at(keys, kstride, i, kind)), h, c)
        if r != 0:
            if r > 0:
                newbits[i >> 3] |= <uint8_t>(1 << (i & 7))
            else:
                where[0] = i
                _undo(t, keys, kstride, kind, counts, cstride, i, newbits)
                return r
    return 0


cdef int _run(FCTable* t, const char* keys, Py_ssize_t kstride, ikey_t* kind,
              const char* counts, Py_ssize_t cstride, Py_ssize_t n,
              uint8_t* newbits, Py_ssize_t* where) noexcept nogil:
    """Add counts[i] (1 when counts is NULL) to keys[i] for i < n: 0 ok, or
    the first failure's code (-1/-2) with *where = its index, undone.

    Hashes are computed AHEAD items early and their cells prefetched, so
    the cache misses of a table beyond L1 overlap instead of queueing.
    """
    if counts == NULL:
        return _run_impl(t, keys, kstride, kind, counts, cstride, n, newbits, where, 0)
    return _run_impl(t, keys, kstride, kind, counts, cstride, n, newbits, where, 1)


cdef Py_ssize_t _dense_limit(Py_ssize_t n) noexcept nogil:
    """The most cells a dense count array may have for a batch of n unit
    counts (0: hash the batch); its keys must span max - min < the limit."""
    if n < DENSE_MIN or <uint64_t>n > <uint64_t>0xFFFFFFFF:  # uint32 cells cannot overflow
        return 0
    return min(<Py_ssize_t>DENSE_MAX_CELLS, n // DENSE_KEYS_PER_CELL)


cdef uint32_t* _dense_count(const char* keys, Py_ssize_t kstride, ikey_t* kind, Py_ssize_t n,
                            uint64_t* lo, Py_ssize_t* cells) noexcept nogil:
    """keys[0:n] counted into a new array indexed by tag - *lo, of *cells
    cells; NULL when the span is too wide for _dense_limit or memory is short.

    One pass, chunk by chunk: a chunk's min and max are found while it is in
    cache, then it is counted; a chunk outside the array widens it, to at
    least twice its size, so widening costs O(final size). A batch of
    spread-out keys gives up after its first chunk.
    """
    cdef Py_ssize_t limit = _dense_limit(n), start = 0, stop, i
    cdef uint64_t k, mn, mx, new_lo, new_hi, want, room
    cdef uint64_t wlo = 0, size = 0
    cdef uint32_t* dense = NULL
    cdef uint32_t* grown
    if limit == 0:
        return NULL
    while start < n:
        stop = min(start + <Py_ssize_t>SPAN_CHUNK, n)
        # tags order like the keys, and their differences cannot overflow
        mn = mx = <uint64_t>_tag(_key_at(keys, kstride, start, kind))
        for i in range(start + 1, stop):
            k = <uint64_t>_tag(_key_at(keys, kstride, i, kind))
            mn = k if k < mn else mn
            mx = k if k > mx else mx
        if mn < wlo or mx - wlo >= size:
            new_lo = mn if dense == NULL or mn < wlo else wlo
            new_hi = mx if dense == NULL or mx > wlo + size - 1 else wlo + size - 1
            if new_hi - new_lo >= <uint64_t>limit:
                fc_free(dense)
                return NULL
            want = min(max(new_hi - new_lo + 1, 2 * size), <uint64_t>limit)
            room = want - (new_hi - new_lo + 1)
            if dense != NULL and mn < wlo:
                new_lo -= min(room, new_lo)
            else:
                new_hi += min(room, <uint64_t>-1 - new_hi)
            grown = <uint32_t*>fc_calloc(<size_t>(new_hi - new_lo + 1), sizeof(uint32_t))
            if grown == NULL:
                fc_free(dense)
                return NULL
            if dense != NULL:
                memcpy(grown + (wlo - new_lo), dense, <size_t>size * sizeof(uint32_t))
                fc_free(dense)
            dense = grown
            wlo = new_lo
            size = new_hi - new_lo + 1
        for i in range(start, stop):
            dense[<uint64_t>_tag(_key_at(keys, kstride, i, kind)) - wlo] += 1
        start = stop
    lo[0] = wlo
    cells[0] = <Py_ssize_t>size
    return dense


cdef int _dense_run(FCTable* t, const char* keys, Py_ssize_t kstride, ikey_t* kind,
                    Py_ssize_t n, uint8_t* newbits) noexcept nogil:
    """Add 1 to keys[i] for i < n by dense counting: 0 done, 1 not done (the
    span is too wide, scratch memory is short, or the table refused: the
    table is unchanged and newbits zero; the caller hashes the batch, which
    also finds the exact failing position).

    The table receives each distinct key once with its total; with +1s a
    running count leaves int64 exactly when the total does, so this fails
    exactly when the hashed batch would.
    """
    cdef uint64_t lo
    cdef Py_ssize_t cells, i, j, d = 0, where = -1
    cdef uint32_t* dense = _dense_count(keys, kstride, kind, n, &lo, &cells)
    cdef int64_t* pairs
    cdef int r
    if dense == NULL:
        return 1
    for j in range(cells):
        d += dense[j] != 0
    pairs = <int64_t*>fc_alloc(<size_t>(2 * d), sizeof(int64_t))
    if pairs == NULL:
        fc_free(dense)
        return 1
    i = 0
    for j in range(cells):
        if dense[j] != 0:
            pairs[i] = _tag(<int64_t>(lo + <uint64_t>j))
            pairs[d + i] = dense[j]
            i += 1
    fc_free(dense)
    if fc_table_len(t) == 0:
        # an empty table ends at this capacity anyway: size it once instead of
        # doubling it on the way (on failure _run meets the shortage itself)
        fc_table_reserve(t, d)
    r = _run(t, <const char*>pairs, sizeof(int64_t), <int64_t*>NULL,
             <const char*>(pairs + d), sizeof(int64_t), d, newbits, &where)
    fc_free(pairs)
    if r != 0:
        memset(newbits, 0, <size_t>(d // 8 + 1))
        return 1
    return 0


cdef int _add_run(FCTable* t, const char* keys, Py_ssize_t kstride, ikey_t* kind,
                  const char* counts, Py_ssize_t cstride, Py_ssize_t n,
                  uint8_t* newbits, Py_ssize_t* where) noexcept nogil:
    """_run, counting densely first when the batch allows it. newbits must
    hold n bits (the dense path needs fewer)."""
    if counts == NULL and _dense_run(t, keys, kstride, kind, n, newbits) == 0:
        return 0
    return _run(t, keys, kstride, kind, counts, cstride, n, newbits, where)


cdef void _widen(const char* src, Py_ssize_t stride, Py_ssize_t n, ikey_t* kind, int64_t* dst) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        dst[i] = _key_at(src, stride, i, kind)


cdef inline bint _merge_item(const FCTable* o, Py_ssize_t i, int64_t* tag, int64_t* c) noexcept nogil:
    # item 0 of a merge is o's out-of-line key, item i + 1 its cell i
    if i == 0:
        tag[0] = 0
        c[0] = o.spare_count
        return o.has_spare
    tag[0] = o.cells[i - 1].key
    c[0] = o.cells[i - 1].count
    return tag[0] != 0


cdef int _merge_run(FCTable* t, const FCTable* o, uint8_t* newbits, Py_ssize_t* where) noexcept nogil:
    """Add every count of o into t (o is not t): 0 ok, or the failure code
    with *where = the failing item and the merge undone."""
    cdef Py_ssize_t i, j, n = <Py_ssize_t>(o.mask + 2)
    cdef int r
    cdef int64_t tag, c
    for i in range(n):
        if not _merge_item(o, i, &tag, &c):
            continue
        r = _bump(t, tag, c)
        if r > 0:
            newbits[i >> 3] |= <uint8_t>(1 << (i & 7))
        elif r < 0:
            where[0] = i
            j = i - 1
            while j >= 0:
                if _merge_item(o, j, &tag, &c):
                    _unbump(t, tag, c, (newbits[j >> 3] >> (j & 7)) & 1)
                j -= 1
            return r
    return 0


cdef bint _tables_equal(const FCTable* a, const FCTable* b) noexcept nogil:
    cdef size_t i
    cdef FCCell* c
    if fc_table_len(a) != fc_table_len(b) or a.has_spare != b.has_spare:
        return 0
    if a.has_spare and a.spare_count != b.spare_count:
        return 0
    for i in range(a.mask + 1):
        if a.cells[i].key != 0:
            c = _find(b, a.cells[i].key)
            if c == NULL or c.count != a.cells[i].count:
                return 0
    return 1


cdef void _total(const FCTable* t, uint64_t* lo, int64_t* hi) noexcept nogil:
    # 128-bit two's-complement sum, so no total can overflow
    cdef size_t i
    cdef uint64_t s = 0, v
    cdef int64_t h = 0
    if t.has_spare:
        s = <uint64_t>t.spare_count
        h = -1 if t.spare_count < 0 else 0
    for i in range(t.mask + 1):
        if t.cells[i].key != 0:
            v = <uint64_t>t.cells[i].count
            s += v
            if s < v:
                h += 1
            if t.cells[i].count < 0:
                h -= 1
    lo[0] = s
    hi[0] = h


# ---------------------------------------------------------------------------
# Python level: turning arguments into validated integer sequences
# ---------------------------------------------------------------------------

cdef enum Kind:
    K_I8, K_I16, K_I32, K_I64, K_U8, K_U16, K_U32, K_U64

cdef object _np_module = None

cdef object _np():
    # numpy is a runtime dependency, imported only by the methods that
    # return or rebuild arrays, so `import fastcount` stays light
    global _np_module
    if _np_module is None:
        import numpy
        _np_module = numpy
    return _np_module


cdef str _type_name(object x):
    return type(x).__name__


cdef int64_t _scalar(object x, str what) except? -1:
    """A single integer argument, or TypeError/OverflowError naming `what`."""
    if isinstance(x, bool):
        raise TypeError(f"{what}: expected an integer, got bool")
    try:
        v = operator.index(x)
    except TypeError:
        raise TypeError(f"{what}: expected an integer, got {_type_name(x)}") from None
    try:
        return v
    except OverflowError:
        raise OverflowError(f"{what}: {v} is outside the signed 64-bit range") from None


cdef int64_t _item(object x, str name, Py_ssize_t i) except? -1:
    """Element i of an iterable of integers, with errors naming name[i]."""
    if type(x) is int:
        try:
            return x
        except OverflowError:
            raise OverflowError(f"{name}[{i}]: {x} is outside the signed 64-bit range") from None
    if isinstance(x, bool):
        raise TypeError(f"{name}[{i}]: expected an integer, got bool")
    try:
        v = operator.index(x)
    except TypeError:
        raise TypeError(f"{name}[{i}]: expected an integer, got {_type_name(x)}") from None
    try:
        return v
    except OverflowError:
        raise OverflowError(f"{name}[{i}]: {v} is outside the signed 64-bit range") from None


_FLOAT_CODES = {"e": "float", "f": "float", "d": "float", "g": "float",
                "?": "bool", "c": "char"}


cdef class _Ints:
    """A validated 1-D run of integers: a borrowed buffer (any integer type)
    or an owned int64 copy of an iterable. Releases what it holds."""
    cdef Py_buffer view
    cdef bint has_view
    cdef int64_t* temp
    cdef const char* data
    cdef Py_ssize_t stride
    cdef Py_ssize_t n
    cdef Kind kind

    def __dealloc__(self):
        if self.has_view:
            PyBuffer_Release(&self.view)
        fc_free(self.temp)

    cdef object get(self, Py_ssize_t i):
        cdef const char* p = self.data + i * self.stride
        if self.kind == K_I8: return (<const int8_t*>p)[0]
        if self.kind == K_I16: return (<const int16_t*>p)[0]
        if self.kind == K_I32: return (<const int32_t*>p)[0]
        if self.kind == K_I64: return (<const int64_t*>p)[0]
        if self.kind == K_U8: return (<const uint8_t*>p)[0]
        if self.kind == K_U16: return (<const uint16_t*>p)[0]
        if self.kind == K_U32: return (<const uint32_t*>p)[0]
        return (<const uint64_t*>p)[0]

    cdef int to_int64(self) except -1:
        """Make the data a native int64 run (a copy unless it is one)."""
        cdef int64_t* dst
        if self.kind == K_I64:
            return 0
        dst = <int64_t*>fc_alloc(max(self.n, 1), sizeof(int64_t))
        if dst == NULL:
            raise MemoryError()
        with nogil:
            if self.kind == K_I8: _widen(self.data, self.stride, self.n, <int8_t*>NULL, dst)
            elif self.kind == K_I16: _widen(self.data, self.stride, self.n, <int16_t*>NULL, dst)
            elif self.kind == K_I32: _widen(self.data, self.stride, self.n, <int32_t*>NULL, dst)
            elif self.kind == K_U8: _widen(self.data, self.stride, self.n, <uint8_t*>NULL, dst)
            elif self.kind == K_U16: _widen(self.data, self.stride, self.n, <uint16_t*>NULL, dst)
            elif self.kind == K_U32: _widen(self.data, self.stride, self.n, <uint32_t*>NULL, dst)
            else: _widen(self.data, self.stride, self.n, <uint64_t*>NULL, dst)
        fc_free(self.temp)
        self.temp = dst
        self.data = <const char*>dst
        self.stride = sizeof(int64_t)
        self.kind = K_I64
        return 0


cdef Py_ssize_t _first_above_int64(const char* data, Py_ssize_t stride, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if (<const uint64_t*>(data + i * stride))[0] > <uint64_t>INT64_MAX:
            return i
    return -1


cdef _Ints _ints(object obj, str name):
    """Validate `obj` (an integer buffer or an iterable of integers) as the
    batch argument `name`; errors name the offending position."""
    cdef _Ints r = _Ints.__new__(_Ints)
    cdef Py_ssize_t bad
    if PyObject_CheckBuffer(obj):
        PyObject_GetBuffer(obj, &r.view, PyBUF_STRIDES | PyBUF_FORMAT)
        r.has_view = True
        if r.view.ndim != 1:
            raise ValueError(f"{name}: expected a one-dimensional buffer, got {r.view.ndim} dimensions")
        fmt = (r.view.format if r.view.format != NULL else b"B").decode("ascii", "replace")
        order = fmt[0] if fmt[:1] in ("@", "=", "<", ">", "!") else "@"
        code = fmt[1:] if fmt[:1] in ("@", "=", "<", ">", "!") else fmt
        if code == "O":
            # an object array: check its elements one by one
            PyBuffer_Release(&r.view)
            r.has_view = False
            return _ints_from_iterable(r, obj, name)
        if len(code) != 1 or code not in "bhilqnBHILQN" or r.view.itemsize not in (1, 2, 4, 8):
            what = _FLOAT_CODES.get(code)
            what = f"{what} (buffer format {fmt!r})" if what else f"buffer format {fmt!r}"
            if r.view.shape[0] == 0:
                raise TypeError(f"{name}: expected an integer buffer, got {what}")
            raise TypeError(f"{name}[0]: expected an integer, got {what}")
        if (order in (">", "!") and sys.byteorder == "little") or (order == "<" and sys.byteorder == "big"):
            # foreign byte order (rare): let numpy swap it into a native copy
            np = _np()
            arr = np.asarray(obj)
            return _ints(arr.astype(arr.dtype.newbyteorder("=")), name)
        signed = code.islower()
        r.kind = {1: K_I8, 2: K_I16, 4: K_I32, 8: K_I64}[r.view.itemsize] if signed else \
                 {1: K_U8, 2: K_U16, 4: K_U32, 8: K_U64}[r.view.itemsize]
        r.data = <const char*>r.view.buf
        r.n = r.view.shape[0]
        r.stride = r.view.strides[0]
        if r.kind == K_U64:
            with nogil:
                bad = _first_above_int64(r.data, r.stride, r.n)
            if bad >= 0:
                raise OverflowError(f"{name}[{bad}]: {r.get(bad)} is outside the signed 64-bit range")
        return r
    try:
        iter(obj)
    except TypeError:
        raise TypeError(f"{name}: expected an integer buffer or an iterable of integers, "
                        f"got {_type_name(obj)}") from None
    return _ints_from_iterable(r, obj, name)


cdef _Ints _ints_from_iterable(_Ints r, object obj, str name):
    # The length hint only sizes the first allocation, and only up to
    # HINT_MAX items: an object may lie about its length (or be range(2**62)).
    cdef Py_ssize_t i = 0, cap = 0
    cdef Py_ssize_t first = min(max(PyObject_LengthHint(obj, 16), 16), <Py_ssize_t>HINT_MAX)
    if fc_grow(<void**>&r.temp, &cap, first, sizeof(int64_t), 0) < 0:
        raise MemoryError(f"{name}: out of memory")
    for x in obj:
        if i == cap and fc_grow(<void**>&r.temp, &cap, i + 1, sizeof(int64_t), 0) < 0:
            raise MemoryError(f"{name}: out of memory at item {i}")
        r.temp[i] = _item(x, name, i)
        i += 1
    r.data = <const char*>r.temp
    r.stride = sizeof(int64_t)
    r.n = i
    r.kind = K_I64
    return r


cdef class HashCounter


cdef bint _is_single(object x):
    """True when `x` is one key (an int or a 0-d integer-like) rather than a batch."""
    if isinstance(x, int):
        return True
    if PyObject_CheckBuffer(x):
        return memoryview(x).ndim == 0
    try:
        iter(x)
    except TypeError:
        return hasattr(type(x), "__index__")
    return False


cdef object _lookup(object key):
    """The int64 value of a lookup key, None when no such key can be present
    (out of the int64 range); TypeError when it is no integer."""
    if isinstance(key, bool):
        raise TypeError("HashCounter keys are integers, got bool")
    try:
        v = operator.index(key)
    except TypeError:
        raise TypeError(f"HashCounter keys are integers, got {_type_name(key)}") from None
    if INT64_MIN <= v <= INT64_MAX:
        return v
    return None


cdef int _idle(HashCounter h) except -1:
    if h._busy:
        raise RuntimeError("HashCounter is in use by another thread")
    return 0


cdef int _dispatch(FCTable* t, _Ints keys, const char* cdata, Py_ssize_t cstride,
                   uint8_t* newbits, Py_ssize_t* where) noexcept nogil:
    # one specialisation of the hot loop per key type, so no copy is needed
    cdef const char* kd = keys.data
    cdef Py_ssize_t ks = keys.stride, n = keys.n
    if keys.kind == K_I64:
        return _add_run(t, kd, ks, <int64_t*>NULL, cdata, cstride, n, newbits, where)
    if keys.kind == K_I32:
        return _add_run(t, kd, ks, <int32_t*>NULL, cdata, cstride, n, newbits, where)
    if keys.kind == K_U32:
        return _add_run(t, kd, ks, <uint32_t*>NULL, cdata, cstride, n, newbits, where)
    if keys.kind == K_U64:
        return _add_run(t, kd, ks, <uint64_t*>NULL, cdata, cstride, n, newbits, where)
    if keys.kind == K_I16:
        return _add_run(t, kd, ks, <int16_t*>NULL, cdata, cstride, n, newbits, where)
    if keys.kind == K_U16:
        return _add_run(t, kd, ks, <uint16_t*>NULL, cdata, cstride, n, newbits, where)
    if keys.kind == K_I8:
        return _add_run(t, kd, ks, <int8_t*>NULL, cdata, cstride, n, newbits, where)
    return _add_run(t, kd, ks, <uint8_t*>NULL, cdata, cstride, n, newbits, where)


cdef _add_batch(HashCounter self, _Ints keys, _Ints counts):
    cdef const char* cdata = NULL
    cdef Py_ssize_t cstride = 0, where = -1, n = keys.n
    cdef uint8_t* newbits
    cdef int r = 0
    if counts is not None:
        if counts.n != n:
            raise ValueError(f"keys and counts differ in length ({n} and {counts.n})")
        counts.to_int64()
        cdata = counts.data
        cstride = counts.stride
    if n == 0:
        return
    newbits = <uint8_t*>fc_calloc(<size_t>(n // 8 + 1), 1)
    if newbits == NULL:
        raise MemoryError()
    self._busy = True
    try:
        if n >= NOGIL_MIN:
            with nogil:
                r = _dispatch(&self.table, keys, cdata, cstride, newbits, &where)
        else:
            r = _dispatch(&self.table, keys, cdata, cstride, newbits, &where)
    finally:
        self._busy = False
        fc_free(newbits)
    if r == -1:
        raise MemoryError(f"out of memory at keys[{where}]; the counter is unchanged")
    if r == -2:
        k = keys.get(where)
        c = 1 if counts is None else counts.get(where)
        raise OverflowError(f"keys[{where}]: count of key {k} plus {c} is outside the signed "
                            f"64-bit range; the counter is unchanged")


def _rebuild(keys, counts):
    """Unpickle a HashCounter from its key and count arrays."""
    cdef HashCounter h = HashCounter()
    if fc_table_reserve(&h.table, len(keys)) < 0:
        raise MemoryError()
    h.add(keys, counts)
    return h


cdef class HashCounter:
    """Exact counts of signed 64-bit integer keys (a Counter for int ids).

    ``HashCounter(keys=None, counts=None)`` starts empty, or with
    ``add(keys, counts)``. A missing key counts 0. A key may be present
    with a count of 0 or below (``h[k] = 0`` keeps ``k`` present). Counts
    are int64; an addition that would leave that range raises
    OverflowError and changes nothing.

    ``most_common`` orders by count, descending; equal counts by key,
    ascending. Iteration (``iter``, ``keys``, ``values``, ``items``,
    ``to_arrays``) follows the table and is otherwise unspecified.
    """

    def __cinit__(self, *args, **kwargs):
        if fc_table_init(&self.table, 0) < 0:
            raise MemoryError()

    def __init__(self, keys=None, counts=None):
        if keys is not None:
            self.add(keys, counts)
        elif counts is not None:
            raise TypeError("counts given without keys")

    def __dealloc__(self):
        fc_table_free(&self.table)

    # -- updating ----------------------------------------------------------

    def add(self, keys, counts=None):
        """Add counts to keys.

        ``add(key)`` / ``add(key, n)``: one integer key, +1 or +n.
        ``add(keys)`` / ``add(keys, counts)``: a 1-D buffer of any integer
        type (numpy int8..uint64, array.array, memoryview, bytes) or an
        iterable of ints, each occurrence +1 or +counts[i] for the parallel
        ``counts`` (same forms, same length). A mapping of key -> count or
        another HashCounter is added whole.

        The whole batch is validated first; an error names the offending
        position (``keys[17]: expected an integer, got float``) and leaves
        the counter unchanged, also for OverflowError (a count leaving
        int64) and MemoryError.
        """
        cdef int64_t k, n, cur
        cdef int r
        _idle(self)
        if _is_single(keys):
            k = _scalar(keys, "key")
            n = 1 if counts is None else _scalar(counts, "n")
            cur = fc_table_get(&self.table, k)
            r = _bump(&self.table, _tag(k), n)
            if r == -1:
                raise MemoryError("out of memory adding a key; the counter is unchanged")
            if r == -2:
                raise OverflowError(f"key {k}: count {cur} + {n} is outside the signed 64-bit range; "
                                    f"the counter is unchanged")
            return
        if counts is None:
            if isinstance(keys, HashCounter):
                self.merge(keys)
                return
            if isinstance(keys, Mapping):
                counts = list(keys.values())
                keys = list(keys.keys())
        _add_batch(self, _ints(keys, "keys"), None if counts is None else _ints(counts, "counts"))

    def merge(self, other):
        """Add every count of ``other`` (a HashCounter) to this one.

        Keys present in ``other`` become present here, even with count 0.
        On OverflowError or MemoryError nothing is changed.
        """
        cdef HashCounter o
        cdef Py_ssize_t where = -1
        cdef uint8_t* newbits
        cdef int r
        _idle(self)
        if not isinstance(other, HashCounter):
            raise TypeError(f"merge: expected a HashCounter, got {_type_name(other)}")
        o = <HashCounter>other
        _idle(o)
        if o is self:
            o = self.copy()
        newbits = <uint8_t*>fc_calloc((o.table.mask + 2) // 8 + 1, 1)
        if newbits == NULL:
            raise MemoryError()
        self._busy = True
        o._busy = True
        try:
            with nogil:
                r = _merge_run(&self.table, &o.table, newbits, &where)
        finally:
            self._busy = False
            o._busy = False
            fc_free(newbits)
        if r == -1:
            raise MemoryError("out of memory during merge; the counter is unchanged")
        if r == -2:
            k = INT64_MIN if where == 0 else _tag(o.table.cells[where - 1].key)
            raise OverflowError(f"merge: count of key {k} would leave the signed 64-bit range; "
                                f"the counter is unchanged")

    def reserve(self, Py_ssize_t n):
        """Grow the table now so that ``n`` keys in all fit without resizing."""
        _idle(self)
        if fc_table_reserve(&self.table, n) < 0:
            raise MemoryError(f"out of memory reserving room for {n} keys")

    def clear(self):
        """Remove every key and release the table's memory."""
        cdef FCTable fresh
        _idle(self)
        if fc_table_init(&fresh, 0) < 0:
            raise MemoryError()
        fc_table_free(&self.table)
        self.table = fresh

    def __setitem__(self, key, n):
        """``h[key] = n``: set the count (the key becomes present)."""
        cdef int64_t k, c
        _idle(self)
        k = _scalar(key, "key")
        c = _scalar(n, "count")
        if fc_table_set(&self.table, k, c) < 0:
            raise MemoryError("out of memory adding a key; the counter is unchanged")

    def __delitem__(self, key):
        """``del h[key]``: remove the key; like collections.Counter, no error when absent."""
        self.discard(key)

    def discard(self, key):
        """Remove ``key`` if present (no error when absent)."""
        _idle(self)
        v = _lookup(key)
        if v is not None:
            fc_table_del(&self.table, <int64_t>v)

    # -- reading -----------------------------------------------------------

    def __getitem__(self, key):
        """The count of ``key``; 0 when absent."""
        _idle(self)
        v = _lookup(key)
        if v is None:
            return 0
        return fc_table_get(&self.table, <int64_t>v)

    def get(self, key, default=None):
        """The count of ``key`` if present, else ``default``."""
        cdef int64_t* p
        _idle(self)
        v = _lookup(key)
        if v is None:
            return default
        p = fc_table_find(&self.table, <int64_t>v)
        return default if p == NULL else p[0]

    def __contains__(self, key):
        """Whether ``key`` is present (False for anything that is not an int64 integer)."""
        _idle(self)
        if isinstance(key, bool):
            return False
        try:
            v = _lookup(key)
        except TypeError:
            return False
        return v is not None and fc_table_find(&self.table, <int64_t>v) != NULL

    def __len__(self):
        """The number of present keys."""
        _idle(self)
        return fc_table_len(&self.table)

    def __iter__(self):
        """Iterate over the present keys (table order). Changing the set of
        keys while iterating raises RuntimeError."""
        cdef Py_ssize_t pos = 0, n
        cdef int64_t k, c
        cdef FCCell* cells
        _idle(self)
        cells = self.table.cells
        n = fc_table_len(&self.table)
        while True:
            if self._busy or self.table.cells != cells or fc_table_len(&self.table) != n:
                raise RuntimeError("HashCounter changed size during iteration")
            if not fc_table_next(&self.table, &pos, &k, &c):
                return
            yield k

    def total(self):
        """The sum of all counts (a Python int; it may exceed int64)."""
        cdef uint64_t lo
        cdef int64_t hi
        _idle(self)
        _total(&self.table, &lo, &hi)
        return (<object>hi << 64) + <object>lo

    def to_arrays(self):
        """``(keys, counts)``: two new int64 numpy arrays, in table order."""
        cdef int64_t[::1] kv, cv
        cdef Py_ssize_t n
        _idle(self)
        np = _np()
        n = fc_table_len(&self.table)
        keys = np.empty(n, dtype=np.int64)
        counts = np.empty(n, dtype=np.int64)
        if n:
            kv = keys
            cv = counts
            fc_table_export(&self.table, &kv[0], &cv[0])
        return keys, counts

    def keys(self):
        """A list of the present keys (table order)."""
        return self.to_arrays()[0].tolist()

    def values(self):
        """A list of the counts, in the order of ``keys()``."""
        return self.to_arrays()[1].tolist()

    def items(self):
        """A list of ``(key, count)`` pairs, in the order of ``keys()``."""
        keys, counts = self.to_arrays()
        return list(zip(keys.tolist(), counts.tolist()))

    def most_common(self, k=None):
        """The ``k`` largest counts as ``(key, count)`` pairs (all when ``k`` is None).

        Ordered by count, descending, then by key, ascending (collections.
        Counter breaks ties by insertion order instead). Uses partial
        selection, O(n + k log k), when ``k`` is smaller than ``len(self)``.
        """
        cdef Py_ssize_t n, m
        np = _np()
        keys, counts = self.to_arrays()
        n = keys.shape[0]
        # ~count (= -count - 1) orders like -count but cannot overflow
        inv = np.invert(counts)
        if k is None or _scalar(k, "k") >= n:
            order = np.lexsort((keys, inv))
        else:
            m = _scalar(k, "k")
            if m <= 0:
                return []
            threshold = inv[np.argpartition(inv, m - 1)[m - 1]]
            above = np.flatnonzero(inv < threshold)
            tied = np.flatnonzero(inv == threshold)
            m -= above.shape[0]
            if tied.shape[0] > m:
                tied = tied[np.argpartition(keys[tied], m - 1)[:m]]
            sel = np.concatenate((above, tied))
            order = sel[np.lexsort((keys[sel], inv[sel]))]
        return list(zip(keys[order].tolist(), counts[order].tolist()))

    # -- whole-object protocols ------------------------------------------

    def copy(self):
        """An independent copy."""
        cdef HashCounter h = HashCounter.__new__(HashCounter)
        cdef FCTable t
        _idle(self)
        if fc_table_copy(&t, &self.table) < 0:
            raise MemoryError()
        fc_table_free(&h.table)
        h.table = t
        return h

    def __copy__(self):
        """``copy.copy(h)``: the same as ``h.copy()``."""
        return self.copy()

    def __eq__(self, other):
        """Equal when both hold the same keys with the same counts (order-free)."""
        if not isinstance(other, HashCounter):
            return NotImplemented
        _idle(self)
        _idle(<HashCounter>other)
        return bool(_tables_equal(&self.table, &(<HashCounter>other).table))

    def __ne__(self, other):
        """The negation of ``==``."""
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None

    def __reduce__(self):
        """Pickle as two int64 arrays (keys, counts)."""
        return (_rebuild, self.to_arrays())

    def __repr__(self):
        """``HashCounter({key: count, ...})`` in most_common order, the first 20 keys."""
        n = len(self)
        shown = self.most_common(20 if n > 20 else None)
        body = ", ".join(f"{k}: {c}" for k, c in shown)
        if n > 20:
            body += f", ... ({n} keys)"
        return f"HashCounter({{{body}}})"

    @property
    def capacity(self):
        """Cells in the table (a power of two; it doubles at 3/4 load)."""
        return self.table.mask + 1

    @property
    def nbytes(self):
        """Bytes of memory held by the table (16 per cell)."""
        return (self.table.mask + 1) * sizeof(FCCell)

    def __sizeof__(self):
        """The object plus its table, in bytes."""
        return object.__sizeof__(self) + self.nbytes
