# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""fastcount.Counter from and to compact forms: its pickle state, and a
counter built from, or exported as, a Vocab and counts by word id
(Counter.from_vocab, Counter.to_vocab), and a counter of ``(word, tag)``
pairs built from one of ``word + "\\0" + tag`` strs (pairs_from).

The state, version 3: ``(3, arena, lengths, counts, others)``. The str keys
in key order use the Vocab's pickle layout (fastcount._vocab's
fc_vocab_pack: their UTF-8 back to back and their byte lengths as LEB128
varints); every key's count, in key order, is a zigzag LEB128 varint (1 byte
up to 63: word counts are mostly small); the other keys are a list of
(position in the key order, key). Pickles come from disk and from other
machines: every length, position and count is checked before it is used.
"""
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.ref cimport PyObject
from cpython.unicode cimport PyUnicode_Check
from libc.stdint cimport int64_t, uint64_t
from libc.string cimport memcmp, memcpy, memset

from fastcount._counter_core cimport (CounterCore, core_cell, core_enter, core_exit,
                                      core_new_object, core_reset)
from fastcount._counter_slots cimport (cells_grow, object_id_of, order_link, order_next,
                                       order_reserve)
from fastcount._native cimport (fc_alloc, fc_free, fc_gate_enter_read, fc_gate_exit,
                                fc_str_from_valid_utf8, fc_unzigzag, fc_varint_get, fc_varint_put, fc_varint_size,
                                fc_zigzag)
from fastcount._vocab cimport (Vocab, fc_vocab_pack, fc_vocab_unpack, fc_vocab_word,
                               fc_vocab_word_str)

cdef int STATE_VERSION = 3
cdef str BAD = "invalid fastcount.Counter pickle state"


def getstate(CounterCore c not None):
    """The counter's state (see the module docstring)."""
    cdef Py_ssize_t slot, nwords = 0, pos = 0, size = 0
    cdef int64_t key
    cdef int64_t* words
    cdef unsigned char* p
    cdef list others = []
    fc_gate_enter_read(&c.gate)
    try:
        words = <int64_t*>fc_alloc(c.order.live, sizeof(int64_t))
        if words == NULL:
            raise MemoryError("fastcount.Counter: out of memory")
        try:
            slot = 0
            while order_next(&c.order, &slot, &key):
                if key >= 0:
                    words[nwords] = key
                    nwords += 1
                else:
                    others.append((pos, c.objects[object_id_of(key)]))
                size += fc_varint_size(fc_zigzag(core_cell(c, key).count))
                pos += 1
            counts = PyBytes_FromStringAndSize(NULL, size)
            p = <unsigned char*>PyBytes_AS_STRING(counts)
            slot = 0
            while order_next(&c.order, &slot, &key):
                p = fc_varint_put(p, fc_zigzag(core_cell(c, key).count))
            arena, lengths = fc_vocab_pack(&c.vocab.table, words, nwords)
        finally:
            fc_free(words)
    finally:
        fc_gate_exit(&c.gate)
    return (STATE_VERSION, arena, lengths, counts, others)


cdef list _checked_others(object others, Py_ssize_t nwords):
    """The (position, key) entries, checked: 2-tuples, int positions
    increasing within the key order, keys that are not str."""
    cdef Py_ssize_t i, last = -1, total
    if type(others) is not list and type(others) is not tuple:
        raise TypeError(f"{BAD}: the other keys must be a list, not {type(others).__name__}")
    total = nwords + len(others)
    for i, entry in enumerate(others):
        if type(entry) is not tuple or len(<tuple>entry) != 2:
            raise ValueError(f"{BAD}: other key {i} is not a (position, key) pair: {entry!r}")
        position, key = <tuple>entry
        if type(position) is not int or not last < position < total:
            raise ValueError(f"{BAD}: other key {i} has position {position!r}; positions "
                             f"increase within 0..{total - 1}")
        if PyUnicode_Check(key):
            raise ValueError(f"{BAD}: other key {i} is a str ({key!r}); str keys are words")
        last = position
    return list(others)


