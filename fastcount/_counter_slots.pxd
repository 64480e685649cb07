# cython: language_level=3
# Cells and ordered slots of fastcount.Counter's core, header-only.
#
# A key is one int64: a word is its id in the counter's Vocab (>= 0), any
# other hashable is -1 - its object id (< 0). Both kinds of id are dense, so
# the per-key state lives in arrays indexed by id, one 32-byte Cell per id,
# 64-byte aligned (two per cache line, none straddling two). Dict order
# (insertion order; a deleted key that comes back goes to the end) is kept
# apart, in an Order: the keys in slots, with tombstones for deleted ones,
# like CPython's own dict entries; a cell's slot points back into it (-1:
# the key is absent).
from libc.stdint cimport int64_t, uint64_t, uintptr_t
from libc.string cimport memmove

from fastcount._native cimport fc_advise_huge, fc_free, fc_grow, fc_grown_capacity, fc_realloc

cdef extern from *:
    """
    #define FC_TOMB INT64_MIN
    """
    # marks a deleted slot of the order (no key is this small)
    const int64_t FC_TOMB


cdef struct Cell:
    int64_t count     # the key's count (meaningful while slot >= 0)
    int64_t delta     # the running batch's delta (meaningful while mark is its number)
    int64_t slot      # the key's position in the order, -1 while absent
    uint64_t mark     # number of the last batch that touched the key (0: none)


cdef struct Cells:
    char* raw         # the allocation: the cells plus up to 63 bytes of slack
    Cell* at          # the first cell, inside raw, on a 64-byte boundary
    Py_ssize_t cap


cdef struct Order:
    int64_t* keys     # slot -> key, or FC_TOMB
    Py_ssize_t n      # slots in use (present keys and tombstones)
    Py_ssize_t cap
    Py_ssize_t live   # present keys
    uint64_t layout   # bumped whenever the key set or the order changes


cdef inline int64_t object_key(Py_ssize_t object_id) noexcept nogil:
    return -1 - <int64_t>object_id


cdef inline Py_ssize_t object_id_of(int64_t key) noexcept nogil:
    return <Py_ssize_t>(-1 - key)


cdef inline Cell* cell_at(Cells* words, Cells* objects, int64_t key) noexcept nogil:
    """The cell of a key (valid until its array grows)."""
    if key >= 0:
        return &words.at[key]
    return &objects.at[-1 - key]


cdef inline int cells_grow(Cells* c, Py_ssize_t need) except -1:
    """Room for at least ``need`` cells; new cells are absent keys.

    Grows by a quarter (these arrays live as long as the counter, doubling
    would waste up to half); realloc keeps the cells at their offset in the
    block, and when the new block's alignment differs (rarely: large blocks
    keep their page offset) they are moved back onto a 64-byte boundary."""
    cdef Py_ssize_t i, old = c.cap, off = <char*>c.at - c.raw
    cdef Py_ssize_t new_cap
    cdef char* q = NULL
    cdef Cell* at
    if need <= old:
        return 0
    new_cap = fc_grown_capacity(old, need, 2)
    if new_cap >= 0 and <size_t>new_cap < (<size_t>-1 - 63) // sizeof(Cell):
        q = <char*>fc_realloc(c.raw, <size_t>new_cap * sizeof(Cell) + 63, 1)
    if q == NULL:
        raise MemoryError("fastcount.Counter: out of memory")
    at = <Cell*>((<uintptr_t>q + 63) & ~(<uintptr_t>63))
    if <char*>at != q + off:
        memmove(at, q + off, <size_t>old * sizeof(Cell))
    # huge pages for the new cells before their first touch (a counter of
    # millions of keys faults them in far fewer times)
    fc_advise_huge(at + old, <size_t>(new_cap - old) * sizeof(Cell))
    for i in range(old, new_cap):
        at[i].count = at[i].delta = 0
        at[i].slot = -1
        at[i].mark = 0
    c.raw, c.at, c.cap = q, at, new_cap
    return 0


cdef inline void cells_free(Cells* c) noexcept:
    fc_free(c.raw)
    c.raw = NULL
    c.at = NULL
    c.cap = 0


cdef inline int order_reserve(Order* o, Py_ssize_t extra) except -1:
    """Room for ``extra`` more slots (grown by a quarter, as the cells)."""
    cdef Py_ssize_t old = o.cap
    if o.n + extra > o.cap and fc_grow(<void**>&o.keys, &o.cap, o.n + extra, sizeof(int64_t), 2) < 0:
        raise MemoryError("fastcount.Counter: out of memory")
    if o.cap != old:
        fc_advise_huge(o.keys + old, <size_t>(o.cap - old) * sizeof(int64_t))
    return 0


cdef inline void order_free(Order* o) noexcept:
    fc_free(o.keys)
    o.keys = NULL
    o.n = o.cap = o.live = 0


cdef inline void order_link(Order* o, Cell* c, int64_t key, int64_t count) noexcept:
    """Append an absent key with its count (room reserved by the caller)."""
    c.count = count
    c.slot = o.n
    o.keys[o.n] = key
    o.n += 1
    o.live += 1
    o.layout += 1


cdef inline bint order_next(const Order* o, Py_ssize_t* slot, int64_t* key) noexcept nogil:
    """The next present key at or after *slot (moving *slot past it); False
    at the end. ``slot = 0; while order_next(&o, &slot, &key): ...``"""
    cdef int64_t k
    while slot[0] < o.n:
        k = o.keys[slot[0]]
        slot[0] += 1
        if k != FC_TOMB:
            key[0] = k
            return True
    return False


cdef inline void order_compact(Order* o, Cells* words, Cells* objects) noexcept:
    """Drop the tombstones, keeping the order."""
    cdef Py_ssize_t i, j = 0
    cdef int64_t key
    for i in range(o.n):
        key = o.keys[i]
        if key != FC_TOMB:
            o.keys[j] = key
            cell_at(words, objects, key).slot = j
            j += 1
    o.n = j


cdef inline void order_unlink(Order* o, Cells* words, Cells* objects, int64_t key) noexcept:
    """Take a key out of the order (nothing when it is absent already)."""
    cdef Cell* c = cell_at(words, objects, key)
    if c.slot < 0:
        return
    o.keys[c.slot] = FC_TOMB
    c.slot = -1
    o.live -= 1
    o.layout += 1
    while o.n and o.keys[o.n - 1] == FC_TOMB:
        o.n -= 1   # keeps popitem O(1)
    if o.n - o.live > 16 and o.n - o.live > o.live:
        order_compact(o, words, objects)
