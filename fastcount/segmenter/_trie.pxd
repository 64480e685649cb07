# The segmenter's dictionary as tries over code points: the C layout and the
# lookups the segmenter, the fused counter (and POS tagging) inline.
#
# Two tries hold jieba's FREQ:
# * Trie, the master copy that changes go to: node 0 is the root (the empty
#   string), every other node one string, with its parent, last code point
#   and frequency. Node ids never change (nodes are never removed): tokens
#   are counted under them. Its edge table is only needed to change it.
# * FrozenTrie, the layout the segmenter reads: the children of a record are
#   consecutive records sorted by code point, so a step down the trie reads
#   one small block of memory.
# Force_Split_Words is a Trie too (frequency 1 marks a member).
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t

cdef extern from *:
    """
    #define FC_TRIE_ABSENT INT64_MIN                /* a string that is not in FREQ */
    #define FC_TRIE_EMPTY_KEY 0xFFFFFFFFFFFFFFFFULL /* a free slot of an edge table */
    #define FC_TRIE_GOLDEN 0x9E3779B97F4A7C15ULL    /* multiplicative hash of edge keys */
    """
    const int64_t ABSENT "FC_TRIE_ABSENT"
    const uint64_t EMPTY_KEY "FC_TRIE_EMPTY_KEY"
    const uint64_t GOLDEN "FC_TRIE_GOLDEN"

cdef enum:
    ROOT_SPAN = 65536           # the root's children for code points below this: a direct array
    SCAN_CHILDREN = 8           # up to this many children are found by a scan, more by a hash
    CODE_MASK = 0x1FFFFF
    IS_WORD = 0x200000          # in FREQ with a non-zero frequency
    IN_FREQ = 0x400000          # in FREQ
    CHILDREN_SHIFT = 23         # number of children (0 .. SCAN_CHILDREN), or MANY_CHILDREN
    MANY_CHILDREN = 15

cdef struct TrieEdge:
    uint64_t key        # (parent << 21) | code point; EMPTY_KEY = free slot
    int32_t child
    int32_t _pad

cdef struct RetiredNodes:
    # parent/code arrays replaced while a reader may still hold them
    RetiredNodes* next
    int32_t* parent
    int32_t* code

cdef struct Trie:
    int32_t* root       # children of the root for code points < ROOT_SPAN, -1 = none
    TrieEdge* edges     # every other parent -> child edge, open addressing; NULL when dropped
    uint64_t mask       # edge slots - 1 (a power of two minus one)
    int shift           # 64 - log2(edge slots), for the multiplicative hash
    Py_ssize_t n_edges
    int32_t n_nodes     # nodes are ids 0 .. n_nodes - 1
    int32_t capacity
    int32_t* parent
    int32_t* code       # last code point of the node's string
    int64_t* freq       # FREQ[string], or ABSENT
    bint keep_old_nodes # parent/code are read without the GIL: grow them by copying,
    RetiredNodes* retired   # and keep the old arrays here until trie_release_retired

cdef struct FrozenRecord:
    uint32_t packed     # code point | IS_WORD | IN_FREQ | children << CHILDREN_SHIFT
    int32_t first_child # the children are records first_child, first_child + 1, ...
    double log_freq     # log(freq) for freq > 0, 0.0 for 0 (log(1)), NaN for < 0

cdef struct FrozenTrie:
    FrozenRecord* records   # record 0 is the root
    int32_t* node           # record -> its Trie node id (the id tokens are counted under)
    int32_t n_records
    int32_t capacity
    int32_t* root           # record of the root's child for code points < ROOT_SPAN, -1 = none
    TrieEdge* edges         # (record << 21 | code point) -> child record, for the
    uint64_t edge_mask      # children of the root and of records with more than
    int edge_shift          # SCAN_CHILDREN children
    Py_ssize_t n_edges


cdef inline int32_t edge_lookup(const TrieEdge* edges, uint64_t mask, int shift, uint64_t key) noexcept nogil:
    """The child stored under key in an edge table, or -1."""
    cdef uint64_t h = (key * GOLDEN) >> shift
    while True:
        if edges[h].key == key:
            return edges[h].child
        if edges[h].key == EMPTY_KEY:
            return -1
        h = (h + 1) & mask


