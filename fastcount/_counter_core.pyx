# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Storage and hot loops of fastcount.Counter (see fastcount/counter.py).

A key is *encoded* as one int64: a str key is its id in the counter's own
Vocab (>= 0); any other hashable gets a small "object id" ``oid`` from a dict
and is encoded as ``-(oid + 1)`` (< 0). Both kinds of id are dense, so all
per-key state lives in arrays indexed by id, one 32-byte ``Cell`` per id
(count, batch delta, batch mark and slot in the order), 64-byte aligned: a
token costs the Vocab lookup plus one cache line. A list's str tokens are
looked up in runs whose cache misses (hash slot, word bytes, cell) are
prefetched stage by stage, so that they overlap instead of adding up: that is
what keeps the per-token cost from growing with the vocabulary once it
outgrows the CPU caches. Dict order
(insertion order; a deleted key that comes back goes to the end) is kept
apart, as an array of encoded keys with tombstones, like CPython's own dict
entries; a cell's slot points back into it (-1: the key is absent).

Batches (update/subtract from an iterable or a mapping, update_counts) are
transactional: the loop over the input only accumulates deltas in the cells
(a cell belongs to the running batch when its mark is the batch's number,
so nothing needs clearing afterwards) and records the distinct keys in order
of first sight; the counter itself is changed only by the commit, after every
delta has been checked against int64 overflow and every allocation has been
made. An error anywhere before that (an unhashable element, a failing
iterator, a bad count) leaves the counter exactly as it was.
"""
cimport cython
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.unicode cimport PyUnicode_Check
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t, uintptr_t, INT64_MIN
from libc.string cimport memcpy, memmove

from fastcount._native cimport (fc_add_overflows, fc_free, fc_grow, fc_grown_capacity,
                                fc_prefetch, fc_realloc, fc_str_utf8, fc_sub_overflows)
from fastcount._vocab cimport (FCVocab, FCVocabSlot, Vocab, fc_hash_bytes,
                               fc_vocab_find, fc_vocab_find_str, fc_vocab_init,
                               fc_vocab_intern_hashed, fc_vocab_intern_str, fc_vocab_intern_trusted,
                               fc_vocab_reserve, fc_vocab_word, fc_vocab_word_str)

# Marks a deleted entry in the order array (no encoded key is this small).
cdef int64_t TOMB = INT64_MIN
cdef enum:
    # Tokens of a list looked up together (see CounterCore._intern_run), and
    # the room for their UTF-8.
    CHUNK = 32
    CHUNK_BYTES = 2048
    # Vocab table size (slots, 8 bytes each) from which _intern_run prefetches.
    PREFETCH_SLOTS = 1 << 17
    # Words hashed ahead (their slots prefetched) when a pickled counter loads.
    STATE_AHEAD = 16
# Version of the pickled state.
cdef int STATE_VERSION = 2


cdef inline int64_t enc_oid(Py_ssize_t oid) noexcept nogil:
    return -1 - <int64_t>oid


cdef inline Py_ssize_t dec_oid(int64_t enc) noexcept nogil:
    return <Py_ssize_t>(-1 - enc)


cdef struct Cell:
    int64_t count     # the key's count (meaningful while slot >= 0)
    int64_t delta     # the running batch's delta (meaningful while mark is its number)
    int64_t slot      # the key's position in the order, -1 while absent
    uint64_t mark     # number of the last batch that touched the key (0: none)


cdef struct Cells:
    # A growing array of cells aligned to 64 bytes (two per cache line, none
    # straddling two): malloc only promises 16.
    char* raw         # the allocation: the cells plus up to 63 bytes of slack
    Cell* at          # the first cell, inside raw
    Py_ssize_t cap


cdef int grow_cells(Cells* c, Py_ssize_t need) except -1:
    """Make room for at least ``need`` cells; new cells are absent keys.

    Grows by 1/4, as grow_array; realloc keeps the cells at their old offset
    in the allocation, and when the new block's alignment differs (rarely:
    large blocks keep their page offset) they are moved back onto a 64-byte
    boundary."""
    cdef Py_ssize_t i, old = c.cap, off = <char*>c.at - c.raw
    cdef Py_ssize_t new_cap = fc_grown_capacity(old, need, 2)
    cdef char* q = NULL
    if new_cap >= 0 and <size_t>new_cap < (<size_t>-1 - 63) // sizeof(Cell):
        q = <char*>fc_realloc(c.raw, <size_t>new_cap * sizeof(Cell) + 63, 1)
    if q == NULL:
        raise MemoryError("fastcount.Counter: out of memory")
    cdef Cell* at = <Cell*>((<uintptr_t>q + 63) & ~(<uintptr_t>63))
    if <char*>at != q + off:
        memmove(at, q + off, <size_t>old * sizeof(Cell))
    for i in range(old, new_cap):
        at[i].count = at[i].delta = 0
        at[i].slot = -1
        at[i].mark = 0
    c.raw, c.at, c.cap = q, at, new_cap
    return 0


cdef void* grow_array(void* p, Py_ssize_t* cap, Py_ssize_t need, size_t item) except NULL:
    """realloc ``p`` to at least ``need`` items; ``*cap`` is updated.

    Grows by 1/4 (still amortised O(1)): these arrays are per distinct key,
    and doubling would waste up to half of them."""
    if fc_grow(&p, cap, need, item, 2) < 0:
        raise MemoryError("fastcount.Counter: out of memory")
    return p


cdef int64_t as_count(object value, object key) except? -1:
    """A count as int64: an integer (not bool) within the int64 range."""
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"fastcount.Counter counts must be integers, not {type(value).__name__} "
                        f"(count for key {key!r})")
    value = value.__index__()
    if not (-0x8000000000000000 <= value <= 0x7FFFFFFFFFFFFFFF):
        raise OverflowError(f"count {value} for key {key!r} is outside the int64 range "
                            f"(fastcount.Counter counts are 64-bit)")
    return value


@cython.auto_pickle(False)
cdef class CounterCore:
    """Storage of fastcount.Counter: order, counts and keys (internal base class).

    Use ``fastcount.Counter``; the methods here are its building blocks.
    """
    cdef Vocab vocab              # str key <-> id (ids are never reused)
    cdef dict oid_of              # non-str key -> oid
    cdef list oobj                # oid -> key object (None when the oid is free)
    cdef list ofree               # free oids, reused last-in first-out
    cdef int64_t* order           # slot -> encoded key, or TOMB
    cdef Py_ssize_t nslots, order_cap
    cdef Py_ssize_t nlive         # present keys
    cdef Cells vcells             # per vid
    cdef Cells ocells             # per oid
    cdef uint64_t batch           # number of the running (or last) batch, from 1
    cdef int64_t* touched         # distinct keys of the running batch, first sight first
    cdef Py_ssize_t ntouched, touched_cap
    cdef bint busy                # in use by an operation that runs keys' __hash__/__eq__: no changes
    cdef uint64_t layout          # bumped whenever the key set or the order changes

    def __cinit__(self, *args, **kwargs):
        self.vocab = Vocab()
        self.oid_of = {}
        self.oobj = []
        self.ofree = []

    def __dealloc__(self):
        self._free_arrays()

    cdef void _free_arrays(self) noexcept:
        fc_free(self.order)
        fc_free(self.vcells.raw)
        fc_free(self.ocells.raw)
        fc_free(self.touched)
        self.order = self.touched = NULL
        self.vcells.raw = self.ocells.raw = NULL
        self.vcells.at = self.ocells.at = NULL
        self.nslots = self.order_cap = self.nlive = self.vcells.cap = self.ocells.cap = 0
        self.ntouched = self.touched_cap = 0

    # ------------------------------------------------------------ internals

    cdef int _check_idle(self) except -1:
        if self.busy:
            raise RuntimeError("fastcount.Counter cannot change while an operation on it "
                               "runs a key's __hash__ or __eq__")
        return 0

    cdef inline Cell* _cell(self, int64_t enc) noexcept:
        """The cell of an encoded key (valid until the next growth of the cells)."""
        if enc >= 0:
            return &self.vcells.at[enc]
        return &self.ocells.at[dec_oid(enc)]

    cdef inline int64_t _vid(self, int64_t vid) except -2:
        """A vid with its cell made (the Vocab hands out ids the cells may lack)."""
        if vid >= self.vcells.cap:
            grow_cells(&self.vcells, vid + 1)
        return vid

    cdef int64_t _find(self, object key) except? -2:
        """Encoded key if ``key`` is present, else -2**63 (TOMB). Raises for unhashables."""
        cdef int64_t vid
        cdef object oid
        if PyUnicode_Check(key):
            vid = fc_vocab_find_str(self.vocab, <str>key)
            if 0 <= vid < self.vcells.cap and self.vcells.at[vid].slot >= 0:
                return vid
            return TOMB
        oid = self.oid_of.get(key)
        # the lookup may have run a key's __eq__, which may have cleared us
        if (oid is not None and <Py_ssize_t>oid < self.ocells.cap
                and self.ocells.at[<Py_ssize_t>oid].slot >= 0):
            return enc_oid(<Py_ssize_t>oid)
        return TOMB

    cdef int64_t _new_oid(self, object key) except? -2:
        """Give a non-str key an oid (its slot stays -1 until linked)."""
        cdef Py_ssize_t oid
        if self.ofree:
            oid = self.ofree.pop()
            self.oobj[oid] = key
        else:
            oid = len(self.oobj)
            if oid >= self.ocells.cap:
                grow_cells(&self.ocells, oid + 1)
            self.oobj.append(key)
        try:
            self.oid_of[key] = oid
        except BaseException:
            self._free_oid(oid)
            raise
        return enc_oid(oid)

    cdef void _free_oid(self, Py_ssize_t oid) noexcept:
        self.oobj[oid] = None
        self.ofree.append(oid)

    cdef object _decode(self, int64_t enc):
        if enc >= 0:
            return fc_vocab_word_str(self.vocab, enc)
        return self.oobj[dec_oid(enc)]

    cdef int _reserve_slots(self, Py_ssize_t extra) except -1:
        if self.nslots + extra > self.order_cap:
            self.order = <int64_t*>grow_array(self.order, &self.order_cap,
                                              self.nslots + extra, sizeof(int64_t))
        return 0

    cdef void _link(self, int64_t enc, int64_t n) noexcept:
        """Append a new key with count n to the order (room reserved by the caller)."""
        cdef Cell* c = self._cell(enc)
        c.count = n
        c.slot = self.nslots
        self.order[self.nslots] = enc
        self.nslots += 1
        self.nlive += 1
        self.layout += 1

    cdef void _unlink(self, int64_t enc) noexcept:
        """Remove a present key from the order and the counts."""
        cdef Cell* c = self._cell(enc)
        if c.slot < 0:
            return   # already gone (a key's __eq__ deleted it meanwhile)
        self.order[c.slot] = TOMB
        c.slot = -1
        self.nlive -= 1
        self.layout += 1
        while self.nslots and self.order[self.nslots - 1] == TOMB:
            self.nslots -= 1   # keeps popitem O(1)
        if self.nslots - self.nlive > 16 and self.nslots - self.nlive > self.nlive:
            self._compact()

    cdef void _compact(self) noexcept:
        cdef Py_ssize_t i, j = 0
        cdef int64_t enc
        for i in range(self.nslots):
            enc = self.order[i]
            if enc != TOMB:
                self.order[j] = enc
                self._cell(enc).slot = j
                j += 1
        self.nslots = j

    cdef int _delete(self, int64_t enc) except -1:
        cdef Py_ssize_t oid
        cdef object key
        if self._cell(enc).slot < 0:
            return 0   # already gone (a key's __eq__ deleted it meanwhile)
        self._unlink(enc)
        if enc < 0:
            oid = dec_oid(enc)
            key = self.oobj[oid]
            self._free_oid(oid)
            del self.oid_of[key]
        return 0

    # ------------------------------------------------------------ batches

    cdef inline Cell* _touch(self, int64_t enc) except NULL:
        """The cell of enc, in the running batch (delta 0 at first sight)."""
        cdef Cell* c = self._cell(enc)
        if c.mark != self.batch:
            if self.ntouched == self.touched_cap:
                self.touched = <int64_t*>grow_array(self.touched, &self.touched_cap,
                                                    self.ntouched + 1, sizeof(int64_t))
            self.touched[self.ntouched] = enc
            self.ntouched += 1
            c.mark = self.batch
            c.delta = 0
        return c

    cdef void _end_batch(self) noexcept:
        """Forget the batch's key list (the marks expire with the batch number)."""
        self.ntouched = 0
        if self.touched_cap > 65536:
            # a big batch's list is not kept: it would cost 8 bytes per key for good
            fc_free(self.touched)
            self.touched = NULL
            self.touched_cap = 0
        self.busy = False

    cdef int _touch_checked(self, int64_t enc, int64_t n, int64_t sign, Py_ssize_t pos) except -1:
        """Add sign * n (sign 1 or -1) to the batch delta of enc, refusing to
        leave int64; ``pos`` (>= 0) is named in the error."""
        cdef Cell* c
        cdef int64_t r
        where = f" at position {pos}" if pos >= 0 else ""
        if sign < 0:
            if n == INT64_MIN:
                raise OverflowError(f"count for {self._decode(enc)!r} leaves the int64 range "
                                    f"(-({n})){where}")
            n = -n
        c = self._touch(enc)
        if fc_add_overflows(c.delta, n, &r):
            raise OverflowError(f"count for {self._decode(enc)!r} leaves the int64 range "
                                f"({c.delta} + {n}){where}")
        c.delta = r
        return 0

    cdef inline int64_t _enc_for_batch(self, object obj, list new_oids, Py_ssize_t pos) except? -2:
        """Encoded key of obj, creating ids as needed (new oids are recorded)."""
        cdef int64_t vid
        cdef object oid
        if PyUnicode_Check(obj):
            return self._vid(fc_vocab_intern_str(self.vocab, <str>obj))
        try:
            oid = self.oid_of.get(obj)
        except TypeError as e:
            raise TypeError(f"{e} (element at position {pos})") from e
        if oid is not None:
            return enc_oid(<Py_ssize_t>oid)
        vid = self._new_oid(obj)
        new_oids.append(obj)
        return vid

    cdef int64_t _word_from(self, CounterCore src, int64_t e) except -1:
        """The id here (cell made) of word ``e`` of another counter: its
        bytes copied from that Vocab (UTF-8 already), no str made."""
        cdef Py_ssize_t nb
        cdef const char* p = fc_vocab_word(&src.vocab.table, e, &nb)
        cdef int64_t enc = fc_vocab_intern_trusted(&self.vocab.table, p, nb)
        if enc < 0:
            raise MemoryError("fastcount.Counter: out of memory (or the vocabulary is full)")
        return self._vid(enc)

    cdef Py_ssize_t _intern_run(self, list words, Py_ssize_t start, int64_t* encs) except -1:
        """Ids (cells made) of the str run at words[start:], up to CHUNK of them,
        into encs; returns how many (at least 1: words[start] is a str).

        The Vocab lookups of a run are done side by side rather than one after
        the other: every word's hash first, then each stage of the probes
        (hash slot, word offsets, word bytes, counter cell) is prefetched for
        the whole run before the next stage reads it, so that the cache
        misses of a large vocabulary overlap instead of adding up. The
        prefetches only read the Vocab's table as a hint; the lookup itself is
        fc_vocab_intern_hashed. No Python code runs here (strs only), so the
        list cannot change under the pointers kept into its strs.
        """
        cdef const FCVocab* t = &self.vocab.table
        cdef const char* ps[CHUNK]
        cdef Py_ssize_t ns[CHUNK]
        cdef uint64_t hs[CHUNK]
        cdef char buf[CHUNK_BYTES]
        cdef Py_ssize_t k = 0, used = 0, n
        cdef const char* p
        cdef object obj
        if t.slots == NULL or t.mask < PREFETCH_SLOTS:
            # A small table stays in cache: one lookup after the other is faster.
            while k < CHUNK and start + k < PyList_GET_SIZE(words):
                obj = <object>PyList_GET_ITEM(words, start + k)
                if not PyUnicode_Check(obj):
                    break
                encs[k] = self._vid(fc_vocab_intern_str(self.vocab, <str>obj))
                k += 1
            return k
        while k < CHUNK and start + k < PyList_GET_SIZE(words):
            obj = <object>PyList_GET_ITEM(words, start + k)
            if not PyUnicode_Check(obj):
                break
            n = fc_str_utf8(<str>obj, buf + used, CHUNK_BYTES - used, &p)
            if n < 0:
                if k:
                    break   # the next run starts with it
                # longer than the whole buffer: the Vocab encodes it itself
                encs[0] = self._vid(fc_vocab_intern_str(self.vocab, <str>obj))
                return 1
            if p == buf + used:
                used += n
            ps[k], ns[k], hs[k] = p, n, fc_hash_bytes(p, n)
            fc_prefetch(&t.slots[hs[k] & t.mask])
            k += 1
        self._intern_prefetched(ps, ns, hs, k, encs)
        return k

    cdef int _intern_prefetched(self, const char** ps, const Py_ssize_t* ns, const uint64_t* hs,
                                Py_ssize_t k, int64_t* encs) except -1:
        """Ids (cells made) of k words, UTF-8 bytes with their hashes, whose
        hash slots the caller has prefetched: the later stages of the
        probes (word offsets, counter cells, word bytes) are prefetched for
        all k before each next stage reads them."""
        cdef const FCVocab* t = &self.vocab.table
        cdef FCVocabSlot slot
        cdef Py_ssize_t j
        cdef int64_t wid
        for j in range(k):
            slot = t.slots[hs[j] & t.mask]
            if slot.id1 and slot.tag == <uint32_t>hs[j]:
                fc_prefetch(&t.offsets[slot.id1 - 1])
                if slot.id1 <= self.vcells.cap:
                    fc_prefetch(&self.vcells.at[slot.id1 - 1])
        for j in range(k):
            slot = t.slots[hs[j] & t.mask]
            if slot.id1 and slot.tag == <uint32_t>hs[j]:
                fc_prefetch(t.arena + t.offsets[slot.id1 - 1])
        for j in range(k):
            wid = fc_vocab_intern_hashed(&self.vocab.table, ps[j], ns[j], hs[j])
            if wid < 0:   # the bytes are UTF-8: only memory (or a full Vocab) fails
                raise MemoryError("fastcount.Counter: out of memory (or the vocabulary is full)")
            encs[j] = self._vid(wid)
        return 0

    cdef Py_ssize_t _intern_from(self, CounterCore src, Py_ssize_t* pos, int64_t* srcs,
                                 int64_t* encs) except -1:
        """The word keys of ``src`` (another counter) from its order slot
        ``pos[0]`` on, up to CHUNK of them, looked up side by side as
        _intern_run does: their ids here (cells made) into encs, theirs
        into srcs; returns how many, having moved ``pos[0]`` past them and
        past deleted slots (0 when the next key is not a str, or this
        table is small enough to stay in cache)."""
        cdef const FCVocab* t = &self.vocab.table
        cdef const char* ps[CHUNK]
        cdef Py_ssize_t ns[CHUNK]
        cdef uint64_t hs[CHUNK]
        cdef Py_ssize_t k = 0, j = pos[0]
        cdef int64_t e
        if t.slots == NULL or t.mask < PREFETCH_SLOTS:
            return 0
        while k < CHUNK and j < src.nslots:
            e = src.order[j]
            if e == TOMB:
                j += 1
                continue
            if e < 0:
                break
            ps[k] = fc_vocab_word(&src.vocab.table, e, &ns[k])
            hs[k] = fc_hash_bytes(ps[k], ns[k])
            fc_prefetch(&t.slots[hs[k] & t.mask])
            srcs[k] = e
            k += 1
            j += 1
        self._intern_prefetched(ps, ns, hs, k, encs)
        pos[0] = j
        return k

    cdef int _begin(self) except -1:
        self._check_idle()
        self.busy = True
        self.ntouched = 0
        self.batch += 1
        return 0

    cdef void _abort(self, list new_oids) noexcept:
        """Forget the oids a failed batch created (the counter itself is untouched)."""
        cdef object key, oid
        self._end_batch()
        for key in new_oids:
            oid = self.oid_of.pop(key, None)
            if oid is not None:
                self._free_oid(<Py_ssize_t>oid)

    cdef int _commit(self, bint setmode=False) except -1:
        """Apply the batch: check every new count, reserve, then change the counter.

        With ``setmode`` the deltas are the new counts themselves.
        """
        cdef Py_ssize_t i, new = 0
        cdef int64_t enc, r
        cdef Cell* c
        for i in range(self.ntouched):
            c = self._cell(self.touched[i])
            if c.slot < 0:
                new += 1
            elif not setmode and fc_add_overflows(c.count, c.delta, &r):
                raise OverflowError(
                    f"count for {self._decode(self.touched[i])!r} would leave the int64 range "
                    f"({c.count} + {c.delta}); fastcount.Counter counts are 64-bit, the "
                    f"counter is unchanged")
        self._reserve_slots(new)
        # nothing below can fail
        for i in range(self.ntouched):
            enc = self.touched[i]
            c = self._cell(enc)
            if c.slot < 0:
                self._link(enc, c.delta)
            elif setmode:
                c.count = c.delta
            else:
                c.count += c.delta
        self._end_batch()
        return 0

    def _add_iterable(self, iterable, int64_t sign):
        """Count every element of ``iterable`` (+1 or -1 each), all or nothing."""
        cdef list new_oids = []
        cdef Py_ssize_t i = 0, j, k
        cdef object obj
        cdef int64_t enc
        cdef int64_t encs[CHUNK]
        self._begin()
        try:
            if type(iterable) is list:
                # index loop re-reads the size: a key's __hash__ may shrink the list
                while i < PyList_GET_SIZE(iterable):
                    obj = <object>PyList_GET_ITEM(iterable, i)
                    if PyUnicode_Check(obj):
                        k = self._intern_run(<list>iterable, i, encs)
                        for j in range(k):
                            self._touch(encs[j]).delta += sign   # |sign| == 1: no overflow
                        i += k
                    else:
                        self._touch(self._enc_for_batch(obj, new_oids, i)).delta += sign
                        i += 1
            else:
                for obj in iterable:
                    enc = self._enc_for_batch(obj, new_oids, i)
                    self._touch(enc).delta += sign
                    i += 1
            self._commit()
        except BaseException:
            self._abort(new_oids)
            raise

    def _add_pairs(self, keys, const int64_t[::1] counts, int64_t sign):
        """``self[keys[i]] += sign * counts[i]`` for all i, all or nothing.

        ``keys`` is a list or tuple as long as ``counts`` (checked by the caller).
        """
        cdef list new_oids = []
        cdef Py_ssize_t i
        cdef int64_t enc
        cdef object obj
        # a tuple (a copy of a list): a key's __hash__ cannot change it under us
        cdef tuple kt = tuple(keys)
        if len(kt) != counts.shape[0]:
            raise ValueError(f"update_counts: {len(keys)} words but {counts.shape[0]} counts "
                             f"(they must have the same length)")
        self._begin()
        try:
            for i in range(counts.shape[0]):
                obj = kt[i]
                enc = self._enc_for_batch(obj, new_oids, i)
                self._touch_checked(enc, counts[i], sign, i)
            self._commit()
        except BaseException:
            self._abort(new_oids)
            raise

    def _add_mapping(self, mapping, int64_t sign):
        """``self[k] += sign * v`` for every (k, v) of a mapping, all or nothing."""
        cdef list new_oids = []
        cdef Py_ssize_t i = 0, j, k, m
        cdef int64_t enc, e
        cdef int64_t srcs[CHUNK]
        cdef int64_t encs[CHUNK]
        cdef CounterCore src
        cdef bint src_busy
        cdef object key, value
        self._begin()
        try:
            if isinstance(mapping, CounterCore):
                src = <CounterCore>mapping
                src_busy = src.busy
                src.busy = True   # keys' __hash__/__eq__ must not change it meanwhile
                try:
                    j = 0
                    # (src is busy, so keys' __hash__/__eq__ cannot change it)
                    while j < src.nslots:
                        if src is not self:
                            k = self._intern_from(src, &j, srcs, encs)
                            if k:
                                for m in range(k):
                                    self._touch_checked(encs[m], src._cell(srcs[m]).count, sign, -1)
                                i += k
                                continue
                            if j >= src.nslots:
                                break
                        e = src.order[j]
                        j += 1
                        if e == TOMB:
                            continue
                        if e >= 0:
                            if src is self:
                                enc = e
                            else:
                                # word bytes straight from one vocab to the other, no str made
                                enc = self._word_from(src, e)
                        else:
                            enc = self._enc_for_batch(src.oobj[dec_oid(e)], new_oids, i)
                        self._touch_checked(enc, src._cell(e).count, sign, -1)
                        i += 1
                finally:
                    src.busy = src_busy
            else:
                for key, value in mapping.items():
                    enc = self._enc_for_batch(key, new_oids, i)
                    self._touch_checked(enc, as_count(value, key), sign, -1)
                    i += 1
            self._commit()
        except BaseException:
            self._abort(new_oids)
            raise

    def _set_pairs(self, list pairs):
        """``self[k] = v`` for every (k, v) in ``pairs``, all or nothing."""
        cdef list new_oids = []
        cdef Py_ssize_t i = 0
        cdef int64_t enc, n
        self._begin()
        try:
            for key, value in pairs:
                enc = self._enc_for_batch(key, new_oids, i)
                n = as_count(value, key)
                self._touch(enc).delta = n
                i += 1
            self._commit(True)
        except BaseException:
            self._abort(new_oids)
            raise

    def _keep_positive(self):
        """Delete every key whose count is not positive (one pass, one compaction)."""
        cdef Py_ssize_t i, j = 0, oid
        cdef int64_t enc
        cdef Cell* c
        cdef list gone = []
        self._check_idle()
        for i in range(self.nslots):
            enc = self.order[i]
            if enc == TOMB:
                continue
            c = self._cell(enc)
            if c.count > 0:
                self.order[j] = enc
                c.slot = j
                j += 1
                continue
            c.slot = -1
            self.nlive -= 1
            self.layout += 1
            if enc < 0:
                oid = dec_oid(enc)
                gone.append(self.oobj[oid])
                self._free_oid(oid)
        self.nslots = j
        # after the loop: dict deletion may run a key's __eq__, which must not
        # see the order half rewritten
        for key in gone:
            del self.oid_of[key]
        return self

    # ------------------------------------------------------------ mapping protocol

    def __len__(self):
        return self.nlive

    def __contains__(self, key):
        return self._find(key) != TOMB

    def __getitem__(self, key):
        cdef int64_t enc = self._find(key)
        if enc != TOMB:
            return self._cell(enc).count
        return self.__missing__(key)

    def __setitem__(self, key, value):
        cdef int64_t n = as_count(value, key)
        self._check_idle()
        self.busy = True   # a key's __eq__ must not change the counter under us
        try:
            self._set_one(key, n)
        finally:
            self.busy = False

    cdef int _set_one(self, object key, int64_t n) except -1:
        cdef int64_t enc
        cdef bint new_oid = False
        enc = self._find(key)
        if enc != TOMB:
            self._cell(enc).count = n
            return 0
        if PyUnicode_Check(key):
            enc = self._vid(fc_vocab_intern_str(self.vocab, <str>key))
        else:
            # absent, so the key has no oid (batches, which hand out oids
            # ahead of linking, were not running: _check_idle)
            enc = self._new_oid(key)
            new_oid = True
        try:
            self._reserve_slots(1)
        except BaseException:
            if new_oid:
                self._free_oid(dec_oid(enc))
                del self.oid_of[key]
            raise
        self._link(enc, n)
        return 0

    def __delitem__(self, key):
        """Delete ``key``; a missing key is ignored, as collections.Counter does."""
        cdef int64_t enc
        self._check_idle()
        self.busy = True
        try:
            enc = self._find(key)
            if enc != TOMB:
                self._delete(enc)
        finally:
            self.busy = False

    def get(self, key, default=None):
        """The count of ``key`` if present, else ``default`` (no __missing__)."""
        cdef int64_t enc = self._find(key)
        if enc != TOMB:
            return self._cell(enc).count
        return default

    def pop(self, key, *default):
        """Remove ``key`` and return its count; ``default`` (or KeyError) if absent."""
        cdef int64_t enc
        cdef int64_t n
        if len(default) > 1:
            raise TypeError(f"pop expected at most 2 arguments, got {1 + len(default)}")
        enc = self._find(key)
        if enc == TOMB:
            if default:
                return default[0]
            raise KeyError(key)
        self._check_idle()
        n = self._cell(enc).count
        self._delete(enc)
        return n

    def popitem(self):
        """Remove and return the last inserted ``(key, count)`` pair."""
        cdef int64_t enc, n
        cdef object key
        if self.nlive == 0:
            raise KeyError("popitem(): dictionary is empty")
        self._check_idle()
        enc = self.order[self.nslots - 1]   # never a tombstone: they are trimmed
        key = self._decode(enc)
        n = self._cell(enc).count
        self._delete(enc)
        return key, n

    def setdefault(self, key, default=None):
        """The count of ``key``; if absent, set it to ``default`` first."""
        cdef int64_t enc = self._find(key)
        if enc != TOMB:
            return self._cell(enc).count
        self[key] = default
        return default

    def clear(self):
        """Remove every key."""
        self._check_idle()
        self.vocab = Vocab()
        self.oid_of = {}
        self.oobj = []
        self.ofree = []
        self._free_arrays()
        self.layout += 1

    def __iter__(self):
        return _OrderIter(self, 0, False)

    def __reversed__(self):
        return _OrderIter(self, 0, True)

    def _iter(self, int kind, bint reverse):
        """Iterator over keys (kind 0), counts (1) or (key, count) pairs (2)."""
        return _OrderIter(self, kind, reverse)

    def total(self):
        """Sum of the counts (a Python int: no int64 wrap-around)."""
        cdef Py_ssize_t i
        cdef int64_t acc = 0, enc, n, r
        total = 0
        for i in range(self.nslots):
            enc = self.order[i]
            if enc != TOMB:
                n = self._cell(enc).count
                if fc_add_overflows(acc, n, &r):
                    total += acc   # spill into a Python int
                    acc = n
                else:
                    acc = r
        return total + acc

    def _order_counts(self):
        """(encoded keys, counts) of the present keys in order, as bytes of int64."""
        cdef bytes kb = PyBytes_FromStringAndSize(NULL, self.nlive * 8)
        cdef bytes cb = PyBytes_FromStringAndSize(NULL, self.nlive * 8)
        cdef int64_t* k = <int64_t*>PyBytes_AS_STRING(kb)
        cdef int64_t* c = <int64_t*>PyBytes_AS_STRING(cb)
        cdef Py_ssize_t i, j = 0
        cdef int64_t enc
        for i in range(self.nslots):
            enc = self.order[i]
            if enc != TOMB:
                k[j] = enc
                c[j] = self._cell(enc).count
                j += 1
        return kb, cb

    def _pairs(self, const int64_t[:] encs, const int64_t[:] counts):
        """[(key, count)] for encoded keys from _order_counts (a selection of them)."""
        cdef Py_ssize_t i
        return [(self._decode(encs[i]), counts[i]) for i in range(encs.shape[0])]

    # ------------------------------------------------------------ two counters

    cdef int64_t _enc_of(self, CounterCore src, int64_t e) except? -2:
        """This counter's encoded key for src's key ``e`` if present here, else TOMB."""
        cdef const char* p
        cdef Py_ssize_t nb
        cdef int64_t vid
        if src is self:
            return e
        if e >= 0:
            p = fc_vocab_word(&src.vocab.table, e, &nb)
            vid = fc_vocab_find(&self.vocab.table, p, nb)
            if 0 <= vid < self.vcells.cap and self.vcells.at[vid].slot >= 0:
                return vid
            return TOMB
        return self._find(src.oobj[dec_oid(e)])

    cdef int _append_from(self, CounterCore src, int64_t e, int64_t n) except -1:
        """Insert src's key ``e`` (absent here) with count n, at the end."""
        cdef int64_t enc
        self._reserve_slots(1)
        if e >= 0:
            enc = self._word_from(src, e)
        else:
            enc = self._new_oid(src.oobj[dec_oid(e)])
        self._link(enc, n)
        return 0

    def _combine_into(self, CounterCore a, CounterCore b, int op):
        """Fill this new, empty counter with ``a op b`` as collections.Counter
        computes it: a's keys in order, then (for + - |) b's keys that a lacks;
        only positive results are kept. op: 0 +, 1 -, 2 |, 3 &, 4 unary +a,
        5 unary -a (b unused for 4 and 5)."""
        cdef bint busy_a = a.busy, busy_b = b.busy
        self._check_idle()
        # keys' __eq__ may run; none of the three counters may change meanwhile
        self.busy = a.busy = b.busy = True
        try:
            self._combine(a, b, op)
        finally:
            self.busy = False
            a.busy = busy_a
            b.busy = busy_b

    cdef int _combine(self, CounterCore a, CounterCore b, int op) except -1:
        cdef Py_ssize_t j
        cdef int64_t ea, eb, ca, cb, n
        cdef bint ovf
        j = 0
        while j < a.nslots:
            ea = a.order[j]
            j += 1
            if ea == TOMB:
                continue
            ca = a._cell(ea).count
            cb = 0
            if op < 4:
                eb = b._enc_of(a, ea)
                if eb != TOMB:
                    cb = b._cell(eb).count
            ovf = False
            if op == 0:
                ovf = fc_add_overflows(ca, cb, &n)
            elif op == 1:
                ovf = fc_sub_overflows(ca, cb, &n)
            elif op == 2:
                n = cb if ca < cb else ca
            elif op == 3:
                n = ca if ca < cb else cb
            elif op == 4:
                n = ca
            else:
                ovf = ca == INT64_MIN
                n = -ca
            if ovf:
                # + and - overflow upwards exactly when a's count is >= 0, and
                # -INT64_MIN is positive; a result below int64 is dropped, as
                # collections drops every non-positive result
                if op == 5 or ca >= 0:
                    raise OverflowError(f"count for {a._decode(ea)!r} leaves the int64 range; "
                                        f"fastcount.Counter counts are 64-bit")
                continue
            if n > 0:
                self._append_from(a, ea, n)
        if op >= 3:
            return 0
        j = 0
        while j < b.nslots:
            eb = b.order[j]
            j += 1
            if eb == TOMB or a._enc_of(b, eb) != TOMB:
                continue
            cb = b._cell(eb).count
            if op == 1:
                if cb == INT64_MIN:
                    raise OverflowError(f"count for {b._decode(eb)!r} leaves the int64 range; "
                                        f"fastcount.Counter counts are 64-bit")
                cb = -cb
            if cb > 0:
                self._append_from(b, eb, cb)
        return 0

    def _compare(self, CounterCore other, int op):
        """Multiset comparison with missing counts as 0: op 0 ==, 1 <=, 2 >=."""
        cdef bint busy_s = self.busy, busy_o = other.busy
        self.busy = other.busy = True   # keys' __eq__ must not change either
        try:
            return self._cmp(other, op)
        finally:
            self.busy = busy_s
            other.busy = busy_o

    cdef bint _cmp(self, CounterCore other, int op) except -1:
        cdef Py_ssize_t j
        cdef int64_t e, eo, c, co
        cdef CounterCore x, y
        for x, y in ((self, other), (other, self)):
            j = 0
            while j < x.nslots:
                e = x.order[j]
                j += 1
                if e == TOMB:
                    continue
                c = x._cell(e).count
                eo = y._enc_of(x, e)
                co = y._cell(eo).count if eo != TOMB else 0
                if x is other:
                    c, co = co, c
                if (c != co) if op == 0 else (c > co) if op == 1 else (c < co):
                    return False
        return True

    # ------------------------------------------------------------ building from ids

    def _adopt_vocab(self, Vocab vocab not None, const int64_t[::1] counts):
        """Fill this new, empty counter with word ``i`` of ``vocab`` counted
        ``counts[i]`` (zeros skipped), in id order; see Counter.from_vocab.

        The vocab becomes the counter's own when at least half of its words
        are kept; otherwise the kept words' bytes are copied into a fresh one
        (a counter keeping 10 words of a million should not hold the million).
        """
        cdef Py_ssize_t i, n = counts.shape[0], nkeys = 0, nb
        cdef int64_t enc
        cdef const char* p
        cdef Vocab own
        if self.nlive or self.nslots or len(self.vocab):
            raise ValueError("Counter.from_vocab: the counter must be new and empty")
        if n != vocab.table.n:
            raise ValueError(f"Counter.from_vocab: {vocab.table.n} words but {n} counts "
                             f"(counts[i] is the count of word i)")
        for i in range(n):
            if counts[i] < 0:
                raise ValueError(f"Counter.from_vocab: negative count {counts[i]} at index {i} "
                                 f"(word {fc_vocab_word_str(vocab, i)!r})")
            nkeys += counts[i] != 0
        own = vocab if 2 * nkeys >= n else Vocab()
        if own is not vocab and fc_vocab_init(&own.table, nkeys) != 0:
            raise MemoryError("fastcount.Counter: out of memory")
        self.vocab = own
        try:
            grow_cells(&self.vcells, own.table.n if own is vocab else nkeys)
            self._reserve_slots(nkeys)
            for i in range(n):
                if counts[i] == 0:
                    continue
                enc = i
                if own is not vocab:
                    p = fc_vocab_word(&vocab.table, i, &nb)
                    enc = fc_vocab_intern_trusted(&own.table, p, nb)
                    if enc < 0:
                        raise MemoryError("fastcount.Counter: out of memory")
                self._link(enc, counts[i])
        except BaseException:
            self.clear()
            raise

    # ------------------------------------------------------------ pickling

    def _getstate(self):
        """Compact state: (version, words blob, word lengths, length width,
        counts, others).

        The str keys' UTF-8 (surrogatepass) bytes back to back, in order; their
        byte lengths as little-endian unsigned ints of the smallest width (1,
        2, 4 or 8 bytes) that holds them all; every key's count, in order, as
        a zigzag LEB128 varint (1 byte up to 63, 2 up to 8191, ...: word counts
        are mostly small); the non-str keys as a list of (position in the
        order, key).
        """
        cdef Py_ssize_t i, nwords = 0, blob_len = 0, nb, pos = 0
        cdef uint64_t maxlen = 0
        cdef int64_t enc
        cdef Py_ssize_t counts_len = 0
        cdef const char* p
        cdef list others = []
        for i in range(self.nslots):
            enc = self.order[i]
            if enc == TOMB:
                continue
            if enc >= 0:
                fc_vocab_word(&self.vocab.table, enc, &nb)
                blob_len += nb
                nwords += 1
                if <uint64_t>nb > maxlen:
                    maxlen = nb
            else:
                others.append((pos, self.oobj[dec_oid(enc)]))
            counts_len += _varint_len(_zigzag(self._cell(enc).count))
            pos += 1
        cdef int lwidth = _uwidth(maxlen)
        cdef bytes blob = PyBytes_FromStringAndSize(NULL, blob_len)
        cdef bytes lens = PyBytes_FromStringAndSize(NULL, nwords * lwidth)
        cdef bytes counts = PyBytes_FromStringAndSize(NULL, counts_len)
        cdef char* bp = PyBytes_AS_STRING(blob)
        cdef uint8_t* lp = <uint8_t*>PyBytes_AS_STRING(lens)
        cdef uint8_t* cp = <uint8_t*>PyBytes_AS_STRING(counts)
        for i in range(self.nslots):
            enc = self.order[i]
            if enc == TOMB:
                continue
            if enc >= 0:
                p = fc_vocab_word(&self.vocab.table, enc, &nb)
                memcpy(bp, p, nb)
                bp += nb
                _put_le(lp, <uint64_t>nb, lwidth)
                lp += lwidth
            cp = _put_varint(cp, _zigzag(self._cell(enc).count))
        return (STATE_VERSION, blob, lens, lwidth, counts, others)

    def _setstate(self, state):
        """Fill an empty counter from ``_getstate()``'s tuple (validated)."""
        cdef Py_ssize_t i, k = 0, lwidth, nwords, ntotal, boff = 0, nb, nblob
        cdef Py_ssize_t w = 0, ahead = 0, aoff = 0   # words interned, words hashed ahead
        cdef int64_t enc
        cdef uint64_t cnt, h
        cdef uint64_t ring[STATE_AHEAD]
        cdef const uint8_t* lp
        cdef const uint8_t* ap
        cdef const uint8_t* cp
        cdef const uint8_t* cend
        cdef const char* bp
        cdef const FCVocab* t = &self.vocab.table
        if self.nlive or self.nslots:
            raise ValueError("fastcount.Counter state can only be loaded into an empty counter")
        version, blob, lens, lwidth, counts, others = state
        if version != STATE_VERSION or lwidth not in (1, 2, 4, 8):
            raise ValueError(f"unsupported fastcount.Counter pickle state (version {version!r})")
        if type(blob) is not bytes or type(lens) is not bytes or type(counts) is not bytes:
            raise TypeError("fastcount.Counter pickle state: blob, lengths and counts must be bytes")
        others = list(others)
        nwords = len(lens) // lwidth
        ntotal = nwords + len(others)
        if len(lens) % lwidth:
            raise ValueError("fastcount.Counter pickle state: inconsistent array sizes")
        bp = PyBytes_AS_STRING(blob)
        nblob = len(blob)
        lp = ap = <const uint8_t*>PyBytes_AS_STRING(lens)
        cp = <const uint8_t*>PyBytes_AS_STRING(counts)
        cend = cp + len(counts)
        self._reserve_slots(ntotal)
        # The words are normally all new: room for all of them at once, not
        # doubling by doubling.
        if fc_vocab_reserve(&self.vocab.table, nwords, len(blob)) < 0:
            raise MemoryError("fastcount.Counter: out of memory")
        if len(self.vocab) + nwords > self.vcells.cap:
            grow_cells(&self.vcells, len(self.vocab) + nwords)
        try:
            for i in range(ntotal):
                cp = _get_varint(cp, cend, &cnt)
                if cp == NULL:
                    raise ValueError("fastcount.Counter pickle state: bad count encoding")
                if k < len(others) and others[k][0] == i:
                    key = others[k][1]
                    k += 1
                    if PyUnicode_Check(key) or key in self.oid_of:
                        raise ValueError(f"fastcount.Counter pickle state: bad key {key!r}")
                    enc = self._new_oid(key)
                else:
                    # The words' hashes are taken STATE_AHEAD words early and
                    # their table slots prefetched: the words are normally new, so each
                    # lookup would otherwise wait on a cache miss.
                    while ahead < nwords and ahead < w + STATE_AHEAD:
                        nb = <Py_ssize_t>_get_le(ap, lwidth)
                        if nb < 0 or aoff + nb > nblob:
                            break   # the word's own turn below raises
                        ap += lwidth
                        ring[ahead % STATE_AHEAD] = fc_hash_bytes(bp + aoff, nb)
                        fc_prefetch(&t.slots[ring[ahead % STATE_AHEAD] & t.mask])
                        aoff += nb
                        ahead += 1
                    nb = <Py_ssize_t>_get_le(lp, lwidth)
                    lp += lwidth
                    if nb < 0 or boff + nb > nblob:
                        raise ValueError("fastcount.Counter pickle state: word lengths overrun the blob")
                    h = ring[w % STATE_AHEAD] if w < ahead else fc_hash_bytes(bp + boff, nb)
                    w += 1
                    enc = fc_vocab_intern_hashed(&self.vocab.table, bp + boff, nb, h)
                    if enc == -2:
                        raise ValueError("fastcount.Counter pickle state: a word is not UTF-8")
                    if enc < 0:
                        raise MemoryError("fastcount.Counter: out of memory")
                    boff += nb
                    self._vid(enc)
                    if self.vcells.at[enc].slot >= 0:
                        raise ValueError("fastcount.Counter pickle state: repeated word")
                self._link(enc, _unzigzag(cnt))
            if boff != len(blob) or k != len(others) or cp != cend:
                raise ValueError("fastcount.Counter pickle state: inconsistent contents")
        except BaseException:
            self.clear()
            raise


