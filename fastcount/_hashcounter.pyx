# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""HashCounter: exact counts of signed 64-bit integer keys, for Python.

The table itself (its layout, seeded hashing, batches with undo and the
dense path) is fastcount._hashtable; this module turns Python arguments into
validated integer runs and holds the class.

Threads: every method takes the counter's gate (fastcount._native) before
any Python code of its own runs; a thread that finds another inside waits
for its turn, so threads can share a HashCounter. Arguments are read and
converted (iterables iterated, mappings listed) before the gate is taken,
and nothing under the gate runs Python code of the caller's.
"""
from cpython.buffer cimport (PyBUF_FORMAT, PyBUF_STRIDES, PyBuffer_Release,
                             PyObject_CheckBuffer, PyObject_GetBuffer)
from cpython.object cimport PyObject_LengthHint
from libc.stdint cimport (int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t,
                          uint32_t, uint64_t, INT64_MAX, INT64_MIN)

from fastcount._hashtable cimport (FC_I8, FC_I16, FC_I32, FC_I64, FC_U8, FC_U16, FC_U32,
                                   FC_U64)
from fastcount._native cimport (fc_alloc, fc_calloc, fc_free, fc_gate_enter_pair,
                                fc_gate_enter_read, fc_gate_enter_write, fc_gate_exit,
                                fc_gate_exit_pair, fc_grow, fc_is_bool)

import operator
import sys
from collections.abc import Mapping

cdef enum:
    # batches shorter than this keep the GIL: releasing it costs more than the work
    NOGIL_MIN = 2048
    # an iterable's length hint sizes its first buffer up to this many items
    HINT_MAX = 1 << 20

cdef str NAME = "HashCounter"


# ---------------------------------------------------------------------------
# Python level: turning arguments into validated integer sequences
# ---------------------------------------------------------------------------

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
    if fc_is_bool(x):
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
    return _scalar(x, f"{name}[{i}]")  # the name is built only off the fast path


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
    cdef FCKeyKind kind

    def __dealloc__(self):
        if self.has_view:
            PyBuffer_Release(&self.view)
        fc_free(self.temp)

    cdef object get(self, Py_ssize_t i):
        cdef const char* p = self.data + i * self.stride
        if self.kind == FC_I8: return (<const int8_t*>p)[0]
        if self.kind == FC_I16: return (<const int16_t*>p)[0]
        if self.kind == FC_I32: return (<const int32_t*>p)[0]
        if self.kind == FC_I64: return (<const int64_t*>p)[0]
        if self.kind == FC_U8: return (<const uint8_t*>p)[0]
        if self.kind == FC_U16: return (<const uint16_t*>p)[0]
        if self.kind == FC_U32: return (<const uint32_t*>p)[0]
        return (<const uint64_t*>p)[0]

    cdef int to_int64(self) except -1:
        """Make the data a native int64 run (a copy unless it is one)."""
        cdef int64_t* dst
        if self.kind == FC_I64:
            return 0
        dst = <int64_t*>fc_alloc(max(self.n, 1), sizeof(int64_t))
        if dst == NULL:
            raise MemoryError()
        with nogil:
            fc_widen(self.data, self.stride, self.n, self.kind, dst)
        fc_free(self.temp)
        self.temp = dst
        self.data = <const char*>dst
        self.stride = sizeof(int64_t)
        self.kind = FC_I64
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
        r.kind = {1: FC_I8, 2: FC_I16, 4: FC_I32, 8: FC_I64}[r.view.itemsize] if signed else \
                 {1: FC_U8, 2: FC_U16, 4: FC_U32, 8: FC_U64}[r.view.itemsize]
        r.data = <const char*>r.view.buf
        r.n = r.view.shape[0]
        r.stride = r.view.strides[0]
        if r.kind == FC_U64:
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
    r.kind = FC_I64
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
    if fc_is_bool(key):
        raise TypeError("HashCounter keys are integers, got bool")
    try:
        v = operator.index(key)
    except TypeError:
        raise TypeError(f"HashCounter keys are integers, got {_type_name(key)}") from None
    if INT64_MIN <= v <= INT64_MAX:
        return v
    return None


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
    fc_gate_enter_write(&self.gate, NAME)
    try:
        if n >= NOGIL_MIN:
            with nogil:
                r = fc_table_add_batch(&self.table, keys.data, keys.stride, keys.kind, cdata,
                                       cstride, n, newbits, &where)
        else:
            r = fc_table_add_batch(&self.table, keys.data, keys.stride, keys.kind, cdata,
                                   cstride, n, newbits, &where)
    finally:
        fc_gate_exit(&self.gate)
        fc_free(newbits)
    if r == -1:
        raise MemoryError(f"out of memory at keys[{where}]; the counter is unchanged")
    if r == -2:
        k = keys.get(where)
        c = 1 if counts is None else counts.get(where)
        raise OverflowError(f"keys[{where}]: count of key {k} plus {c} is outside the signed "
                            f"64-bit range; the counter is unchanged")


def _rebuild(keys, counts):
    """Unpickle a HashCounter (``__reduce__``): keys and counts as bytes of
    little-endian int64s (or, from older pickles, two integer arrays).

    Pickles come from disk and from other machines: the state must be two
    runs of one length, and is checked as any batch is. Bytes keep numpy's
    own unpickling (which a damaged array or dtype state can crash) out of
    a HashCounter's pickle."""
    cdef HashCounter h = HashCounter()
    cdef _Ints k, c
    if type(keys) is bytes and type(counts) is bytes:
        if len(<bytes>keys) % 8 or len(<bytes>counts) != len(<bytes>keys):
            raise ValueError(f"invalid HashCounter pickle: {len(<bytes>keys)} bytes of keys and "
                             f"{len(<bytes>counts)} bytes of counts (8 bytes a key, as many of counts)")
        np = _np()
        keys = np.frombuffer(keys, dtype="<i8")
        counts = np.frombuffer(counts, dtype="<i8")
    for name, arr in (("keys", keys), ("counts", counts)):
        if not PyObject_CheckBuffer(arr):
            raise TypeError(f"invalid HashCounter pickle: {name} must be bytes or an integer "
                            f"array, not {_type_name(arr)}")
    k = _ints(keys, "keys")
    c = _ints(counts, "counts")
    if k.n != c.n:
        raise ValueError(f"invalid HashCounter pickle: {k.n} keys but {c.n} counts")
    if fc_table_reserve(&h.table, k.n) < 0:
        raise MemoryError(f"out of memory loading {k.n} keys")
    _add_batch(h, k, c)
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
    ``to_arrays``) follows the table and is otherwise unspecified (each
    table hashes with a seed of its own, so two tables with the same keys
    may iterate in different orders).

    Threads may share a HashCounter: each call waits for the one running in
    another thread.
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
        cdef int64_t k, n, cur = 0
        cdef int r
        if _is_single(keys):
            k = _scalar(keys, "key")
            n = 1 if counts is None else _scalar(counts, "n")
            fc_gate_enter_write(&self.gate, NAME)
            try:
                cur = fc_table_get(&self.table, k)
                r = fc_table_add(&self.table, k, n)
            finally:
                fc_gate_exit(&self.gate)
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
        On OverflowError or MemoryError nothing is changed. Time linear in
        the two sizes, whatever their history (the tables' seeds differ).
        """
        cdef HashCounter o
        cdef Py_ssize_t where = -1
        cdef uint8_t* newbits = NULL
        cdef int64_t k = 0
        cdef int r
        if not isinstance(other, HashCounter):
            raise TypeError(f"merge: expected a HashCounter, got {_type_name(other)}")
        o = <HashCounter>other
        if o is self:
            o = self.copy()
        fc_gate_enter_pair(&self.gate, True, &o.gate, NAME)
        try:
            # sized under the gate: o cannot grow meanwhile
            newbits = <uint8_t*>fc_calloc((o.table.mask + 2) // 8 + 1, 1)
            if newbits == NULL:
                raise MemoryError()
            with nogil:
                r = fc_table_merge(&self.table, &o.table, newbits, &where)
            if r == -2:
                k = fc_table_merge_key(&o.table, where)
        finally:
            fc_gate_exit_pair(&self.gate, &o.gate)
            fc_free(newbits)
        if r == -1:
            raise MemoryError("out of memory during merge; the counter is unchanged")
        if r == -2:
            raise OverflowError(f"merge: count of key {k} would leave the signed 64-bit range; "
                                f"the counter is unchanged")

    def reserve(self, Py_ssize_t n):
        """Grow the table now so that ``n`` keys in all fit without resizing."""
        cdef int r
        fc_gate_enter_write(&self.gate, NAME)
        try:
            r = fc_table_reserve(&self.table, n)
        finally:
            fc_gate_exit(&self.gate)
        if r < 0:
            raise MemoryError(f"out of memory reserving room for {n} keys")

    def clear(self):
        """Remove every key and release the table's memory."""
        cdef FCTable fresh
        if fc_table_init(&fresh, 0) < 0:
            raise MemoryError()
        fc_gate_enter_write(&self.gate, NAME)
        fc_table_free(&self.table)
        self.table = fresh
        fc_gate_exit(&self.gate)

    def __setitem__(self, key, n):
        """``h[key] = n``: set the count (the key becomes present)."""
        cdef int64_t k = _scalar(key, "key"), c = _scalar(n, "count")
        cdef int r
        fc_gate_enter_write(&self.gate, NAME)
        try:
            r = fc_table_set(&self.table, k, c)
        finally:
            fc_gate_exit(&self.gate)
        if r < 0:
            raise MemoryError("out of memory adding a key; the counter is unchanged")

    def __delitem__(self, key):
        """``del h[key]``: remove the key; like collections.Counter, no error when absent."""
        self.discard(key)

    def discard(self, key):
        """Remove ``key`` if present (no error when absent)."""
        v = _lookup(key)
        if v is not None:
            fc_gate_enter_write(&self.gate, NAME)
            fc_table_del(&self.table, <int64_t>v)
            fc_gate_exit(&self.gate)

    # -- reading -----------------------------------------------------------

    def __getitem__(self, key):
        """The count of ``key``; 0 when absent."""
        cdef int64_t c
        v = _lookup(key)
        if v is None:
            return 0
        fc_gate_enter_read(&self.gate)
        c = fc_table_get(&self.table, <int64_t>v)
        fc_gate_exit(&self.gate)
        return c

    def get(self, key, default=None):
        """The count of ``key`` if present, else ``default``."""
        cdef int64_t* p
        cdef int64_t c = 0
        v = _lookup(key)
        if v is None:
            return default
        fc_gate_enter_read(&self.gate)
        p = fc_table_find(&self.table, <int64_t>v)
        if p != NULL:
            c = p[0]
        fc_gate_exit(&self.gate)
        return default if p == NULL else c

    def __contains__(self, key):
        """Whether ``key`` is present (False for anything that is not an int64 integer)."""
        cdef bint found
        if fc_is_bool(key):
            return False
        try:
            v = _lookup(key)
        except TypeError:
            return False
        if v is None:
            return False
        fc_gate_enter_read(&self.gate)
        found = fc_table_find(&self.table, <int64_t>v) != NULL
        fc_gate_exit(&self.gate)
        return found

    def __len__(self):
        """The number of present keys."""
        cdef Py_ssize_t n
        fc_gate_enter_read(&self.gate)
        n = fc_table_len(&self.table)
        fc_gate_exit(&self.gate)
        return n

    def __iter__(self):
        """Iterate over the present keys (table order). Changing the set of
        keys while iterating raises RuntimeError."""
        cdef Py_ssize_t pos = 0, n
        cdef int64_t k, c
        cdef FCCell* cells
        cdef bint more
        fc_gate_enter_read(&self.gate)
        cells = self.table.cells
        n = fc_table_len(&self.table)
        fc_gate_exit(&self.gate)
        while True:
            fc_gate_enter_read(&self.gate)
            changed = self.table.cells != cells or fc_table_len(&self.table) != n
            if not changed:
                more = fc_table_next(&self.table, &pos, &k, &c)
            fc_gate_exit(&self.gate)
            if changed:
                raise RuntimeError("HashCounter changed size during iteration")
            if not more:
                return
            yield k

    def total(self):
        """The sum of all counts (a Python int; it may exceed int64)."""
        cdef uint64_t lo
        cdef int64_t hi
        fc_gate_enter_read(&self.gate)
        fc_table_total(&self.table, &lo, &hi)
        fc_gate_exit(&self.gate)
        return (<object>hi << 64) + <object>lo

    def to_arrays(self):
        """``(keys, counts)``: two new int64 numpy arrays, in table order."""
        cdef int64_t[::1] kv, cv
        cdef Py_ssize_t n
        np = _np()
        # held while the arrays are made: their allocation may run a
        # finalizer, which must not add keys the arrays have no room for
        fc_gate_enter_read(&self.gate)
        try:
            n = fc_table_len(&self.table)
            keys = np.empty(n, dtype=np.int64)
            counts = np.empty(n, dtype=np.int64)
            if n:
                kv = keys
                cv = counts
                fc_table_export(&self.table, &kv[0], &cv[0])
        finally:
            fc_gate_exit(&self.gate)
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
        cdef int r
        fc_gate_enter_read(&self.gate)
        try:
            with nogil:
                r = fc_table_copy(&t, &self.table)
        finally:
            fc_gate_exit(&self.gate)
        if r < 0:
            raise MemoryError()
        fc_table_free(&h.table)
        h.table = t
        return h

    def __copy__(self):
        """``copy.copy(h)``: the same as ``h.copy()``."""
        return self.copy()

    def __eq__(self, other):
        """Equal when both hold the same keys with the same counts (order-free)."""
        cdef HashCounter o
        cdef bint equal
        if not isinstance(other, HashCounter):
            return NotImplemented
        o = <HashCounter>other
        fc_gate_enter_pair(&self.gate, False, &o.gate, NAME)
        equal = fc_tables_equal(&self.table, &o.table)
        fc_gate_exit_pair(&self.gate, &o.gate)
        return bool(equal)

    def __ne__(self, other):
        """The negation of ``==``."""
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None

    def __reduce__(self):
        """Pickle as keys and counts, each as bytes of little-endian int64s."""
        keys, counts = self.to_arrays()
        return (_rebuild, (keys.astype("<i8").tobytes(), counts.astype("<i8").tobytes()))

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
        """Bytes of memory held by the table."""
        return (self.table.mask + 1) * sizeof(FCCell)

    def __sizeof__(self):
        """The object plus its table, in bytes."""
        return object.__sizeof__(self) + self.nbytes
