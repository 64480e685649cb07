# The n-gram table and its sorted runs, for the counting and merge modules:
#
#     from fastcount._ngram_table cimport NgTable, ng_find, ng_insert, ng_key
#
# NgTable maps an n-gram's exact bytes (UTF-8, surrogatepass) to its count.
# Entries are dense (ids 0, 1, ... in order of first sight) and 24 bytes:
# a key of up to NG_INLINE bytes is stored in its entry, next to its count,
# so a lookup touches two cache lines (the slot, the entry) instead of
# four (slot, offset, bytes, count) as with a Vocab and a count array;
# longer keys keep their first 4 bytes there and the rest in an arena.
# Slots (32-bit hash tag + id) are open-addressed, at most 7/10 full.
# Nothing here is thread-safe: the owner serialises every call.
#
# A run is a file of n-grams in byte order (UTF-8 byte order is code point
# order) with their counts. Layout: the 8 bytes of ng_run_magic(), then per
# n-gram varint(bytes shared with the previous n-gram), varint(length of the
# rest), the rest, varint(count); then an empty record (two zero bytes:
# n-grams are never empty) and varint(number of n-grams). Varints are LEB128.
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libc.stdio cimport FILE
from libc.string cimport memcmp, memcpy

from fastcount._native cimport fc_prefetch
from fastcount._vocab cimport FCVocab, fc_hash_bytes
from fastcount._vocab_table cimport fc_hash_end, fc_hash_round, fc_hash_seed, fc_hash_start

cdef enum:
    NG_INLINE = 12
    RUN_MAGIC_LEN = 8
    # the longest n-gram a run may hold (bytes); readers refuse longer ones
    MAX_KEY_BYTES = 1 << 30
    # ids are 32-bit in the slots (id + 1; 0 marks an empty slot)
    NG_MAX_ENTRIES = 0xFFFFFFFE
    # a run writer notes where every RUN_SAMPLE-th n-gram starts (its index)
    RUN_SAMPLE = 1024


cdef inline const char* ng_run_magic() noexcept nogil:
    return b"FCNGRUN1"


cdef struct NgEntry:
    unsigned char key[12]   # NG_INLINE bytes: the key, zero-padded; or its
                            # first 4 bytes and its uint64 arena offset
    uint32_t len
    int64_t count


cdef struct NgSlot:
    uint32_t tag            # low 32 bits of the key's hash (also its home)
    uint32_t id1            # id + 1; 0: empty


cdef struct NgTable:
    NgSlot* slots
    uint64_t mask           # slots - 1 (a power of two), 0 when none yet
    NgEntry* ents
    int64_t n
    int64_t cap             # entries the table holds room for (its memory)
    int64_t room            # entries allocated: cap, or more reserved ahead
                            # (untouched beyond n, so not resident)
    unsigned char* arena    # the bytes of keys longer than NG_INLINE
    int64_t arena_len
    int64_t arena_cap
    uint64_t seed           # of ng_hash: fc_hash_seed(), random per process
                            # (no input can be made to collide without it)


# A key of up to NG_INLINE bytes as its entry holds it (zero-padded).
cdef struct NgProbe:
    uint64_t k0
    uint32_t k1


cdef extern from *:
    """
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    #define NG_LITTLE_ENDIAN 1
    #else
    #define NG_LITTLE_ENDIAN 0
    #endif
    """
    bint NG_LITTLE_ENDIAN


cdef inline uint64_t _ng_rd(const unsigned char* key, int width) noexcept nogil:
    cdef uint64_t x = 0
    memcpy(&x, key, width)
    return x


cdef inline uint64_t ng_word(const unsigned char* key, Py_ssize_t n) noexcept nogil:
    """key[:n] (n <= 8), zero-padded, as a little-endian word (byte i at bits
    8i), on a little-endian host: whole-word loads instead of a byte loop
    (two loads that overlap put the same byte at the same place)."""
    if n >= 8:
        return _ng_rd(key, 8)
    if n >= 4:
        return _ng_rd(key, 4) | (_ng_rd(key + n - 4, 4) << (8 * (n - 4)))
    if n > 0:
        return (<uint64_t>key[0] | (<uint64_t>key[n >> 1] << (8 * (n >> 1)))
                | (<uint64_t>key[n - 1] << (8 * (n - 1))))
    return 0


cdef inline void ng_probe(const unsigned char* key, Py_ssize_t n, NgProbe* p) noexcept nogil:
    cdef unsigned char pad[12]
    if n > NG_INLINE:
        return
    if NG_LITTLE_ENDIAN:
        # whole-word loads instead of a byte loop: two loads that overlap
        # put the same byte at the same place, and byte i goes to bits 8i
        p.k0 = ng_word(key, n if n < 8 else 8)
        p.k1 = <uint32_t>(_ng_rd(key + n - 4, 4) >> (8 * (12 - n))) if n > 8 else 0
        return
    memcpy(pad, key, n)
    while n < NG_INLINE:
        pad[n] = 0
        n += 1
    memcpy(&p.k0, pad, 8)
    memcpy(&p.k1, pad + 8, 4)


