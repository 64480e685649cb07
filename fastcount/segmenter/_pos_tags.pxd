# The tags of a Dictionary's words for POS tagging (jieba.posseg's
# word_tag_tab), held per trie node, copy-on-write under readings.
from libc.stdint cimport int32_t, uint32_t

from fastcount._vocab cimport Vocab
from fastcount.segmenter._trie cimport FrozenTrie

cdef enum:
    POS_MAX_TAGS = 1 << 20      # tag indexes fit 20 bits

cdef struct PosTagView:
    # What a cut reads of a PosTags (unchanged while a cut runs).
    const int32_t* node_tag     # tag of trie node k (k < n_node_tag), -1: none
    Py_ssize_t n_node_tag
    const uint32_t* orphan_char # tagged characters that are not in the trie, sorted
    const int32_t* orphan_tag
    Py_ssize_t n_orphans
    int32_t tag_x
    int32_t tag_m
    int32_t tag_eng


cdef class PosTags:
    # One version of a tagger's tags. While n_readings > 0 it is read without
    # the GIL and must not change: a change goes to a copy (PosTags.copy),
    # which becomes the tagger's current tags. A tag index is an id of names;
    # every later version keeps the names (and ids) of the earlier ones.
    cdef int32_t* node_tag
    cdef Py_ssize_t n_node_tag
    cdef uint32_t* orphan_char
    cdef int32_t* orphan_tag
    cdef Py_ssize_t n_orphans
    cdef Vocab names
    cdef Py_ssize_t n_readings      # live readings holding this version
    cdef PosTags copy(self)
    cdef int32_t intern(self, str tag) except -2
    cdef int set_node(self, int32_t node, Py_ssize_t n_nodes, int32_t tag) except -1
    cdef int set_orphan(self, Py_UCS4 c, int32_t tag) except -1
    cdef int rebase(self, PosTags current) except -1
    cdef void view(self, PosTagView* v) noexcept


# The tags of a dictionary file's bytes (lines ``word freq tag``), as
# POSTokenizer.load_word_tag, with tag ids of their own (rebase them onto
# the tagger's current tags before use). None when a line is bad: its number
# goes to bad_line. MemoryError, ValueError (too many tags).
cdef PosTags parse_word_tags(const unsigned char* data, Py_ssize_t size, const FrozenTrie* frozen,
                             Py_ssize_t n_nodes, Py_ssize_t* bad_line)
