# jieba.posseg's cut (POSTokenizer.__cut_internal, jieba 0.42.1) over the
# segmenter's route and the posseg HMM, with the words' tags held per trie
# node: the C layer of POS tagging, for the POS chunk counter to cimport.
#
# A cut appends PosToken records: spans of the input's code points, each with
# its tag (an index into the tagger's tag names) and, when the cut knows it,
# the trie node of its string.
from cpython.pythread cimport PyThread_type_lock
from libc.stdint cimport int32_t, uint8_t, uint32_t, uint64_t

from fastcount.segmenter._cut cimport CutContext
from fastcount.segmenter._dictionary cimport Dictionary, Snapshot
from fastcount.segmenter._pos_hmm cimport PosModel, PosTables, PosScratch
from fastcount.segmenter._pos_tags cimport PosTags, PosTagView, POS_MAX_TAGS

cdef enum:
    POS_TOKEN_WORD = 0
    POS_TOKEN_SPACE = 1         # whitespace (str.isspace() is True), tagged x
    POS_CUT_NO_STATE = 3        # the HMM found no state to go on with (jieba raises ValueError)

cdef struct PosToken:
    Py_ssize_t start
    Py_ssize_t end
    int32_t node                # trie node of the token's string, or -1 when not known
    int32_t tag
    int32_t kind

cdef struct RunToken:
    int32_t start               # a word of a Han run, relative to the run
    int32_t end
    int32_t tag

cdef struct RunSlot:
    uint64_t hash               # 0: a free slot
    int32_t key_at              # the run's characters: keys[key_at:key_at + length]
    int32_t length
    int32_t token_at            # its words: tokens[token_at:token_at + n_tokens]
    int32_t n_tokens

cdef struct RunCache:
    # The words the posseg HMM found for Han runs seen before: a run's words
    # depend on its characters alone, and runs repeat. Bounded: emptied when full.
    RunSlot* slots
    Py_ssize_t n_slots_used
    Py_UCS4* keys
    Py_ssize_t n_keys
    RunToken* tokens
    Py_ssize_t n_tokens

cdef struct PosCutContext:
    CutContext cut              # the text, the dictionary, the route's buffers
    const PosTables* model
    PosTagView tags
    PosToken* tokens
    Py_ssize_t n_tokens
    Py_ssize_t cap_tokens
    PosScratch scratch          # the HMM's back pointers
    RunCache runs
    RunCache* shared_runs       # a second level, shared with other threads (NULL: none),
    PyThread_type_lock runs_lock    # and the lock that guards it
    uint8_t* states             # the HMM's states of a run
    Py_ssize_t cap_states
    int error                   # CUT_* of _cut, or POS_CUT_NO_STATE

cdef void pos_cut_context_init(PosCutContext* ctx) noexcept nogil
cdef void pos_cut_context_free(PosCutContext* ctx) noexcept nogil
# POSTokenizer.cut(ctx.cut.text[0:ctx.cut.length], HMM=hmm) into ctx.tokens
# (appending). Returns ctx.error.
cdef int pos_cut_text(PosCutContext* ctx, bint hmm) noexcept nogil
# Free a run cache's memory; it is then empty.
cdef void run_cache_free(RunCache* c) noexcept nogil


cdef class PosReading:
    # Taken under the GIL by PosTagger.read_begin(): the words and tags it
    # shows do not change while it is alive; drop it to end the reading.
    cdef PosTagger _tagger
    cdef Snapshot _snapshot
    cdef PosTags _tags
    cdef readonly bint can_raise    # a cut may meet a log() of a number <= 0
    cdef void fill(self, PosCutContext* ctx) noexcept


cdef class PosTagger:
    cdef readonly PosModel model
    cdef readonly Dictionary dictionary
    cdef PosTags _tags              # the current tags (copy-on-write under readings)
    cdef list tag_names             # the tag names as str, by tag index, for pairs
    cdef int32_t tag_x, tag_m, tag_eng
    cdef PosCutContext _short       # buffers reused by short cuts (which keep the GIL)
    cdef bint _short_busy
    cdef Py_UCS4* _text             # the text of the last cut with _short
    cdef Py_ssize_t _cap_text
    cdef object __weakref__         # a key of _pos_count's shared run caches
    cdef PosReading read_begin(self)
    cdef PosTags _tags_to_change(self)
    cdef _sync_tag_names(self)
    cdef list _pairs(self, PosCutContext* ctx, str s)
