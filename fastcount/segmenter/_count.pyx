# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The native jieba chunk counter: segment with jieba's rules and count the
tokens, all in C (the chunk-counter protocol of ``fastcount.count_words``).

A token that is a string of the dictionary's trie (every dictionary word, and
every prefix jieba keeps) counts under its trie node id (>= 0); any other
token (words the HMM finds, Latin and digit runs, punctuation, characters
outside the dictionary) is interned in a Vocab as UTF-8 and counts under
``-1 - vocab id``. No Python object is made per token, and the work of a
whole batch of texts runs without the GIL.

With ``join=DELIMITER`` (bytes) it counts nothing and writes instead: each
text's tokens as UTF-8, joined by the delimiter, a line per text
(``fastcount cut``), taken with :meth:`ChunkCounter.take_joined`. With
``keep_word`` (a callable ``word -> bool``) too, a batch's tokens are cut
to keys first (as counted), each new distinct word is decided once, with
the GIL, and the kept tokens are written from their keys.

With ``documents="text"`` it also counts document frequencies, each text a
document (``"file"``: the documents :meth:`ChunkCounter.begin_document`
says): a key's table value is then its first-sight position, and a
:c:type:`DocTally` per position holds its count, the last document it was
seen in (a "last document seen" mark) and the number of documents it was
seen in.
"""
from cpython.unicode cimport PyUnicode_GET_LENGTH
from libc.stdint cimport INT64_MIN, int32_t, int64_t
from libc.string cimport memchr, memcpy

# numpy is imported by the functions that use it (see fastcount._vocab).

from fastcount._native cimport (fc_alloc, fc_free, fc_grow, fc_utf8_decode_strict,
                               fc_utf8_encode_kind, fc_utf8_max_size, fc_utf8_size_ucs4)
from fastcount.segmenter._trie cimport frozen_find
from fastcount.segmenter._cut cimport (CutContext, Token, TOKEN_AUX, TOKEN_SPACE, CUT_DOMAIN,
                                       cut_text, cut_context_init, cut_context_free)
from fastcount.segmenter._dictionary cimport Dictionary, Snapshot
from fastcount._hashcounter cimport HashCounter, fc_table_add, fc_table_find, fc_table_get
from fastcount._vocab cimport Vocab, fc_vocab_init, fc_vocab_intern_trusted, fc_vocab_word

cdef extern from "Python.h":
    Py_UCS4* PyUnicode_AsUCS4(object u, Py_UCS4* buffer, Py_ssize_t buflen, int copy_null) except NULL

#: In the join mode's keys: the end of a text.
cdef int64_t JOIN_LINE_END = INT64_MIN

#: Decisions on a key, in ``counts`` (join mode with keep_word).
cdef enum:
    WORD_KEPT = 1
    WORD_DROPPED = 2
    WORD_UNDECIDED = 3
    WORD_FORGOTTEN = 4   # undecided when keep_word raised: listed again when seen


cdef inline int token_key(ChunkCounter c, CutContext* ctx, Py_ssize_t k, int64_t* key) noexcept nogil:
    """The key ctx's token ``k`` is counted under: 0 ok, 1 not counted (a
    dropped whitespace token), -1 out of memory."""
    cdef const Token* t = &ctx.tokens[k]
    if t.kind == TOKEN_SPACE and not c.keep_whitespace:
        return 1
    if t.node >= 0:
        key[0] = t.node
        return 0
    if key_of(c, ctx.frozen, (<const Py_UCS4*>ctx.aux if t.kind == TOKEN_AUX else ctx.text) + t.start,
              t.end - t.start, key):
        return -1
    return 0


cdef int replace_buffer(void** p, Py_ssize_t* cap, Py_ssize_t n, size_t size) except -1:
    """Room for n items of ``size`` bytes at ``*p`` (its content is not kept)."""
    if n > cap[0]:
        fc_free(p[0])
        p[0] = NULL
        cap[0] = 0
        p[0] = fc_alloc(n, size)
        if p[0] == NULL:
            raise MemoryError()
        cap[0] = n
    return 0


cdef inline int cut_one(CutContext* ctx, const Py_UCS4* text, Py_ssize_t n, bint cut_all,
                        bint hmm) noexcept nogil:
    """Segment text[0:n] into ctx (its tokens replaced); CUT_* error."""
    ctx.text = text
    ctx.length = n
    ctx.n_tokens = 0
    ctx.n_aux = 0
    return cut_text(ctx, cut_all, hmm, False)


cdef Dictionary dictionary_of(object tokenizer):
    if isinstance(tokenizer, Dictionary):
        return tokenizer
    from fastcount.segmenter.tokenizer import Tokenizer
    if isinstance(tokenizer, Tokenizer):
        return tokenizer.dictionary_core
    raise TypeError(f"tokenizer must be a fastcount Tokenizer or Dictionary, not "
                    f"{type(tokenizer).__name__} (for a jieba.Tokenizer use "
                    "fastcount.Tokenizer.from_jieba)")


cdef class ChunkCounter:
    """Counts jieba's tokens of many texts: ``feed(texts)`` / ``feed_block(block)``
    as often as needed, then ``vocab_result()``.

    ``ChunkCounter(tokenizer, hmm=True, cut_all=False, keep_whitespace=False)``
    with a :class:`fastcount.Tokenizer` (its dictionary as it is then, later
    ``add_word``/``del_word`` included; a later ``set_dictionary`` is not
    followed) or a ``Dictionary``. The counts equal
    ``collections.Counter(w for t in texts for w in tokenizer.lcut(t, cut_all=cut_all, HMM=hmm)
    if not w.isspace())``; whitespace tokens count too with ``keep_whitespace``.
    """
    def __cinit__(self):
        self.shared = NULL
        self.joined = NULL
        self.tally = NULL
        self.order = NULL
        self.utf8 = NULL
        self.text = NULL
        self.offsets = NULL
        cut_context_init(&self.ctx, NULL, NULL, 0.0)

    def __init__(self, tokenizer, bint hmm=True, bint cut_all=False, bint keep_whitespace=False,
                 documents=None, bytes join=None, keep_word=None):
        if documents not in (None, "text", "file"):
            raise ValueError(f"documents must be None, 'text' or 'file', not {documents!r}")
        if keep_word is not None and (join is None or not callable(keep_word)):
            raise ValueError("keep_word is a callable word -> bool of the join mode")
        self.dictionary = dictionary_of(tokenizer)
        self.delimiter = join
        self.keep_word = keep_word
        self.dfs = documents is not None
        self.by_file = documents == "file"
        self.doc = -1
        self.shared_docs = []
        self.hmm = hmm
        self.cut_all = cut_all
        self.keep_whitespace = keep_whitespace
        self.counts = HashCounter()
        self.vocab = Vocab()

    def __dealloc__(self):
        fc_free(self.keys)
        fc_free(self.shared)
        fc_free(self.joined)
        fc_free(self.tally)
        fc_free(self.order)
        fc_free(self.utf8)
        fc_free(self.text)
        fc_free(self.offsets)
        cut_context_free(&self.ctx)

    cdef int _reserve(self, Py_ssize_t n_chars, Py_ssize_t n_texts) except -1:
        replace_buffer(<void**>&self.text, &self.cap_text, n_chars + 1, sizeof(Py_UCS4))
        replace_buffer(<void**>&self.offsets, &self.cap_offsets, n_texts + 1, sizeof(Py_ssize_t))
        return 0

    cdef int _count_tokens(self) noexcept nogil:
        """Count ctx's tokens; 0 ok, COUNT_NO_MEMORY."""
        cdef CutContext* ctx = &self.ctx
        cdef Py_ssize_t k
        cdef int64_t key
        cdef int r
        for k in range(ctx.n_tokens):
            r = token_key(self, ctx, k, &key)
            if r < 0 or (r == 0 and count_key(self, key)):
                return COUNT_NO_MEMORY
        return 0

    cdef Snapshot _read_begin(self):
        cdef Snapshot snapshot = self.dictionary.read_begin()
        snapshot.fill(&self.ctx)
        return snapshot

    cdef void _read_end(self) noexcept:
        self.ctx.text = NULL
        self.ctx.error = 0

    cdef bint _may_raise(self, Snapshot snapshot) noexcept:
        return not self.cut_all and snapshot.can_raise

    cdef int _cut(self, const Py_UCS4* text, Py_ssize_t n) noexcept nogil:
        return cut_one(&self.ctx, text, n, self.cut_all, self.hmm)

    def begin_document(self, int64_t doc, bint shared):
        """With ``documents="file"``: the texts fed from now on belong to
        document ``doc`` (numbers never go back); ``shared``: other counters
        may count parts of it too, so the words counted in it are listed in
        the result."""
        self._enter()
        self.busy = False
        if not self.by_file:
            raise RuntimeError("begin_document: this counter was not made with documents='file'")
        if doc < self.doc:
            raise ValueError(f"begin_document: document {doc} after document {self.doc}")
        if doc != self.doc:
            self.n_docs += 1
            self.doc = doc
            self.doc_shared = shared
            if shared:
                self.shared_docs.append((doc, self.n_shared))

    cdef int _join_tokens(self, const unsigned char* delim, Py_ssize_t n_delim) noexcept nogil:
        """Append ctx's tokens, joined by the delimiter, and a line end to
        ``joined``; 0 ok, COUNT_NO_MEMORY."""
        cdef CutContext* ctx = &self.ctx
        cdef Py_ssize_t k, n, room = 1
        cdef Token* t
        cdef bint first = True
        for k in range(ctx.n_tokens):
            t = &ctx.tokens[k]
            if t.kind != TOKEN_SPACE or self.keep_whitespace:
                room += n_delim + fc_utf8_max_size(4, t.end - t.start)
        if fc_grow(<void**>&self.joined, &self.cap_joined, self.n_joined + room, 1, 0):
            return COUNT_NO_MEMORY
        for k in range(ctx.n_tokens):
            t = &ctx.tokens[k]
            if t.kind == TOKEN_SPACE and not self.keep_whitespace:
                continue
            if not first:
                memcpy(self.joined + self.n_joined, delim, n_delim)
                self.n_joined += n_delim
            first = False
            n = t.end - t.start
            self.n_joined += fc_utf8_encode_kind(
                4, (<const Py_UCS4*>ctx.aux if t.kind == TOKEN_AUX else ctx.text) + t.start, n,
                self.joined + self.n_joined)
        self.joined[self.n_joined] = 10
        self.n_joined += 1
        return 0

    cdef int _join_keys(self) noexcept nogil:
        """Join mode with keep_word: append the keys of ctx's tokens and a
        JOIN_LINE_END to ``keys``, each new key marked WORD_UNDECIDED (and
        noted in ``order``); 0 ok, COUNT_NO_MEMORY."""
        cdef CutContext* ctx = &self.ctx
        cdef Py_ssize_t k
        cdef int64_t key
        cdef int64_t* decision
        cdef int r
        if fc_grow(<void**>&self.keys, &self.cap_keys, self.n_keys + ctx.n_tokens + 1, sizeof(int64_t), 0):
            return COUNT_NO_MEMORY
        for k in range(ctx.n_tokens):
            r = token_key(self, ctx, k, &key)
            if r < 0:
                return COUNT_NO_MEMORY
            if r:
                continue
            decision = fc_table_find(&self.counts.table, key)
            if decision == NULL or decision[0] == WORD_FORGOTTEN:
                if self.n_order == self.cap_order and fc_grow(
                        <void**>&self.order, &self.cap_order, self.n_order + 1, sizeof(int64_t), 0):
                    return COUNT_NO_MEMORY
                if decision != NULL:
                    decision[0] = WORD_UNDECIDED
                elif fc_table_add(&self.counts.table, key, WORD_UNDECIDED) != 0:
                    return COUNT_NO_MEMORY
                self.order[self.n_order] = key
                self.n_order += 1
            self.keys[self.n_keys] = key
            self.n_keys += 1
        self.keys[self.n_keys] = JOIN_LINE_END
        self.n_keys += 1
        return 0

    cdef int _decide(self, Snapshot snapshot) except -1:
        """keep_word on each word seen first in this batch (once per word).
        If it raises, the words still undecided are forgotten (decided when
        seen again)."""
        cdef Py_ssize_t m, j
        cdef const char* p
        cdef int64_t key
        try:
            while self.n_decided < self.n_order:
                key = self.order[self.n_decided]
                if self._word(snapshot, key, &p, &m) < 0:
                    raise MemoryError()
                word = p[:m].decode("utf-8", "surrogatepass")
                fc_table_find(&self.counts.table, key)[0] = WORD_KEPT if self.keep_word(word) else WORD_DROPPED
                self.n_decided += 1
        except BaseException:
            for j in range(self.n_decided, self.n_order):
                fc_table_find(&self.counts.table, self.order[j])[0] = WORD_FORGOTTEN
            self.n_order = self.n_decided
            raise
        return 0

    cdef int _write_kept(self, Snapshot snapshot, const unsigned char* delim, Py_ssize_t n_delim) noexcept nogil:
        """Write the lines of ``keys`` with their kept words (every word
        decided); ``keys`` emptied. 0 ok, COUNT_NO_MEMORY."""
        cdef Py_ssize_t k, m
        cdef const char* p
        cdef int64_t key
        cdef bint first = True
        cdef int error = 0
        for k in range(self.n_keys):
            key = self.keys[k]
            if key == JOIN_LINE_END:
                if fc_grow(<void**>&self.joined, &self.cap_joined, self.n_joined + 1, 1, 0):
                    error = COUNT_NO_MEMORY
                    break
                self.joined[self.n_joined] = 10
                self.n_joined += 1
                first = True
                continue
            if fc_table_get(&self.counts.table, key) != WORD_KEPT:
                continue
            if self._word(snapshot, key, &p, &m) < 0 or fc_grow(
                    <void**>&self.joined, &self.cap_joined, self.n_joined + m + n_delim, 1, 0):
                error = COUNT_NO_MEMORY
                break
            if not first:
                memcpy(self.joined + self.n_joined, delim, n_delim)
                self.n_joined += n_delim
            first = False
            memcpy(self.joined + self.n_joined, p, m)
            self.n_joined += m
        self.n_keys = 0
        return error

    def take_joined(self):
        """Join mode: the lines written since the last call, as bytes."""
        if self.busy:
            # a feed in another thread may be writing (and moving) the lines
            raise RuntimeError("this counter is busy in another thread (feed or vocab_result)")
        out = (<char*>self.joined)[:self.n_joined] if self.n_joined else b""
        self.n_joined = 0
        return out

    cdef int _utf8_room(self, Py_ssize_t n) noexcept nogil:
        """Room in self.utf8 for the UTF-8 of n code points; -1 out of memory."""
        return fc_grow(<void**>&self.utf8, &self.cap_utf8, fc_utf8_max_size(4, n), 1, 0)

    cdef int _word(self, Snapshot snapshot, int64_t key, const char** word, Py_ssize_t* m) noexcept nogil:
        """Point ``word`` at the UTF-8 of counted word ``key`` (a trie node,
        or ``-1 - id`` in this counter's Vocab), its size in ``m``; the bytes
        stay valid until the next call. 0 ok, -1 out of memory."""
        cdef Py_UCS4 local[64]
        cdef Py_UCS4* chars = local
        cdef Py_ssize_t depth
        if key < 0:
            word[0] = fc_vocab_word(&self.vocab.table, -1 - key, m)
            if m[0] == 0:
                word[0] = ""    # full mode's empty token: the vocabulary may have no arena yet
            return 0
        depth = snapshot.node_chars(<int32_t>key, local, 64)
        if depth > 64:  # a long dictionary word: rare
            chars = <Py_UCS4*>fc_alloc(depth, sizeof(Py_UCS4))
            if chars == NULL:
                return -1
            snapshot.node_chars(<int32_t>key, chars, depth)
        if self._utf8_room(depth) < 0:
            if chars != local:
                fc_free(chars)
            return -1
        m[0] = fc_utf8_encode_kind(4, chars, depth, <unsigned char*>self.utf8)
        if chars != local:
            fc_free(chars)
        word[0] = self.utf8
        return 0

    def feed(self, texts):
        """Segment and count every str of ``texts`` (a list or other sequence);
        return their size in UTF-8 bytes (lone surrogates as 3 bytes). On a
        ValueError (a non-positive frequency, as jieba raises) nothing of the
        batch is counted."""
        cdef Py_ssize_t i, n_texts, total_len = 0, off, n, bad
        cdef Py_ssize_t* offsets
        cdef Py_UCS4* buf
        self._enter()
        try:
            texts = tuple(texts)        # our own references while the GIL is released
            n_texts = len(texts)
            for i in range(n_texts):
                t = texts[i]
                if type(t) is not str:
                    if not isinstance(t, str):
                        raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")
                total_len += PyUnicode_GET_LENGTH(t)
            if n_texts == 0:
                return 0
            self._reserve(total_len, n_texts)
            offsets = self.offsets
            buf = self.text
            off = 0
            for i in range(n_texts):
                offsets[i] = off
                n = PyUnicode_GET_LENGTH(texts[i])
                if n:
                    PyUnicode_AsUCS4(texts[i], buf + off, total_len + 1 - off, 0)
                off += n
            offsets[n_texts] = off
            bad = self._count_filled(n_texts)
            if bad >= 0:
                raise ValueError(f"math domain error in texts[{bad}] (jieba raises it too: "
                                 "a word of that text, or the dictionary's total, has a "
                                 "frequency that is not positive)")
            with nogil:
                n = fc_utf8_size_ucs4(buf, total_len)
            return n
        finally:
            self.busy = False

    def feed_block(self, block):
        """Count the lines of a :class:`fastcount.io.Block` as ``feed(block.texts())``
        would, decoding UTF-8 in C (no str per line, no GIL held): returns
        the number of lines, or -1, counting nothing, for a block to decode
        in Python instead (not strict UTF-8, another encoding, a JSON field,
        or a line on which jieba raises, which ``feed`` then reports)."""
        if block.encoding != "utf-8" or block.field is not None:
            return -1
        data = block.data
        self._enter()
        try:
            return self._feed_utf8(data)
        finally:
            self.busy = False

    cdef Py_ssize_t _feed_utf8(self, const unsigned char[::1] data) except -2:
        """The lines of ``data``, UTF-8 bytes of whole lines (each ends with
        ``"\\n"`` or ``"\\r\\n"``, the last one may end without), decoded and
        split here without the GIL: their number, or -1, counting nothing,
        when ``data`` is not strict UTF-8 or jieba would raise on a line."""
        cdef Py_ssize_t n = data.shape[0], n_newlines = 0, n_texts, i = 0, start = 0, end, k, w = 0
        cdef const unsigned char* p
        cdef const unsigned char* q
        cdef Py_ssize_t* offsets
        cdef Py_UCS4* buf
        cdef bint ok = True
        if n == 0:
            return 0
        p = &data[0]
        with nogil:
            q = p
            while True:
                q = <const unsigned char*>memchr(q, 10, n - (q - p))
                if q == NULL:
                    break
                n_newlines += 1
                q += 1
                if q == p + n:
                    break
        n_texts = n_newlines + (p[n - 1] != 10)
        self._reserve(n, n_texts)   # no more code points than bytes
        offsets = self.offsets
        buf = self.text
        with nogil:
            while start < n:
                q = <const unsigned char*>memchr(p + start, 10, n - start)
                end = q - p if q != NULL else n
                offsets[i] = w
                k = fc_utf8_decode_strict(p + start, end - start, buf + w)
                if k < 0:
                    ok = False
                    break
                if q != NULL and k > 0 and buf[w + k - 1] == 13:
                    k -= 1     # "\r\n" ends the line; a last line keeps its "\r"
                w += k
                i += 1
                start = end + 1
            offsets[i] = w
        if not ok or self._count_filled(n_texts) >= 0:
            return -1
        return n_texts

    cdef int _enter(self) except -1:
        """Take the busy flag (before any Python code can run: another thread
        could enter then), or raise."""
        if self.broken:
            raise RuntimeError("this counter ran out of memory earlier; its counts are incomplete")
        if self.busy:
            raise RuntimeError("this counter is busy in another thread (feed or vocab_result)")
        self.busy = True
        return 0

    cdef Py_ssize_t _count_filled(self, Py_ssize_t n_texts) except -2:
        """Segment and count texts ``text[offsets[i]:offsets[i + 1]]``, i < n_texts,
        without the GIL. Returns -1, or the index of a text on which jieba's
        calc would raise ValueError (then nothing is counted)."""
        cdef Py_ssize_t i = 0
        cdef Py_ssize_t* offsets = self.offsets
        cdef Py_UCS4* buf = self.text
        cdef int error = 0
        cdef bint prescan
        cdef Snapshot snapshot
        cdef const unsigned char* delim = NULL
        cdef Py_ssize_t n_delim = 0, n_joined = self.n_joined
        cdef bint filtered = self.keep_word is not None
        if self.delimiter is not None:
            delim = self.delimiter
            n_delim = len(self.delimiter)
        # Here, after the texts were taken (which may run Python code that
        # changes the words), not before.
        snapshot = self._read_begin()
        # jieba raises ValueError (log of a non-positive number) only for
        # texts that reach such a frequency: find out before counting
        # anything, so that an error leaves the counts as they were
        prescan = self._may_raise(snapshot)
        try:
            with nogil:
                if prescan:
                    for i in range(n_texts):
                        error = self._cut(buf + offsets[i], offsets[i + 1] - offsets[i])
                        if error:
                            break
                if not error:
                    for i in range(n_texts):
                        error = self._cut(buf + offsets[i], offsets[i + 1] - offsets[i])
                        if error:
                            break
                        if not self.by_file:
                            self.doc = self.n_docs + i
                        if filtered:
                            error = self._join_keys()
                        elif delim != NULL:
                            error = self._join_tokens(delim, n_delim)
                        else:
                            error = self._count_tokens()
                        if error:
                            error = COUNT_NO_MEMORY
                            break
        finally:
            self._read_end()
        if error == CUT_DOMAIN:
            self.n_keys = 0
            return i   # only reachable in the prescan: nothing was counted
        if not error and filtered:
            try:
                self._decide(snapshot)
            except BaseException:
                self.n_keys = 0   # the batch is lost whole
                raise
            with nogil:
                error = self._write_kept(snapshot, delim, n_delim)
        if error:
            self.n_joined = n_joined  # no partial lines: the batch is lost whole
            self.n_keys = 0
            self.broken = True
            raise MemoryError("out of memory while counting; this counter's counts are incomplete")
        if not self.by_file:
            self.n_docs += n_texts
        return -1

    def seen(self):
        """Number of distinct words counted so far."""
        return self.n_order

    def vocab_result(self):
        """``(vocab, counts)``: the distinct words as a new :class:`fastcount.Vocab`
        (ids in order of first sight) and their int64 counts by id, copied in
        C from the trie and this counter's own Vocab: no str per word, and it
        pickles compactly for the trip to a parent process; with dfs,
        ``(vocab, counts, dfs, documents)``. The counter is unchanged."""
        cdef Py_ssize_t k, m
        cdef int64_t key, wid = 0
        cdef const char* p
        cdef Vocab out
        cdef int64_t[::1] by_id
        cdef int64_t[::1] df_by_id
        cdef int64_t[::1] id_of_position
        cdef Snapshot snapshot
        import numpy as np
        self._enter()
        try:
            n_docs = self.n_docs
            out = Vocab()
            if fc_vocab_init(&out.table, self.n_order) < 0:
                raise MemoryError()
            counts = np.zeros(self.n_order, dtype=np.int64)
            by_id = counts
            dfs = np.zeros(self.n_order if self.dfs else 0, dtype=np.int64)
            df_by_id = dfs
            positions = np.zeros(self.n_order if self.by_file else 0, dtype=np.int64)
            id_of_position = positions
            snapshot = self._read_begin()
            # without the GIL: threads of count_words build their results in parallel
            with nogil:
                for k in range(self.n_order):
                    key = self.order[k]
                    if self._word(snapshot, key, &p, &m) < 0:
                        wid = -1
                        break
                    # a word added to the dictionary while counting may
                    # also have been counted under a vocabulary id:
                    # interning merges the two
                    wid = fc_vocab_intern_trusted(&out.table, p, m)
                    if wid < 0:
                        break
                    if self.dfs:  # a text is cut with one snapshot: never both keys
                        by_id[wid] += self.tally[k].count
                        df_by_id[wid] += self.tally[k].df
                        if self.by_file:
                            id_of_position[k] = wid
                    else:
                        by_id[wid] += fc_table_get(&self.counts.table, key)
            if wid >= 0 and self.by_file:
                # still busy: it reads this counter's arrays, which a feed
                # (another thread, a finalizer run by numpy) would move
                shared = self._shared_words(positions)
        finally:
            self.busy = False
            self._read_end()
        if wid < 0:
            raise MemoryError()
        # (not busy any more: what a feed may change now is not read)
        if len(out) < counts.shape[0]:
            counts = counts[:len(out)].copy()
            dfs = dfs[:len(out)].copy()
        if self.by_file:
            return out, counts, dfs, n_docs, shared
        if self.dfs:
            return out, counts, dfs, n_docs
        return out, counts

    cdef object _shared_words(self, positions):
        """The ids of the words counted in each shared document."""
        import numpy as np
        found = np.asarray(<int64_t[:self.n_shared]>self.shared) if self.n_shared else np.zeros(0, np.int64)
        words = {}
        ends = [start for _, start in self.shared_docs[1:]] + [self.n_shared]
        for (doc, start), end in zip(self.shared_docs, ends):
            words[doc] = positions[found[start:end]]
        return words
