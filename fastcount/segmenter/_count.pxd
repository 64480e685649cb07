# The native chunk counter's C layout, for a counter that cuts differently
# (the POS counter, _pos_count) to subclass: it overrides the hooks below and
# shares the rest (taking texts and blocks, counting keys, the result).
from libc.stdint cimport int32_t, int64_t

from fastcount.segmenter._cut cimport CutContext
from fastcount.segmenter._dictionary cimport Dictionary, Snapshot
from fastcount.segmenter._trie cimport FrozenTrie, frozen_find
from fastcount._hashcounter cimport HashCounter, fc_table_add, fc_table_find
from fastcount._native cimport fc_grow, fc_utf8_encode_kind
from fastcount._vocab cimport Vocab, fc_vocab_intern_trusted

cdef enum:
    COUNT_NO_MEMORY = 1


# With document frequencies, a key's table value is its first-sight position
# + 1, and its DocTally (by position) holds what the table holds otherwise.
cdef struct DocTally:
    int64_t count
    int64_t last    # the last document the key was seen in
    int64_t df      # documents it was seen in


cdef class ChunkCounter:
    cdef Dictionary dictionary
    cdef HashCounter counts
    cdef Vocab vocab             # the counted tokens that are no string of the trie
    cdef bint hmm, cut_all, keep_whitespace
    cdef int64_t* order          # keys in order of first sight
    cdef Py_ssize_t n_order, cap_order
    cdef char* utf8
    cdef Py_ssize_t cap_utf8
    cdef bint busy
    cdef bint broken
    cdef CutContext ctx          # segmentation buffers, kept from feed to feed
    cdef Py_UCS4* text           # the batch's code points
    cdef Py_ssize_t cap_text
    cdef Py_ssize_t* offsets     # text i is text[offsets[i]:offsets[i + 1]]
    cdef Py_ssize_t cap_offsets
    cdef bint dfs                # count document frequencies: see DocTally
    cdef bint by_file            # ... of the documents begin_document says
    cdef DocTally* tally         # by first-sight position (with dfs)
    cdef Py_ssize_t cap_tally
    cdef int64_t n_docs          # documents counted (with dfs)
    cdef int64_t doc             # the document being counted
    cdef bint doc_shared         # by file: list the words of this document
    cdef int64_t* shared         # their first-sight positions, document by document
    cdef Py_ssize_t n_shared, cap_shared
    cdef list shared_docs        # (document, its first index in shared)
    cdef bytes delimiter         # join mode: tokens joined by it (None: counting)
    cdef unsigned char* joined   # join mode: the lines written so far
    cdef Py_ssize_t n_joined, cap_joined
    cdef object keep_word        # join mode: word -> keep it? (None: every word)
    cdef int64_t* keys           # ... the batch's token keys, JOIN_LINE_END after each text
    cdef Py_ssize_t n_keys, cap_keys
    cdef Py_ssize_t n_decided    # ... keys order[:n_decided] have a decision in counts

    cdef int _reserve(self, Py_ssize_t n_chars, Py_ssize_t n_texts) except -1
    cdef int _enter(self) except -1
    cdef Py_ssize_t _count_filled(self, Py_ssize_t n_texts) except -2
    cdef Py_ssize_t _feed_utf8(self, const unsigned char[::1] data) except -2
    cdef int _utf8_room(self, Py_ssize_t n) noexcept nogil
    cdef object _shared_words(self, positions)
    cdef int _join_keys(self) noexcept nogil
    cdef int _decide(self, Snapshot snapshot) except -1
    cdef int _write_kept(self, Snapshot snapshot, const unsigned char* delim, Py_ssize_t n_delim) noexcept nogil

    # Hooks: the reading of a batch (taken under the GIL, ctx filled from it;
    # _read_end drops it), whether a cut may raise jieba's math domain
    # error, one text's cut into ctx (a CUT_* error), the counting of the
    # cut's tokens, and the UTF-8 of a counted key into *word, *m (valid
    # until the next call; 0 ok, -1 out of memory).
    cdef Snapshot _read_begin(self)
    cdef void _read_end(self) noexcept
    cdef bint _may_raise(self, Snapshot snapshot) noexcept
    cdef int _cut(self, const Py_UCS4* text, Py_ssize_t n) noexcept nogil
    cdef int _count_tokens(self) noexcept nogil
    cdef int _word(self, Snapshot snapshot, int64_t key, const char** word, Py_ssize_t* m) noexcept nogil
    # Join mode: the cut's tokens, joined by the delimiter, and a line end
    # appended to ``joined`` (a POS counter may write tags too).
    cdef int _join_tokens(self, const unsigned char* delim, Py_ssize_t n_delim) noexcept nogil


