# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The tags of a dictionary's words for POS tagging (jieba.posseg's
``word_tag_tab``): a tag per trie node, plus the tagged characters that are
not in the trie (orphans), and the tag names.

A :class:`PosTags` is one version of a tagger's tags. Cuts read it without
the GIL while a reading holds it (``n_readings``); setting a tag then goes to
a copy that replaces it, as the :class:`Dictionary`'s words do under its
snapshots, so a cut or a count sees the tags of before or of after a change,
never half of one.
"""
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport qsort
from libc.string cimport memset, memcpy, memchr

from fastcount._native cimport fc_alloc, fc_realloc, fc_free, fc_grow, fc_utf8_decode_strict
from fastcount._vocab cimport (Vocab, FCVocab, fc_vocab_intern, fc_vocab_intern_trusted,
                               fc_vocab_intern_str, fc_vocab_find_str, fc_vocab_word, fc_vocab_free)
from fastcount.segmenter._trie cimport FrozenTrie, frozen_find
from fastcount.segmenter._dictionary cimport next_line


cdef class PosTags:
    """One version of a tagger's tags (see the module's docstring)."""

    def __cinit__(self):
        self.names = Vocab()

    def __dealloc__(self):
        fc_free(self.node_tag)
        fc_free(self.orphan_char)
        fc_free(self.orphan_tag)

    cdef PosTags copy(self):
        """A copy with no readings, to change in this one's place."""
        cdef PosTags c = PosTags.__new__(PosTags)
        cdef int64_t i
        cdef Py_ssize_t m
        cdef const char* w
        for i in range(self.names.table.n):
            w = fc_vocab_word(&self.names.table, i, &m)
            if fc_vocab_intern_trusted(&c.names.table, w, m) != i:
                raise MemoryError()
        c.node_tag = <int32_t*>fc_alloc(self.n_node_tag + 1, sizeof(int32_t))
        c.orphan_char = <uint32_t*>fc_alloc(self.n_orphans + 1, sizeof(uint32_t))
        c.orphan_tag = <int32_t*>fc_alloc(self.n_orphans + 1, sizeof(int32_t))
        if c.node_tag == NULL or c.orphan_char == NULL or c.orphan_tag == NULL:
            raise MemoryError()
        if self.n_node_tag:
            memcpy(c.node_tag, self.node_tag, self.n_node_tag * sizeof(int32_t))
        if self.n_orphans:
            memcpy(c.orphan_char, self.orphan_char, self.n_orphans * sizeof(uint32_t))
            memcpy(c.orphan_tag, self.orphan_tag, self.n_orphans * sizeof(int32_t))
        c.n_node_tag = self.n_node_tag
        c.n_orphans = self.n_orphans
        return c

    cdef int32_t intern(self, str tag) except -2:
        """The index of tag, added to the names if new."""
        cdef int64_t i = fc_vocab_find_str(self.names, tag)
        if i >= 0:
            return <int32_t>i
        if "\0" in tag:
            raise ValueError(f"a tag cannot hold a NUL character: {tag!r}")
        if self.names.table.n >= POS_MAX_TAGS:
            raise ValueError(f"more than {POS_MAX_TAGS} distinct tags")
        return <int32_t>fc_vocab_intern_str(self.names, tag)

    cdef int set_node(self, int32_t node, Py_ssize_t n_nodes, int32_t tag) except -1:
        """The tag of trie node `node` (< n_nodes, the trie's node count)."""
        cdef Py_ssize_t old = self.n_node_tag, i
        if node >= self.n_node_tag:
            if fc_grow(<void**>&self.node_tag, &self.n_node_tag, max(node + 1, n_nodes),
                       sizeof(int32_t), 2):
                raise MemoryError()
            for i in range(old, self.n_node_tag):
                self.node_tag[i] = -1
        self.node_tag[node] = tag
        return 0

    cdef int set_orphan(self, Py_UCS4 c, int32_t tag) except -1:
        """The tag of a character that is not in the trie."""
        cdef Py_ssize_t n
        cdef void* p = fc_realloc(self.orphan_char, self.n_orphans + 1, sizeof(uint32_t))
        if p == NULL:
            raise MemoryError()
        self.orphan_char = <uint32_t*>p
        p = fc_realloc(self.orphan_tag, self.n_orphans + 1, sizeof(int32_t))
        if p == NULL:
            raise MemoryError()
        self.orphan_tag = <int32_t*>p
        self.orphan_char[self.n_orphans] = c
        self.orphan_tag[self.n_orphans] = tag
        n = sort_orphans(self.orphan_char, self.orphan_tag, self.n_orphans + 1)
        if n < 0:
            raise MemoryError()
        self.n_orphans = n
        return 0

    cdef int rebase(self, PosTags current) except -1:
        """Renumber this version's tags (ids of its own names) onto current's
        names: the names become current's followed by the new ones. Runs no
        Python code (current may change at any Python instruction)."""
        cdef FCVocab merged
        cdef int32_t* ids = NULL
        cdef int64_t i, k
        cdef Py_ssize_t m
        cdef const char* w
        memset(&merged, 0, sizeof(FCVocab))
        try:
            ids = <int32_t*>fc_alloc(self.names.table.n + 1, sizeof(int32_t))
            if ids == NULL:
                raise MemoryError()
            for i in range(current.names.table.n):
                w = fc_vocab_word(&current.names.table, i, &m)
                if fc_vocab_intern_trusted(&merged, w, m) != i:
                    raise MemoryError()
            for i in range(self.names.table.n):
                w = fc_vocab_word(&self.names.table, i, &m)
                k = fc_vocab_intern_trusted(&merged, w, m)
                if k < 0:
                    raise MemoryError()
                if k >= POS_MAX_TAGS:
                    raise ValueError(f"more than {POS_MAX_TAGS} distinct tags")
                ids[i] = <int32_t>k
            for i in range(self.n_node_tag):
                if self.node_tag[i] >= 0:
                    self.node_tag[i] = ids[self.node_tag[i]]
            for i in range(self.n_orphans):
                self.orphan_tag[i] = ids[self.orphan_tag[i]]
            merged, self.names.table = self.names.table, merged
        finally:
            fc_vocab_free(&merged)
            fc_free(ids)
        return 0

    cdef void view(self, PosTagView* v) noexcept:
        """Point v at these tags (v's tag_x/tag_m/tag_eng are left as they are)."""
        v.node_tag = self.node_tag
        v.n_node_tag = self.n_node_tag
        v.orphan_char = self.orphan_char
        v.orphan_tag = self.orphan_tag
        v.n_orphans = self.n_orphans


