# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""jieba.posseg's cut (``POSTokenizer.__cut_internal``, jieba 0.42.1) in C:
the words of the segmenter's route, tagged from the dictionary file's tags
(held per trie node), and the words of the posseg HMM for what the
dictionary does not know, token for token and tag for tag.

Every decision follows jieba's code:

* ``re_han_internal`` blocks (``[\\u4E00-\\u9FD5a-zA-Z0-9+#&._]``, without
  the ``%`` and ``-`` of plain cutting) go through the route; other text is
  split at ``(\\r\\n|\\s)``, each piece a token tagged ``x``;
* with HMM (``__cut_DAG``), runs of single characters that together are not a
  word with a non-zero frequency go through ``__cut_detail``: Han runs through
  the posseg Viterbi (``_pos_hmm``), others split at ``[.0-9]+`` (tag ``m``)
  and ``[a-zA-Z0-9]+`` (``eng``), what lies between tagged ``x``;
* without HMM (``__cut_DAG_NO_HMM``), runs of single ASCII letters and digits
  join into one ``eng`` token;
* a dictionary word's tag is ``word_tag_tab.get(word, 'x')``.

:class:`PosTagger` holds the tags of one :class:`Dictionary`'s words (a
``_pos_tags.PosTags``, copy-on-write: a cut keeps the tags it began with) and
cuts into lists of :class:`pair`.
"""
cimport cython
from cpython.unicode cimport PyUnicode_GET_LENGTH, PyUnicode_Substring
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.pythread cimport PyThread_acquire_lock, PyThread_release_lock, WAIT_LOCK
from cpython.ref cimport Py_INCREF
from libc.stdint cimport int32_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memset, memcpy, memcmp

from fastcount._native cimport fc_alloc, fc_calloc, fc_free, fc_grow
from fastcount.segmenter._trie cimport FrozenTrie, IS_WORD, frozen_child, frozen_find, record_node
from fastcount.segmenter._cut cimport (CutContext, CUT_NO_MEMORY, CUT_DOMAIN, cut_context_init,
                                       cut_context_free, cut_route)
from fastcount.segmenter._dictionary cimport Dictionary, Snapshot, raise_cut_error
from fastcount.segmenter._hmm cimport is_han
from fastcount.segmenter._pos_hmm cimport (PosModel, PosTables, PosScratch, POS_OK, POS_NO_MEMORY,
                                           POS_LETTER_B, POS_LETTER_E, POS_LETTER_S, pos_viterbi,
                                           pos_scratch_free)
from fastcount._vocab cimport Vocab, fc_vocab_word_str
from fastcount.segmenter._pos_tags cimport PosTags, parse_word_tags

cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch) nogil
    Py_UCS4* PyUnicode_AsUCS4(object u, Py_UCS4* buffer, Py_ssize_t buflen, int copy_null) except NULL

cdef enum:
    SHORT_TEXT = 256        # texts up to this long are cut holding the GIL
    RUN_SLOTS = 65536       # the run cache: slots (a power of two),
    RUN_MAX_USED = 32768    # slots used before it is emptied,
    RUN_MAX_LENGTH = 16     # the longest run it keeps,
    RUN_KEYS = RUN_MAX_USED * 4     # room for characters and words
    RUN_TOKENS = RUN_MAX_USED * 4

# re_han_internal for ASCII: [a-zA-Z0-9+#&._]
cdef uint8_t INTERNAL_ASCII[128]


def _load_char_classes():
    cdef int c
    for c in range(128):
        INTERNAL_ASCII[c] = (chr(c).isascii() and chr(c).isalnum()) or chr(c) in "+#&._"


_load_char_classes()


cdef inline bint is_internal(Py_UCS4 c) noexcept nogil:
    if c < 128:
        return INTERNAL_ASCII[c]
    return is_han(c)


cdef inline bint is_digit(Py_UCS4 c) noexcept nogil:
    return 48 <= c <= 57


cdef inline bint is_alpha(Py_UCS4 c) noexcept nogil:
    return 65 <= c <= 90 or 97 <= c <= 122


cdef inline bint is_eng(Py_UCS4 c) noexcept nogil:
    """[a-zA-Z0-9]"""
    return is_digit(c) or is_alpha(c)


cdef inline bint is_num(Py_UCS4 c) noexcept nogil:
    """[.0-9]"""
    return c == 46 or is_digit(c)


# ---------------------------------------------------------------- the context
cdef void pos_cut_context_init(PosCutContext* ctx) noexcept nogil:
    memset(ctx, 0, sizeof(PosCutContext))
    cut_context_init(&ctx.cut, NULL, NULL, 0.0)


cdef void pos_cut_context_free(PosCutContext* ctx) noexcept nogil:
    cut_context_free(&ctx.cut)
    pos_scratch_free(&ctx.scratch)
    run_cache_free(&ctx.runs)
    fc_free(ctx.tokens)
    fc_free(ctx.states)
    ctx.tokens = NULL
    ctx.states = NULL
    ctx.cap_tokens = ctx.cap_states = 0


cdef int grow_tokens(PosCutContext* ctx) noexcept nogil:
    if fc_grow(<void**>&ctx.tokens, &ctx.cap_tokens, ctx.n_tokens + 1, sizeof(PosToken), 0):
        ctx.error = CUT_NO_MEMORY
        return -1
    return 0


cdef inline int emit(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t e, int32_t node, int32_t tag,
                     int32_t kind) noexcept nogil:
    cdef PosToken* t
    if ctx.n_tokens == ctx.cap_tokens and grow_tokens(ctx) != 0:
        return -1
    t = &ctx.tokens[ctx.n_tokens]
    t.start = s
    t.end = e
    t.node = node
    t.tag = tag
    t.kind = kind
    ctx.n_tokens += 1
    return 0


cdef inline int32_t node_tag(const PosTagView* v, int32_t node) noexcept nogil:
    """word_tag_tab.get(word) for the word of trie node `node`; -1 for none."""
    if 0 <= node < v.n_node_tag:
        return v.node_tag[node]
    return -1


cdef int32_t orphan_tag(const PosTagView* v, Py_UCS4 c) noexcept nogil:
    """word_tag_tab.get(c) for a character that had no trie node when
    tagged; -1 for none."""
    cdef Py_ssize_t lo = 0, hi = v.n_orphans, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if v.orphan_char[mid] < c:
            lo = mid + 1
        else:
            hi = mid
    if lo < v.n_orphans and v.orphan_char[lo] == c:
        return v.orphan_tag[lo]
    return -1


cdef inline int32_t char_tag(const PosTagView* v, int32_t node, Py_UCS4 c) noexcept nogil:
    """word_tag_tab.get(c, 'x') for a character (trie node `node`, or -1)."""
    cdef int32_t tag = node_tag(v, node)
    if tag < 0 and v.n_orphans:
        tag = orphan_tag(v, c)
    return tag if tag >= 0 else v.tag_x


cdef inline int emit_char(PosCutContext* ctx, Py_ssize_t i) noexcept nogil:
    """text[i] with its dictionary tag."""
    cdef Py_UCS4 c = ctx.cut.text[i]
    cdef int32_t node = record_node(ctx.cut.frozen, frozen_child(ctx.cut.frozen, 0, c))
    return emit(ctx, i, i + 1, node, char_tag(&ctx.tags, node, c), POS_TOKEN_WORD)


cdef inline int emit_word(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t e, int32_t record) noexcept nogil:
    """text[s:e], a word of the route (frozen record `record`; -1 for a
    character that is no word), with its dictionary tag."""
    cdef int32_t node, tag
    if e - s == 1:
        return emit_char(ctx, s)
    node = record_node(ctx.cut.frozen, record)
    tag = node_tag(&ctx.tags, node)
    return emit(ctx, s, e, node, tag if tag >= 0 else ctx.tags.tag_x, POS_TOKEN_WORD)


# ---------------------------------------------------------------- the run cache
cdef inline uint64_t run_hash(const Py_UCS4* text, Py_ssize_t n) noexcept nogil:
    cdef uint64_t h = 0x9E3779B97F4A7C15ULL ^ <uint64_t>n
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ <uint64_t>text[i]) * 0xFF51AFD7ED558CCDULL
    h ^= h >> 29
    return h | 1        # never 0, the mark of a free slot


cdef RunSlot* run_find(RunCache* c, const Py_UCS4* text, Py_ssize_t n, uint64_t h) noexcept nogil:
    """The slot of run text[0:n] (n <= RUN_MAX_LENGTH), or the free slot
    where it goes; NULL when the cache has no memory."""
    cdef uint64_t i
    cdef RunSlot* slot
    if c.slots == NULL:
        c.slots = <RunSlot*>fc_calloc(RUN_SLOTS, sizeof(RunSlot))
        c.keys = <Py_UCS4*>fc_alloc(RUN_KEYS, sizeof(Py_UCS4))
        c.tokens = <RunToken*>fc_alloc(RUN_TOKENS, sizeof(RunToken))
        if c.slots == NULL or c.keys == NULL or c.tokens == NULL:
            fc_free(c.slots)
            fc_free(c.keys)
            fc_free(c.tokens)
            memset(c, 0, sizeof(RunCache))
            return NULL
    i = h & (RUN_SLOTS - 1)
    while True:
        slot = &c.slots[i]
        if slot.hash == 0 or (slot.hash == h and slot.length == n
                              and memcmp(c.keys + slot.key_at, text, n * sizeof(Py_UCS4)) == 0):
            return slot
        i = (i + 1) & (RUN_SLOTS - 1)


cdef void run_keep(RunCache* c, RunSlot* slot, const Py_UCS4* text, Py_ssize_t n, uint64_t h,
                   const PosToken* tokens, Py_ssize_t n_tokens, Py_ssize_t base) noexcept nogil:
    """Keep the words tokens[0:n_tokens] (spans from `base`) of run text[0:n]
    in the free slot `slot`; when the cache is full, empty it instead."""
    cdef Py_ssize_t k
    if (c.n_slots_used >= RUN_MAX_USED or c.n_keys + n > RUN_KEYS
            or c.n_tokens + n_tokens > RUN_TOKENS):
        memset(c.slots, 0, RUN_SLOTS * sizeof(RunSlot))
        c.n_slots_used = c.n_keys = c.n_tokens = 0
        return
    memcpy(c.keys + c.n_keys, text, n * sizeof(Py_UCS4))
    for k in range(n_tokens):
        c.tokens[c.n_tokens + k].start = <int32_t>(tokens[k].start - base)
        c.tokens[c.n_tokens + k].end = <int32_t>(tokens[k].end - base)
        c.tokens[c.n_tokens + k].tag = tokens[k].tag
    slot.hash = h
    slot.key_at = <int32_t>c.n_keys
    slot.length = <int32_t>n
    slot.token_at = <int32_t>c.n_tokens
    slot.n_tokens = <int32_t>n_tokens
    c.n_keys += n
    c.n_tokens += n_tokens
    c.n_slots_used += 1


cdef void run_cache_free(RunCache* c) noexcept nogil:
    """Free a run cache's memory; it is then empty."""
    fc_free(c.slots)
    fc_free(c.keys)
    fc_free(c.tokens)
    memset(c, 0, sizeof(RunCache))


