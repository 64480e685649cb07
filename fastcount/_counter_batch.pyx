# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Transactional updates of fastcount.Counter: update and subtract from an
iterable, a mapping or another counter, update_counts, the in-place | and &
(set_pairs) and keep_positive.

A batch is all or nothing. The loop over the input only accumulates deltas
in the cells (a cell belongs to the running batch when its mark is the
batch's number, so nothing needs clearing afterwards) and records the
distinct keys in order of first sight; the counter itself changes only in
the commit, after every delta has been checked against int64 overflow and
every allocation has been made. An error before that (an unhashable
element, a failing iterator, a bad count) leaves the counter as it was.

Runs of str keys are interned with the Vocab's bulk primitive (hashes first,
probes prefetched) and their cells prefetched in a large counter.

Threads: a batch holds the counter's gate from its start to its end. The
input's own code (a generator, a mapping's items(), a count's __index__)
runs before that, with no gate held: an iterator's items are counted into a
private counter chunk by chunk, which then joins in one batch. So a
generator may use the counter from another thread without a deadlock, and
threads sharing a counter take turns. Only a key's __hash__/__eq__ runs
under the gate (and may read the counter, not change it).
"""
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.unicode cimport PyUnicode_Check
from libc.stdint cimport int64_t, uint64_t, INT64_MIN

from fastcount._counter_core cimport (CounterCore, core_cell, core_count, core_decode,
                                      core_enter, core_exit, core_forget_objects, core_free_object,
                                      core_key, core_word_cells)
from fastcount._counter_slots cimport (FC_TOMB, Cell, object_id_of, order_link, order_reserve)
from fastcount._native cimport (fc_add_overflows, fc_alloc, fc_free, fc_gate_enter_pair,
                                fc_gate_exit_pair, fc_grow, fc_prefetch, fc_prefetch_write)
from fastcount._vocab cimport FC_BATCH, fc_vocab_intern_batch, fc_vocab_intern_strs, fc_vocab_word

from itertools import islice

cdef enum:
    # items taken from an iterator at a time
    CHUNK_ITEMS = 4096
    # word cells from this many on (4 MiB) lie beyond the caches: a run's
    # cells are prefetched before they are touched
    PREFETCH_CELLS = 1 << 17
    # a batch's list of keys is not kept beyond this many (8 bytes each)
    KEEP_TOUCHED = 65536


# ---------------------------------------------------------------- the batch

cdef class _Batch:
    """One batch: ``with _Batch(c, gate) as batch:`` counts into it (new
    object ids recorded in batch.new_objects); a clean exit commits (with
    ``setmode`` the deltas are the new counts), an exception aborts. With
    ``gate`` the counter's gate is held throughout (not for a private
    counter, nor when the caller holds it already)."""
    cdef CounterCore c
    cdef list new_objects
    cdef bint gate, setmode

    def __cinit__(self, CounterCore c, bint gate, bint setmode=False):
        self.c = c
        self.gate = gate
        self.setmode = setmode
        self.new_objects = []

    def __enter__(self):
        if self.gate:
            core_enter(self.c)
        self.c.ntouched = 0
        self.c.batch += 1
        return self

    def __exit__(self, exc_type, exc, traceback):
        try:
            if exc_type is not None:
                _abort(self.c, self.new_objects)
                return False
            try:
                _commit(self.c, self.setmode)
            except BaseException:
                _abort(self.c, self.new_objects)
                raise
            return False
        finally:
            if self.gate:
                core_exit(self.c)


cdef void _finish(CounterCore c) noexcept:
    """Forget the batch's key list (the marks expire with the batch number)."""
    c.ntouched = 0
    if c.touched_cap > KEEP_TOUCHED:
        fc_free(c.touched)
        c.touched = NULL
        c.touched_cap = 0


cdef void _abort(CounterCore c, list new_objects) noexcept:
    """End a failed batch: the counter itself is untouched; the object ids it
    gave out are taken back."""
    _finish(c)
    core_forget_objects(c, new_objects)


