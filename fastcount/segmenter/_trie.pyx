# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The dictionary's tries: building and changing the master trie, and laying
it out as the frozen trie the segmenter reads (see ``_trie.pxd``)."""
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport qsort
from libc.string cimport memset, memcpy
from libc.math cimport log, NAN

from fastcount._native cimport fc_advise_huge, fc_alloc, fc_calloc, fc_free, fc_grow, fc_grown_capacity

cdef enum:
    MAX_NODES = 0x40000000      # node and record ids are int32, shifted left by 21 in edge keys


cdef int grow_arrays(void** a, void** b, void** c, int32_t* capacity, Py_ssize_t need,
                     size_t size_a, size_t size_b, size_t size_c) noexcept nogil:
    """Grow up to three arrays that share one capacity (c may be NULL) to
    hold `need` items; 0 ok, -1 out of memory or too many nodes (capacity
    unchanged; the arrays stay valid)."""
    cdef Py_ssize_t new_cap = fc_grown_capacity(capacity[0], need, 0), cap
    if new_cap < 0 or need > MAX_NODES:
        return -1
    if new_cap > MAX_NODES:
        new_cap = MAX_NODES
    cap = capacity[0]
    if fc_grow(a, &cap, new_cap, size_a, 0):
        return -1
    cap = capacity[0]
    if fc_grow(b, &cap, new_cap, size_b, 0):
        return -1
    cap = capacity[0]
    if c != NULL and fc_grow(c, &cap, new_cap, size_c, 0):
        return -1
    capacity[0] = <int32_t>new_cap
    return 0


# ---------------------------------------------------------------- master trie
# Its edge table is only needed to change it: Dictionary drops it once the
# frozen copy is built and rebuilds it (from parent/code) on the next change,
# so that a loaded, unchanged dictionary holds only the compact arrays.
cdef int trie_init(Trie* t, bint with_root) noexcept nogil:
    memset(t, 0, sizeof(Trie))
    if with_root:
        t.root = <int32_t*>fc_alloc(ROOT_SPAN, sizeof(int32_t))
        if t.root == NULL:
            return -1
        memset(t.root, 0xFF, ROOT_SPAN * sizeof(int32_t))
    t.mask = 1023
    t.shift = 64 - 10
    t.edges = <TrieEdge*>fc_alloc(1024, sizeof(TrieEdge))
    t.capacity = 1024
    t.parent = <int32_t*>fc_alloc(t.capacity, sizeof(int32_t))
    t.code = <int32_t*>fc_alloc(t.capacity, sizeof(int32_t))
    t.freq = <int64_t*>fc_alloc(t.capacity, sizeof(int64_t))
    if t.edges == NULL or t.parent == NULL or t.code == NULL or t.freq == NULL:
        trie_free(t)
        return -1
    memset(t.edges, 0xFF, 1024 * sizeof(TrieEdge))
    t.n_nodes = 1
    t.parent[0] = -1
    t.code[0] = 0
    t.freq[0] = ABSENT
    return 0


cdef void trie_release_retired(Trie* t) noexcept nogil:
    cdef RetiredNodes* r = t.retired
    cdef RetiredNodes* next_one
    while r != NULL:
        next_one = r.next
        fc_free(r.parent)
        fc_free(r.code)
        fc_free(r)
        r = next_one
    t.retired = NULL


cdef void trie_free(Trie* t) noexcept nogil:
    trie_release_retired(t)
    fc_free(t.root)
    fc_free(t.edges)
    fc_free(t.parent)
    fc_free(t.code)
    fc_free(t.freq)
    memset(t, 0, sizeof(Trie))


cdef Py_ssize_t trie_node_chars(const Trie* t, int32_t node, Py_UCS4* out, Py_ssize_t cap) noexcept nogil:
    """Read from the node up, written back to front."""
    cdef Py_ssize_t n = 0, i
    cdef int32_t k = node
    while k > 0:
        n += 1
        k = t.parent[k]
    if n <= cap:
        i = n
        k = node
        while k > 0:
            i -= 1
            out[i] = t.code[k]
            k = t.parent[k]
    return n


cdef void edge_put(TrieEdge* edges, uint64_t mask, int shift, uint64_t key, int32_t child) noexcept nogil:
    cdef uint64_t h = (key * GOLDEN) >> shift
    while edges[h].key != EMPTY_KEY:
        h = (h + 1) & mask
    edges[h].key = key
    edges[h].child = child


cdef int trie_build_edges(Trie* t, uint64_t size) noexcept nogil:
    """At least `size` slots; t is unchanged when out of memory."""
    cdef uint64_t slots = 1024
    cdef int bits = 10
    cdef TrieEdge* e
    cdef int32_t k
    cdef Py_ssize_t n_edges = 0
    while slots < size or slots < 2 * <uint64_t>t.n_nodes:
        slots *= 2
        bits += 1
    e = <TrieEdge*>fc_alloc(slots, sizeof(TrieEdge))
    if e == NULL:
        return -1
    memset(e, 0xFF, slots * sizeof(TrieEdge))
    if t.root != NULL:
        memset(t.root, 0xFF, ROOT_SPAN * sizeof(int32_t))
    for k in range(1, t.n_nodes):
        if t.parent[k] == 0 and t.code[k] < ROOT_SPAN and t.root != NULL:
            t.root[t.code[k]] = k
        else:
            edge_put(e, slots - 1, 64 - bits, ((<uint64_t>t.parent[k]) << 21) | <uint64_t>t.code[k], k)
            n_edges += 1
    fc_free(t.edges)
    t.edges = e
    t.mask = slots - 1
    t.shift = 64 - bits
    t.n_edges = n_edges
    return 0


cdef void trie_drop_edges(Trie* t) noexcept nogil:
    fc_free(t.edges)
    t.edges = NULL
    t.n_edges = 0


cdef int trie_reserve(Trie* t, Py_ssize_t capacity) noexcept nogil:
    cdef RetiredNodes* old
    cdef int32_t* parent
    cdef int32_t* code
    if capacity <= t.capacity:
        return 0
    if not t.keep_old_nodes:
        return grow_arrays(<void**>&t.parent, <void**>&t.code, <void**>&t.freq, &t.capacity, capacity,
                           sizeof(int32_t), sizeof(int32_t), sizeof(int64_t))
    # Readers hold parent/code: new arrays, the old ones retired (freq is
    # read under the GIL only, and grows in place).
    old = <RetiredNodes*>fc_alloc(1, sizeof(RetiredNodes))
    parent = <int32_t*>fc_alloc(t.capacity, sizeof(int32_t))
    code = <int32_t*>fc_alloc(t.capacity, sizeof(int32_t))
    if old == NULL or parent == NULL or code == NULL:
        fc_free(old)
        fc_free(parent)
        fc_free(code)
        return -1
    memcpy(parent, t.parent, t.n_nodes * sizeof(int32_t))
    memcpy(code, t.code, t.n_nodes * sizeof(int32_t))
    old.parent = t.parent
    old.code = t.code
    old.next = t.retired
    t.retired = old
    t.parent = parent
    t.code = code
    return grow_arrays(<void**>&t.parent, <void**>&t.code, <void**>&t.freq, &t.capacity, capacity,
                       sizeof(int32_t), sizeof(int32_t), sizeof(int64_t))


cdef int32_t trie_add_child(Trie* t, int32_t node, Py_UCS4 c) noexcept nogil:
    """The child of node for c, created (not in FREQ) if missing; -1: no memory."""
    cdef int32_t k
    if t.edges == NULL and trie_build_edges(t, 0) != 0:
        return -1
    k = trie_child(t, node, c)
    if k >= 0:
        return k
    if trie_reserve(t, <Py_ssize_t>t.n_nodes + 1) != 0:
        return -1
    if node == 0 and c < ROOT_SPAN and t.root != NULL:
        t.root[c] = t.n_nodes
    else:
        if (t.n_edges + 1) * 2 > <Py_ssize_t>(t.mask + 1) and trie_build_edges(t, 2 * (t.mask + 1)) != 0:
            return -1
        edge_put(t.edges, t.mask, t.shift, ((<uint64_t>node) << 21) | <uint64_t>c, t.n_nodes)
        t.n_edges += 1
    k = t.n_nodes
    t.parent[k] = node
    t.code[k] = <int32_t>c
    t.freq[k] = ABSENT
    t.n_nodes += 1
    return k


cdef int32_t trie_path(Trie* t, const Py_UCS4* w, Py_ssize_t n, bint prefixes_in_freq) noexcept nogil:
    cdef int32_t node = 0
    cdef Py_ssize_t i
    for i in range(n):
        node = trie_add_child(t, node, w[i])
        if node < 0:
            return -1
        if prefixes_in_freq and t.freq[node] == ABSENT:
            t.freq[node] = 0
    return node


cdef inline double log_freq(int64_t f) noexcept nogil:
    """jieba's log(FREQ[w] or 1) for a word of the DAG (f != 0): the same libm
    log of the same double that math.log(f) computes; NaN where math.log
    raises (f < 0), for the route to report."""
    if f > 0:
        return log(<double>f)
    if f == 0:
        return 0.0
    return NAN


# ---------------------------------------------------------------- frozen trie
cdef void frozen_free(FrozenTrie* z) noexcept nogil:
    fc_free(z.records)
    fc_free(z.node)
    fc_free(z.root)
    fc_free(z.edges)
    memset(z, 0, sizeof(FrozenTrie))


cdef int frozen_copy(const FrozenTrie* src, FrozenTrie* dst) noexcept nogil:
    memset(dst, 0, sizeof(FrozenTrie))
    dst.records = <FrozenRecord*>fc_alloc(src.capacity, sizeof(FrozenRecord))
    dst.node = <int32_t*>fc_alloc(src.capacity, sizeof(int32_t))
    dst.root = <int32_t*>fc_alloc(ROOT_SPAN, sizeof(int32_t))
    dst.edges = <TrieEdge*>fc_alloc(src.edge_mask + 1, sizeof(TrieEdge))
    if dst.records == NULL or dst.node == NULL or dst.root == NULL or dst.edges == NULL:
        frozen_free(dst)
        return -1
    memcpy(dst.records, src.records, src.n_records * sizeof(FrozenRecord))
    memcpy(dst.node, src.node, src.n_records * sizeof(int32_t))
    memcpy(dst.root, src.root, ROOT_SPAN * sizeof(int32_t))
    memcpy(dst.edges, src.edges, (src.edge_mask + 1) * sizeof(TrieEdge))
    dst.n_records = src.n_records
    dst.capacity = src.capacity
    dst.edge_mask = src.edge_mask
    dst.edge_shift = src.edge_shift
    dst.n_edges = src.n_edges
    return 0


cdef int frozen_edge_put(FrozenTrie* z, int32_t r, uint32_t c, int32_t child) noexcept nogil:
    """Add (r, c) -> child to z.edges, growing it; 0 ok, -1 out of memory."""
    cdef uint64_t size, i
    cdef TrieEdge* e
    if (z.n_edges + 1) * 2 > <Py_ssize_t>(z.edge_mask + 1):
        size = (z.edge_mask + 1) * 2
        e = <TrieEdge*>fc_alloc(size, sizeof(TrieEdge))
        if e == NULL:
            return -1
        memset(e, 0xFF, size * sizeof(TrieEdge))
        for i in range(z.edge_mask + 1):
            if z.edges[i].key != EMPTY_KEY:
                edge_put(e, size - 1, z.edge_shift - 1, z.edges[i].key, z.edges[i].child)
        fc_free(z.edges)
        z.edges = e
        z.edge_mask = size - 1
        z.edge_shift -= 1
    edge_put(z.edges, z.edge_mask, z.edge_shift, ((<uint64_t>r) << 21) | <uint64_t>c, child)
    z.n_edges += 1
    return 0


cdef int32_t frozen_add_child(FrozenTrie* z, int32_t r, uint32_t c, int32_t node) noexcept nogil:
    """r's children then move to z.edges, since the new record cannot sit
    next to its siblings."""
    cdef int32_t k = frozen_child(z, r, c), j
    cdef uint32_t n_children
    if k >= 0:
        return k
    if z.n_records == z.capacity and grow_arrays(
            <void**>&z.records, <void**>&z.node, NULL, &z.capacity, <Py_ssize_t>z.n_records + 1,
            sizeof(FrozenRecord), sizeof(int32_t), 0) != 0:
        return -1
    n_children = z.records[r].packed >> CHILDREN_SHIFT
    if n_children != MANY_CHILDREN:
        for j in range(z.records[r].first_child, z.records[r].first_child + <int32_t>n_children):
            if frozen_edge_put(z, r, z.records[j].packed & CODE_MASK, j) != 0:
                return -1
        z.records[r].packed |= <uint32_t>MANY_CHILDREN << CHILDREN_SHIFT
    k = z.n_records
    if frozen_edge_put(z, r, c, k) != 0:
        return -1
    z.records[k].packed = c
    z.records[k].first_child = 0
    z.records[k].log_freq = 0.0
    z.node[k] = node
    z.n_records += 1
    if r == 0 and c < ROOT_SPAN:
        z.root[c] = k
    return k


cdef void frozen_set_freq(FrozenTrie* z, int32_t r, int64_t f) noexcept nogil:
    z.records[r].packed &= ~(<uint32_t>(IN_FREQ | IS_WORD))
    if f != ABSENT:
        z.records[r].packed |= IN_FREQ | (IS_WORD if f != 0 else 0)
        z.records[r].log_freq = log_freq(f)
    else:
        z.records[r].log_freq = 0.0


cdef int cmp_u64(const void* a, const void* b) noexcept nogil:
    cdef uint64_t x = (<const uint64_t*>a)[0], y = (<const uint64_t*>b)[0]
    return (x > y) - (x < y)


cdef int frozen_build(const Trie* t, FrozenTrie* z) noexcept nogil:
    cdef int32_t n = t.n_nodes
    cdef int32_t* start = <int32_t*>fc_calloc(n + 1, sizeof(int32_t))
    cdef uint64_t* children = <uint64_t*>fc_alloc(n if n > 1 else 1, sizeof(uint64_t))
    cdef int32_t* fill = <int32_t*>fc_alloc(n + 1, sizeof(int32_t))
    cdef int r = -1
    frozen_free(z)
    if start != NULL and children != NULL and fill != NULL:
        r = frozen_lay_out(t, z, start, children, fill)
    fc_free(start)
    fc_free(children)
    fc_free(fill)
    if r != 0:
        frozen_free(z)
    return r


cdef int frozen_lay_out(const Trie* t, FrozenTrie* z, int32_t* start, uint64_t* children,
                        int32_t* fill) noexcept nogil:
    """frozen_build with its work arrays (room for t.n_nodes + 1 each); z
    is left partly built on failure."""
    cdef int32_t n = t.n_nodes, k, p, r, nxt, m, j
    cdef uint64_t key, size, n_hashed
    cdef int bits
    z.records = <FrozenRecord*>fc_alloc(n, sizeof(FrozenRecord))
    z.node = <int32_t*>fc_alloc(n, sizeof(int32_t))
    z.root = <int32_t*>fc_alloc(ROOT_SPAN, sizeof(int32_t))
    if z.records == NULL or z.root == NULL or z.node == NULL:
        return -1
    # huge pages, asked for before the first touch: the segmenter's steps down
    # the trie land all over its records, and miss the TLB far less
    fc_advise_huge(z.records, n * sizeof(FrozenRecord))
    # children of each node, grouped by parent (counting sort), as
    # (code point << 32 | node) so that sorting a group sorts by code point
    for k in range(1, n):
        start[t.parent[k] + 1] += 1
    for k in range(n):
        start[k + 1] += start[k]
    memcpy(fill, start, (n + 1) * sizeof(int32_t))
    for k in range(1, n):
        p = t.parent[k]
        children[fill[p]] = ((<uint64_t>t.code[k]) << 32) | <uint64_t>k
        fill[p] += 1
    for p in range(n):
        m = start[p + 1] - start[p]
        if m > 16:
            qsort(children + start[p], m, sizeof(uint64_t), cmp_u64)
        elif m > 1:
            for j in range(start[p] + 1, start[p + 1]):      # insertion sort
                key = children[j]
                k = j - 1
                while k >= start[p] and children[k] > key:
                    children[k + 1] = children[k]
                    k -= 1
                children[k + 1] = key
        for j in range(start[p] + 1, start[p + 1]):
            if (children[j] >> 32) == (children[j - 1] >> 32):
                return -2         # two nodes for one string: not a trie
    memset(z.root, 0xFF, ROOT_SPAN * sizeof(int32_t))
    n_hashed = 0
    for p in range(n):
        m = start[p + 1] - start[p]
        if m > SCAN_CHILDREN or p == 0:
            n_hashed += m
    size = 1024
    bits = 10
    while size < 2 * n_hashed:
        size *= 2
        bits += 1
    z.edges = <TrieEdge*>fc_alloc(size, sizeof(TrieEdge))
    if z.edges == NULL:
        return -1
    fc_advise_huge(z.edges, size * sizeof(TrieEdge))
    memset(z.edges, 0xFF, size * sizeof(TrieEdge))
    z.edge_mask = size - 1
    z.edge_shift = 64 - bits
    z.n_edges = 0
    z.capacity = n
    z.node[0] = 0
    nxt = 1
    r = 0
    while r < nxt:
        if r == 0:
            z.records[0].packed = 0
        p = z.node[r]
        m = start[p + 1] - start[p]
        # the root's children always go to z.edges, so that a new one can join
        # them without moving anything (the BMP ones are found by z.root)
        z.records[r].packed |= (<uint32_t>(m if m <= SCAN_CHILDREN and r != 0 else MANY_CHILDREN)) << CHILDREN_SHIFT
        frozen_set_freq(z, r, t.freq[p])
        z.records[r].first_child = nxt
        for j in range(start[p], start[p + 1]):
            k = <int32_t><uint32_t>children[j]
            z.records[nxt].packed = <uint32_t>t.code[k]
            z.node[nxt] = k
            if r == 0 and t.code[k] < ROOT_SPAN:
                z.root[t.code[k]] = nxt
            if start[p + 1] - start[p] > SCAN_CHILDREN or r == 0:
                edge_put(z.edges, z.edge_mask, z.edge_shift,
                         ((<uint64_t>r) << 21) | <uint64_t>t.code[k], nxt)
                z.n_edges += 1
            nxt += 1
        r += 1
    z.n_records = n
    return 0
