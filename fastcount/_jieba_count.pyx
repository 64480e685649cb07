# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Segment with jieba's rules and count the tokens, all in C.

A token that is a string of the dictionary's trie (every dictionary word, and
every prefix jieba keeps) counts under its trie node id (>= 0); any other
token (words the HMM finds, Latin and digit runs, punctuation, characters
outside the dictionary) is interned in a Vocab as UTF-8 and counts under
``-1 - vocab id``. No Python object is made per token, and the work of a
whole batch of texts runs without the GIL.
"""
from cpython.unicode cimport PyUnicode_GET_LENGTH
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memchr

import numpy as np

from fastcount._jieba cimport (Dictionary, JBCtx, JBTok, JB_AUX, JB_SPACE,
                               JB_ERR_NOMEM, JB_ERR_DOMAIN, jb_cut, jb_ctx_init,
                               jb_ctx_free, jb_node_chars, jb_zfind, utf8_decode_strict)
from fastcount._hashcounter cimport HashCounter, fc_table_add, fc_table_find, fc_table_get
from fastcount._vocab cimport Vocab, fc_vocab_init, fc_vocab_intern_trusted, fc_vocab_word

cdef extern from "Python.h":
    Py_UCS4* PyUnicode_AsUCS4(object u, Py_UCS4* buffer, Py_ssize_t buflen, int copy_null) except NULL

cdef enum:
    ERR_NOMEM = 1
    ERR_DOMAIN = 2


cdef inline Py_ssize_t utf8_size(const Py_UCS4* s, Py_ssize_t n) noexcept nogil:
    """Bytes of the UTF-8 of ``s`` (lone surrogates as 3 bytes, as utf8_encode)."""
    cdef Py_ssize_t i, k = n
    cdef uint32_t c
    for i in range(n):
        c = s[i]
        k += (c >= 0x80) + (c >= 0x800) + (c >= 0x10000)
    return k


cdef inline Py_ssize_t utf8_encode(const Py_UCS4* s, Py_ssize_t n, char* out) noexcept nogil:
    """UTF-8 with lone surrogates as 3 bytes ('surrogatepass'); out needs 4*n."""
    cdef Py_ssize_t i, k = 0
    cdef uint32_t c
    for i in range(n):
        c = s[i]
        if c < 0x80:
            out[k] = <char>c
            k += 1
        elif c < 0x800:
            out[k] = <char>(0xC0 | (c >> 6))
            out[k + 1] = <char>(0x80 | (c & 0x3F))
            k += 2
        elif c < 0x10000:
            out[k] = <char>(0xE0 | (c >> 12))
            out[k + 1] = <char>(0x80 | ((c >> 6) & 0x3F))
            out[k + 2] = <char>(0x80 | (c & 0x3F))
            k += 3
        else:
            out[k] = <char>(0xF0 | (c >> 18))
            out[k + 1] = <char>(0x80 | ((c >> 12) & 0x3F))
            out[k + 2] = <char>(0x80 | ((c >> 6) & 0x3F))
            out[k + 3] = <char>(0x80 | (c & 0x3F))
            k += 4
    return k


cdef class ChunkCounter:
    """Counts jieba's tokens of many texts: ``feed(texts)`` then ``result()``.

    ``ChunkCounter(dictionary, hmm=True, cut_all=False, keep_whitespace=False)``
    with a :class:`fastcount._jieba.Dictionary`. Whitespace tokens (the ones
    ``str.isspace``) are not counted unless ``keep_whitespace``.
    """
    cdef Dictionary d
    cdef HashCounter counts
    cdef Vocab vocab
    cdef bint hmm, cut_all, keep_ws
    cdef int64_t* order          # keys in order of first sight
    cdef Py_ssize_t norder, caporder
    cdef char* utf8
    cdef Py_ssize_t caputf8
    cdef bint busy
    cdef bint broken
    cdef JBCtx ctx               # segmentation buffers, kept from feed to feed
    cdef Py_UCS4* text           # the batch's code points
    cdef Py_ssize_t captext
    cdef Py_ssize_t* offs        # text i is text[offs[i]:offs[i + 1]]
    cdef Py_ssize_t capoffs

    def __cinit__(self):
        self.order = NULL
        self.utf8 = NULL
        self.text = NULL
        self.offs = NULL
        jb_ctx_init(&self.ctx, NULL, NULL, 0.0)

    def __init__(self, Dictionary dictionary not None, bint hmm=True, bint cut_all=False,
                 bint keep_whitespace=False):
        self.d = dictionary
        self.hmm = hmm
        self.cut_all = cut_all
        self.keep_ws = keep_whitespace
        self.counts = HashCounter()
        self.vocab = Vocab()

    def __dealloc__(self):
        free(self.order)
        free(self.utf8)
        free(self.text)
        free(self.offs)
        jb_ctx_free(&self.ctx)

    cdef int _reserve(self, Py_ssize_t nchars, Py_ssize_t ntext) except -1:
        cdef void* p
        if nchars + 1 > self.captext:
            free(self.text)
            self.text = NULL
            self.captext = 0
            p = malloc((nchars + 1) * sizeof(Py_UCS4))
            if p == NULL:
                raise MemoryError()
            self.text = <Py_UCS4*>p
            self.captext = nchars + 1
        if ntext + 1 > self.capoffs:
            free(self.offs)
            self.offs = NULL
            self.capoffs = 0
            p = malloc((ntext + 1) * sizeof(Py_ssize_t))
            if p == NULL:
                raise MemoryError()
            self.offs = <Py_ssize_t*>p
            self.capoffs = ntext + 1
        return 0

    cdef int _count_tokens(self, JBCtx* ctx) noexcept nogil:
        """Count ctx's tokens; 0 ok, ERR_NOMEM."""
        cdef Py_ssize_t k, n, m
        cdef JBTok* t
        cdef const Py_UCS4* p
        cdef int64_t key, vid
        cdef int64_t* c
        cdef int32_t node
        cdef void* q
        for k in range(ctx.ntok):
            t = &ctx.toks[k]
            if t.kind == JB_SPACE and not self.keep_ws:
                continue
            if t.node >= 0:
                key = t.node
            else:
                n = t.end - t.start
                p = (ctx.aux if t.kind == JB_AUX else ctx.text) + t.start
                node = jb_zfind(ctx.fz, p, n)
                if node >= 0:
                    key = ctx.fz.node[node]
                else:
                    if self._utf8_room(n) < 0:
                        return ERR_NOMEM
                    m = utf8_encode(p, n, self.utf8)
                    vid = fc_vocab_intern_trusted(&self.vocab.table, self.utf8, m)
                    if vid < 0:
                        return ERR_NOMEM
                    key = -1 - vid
            c = fc_table_find(&self.counts.table, key)
            if c != NULL:
                c[0] += 1
            else:
                if self.norder == self.caporder:
                    m = 2 * self.caporder if self.caporder else 1024
                    q = realloc(self.order, m * sizeof(int64_t))
                    if q == NULL:
                        return ERR_NOMEM
                    self.order = <int64_t*>q
                    self.caporder = m
                if fc_table_add(&self.counts.table, key, 1) != 0:
                    return ERR_NOMEM
                self.order[self.norder] = key
                self.norder += 1
        return 0

    cdef int _utf8_room(self, Py_ssize_t n) noexcept nogil:
        """Room in self.utf8 for the UTF-8 of n code points; -1 out of memory."""
        cdef void* q
        if 4 * n > self.caputf8:
            q = realloc(self.utf8, 4 * n + 256)
            if q == NULL:
                return -1
            self.utf8 = <char*>q
            self.caputf8 = 4 * n + 256
        return 0

    cdef const char* _word(self, int64_t key, Py_ssize_t* m) noexcept nogil:
        """The UTF-8 of counted word ``key`` (a trie node, or ``-1 - id`` in
        this counter's Vocab) and its size in ``m``; the bytes stay valid
        until the next call. NULL when out of memory."""
        cdef Py_UCS4 local[64]
        cdef Py_UCS4* chars = local
        cdef Py_ssize_t depth
        if key < 0:
            return fc_vocab_word(&self.vocab.table, -1 - key, m)
        depth = jb_node_chars(&self.d.trie, <int32_t>key, local, 64)
        if depth > 64:  # a long dictionary word: rare
            chars = <Py_UCS4*>malloc(depth * sizeof(Py_UCS4))
            if chars == NULL:
                return NULL
            jb_node_chars(&self.d.trie, <int32_t>key, chars, depth)
        if self._utf8_room(depth) < 0:
            if chars != local:
                free(chars)
            return NULL
        m[0] = utf8_encode(chars, depth, self.utf8)
        if chars != local:
            free(chars)
        return self.utf8

    def feed(self, texts):
        """Segment and count every str of ``texts`` (a list or other sequence);
        return their size in UTF-8 bytes (lone surrogates as 3 bytes)."""
        cdef Py_ssize_t i, ntext, total_len = 0, off, n, bad
        cdef Py_ssize_t* offs
        cdef Py_UCS4* buf
        self._check_ready()
        texts = tuple(texts)        # our own references while the GIL is released
        ntext = len(texts)
        for i in range(ntext):
            t = texts[i]
            if type(t) is not str:
                if not isinstance(t, str):
                    raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")
            total_len += PyUnicode_GET_LENGTH(t)
        if ntext == 0:
            return 0
        self._reserve(total_len, ntext)
        offs = self.offs
        buf = self.text
        off = 0
        for i in range(ntext):
            offs[i] = off
            n = PyUnicode_GET_LENGTH(texts[i])
            if n:
                PyUnicode_AsUCS4(texts[i], buf + off, total_len + 1 - off, 0)
            off += n
        offs[ntext] = off
        bad = self._count_filled(ntext)
        if bad >= 0:
            raise ValueError(f"math domain error in texts[{bad}] (jieba raises it too: "
                             "a word of that text, or the dictionary's total, has a "
                             "frequency that is not positive)")
        with nogil:
            n = utf8_size(buf, total_len)
        return n

    def feed_utf8(self, const unsigned char[::1] data not None):
        """Segment and count the lines of ``data``, UTF-8 bytes of whole lines
        (each ends with ``"\\n"`` or ``"\\r\\n"``, the last one may end
        without), as ``feed`` counts ``fastcount.io.Block(data).texts()``:
        decoded and split here, without the GIL and with no str per line.

        Returns the number of lines counted, or -1, counting nothing, when
        ``data`` is not strict UTF-8 (decode it in Python then, whose error
        rules apply). ValueError as ``feed`` raises it, nothing counted."""
        cdef Py_ssize_t n = data.shape[0], nl = 0, ntext, i = 0, start = 0, end, k, w = 0, bad
        cdef const unsigned char* p
        cdef const unsigned char* q
        cdef Py_ssize_t* offs
        cdef Py_UCS4* buf
        cdef bint ok = True
        self._check_ready()
        if n == 0:
            return 0
        p = &data[0]
        with nogil:
            q = p
            while True:
                q = <const unsigned char*>memchr(q, 10, n - (q - p))
                if q == NULL:
                    break
                nl += 1
                q += 1
                if q == p + n:
                    break
        ntext = nl + (p[n - 1] != 10)
        self._reserve(n, ntext)   # no more code points than bytes
        offs = self.offs
        buf = self.text
        with nogil:
            while start < n:
                q = <const unsigned char*>memchr(p + start, 10, n - start)
                end = q - p if q != NULL else n
                offs[i] = w
                k = utf8_decode_strict(p + start, end - start, buf + w)
                if k < 0:
                    ok = False
                    break
                if q != NULL and k > 0 and buf[w + k - 1] == 13:
                    k -= 1     # "\r\n" ends the line; a last line keeps its "\r"
                w += k
                i += 1
                start = end + 1
            offs[i] = w
        if not ok:
            return -1
        bad = self._count_filled(ntext)
        if bad >= 0:
            raise ValueError(f"math domain error in line {bad + 1} of the data (jieba raises "
                             "it too: a word of that line, or the dictionary's total, has a "
                             "frequency that is not positive)")
        return ntext

    cdef int _check_ready(self) except -1:
        if self.broken:
            raise RuntimeError("this counter ran out of memory earlier; its counts are incomplete")
        if self.busy:
            raise RuntimeError("this counter is busy in another thread (feed or result)")
        return 0

    cdef Py_ssize_t _count_filled(self, Py_ssize_t ntext) except -2:
        """Segment and count texts ``text[offs[i]:offs[i + 1]]``, i < ntext,
        without the GIL. Returns -1, or the index of a text on which jieba's
        calc would raise ValueError (then nothing is counted)."""
        cdef Py_ssize_t i = 0
        cdef Py_ssize_t* offs = self.offs
        cdef Py_UCS4* buf = self.text
        cdef JBCtx* ctx = &self.ctx
        cdef int err = 0
        cdef bint prescan
        # Here, after the texts were taken (which may run Python code that
        # changes the words), not before: the segmentation reads these.
        self.d._sync_force_split()
        self.d._freeze()
        # jieba raises ValueError (log of a non-positive number) only for
        # texts that reach such a frequency: find out before counting
        # anything, so that an error leaves the counts as they were
        prescan = not self.cut_all and self.d.can_raise()
        ctx.fz = &self.d.fz
        ctx.fsw = &self.d.fsw if self.d._fsw_len > 0 else NULL
        ctx.logtotal = self.d.logtotal
        ctx.err = 0
        self.d._readers += 1
        self.busy = True
        try:
            with nogil:
                if prescan:
                    for i in range(ntext):
                        ctx.text = buf + offs[i]
                        ctx.n = offs[i + 1] - offs[i]
                        ctx.ntok = 0
                        ctx.naux = 0
                        err = jb_cut(ctx, self.cut_all, self.hmm, False)
                        if err:
                            break
                if not err:
                    for i in range(ntext):
                        ctx.text = buf + offs[i]
                        ctx.n = offs[i + 1] - offs[i]
                        ctx.ntok = 0
                        ctx.naux = 0
                        err = jb_cut(ctx, self.cut_all, self.hmm, False)
                        if err:
                            break
                        err = self._count_tokens(ctx)
                        if err:
                            err = ERR_NOMEM
                            break
        finally:
            self.busy = False
            self.d._readers -= 1
            ctx.text = NULL
            ctx.err = 0
        if err == JB_ERR_DOMAIN:
            return i   # only reachable in the prescan: nothing was counted
        if err:
            self.broken = True
            raise MemoryError("out of memory while counting; this counter's counts are incomplete")
        return -1

    def seen(self):
        """Number of distinct words counted so far."""
        return self.norder

    def result(self, bint vocab=False):
        """``(words, counts)``: a list of str in order of first sight and an
        int64 numpy array of their counts.

        With ``vocab=True`` the words come as a new :class:`fastcount.Vocab`
        (ids in order of first sight, ``counts[i]`` the count of word ``i``),
        copied in C from the trie and this counter's own Vocab: no str per
        word, and it pickles compactly for the trip to the parent process."""
        cdef Py_ssize_t k, m
        cdef int64_t key, wid = 0
        cdef const char* p
        cdef Vocab out
        cdef int64_t[::1] cv
        self._check_ready()
        if vocab:
            out = Vocab()
            if fc_vocab_init(&out.table, self.norder) < 0:
                raise MemoryError()
            counts = np.zeros(self.norder, dtype=np.int64)
            cv = counts
            # without the GIL: threads of count_words build their results in parallel
            self.d._readers += 1
            self.busy = True
            try:
                with nogil:
                    for k in range(self.norder):
                        key = self.order[k]
                        p = self._word(key, &m)
                        # a word added to the dictionary while counting may
                        # also have been counted under a vocabulary id:
                        # interning merges the two
                        wid = fc_vocab_intern_trusted(&out.table, p, m) if p != NULL else -1
                        if wid < 0:
                            break
                        cv[wid] += fc_table_get(&self.counts.table, key)
            finally:
                self.busy = False
                self.d._readers -= 1
            if wid < 0:
                raise MemoryError()
            if len(out) < self.norder:
                counts = counts[:len(out)].copy()
            return out, counts
        out, counts = self.result(vocab=True)
        return out.words(), counts