cdef int parse_lines(const unsigned char* data, Py_ssize_t size, const FrozenTrie* frozen,
                     FCVocab* names, int32_t* node_tag, Py_ssize_t n_nodes,
                     uint32_t* orphan_char, int32_t* orphan_tag, Py_ssize_t* n_orphans,
                     Py_ssize_t* bad_line) noexcept nogil:
    """POSTokenizer.load_word_tag over a dictionary file's bytes: for every
    line ``word freq tag`` (stripped; empty lines skipped), the tag of word
    goes to its trie node (node_tag, n_nodes entries, or, for a character
    that is not in the trie, to the orphan arrays, room for one per line).
    0 ok; 1 a line is not three fields of UTF-8, or its tag holds a NUL
    (its number in bad_line); -1 out of memory."""
    cdef Py_ssize_t pos = 0, a, b, i, n_chars, first, second, line = 0, cap_chars = 0
    cdef Py_UCS4* chars = NULL
    cdef int64_t tag
    cdef int32_t record, node
    cdef int result = 0
    while pos < size:
        pos = next_line(data, size, pos, &a, &b)
        line += 1
        if a == b:
            continue
        if fc_grow(<void**>&chars, &cap_chars, b - a, sizeof(Py_UCS4), 0):
            result = -1
            break
        n_chars = fc_utf8_decode_strict(data + a, b - a, chars)
        first = second = -1
        if n_chars >= 0:
            # word, _, tag = line.split(" "): exactly two spaces (bytes: a
            # space is one byte of UTF-8 and never inside another character)
            for i in range(a, b):
                if data[i] == 32:
                    if first < 0:
                        first = i
                    elif second < 0:
                        second = i
                    else:
                        n_chars = -1
                        break
        if n_chars < 0 or second < 0 or memchr(data + second + 1, 0, b - second - 1) != NULL:
            bad_line[0] = line
            result = 1
            break
        # no bound on the file's tags here: rebase checks POS_MAX_TAGS
        tag = fc_vocab_intern(names, <const char*>data + second + 1, b - second - 1)
        if tag < 0 or tag > 0x7FFFFFFF:
            result = -1
            break
        n_chars = fc_utf8_decode_strict(data + a, first - a, chars)
        record = frozen_find(frozen, chars, n_chars)
        if record >= 0:
            node = frozen.node[record]
            if node < n_nodes:
                node_tag[node] = <int32_t>tag
        elif n_chars == 1:
            orphan_char[n_orphans[0]] = chars[0]
            orphan_tag[n_orphans[0]] = <int32_t>tag
            n_orphans[0] += 1
    fc_free(chars)
    return result