def setstate(CounterCore c not None, state):
    """Fill an empty counter from getstate()'s tuple; ValueError or TypeError
    naming what is wrong (the counter stays empty)."""
    cdef Py_ssize_t nwords, ntotal, i, k = 0, w = 0, next_other
    cdef const unsigned char* p
    cdef const unsigned char* end
    cdef uint64_t u
    cdef int64_t key
    cdef list others
    if type(state) is not tuple or len(<tuple>state) != 5:
        raise ValueError(f"{BAD}: expected a 5-tuple (version {STATE_VERSION}), got "
                         f"{type(state).__name__}" + (f" of {len(state)}" if type(state) is tuple else ""))
    version, arena, lengths, counts, others_in = <tuple>state
    if version != STATE_VERSION:
        raise ValueError(f"{BAD}: version {version!r} (this fastcount reads version "
                         f"{STATE_VERSION}; pickle the counter again with this version)")
    if type(counts) is not bytes:
        raise TypeError(f"{BAD}: the counts must be bytes, not {type(counts).__name__}")
    core_enter(c)
    try:
        if c.order.live or c.order.n:
            raise ValueError("fastcount.Counter state can only be loaded into an empty counter")
        c.vocab = Vocab()
        try:
            nwords = fc_vocab_unpack(&c.vocab.table, arena, lengths, BAD)
            others = _checked_others(others_in, nwords)
            ntotal = nwords + len(others)
            cells_grow(&c.word_cells, nwords)
            order_reserve(&c.order, ntotal)
            p = <const unsigned char*>PyBytes_AS_STRING(counts)
            end = p + len(<bytes>counts)
            next_other = others[0][0] if others else -1
            for i in range(ntotal):
                p = fc_varint_get(p, end, &u)
                if p == NULL:
                    raise ValueError(f"{BAD}: the count of key {i} is missing, truncated or "
                                     f"over 64 bits")
                if i == next_other:
                    obj = others[k][1]
                    if obj in c.object_ids:
                        raise ValueError(f"{BAD}: other key {k} ({obj!r}) repeats an earlier key")
                    key = core_new_object(c, obj)
                    k += 1
                    next_other = others[k][0] if k < len(others) else -1
                else:
                    key = w   # the word keys come in id order
                    w += 1
                order_link(&c.order, core_cell(c, key), key, fc_unzigzag(u))
            if p != end:
                raise ValueError(f"{BAD}: {end - p} bytes after the last count")
        except BaseException:
            core_reset(c)
            raise
    finally:
        core_exit(c)


def from_vocab(CounterCore c not None, Vocab vocab not None, const int64_t[::1] counts):
    """Fill the new, empty counter c with word ``i`` of ``vocab`` counted
    ``counts[i]`` (zeros skipped), in id order; see Counter.from_vocab.

    The vocab becomes the counter's own when at least half of its words are
    kept; otherwise the kept words are copied into a fresh one (a counter
    keeping 10 words of a million should not hold the million)."""
    cdef Py_ssize_t i, j = 0, n = counts.shape[0], nkeys = 0
    cdef int64_t key, count
    cdef Vocab own
    if c.order.live or c.order.n or len(c.vocab):
        raise ValueError("Counter.from_vocab: the counter must be new and empty")
    if n != vocab.table.n:
        raise ValueError(f"Counter.from_vocab: {vocab.table.n} words but {n} counts "
                         f"(counts[i] is the count of word i)")
    for i in range(n):
        if counts[i] < 0:
            raise ValueError(f"Counter.from_vocab: negative count {counts[i]} at index {i} "
                             f"(word {fc_vocab_word_str(vocab, i)!r})")
        nkeys += counts[i] != 0
    if 2 * nkeys >= n:
        own = vocab
    else:
        import numpy as np

        own = Vocab()
        own.add_from(vocab, np.flatnonzero(counts))   # ids 0 .. nkeys - 1, in order
    # counts may be the caller's array: Python code run since it was read
    # (numpy, the copy, a finalizer, another thread while the gate is
    # awaited) may have written it, or filled c. Checked again under the
    # gate, with each count read once, so that no more keys are linked than
    # the order and the kept words have room for.
    core_enter(c)
    try:
        if c.order.live or c.order.n or c.vocab.table.n:
            raise ValueError("Counter.from_vocab: the counter must be new and empty")
        try:
            if own is not vocab and own.table.n != nkeys:
                _counts_changed()
            c.vocab = own
            cells_grow(&c.word_cells, own.table.n)
            order_reserve(&c.order, nkeys)
            for i in range(n):
                count = counts[i]
                if count:
                    if j == nkeys:
                        _counts_changed()
                    key = i if own is vocab else j   # kept words, in order
                    j += 1
                    order_link(&c.order, core_cell(c, key), key, count)
            if j != nkeys:
                _counts_changed()
        except BaseException:
            core_reset(c)
            raise
    finally:
        core_exit(c)


cdef int _counts_changed() except -1:
    raise RuntimeError("Counter.from_vocab: the counts array changed during the call "
                       "(another thread or a finalizer wrote to it)")


