# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The n-gram table (exact bytes -> count) and the sorted runs it spills to.

One job: the data structure of :class:`fastcount._ngrams.NgramTable`, in
C: insertion and growth (lookups are inline in ``_ngram_table.pxd``), the
memory it holds and would hold, the in-place sort into byte order, and
writing a run file (layout in ``_ngram_table.pxd``). Every function is
``nogil`` and touches no Python object.
"""

from libc.errno cimport EINVAL, ENOMEM, errno
from libc.stdint cimport int64_t, uint16_t, uint32_t, uint64_t
from libc.stdio cimport _IONBF, fclose, fopen, fwrite, remove, setvbuf
from libc.string cimport memcmp, memcpy, memset

from fastcount._native cimport (fc_add_overflows, fc_advise_huge, fc_alloc, fc_calloc, fc_free,
                               fc_grow, fc_grown_capacity, fc_prefetch, fc_realloc,
                               fc_varint_put)
from fastcount._vocab cimport (FCVocabSlot, fc_hash_bytes, fc_vocab_intern_hashed,
                              fc_vocab_reserve)

cdef enum:
    # ng_intern_into hashes this many keys ahead, prefetching their slots
    INTERN_AHEAD = 16
    MIN_SLOTS = 16
    # entry arrays from this size on are moved to a new allocation to grow,
    # room for ENTRIES_AHEAD times the entries they must hold
    HUGE_ENTRIES = 4 << 20
    ENTRIES_AHEAD = 2
    WRITE_BUFFER = 1 << 20
    # the radix sort: buckets per byte (one more for "the key ended"), the
    # bucket size below which comparisons are faster, and the prefix length
    # beyond which they take over (bounds the recursion, and the stack)
    RADIX = 257
    RADIX_MIN = 48
    RADIX_DEPTH = 16
    RADIX_AHEAD = 16
    # the radix sort's digit scratch holds at least this many entries' digits
    DIGITS_MIN = 1 << 16
    # a run writer copies keys of up to this many bytes by fixed-size copies
    SHORT_KEY = 16


cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define ng_ctz64(x) ((Py_ssize_t)__builtin_ctzll(x))
    #else
    static Py_ssize_t ng_ctz64(unsigned long long x) {
        Py_ssize_t i = 0;
        while (!(x & 1)) { x >>= 1; i++; }
        return i;
    }
    #endif
    """
    # trailing zero bits of x (x != 0)
    Py_ssize_t ng_ctz64(uint64_t x) noexcept nogil


# ---------------------------------------------------------------- growth

cdef inline uint64_t _slots_for(int64_t n, uint64_t now) noexcept nogil:
    """Slots (a power of two) for n entries at most 7/10 full, from ``now``."""
    cdef uint64_t s = now if now else MIN_SLOTS
    while <uint64_t>n * 10 > s * 7:
        s *= 2
    return s


cdef inline int64_t _entries_for(int64_t n, int64_t cap) noexcept nogil:
    # by a quarter: the entries are most of the table, and live long
    return cap if n <= cap else fc_grown_capacity(cap, n, 2)


cdef inline int64_t _arena_for(int64_t need, int64_t cap) noexcept nogil:
    return cap if need <= cap else fc_grown_capacity(cap, need, 0)


cdef int64_t ng_held(const NgTable* t) noexcept nogil:
    cdef int64_t slots = (t.mask + 1) if t.slots != NULL else 0
    return slots * sizeof(NgSlot) + t.cap * sizeof(NgEntry) + t.arena_cap


cdef int64_t ng_peak_after_insert(const NgTable* t, Py_ssize_t n) noexcept nogil:
    cdef int64_t peak = ng_held(t)
    cdef uint64_t slots = (t.mask + 1) if t.slots != NULL else 0
    cdef uint64_t want = _slots_for(t.n + 1, slots)
    if want != slots:
        peak += want * sizeof(NgSlot)
    if t.n + 1 > t.cap:
        peak += _entries_for(t.n + 1, t.cap) * sizeof(NgEntry)
    if n > NG_INLINE and t.arena_len + n > t.arena_cap:
        peak += _arena_for(t.arena_len + n, t.arena_cap)
    return peak