cdef PosTags parse_word_tags(const unsigned char* data, Py_ssize_t size, const FrozenTrie* frozen,
                             Py_ssize_t n_nodes, Py_ssize_t* bad_line):
    cdef Py_ssize_t n_lines = 1, i, n_orphans = 0
    cdef int r
    cdef PosTags t = PosTags.__new__(PosTags)
    for i in range(size):
        n_lines += data[i] == 10
    t.node_tag = <int32_t*>fc_alloc(n_nodes + 1, sizeof(int32_t))
    t.orphan_char = <uint32_t*>fc_alloc(n_lines, sizeof(uint32_t))
    t.orphan_tag = <int32_t*>fc_alloc(n_lines, sizeof(int32_t))
    if t.node_tag == NULL or t.orphan_char == NULL or t.orphan_tag == NULL:
        raise MemoryError()
    memset(t.node_tag, 0xFF, n_nodes * sizeof(int32_t))
    t.n_node_tag = n_nodes
    with nogil:
        r = parse_lines(data, size, frozen, &t.names.table, t.node_tag, n_nodes,
                        t.orphan_char, t.orphan_tag, &n_orphans, bad_line)
    if r < 0:
        raise MemoryError()
    if r > 0:
        return None
    t.n_orphans = sort_orphans(t.orphan_char, t.orphan_tag, n_orphans)
    if t.n_orphans < 0:
        t.n_orphans = 0
        raise MemoryError()
    return t


cdef int cmp_u64(const void* a, const void* b) noexcept nogil:
    cdef uint64_t x = (<const uint64_t*>a)[0], y = (<const uint64_t*>b)[0]
    return (x > y) - (x < y)


cdef Py_ssize_t sort_orphans(uint32_t* chars, int32_t* tags, Py_ssize_t n) noexcept nogil:
    """Sort the orphans by character, keeping the last tag of a character
    given twice (as a dict does); returns their new number (-1: out of memory,
    nothing changed)."""
    cdef uint64_t* keys = <uint64_t*>fc_alloc(n, sizeof(uint64_t))
    cdef int32_t* old = <int32_t*>fc_alloc(n, sizeof(int32_t))
    cdef Py_ssize_t i, w = 0
    if keys == NULL or old == NULL:
        fc_free(keys)
        fc_free(old)
        return -1
    for i in range(n):
        keys[i] = ((<uint64_t>chars[i]) << 32) | <uint64_t>i
    memcpy(old, tags, n * sizeof(int32_t))
    qsort(keys, n, sizeof(uint64_t), cmp_u64)
    for i in range(n):
        if w > 0 and chars[w - 1] == <uint32_t>(keys[i] >> 32):
            w -= 1       # the same character again, given later: it wins
        chars[w] = <uint32_t>(keys[i] >> 32)
        tags[w] = old[<uint32_t>keys[i]]
        w += 1
    fc_free(keys)
    fc_free(old)
    return w