def to_vocab(CounterCore c not None):
    """``(Vocab, int64 counts)`` of c's keys in key order, a copy; see
    Counter.to_vocab. TypeError naming the first key that is not a str."""
    cdef Py_ssize_t slot = 0, n = 0
    cdef int64_t key
    cdef int64_t[::1] id_view, count_view
    import numpy as np

    # held while the arrays are made: a finalizer run by their allocation
    # may read the counter, not change it under the walk
    fc_gate_enter_read(&c.gate)
    try:
        ids = np.empty(c.order.live, dtype=np.int64)
        counts = np.empty(c.order.live, dtype=np.int64)
        id_view = ids
        count_view = counts
        while order_next(&c.order, &slot, &key):
            if key < 0:
                raise TypeError(f"Counter.to_vocab: key {n} ({c.objects[object_id_of(key)]!r:.80}) "
                                f"is not a str; a Vocab holds str keys only")
            id_view[n] = key
            count_view[n] = core_cell(c, key).count
            n += 1
        vocab = Vocab()
        vocab.add_from(c.vocab, ids)
    finally:
        fc_gate_exit(&c.gate)
    return vocab, counts


cdef struct TagSlot:
    char tail_bytes[8]          # a tail of up to 7 bytes, zero-padded, its length in the last byte
    PyObject* tail              # its str (a reference owned by pairs_from's list); NULL: empty


# jieba has about 60 tags: room for them all, by linear probing
cdef enum:
    N_TAG_SLOTS = 128


cdef inline TagSlot* tag_slot(TagSlot* tags, const char* tail_bytes, uint64_t i) noexcept:
    """The slot of a short tail: its own, or the empty one to fill; NULL when full."""
    cdef int k
    for k in range(N_TAG_SLOTS):
        if tags[i].tail == NULL or memcmp(tags[i].tail_bytes, tail_bytes, 8) == 0:
            return &tags[i]
        i = (i + 1) % N_TAG_SLOTS
    return NULL


def pairs_from(CounterCore c not None, CounterCore src not None):
    """Fill the new, empty counter c with src's keys as pairs, in src's
    order and with its counts: each key, a str ``head + "\\0" + tail``, as
    the tuple ``(head, tail)``, split at its last NUL (``key.rsplit("\\0",
    1)``). Equal short tails (tags) share one str. TypeError for a key that
    is not a str, ValueError for one without a NUL (c stays empty)."""
    cdef Py_ssize_t slot = 0, n, cut, n_tail, pos = 0
    cdef int64_t key, pair_key
    cdef const char* p
    cdef char[8] tail_bytes
    cdef uint64_t h
    cdef TagSlot[N_TAG_SLOTS] tags
    cdef TagSlot* t
    cdef list owned = []            # the shared tails' references
    cdef str head, tail
    if c is src or c.order.live or c.order.n or len(c.vocab):
        raise ValueError("pairs_from: the counter must be new and empty")
    memset(tags, 0, sizeof(tags))
    fc_gate_enter_read(&src.gate)
    try:
        core_enter(c)
        try:
            # again under the gate: another thread may have filled c while
            # this one waited for src's gate
            if c.order.live or c.order.n or c.vocab.table.n:
                raise ValueError("pairs_from: the counter must be new and empty")
            try:
                cells_grow(&c.object_cells, src.order.live)
                order_reserve(&c.order, src.order.live)
                while order_next(&src.order, &slot, &key):
                    if key < 0:
                        raise TypeError(f"pairs_from: key {pos} ({src.objects[object_id_of(key)]!r:.80}) "
                                        f"is not a str")
                    p = fc_vocab_word(&src.vocab.table, key, &n)
                    cut = n - 1    # tails are short: the last NUL is near the end
                    while cut >= 0 and p[cut] != 0:
                        cut -= 1
                    if cut < 0:
                        raise ValueError(f"pairs_from: key {pos} ({fc_vocab_word_str(src.vocab, key)!r:.80}) "
                                         f"holds no NUL")
                    head = fc_str_from_valid_utf8(<const unsigned char*>p, cut)
                    n_tail = n - cut - 1
                    t = NULL
                    if n_tail < 8:
                        memset(tail_bytes, 0, 8)
                        memcpy(tail_bytes, p + cut + 1, n_tail)
                        tail_bytes[7] = <char>n_tail
                        memcpy(&h, tail_bytes, 8)
                        t = tag_slot(tags, tail_bytes, (h * <uint64_t>0x9E3779B97F4A7C15) >> 57)
                    if t != NULL and t.tail != NULL:
                        tail = <str>t.tail
                    else:
                        tail = fc_str_from_valid_utf8(<const unsigned char*>p + cut + 1, n_tail)
                        if t != NULL:
                            owned.append(tail)
                            memcpy(t.tail_bytes, tail_bytes, 8)
                            t.tail = <PyObject*>tail
                    pair_key = core_new_object(c, (head, tail))
                    order_link(&c.order, core_cell(c, pair_key), pair_key, core_cell(src, key).count)
                    pos += 1
            except BaseException:
                core_reset(c)
                raise
        finally:
            core_exit(c)
    finally:
        fc_gate_exit(&src.gate)
