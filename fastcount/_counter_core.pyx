# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The core of fastcount.Counter: keys, cells, order and the one-key mapping
protocol (fastcount/counter.py builds the public class on it).

A str key is stored once, as UTF-8, in the counter's own Vocab, and is known
by its word id; any other hashable gets an object id from a dict on the side.
Per-key state (count, slot in the order, batch bookkeeping) lives in cells
indexed by those ids, the key order in slots (see _counter_slots.pxd). The
other pieces work on this state: _counter_batch (transactional updates),
_counter_algebra (+ - | & and comparisons), _counter_state (pickling and
building from a Vocab).

Threads: operations that change a counter take its gate (fastcount._native):
another thread waits for its turn; code that the operation itself runs (a
key's __hash__ or __eq__) may read the counter but not change it.
"""
cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_Check
from libc.stdint cimport int64_t, uint64_t

from fastcount._counter_slots cimport (FC_TOMB, Cell, cells_free, cells_grow, object_id_of,
                                       object_key, order_free, order_link, order_next,
                                       order_reserve, order_unlink)
from fastcount._native cimport (fc_add_overflows, fc_free, fc_gate_enter_read,
                                fc_gate_enter_write, fc_gate_exit)
from fastcount._vocab cimport (Vocab, fc_vocab_find, fc_vocab_find_str, fc_vocab_intern_str,
                               fc_vocab_intern_trusted, fc_vocab_word, fc_vocab_word_str)


cdef int64_t core_count(object value, object key) except? -1:
    """A count as int64: an integer (not bool) within the int64 range."""
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"fastcount.Counter counts must be integers, not {type(value).__name__} "
                        f"(count for key {key!r})")
    value = value.__index__()
    if not (-0x8000000000000000 <= value <= 0x7FFFFFFFFFFFFFFF):
        raise OverflowError(f"count {value} for key {key!r} is outside the int64 range "
                            f"(fastcount.Counter counts are 64-bit)")
    return value


# ---------------------------------------------------------------- keys

cdef int64_t core_find(CounterCore c, object key) except? -2:
    cdef int64_t wid
    cdef object object_id
    if PyUnicode_Check(key):
        wid = fc_vocab_find_str(c.vocab, <str>key)
        if 0 <= wid < c.word_cells.cap and c.word_cells.at[wid].slot >= 0:
            return wid
        return FC_TOMB
    object_id = c.object_ids.get(key)
    # the lookup may have run a key's __eq__, which may have cleared c
    if (object_id is not None and <Py_ssize_t>object_id < c.object_cells.cap
            and c.object_cells.at[<Py_ssize_t>object_id].slot >= 0):
        return object_key(<Py_ssize_t>object_id)
    return FC_TOMB


cdef int64_t core_key(CounterCore c, object key, list new_objects, Py_ssize_t pos) except? -2:
    cdef int64_t wid
    cdef object object_id
    if PyUnicode_Check(key):
        wid = fc_vocab_intern_str(c.vocab, <str>key)
        core_word_cells(c)
        return wid
    try:
        object_id = c.object_ids.get(key)
    except TypeError as e:
        raise TypeError(f"{e} (element at position {pos})") from e
    if object_id is not None:
        return object_key(<Py_ssize_t>object_id)
    new_objects.append(key)
    return core_new_object(c, key)


cdef object core_decode(CounterCore c, int64_t key):
    if key >= 0:
        return fc_vocab_word_str(c.vocab, key)
    return c.objects[object_id_of(key)]


cdef int64_t core_new_object(CounterCore c, object key) except? -2:
    cdef Py_ssize_t object_id
    if c.free_object_ids:
        object_id = c.free_object_ids.pop()
        c.objects[object_id] = key
    else:
        object_id = len(c.objects)
        cells_grow(&c.object_cells, object_id + 1)
        c.objects.append(key)
    try:
        c.object_ids[key] = object_id
    except BaseException:
        core_free_object(c, object_id)
        raise
    return object_key(object_id)


cdef void core_free_object(CounterCore c, Py_ssize_t object_id) noexcept:
    c.objects[object_id] = None
    c.free_object_ids.append(object_id)


cdef void core_forget_objects(CounterCore c, list new_objects) noexcept:
    cdef object key, object_id
    for key in new_objects:
        try:
            object_id = c.object_ids.get(key)
            if (object_id is not None
                    and c.object_cells.at[<Py_ssize_t>object_id].slot < 0):
                del c.object_ids[key]
                core_free_object(c, <Py_ssize_t>object_id)
        except BaseException:
            pass   # an object whose __eq__ fails now stays known (absent), harmlessly


cdef int core_delete(CounterCore c, int64_t key) except -1:
    cdef Py_ssize_t object_id
    cdef object obj
    if core_cell(c, key).slot < 0:
        return 0   # already gone (a key's __eq__ deleted it meanwhile)
    order_unlink(&c.order, &c.word_cells, &c.object_cells, key)
    if key < 0:
        object_id = object_id_of(key)
        obj = c.objects[object_id]
        core_free_object(c, object_id)
        del c.object_ids[obj]
    return 0


cdef int64_t core_key_of(CounterCore c, CounterCore src, int64_t key) except? -2:
    cdef const char* p
    cdef Py_ssize_t nb
    cdef int64_t wid
    if src is c:
        return key
    if key >= 0:
        p = fc_vocab_word(&src.vocab.table, key, &nb)
        wid = fc_vocab_find(&c.vocab.table, p, nb)
        if 0 <= wid < c.word_cells.cap and c.word_cells.at[wid].slot >= 0:
            return wid
        return FC_TOMB
    return core_find(c, src.objects[object_id_of(key)])


cdef int64_t core_word_from(CounterCore c, CounterCore src, int64_t key) except -1:
    cdef Py_ssize_t nb
    cdef const char* p = fc_vocab_word(&src.vocab.table, key, &nb)
    cdef int64_t wid = fc_vocab_intern_trusted(&c.vocab.table, p, nb)
    if wid < 0:
        raise MemoryError("fastcount.Counter: out of memory (or the vocabulary is full)")
    core_word_cells(c)
    return wid


cdef void core_reset(CounterCore c) noexcept:
    # The old keys are let go last, when the counter is empty and whole:
    # dropping them may run a key's __del__, which may read the counter
    # (the order must not name objects the new, empty list lacks).
    cdef dict object_ids = c.object_ids
    cdef list objects = c.objects
    order_free(&c.order)
    c.order.layout += 1
    cells_free(&c.word_cells)
    cells_free(&c.object_cells)
    c.vocab = Vocab()
    c.object_ids = {}
    c.objects = []
    c.free_object_ids = []


cdef int core_enter(CounterCore c) except -1:
    return fc_gate_enter_write(&c.gate, "fastcount.Counter")


cdef void core_exit(CounterCore c) noexcept:
    fc_gate_exit(&c.gate)


# ---------------------------------------------------------------- the class

@cython.auto_pickle(False)
cdef class CounterCore:
    """The storage of fastcount.Counter (internal base class): use ``fastcount.Counter``."""

    def __cinit__(self, *args, **kwargs):
        self.vocab = Vocab()
        self.object_ids = {}
        self.objects = []
        self.free_object_ids = []

    def __dealloc__(self):
        order_free(&self.order)
        cells_free(&self.word_cells)
        cells_free(&self.object_cells)
        fc_free(self.touched)

    def __len__(self):
        return self.order.live

    def __contains__(self, key):
        return core_find(self, key) != FC_TOMB

    def __getitem__(self, key):
        cdef int64_t k = core_find(self, key)
        if k != FC_TOMB:
            return core_cell(self, k).count
        return self.__missing__(key)

    def __setitem__(self, key, value):
        cdef int64_t n = core_count(value, key)
        core_enter(self)
        try:
            _set_one(self, key, n)
        finally:
            core_exit(self)

    def __delitem__(self, key):
        """Delete ``key``; a missing key is ignored, as collections.Counter does."""
        cdef int64_t k
        core_enter(self)
        try:
            k = core_find(self, key)
            if k != FC_TOMB:
                core_delete(self, k)
        finally:
            core_exit(self)

    def get(self, key, default=None):
        """The count of ``key`` if present, else ``default`` (no __missing__)."""
        cdef int64_t k = core_find(self, key)
        if k != FC_TOMB:
            return core_cell(self, k).count
        return default

    def pop(self, key, *default):
        """Remove ``key`` and return its count; ``default`` (or KeyError) if absent."""
        cdef int64_t k, n
        if len(default) > 1:
            raise TypeError(f"pop expected at most 2 arguments, got {1 + len(default)}")
        core_enter(self)
        try:
            k = core_find(self, key)
            if k != FC_TOMB:
                n = core_cell(self, k).count
                core_delete(self, k)
                return n
        finally:
            core_exit(self)
        if default:
            return default[0]
        raise KeyError(key)

    def popitem(self):
        """Remove and return the last inserted ``(key, count)`` pair."""
        cdef int64_t k, n
        core_enter(self)
        try:
            if self.order.live == 0:
                raise KeyError("popitem(): dictionary is empty")
            k = self.order.keys[self.order.n - 1]   # never a tombstone: they are trimmed
            obj = core_decode(self, k)
            n = core_cell(self, k).count
            core_delete(self, k)
            return obj, n
        finally:
            core_exit(self)

    def setdefault(self, key, default=None):
        """The count of ``key``; if absent, set it to ``default`` first."""
        cdef int64_t k = core_find(self, key)
        if k != FC_TOMB:
            return core_cell(self, k).count
        self[key] = default
        return default

    def clear(self):
        """Remove every key."""
        core_enter(self)
        try:
            core_reset(self)
        finally:
            core_exit(self)

    def __iter__(self):
        return _OrderIter(self, 0, False)

    def __reversed__(self):
        return _OrderIter(self, 0, True)

    def _iter(self, int kind, bint reverse):
        """Iterator over keys (kind 0), counts (1) or (key, count) pairs (2)."""
        return _OrderIter(self, kind, reverse)

    def total(self):
        """Sum of the counts (a Python int: no int64 wrap-around)."""
        cdef Py_ssize_t slot = 0
        cdef int64_t acc = 0, k, n, r
        total = 0
        fc_gate_enter_read(&self.gate)   # the sum allocates: a finalizer must not change us
        try:
            while order_next(&self.order, &slot, &k):
                n = core_cell(self, k).count
                if fc_add_overflows(acc, n, &r):
                    total += acc   # spill into a Python int
                    acc = n
                else:
                    acc = r
        finally:
            fc_gate_exit(&self.gate)
        return total + acc

    def _order_counts(self):
        """(keys, counts, layout) of the present keys in order, as bytes of
        int64, and the order's layout number (for _pairs)."""
        cdef bytes kb = PyBytes_FromStringAndSize(NULL, self.order.live * 8)
        cdef bytes cb = PyBytes_FromStringAndSize(NULL, self.order.live * 8)
        cdef int64_t* ks = <int64_t*>PyBytes_AS_STRING(kb)
        cdef int64_t* cs = <int64_t*>PyBytes_AS_STRING(cb)
        cdef Py_ssize_t slot = 0, j = 0
        cdef int64_t k
        # (no Python code runs between the allocations and the loop)
        while order_next(&self.order, &slot, &k):
            ks[j] = k
            cs[j] = core_cell(self, k).count
            j += 1
        return kb, cb, self.order.layout

    def _pairs(self, const int64_t[:] keys, const int64_t[:] counts, uint64_t layout):
        """[(key, count)] for keys from _order_counts (a selection of them),
        given the layout it returned: RuntimeError when the keys changed
        since (the caller's Python code between the two calls let another
        thread or a finalizer in), as a key may then name nothing."""
        cdef Py_ssize_t i
        fc_gate_enter_read(&self.gate)
        try:
            if self.order.layout != layout:
                raise RuntimeError("fastcount.Counter changed during most_common() "
                                   "(another thread or a finalizer changed its keys)")
            return [(core_decode(self, keys[i]), counts[i]) for i in range(keys.shape[0])]
        finally:
            fc_gate_exit(&self.gate)


cdef int _set_one(CounterCore c, object key, int64_t n) except -1:
    cdef int64_t k = core_find(c, key)
    cdef bint new_object = False
    if k != FC_TOMB:
        core_cell(c, k).count = n
        return 0
    if PyUnicode_Check(key):
        k = fc_vocab_intern_str(c.vocab, <str>key)
        core_word_cells(c)
    else:
        # absent, so the key has no object id (no batch is running: the gate)
        k = core_new_object(c, key)
        new_object = True
    try:
        order_reserve(&c.order, 1)
    except BaseException:
        if new_object:
            core_free_object(c, object_id_of(k))
            del c.object_ids[key]
        raise
    order_link(&c.order, core_cell(c, k), k, n)
    return 0


@cython.auto_pickle(False)
cdef class _OrderIter:
    """Iterator over a counter's keys, counts or items, in order or reversed."""
    cdef CounterCore c
    cdef Py_ssize_t pos
    cdef Py_ssize_t live0
    cdef uint64_t layout0
    cdef int kind
    cdef bint reverse

    def __cinit__(self, CounterCore c, int kind, bint reverse):
        self.c = c
        self.kind = kind
        self.reverse = reverse
        self.pos = c.order.n - 1 if reverse else 0
        self.live0 = c.order.live
        self.layout0 = c.order.layout

    def __iter__(self):
        return self

    def __length_hint__(self):
        return self.c.order.live if self.c.order.layout == self.layout0 else 0

    def __next__(self):
        cdef CounterCore c = self.c
        cdef int64_t k, n
        if c.order.layout != self.layout0:
            # stays broken, like a dict iterator
            if c.order.live != self.live0:
                raise RuntimeError("dictionary changed size during iteration")
            raise RuntimeError("dictionary keys changed during iteration")
        while 0 <= self.pos < c.order.n:
            k = c.order.keys[self.pos]
            self.pos += -1 if self.reverse else 1
            if k == FC_TOMB:
                continue
            if self.kind == 0:
                return core_decode(c, k)
            n = core_cell(c, k).count   # before decoding, which allocates
            if self.kind == 1:
                return n
            return (core_decode(c, k), n)
        raise StopIteration
