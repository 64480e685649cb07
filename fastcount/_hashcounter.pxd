# C-level interface of fastcount._hashcounter, for other Cython modules:
#
#     from fastcount._hashcounter cimport HashCounter, FCTable, fc_table_add
#     cdef HashCounter h = HashCounter()
#     with nogil:
#         if fc_table_add(&h.table, key, 1) != 0: ...   # -1 out of memory, -2 overflow
#
# Keys and counts are signed 64-bit. A key is present apart from its count
# (present with 0 or a negative count is allowed). Every function below is
# noexcept nogil and never touches Python objects. The caller must not touch
# one table from two threads at once, and must not call into a HashCounter's
# table while the HashCounter itself may be running a Python-level method in
# another thread.
from libc.stdint cimport int64_t

cdef struct FCCell:
    int64_t key      # the key with its sign bit flipped; 0 marks an empty cell
    int64_t count

cdef struct FCTable:
    FCCell* cells    # capacity = mask + 1 cells, a power of two
    size_t mask
    size_t used      # occupied cells (every present key except 0)
    size_t grow_at   # `used` at which the next insertion doubles the table
    bint has_spare   # is INT64_MIN (stored form 0, hence out of line) present?
    int64_t spare_count

# 0 ok, -1 out of memory. Sizes the table so `expected` keys fit without growth.
cdef int fc_table_init(FCTable* t, Py_ssize_t expected) noexcept nogil
# Releases the cells; the table must be init'ed again before reuse.
cdef void fc_table_free(FCTable* t) noexcept nogil
# count[key] += n, inserting the key if absent (n may be 0 or negative).
# 0 ok, -1 out of memory, -2 the count would leave int64; on -1/-2 the table is unchanged.
cdef int fc_table_add(FCTable* t, int64_t key, int64_t n) noexcept nogil
# The count of key, 0 when absent.
cdef int64_t fc_table_get(const FCTable* t, int64_t key) noexcept nogil
# Pointer to the count of key (writable, valid until the next insertion), NULL when absent.
cdef int64_t* fc_table_find(FCTable* t, int64_t key) noexcept nogil
# count[key] = n (inserting if absent). 0 ok, -1 out of memory (table unchanged).
cdef int fc_table_set(FCTable* t, int64_t key, int64_t n) noexcept nogil
# Removes key. 1 removed, 0 was absent.
cdef int fc_table_del(FCTable* t, int64_t key) noexcept nogil
# Number of present keys.
cdef Py_ssize_t fc_table_len(const FCTable* t) noexcept nogil
# Grows the table so that `n` keys in all fit without further growth. 0 ok, -1 out of memory.
cdef int fc_table_reserve(FCTable* t, Py_ssize_t n) noexcept nogil
# dst = an independent copy of src (dst must not be init'ed). 0 ok, -1 out of memory.
cdef int fc_table_copy(FCTable* dst, const FCTable* src) noexcept nogil
# Iteration: `Py_ssize_t pos = 0; while fc_table_next(t, &pos, &k, &c): ...`.
# Returns 1 and the next (key, count), or 0 at the end. Key 0 comes first.
# Inserting or deleting during an iteration invalidates it.
cdef bint fc_table_next(const FCTable* t, Py_ssize_t* pos, int64_t* key, int64_t* count) noexcept nogil
# Writes every (key, count) into keys[0:len], counts[0:len] in iteration order; returns len.
cdef Py_ssize_t fc_table_export(const FCTable* t, int64_t* keys, int64_t* counts) noexcept nogil

cdef class HashCounter:
    cdef FCTable table
    # set while a method works on the table without the GIL, so that another
    # Python thread gets an error instead of a torn table
    cdef bint _busy