cdef inline Cell* _touch(CounterCore c, int64_t key) except NULL:
    """The cell of a key, in the running batch (delta 0 at first sight)."""
    cdef Cell* cell = core_cell(c, key)
    if cell.mark != c.batch:
        if c.ntouched == c.touched_cap and fc_grow(<void**>&c.touched, &c.touched_cap,
                                                   c.ntouched + 1, sizeof(int64_t), 0) < 0:
            raise MemoryError("fastcount.Counter: out of memory")
        c.touched[c.ntouched] = key
        c.ntouched += 1
        cell.mark = c.batch
        cell.delta = 0
    return cell


cdef int _touch_checked(CounterCore c, int64_t key, int64_t n, int64_t sign,
                        Py_ssize_t pos) except -1:
    """Add sign * n (sign 1 or -1) to the batch delta of a key, refusing to
    leave int64; ``pos`` (>= 0) is named in the error."""
    cdef Cell* cell
    cdef int64_t r
    where = f" at position {pos}" if pos >= 0 else ""
    if sign < 0:
        if n == INT64_MIN:
            raise OverflowError(f"count for {core_decode(c, key)!r} leaves the int64 range "
                                f"(-({n})){where}")
        n = -n
    cell = _touch(c, key)
    if fc_add_overflows(cell.delta, n, &r):
        raise OverflowError(f"count for {core_decode(c, key)!r} leaves the int64 range "
                            f"({cell.delta} + {n}){where}")
    cell.delta = r
    return 0


cdef int _commit(CounterCore c, bint setmode) except -1:
    """Apply the batch: check every new count, reserve, then change the
    counter. With ``setmode`` the deltas are the new counts themselves."""
    cdef Py_ssize_t i, new = 0
    cdef int64_t key, r
    cdef Cell* cell
    for i in range(c.ntouched):
        cell = core_cell(c, c.touched[i])
        if cell.slot < 0:
            new += 1
        elif not setmode and fc_add_overflows(cell.count, cell.delta, &r):
            raise OverflowError(
                f"count for {core_decode(c, c.touched[i])!r} would leave the int64 range "
                f"({cell.count} + {cell.delta}); fastcount.Counter counts are 64-bit, the "
                f"counter is unchanged")
    order_reserve(&c.order, new)
    # nothing below can fail
    for i in range(c.ntouched):
        key = c.touched[i]
        cell = core_cell(c, key)
        if cell.slot < 0:
            order_link(&c.order, cell, key, cell.delta)
        elif setmode:
            cell.count = cell.delta
        else:
            cell.count += cell.delta
    _finish(c)
    return 0


cdef int _words_ready(CounterCore c, const int64_t* keys, Py_ssize_t k) except -1:
    """Cells for a run of word keys just interned, prefetched when they lie
    beyond the caches."""
    cdef Py_ssize_t j
    core_word_cells(c)
    if c.word_cells.cap >= PREFETCH_CELLS:
        for j in range(k):
            fc_prefetch_write(&c.word_cells.at[keys[j]])
    return 0


# ---------------------------------------------------------------- inputs

cdef int _count_list(CounterCore c, list items, int64_t sign, Py_ssize_t base,
                     list new_objects) except -1:
    """Count every item of a list (+1 or -1 each) into the running batch;
    errors name the position base + i."""
    cdef int64_t keys[FC_BATCH]
    cdef Py_ssize_t i = 0, j, k
    cdef object obj
    # an index loop that re-reads the size: a key's __hash__ may shrink the list
    while i < PyList_GET_SIZE(items):
        obj = <object>PyList_GET_ITEM(items, i)
        if PyUnicode_Check(obj):
            k = fc_vocab_intern_strs(c.vocab, items, i, keys)
            _words_ready(c, keys, k)
            for j in range(k):
                _touch(c, keys[j]).delta += sign   # |sign| == 1: no overflow
            i += k
        else:
            _touch(c, core_key(c, obj, new_objects, base + i)).delta += sign
            i += 1
    return 0