cdef int emit_known(PosCutContext* ctx, const RunCache* c, const RunSlot* slot, Py_ssize_t s) noexcept nogil:
    """The words a cache keeps for the run at text[s:]."""
    cdef const RunToken* known = c.tokens + slot.token_at
    cdef Py_ssize_t k
    for k in range(slot.n_tokens):
        if emit(ctx, s + known[k].start, s + known[k].end, -1, known[k].tag, POS_TOKEN_WORD) != 0:
            return -1
    return 0


cdef int shared_find(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t L, uint64_t h) noexcept nogil:
    """The words of the run text[s:s + L] from the shared cache: 1 when it
    has them (emitted), 0 when not, -1 on an error."""
    cdef RunSlot* slot
    cdef int r = 0
    PyThread_acquire_lock(ctx.runs_lock, WAIT_LOCK)
    slot = run_find(ctx.shared_runs, ctx.cut.text + s, L, h)
    if slot != NULL and slot.hash != 0:
        r = 1 if emit_known(ctx, ctx.shared_runs, slot, s) == 0 else -1
    PyThread_release_lock(ctx.runs_lock)
    return r


cdef void shared_keep(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t L, uint64_t h,
                      Py_ssize_t first) noexcept nogil:
    """Keep the words ctx.tokens[first:] of the run text[s:s + L] in the
    shared cache (unless another thread kept them meanwhile)."""
    cdef RunSlot* slot
    PyThread_acquire_lock(ctx.runs_lock, WAIT_LOCK)
    slot = run_find(ctx.shared_runs, ctx.cut.text + s, L, h)
    if slot != NULL and slot.hash == 0:
        run_keep(ctx.shared_runs, slot, ctx.cut.text + s, L, h, ctx.tokens + first,
                 ctx.n_tokens - first, s)
    PyThread_release_lock(ctx.runs_lock)


