# cython: language_level=3
# The table behind fastcount.Vocab (words <-> dense ids) in C, for Cython
# modules; _vocab.pxd re-exports all of it:
#
#     from fastcount._vocab cimport Vocab, FCVocab, fc_vocab_intern, fc_vocab_find
#
# Words are byte strings in "UTF-8 with surrogatepass" (what
# str.encode("utf-8", "surrogatepass") gives), so every Python str has exactly
# one encoding and lone surrogates round-trip. Callers of the byte-level
# functions must pass bytes of that form. Nothing here is thread-safe: hold
# the GIL (or a lock of your own) around every call on a shared table, even
# the nogil ones.
from libc.stdint cimport int64_t, uint32_t, uint64_t


cdef struct FCVocabSlot:
    uint32_t tag          # low 32 bits of the word's hash (also its home slot)
    uint32_t id1          # word id + 1; 0 marks an empty slot


# The placement rule every filler of a slot array shares: the word's tag at
# its home (tag & mask) or the next free slot after it (linear probing;
# there must be a free one).
cdef inline void fc_slot_put(FCVocabSlot* slots, uint64_t mask, uint32_t tag,
                             uint32_t id1) noexcept nogil:
    cdef uint64_t j = tag & mask
    while slots[j].id1 != 0:
        j = (j + 1) & mask
    slots[j].tag = tag
    slots[j].id1 = id1


cdef struct FCVocab:
    char* arena           # every word's bytes, back to back, in id order
    int64_t arena_len
    Py_ssize_t arena_cap   # bytes allocated for the arena
    int64_t* offsets      # n + 1 entries: word i is arena[offsets[i]:offsets[i + 1]]
    int64_t n             # number of words (ids are 0 .. n - 1)
    Py_ssize_t offsets_cap  # entries allocated in offsets
    FCVocabSlot* slots    # open addressing with linear probing, power-of-two size
    uint64_t mask         # slot count - 1


# All of these accept a zero-filled FCVocab as an empty vocabulary, so a
# struct embedded in another object needs no init call; fc_vocab_free leaves
# it zero-filled (empty) again.
cdef int fc_vocab_init(FCVocab* v, Py_ssize_t expected) noexcept nogil      # 0 ok, -1 out of memory
cdef void fc_vocab_free(FCVocab* v) noexcept nogil
# Room for `words` more words of `nbytes` bytes in all, so that adding them
# moves nothing (a bulk load that knows its size); 0 ok, -1 out of memory.
cdef int fc_vocab_reserve(FCVocab* v, int64_t words, int64_t nbytes) noexcept nogil

# The 64-bit hash the table uses (an xxHash64-style mix, seeded per process:
# never store it beyond the process).
cdef uint64_t fc_hash_bytes(const char* utf8, Py_ssize_t n) noexcept nogil
# Its seed, and its steps (inline): fc_hash_bytes of n bytes is
# fc_hash_start(seed, n), fc_hash_round of each 8-byte word while more than
# 8 bytes are left, then fc_hash_end of the tail word: for rem = 4..8 bytes
# left, their first 4 bytes << 32 | their last 4; for 1..3, bytes 0, rem / 2
# and rem - 1 << 16, 8, 0; 0 for none. Words are read little-endian. A
# table that hashes keys from words it holds anyway (the n-gram table) uses
# them to give the very hashes of a Vocab.
cdef uint64_t fc_hash_seed() noexcept nogil

cdef extern from *:
    """
    #define FC_P1 0x9E3779B185EBCA87ULL
    #define FC_P2 0xC2B2AE3D27D4EB4FULL
    #define FC_P3 0x165667B19E3779F9ULL
    #define FC_P4 0x85EBCA77C2B2AE63ULL
    #define FC_P5 0x27D4EB2F165667C5ULL
    #define FC_M1 0xFF51AFD7ED558CCDULL
    #define FC_M2 0xC4CEB9FE1A85EC53ULL
    """
    const uint64_t FC_P1, FC_P2, FC_P3, FC_P4, FC_P5, FC_M1, FC_M2


cdef inline uint64_t _fc_rotl(uint64_t x, int r) noexcept nogil:
    return (x << r) | (x >> (64 - r))


cdef inline uint64_t fc_hash_start(uint64_t seed, Py_ssize_t n) noexcept nogil:
    # the length goes into the seed, which makes the overlapping tail reads unambiguous
    return (FC_P3 ^ seed) + <uint64_t>n * FC_P5


cdef inline uint64_t fc_hash_round(uint64_t h, uint64_t k) noexcept nogil:
    k *= FC_P2
    k = _fc_rotl(k, 31) * FC_P1
    h ^= k
    return _fc_rotl(h, 27) * FC_P1 + FC_P4


