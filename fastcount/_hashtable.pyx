# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The hash table of HashCounter: signed 64-bit key -> int64 count, in C.

One flat array of 16-byte (key, count) cells; open addressing with linear
probing; power-of-two capacity; backward-shift deletion (no tombstones);
the table doubles in place at 3/4 load. The hash is the murmur3 64-bit
finalizer of the key mixed with the table's own random seed: sequential or
strided keys spread out, keys crafted to collide for one table do not
collide for the next, and keys taken in another table's order (a merge,
the arrays of to_arrays) land in unrelated places instead of clustering.
A copy shares its source's seed only until either of them grows.

A cell stores its key with the sign bit flipped, so all-zero memory is an
empty table (calloc hands it out lazily) and the one key whose flipped
form is 0, INT64_MIN, is kept out of line. Presence is tracked apart from
the count: a key may be present with a count of 0 or below.

Batches (fc_table_add_batch) apply an error met midway (out of memory, a
count leaving int64) by undoing the part already applied, so a failed
batch leaves the table as it was. A batch of +1s whose keys span a small
range (dense ids, as a Vocab hands out) is first counted into a temporary
array indexed by key - min, one pass without hashing; only its distinct
keys then go through the table.

The interface is declared in _hashtable.pxd (and re-exported by
_hashcounter.pxd).
"""
import secrets

from libc.stdint cimport (int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t,
                          uint32_t, uint64_t, INT64_MAX, INT64_MIN)
from libc.string cimport memcpy, memset

# The native layer's allocator (the system's: calloc stays lazy, realloc
# remaps), usable without the GIL and visible to tracemalloc.
from fastcount._native cimport (fc_add_overflows, fc_advise_huge, fc_alloc, fc_calloc, fc_free,
                                fc_prefetch_write, fc_realloc)

cdef extern from *:
    """
    #if defined(_MSC_VER)
    #include <intrin.h>
    #define fc_seed_counter_next(p) ((uint64_t)_InterlockedIncrement64((volatile __int64 *)(p)))
    #else
    #define fc_seed_counter_next(p) __atomic_add_fetch((p), 1, __ATOMIC_RELAXED)
    #endif
    """
    uint64_t fc_seed_counter_next(uint64_t* p) noexcept nogil

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
    # dense counting takes a batch in chunks of this many keys (L1-sized for int64)
    SPAN_CHUNK = 4096

# Every table draws its own seed: this process's random secret mixed with a
# count of the tables made so far (a bijection, so no two tables share one).
cdef uint64_t _process_seed = <uint64_t>secrets.randbits(64)
cdef uint64_t _tables_made = 0


# ---------------------------------------------------------------------------
# C level: the table. "tag" = key with the sign bit flipped, as stored.
# ---------------------------------------------------------------------------

cdef inline int64_t _tag(int64_t key) noexcept nogil:
    # an involution: also turns a tag back into its key
    return <int64_t>(<uint64_t>key ^ 0x8000000000000000ULL)


cdef inline uint64_t _fmix(uint64_t h) noexcept nogil:
    # murmur3 fmix64: a bijection whose low bits depend on every input bit
    h ^= h >> 33
    h *= 0xff51afd7ed558ccdULL
    h ^= h >> 33
    h *= 0xc4ceb9fe1a85ec53ULL
    h ^= h >> 33
    return h


cdef inline uint64_t _mix(uint64_t seed, int64_t tag) noexcept nogil:
    """The hash of a (stored) key in a table with this seed."""
    return _fmix(<uint64_t>tag ^ seed)


cdef uint64_t _new_seed() noexcept nogil:
    return _fmix(_process_seed + fc_seed_counter_next(&_tables_made) * 0x9E3779B97F4A7C15ULL)


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
    t.seed = _new_seed()
    t.shared_seed = 0
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
    if t.shared_seed:
        # a copy has this seed: from now on the two tables place keys apart
        # (the moves below work for any new placement)
        t.seed = _new_seed()
        t.shared_seed = 0
    for i in range(old_cap):
        if cells[i].key == 0 or (done[i >> 6] >> (i & 63)) & 1:
            continue
        e = cells[i]
        cells[i].key = 0
        cells[i].count = 0
        while True:
            h = _mix(t.seed, e.key) & mask
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
    cdef size_t h = _mix(t.seed, tag) & mask
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
        hash = _mix(t.seed, tag)   # the growth may have drawn a new seed
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
        return _insert(t, tag, _mix(t.seed, tag), n)
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
        k = _mix(t.seed, cells[j].key) & mask
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


cdef int fc_table_copy(FCTable* dst, FCTable* src) noexcept nogil:
    # Cell for cell: the copy keeps src's seed while both keep their size;
    # the first of them to grow draws a new one, so a table never takes keys
    # in the order of a larger table with its seed (which would cluster).
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
    dst.seed = src.seed
    dst.shared_seed = src.shared_seed = 1
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
    if p == NULL:
        # only when another thread rewrote the caller's key buffer midway
        return
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
    cdef Py_ssize_t i, j
    cdef int r
    cdef int64_t c = 1
    cdef FCCell* cells = t.cells
    cdef size_t mask = t.mask
    cdef uint64_t seed = t.seed
    cdef Py_ssize_t steady = n - AHEAD if n > AHEAD else 0
    for i in range(min(n, <Py_ssize_t>AHEAD)):
        ring[i] = _mix(seed, _tag(_key_at(keys, kstride, i, kind)))
    for i in range(n):
        h = ring[i & (AHEAD - 1)]
        if i < steady:
            ring[i & (AHEAD - 1)] = _mix(seed, _tag(_key_at(keys, kstride, i + AHEAD, kind)))
            fc_prefetch_write(&cells[ring[i & (AHEAD - 1)] & mask])
        if weighted:
            c = (<const int64_t*>(counts + i * cstride))[0]
        r = _step(t, &cells, &mask, _tag(_key_at(keys, kstride, i, kind)), h, c)
        if r != 0:
            if r > 0:
                newbits[i >> 3] |= <uint8_t>(1 << (i & 7))
                if t.seed != seed:
                    # the insertion grew a table that shared its seed with a
                    # copy, and the growth drew a new one: rehash the items ahead
                    seed = t.seed
                    for j in range(i + 1, min(i + AHEAD + 1, n)):
                        ring[j & (AHEAD - 1)] = _mix(seed, _tag(_key_at(keys, kstride, j, kind)))
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


cdef void _widen_as(const char* src, Py_ssize_t stride, Py_ssize_t n, ikey_t* kind, int64_t* dst) noexcept nogil:
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
    if fc_table_len(t) == 0:
        # an empty table ends at this size anyway: grown once, not by doubling
        fc_table_reserve(t, fc_table_len(o))
    for i in range(n):
        # o's keys land in random places of t (the seeds differ): prefetch ahead
        if i + AHEAD < n and o.cells[i + AHEAD - 1].key != 0:
            fc_prefetch_write(&t.cells[_mix(t.seed, o.cells[i + AHEAD - 1].key) & t.mask])
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


cdef bint fc_tables_equal(const FCTable* a, const FCTable* b) noexcept nogil:
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


cdef void fc_table_total(const FCTable* t, uint64_t* lo, int64_t* hi) noexcept nogil:
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
# The batch interface: one specialisation of the hot loop per key type, so
# no key array is copied.
# ---------------------------------------------------------------------------

cdef int fc_table_add_batch(FCTable* t, const char* keys, Py_ssize_t kstride, FCKeyKind kind,
                            const char* counts, Py_ssize_t cstride, Py_ssize_t n,
                            uint8_t* newbits, Py_ssize_t* where) noexcept nogil:
    return _by_kind(kind, t, keys, kstride, counts, cstride, n, newbits, where, NULL)


cdef void fc_widen(const char* src, Py_ssize_t stride, Py_ssize_t n, FCKeyKind kind,
                   int64_t* dst) noexcept nogil:
    _by_kind(kind, NULL, src, stride, NULL, 0, n, NULL, NULL, dst)


cdef int _by_kind(FCKeyKind kind, FCTable* t, const char* keys, Py_ssize_t kstride,
                  const char* counts, Py_ssize_t cstride, Py_ssize_t n, uint8_t* newbits,
                  Py_ssize_t* where, int64_t* widen_into) noexcept nogil:
    """The specialisation for the key type: widen the keys into widen_into
    when given, else add the batch."""
    if kind == FC_I64:
        return _kind_op(<int64_t*>NULL, t, keys, kstride, counts, cstride, n, newbits, where, widen_into)
    if kind == FC_I32:
        return _kind_op(<int32_t*>NULL, t, keys, kstride, counts, cstride, n, newbits, where, widen_into)
    if kind == FC_U32:
        return _kind_op(<uint32_t*>NULL, t, keys, kstride, counts, cstride, n, newbits, where, widen_into)
    if kind == FC_U64:
        return _kind_op(<uint64_t*>NULL, t, keys, kstride, counts, cstride, n, newbits, where, widen_into)
    if kind == FC_I16:
        return _kind_op(<int16_t*>NULL, t, keys, kstride, counts, cstride, n, newbits, where, widen_into)
    if kind == FC_U16:
        return _kind_op(<uint16_t*>NULL, t, keys, kstride, counts, cstride, n, newbits, where, widen_into)
    if kind == FC_I8:
        return _kind_op(<int8_t*>NULL, t, keys, kstride, counts, cstride, n, newbits, where, widen_into)
    return _kind_op(<uint8_t*>NULL, t, keys, kstride, counts, cstride, n, newbits, where, widen_into)


cdef inline int _kind_op(ikey_t* kind, FCTable* t, const char* keys, Py_ssize_t kstride,
                         const char* counts, Py_ssize_t cstride, Py_ssize_t n, uint8_t* newbits,
                         Py_ssize_t* where, int64_t* widen_into) noexcept nogil:
    if widen_into != NULL:
        _widen_as(keys, kstride, n, kind, widen_into)
        return 0
    return _add_run(t, keys, kstride, kind, counts, cstride, n, newbits, where)


cdef int fc_table_merge(FCTable* t, const FCTable* o, uint8_t* newbits,
                        Py_ssize_t* where) noexcept nogil:
    return _merge_run(t, o, newbits, where)


cdef int64_t fc_table_merge_key(const FCTable* o, Py_ssize_t where) noexcept nogil:
    return INT64_MIN if where == 0 else _tag(o.cells[where - 1].key)