cdef inline uint64_t _ng_tail(uint64_t w, Py_ssize_t rem) noexcept nogil:
    """fc_hash_end's tail word of the rem (0..8) bytes held by w (little-endian)."""
    if rem >= 4:
        return (<uint64_t><uint32_t>w << 32) | <uint32_t>(w >> (8 * (rem - 4)))
    if rem > 0:
        return ((<uint64_t><uint8_t>w << 16) | (<uint64_t><uint8_t>(w >> (8 * (rem >> 1))) << 8)
                | <uint8_t>(w >> (8 * (rem - 1))))
    return 0


cdef inline uint64_t ng_hash(const NgTable* t, const unsigned char* key, Py_ssize_t n,
                             NgProbe* p) noexcept nogil:
    """The key's hash in t (fills p, its ng_probe): fc_hash_bytes(key, n)
    when t.seed is fc_hash_seed(), so a Vocab can take over t's slots. Short
    keys (nearly all n-grams) are hashed inline from the probe's two words,
    which the lookup reads anyway."""
    ng_probe(key, n, p)
    if n > NG_INLINE or not NG_LITTLE_ENDIAN:
        return fc_hash_bytes(<const char*>key, n)
    if n > 8:
        return fc_hash_end(fc_hash_round(fc_hash_start(t.seed, n), p.k0), _ng_tail(p.k1, n - 8))
    return fc_hash_end(fc_hash_start(t.seed, n), _ng_tail(p.k0, n))


cdef inline const unsigned char* ng_key(const NgTable* t, const NgEntry* e) noexcept nogil:
    """The key's bytes (e.len of them)."""
    cdef uint64_t off
    if e.len <= NG_INLINE:
        return e.key
    memcpy(&off, e.key + 4, 8)
    return t.arena + off


cdef inline Py_ssize_t ng_copy_key(char* dst, const NgTable* t, const NgEntry* e) noexcept nogil:
    """Copy e's key to dst, which has room for NG_INLINE bytes at least (a
    short key goes as its whole inline field); its length."""
    if e.len <= NG_INLINE:
        memcpy(dst, e.key, NG_INLINE)
    else:
        memcpy(dst, ng_key(t, e), e.len)
    return e.len


cdef inline bint ng_same(const NgTable* t, const NgEntry* e, const unsigned char* key,
                         Py_ssize_t n, const NgProbe* p) noexcept nogil:
    cdef uint64_t k0
    cdef uint32_t k1
    if e.len != n:
        return False
    if n <= NG_INLINE:
        memcpy(&k0, e.key, 8)
        memcpy(&k1, e.key + 8, 4)
        return k0 == p.k0 and k1 == p.k1
    return memcmp(e.key, key, 4) == 0 and memcmp(ng_key(t, e), key, n) == 0


cdef inline bint ng_adoptable(const NgTable* t) noexcept nogil:
    """Whether ng_to_vocab can take t's slots: a Vocab places a key at its
    tag (32 bits) & mask, t at its hash & mask; the same below 2**32 slots."""
    return t.slots != NULL and (t.mask >> 32) == 0 and t.seed == fc_hash_seed()


cdef inline int64_t ng_find(const NgTable* t, const unsigned char* key, Py_ssize_t n,
                            uint64_t h, const NgProbe* p) noexcept nogil:
    """The id of the key (h its ng_hash, p its ng_probe), or -1."""
    cdef uint32_t tag = <uint32_t>h
    cdef uint64_t i = h & t.mask
    cdef NgSlot s
    if t.slots == NULL:
        return -1
    while True:
        s = t.slots[i]
        if s.id1 == 0:
            return -1
        if s.tag == tag and ng_same(t, &t.ents[s.id1 - 1], key, n, p):
            return s.id1 - 1
        i = (i + 1) & t.mask


cdef inline int64_t ng_lookup(const NgTable* t, const unsigned char* key, Py_ssize_t n, uint64_t h,
                              const NgProbe* p, int64_t guess) noexcept nogil:
    """ng_find with a guess: an id that may be the key's (ids stay, and keys
    are distinct: its key decides), or -1."""
    if 0 <= guess < t.n and ng_same(t, &t.ents[guess], key, n, p):
        return guess
    return ng_find(t, key, n, h, p)


# A lookup in stages, for a pipeline of independent lookups (each stage's
# memory prefetched by the one before): prefetch the slot of h; then
# ng_peek_slot; then ng_peek_key; then ng_lookup with the guess.
cdef inline int64_t ng_peek_slot(const NgTable* t, uint64_t h) noexcept nogil:
    """The id that the first slot tagged as h names, or -1 (the guess of
    ng_lookup), its entry prefetched: the slot is in cache by now."""
    cdef uint64_t i
    cdef uint32_t tag = <uint32_t>h
    cdef int64_t id
    cdef int probes
    if t.slots == NULL:
        return -1
    i = h & t.mask
    for probes in range(4):
        if t.slots[i].id1 == 0:
            return -1
        if t.slots[i].tag == tag:
            id = t.slots[i].id1 - 1
            fc_prefetch(&t.ents[id])
            fc_prefetch(<const char*>&t.ents[id] + sizeof(NgEntry) - 1)
            return id
        i = (i + 1) & t.mask
    return -1