cdef inline uint64_t fc_hash_end(uint64_t h, uint64_t k) noexcept nogil:
    h = fc_hash_round(h, k)
    # final avalanche, so the low bits used for the slot index depend on all
    h ^= h >> 33
    h *= FC_M1
    h ^= h >> 33
    h *= FC_M2
    h ^= h >> 33
    return h

# id of the word (added with the next id if new); -1 when out of memory or the
# vocabulary is full (2**32 - 1 words), -2 when a new word's bytes are not
# UTF-8 (surrogatepass) or n < 0; nothing is added on error. Ids never move.
cdef int64_t fc_vocab_intern(FCVocab* v, const char* utf8, Py_ssize_t n) noexcept nogil
# fc_vocab_intern for bytes the caller made UTF-8 itself (surrogatepass): a
# new word's bytes are not checked again.
cdef int64_t fc_vocab_intern_trusted(FCVocab* v, const char* utf8, Py_ssize_t n) noexcept nogil
# id of the word, or -1 when absent.
cdef int64_t fc_vocab_find(const FCVocab* v, const char* utf8, Py_ssize_t n) noexcept nogil
# The same two with h = fc_hash_bytes(utf8, n) computed by the caller (for
# callers that look the same bytes up in several tables).
cdef int64_t fc_vocab_intern_hashed(FCVocab* v, const char* utf8, Py_ssize_t n, uint64_t h) noexcept nogil
cdef int64_t fc_vocab_find_hashed(const FCVocab* v, const char* utf8, Py_ssize_t n, uint64_t h) noexcept nogil
# The bulk intern primitive: k <= FC_BATCH words (ps[j], ns[j]) interned side
# by side, their ids into ids[j]. Every hash is taken first and, in a table
# beyond the caches, each stage of the probes (slot, offsets, bytes) is
# prefetched for the whole batch before the next stage reads it, so that the
# cache misses overlap instead of queueing. With `check`, a new word's bytes
# are checked to be UTF-8 (surrogatepass); without, the caller vouches for
# them. The words must not lie in v's own arena unless they are all present.
# Returns k, or the index j of the first word that failed, with ids[j] = -1
# (out of memory, or the vocabulary is full) or -2 (not UTF-8); the words
# before j are interned.
cdef enum:
    FC_BATCH = 32
cdef Py_ssize_t fc_vocab_intern_batch(FCVocab* v, const char** ps, const Py_ssize_t* ns,
                                      Py_ssize_t k, int64_t* ids, bint check) noexcept nogil
# Bytes of word `i` (length in *n), or NULL when i is not an id. The pointer
# is valid until the next intern into v (the arena may move when it grows).
cdef const char* fc_vocab_word(const FCVocab* v, int64_t i, Py_ssize_t* n) noexcept nogil

# Drop the words with ids >= nwords: undoes a failed batch that began with
# nwords words and slot mask mask_before. No allocation, cannot fail.
cdef void fc_vocab_truncate(FCVocab* v, int64_t nwords, uint64_t mask_before) noexcept nogil
# Give words [start, end) their slots, for words put into the arena and
# offsets directly (a bulk copy that knows they are distinct from each other
# and from every word with a slot): each goes to its home slot or the next
# free one, no word compared. The slots must have room for them
# (fc_vocab_reserve). No allocation, cannot fail.
cdef void fc_vocab_place(FCVocab* v, int64_t start, int64_t end) noexcept nogil

# A bulk build of words the caller knows are distinct (say, keys that come
# out strictly increasing): fc_vocab_push appends a word's bytes with the
# next id but no slot (nothing hashed or compared); 0, or -1 out of memory or
# full (nothing appended). Until fc_vocab_seal(v, start, room) gives the
# words [start, n) their slots (growing the slot array once, to fit room more
# words too; -1 out of memory, the words then dropped), v must not be
# searched, interned into or
# truncated; fc_vocab_free is fine. The bytes must be UTF-8 (surrogatepass).
cdef int fc_vocab_push(FCVocab* v, const char* utf8, Py_ssize_t n) noexcept nogil
cdef int fc_vocab_seal(FCVocab* v, int64_t start, int64_t room) noexcept nogil
# Append src's words to v (ids v.n.. in src's id order), for words the
# caller knows are not in v: bytes and offsets copied, slots placed by src's
# tags (no word hashed or compared). 0, or -1 out of memory or too many
# words, with v unchanged. src must not be v.
cdef int fc_vocab_append_distinct(FCVocab* v, const FCVocab* src) noexcept nogil

cdef extern from *:
    """
    /* id + 1 must fit the 32-bit slot field, and 0 means "empty". */
    #define FC_VOCAB_MAX_WORDS ((int64_t)0xFFFFFFFE)
    """
    const int64_t FC_VOCAB_MAX_WORDS   # the most words a Vocab holds
