# cython: language_level=3
# The core of fastcount.Counter, for its pieces to cimport: the CounterCore
# class's layout, inline helpers for the hot paths, and the core's functions
# (_counter_core.pyx). The pieces: _counter_batch (transactional updates),
# _counter_algebra (+ - | & and comparisons), _counter_state (pickling and
# building from a Vocab).
from libc.stdint cimport int64_t, uint64_t

from fastcount._counter_slots cimport Cell, Cells, Order, cell_at, cells_grow
from fastcount._native cimport FCGate
from fastcount._vocab cimport Vocab


cdef class CounterCore:
    cdef Vocab vocab              # str key <-> word id (ids are never reused)
    cdef dict object_ids          # any other key -> its object id
    cdef list objects             # object id -> key (None while the id is free)
    cdef list free_object_ids     # reused last in, first out
    cdef Order order
    cdef Cells word_cells         # per word id
    cdef Cells object_cells       # per object id
    cdef uint64_t batch           # number of the running (or last) batch, from 1
    cdef int64_t* touched         # the batch's distinct keys, in order of first sight
    cdef Py_ssize_t ntouched, touched_cap
    cdef FCGate gate              # one thread at a time in a changing operation


cdef inline Cell* core_cell(CounterCore c, int64_t key) noexcept:
    """The cell of a key (valid until the next growth of its array)."""
    return cell_at(&c.word_cells, &c.object_cells, key)


cdef inline int core_word_cells(CounterCore c) except -1:
    """Cells for every word id of the Vocab (it hands out ids the cells may lack)."""
    if c.vocab.table.n > c.word_cells.cap:
        cells_grow(&c.word_cells, c.vocab.table.n)
    return 0


# Defined in _counter_core.pyx.
# A count as int64: TypeError/OverflowError naming the key otherwise.
cdef int64_t core_count(object value, object key) except? -1
# The key of `key` when present, FC_TOMB when absent; TypeError for an
# unhashable. May run the key's __hash__/__eq__ (which may change c).
cdef int64_t core_find(CounterCore c, object key) except? -2
# The key of `key`, made when new (a word interned, an object id given);
# `new_objects` records the objects given an id. TypeError names `pos`.
cdef int64_t core_key(CounterCore c, object key, list new_objects, Py_ssize_t pos) except? -2
# The key object of a key.
cdef object core_decode(CounterCore c, int64_t key)
# Give a non-str key an object id (its cell stays absent until linked); free it.
cdef int64_t core_new_object(CounterCore c, object key) except? -2
cdef void core_free_object(CounterCore c, Py_ssize_t object_id) noexcept
# Forget the object ids of a failed batch that were not linked.
cdef void core_forget_objects(CounterCore c, list new_objects) noexcept
# Remove a present key (nothing when it is absent already).
cdef int core_delete(CounterCore c, int64_t key) except -1
# c's key for src's key `key` when present in c, else FC_TOMB.
cdef int64_t core_key_of(CounterCore c, CounterCore src, int64_t key) except? -2
# c's key (cell made) for src's word key `key`: its bytes copied, no str made.
cdef int64_t core_word_from(CounterCore c, CounterCore src, int64_t key) except -1
# Back to a new, empty counter (every key, word and object id forgotten).
cdef void core_reset(CounterCore c) noexcept
# Enter c's gate to change it (see fastcount._native's gate); leave it.
cdef int core_enter(CounterCore c) except -1
cdef void core_exit(CounterCore c) noexcept