cdef int _rehash(NgTable* t, uint64_t nslots) noexcept nogil:
    """Move every slot into a fresh array of nslots; the tags say where."""
    cdef NgSlot* fresh = <NgSlot*>fc_calloc(nslots, sizeof(NgSlot))
    cdef uint64_t i, j, mask = nslots - 1
    if fresh == NULL:
        return -1
    # before the first touch: pages already touched stay small
    fc_advise_huge(fresh, nslots * sizeof(NgSlot))
    if t.slots != NULL:
        for i in range(t.mask + 1):
            if t.slots[i].id1 != 0:
                j = t.slots[i].tag & mask
                while fresh[j].id1 != 0:
                    j = (j + 1) & mask
                fresh[j] = t.slots[i]
        fc_free(t.slots)
    t.slots = fresh
    t.mask = mask
    return 0


cdef int64_t ng_insert(NgTable* t, const unsigned char* key, Py_ssize_t n, uint64_t h) noexcept nogil:
    cdef uint64_t slots = (t.mask + 1) if t.slots != NULL else 0
    cdef uint64_t want, i
    cdef int64_t cap, room, id
    cdef NgEntry* ents
    cdef unsigned char* arena
    cdef NgEntry* e
    cdef uint64_t off
    if t.n >= NG_MAX_ENTRIES:
        return -1
    # every allocation first: out of memory leaves the table as it was
    want = _slots_for(t.n + 1, slots)
    if want != slots and _rehash(t, want) < 0:
        return -1
    cap = _entries_for(t.n + 1, t.cap)
    if cap > t.room:
        if cap * <int64_t>sizeof(NgEntry) < HUGE_ENTRIES:
            ents = <NgEntry*>fc_realloc(t.ents, cap, sizeof(NgEntry))
            if ents == NULL:
                return -1
            t.room = cap
        else:
            # a new array asks for huge pages before the copy touches it
            # (a realloc's result is mapped before any advice could come):
            # the lookups read entries at random. It is reserved further
            # ahead than cap, so that fewer growth steps copy; the pages
            # beyond the entries are not touched (not resident) until used
            room = cap * ENTRIES_AHEAD
            ents = <NgEntry*>fc_alloc(room, sizeof(NgEntry))
            if ents == NULL:
                room = cap
                ents = <NgEntry*>fc_alloc(room, sizeof(NgEntry))
                if ents == NULL:
                    return -1
            fc_advise_huge(ents, room * sizeof(NgEntry))
            memcpy(ents, t.ents, t.n * sizeof(NgEntry))
            fc_free(t.ents)
            t.room = room
        t.ents = ents
    t.cap = cap
    if n > NG_INLINE:
        cap = _arena_for(t.arena_len + n, t.arena_cap)
        if cap != t.arena_cap:
            arena = <unsigned char*>fc_realloc(t.arena, cap, 1)
            if arena == NULL:
                return -1
            t.arena = arena
            t.arena_cap = cap
    id = t.n
    e = &t.ents[id]
    memset(e.key, 0, NG_INLINE)
    e.len = <uint32_t>n
    e.count = 1
    if n <= NG_INLINE:
        memcpy(e.key, key, n)
    else:
        off = <uint64_t>t.arena_len
        memcpy(e.key, key, 4)
        memcpy(e.key + 4, &off, 8)
        memcpy(t.arena + t.arena_len, key, n)
        t.arena_len += n
    t.n += 1
    i = h & t.mask
    while t.slots[i].id1 != 0:
        i = (i + 1) & t.mask
    t.slots[i].tag = <uint32_t>h
    t.slots[i].id1 = <uint32_t>(id + 1)
    return id


cdef void ng_clear_sorted(NgTable* t) noexcept nogil:
    t.n = 0
    t.arena_len = 0