cdef int _count_pairs(CounterCore c, list items, const int64_t* counts, int64_t sign,
                      bint name_positions, list new_objects) except -1:
    """Add sign * counts[i] to items[i] (a private list) in the running batch."""
    cdef int64_t keys[FC_BATCH]
    cdef Py_ssize_t i = 0, j, k, n = len(items)
    cdef object obj
    while i < n:
        obj = items[i]
        if PyUnicode_Check(obj):
            k = fc_vocab_intern_strs(c.vocab, items, i, keys)
            _words_ready(c, keys, k)
            for j in range(k):
                _touch_checked(c, keys[j], counts[i + j], sign, i + j if name_positions else -1)
            i += k
        else:
            _touch_checked(c, core_key(c, obj, new_objects, i), counts[i], sign,
                           i if name_positions else -1)
            i += 1
    return 0


cdef int _count_counter(CounterCore c, CounterCore src, int64_t sign,
                        list new_objects) except -1:
    """Add sign * every count of src (both gates held) into the running batch."""
    cdef const char* ps[FC_BATCH]
    cdef Py_ssize_t ns[FC_BATCH]
    cdef int64_t keys[FC_BATCH]
    cdef int64_t srcs[FC_BATCH]
    cdef Py_ssize_t j = 0, k, m
    cdef int64_t key
    while j < src.order.n:
        key = src.order.keys[j]
        if key >= 0 and src is not c:
            # a run of words: bytes straight from one Vocab to the other, no str made
            k = 0
            while k < FC_BATCH and j < src.order.n:
                key = src.order.keys[j]
                if key == FC_TOMB:
                    j += 1
                    continue
                if key < 0:
                    break
                ps[k] = fc_vocab_word(&src.vocab.table, key, &ns[k])
                srcs[k] = key
                k += 1
                j += 1
            if fc_vocab_intern_batch(&c.vocab.table, ps, ns, k, keys, 0) < k:
                raise MemoryError("fastcount.Counter: out of memory (or the vocabulary is full)")
            _words_ready(c, keys, k)
            for m in range(k):
                _touch_checked(c, keys[m], core_cell(src, srcs[m]).count, sign, -1)
            continue
        j += 1
        if key == FC_TOMB:
            continue
        if src is c:
            _touch_checked(c, key, core_cell(c, key).count, sign, -1)
        else:
            _touch_checked(c, core_key(c, src.objects[object_id_of(key)], new_objects, -1),
                           core_cell(src, key).count, sign, -1)
    return 0


# ---------------------------------------------------------------- entry points

def add_iterable(CounterCore c not None, iterable, int64_t sign):
    """Count every element of ``iterable`` (+1 or -1 each, ``sign``), all or nothing."""
    cdef _Batch batch
    cdef CounterCore private
    cdef Py_ssize_t base = 0
    if type(iterable) is list or type(iterable) is tuple:
        items = iterable if type(iterable) is list else list(iterable)
        with _Batch(c, True) as batch:
            _count_list(c, items, sign, 0, batch.new_objects)
        return
    # Any other iterable runs its own code: counted into a private counter
    # (nobody else can reach it), chunk by chunk, with no gate held.
    private = CounterCore.__new__(CounterCore)
    it = iter(iterable)
    while True:
        chunk = list(islice(it, CHUNK_ITEMS))
        if not chunk:
            break
        with _Batch(private, False) as batch:
            _count_list(private, chunk, 1, base, batch.new_objects)
        base += len(chunk)
    if sign == 1 and _take_over(c, private):
        return
    add_counter(c, private, sign)


cdef bint _take_over(CounterCore c, CounterCore private) except -1:
    """Make an empty c hold the private counter's state (True), as adding it
    would, without copying; False when c is not empty."""
    cdef uint64_t layout
    core_enter(c)
    try:
        if c.order.live:
            return False
        layout = c.order.layout
        c.vocab, private.vocab = private.vocab, c.vocab
        c.object_ids, private.object_ids = private.object_ids, c.object_ids
        c.objects, private.objects = private.objects, c.objects
        c.free_object_ids, private.free_object_ids = private.free_object_ids, c.free_object_ids
        c.order, private.order = private.order, c.order
        c.word_cells, private.word_cells = private.word_cells, c.word_cells
        c.object_cells, private.object_cells = private.object_cells, c.object_cells
        c.order.layout = layout + 1   # iterators of c see the change
        # batch numbers only grow: none of the cells taken over may look
        # touched by c's next batch
        if private.batch > c.batch:
            c.batch = private.batch
        return True
    finally:
        core_exit(c)