# ---------------------------------------------------------------- __cut_detail
cdef int hmm_cut(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """POSTokenizer.__cut over the Han run text[s:e], from the run cache when
    the run was seen before (by this context, or by one sharing its second
    level: threads that count parts of one corpus see the same runs)."""
    cdef Py_ssize_t L = e - s, first = ctx.n_tokens
    cdef uint64_t h = 0
    cdef RunSlot* slot = NULL
    cdef int found = 0
    if L <= RUN_MAX_LENGTH:
        h = run_hash(ctx.cut.text + s, L)
        slot = run_find(&ctx.runs, ctx.cut.text + s, L, h)
        if slot != NULL and slot.hash != 0:
            return emit_known(ctx, &ctx.runs, slot, s)
        if ctx.shared_runs != NULL:
            found = shared_find(ctx, s, L, h)
            if found < 0:
                return -1
    if not found:
        if viterbi_cut(ctx, s, e) != 0:
            return -1
        if ctx.shared_runs != NULL and L <= RUN_MAX_LENGTH:
            shared_keep(ctx, s, L, h, first)
    if slot != NULL:
        run_keep(&ctx.runs, slot, ctx.cut.text + s, L, h, ctx.tokens + first, ctx.n_tokens - first, s)
    return 0


cdef int viterbi_cut(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """POSTokenizer.__cut over the Han run text[s:e]: the posseg Viterbi."""
    cdef Py_ssize_t L = e - s, i, begin = 0, next_start = 0
    cdef const PosTables* m = ctx.model
    cdef uint8_t* states
    cdef uint8_t letter
    cdef int r
    if fc_grow(<void**>&ctx.states, &ctx.cap_states, L, 1, 0):
        ctx.error = CUT_NO_MEMORY
        return -1
    states = ctx.states
    r = pos_viterbi(m, ctx.cut.text + s, L, &ctx.scratch, states)
    if r != POS_OK:
        ctx.error = CUT_NO_MEMORY if r == POS_NO_MEMORY else POS_CUT_NO_STATE
        return -1
    # jieba's loop as it is: `begin` is not reset after a word
    for i in range(L):
        letter = m.state_letter[states[i]]
        if letter == POS_LETTER_B:
            begin = i
        elif letter == POS_LETTER_E:
            if emit(ctx, s + begin, s + i + 1, -1, m.state_tag[states[i]], POS_TOKEN_WORD) != 0:
                return -1
            next_start = i + 1
        elif letter == POS_LETTER_S:
            if emit(ctx, s + i, s + i + 1, -1, m.state_tag[states[i]], POS_TOKEN_WORD) != 0:
                return -1
            next_start = i + 1
    if next_start < L:
        return emit(ctx, s + next_start, e, -1, m.state_tag[states[next_start]], POS_TOKEN_WORD)
    return 0


cdef int skip_detail(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """re_skip_detail.split(text[s:e]) (no Han in it): [.0-9]+ is m,
    [a-zA-Z0-9]+ eng, what lies between x."""
    cdef const Py_UCS4* text = ctx.cut.text
    cdef Py_ssize_t r = s, gap = s, m
    cdef int32_t tag
    while r < e:
        if is_num(text[r]):
            m = r + 1
            while m < e and is_num(text[m]):
                m += 1
            tag = ctx.tags.tag_m
        elif is_alpha(text[r]):
            m = r + 1
            while m < e and is_eng(text[m]):
                m += 1
            tag = ctx.tags.tag_eng
        else:
            r += 1
            continue
        if gap < r and emit(ctx, gap, r, -1, ctx.tags.tag_x, POS_TOKEN_WORD) != 0:
            return -1
        if emit(ctx, r, m, -1, tag, POS_TOKEN_WORD) != 0:
            return -1
        r = m
        gap = m
    if gap < e:
        return emit(ctx, gap, e, -1, ctx.tags.tag_x, POS_TOKEN_WORD)
    return 0


cdef int cut_detail(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """POSTokenizer.__cut_detail(text[s:e])."""
    cdef const Py_UCS4* text = ctx.cut.text
    cdef Py_ssize_t r = s, q
    cdef int failed
    while r < e:
        q = r
        if is_han(text[r]):
            while q < e and is_han(text[q]):
                q += 1
            failed = hmm_cut(ctx, r, q)
        else:
            while q < e and not is_han(text[q]):
                q += 1
            failed = skip_detail(ctx, r, q)
        if failed:
            return -1
        r = q
    return 0


# ---------------------------------------------------------------- __cut_DAG
cdef int flush_run(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """The `buf` of __cut_DAG: text[s:e], single characters of the route."""
    cdef int32_t r
    cdef Py_ssize_t i
    if e - s == 1:
        return emit_char(ctx, s)
    r = frozen_find(ctx.cut.frozen, ctx.cut.text + s, e - s)
    if r < 0 or not (ctx.cut.frozen.records[r].packed & IS_WORD):      # not FREQ.get(buf)
        return cut_detail(ctx, s, e)
    for i in range(s, e):
        if emit_char(ctx, i) != 0:
            return -1
    return 0


cdef int cut_dag(PosCutContext* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    """__cut_DAG (HMM) over text[b:b+N]."""
    cdef CutContext* cut = &ctx.cut
    cdef Py_ssize_t x = 0, y, run = -1
    if cut_route(cut, b, N) != 0:
        ctx.error = cut.error
        return -1
    while x < N:
        y = cut.route_end[x] + 1
        if y - x == 1:
            if run < 0:
                run = x
        else:
            if run >= 0:
                if flush_run(ctx, b + run, b + x) != 0:
                    return -1
                run = -1
            if emit_word(ctx, b + x, b + y, cut.route_record[x]) != 0:
                return -1
        x = y
    if run >= 0:
        return flush_run(ctx, b + run, b + N)
    return 0


cdef int cut_dag_no_hmm(PosCutContext* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    """__cut_DAG_NO_HMM over text[b:b+N]."""
    cdef CutContext* cut = &ctx.cut
    cdef Py_ssize_t x = 0, y, run = -1
    if cut_route(cut, b, N) != 0:
        ctx.error = cut.error
        return -1
    while x < N:
        y = cut.route_end[x] + 1
        if y - x == 1 and is_eng(cut.text[b + x]):
            if run < 0:
                run = x
        else:
            if run >= 0:
                if emit(ctx, b + run, b + x, -1, ctx.tags.tag_eng, POS_TOKEN_WORD) != 0:
                    return -1
                run = -1
            if emit_word(ctx, b + x, b + y, cut.route_record[x]) != 0:
                return -1
        x = y
    if run >= 0:
        return emit(ctx, b + run, b + N, -1, ctx.tags.tag_eng, POS_TOKEN_WORD)
    return 0


cdef int skip_block(PosCutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """A block outside re_han_internal: re_skip_internal.split(); every piece
    is x (its characters can be neither [.0-9] nor [a-zA-Z0-9])."""
    cdef const Py_UCS4* text = ctx.cut.text
    cdef const FrozenTrie* frozen = ctx.cut.frozen
    cdef Py_ssize_t q = s, size
    cdef Py_UCS4 c
    while q < e:
        c = text[q]
        if Py_UNICODE_ISSPACE(c):
            size = 2 if (c == 13 and q + 1 < e and text[q + 1] == 10) else 1
            if emit(ctx, q, q + size, -1, ctx.tags.tag_x, POS_TOKEN_SPACE) != 0:
                return -1
            q += size
        else:
            if emit(ctx, q, q + 1, record_node(frozen, frozen_child(frozen, 0, c)), ctx.tags.tag_x,
                    POS_TOKEN_WORD) != 0:
                return -1
            q += 1
    return 0


cdef int pos_cut_text(PosCutContext* ctx, bint hmm) noexcept nogil:
    cdef const Py_UCS4* text = ctx.cut.text
    cdef Py_ssize_t n = ctx.cut.length, i = 0, j
    cdef int failed
    while i < n:
        j = i
        if is_internal(text[i]):
            while j < n and is_internal(text[j]):
                j += 1
            failed = cut_dag(ctx, i, j - i) if hmm else cut_dag_no_hmm(ctx, i, j - i)
        else:
            while j < n and not is_internal(text[j]):
                j += 1
            failed = skip_block(ctx, i, j)
        if failed:
            return ctx.error
        i = j
    return ctx.error


# ---------------------------------------------------------------- Python side
# Outside the cyclic garbage collector: a corpus's cut makes millions of pairs,
# and the collector's passes over them cost more than the cut (bench group
# posseg); a pair normally refers to its word and flag only.
@cython.freelist(256)
@cython.no_gc
cdef class pair:
    """A word and its part-of-speech tag, as ``jieba.posseg.pair``: prints as
    ``word/flag``, unpacks as ``word, flag = p``, compares equal to a pair
    with the same word and flag, orders by word, hashes as its word.

    Pairs take no part in cyclic garbage collection: a pair whose word or
    flag refers back to it (a reference cycle) is never freed."""
    cdef public object word
    cdef public object flag

    def __init__(self, word, flag):
        self.word = word
        self.flag = flag

    def __str__(self):
        return '%s/%s' % (self.word, self.flag)

    def __repr__(self):
        return 'pair(%r, %r)' % (self.word, self.flag)

    def __iter__(self):
        return iter((self.word, self.flag))

    def __lt__(self, other):
        return self.word < other.word

    def __eq__(self, other):
        return isinstance(other, pair) and self.word == (<pair>other).word and self.flag == (<pair>other).flag

    def __hash__(self):
        return hash(self.word)

    def encode(self, arg):
        """``str(self).encode(arg)``."""
        return str(self).encode(arg)

    def __reduce__(self):
        return (pair, (self.word, self.flag))


cdef object raise_pos_error(int error):
    if error == POS_CUT_NO_STATE:
        raise ValueError("max() arg is an empty sequence (jieba.posseg's Viterbi found "
                         "no state to go on with)")
    raise_cut_error(error)


cdef class PosReading:
    """What a POS cut without the GIL reads of a :class:`PosTagger`: its
    model, its dictionary's words and its tags, unchanged while it is alive."""

    def __dealloc__(self):
        if self._tags is not None:
            self._tags.n_readings -= 1

    cdef void fill(self, PosCutContext* ctx) noexcept:
        """Point ctx at the model, the words and the tags to cut with."""
        cdef PosTagger t = self._tagger
        self._snapshot.fill(&ctx.cut)
        ctx.cut.force_split = NULL     # jieba.posseg never reads Force_Split_Words
        ctx.model = &t.model.tables
        self._tags.view(&ctx.tags)
        ctx.tags.tag_x = t.tag_x
        ctx.tags.tag_m = t.tag_m
        ctx.tags.tag_eng = t.tag_eng
        ctx.error = 0


cdef Py_UCS4* ucs4_into(str s, Py_UCS4** buffer, Py_ssize_t* cap) except NULL:
    """The code points of s in *buffer (grown to hold them: fc_free it)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s)
    if fc_grow(<void**>buffer, cap, n + 1, sizeof(Py_UCS4), 0):
        raise MemoryError()
    PyUnicode_AsUCS4(s, buffer[0], n + 1, 0)
    return buffer[0]


cdef class PosTagger:
    """The tags of a :class:`Dictionary`'s words (``word_tag_tab``) and
    jieba.posseg's cut over them with a :class:`PosModel`.

    Low-level: ``fastcount.posseg.POSTokenizer`` is the public face."""

    def __cinit__(self, PosModel model not None, Dictionary dictionary not None):
        self.model = model
        self.dictionary = dictionary
        pos_cut_context_init(&self._short)
        self._tags = PosTags()
        self.tag_names = []
        # the model's tags first, so that a state's tag index is its tag's
        for name in model.tags:
            self._tags.intern(name)
        self.tag_x = self._tags.intern("x")
        self.tag_m = self._tags.intern("m")
        self.tag_eng = self._tags.intern("eng")
        self._sync_tag_names()

    def __dealloc__(self):
        fc_free(self._text)
        pos_cut_context_free(&self._short)

    cdef _sync_tag_names(self):
        """tag_names as str for every tag of the current tags (a list that
        only grows: every version of the tags keeps the earlier names)."""
        cdef Vocab names = self._tags.names
        while len(self.tag_names) < names.table.n:
            self.tag_names.append(fc_vocab_word_str(names, len(self.tag_names)))

    cdef PosTags _tags_to_change(self):
        """The current tags, to change in place: a copy in their place when a
        reading holds them. The caller runs no Python code from here to the
        end of its change (another thread could begin a reading meanwhile)."""
        if self._tags.n_readings:
            self._tags = self._tags.copy()
        return self._tags

    cdef PosReading read_begin(self):
        """The words and tags as they are now, for cuts without the GIL;
        drop the reading to end it."""
        cdef PosReading r = PosReading.__new__(PosReading)
        r._snapshot = self.dictionary.read_begin()
        r.can_raise = r._snapshot.can_raise
        r._tagger = self
        r._tags = self._tags
        r._tags.n_readings += 1
        return r

    def load_word_tags(self, const unsigned char[::1] data not None):
        """Replace every tag by those of a dictionary file's bytes (lines
        ``word freq tag``), as ``POSTokenizer.load_word_tag``. Returns 0, or
        the number of the first line that is not three fields of UTF-8 (or
        whose tag holds a NUL); nothing is changed then. Cuts running
        meanwhile keep the tags they began with."""
        cdef Py_ssize_t size = data.shape[0], bad = 0
        cdef CutContext cut
        cdef PosTags tags
        cdef Snapshot snapshot = self.dictionary.read_begin()
        snapshot.fill(&cut)
        tags = parse_word_tags(&data[0] if size else NULL, size, cut.frozen,
                               self.dictionary.trie.n_nodes, &bad)
        if tags is None:
            return bad
        tags.rebase(self._tags)     # no Python code from here to the swap
        self._tags = tags
        self._sync_tag_names()
        return 0

    def set_tag(self, str word not None, str tag not None):
        """``word_tag_tab[word] = tag``. Cuts running meanwhile keep the
        tags they began with."""
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(word), cap_chars = 0
        cdef Py_UCS4* chars = NULL
        cdef int32_t record, node = -1, t
        cdef CutContext cut
        cdef PosTags tags
        cdef Snapshot snapshot = self.dictionary.read_begin()
        if "\0" in tag:
            raise ValueError(f"a tag cannot hold a NUL character: {tag!r}")
        snapshot.fill(&cut)
        try:
            ucs4_into(word, &chars, &cap_chars)
            record = frozen_find(cut.frozen, chars, n)
            if record >= 0:
                node = cut.frozen.node[record]
            elif n != 1:
                return      # never read: a cut tags words of the trie and single characters
            tags = self._tags_to_change()   # no Python code from here to the end
            t = tags.intern(tag)
            if node >= 0:
                tags.set_node(node, self.dictionary.trie.n_nodes, t)
            else:
                tags.set_orphan(chars[0], t)
        finally:
            fc_free(chars)
            self._sync_tag_names()

    def get_tag(self, str word not None):
        """``word_tag_tab.get(word)``: the tag of a word, or None."""
        cdef PosCutContext ctx
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(word), cap_chars = 0
        cdef Py_UCS4* chars = NULL
        cdef int32_t tag
        cdef PosReading reading = self.read_begin()
        reading.fill(&ctx)
        try:
            ucs4_into(word, &chars, &cap_chars)
            tag = node_tag(&ctx.tags, record_node(ctx.cut.frozen, frozen_find(ctx.cut.frozen, chars, n)))
            if tag < 0 and n == 1:
                tag = orphan_tag(&ctx.tags, chars[0])
        finally:
            fc_free(chars)
        return None if tag < 0 else self.tag_names[tag]

    @property
    def tags(self):
        """The tag names, by tag index."""
        return list(self.tag_names)

    def cut(self, str sentence not None, bint hmm=True):
        """``POSTokenizer.lcut(sentence, HMM=hmm)``: a list of :class:`pair`."""
        cdef PosCutContext local
        cdef PosCutContext* ctx
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(sentence)
        cdef int error
        cdef PosReading reading = self.read_begin()
        cdef RunCache runs
        cdef Py_UCS4* chars = NULL
        cdef Py_ssize_t cap_chars = 0
        # the tagger's own buffers and run cache, unless another thread (or a
        # call re-entered from a finalizer) has them: then buffers of its own
        cdef bint own = not self._short_busy
        if own:
            ctx = &self._short
            self._short_busy = True
        else:
            ctx = &local
            pos_cut_context_init(ctx)
        ctx.n_tokens = 0
        reading.fill(ctx)
        try:
            ctx.cut.text = (ucs4_into(sentence, &self._text, &self._cap_text) if own
                            else ucs4_into(sentence, &chars, &cap_chars))
            ctx.cut.length = n
            if n <= SHORT_TEXT:     # short texts keep the GIL
                error = pos_cut_text(ctx, hmm)
            else:
                with nogil:
                    error = pos_cut_text(ctx, hmm)
            if error:
                raise_pos_error(error)
            if len(self.tag_names) < reading._tags.names.table.n:
                self._sync_tag_names()      # _pairs indexes tag_names unchecked
            return self._pairs(ctx, sentence)
        finally:
            ctx.cut.text = NULL
            if not own:
                fc_free(chars)
                pos_cut_context_free(ctx)
            else:
                if ctx.cap_tokens > 4096 or ctx.cut.cap_route > 4096:
                    # do not keep a rare long text's memory; keep the run cache
                    runs = ctx.runs
                    memset(&ctx.runs, 0, sizeof(RunCache))
                    pos_cut_context_free(ctx)
                    ctx.runs = runs
                    fc_free(self._text)
                    self._text = NULL
                    self._cap_text = 0
                self._short_busy = False

    cdef list _pairs(self, PosCutContext* ctx, str s):
        cdef list out = PyList_New(ctx.n_tokens)
        cdef list names = self.tag_names
        cdef Py_ssize_t k
        cdef PosToken* t
        cdef pair p
        for k in range(ctx.n_tokens):
            t = &ctx.tokens[k]
            p = pair.__new__(pair)
            p.word = PyUnicode_Substring(s, t.start, t.end)
            p.flag = names[t.tag]
            Py_INCREF(p)
            PyList_SET_ITEM(out, k, p)
        return out