cdef inline void ng_peek_key(const NgTable* t, int64_t guess, Py_ssize_t n) noexcept nogil:
    """Prefetch the bytes of a long key of n bytes that guess may be (its
    entry is in cache by now)."""
    if n > NG_INLINE and 0 <= guess < t.n and t.ents[guess].len > NG_INLINE:
        fc_prefetch(ng_key(t, &t.ents[guess]))


# Adds a key that is not in t (count 1); its id, or -1 out of memory or full.
cdef int64_t ng_insert(NgTable* t, const unsigned char* key, Py_ssize_t n, uint64_t h) noexcept nogil
# Bytes t holds now, and the most it would hold while adding a new key of n
# bytes (the arrays that must grow, old and new at once).
cdef int64_t ng_held(const NgTable* t) noexcept nogil
cdef int64_t ng_peak_after_insert(const NgTable* t, Py_ssize_t n) noexcept nogil
# Empties t, sorted (ng_sort left its slots empty: only the entries and
# keys go), keeping its arrays; frees them all.
cdef void ng_clear_sorted(NgTable* t) noexcept nogil
cdef void ng_free(NgTable* t) noexcept nogil
# Empties t, sorted (see ng_clear_sorted), and sizes its arrays for the
# most entries within limit bytes (slots at most 7/10 full, the arena's
# share per entry as t's keys had before): a table that spills refills its
# whole limit, where arrays grown step by step stop short of it (the old
# and the new array are held at once while one grows). Keeps the arrays
# when that holds no more; without arrays (they come back as they grow)
# when out of memory.
cdef void ng_fit(NgTable* t, int64_t limit) noexcept nogil
# Sorts the entries in byte order of their keys, in place, with the slots
# as scratch: they are left empty (ng_clear_sorted next, or read t.ents in
# order), also for a spill that then fails: no lookup reads the scratch.
cdef void ng_sort(NgTable* t) noexcept nogil
# Interns the keys of entries [start, end) of t into v (keys new to v get
# its next ids, in entry order) and adds each entry's count to counts[its
# id] (counts has room for every id v may then hold). 0 ok; -1 out of
# memory or full (v then holds a prefix of them); -2 a count leaves int64.
cdef int ng_intern_into(FCVocab* v, const NgTable* t, int64_t start, int64_t end,
                        int64_t* counts) noexcept nogil
# Fills the empty v with every key of t, ids as in t, and counts[id] with
# their counts: the keys' bytes copied in id order, t's slots copied as v's
# (v's hash is t's: t.seed is fc_hash_seed()), no key hashed or looked up;
# with take, t's slots are moved to v instead (t has none left: the caller
# empties t next). Only for t with slots whose places are their tags'
# (mask < 2**32: see ng_adoptable). 0 ok, -1 out of memory (v then empty
# or as reserved, t unchanged).
cdef int ng_to_vocab(FCVocab* v, NgTable* t, int64_t* counts, bint take) noexcept nogil
# Writes the (sorted) entries as a run; 0 ok (then *index, *index_len: its
# index, see NgRunWriter, the caller's to free), -1 with *err (errno).
cdef int ng_write_run(const NgTable* t, const char* path, int* err, unsigned char** index,
                      Py_ssize_t* index_len) noexcept nogil


cdef struct NgRunWriter:
    FILE* f
    int err                 # errno of the first failure, 0 if none
    unsigned char* buf      # pending output
    Py_ssize_t len
    unsigned char* prev     # the previous n-gram (front coding)
    Py_ssize_t prev_len
    Py_ssize_t prev_cap
    int64_t records
    int64_t flushed         # bytes written to the file so far
    # the index: for every RUN_SAMPLE-th n-gram j > 0, where it starts in the
    # file, j and n-gram j - 1 (a reader can start there: it knows the key
    # the front coding continues), as int64 offset, int64 j, int64 length
    # and the bytes, native byte order; kept by ng_run_close, the caller's
    unsigned char* index
    Py_ssize_t index_len
    Py_ssize_t index_cap


# 0 ok, -1 with w.err set (nothing left open or allocated then).
cdef int ng_run_open(NgRunWriter* w, const char* path) noexcept nogil
# n-grams must come in strictly increasing byte order; 0 ok, -1 with w.err.
cdef int ng_run_put(NgRunWriter* w, const unsigned char* key, Py_ssize_t n,
                    int64_t count) noexcept nogil
# Writes the end record and closes; 0 ok, -1 with w.err (closed either way;
# w.index is left to the caller either way).
cdef int ng_run_close(NgRunWriter* w) noexcept nogil
# Closes without finishing (after an error; frees w.index); the caller
# removes the file.
cdef void ng_run_abort(NgRunWriter* w) noexcept nogil