cdef inline int _uwidth(uint64_t v) noexcept:
    """Bytes (1, 2, 4 or 8) needed for an unsigned value."""
    if v < 0x100:
        return 1
    if v < 0x10000:
        return 2
    if v < 0x100000000:
        return 4
    return 8


cdef inline void _put_le(uint8_t* p, uint64_t v, int width) noexcept:
    cdef int j
    for j in range(width):   # little-endian on every host
        p[j] = <uint8_t>(v >> (8 * j))


cdef inline uint64_t _get_le(const uint8_t* p, int width) noexcept:
    cdef uint64_t v = 0
    cdef int j
    for j in range(width):
        v |= (<uint64_t>p[j]) << (8 * j)
    return v


cdef inline uint64_t _zigzag(int64_t v) noexcept:
    # small magnitudes of either sign -> small unsigned values
    return (<uint64_t>v << 1) ^ <uint64_t>(v >> 63)


cdef inline int64_t _unzigzag(uint64_t u) noexcept:
    return <int64_t>(u >> 1) ^ -<int64_t>(u & 1)


cdef inline Py_ssize_t _varint_len(uint64_t u) noexcept:
    cdef Py_ssize_t n = 1
    while u >= 0x80:
        u >>= 7
        n += 1
    return n


cdef inline uint8_t* _put_varint(uint8_t* p, uint64_t u) noexcept:
    while u >= 0x80:
        p[0] = <uint8_t>(u & 0x7F) | 0x80
        u >>= 7
        p += 1
    p[0] = <uint8_t>u
    return p + 1