cdef void ng_fit(NgTable* t, int64_t limit) noexcept nogil:
    cdef double key_bytes = <double>t.arena_len / t.n if t.n > 0 else 0.0
    cdef uint64_t s = MIN_SLOTS, slots = 0
    cdef int64_t e, ents = 0, arena
    cdef int64_t now = min(t.cap, <int64_t>((t.mask + 1) * 7 // 10)) if t.slots != NULL else 0
    cdef uint64_t seed = t.seed
    # the slot count (a power of two) that leaves room for the most entries,
    # each with its share of the arena as the spilled keys had
    while <int64_t>(s * sizeof(NgSlot)) < limit:
        e = min(<int64_t>(s * 7 // 10), <int64_t>(NG_MAX_ENTRIES),
                <int64_t>((limit - <int64_t>(s * sizeof(NgSlot))) / (sizeof(NgEntry) + key_bytes)))
        if e > ents:
            ents = e
            slots = s
        s *= 2
    if ents <= now:
        ng_clear_sorted(t)
        return
    # the old arrays go first, so the new ones never add to them
    ng_free(t)
    t.seed = seed
    arena = limit - <int64_t>(slots * sizeof(NgSlot)) - ents * <int64_t>sizeof(NgEntry)
    t.slots = <NgSlot*>fc_calloc(slots, sizeof(NgSlot))
    t.ents = <NgEntry*>fc_alloc(ents, sizeof(NgEntry))
    t.arena = <unsigned char*>fc_alloc(arena, 1) if arena > 0 else NULL
    if t.slots == NULL or t.ents == NULL or (arena > 0 and t.arena == NULL):
        ng_free(t)  # empty without arrays: inserting allocates them as it would
        t.seed = seed
        return
    t.mask = slots - 1
    t.cap = t.room = ents
    t.arena_cap = arena if arena > 0 else 0
    fc_advise_huge(t.slots, slots * sizeof(NgSlot))
    fc_advise_huge(t.ents, ents * sizeof(NgEntry))


cdef void ng_free(NgTable* t) noexcept nogil:
    fc_free(t.slots)
    fc_free(t.ents)
    fc_free(t.arena)
    memset(t, 0, sizeof(NgTable))


cdef int ng_intern_into(FCVocab* v, const NgTable* t, int64_t start, int64_t end,
                        int64_t* counts) noexcept nogil:
    cdef uint64_t ring[INTERN_AHEAD]
    cdef const NgEntry* e
    cdef int64_t i, id, n = end - start, nbytes = 0
    for i in range(start, end):
        nbytes += t.ents[i].len
    # room first, so the slots do not move under the prefetches
    if fc_vocab_reserve(v, n, nbytes) < 0:
        return -1
    for i in range(n + INTERN_AHEAD):
        # the key hashed INTERN_AHEAD keys ago first: its hash's place is next
        if i >= INTERN_AHEAD:
            e = &t.ents[start + i - INTERN_AHEAD]
            id = fc_vocab_intern_hashed(v, <const char*>ng_key(t, e), e.len,
                                        ring[i & (INTERN_AHEAD - 1)])
            if id < 0:
                return -1
            if fc_add_overflows(counts[id], e.count, &counts[id]):
                return -2
        if i < n:
            e = &t.ents[start + i]
            ring[i & (INTERN_AHEAD - 1)] = fc_hash_bytes(<const char*>ng_key(t, e), e.len)
            fc_prefetch(&v.slots[ring[i & (INTERN_AHEAD - 1)] & v.mask])
    return 0


cdef int ng_to_vocab(FCVocab* v, NgTable* t, int64_t* counts, bint take) noexcept nogil:
    cdef int64_t i, off = 0, nbytes = 0
    cdef uint64_t nslots = t.mask + 1
    cdef const NgEntry* e
    cdef FCVocabSlot* slots
    for i in range(t.n):
        nbytes += t.ents[i].len
    # NG_INLINE bytes of slack: a short key is copied as its whole inline field
    if fc_vocab_reserve(v, t.n, nbytes + NG_INLINE) < 0:
        return -1
    # the same layout (tag, id + 1) and the same places: a Vocab finds them
    if take:
        fc_free(v.slots)
        v.slots = <FCVocabSlot*>t.slots
        v.mask = t.mask
        t.slots = NULL
        t.mask = 0
    else:
        if v.mask != t.mask:
            slots = <FCVocabSlot*>fc_alloc(nslots, sizeof(FCVocabSlot))
            if slots == NULL:
                return -1
            fc_advise_huge(slots, nslots * sizeof(FCVocabSlot))
            fc_free(v.slots)
            v.slots = slots
            v.mask = t.mask
        memcpy(v.slots, t.slots, nslots * sizeof(FCVocabSlot))
    # the keys are whole characters of text encoded or checked as UTF-8
    # (surrogatepass) when fed: what a Vocab's arena must hold
    for i in range(t.n):
        e = &t.ents[i]
        off += ng_copy_key(v.arena + off, t, e)
        v.offsets[i + 1] = off
        counts[i] = e.count
    v.n = t.n
    v.arena_len = off
    return 0


# ---------------------------------------------------------------- sorting

cdef inline uint64_t _be(const unsigned char* p, int width) noexcept nogil:
    cdef uint64_t x = 0
    cdef int k
    for k in range(width):
        x = (x << 8) | p[k]
    return x


cdef inline int _cmp(const NgTable* t, const NgEntry* a, const NgEntry* b) noexcept nogil:
    """Byte order of two entries' keys (never equal: the keys are distinct)."""
    cdef uint64_t x, y
    cdef Py_ssize_t m
    cdef int r
    # the first 4 bytes are inline in every entry (zero-padded when shorter)
    x = _be(a.key, 4)
    y = _be(b.key, 4)
    if x != y:
        return -1 if x < y else 1
    if a.len <= NG_INLINE and b.len <= NG_INLINE:
        x = _be(a.key + 4, 8)
        y = _be(b.key + 4, 8)
        if x != y:
            return -1 if x < y else 1
    else:
        m = min(a.len, b.len)
        r = memcmp(ng_key(t, a), ng_key(t, b), m)
        if r != 0:
            return r
    # equal up to the shorter one (zero padding included): shorter first
    return (a.len > b.len) - (a.len < b.len)


cdef inline void _swap(NgEntry* a, NgEntry* b) noexcept nogil:
    cdef NgEntry x = a[0]
    a[0] = b[0]
    b[0] = x


cdef void _sift_down(const NgTable* t, NgEntry* a, Py_ssize_t root, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t child
    while 2 * root + 1 < n:
        child = 2 * root + 1
        if child + 1 < n and _cmp(t, &a[child], &a[child + 1]) < 0:
            child += 1
        if _cmp(t, &a[root], &a[child]) >= 0:
            return
        _swap(&a[root], &a[child])
        root = child


cdef void _heap_sort(const NgTable* t, NgEntry* a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n // 2 - 1, -1, -1):
        _sift_down(t, a, i, n)
    for i in range(n - 1, 0, -1):
        _swap(&a[0], &a[i])
        _sift_down(t, a, 0, i)


cdef void _intro_sort(const NgTable* t, NgEntry* a, Py_ssize_t n, int depth) noexcept nogil:
    cdef Py_ssize_t i, j, mid
    cdef NgEntry pivot, x
    while n > 16:
        if depth == 0:
            _heap_sort(t, a, n)
            return
        depth -= 1
        mid = n // 2
        # median of three into a[mid]
        if _cmp(t, &a[mid], &a[0]) < 0:
            _swap(&a[mid], &a[0])
        if _cmp(t, &a[n - 1], &a[mid]) < 0:
            _swap(&a[n - 1], &a[mid])
            if _cmp(t, &a[mid], &a[0]) < 0:
                _swap(&a[mid], &a[0])
        pivot = a[mid]
        i = -1
        j = n
        while True:  # Hoare's partition: a[:j + 1] <= pivot <= a[j + 1:]
            i += 1
            while _cmp(t, &a[i], &pivot) < 0:
                i += 1
            j -= 1
            while _cmp(t, &a[j], &pivot) > 0:
                j -= 1
            if i >= j:
                break
            _swap(&a[i], &a[j])
        j += 1
        # the smaller side by recursion, the larger one by this loop
        if j < n - j:
            _intro_sort(t, a, j, depth)
            a += j
            n -= j
        else:
            _intro_sort(t, a + j, n - j, depth)
            n = j
    for i in range(1, n):
        x = a[i]
        j = i
        while j > 0 and _cmp(t, &x, &a[j - 1]) < 0:
            a[j] = a[j - 1]
            j -= 1
        a[j] = x


cdef inline int _digit(const NgTable* t, const NgEntry* e, Py_ssize_t d) noexcept nogil:
    """The radix sort's bucket of e at byte d: 0 past the key's end, else 1 + the byte."""
    if d >= e.len:
        return 0
    if e.len <= NG_INLINE or d < 4:
        return 1 + e.key[d]
    return 1 + ng_key(t, e)[d]


cdef inline uint64_t _word_at(const NgTable* t, const NgEntry* e, Py_ssize_t d) noexcept nogil:
    """Bytes d to d + 8 of e's key, big-endian, zero-padded past its end."""
    cdef Py_ssize_t avail
    if e.len <= NG_INLINE:  # the inline field is zero-padded to NG_INLINE bytes
        avail = min(<Py_ssize_t>8, NG_INLINE - d)
        if avail == 8:
            return _be(e.key + d, 8)
        return _be(e.key + d, avail) << (8 * (8 - avail)) if avail > 0 else 0
    avail = min(<Py_ssize_t>8, <Py_ssize_t>e.len - d)
    if avail == 8:
        return _be(ng_key(t, e) + d, 8)
    return _be(ng_key(t, e) + d, avail) << (8 * (8 - avail)) if avail > 0 else 0


cdef void _leaf_sort(const NgTable* t, NgEntry* a, Py_ssize_t n, Py_ssize_t d) noexcept nogil:
    """Sort a[:n] (n <= RADIX_MIN), whose keys share their first d bytes:
    by insertion of their next 8 bytes as one word each (kept in registers
    and a small array, not compared byte by byte through the entries), ties
    by _cmp; then each entry moved once."""
    cdef uint64_t word[RADIX_MIN]
    cdef uint16_t order[RADIX_MIN]
    cdef NgEntry moved[RADIX_MIN]
    cdef Py_ssize_t i, j
    cdef uint64_t x
    cdef uint16_t k
    for i in range(n):
        x = _word_at(t, &a[i], d)
        j = i
        while j > 0 and (x < word[j - 1] or (
                x == word[j - 1] and _cmp(t, &a[i], &a[order[j - 1]]) < 0)):
            word[j] = word[j - 1]
            order[j] = order[j - 1]
            j -= 1
        word[j] = x
        order[j] = <uint16_t>i
    for i in range(n):
        k = order[i]
        moved[i] = a[k]
    memcpy(a, moved, n * sizeof(NgEntry))


cdef void _radix_sort(const NgTable* t, NgEntry* a, Py_ssize_t n, Py_ssize_t d,
                      uint16_t* digits, Py_ssize_t room, NgEntry* spare,
                      Py_ssize_t spare_n) noexcept nogil:
    """Sort a[:n], whose keys share their first d bytes: by byte d, then
    each bucket by the next byte; small buckets, and keys sharing long
    prefixes, by comparisons. digits: scratch for the digits of up to room
    entries (or NULL); spare: for up to spare_n entries (or NULL), where
    they are distributed and copied back, in place (American flag sort)
    when more: its moves depend on each other, a distribution's do not."""
    cdef Py_ssize_t count[RADIX]
    cdef Py_ssize_t nxt[RADIX]
    cdef Py_ssize_t i, pos
    cdef int b, c, lo, hi
    # past the inline bytes a long key's digit is in the arena, in no order:
    # read once (prefetched) by the counting pass, kept for the moves
    cdef bint kept = digits != NULL and n <= room
    if n <= RADIX_MIN or d >= RADIX_DEPTH:
        if d >= 4:
            for i in range(n):
                if a[i].len > NG_INLINE:
                    fc_prefetch(ng_key(t, &a[i]))
        if n <= RADIX_MIN:
            _leaf_sort(t, a, n, d)
        else:
            _intro_sort(t, a, n, _depth_for(n))
        return
    memset(count, 0, sizeof(count))
    lo = RADIX
    hi = 0
    for i in range(n):
        if d >= 4 and i + RADIX_AHEAD < n and a[i + RADIX_AHEAD].len > NG_INLINE:
            fc_prefetch(ng_key(t, &a[i + RADIX_AHEAD]))
        c = _digit(t, &a[i], d)
        if kept:
            digits[i] = <uint16_t>c
        count[c] += 1
        lo = min(lo, c)
        hi = max(hi, c)
    # the passes over the buckets skip the empty ones around the digits'
    # range (a UTF-8 continuation byte has 64 values, a lead byte a few)
    pos = 0
    for b in range(lo, hi + 1):
        nxt[b] = pos
        pos += count[b]
    if lo < hi and n <= spare_n:
        for i in range(n):
            c = digits[i] if kept else _digit(t, &a[i], d)
            spare[nxt[c]] = a[i]
            nxt[c] += 1
        memcpy(a, spare, n * sizeof(NgEntry))
    elif lo < hi:  # (one bucket: nothing moves)
        _flag_pass(t, a, d, digits, kept, count, nxt, lo, hi)
    # bucket 0 holds at most one key (keys are distinct): it ended at d
    pos = count[0]
    for b in range(max(lo, 1), hi + 1):
        if count[b] > 1:
            _radix_sort(t, a + pos, count[b], d + 1, digits, room, spare, spare_n)
        pos += count[b]


cdef void _flag_pass(const NgTable* t, NgEntry* a, Py_ssize_t d, const uint16_t* digits,
                     bint kept, const Py_ssize_t* count, Py_ssize_t* nxt, int lo,
                     int hi) noexcept nogil:
    """_radix_sort's moves in place: entries with digit b (at byte d) to
    their places from nxt[b] on (count[b] of them)."""
    cdef Py_ssize_t i, j, pos = 0, stop
    cdef int b, c, e
    cdef NgEntry v, w
    # each entry goes straight to the next free place of its bucket; the
    # places from nxt[c] on still hold their first entries, so digits[nxt[c]]
    # is the digit of the entry there
    # (digits are read from the array, never from the entry in hand, which
    # then stays in registers instead of being rebuilt on the stack)
    for b in range(lo, hi + 1):
        stop = pos + count[b]
        while nxt[b] < stop:
            i = nxt[b]
            c = digits[i] if kept else _digit(t, &a[i], d)
            v = a[i]
            while c != b:
                j = nxt[c]
                e = digits[j] if kept else _digit(t, &a[j], d)
                w = a[j]
                a[j] = v
                nxt[c] = j + 1
                v = w
                c = e
            a[nxt[b]] = v
            nxt[b] += 1
        pos = stop


cdef inline int _depth_for(int64_t n) noexcept nogil:
    """Introsort's depth limit for n entries: 2 log2 n."""
    cdef int depth = 0
    while n > 1:
        depth += 2
        n >>= 1
    return depth


cdef void ng_sort(NgTable* t) noexcept nogil:
    # digits kept for the buckets of up to a 32nd of the entries (the deep,
    # long-key ones): a small fraction of the table's memory on top of it
    cdef Py_ssize_t room = min(t.n, max(<int64_t>DIGITS_MIN, t.n >> 5))
    cdef uint16_t* digits = <uint16_t*>fc_alloc(room, sizeof(uint16_t)) if room > 0 else NULL
    # the slots, no use while the entries move, are the spare room
    cdef Py_ssize_t spare_n = ((t.mask + 1) * sizeof(NgSlot) // sizeof(NgEntry)
                               if t.slots != NULL else 0)
    _radix_sort(t, t.ents, t.n, 0, digits, room if digits != NULL else 0,
                <NgEntry*>t.slots, spare_n)
    fc_free(digits)
    if t.slots != NULL:  # they name nothing now: empty, so no lookup reads them
        memset(t.slots, 0, (t.mask + 1) * sizeof(NgSlot))


# ---------------------------------------------------------------- runs

cdef int _flush(NgRunWriter* w, const unsigned char* p, Py_ssize_t n) noexcept nogil:
    if n > 0 and fwrite(p, 1, n, w.f) != <size_t>n:
        w.err = errno if errno != 0 else EINVAL
        return -1
    w.flushed += n
    return 0


cdef int _sample(NgRunWriter* w) noexcept nogil:
    """Note in the index that n-gram w.records starts here, after w.prev."""
    cdef int64_t head[3]
    head[0] = w.flushed + w.len
    head[1] = w.records
    head[2] = w.prev_len
    if fc_grow(<void**>&w.index, &w.index_cap, w.index_len + sizeof(head) + w.prev_len, 1, 0) < 0:
        w.err = ENOMEM
        return -1
    memcpy(w.index + w.index_len, head, sizeof(head))
    memcpy(w.index + w.index_len + sizeof(head), w.prev, w.prev_len)
    w.index_len += sizeof(head) + w.prev_len
    return 0


cdef int ng_run_open(NgRunWriter* w, const char* path) noexcept nogil:
    memset(w, 0, sizeof(NgRunWriter))
    w.buf = <unsigned char*>fc_alloc(WRITE_BUFFER, 1)
    # zeroed: ng_run_put compares SHORT_KEY bytes of it a word at a time,
    # past prev_len too (those bytes masked off, but they must be defined)
    w.prev = <unsigned char*>fc_calloc(SHORT_KEY, 1)
    if w.buf == NULL or w.prev == NULL:
        w.err = ENOMEM
        ng_run_abort(w)
        return -1
    w.prev_cap = SHORT_KEY
    errno = 0
    w.f = fopen(path, "wb")
    if w.f == NULL:
        w.err = errno if errno != 0 else EINVAL
        ng_run_abort(w)
        return -1
    setvbuf(w.f, NULL, _IONBF, 0)  # the records are buffered here already
    memcpy(w.buf, ng_run_magic(), RUN_MAGIC_LEN)
    w.len = RUN_MAGIC_LEN
    return 0


cdef inline void _load_short(const unsigned char* key, Py_ssize_t n, uint64_t* k0,
                             uint64_t* k1) noexcept nogil:
    """key[:n] (n <= SHORT_KEY), zero-padded, as two little-endian words."""
    k0[0] = ng_word(key, n if n < 8 else 8)
    k1[0] = _ng_rd(key + n - 8, 8) >> (8 * (SHORT_KEY - n)) if n > 8 else 0


cdef inline Py_ssize_t _first_difference(uint64_t a0, uint64_t a1, uint64_t b0,
                                         uint64_t b1) noexcept nogil:
    """The first byte at which two keys of SHORT_KEY bytes (as little-endian
    words: byte i at bits 8i) differ; SHORT_KEY if none."""
    if a0 != b0:
        return ng_ctz64(a0 ^ b0) >> 3
    return 8 + (ng_ctz64(a1 ^ b1) >> 3) if a1 != b1 else SHORT_KEY


cdef int ng_run_put(NgRunWriter* w, const unsigned char* key, Py_ssize_t n,
                    int64_t count) noexcept nogil:
    cdef Py_ssize_t shared = 0, rest, m = n if n < w.prev_len else w.prev_len
    cdef uint64_t k0 = 0, k1 = 0, p0, p1, lo, hi
    cdef unsigned char padded[SHORT_KEY]
    # a short key (nearly every n-gram) without a call or a loop per byte:
    # in two words, its shared prefix found a word at a time (the previous
    # key has room for SHORT_KEY bytes too), its rest written as two words
    cdef bint small = NG_LITTLE_ENDIAN and n <= SHORT_KEY and w.prev_cap >= SHORT_KEY
    if small:
        _load_short(key, n, &k0, &k1)
        memcpy(&p0, w.prev, 8)
        memcpy(&p1, w.prev + 8, 8)
        shared = min(_first_difference(k0, k1, p0, p1), m)
        memcpy(padded, &k0, 8)
        memcpy(padded + 8, &k1, 8)
        key = padded
    else:
        while shared < m and key[shared] == w.prev[shared]:
            shared += 1
    # strictly increasing, never empty: anything else is a bug of the caller
    if n == 0 or n > MAX_KEY_BYTES or count <= 0 or (w.records > 0 and (
            shared == n or (shared < w.prev_len and key[shared] < w.prev[shared]))):
        w.err = EINVAL
        return -1
    rest = n - shared
    if w.len + 30 + rest > WRITE_BUFFER:
        if _flush(w, w.buf, w.len) < 0:
            return -1
        w.len = 0
    if w.records > 0 and w.records % RUN_SAMPLE == 0 and _sample(w) < 0:
        return -1
    w.len = fc_varint_put(fc_varint_put(w.buf + w.len, <uint64_t>shared), <uint64_t>rest) - w.buf
    if small:  # room for SHORT_KEY bytes: see the flush above
        if shared == 0:
            lo, hi = k0, k1
        elif shared < 8:
            lo = (k0 >> (8 * shared)) | (k1 << (64 - 8 * shared))
            hi = k1 >> (8 * shared)
        else:
            lo = k1 >> (8 * (shared - 8)) if shared < 16 else 0
            hi = 0
        memcpy(w.buf + w.len, &lo, 8)
        memcpy(w.buf + w.len + 8, &hi, 8)
        w.len += rest
        memcpy(w.prev, &k0, 8)
        memcpy(w.prev + 8, &k1, 8)
        w.prev_len = n
        w.len = fc_varint_put(w.buf + w.len, <uint64_t>count) - w.buf
        w.records += 1
        return 0
    if rest + 10 > WRITE_BUFFER - w.len:  # a huge key goes out directly
        if _flush(w, w.buf, w.len) < 0 or _flush(w, key + shared, rest) < 0:
            return -1
        w.len = 0
    else:
        memcpy(w.buf + w.len, key + shared, rest)
        w.len += rest
    w.len = fc_varint_put(w.buf + w.len, <uint64_t>count) - w.buf
    if fc_grow(<void**>&w.prev, &w.prev_cap, max(n, <Py_ssize_t>SHORT_KEY), 1, 0) < 0:
        w.err = ENOMEM
        return -1
    memcpy(w.prev + shared, key + shared, rest)
    w.prev_len = n
    w.records += 1
    return 0


cdef int ng_run_close(NgRunWriter* w) noexcept nogil:
    cdef int failed
    if w.f == NULL:
        return -1
    w.buf[w.len] = 0
    w.buf[w.len + 1] = 0
    w.len += 2
    w.len = fc_varint_put(w.buf + w.len, <uint64_t>w.records) - w.buf
    failed = _flush(w, w.buf, w.len)
    errno = 0
    if fclose(w.f) != 0 and not failed:
        w.err = errno if errno != 0 else EINVAL
        failed = -1
    w.f = NULL
    fc_free(w.buf)
    fc_free(w.prev)
    w.buf = NULL
    w.prev = NULL
    return -1 if failed else 0


cdef void ng_run_abort(NgRunWriter* w) noexcept nogil:
    if w.f != NULL:
        fclose(w.f)
        w.f = NULL
    fc_free(w.buf)
    fc_free(w.prev)
    fc_free(w.index)
    w.buf = NULL
    w.prev = NULL
    w.index = NULL


cdef int ng_write_run(const NgTable* t, const char* path, int* err, unsigned char** index,
                      Py_ssize_t* index_len) noexcept nogil:
    cdef NgRunWriter w
    cdef int64_t i
    if ng_run_open(&w, path) < 0:
        err[0] = w.err
        return -1
    for i in range(t.n):
        if ng_run_put(&w, ng_key(t, &t.ents[i]), t.ents[i].len, t.ents[i].count) < 0:
            break
    else:
        if ng_run_close(&w) == 0:
            index[0] = w.index
            index_len[0] = w.index_len
            return 0
    ng_run_abort(&w)
    err[0] = w.err
    remove(path)
    return -1
