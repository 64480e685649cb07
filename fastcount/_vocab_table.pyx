# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The table behind fastcount.Vocab, in C: words <-> dense ids.

Words live once, as UTF-8 bytes in a single growing arena, with an int64
offsets array (id -> start) and an open-addressing table of 8-byte slots
(32-bit hash tag + id, at most 7/10 full). The bulk primitive
(fc_vocab_intern_batch) interns many words side by side, its probes
prefetched stage by stage in a table beyond the caches.

The interface is declared in _vocab_table.pxd and re-exported by _vocab.pxd.
"""
import secrets

from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.string cimport memcpy, memset

# Memory comes from the native layer's allocator (PyMem_Raw*: seen by
# tracemalloc, so a Vocab's memory shows up where users measure it).
from fastcount._native cimport (fc_advise_huge, fc_calloc, fc_free, fc_grow, fc_prefetch,
                               fc_utf8_invalid_at)

# Grow the slot array when it would be more than 7/10 full: linear probing
# stays at ~2 probes per hit and the table at 8-16 bytes per word.
cdef enum:
    MAX_LOAD_NUM = 7
    MAX_LOAD_DEN = 10
    MIN_SLOTS = 16
    # Slot arrays from this size on (1 MiB) lie beyond the caches: the bulk
    # primitive prefetches every stage of their probes; in a smaller table
    # only the slots (words met once, as in a merge, find them cold in L2).
    PREFETCH_SLOTS = 1 << 17
    # fc_vocab_place hashes this many words ahead of placing them
    PLACE_AHEAD = 16

# Hashes never leave the process (pickles and files hold words, not
# hashes), so the seed is drawn per process, like Python's str hash: text
# chosen to collide for one seed does not collide for the next run.
cdef uint64_t _seed = <uint64_t>secrets.randbits(64)


# ---------------------------------------------------------------- hashing

cdef inline uint64_t _rd64(const unsigned char* p) noexcept nogil:
    cdef uint64_t v
    memcpy(&v, p, 8)  # unaligned-safe; compilers turn it into one load
    return v


cdef inline uint64_t _rd32(const unsigned char* p) noexcept nogil:
    cdef uint32_t v
    memcpy(&v, p, 4)
    return v


cdef uint64_t fc_hash_bytes(const char* utf8, Py_ssize_t n) noexcept nogil:
    return _hash(utf8, n)


cdef uint64_t fc_hash_seed() noexcept nogil:
    return _seed


cdef inline uint64_t _hash(const char* utf8, Py_ssize_t n) noexcept nogil:
    cdef const unsigned char* p = <const unsigned char*>utf8
    cdef Py_ssize_t rem = n
    cdef uint64_t k
    cdef uint64_t h = fc_hash_start(_seed, n)
    while rem > 8:
        h = fc_hash_round(h, _rd64(p))
        p += 8
        rem -= 8
    # 0..8 tail bytes in one word (most words end up here directly).
    if rem >= 4:
        k = (_rd32(p) << 32) | _rd32(p + rem - 4)
    elif rem > 0:
        k = (<uint64_t>p[0] << 16) | (<uint64_t>p[rem >> 1] << 8) | p[rem - 1]
    else:
        k = 0
    return fc_hash_end(h, k)


# ---------------------------------------------------------------- the table

cdef int _reserve_slots(FCVocab* v, uint64_t nslots) noexcept nogil:
    """Move every slot into a fresh array of nslots (a power of two).

    Uses only the stored tags, so no word is rehashed."""
    cdef FCVocabSlot* new = <FCVocabSlot*>fc_calloc(nslots, sizeof(FCVocabSlot))
    cdef uint64_t newmask = nslots - 1
    cdef uint64_t i
    cdef FCVocabSlot s
    if new == NULL:
        return -1
    # huge pages for a big table (before its first touch): its random
    # probes then miss the TLB far less often
    fc_advise_huge(new, nslots * sizeof(FCVocabSlot))
    if v.slots != NULL:
        for i in range(v.mask + 1):
            s = v.slots[i]
            if s.id1 != 0:
                fc_slot_put(new, newmask, s.tag, s.id1)
        fc_free(v.slots)
    v.slots = new
    v.mask = newmask
    return 0


cdef uint64_t _slots_for(int64_t nwords) noexcept nogil:
    cdef uint64_t nslots = MIN_SLOTS
    while <uint64_t>nwords * MAX_LOAD_DEN > nslots * MAX_LOAD_NUM:
        nslots *= 2
    return nslots


cdef int _reserve_offsets(FCVocab* v, int64_t nwords) noexcept nogil:
    # Doubling for appends; exactly the request when it is larger (a load
    # or unpickle that knows its size gets no slack).
    cdef bint fresh = v.offsets == NULL
    if fc_grow(<void**>&v.offsets, &v.offsets_cap, nwords + 1, sizeof(int64_t), 0) < 0:
        return -1
    if fresh:
        v.offsets[0] = 0
    return 0


cdef int _reserve_arena(FCVocab* v, int64_t nbytes) noexcept nogil:
    # At least one byte, so a word's pointer is never NULL (empty words too).
    return fc_grow(<void**>&v.arena, &v.arena_cap, max(nbytes, 1), 1, 0)


cdef int _init_sized(FCVocab* v, int64_t nwords, int64_t nbytes) noexcept nogil:
    memset(v, 0, sizeof(FCVocab))
    if (_reserve_slots(v, _slots_for(nwords)) < 0
            or _reserve_offsets(v, nwords) < 0
            or _reserve_arena(v, nbytes) < 0):
        fc_vocab_free(v)
        return -1
    return 0


cdef int fc_vocab_reserve(FCVocab* v, int64_t words, int64_t nbytes) noexcept nogil:
    if words < 0 or nbytes < 0:
        return 0
    if v.slots == NULL or _slots_for(v.n + words) > v.mask + 1:
        if _reserve_slots(v, _slots_for(v.n + words)) < 0:
            return -1
    if _reserve_offsets(v, v.n + words) < 0 or _reserve_arena(v, v.arena_len + nbytes) < 0:
        return -1
    # a bulk load fills them next: huge pages fault in far fewer times
    fc_advise_huge(v.offsets, v.offsets_cap * sizeof(int64_t))
    fc_advise_huge(v.arena, v.arena_cap)
    return 0


cdef int fc_vocab_init(FCVocab* v, Py_ssize_t expected) noexcept nogil:
    if expected < 0:
        expected = 0
    # 8 bytes: a typical short word (2-3 CJK characters) plus slack.
    return _init_sized(v, expected, expected * 8)


cdef void fc_vocab_free(FCVocab* v) noexcept nogil:
    fc_free(v.arena)
    fc_free(v.offsets)
    fc_free(v.slots)
    memset(v, 0, sizeof(FCVocab))


cdef inline bint _same(const char* a, const char* b, Py_ssize_t n) noexcept nogil:
    """a[:n] == b[:n]; inline word loads, as a memcmp call costs more than
    the compare for typical 2-12 byte words."""
    cdef Py_ssize_t k = 0
    if n >= 8:
        while k + 8 < n:
            if _rd64(<const unsigned char*>a + k) != _rd64(<const unsigned char*>b + k):
                return False
            k += 8
        # the last 8 bytes, overlapping what was compared already
        return _rd64(<const unsigned char*>a + n - 8) == _rd64(<const unsigned char*>b + n - 8)
    if n >= 4:
        return (_rd32(<const unsigned char*>a) == _rd32(<const unsigned char*>b)
                and _rd32(<const unsigned char*>a + n - 4) == _rd32(<const unsigned char*>b + n - 4))
    while k < n:
        if a[k] != b[k]:
            return False
        k += 1
    return True


cdef int64_t fc_vocab_find_hashed(const FCVocab* v, const char* utf8, Py_ssize_t n,
                                  uint64_t h) noexcept nogil:
    return _find(v, utf8, n, h)


cdef inline int64_t _find(const FCVocab* v, const char* utf8, Py_ssize_t n,
                          uint64_t h) noexcept nogil:
    cdef uint32_t tag = <uint32_t>h
    cdef uint64_t i = tag & v.mask
    cdef FCVocabSlot s
    cdef int64_t wid, start
    if v.slots == NULL:
        return -1
    while True:
        s = v.slots[i]
        if s.id1 == 0:
            return -1
        if s.tag == tag:
            wid = s.id1 - 1
            start = v.offsets[wid]
            if (v.offsets[wid + 1] - start == n
                    and _same(v.arena + start, utf8, n)):
                return wid
        i = (i + 1) & v.mask


cdef int64_t fc_vocab_find(const FCVocab* v, const char* utf8, Py_ssize_t n) noexcept nogil:
    return _find(v, utf8, n, _hash(utf8, n))


cdef int64_t fc_vocab_intern_hashed(FCVocab* v, const char* utf8, Py_ssize_t n,
                                    uint64_t h) noexcept nogil:
    cdef int64_t wid = _find(v, utf8, n, h)
    if wid >= 0:
        return wid
    # Bytes from C callers are checked once, when they become a word, so
    # that turning words back into str can trust the arena.
    if n < 0 or fc_utf8_invalid_at(<const unsigned char*>utf8, n, 1) >= 0:
        return -2
    return _add_new(v, utf8, n, h)


cdef int64_t _intern_valid(FCVocab* v, const char* utf8, Py_ssize_t n,
                           uint64_t h) noexcept nogil:
    """fc_vocab_intern_hashed for bytes known to be UTF-8 (encoded here)."""
    cdef int64_t wid = _find(v, utf8, n, h)
    if wid >= 0:
        return wid
    return _add_new(v, utf8, n, h)


cdef int64_t _add_new(FCVocab* v, const char* utf8, Py_ssize_t n, uint64_t h) noexcept nogil:
    """Append a word that is not in v yet; its id, or -1 out of memory / full."""
    cdef uint32_t tag = <uint32_t>h
    cdef int64_t wid
    cdef Py_ssize_t src_off = -1
    if v.n >= FC_VOCAB_MAX_WORDS:
        return -1
    # The bytes may lie in our own arena (a caller passing part of a word
    # back in); the arena can move below, so remember them as an offset.
    if v.arena != NULL and utf8 >= v.arena and utf8 < v.arena + v.arena_cap:
        src_off = utf8 - v.arena
    # Every allocation happens before anything changes, so running out of
    # memory leaves the vocabulary as it was.
    if v.slots == NULL or <uint64_t>(v.n + 1) * MAX_LOAD_DEN > (v.mask + 1) * MAX_LOAD_NUM:
        if _reserve_slots(v, _slots_for(v.n + 1) if v.slots == NULL else (v.mask + 1) * 2) < 0:
            return -1
    if _reserve_offsets(v, v.n + 1) < 0 or _reserve_arena(v, v.arena_len + n) < 0:
        return -1
    if src_off >= 0:
        utf8 = v.arena + src_off
    if n > 0:
        memcpy(v.arena + v.arena_len, utf8, n)
    v.arena_len += n
    wid = v.n
    v.offsets[wid + 1] = v.arena_len
    v.n += 1
    fc_slot_put(v.slots, v.mask, tag, <uint32_t>(wid + 1))
    return wid


cdef int64_t fc_vocab_intern(FCVocab* v, const char* utf8, Py_ssize_t n) noexcept nogil:
    return fc_vocab_intern_hashed(v, utf8, n, _hash(utf8, n))


cdef int64_t fc_vocab_intern_trusted(FCVocab* v, const char* utf8, Py_ssize_t n) noexcept nogil:
    return _intern_valid(v, utf8, n, _hash(utf8, n))


cdef Py_ssize_t fc_vocab_intern_batch(FCVocab* v, const char** ps, const Py_ssize_t* ns,
                                      Py_ssize_t k, int64_t* ids, bint check) noexcept nogil:
    cdef uint64_t hs[FC_BATCH]
    cdef FCVocabSlot slot
    cdef Py_ssize_t j
    cdef int64_t wid
    for j in range(k):
        hs[j] = _hash(ps[j], ns[j])
        if v.slots != NULL:
            fc_prefetch(&v.slots[hs[j] & v.mask])
    if v.slots != NULL and v.mask >= PREFETCH_SLOTS:
        # a slot whose tag matches is (nearly always) the word: its offsets,
        # then its bytes, are what the lookup reads next
        for j in range(k):
            slot = v.slots[hs[j] & v.mask]
            if slot.id1 and slot.tag == <uint32_t>hs[j]:
                fc_prefetch(&v.offsets[slot.id1 - 1])
        for j in range(k):
            slot = v.slots[hs[j] & v.mask]
            if slot.id1 and slot.tag == <uint32_t>hs[j]:
                fc_prefetch(v.arena + v.offsets[slot.id1 - 1])
    for j in range(k):
        wid = _find(v, ps[j], ns[j], hs[j])
        if wid < 0:
            wid = _intern_new(v, ps[j], ns[j], hs[j], check)
            if wid < 0:
                ids[j] = wid
                return j
        ids[j] = wid
    return k


cdef inline int64_t _intern_new(FCVocab* v, const char* p, Py_ssize_t n, uint64_t h,
                                bint check) noexcept nogil:
    """Add a word that is not in v: its id, -1 out of memory / full, -2 not UTF-8."""
    if check and (n < 0 or fc_utf8_invalid_at(<const unsigned char*>p, n, 1) >= 0):
        return -2
    return _add_new(v, p, n, h)


cdef const char* fc_vocab_word(const FCVocab* v, int64_t i, Py_ssize_t* n) noexcept nogil:
    if i < 0 or i >= v.n:
        return NULL
    n[0] = v.offsets[i + 1] - v.offsets[i]
    return v.arena + v.offsets[i]


cdef void fc_vocab_truncate(FCVocab* v, int64_t nwords, uint64_t mask_before) noexcept nogil:
    """Drop the words with ids >= nwords: undoes a failed batch that began
    with nwords words and slot mask mask_before. No allocation, cannot fail."""
    cdef int64_t wid, start
    cdef uint64_t i
    if nwords >= v.n:
        return
    if v.slots != NULL and v.mask == mask_before:
        # The slots did not grow: emptying the new words' slots newest first
        # gives back exactly the old table (with linear probing and no
        # deletions in between, each insert only filled an empty slot).
        for wid in range(v.n - 1, nwords - 1, -1):
            start = v.offsets[wid]
            i = <uint32_t>_hash(v.arena + start, v.offsets[wid + 1] - start) & v.mask
            while v.slots[i].id1 != <uint32_t>(wid + 1):
                i = (i + 1) & v.mask
            v.slots[i].tag = 0
            v.slots[i].id1 = 0
    else:
        # They grew: rebuild them in place from the remaining words.
        memset(v.slots, 0, (v.mask + 1) * sizeof(FCVocabSlot))
        fc_vocab_place(v, 0, nwords)
    v.n = nwords
    v.arena_len = v.offsets[nwords]


cdef void fc_vocab_place(FCVocab* v, int64_t start, int64_t end) noexcept nogil:
    # hashed PLACE_AHEAD words ahead, their home slots prefetched: in a big
    # table each placement is a cache miss, and they do not depend on each other
    cdef uint64_t ring[PLACE_AHEAD]
    cdef uint64_t h
    cdef int64_t i, w
    for i in range(start, end + PLACE_AHEAD):
        if i >= start + PLACE_AHEAD:
            w = i - PLACE_AHEAD
            fc_slot_put(v.slots, v.mask, <uint32_t>ring[w & (PLACE_AHEAD - 1)], <uint32_t>(w + 1))
        if i < end:
            h = _hash(v.arena + v.offsets[i], v.offsets[i + 1] - v.offsets[i])
            ring[i & (PLACE_AHEAD - 1)] = h
            fc_prefetch(&v.slots[<uint32_t>h & v.mask])

cdef int fc_vocab_push(FCVocab* v, const char* utf8, Py_ssize_t n) noexcept nogil:
    if n < 0 or v.n >= FC_VOCAB_MAX_WORDS:
        return -1
    if _reserve_offsets(v, v.n + 1) < 0 or _reserve_arena(v, v.arena_len + n) < 0:
        return -1
    memcpy(v.arena + v.arena_len, utf8, n)
    v.arena_len += n
    v.n += 1
    v.offsets[v.n] = v.arena_len
    return 0


cdef int fc_vocab_seal(FCVocab* v, int64_t start, int64_t room) noexcept nogil:
    # one growth to the final size: moving the placed words' slots by their
    # tags, instead of every doubling re-faulting a fresh array
    cdef uint64_t nslots = _slots_for(v.n + max(room, 0))
    if v.slots == NULL or nslots > v.mask + 1:
        if _reserve_slots(v, nslots) < 0:
            v.n = start
            v.arena_len = v.offsets[start] if v.offsets != NULL else 0
            return -1
    fc_vocab_place(v, start, v.n)
    return 0


cdef int fc_vocab_append_distinct(FCVocab* v, const FCVocab* src) noexcept nogil:
    # src's tags are the low 32 bits of its words' hashes (the seed is per
    # process, not per table): v finds the words at the same tags' homes
    cdef FCVocabSlot ring[PLACE_AHEAD]
    cdef int64_t base = v.n, i, got = 0
    cdef uint64_t s
    cdef FCVocabSlot slot, old
    if src.n == 0:
        return 0
    if src.n > FC_VOCAB_MAX_WORDS - v.n or fc_vocab_reserve(v, src.n, src.arena_len) < 0:
        return -1
    memcpy(v.arena + v.arena_len, src.arena, src.arena_len)
    for i in range(1, src.n + 1):
        v.offsets[base + i] = v.arena_len + src.offsets[i]
    v.arena_len += src.arena_len
    v.n += src.n
    # each word placed PLACE_AHEAD words after its home was prefetched: the
    # homes are random, each one a cache miss, and they do not depend on each other
    for s in range(src.mask + 1):
        slot = src.slots[s]
        if slot.id1 == 0:
            continue
        slot.id1 += <uint32_t>base
        fc_prefetch(&v.slots[slot.tag & v.mask])
        if got >= PLACE_AHEAD:
            old = ring[got & (PLACE_AHEAD - 1)]
            fc_slot_put(v.slots, v.mask, old.tag, old.id1)
        ring[got & (PLACE_AHEAD - 1)] = slot
        got += 1
    for i in range(max(got - PLACE_AHEAD, 0), got):
        old = ring[i & (PLACE_AHEAD - 1)]
        fc_slot_put(v.slots, v.mask, old.tag, old.id1)
    return 0
