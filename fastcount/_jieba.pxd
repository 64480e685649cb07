# C-level interface of fastcount._jieba (the jieba-exact segmenter), for the
# fused counting module (_jieba_count.pyx) to cimport.
#
# A segmentation writes its tokens into a JBCtx as JBTok records: spans of the
# input's code points (or of ctx.aux, for the one kind of token jieba glues
# together from non-adjacent pieces: the Latin run of full mode), each with the
# trie node of the token when the segmenter already knows it.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t

cdef struct JBEdge:
    uint64_t key        # (parent node << 21) | code point; JB_EMPTY = free slot
    int32_t child
    int32_t _pad

cdef struct JBTrie:
    # A prefix trie over code points holding exactly jieba's FREQ: node 0 is
    # the root (the empty string); every other node is one string.
    int32_t* root       # children of the root for code points < 65536, -1 = none
    JBEdge* edges       # every other parent->child edge, open addressing
    uint64_t mask       # edge slots - 1 (a power of two minus one)
    int shift           # 64 - log2(edge slots), for the multiplicative hash
    Py_ssize_t nedges
    int32_t n           # nodes (ids 0 .. n-1); nodes are never removed
    int32_t cap
    int32_t* parent
    int32_t* ch         # last code point of the node's string
    int64_t* freq       # FREQ[string], or JB_ABSENT when the string is not in FREQ

cdef struct JBRec:
    # One node of the frozen trie, the layout the segmenter reads: the
    # children of a node are consecutive records sorted by code point, so a
    # step down the trie reads one small block of memory (16 bytes a record).
    uint32_t cpf        # code point | JB_WORD | JB_PRESENT | children count << JB_KIDS_SHIFT
    int32_t first       # the children are records first, first + 1, ...
    double logf         # log(freq) for freq > 0, 0.0 for 0 (log(1)), NaN for < 0

cdef struct JBFrozen:
    JBRec* recs         # record 0 is the root
    int32_t* node       # record -> its JBTrie node id (the id tokens are counted under)
    int32_t n
    int32_t cap
    int32_t* root       # record of the root's child for code points < 65536, -1 = none
    JBEdge* big         # (record << 21 | code point) -> child record, for the
    uint64_t bigmask    # children of records with more than JB_SCAN children
    int bigshift
    Py_ssize_t nbig

cdef enum:
    JB_SCAN = 8               # up to this many children are found by a scan, more by z.big
    JB_CP_MASK = 0x1FFFFF
    JB_WORD = 0x200000        # in FREQ with a non-zero frequency
    JB_PRESENT = 0x400000     # in FREQ
    JB_KIDS_SHIFT = 23        # children count (0 .. JB_SCAN), or JB_MANY
    JB_MANY = 15

cdef enum:
    JB_SPAN = 0         # text[start:end]
    JB_AUX = 1          # ctx.aux[start:end]
    JB_SPACE = 2        # text[start:end], a whitespace separator (isspace is True)

cdef struct JBTok:
    Py_ssize_t start
    Py_ssize_t end
    int32_t node        # trie node of the token's string, or -1 when not known
    int32_t kind

cdef struct JBCtx:
    const JBFrozen* fz
    const JBTrie* fsw   # Force_Split_Words as a trie (freq 1 = member); NULL when empty
    double logtotal     # log(total); NaN when total <= 0 (jieba raises then)
    const Py_UCS4* text
    Py_ssize_t n
    JBTok* toks
    Py_ssize_t ntok
    Py_ssize_t captok
    Py_UCS4* aux
    Py_ssize_t naux
    Py_ssize_t capaux
    double* rscore      # route: best score, best end index, its trie node
    Py_ssize_t* rx
    int32_t* rnode
    uint8_t* bp         # Viterbi back pointers, 4 per character
    Py_ssize_t caproute
    Py_ssize_t* dag     # full mode: the DAG list of one position
    int32_t* dagnode
    Py_ssize_t capdag
    int err             # JB_ERR_* (0 = fine)

cdef enum:
    JB_OK = 0
    JB_ERR_NOMEM = 1
    JB_ERR_DOMAIN = 2   # log() of a frequency or total <= 0, as in jieba's calc

# Segment ctx.text[0:ctx.n] into ctx.toks (appending): jieba's Tokenizer.cut
# (cut_all / HMM), or cut_for_search when search is true. Returns ctx.err.
cdef int jb_cut(JBCtx* ctx, bint cut_all, bint hmm, bint search) noexcept nogil
cdef void jb_ctx_init(JBCtx* ctx, const JBFrozen* fz, const JBTrie* fsw, double logtotal) noexcept nogil
cdef void jb_ctx_free(JBCtx* ctx) noexcept nogil
# The characters of trie node `node`'s word: its length, the characters
# written to out[0:length] only when length <= cap.
cdef Py_ssize_t jb_node_chars(const JBTrie* t, int32_t node, Py_UCS4* out, Py_ssize_t cap) noexcept nogil
# Node of text[0:n] in the trie, or -1.
cdef int32_t jb_find(const JBTrie* t, const Py_UCS4* text, Py_ssize_t n) noexcept nogil
# Record of text[0:n] in the frozen trie, or -1.
cdef int32_t jb_zfind(const JBFrozen* z, const Py_UCS4* text, Py_ssize_t n) noexcept nogil
# The code points of s into out (room for n), as bytes.decode("utf-8") gives
# them: their number, or -1 where that decode would fail.
cdef Py_ssize_t utf8_decode_strict(const unsigned char* s, Py_ssize_t n, Py_UCS4* out) noexcept nogil

cdef class Dictionary:
    cdef JBTrie trie
    cdef JBTrie fsw
    cdef JBFrozen fz            # the trie laid out for reading; kept in step by add_word
    cdef bint fz_stale          # fz must be rebuilt from trie
    cdef object _total          # jieba's total (a Python int)
    cdef double logtotal
    cdef object _fsw_set        # the Force_Split_Words set seen last, and its size
    cdef Py_ssize_t _fsw_len
    cdef Py_ssize_t _readers    # segmentations running without the GIL
    cdef readonly Py_ssize_t version   # bumped by every change of the words
    cdef Py_ssize_t _can_raise_version # can_raise() was computed at this version
    cdef bint _can_raise
    cdef JBCtx _ctx             # buffers reused by short cuts (which keep the GIL)
    cdef bint _ctx_busy
    cdef Py_UCS4* _tbuf
    cdef int _sync_force_split(self) except -1
    cdef int _check_writable(self) except -1
    cdef int _freeze(self) except -1
