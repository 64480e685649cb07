# The segmenter: jieba's cut modes over the frozen trie (DAG, route, the HMM
# for what the dictionary does not know), for the fused counter (and POS
# tagging) to cimport.
#
# A cut writes its tokens into a CutContext as Token records: spans of the
# input's code points (or of ctx.aux, for the one kind of token jieba glues
# together from non-adjacent pieces: the Latin run of full mode), each with
# the trie node of the token when the segmenter already knows it.
from libc.stdint cimport int32_t, uint8_t

from fastcount.segmenter._trie cimport Trie, FrozenTrie

cdef extern from *:
    """
    #if defined(__GNUC__)
    #define FC_CUT_UNLIKELY(x) __builtin_expect(!!(x), 0)
    #else
    #define FC_CUT_UNLIKELY(x) (x)
    #endif
    """
    bint unlikely "FC_CUT_UNLIKELY"(bint) nogil

cdef enum:
    TOKEN_SPAN = 0      # text[start:end]
    TOKEN_AUX = 1       # ctx.aux[start:end]
    TOKEN_SPACE = 2     # text[start:end], a whitespace separator (isspace is True)

cdef enum:
    CUT_OK = 0
    CUT_NO_MEMORY = 1
    CUT_DOMAIN = 2      # log() of a frequency or total <= 0, as in jieba's calc

cdef struct Token:
    Py_ssize_t start
    Py_ssize_t end
    int32_t node        # trie node of the token's string, or -1 when not known
    int32_t kind

cdef struct CutContext:
    const FrozenTrie* frozen
    const Trie* force_split     # Force_Split_Words (freq 1 = member); NULL when empty
    double log_total            # log(total); NaN when total <= 0 (jieba raises then)
    const Py_UCS4* text
    Py_ssize_t length
    Token* tokens
    Py_ssize_t n_tokens
    Py_ssize_t cap_tokens
    Py_UCS4* aux
    Py_ssize_t n_aux
    Py_ssize_t cap_aux
    double* route_score         # route: best score from each position,
    Py_ssize_t* route_end       # the end index of its first word,
    int32_t* route_record       # that word's frozen record (-1: a character that is no word)
    uint8_t* hmm_back           # Viterbi back pointers (4 per character) and states
    Py_ssize_t cap_route
    Py_ssize_t* dag_end         # full mode: the DAG list of one position
    int32_t* dag_node
    Py_ssize_t cap_dag
    int error                   # CUT_* (0 = fine)


# Grow ctx.tokens (emit's slow path); -1 and ctx.error set when out of memory.
cdef int cut_grow_tokens(CutContext* ctx) noexcept nogil


cdef inline int cut_emit(CutContext* ctx, Py_ssize_t s, Py_ssize_t e, int32_t node, int32_t kind) noexcept nogil:
    """Append a token; -1 when out of memory (ctx.error is set)."""
    cdef Token* t
    if unlikely(ctx.n_tokens == ctx.cap_tokens):
        if cut_grow_tokens(ctx) != 0:
            return -1
    t = &ctx.tokens[ctx.n_tokens]
    t.start = s
    t.end = e
    t.node = node
    t.kind = kind
    ctx.n_tokens += 1
    return 0


cdef void cut_context_init(CutContext* ctx, const FrozenTrie* frozen, const Trie* force_split,
                           double log_total) noexcept nogil
cdef void cut_context_free(CutContext* ctx) noexcept nogil
# Segment ctx.text[0:ctx.length] into ctx.tokens (appending): jieba's
# Tokenizer.cut (cut_all / HMM), or cut_for_search when search is true.
# Returns ctx.error.
cdef int cut_text(CutContext* ctx, bint cut_all, bint hmm, bint search) noexcept nogil
# jieba's get_DAG + calc over text[b:b+n]: route_score/route_end/route_record
# for positions 0 .. n (relative to b). -1 with ctx.error set on failure.
cdef int cut_route(CutContext* ctx, Py_ssize_t b, Py_ssize_t n) noexcept nogil