cdef inline const uint8_t* _get_varint(const uint8_t* p, const uint8_t* end, uint64_t* out) noexcept:
    """Decode one LEB128 varint; NULL when truncated or longer than 64 bits."""
    cdef uint64_t u = 0
    cdef int shift = 0
    while p < end and shift < 64:
        u |= (<uint64_t>(p[0] & 0x7F)) << shift
        if not (p[0] & 0x80):
            out[0] = u
            return p + 1
        p += 1
        shift += 7
    return NULL


@cython.auto_pickle(False)
cdef class _OrderIter:
    """Iterator over a counter's keys, counts or items, in order or reversed."""
    cdef CounterCore c
    cdef Py_ssize_t pos
    cdef Py_ssize_t len0
    cdef uint64_t layout0
    cdef int kind
    cdef bint reverse

    def __cinit__(self, CounterCore c, int kind, bint reverse):
        self.c = c
        self.kind = kind
        self.reverse = reverse
        self.pos = c.nslots - 1 if reverse else 0
        self.len0 = c.nlive
        self.layout0 = c.layout

    def __iter__(self):
        return self

    def __length_hint__(self):
        return self.c.nlive if self.c.layout == self.layout0 else 0

    def __next__(self):
        cdef CounterCore c = self.c
        cdef int64_t enc
        if c.layout != self.layout0:
            # stays broken, like a dict iterator
            if c.nlive != self.len0:
                raise RuntimeError("dictionary changed size during iteration")
            raise RuntimeError("dictionary keys changed during iteration")
        while 0 <= self.pos < c.nslots:
            enc = c.order[self.pos]
            self.pos += -1 if self.reverse else 1
            if enc == TOMB:
                continue
            if self.kind == 0:
                return c._decode(enc)
            if self.kind == 1:
                return c._cell(enc).count
            return (c._decode(enc), c._cell(enc).count)
        raise StopIteration