cdef inline int count_in_document(ChunkCounter c, int64_t* n, int64_t key) noexcept nogil:
    """count_key with document frequencies: ``n`` is the key's table value
    (NULL when new); the key is counted in document ``c.doc`` once."""
    cdef DocTally* t
    if n == NULL:
        if c.n_order == c.cap_order and fc_grow(<void**>&c.order, &c.cap_order, c.n_order + 1,
                                                 sizeof(int64_t), 0):
            return COUNT_NO_MEMORY
        if c.n_order == c.cap_tally and fc_grow(<void**>&c.tally, &c.cap_tally, c.n_order + 1,
                                                 sizeof(DocTally), 0):
            return COUNT_NO_MEMORY
        if fc_table_add(&c.counts.table, key, c.n_order + 1) != 0:
            return COUNT_NO_MEMORY
        t = &c.tally[c.n_order]
        t.count = t.df = 0
        t.last = -1
        c.order[c.n_order] = key
        c.n_order += 1
    else:
        t = &c.tally[n[0] - 1]
    t.count += 1
    if t.last != c.doc:
        t.last = c.doc
        t.df += 1
        if c.doc_shared:
            if c.n_shared == c.cap_shared and fc_grow(<void**>&c.shared, &c.cap_shared, c.n_shared + 1,
                                                       sizeof(int64_t), 0):
                return COUNT_NO_MEMORY
            c.shared[c.n_shared] = t - c.tally
            c.n_shared += 1
    return 0


cdef inline int count_key(ChunkCounter c, int64_t key) noexcept nogil:
    """count[key] += 1, noting a new key's first sight; 0 ok, COUNT_NO_MEMORY."""
    cdef int64_t* n = fc_table_find(&c.counts.table, key)
    if c.dfs:
        return count_in_document(c, n, key)
    if n != NULL:
        n[0] += 1
        return 0
    if c.n_order == c.cap_order and fc_grow(<void**>&c.order, &c.cap_order, c.n_order + 1,
                                             sizeof(int64_t), 0):
        return COUNT_NO_MEMORY
    if fc_table_add(&c.counts.table, key, 1) != 0:
        return COUNT_NO_MEMORY
    c.order[c.n_order] = key
    c.n_order += 1
    return 0


cdef inline int key_of(ChunkCounter c, const FrozenTrie* frozen, const Py_UCS4* p, Py_ssize_t n,
                       int64_t* key) noexcept nogil:
    """The key of token p[0:n] into *key: its trie node, or -1 - its id in
    c.vocab (interned); 0 ok, COUNT_NO_MEMORY."""
    cdef int32_t record = frozen_find(frozen, p, n)
    cdef Py_ssize_t m
    cdef int64_t vid
    if record >= 0:
        key[0] = frozen.node[record]
        return 0
    if c._utf8_room(n + 1) < 0:     # + 1: never NULL, even for ""
        return COUNT_NO_MEMORY
    m = fc_utf8_encode_kind(4, p, n, <unsigned char*>c.utf8)
    vid = fc_vocab_intern_trusted(&c.vocab.table, c.utf8, m)
    if vid < 0:
        return COUNT_NO_MEMORY
    key[0] = -1 - vid
    return 0