cdef inline int32_t trie_child(const Trie* t, int32_t node, Py_UCS4 c) noexcept nogil:
    """Child of node for c, or -1; t.edges must be built."""
    if node == 0 and c < ROOT_SPAN and t.root != NULL:
        return t.root[c]
    return edge_lookup(t.edges, t.mask, t.shift, ((<uint64_t>node) << 21) | <uint64_t>c)


cdef inline int32_t trie_find(const Trie* t, const Py_UCS4* text, Py_ssize_t n) noexcept nogil:
    """Node of text[0:n] in t, or -1."""
    cdef int32_t node = 0
    cdef Py_ssize_t i
    for i in range(n):
        node = trie_child(t, node, text[i])
        if node < 0:
            return -1
    return node


cdef inline int32_t frozen_child_of(const FrozenTrie* z, int32_t r, Py_UCS4 c) noexcept nogil:
    """Record of record r's child for c, or -1 (r is not the root)."""
    cdef const FrozenRecord* records = z.records
    cdef uint32_t n_children = records[r].packed >> CHILDREN_SHIFT
    cdef int32_t lo = records[r].first_child, hi = lo + <int32_t>n_children
    cdef uint32_t k
    if n_children <= SCAN_CHILDREN:
        # children sorted by code point, in one or two cache lines
        while lo < hi:
            k = records[lo].packed & CODE_MASK
            if k == c:
                return lo
            if k > c:
                return -1
            lo += 1
        return -1
    return edge_lookup(z.edges, z.edge_mask, z.edge_shift, ((<uint64_t>r) << 21) | <uint64_t>c)


cdef inline int32_t frozen_child(const FrozenTrie* z, int32_t r, Py_UCS4 c) noexcept nogil:
    """Record of record r's child for c, or -1."""
    if r == 0 and c < ROOT_SPAN:
        return z.root[c]
    return frozen_child_of(z, r, c)


cdef inline int32_t frozen_find(const FrozenTrie* z, const Py_UCS4* text, Py_ssize_t n) noexcept nogil:
    """Record of text[0:n], or -1."""
    cdef int32_t r = 0
    cdef Py_ssize_t i
    for i in range(n):
        r = frozen_child(z, r, text[i])
        if r < 0:
            return -1
    return r


cdef inline int32_t record_node(const FrozenTrie* z, int32_t r) noexcept nogil:
    """Trie node of record r, -1 for r = -1."""
    return z.node[r] if r >= 0 else -1


# The master trie. 0 ok, -1 out of memory (t is then empty).
cdef int trie_init(Trie* t, bint with_root) noexcept nogil
cdef void trie_free(Trie* t) noexcept nogil
cdef void trie_release_retired(Trie* t) noexcept nogil
# Room for at least `capacity` nodes; 0 ok, -1 out of memory.
cdef int trie_reserve(Trie* t, Py_ssize_t capacity) noexcept nogil
# (Re)build the edge table from parent/code (0 ok, -1 out of memory); drop it.
cdef int trie_build_edges(Trie* t, uint64_t size) noexcept nogil
cdef void trie_drop_edges(Trie* t) noexcept nogil
# Node of w[0:n], creating what is missing (not in FREQ); with
# prefixes_in_freq every proper prefix not yet in FREQ enters it with 0
# (jieba's add_word). -1 out of memory.
cdef int32_t trie_path(Trie* t, const Py_UCS4* w, Py_ssize_t n, bint prefixes_in_freq) noexcept nogil
# The characters of node's string: its length; written to out[0:length]
# only when length <= cap.
cdef Py_ssize_t trie_node_chars(const Trie* t, int32_t node, Py_UCS4* out, Py_ssize_t cap) noexcept nogil

# The frozen layout of t (0 ok, -1 out of memory, -2 t is not a trie: z is
# then empty), its release, and the changes add_word brings to it.
cdef int frozen_build(const Trie* t, FrozenTrie* z) noexcept nogil
cdef void frozen_free(FrozenTrie* z) noexcept nogil
# A copy of src into the empty dst; 0 ok, -1 out of memory (dst then empty).
cdef int frozen_copy(const FrozenTrie* src, FrozenTrie* dst) noexcept nogil
# The record of r's child for c, appended for trie node `node` if missing; -1 out of memory.
cdef int32_t frozen_add_child(FrozenTrie* z, int32_t r, uint32_t c, int32_t node) noexcept nogil
cdef void frozen_set_freq(FrozenTrie* z, int32_t r, int64_t f) noexcept nogil