def add_counter(CounterCore c not None, CounterCore src not None, int64_t sign):
    """``c[k] += sign * src[k]`` for every key of another counter (or c
    itself), all or nothing; keys new to c come in src's order."""
    cdef _Batch batch
    fc_gate_enter_pair(&c.gate, True, &src.gate, "fastcount.Counter")
    try:
        with _Batch(c, False) as batch:
            _count_counter(c, src, sign, batch.new_objects)
    finally:
        fc_gate_exit_pair(&c.gate, &src.gate)


def add_pairs(CounterCore c not None, keys, const int64_t[::1] counts, int64_t sign):
    """``c[keys[i]] += sign * counts[i]`` for all i, all or nothing (a list or
    tuple of keys as long as ``counts``)."""
    cdef _Batch batch
    cdef list items = list(keys)   # our own: a key's __hash__ cannot change it
    if len(items) != counts.shape[0]:
        raise ValueError(f"update_counts: {len(items)} words but {counts.shape[0]} counts "
                         f"(they must have the same length)")
    if items:
        with _Batch(c, True) as batch:
            _count_pairs(c, items, &counts[0], sign, True, batch.new_objects)


def add_mapping(CounterCore c not None, mapping, int64_t sign):
    """``c[k] += sign * v`` for every (k, v) of a mapping, all or nothing."""
    cdef _Batch batch
    cdef Py_ssize_t i, n
    cdef int64_t* counts
    cdef list items
    if isinstance(mapping, CounterCore):
        add_counter(c, <CounterCore>mapping, sign)
        return
    pairs = list(mapping.items())   # the mapping's code, before the gate
    n = len(pairs)
    items = [key for key, _ in pairs]
    counts = <int64_t*>fc_alloc(n, sizeof(int64_t))
    if counts == NULL:
        raise MemoryError("fastcount.Counter: out of memory")
    try:
        for i in range(n):
            counts[i] = core_count(pairs[i][1], items[i])
        with _Batch(c, True) as batch:
            _count_pairs(c, items, counts, sign, False, batch.new_objects)
    finally:
        fc_free(counts)


def set_pairs(CounterCore c not None, list pairs):
    """``c[k] = v`` for every (k, v) in ``pairs``, all or nothing."""
    cdef _Batch batch
    cdef list keys = []       # our own lists: a key's __hash__, run under
    cdef list counts = []     # the gate, may change pairs
    cdef Py_ssize_t i
    for key, value in pairs:
        counts.append(core_count(value, key))
        keys.append(key)
    with _Batch(c, True, True) as batch:
        for i in range(len(counts)):
            _touch(c, core_key(c, keys[i], batch.new_objects, i)).delta = <int64_t>counts[i]


def keep_positive(CounterCore c not None):
    """Delete every key whose count is not positive (one pass, one
    compaction); returns c."""
    cdef Py_ssize_t i, j = 0, object_id
    cdef int64_t key
    cdef Cell* cell
    cdef list gone = []
    core_enter(c)
    try:
        for i in range(c.order.n):
            key = c.order.keys[i]
            if key == FC_TOMB:
                continue
            cell = core_cell(c, key)
            if cell.count > 0:
                c.order.keys[j] = key
                cell.slot = j
                j += 1
                continue
            cell.slot = -1
            c.order.live -= 1
            c.order.layout += 1
            if key < 0:
                object_id = object_id_of(key)
                gone.append(c.objects[object_id])
                core_free_object(c, object_id)
        c.order.n = j
        # after the loop: dict deletion may run a key's __eq__, which must
        # not see the order half rewritten
        for obj in gone:
            del c.object_ids[obj]
    finally:
        core_exit(c)
    return c
