# cython: language_level=3
# The hash table behind fastcount.HashCounter (signed 64-bit key -> int64
# count), for Cython modules; _hashcounter.pxd re-exports all of it:
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
from libc.stdint cimport int64_t, uint8_t, uint64_t

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
    uint64_t seed    # the table's hash seed, drawn by fc_table_init
    bint shared_seed # a copy has the seed too: the next growth draws a new one

# 0 ok, -1 out of memory. Sizes the table so `expected` keys fit without
# growth, and draws its seed.
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
# dst = an independent copy of src (dst must not be init'ed). 0 ok, -1 out of
# memory. The two share a seed until either grows (src is marked for that).
cdef int fc_table_copy(FCTable* dst, FCTable* src) noexcept nogil
# Iteration: `Py_ssize_t pos = 0; while fc_table_next(t, &pos, &k, &c): ...`.
# Returns 1 and the next (key, count), or 0 at the end. Key 0 comes first.
# Inserting or deleting during an iteration invalidates it.
cdef bint fc_table_next(const FCTable* t, Py_ssize_t* pos, int64_t* key, int64_t* count) noexcept nogil
# Writes every (key, count) into keys[0:len], counts[0:len] in iteration order; returns len.
cdef Py_ssize_t fc_table_export(const FCTable* t, int64_t* keys, int64_t* counts) noexcept nogil


# ---- batches (for HashCounter)

# The element type of a key array.
cdef enum FCKeyKind:
    FC_I8, FC_I16, FC_I32, FC_I64, FC_U8, FC_U16, FC_U32, FC_U64

# count[keys[i]] += counts[i] (1 when counts is NULL) for i < n; keys are n
# elements of `kind` at byte stride kstride, counts int64 at cstride. newbits
# must hold n zeroed bits (scratch). 0 ok, or the first failure's code (-1 out
# of memory, -2 overflow) with *where = its index and the batch undone.
cdef int fc_table_add_batch(FCTable* t, const char* keys, Py_ssize_t kstride, FCKeyKind kind,
                            const char* counts, Py_ssize_t cstride, Py_ssize_t n,
                            uint8_t* newbits, Py_ssize_t* where) noexcept nogil
# Add every count of o (not t) into t: 0 ok, or the failure code with *where
# the failing item (fc_table_merge_key names its key) and the merge undone;
# newbits must hold o's capacity + 2 zeroed bits.
cdef int fc_table_merge(FCTable* t, const FCTable* o, uint8_t* newbits,
                        Py_ssize_t* where) noexcept nogil
cdef int64_t fc_table_merge_key(const FCTable* o, Py_ssize_t where) noexcept nogil
# n keys of `kind` as int64 into dst.
cdef void fc_widen(const char* src, Py_ssize_t stride, Py_ssize_t n, FCKeyKind kind,
                   int64_t* dst) noexcept nogil
# Same keys with the same counts (whatever the order)?
cdef bint fc_tables_equal(const FCTable* a, const FCTable* b) noexcept nogil
# The sum of the counts as a 128-bit two's-complement number (hi:lo).
cdef void fc_table_total(const FCTable* t, uint64_t* lo, int64_t* hi) noexcept nogil
