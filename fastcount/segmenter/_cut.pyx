# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""jieba's segmentation (jieba 0.42.1 ``Tokenizer.cut`` and ``finalseg.cut``)
over the frozen trie, in C.

Every decision follows jieba's code step by step, so the tokens are jieba's,
token for token:

* a string "is in FREQ" and "has a non-zero frequency" are kept apart, as
  jieba's ``get_DAG`` does;
* the route is ``max((log(freq or 1) - logtotal) + route[x + 1][0], x)`` with
  the same doubles added in the same order (``log(freq)`` is stored per word:
  it is the same libm call on the same operand that jieba makes each time), the
  larger end index winning ties as it does in a tuple ``max``;
* runs the dictionary does not know go through finalseg's HMM (``_hmm``);
* the regular expressions are replaced by the character classes they denote
  (``re_han_default``, ``re_skip_default`` with Python's Unicode ``\\s``,
  finalseg's ``re_han``/``re_skip``), keeping their split semantics, including
  the empty strings full mode yields around whitespace.
"""
from libc.stdint cimport int32_t, uint8_t
from libc.string cimport memset, memcpy

from fastcount._native cimport fc_alloc, fc_free, fc_grow, fc_grown_capacity
from fastcount.segmenter._trie cimport (Trie, FrozenTrie, FrozenRecord, IN_FREQ, IS_WORD,
                                        trie_find, frozen_child, frozen_child_of, frozen_find,
                                        record_node)
from fastcount.segmenter._hmm cimport is_han, hmm_viterbi, STATE_B, STATE_E, STATE_S

cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch) nogil

# re_han_default, [\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-], for ASCII
cdef uint8_t HAN_DEFAULT_ASCII[128]
cdef uint8_t ENG_ASCII[128]     # [a-zA-Z0-9]


def _load_char_classes():
    cdef int c
    for c in range(128):
        ENG_ASCII[c] = chr(c).isascii() and chr(c).isalnum()
        HAN_DEFAULT_ASCII[c] = ENG_ASCII[c] or chr(c) in "+#&._%-"


_load_char_classes()


cdef inline bint is_han_default(Py_UCS4 c) noexcept nogil:
    if c < 128:
        return HAN_DEFAULT_ASCII[c]
    return is_han(c)


cdef inline bint is_eng(Py_UCS4 c) noexcept nogil:
    return c < 128 and ENG_ASCII[c]


cdef inline bint is_ascii_digit(Py_UCS4 c) noexcept nogil:
    return 48 <= c <= 57


# ---------------------------------------------------------------- the context
cdef void cut_context_init(CutContext* ctx, const FrozenTrie* frozen, const Trie* force_split,
                           double log_total) noexcept nogil:
    memset(ctx, 0, sizeof(CutContext))
    ctx.frozen = frozen
    ctx.force_split = force_split
    ctx.log_total = log_total


cdef void cut_context_free(CutContext* ctx) noexcept nogil:
    fc_free(ctx.tokens)
    fc_free(ctx.aux)
    fc_free(ctx.route_score)
    fc_free(ctx.route_end)
    fc_free(ctx.route_record)
    fc_free(ctx.hmm_back)
    fc_free(ctx.dag_end)
    fc_free(ctx.dag_node)
    ctx.tokens = NULL
    ctx.aux = NULL
    ctx.route_score = NULL
    ctx.route_end = NULL
    ctx.route_record = NULL
    ctx.hmm_back = NULL
    ctx.dag_end = NULL
    ctx.dag_node = NULL
    ctx.cap_tokens = ctx.cap_aux = ctx.cap_route = ctx.cap_dag = 0


cdef int cut_grow_tokens(CutContext* ctx) noexcept nogil:
    if fc_grow(<void**>&ctx.tokens, &ctx.cap_tokens, ctx.n_tokens + 1, sizeof(Token), 0):
        ctx.error = CUT_NO_MEMORY
        return -1
    return 0


cdef inline int emit_char(CutContext* ctx, Py_ssize_t i) noexcept nogil:
    cdef int32_t r = frozen_child(ctx.frozen, 0, ctx.text[i])
    return cut_emit(ctx, i, i + 1, record_node(ctx.frozen, r), TOKEN_SPAN)


# ---------------------------------------------------------------- DAG and route
cdef int reserve_route(CutContext* ctx, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t cap, c0, c1, c2, c3
    if n <= ctx.cap_route:
        return 0
    cap = fc_grown_capacity(ctx.cap_route, n, 0)
    c0 = c1 = c2 = c3 = ctx.cap_route
    if (cap < 0 or fc_grow(<void**>&ctx.route_score, &c0, cap, sizeof(double), 0)
            or fc_grow(<void**>&ctx.route_end, &c1, cap, sizeof(Py_ssize_t), 0)
            or fc_grow(<void**>&ctx.route_record, &c2, cap, sizeof(int32_t), 0)
            or fc_grow(<void**>&ctx.hmm_back, &c3, cap, 5, 0)):  # 4 back pointers and 1 state per character
        ctx.error = CUT_NO_MEMORY
        return -1
    ctx.cap_route = cap
    return 0


cdef int cut_route(CutContext* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    cdef const FrozenTrie* frozen = ctx.frozen
    cdef const FrozenRecord* records = frozen.records
    cdef const FrozenRecord* rec
    cdef const Py_UCS4* text = ctx.text + b
    cdef double lt = ctx.log_total
    cdef double* score
    cdef Py_ssize_t idx, i, best_end
    cdef int32_t r, best_record
    cdef double s, best
    cdef bint found
    if reserve_route(ctx, N + 1) != 0:
        return -1
    if lt != lt:
        ctx.error = CUT_DOMAIN
        return -1
    score = ctx.route_score
    score[N] = 0.0
    ctx.route_end[N] = 0
    idx = N - 1
    while idx >= 0:
        found = False
        best = 0.0
        best_end = idx
        best_record = -1
        i = idx
        r = frozen_child(frozen, 0, text[idx])
        while r >= 0:
            rec = &records[r]
            if not (rec.packed & IN_FREQ):
                break
            if rec.packed & IS_WORD:
                s = (rec.log_freq - lt) + score[i + 1]
                if unlikely(s != s):
                    ctx.error = CUT_DOMAIN
                    return -1
                # tuple max with x ascending: a tie goes to the larger x
                if not found or s >= best:
                    best = s
                    best_end = i
                    best_record = r
                    found = True
            i += 1
            if i >= N:
                break
            r = frozen_child_of(frozen, r, text[i])
        if not found:
            best = (0.0 - lt) + score[idx + 1]
        score[idx] = best
        ctx.route_end[idx] = best_end
        ctx.route_record[idx] = best_record
        idx -= 1
    return 0


# ---------------------------------------------------------------- finalseg
cdef int emit_hmm_word(CutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    cdef int32_t node
    cdef Py_ssize_t i
    if ctx.force_split != NULL:
        node = trie_find(ctx.force_split, ctx.text + s, e - s)
        if node >= 0 and ctx.force_split.freq[node] == 1:
            for i in range(s, e):
                if emit_char(ctx, i) != 0:
                    return -1
            return 0
    return cut_emit(ctx, s, e, -1, TOKEN_SPAN)


cdef int hmm_cut(CutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """finalseg.__cut over the Han run text[s:e] (Force_Split_Words applied)."""
    cdef Py_ssize_t L = e - s, i, begin = 0, next_start = 0
    # the route arrays were sized for the whole block, which contains this run
    cdef uint8_t* states = ctx.hmm_back + 4 * L
    cdef uint8_t state
    hmm_viterbi(ctx.text + s, L, ctx.hmm_back, states)
    for i in range(L):
        state = states[i]
        if state == STATE_B:
            begin = i
        elif state == STATE_E:
            if emit_hmm_word(ctx, s + begin, s + i + 1) != 0:
                return -1
            next_start = i + 1
        elif state == STATE_S:
            if emit_hmm_word(ctx, s + i, s + i + 1) != 0:
                return -1
            next_start = i + 1
    if next_start < L:
        if emit_hmm_word(ctx, s + next_start, e) != 0:
            return -1
    return 0


cdef int skip_split(CutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """finalseg: re_skip.split(blk), non-empty pieces, for text[s:e].

    The pieces here come from jieba's re_han_default blocks, so they are ASCII
    and finalseg's \\d (any Unicode digit) can only meet ASCII digits."""
    cdef const Py_UCS4* text = ctx.text
    cdef Py_ssize_t r = s, g = s, m
    while r < e:
        if is_eng(text[r]):
            m = r + 1
            while m < e and is_eng(text[m]):
                m += 1
            if m + 1 < e and text[m] == 46 and is_ascii_digit(text[m + 1]):   # '.'
                m += 2
                while m < e and is_ascii_digit(text[m]):
                    m += 1
            if m < e and text[m] == 37:    # '%'
                m += 1
            if g < r and cut_emit(ctx, g, r, -1, TOKEN_SPAN) != 0:
                return -1
            if cut_emit(ctx, r, m, -1, TOKEN_SPAN) != 0:
                return -1
            r = m
            g = m
        else:
            r += 1
    if g < e:
        return cut_emit(ctx, g, e, -1, TOKEN_SPAN)
    return 0


cdef int finalseg_cut(CutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """finalseg.cut(text[s:e])."""
    cdef const Py_UCS4* text = ctx.text
    cdef Py_ssize_t r = s, q
    while r < e:
        q = r
        if is_han(text[r]):
            while q < e and is_han(text[q]):
                q += 1
            if hmm_cut(ctx, r, q) != 0:
                return -1
        else:
            while q < e and not is_han(text[q]):
                q += 1
            if skip_split(ctx, r, q) != 0:
                return -1
        r = q
    return 0


# ---------------------------------------------------------------- accurate mode
cdef int flush_buf(CutContext* ctx, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """The `buf` of __cut_DAG: text[s:e], absolute indices."""
    cdef int32_t r
    cdef Py_ssize_t i
    if e - s == 1:
        return emit_char(ctx, s)
    r = frozen_find(ctx.frozen, ctx.text + s, e - s)
    if r < 0 or not (ctx.frozen.records[r].packed & IS_WORD):      # not FREQ.get(buf)
        return finalseg_cut(ctx, s, e)
    for i in range(s, e):
        if emit_char(ctx, i) != 0:
            return -1
    return 0


cdef int cut_dag(CutContext* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    """__cut_DAG (HMM) over text[b:b+N]."""
    cdef Py_ssize_t x = 0, y, buf_start = -1
    if cut_route(ctx, b, N) != 0:
        return -1
    while x < N:
        y = ctx.route_end[x] + 1
        if y - x == 1:
            if buf_start < 0:
                buf_start = x
        else:
            if buf_start >= 0:
                if flush_buf(ctx, b + buf_start, b + x) != 0:
                    return -1
                buf_start = -1
            if cut_emit(ctx, b + x, b + y, record_node(ctx.frozen, ctx.route_record[x]), TOKEN_SPAN) != 0:
                return -1
        x = y
    if buf_start >= 0:
        return flush_buf(ctx, b + buf_start, b + N)
    return 0


cdef int cut_dag_no_hmm(CutContext* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    """__cut_DAG_NO_HMM over text[b:b+N]."""
    cdef Py_ssize_t x = 0, y, buf_start = -1
    if cut_route(ctx, b, N) != 0:
        return -1
    while x < N:
        y = ctx.route_end[x] + 1
        if y - x == 1 and is_eng(ctx.text[b + x]):
            if buf_start < 0:
                buf_start = x
        else:
            if buf_start >= 0:
                if cut_emit(ctx, b + buf_start, b + x, -1, TOKEN_SPAN) != 0:
                    return -1
                buf_start = -1
            if cut_emit(ctx, b + x, b + y, record_node(ctx.frozen, ctx.route_record[x]), TOKEN_SPAN) != 0:
                return -1
        x = y
    if buf_start >= 0:
        return cut_emit(ctx, b + buf_start, b + N, -1, TOKEN_SPAN)
    return 0


# ---------------------------------------------------------------- full mode
cdef int reserve_dag(CutContext* ctx, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t cap, c0, c1
    if n <= ctx.cap_dag:
        return 0
    cap = fc_grown_capacity(ctx.cap_dag, n, 0)
    c0 = c1 = ctx.cap_dag
    if (cap < 0 or fc_grow(<void**>&ctx.dag_end, &c0, cap, sizeof(Py_ssize_t), 0)
            or fc_grow(<void**>&ctx.dag_node, &c1, cap, sizeof(int32_t), 0)):
        ctx.error = CUT_NO_MEMORY
        return -1
    ctx.cap_dag = cap
    return 0


cdef int aux_append(CutContext* ctx, const Py_UCS4* src, Py_ssize_t n) noexcept nogil:
    if fc_grow(<void**>&ctx.aux, &ctx.cap_aux, ctx.n_aux + n, sizeof(Py_UCS4), 0):
        ctx.error = CUT_NO_MEMORY
        return -1
    memcpy(ctx.aux + ctx.n_aux, src, n * sizeof(Py_UCS4))
    ctx.n_aux += n
    return 0


cdef int cut_all_block(CutContext* ctx, Py_ssize_t b, Py_ssize_t N) noexcept nogil:
    """__cut_all over text[b:b+N]; the Latin run it glues may skip characters,
    so it is built in ctx.aux."""
    cdef const FrozenTrie* frozen = ctx.frozen
    cdef const FrozenRecord* rec
    cdef const Py_UCS4* text = ctx.text + b
    cdef Py_ssize_t k, i, j, n_ends, old_j = -1, eng_start = 0
    cdef bint eng_scan = False
    cdef int32_t r
    for k in range(N):
        # DAG[k]
        n_ends = 0
        i = k
        r = frozen_child(frozen, 0, text[k])
        while r >= 0:
            rec = &frozen.records[r]
            if not (rec.packed & IN_FREQ):
                break
            if rec.packed & IS_WORD:
                if n_ends == ctx.cap_dag and reserve_dag(ctx, n_ends + 1) != 0:
                    return -1
                ctx.dag_end[n_ends] = i
                ctx.dag_node[n_ends] = frozen.node[r]
                n_ends += 1
            i += 1
            if i >= N:
                break
            r = frozen_child_of(frozen, r, text[i])
        if n_ends == 0:
            if ctx.cap_dag == 0 and reserve_dag(ctx, 1) != 0:
                return -1
            ctx.dag_end[0] = k
            r = frozen_child(frozen, 0, text[k])
            ctx.dag_node[0] = record_node(frozen, r)
            n_ends = 1
        if eng_scan and not is_eng(text[k]):
            eng_scan = False
            if cut_emit(ctx, eng_start, ctx.n_aux, -1, TOKEN_AUX) != 0:
                return -1
        if n_ends == 1 and k > old_j:
            j = ctx.dag_end[0]
            if is_eng(text[k]):
                if not eng_scan:
                    eng_scan = True
                    eng_start = ctx.n_aux
                if aux_append(ctx, text + k, j + 1 - k) != 0:
                    return -1
            if not eng_scan:
                if cut_emit(ctx, b + k, b + j + 1, ctx.dag_node[0], TOKEN_SPAN) != 0:
                    return -1
            old_j = j
        else:
            for i in range(n_ends):
                j = ctx.dag_end[i]
                if j > k:
                    if cut_emit(ctx, b + k, b + j + 1, ctx.dag_node[i], TOKEN_SPAN) != 0:
                        return -1
                    old_j = j
    if eng_scan:
        return cut_emit(ctx, eng_start, ctx.n_aux, -1, TOKEN_AUX)
    return 0


# ---------------------------------------------------------------- blocks
cdef int text_piece(CutContext* ctx, Py_ssize_t s, Py_ssize_t e, bint cut_all) noexcept nogil:
    """A piece of re_skip_default.split() that is not whitespace."""
    cdef Py_ssize_t i
    if cut_all:
        return cut_emit(ctx, s, e, -1, TOKEN_SPAN)    # even when empty, as jieba yields it
    for i in range(s, e):
        if emit_char(ctx, i) != 0:
            return -1
    return 0


cdef int skip_block(CutContext* ctx, Py_ssize_t s, Py_ssize_t e, bint cut_all) noexcept nogil:
    """A block that does not match re_han_default: re_skip_default.split()."""
    cdef const Py_UCS4* text = ctx.text
    cdef Py_ssize_t p = s, q = s, n_space
    cdef Py_UCS4 c
    while q < e:
        c = text[q]
        if Py_UNICODE_ISSPACE(c):
            n_space = 2 if (c == 13 and q + 1 < e and text[q + 1] == 10) else 1
            if text_piece(ctx, p, q, cut_all) != 0:
                return -1
            if cut_emit(ctx, q, q + n_space, -1, TOKEN_SPACE) != 0:
                return -1
            q += n_space
            p = q
        else:
            q += 1
    return text_piece(ctx, p, e, cut_all)


cdef int search_grams(CutContext* ctx, Py_ssize_t first) noexcept nogil:
    """cut_for_search: rewrite tokens[first:] adding the 2- and 3-grams with a
    non-zero frequency before each word."""
    cdef Py_ssize_t n = ctx.n_tokens - first, k, i, L
    cdef Token* words = <Token*>fc_alloc(n if n > 0 else 1, sizeof(Token))
    cdef Token w
    cdef int32_t r
    if words == NULL:
        ctx.error = CUT_NO_MEMORY
        return -1
    memcpy(words, ctx.tokens + first, n * sizeof(Token))
    ctx.n_tokens = first
    for k in range(n):
        w = words[k]
        L = w.end - w.start
        if L > 2:
            for i in range(w.start, w.end - 1):
                r = frozen_find(ctx.frozen, ctx.text + i, 2)
                if r >= 0 and ctx.frozen.records[r].packed & IS_WORD:
                    if cut_emit(ctx, i, i + 2, ctx.frozen.node[r], TOKEN_SPAN) != 0:
                        fc_free(words)
                        return -1
        if L > 3:
            for i in range(w.start, w.end - 2):
                r = frozen_find(ctx.frozen, ctx.text + i, 3)
                if r >= 0 and ctx.frozen.records[r].packed & IS_WORD:
                    if cut_emit(ctx, i, i + 3, ctx.frozen.node[r], TOKEN_SPAN) != 0:
                        fc_free(words)
                        return -1
        if cut_emit(ctx, w.start, w.end, w.node, w.kind) != 0:
            fc_free(words)
            return -1
    fc_free(words)
    return 0


cdef int cut_text(CutContext* ctx, bint cut_all, bint hmm, bint search) noexcept nogil:
    cdef const Py_UCS4* text = ctx.text
    cdef Py_ssize_t n = ctx.length, i = 0, j, first = ctx.n_tokens
    cdef int r
    if search:
        cut_all = False
    while i < n:
        j = i
        if is_han_default(text[i]):
            while j < n and is_han_default(text[j]):
                j += 1
            if cut_all:
                r = cut_all_block(ctx, i, j - i)
            elif hmm:
                r = cut_dag(ctx, i, j - i)
            else:
                r = cut_dag_no_hmm(ctx, i, j - i)
        else:
            while j < n and not is_han_default(text[j]):
                j += 1
            r = skip_block(ctx, i, j, cut_all)
        if r != 0:
            return ctx.error
        i = j
    if search:
        search_grams(ctx, first)
    return ctx.error
