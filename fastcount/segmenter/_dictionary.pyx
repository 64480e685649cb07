# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The segmenter's dictionary: jieba's ``FREQ`` and ``total`` in C (the tries
of ``_trie``), what jieba does to them (loading a dictionary file,
``add_word``), its cache form, and the cut over it.

Low-level: :class:`fastcount.Tokenizer` is the public face.
"""
from cpython.unicode cimport (PyUnicode_GET_LENGTH, PyUnicode_Substring,
                              PyUnicode_FromKindAndData, PyUnicode_4BYTE_KIND)
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.ref cimport Py_INCREF
from libc.stdint cimport int32_t, int64_t, uint32_t
from libc.string cimport memset, memcpy
from libc.math cimport NAN

import math

from jieba import finalseg as _finalseg

from fastcount._native cimport fc_alloc, fc_free, fc_grow, fc_utf8_decode_strict
from fastcount.segmenter._trie cimport (ABSENT, ROOT_SPAN, IN_FREQ, IS_WORD, TrieEdge, FrozenRecord,
                                        frozen_child, frozen_child_of,
                                        trie_init, trie_free, trie_reserve, trie_drop_edges,
                                        trie_release_retired, frozen_copy,
                                        trie_path, trie_child, trie_node_chars, frozen_build,
                                        frozen_free, frozen_find, frozen_add_child,
                                        frozen_set_freq)
from fastcount.segmenter._cut cimport (Token, TOKEN_AUX, CUT_NO_MEMORY, CUT_DOMAIN,
                                       cut_text, cut_context_init, cut_context_free)

cdef extern from "Python.h":
    Py_UCS4* PyUnicode_AsUCS4(object u, Py_UCS4* buffer, Py_ssize_t buflen, int copy_null) except NULL

cdef enum:
    SHORT_TEXT = 256        # texts up to this long are cut holding the GIL
    MAX_TRIE_NODES = 0x40000000

cdef bytes DUMPS_MAGIC = b"FCJB0002"   # bump when the layout of dumps() changes


# ---------------------------------------------------------------- dictionary file
cdef int parse_dict(Trie* t, const unsigned char* data, Py_ssize_t size, int64_t* total) noexcept nogil:
    """jieba's gen_pfdict for files of plain lines `word freq [tag]` (freq:
    1 to 18 ASCII digits): 0 ok, 1 a line needs Python's own parse (t is
    then partly filled), -1 out of memory."""
    cdef Py_ssize_t pos = 0, a, b, w, i, n_word
    cdef int64_t f
    cdef int32_t node
    cdef Py_UCS4* word = NULL
    cdef Py_ssize_t cap_word = 0
    total[0] = 0
    while pos < size:
        pos = next_line(data, size, pos, &a, &b)
        # word: up to the first space; freq: up to the next space or the end
        w = a
        while w < b and data[w] != 32:
            w += 1
        if w == a or w == b:
            fc_free(word)
            return 1
        i = w + 1
        f = 0
        while i < b and data[i] != 32:
            if not (48 <= data[i] <= 57) or i - (w + 1) >= 18:
                fc_free(word)
                return 1
            f = f * 10 + (data[i] - 48)
            i += 1
        if i == w + 1:
            fc_free(word)
            return 1
        if fc_grow(<void**>&word, &cap_word, w - a, sizeof(Py_UCS4), 0):
            fc_free(word)
            return -1
        n_word = fc_utf8_decode_strict(data + a, w - a, word)
        if n_word < 0:
            fc_free(word)
            return 1
        # lfreq[word] = freq, then its prefixes not yet in lfreq get 0
        node = trie_path(t, word, n_word, True)
        if node < 0:
            fc_free(word)
            return -1
        t.freq[node] = f
        total[0] += f
        if total[0] > (<int64_t>1 << 62):
            fc_free(word)
            return 1
    fc_free(word)
    return 0


# ---------------------------------------------------------------- Python side
cdef Py_UCS4* to_ucs4(str s, Py_ssize_t* n) except? NULL:
    """A copy of s's code points (fc_free() it); n gets the length."""
    cdef Py_ssize_t L = PyUnicode_GET_LENGTH(s)
    cdef Py_UCS4* buf = <Py_UCS4*>fc_alloc(L + 1, sizeof(Py_UCS4))
    if buf == NULL:
        raise MemoryError()
    if L:
        try:
            PyUnicode_AsUCS4(s, buf, L + 1, 0)
        except BaseException:
            fc_free(buf)
            raise
    n[0] = L
    return buf


cdef object raise_cut_error(int error):
    if error == CUT_NO_MEMORY:
        raise MemoryError("fastcount: out of memory while segmenting")
    if error == CUT_DOMAIN:
        # jieba's calc raises this very error (log of a total or a
        # frequency that is not positive)
        raise ValueError("math domain error (the dictionary's total, or the "
                         "frequency of a word in this text, is not positive)")


cdef list tokens_to_list(CutContext* ctx, str s):
    cdef list out = PyList_New(ctx.n_tokens)
    cdef Py_ssize_t k
    cdef Token* t
    cdef object w
    for k in range(ctx.n_tokens):
        t = &ctx.tokens[k]
        if t.kind == TOKEN_AUX:
            w = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, ctx.aux + t.start, t.end - t.start)
        else:
            w = PyUnicode_Substring(s, t.start, t.end)
        Py_INCREF(w)
        PyList_SET_ITEM(out, k, w)
    return out


cdef int64_t as_freq(object freq, object word) except? -1:
    if type(freq) is not int:
        if isinstance(freq, int):
            freq = int(freq)
        else:
            raise TypeError(f"frequency of {word!r} must be an int, not {type(freq).__name__}")
    if not (-(1 << 63) < freq < (1 << 63)):
        raise OverflowError(f"the frequency of {word!r}, {freq}, is beyond fastcount's 64-bit "
                            "frequencies (-2**63 < freq < 2**63)")
    return freq


cdef class FrozenWords:
    """Owner of a frozen trie. Changed in place only while no snapshot holds
    it (``n_snapshots``); a change under a snapshot goes to a copy."""

    def __dealloc__(self):
        frozen_free(&self.trie)


cdef class ForceSplitWords:
    """Owner of a trie of Force_Split_Words (frequency 1 marks a member);
    never changed once built."""

    def __dealloc__(self):
        trie_free(&self.trie)


cdef class Snapshot:
    """What a cut without the GIL reads of a :class:`Dictionary`: the frozen
    trie, Force_Split_Words, log(total) and the node strings as they were
    when it was taken. Later changes to the dictionary go elsewhere
    (copy-on-write), so nothing it reads changes or goes away while it is
    alive."""

    def __dealloc__(self):
        if self._frozen is not None:
            self._frozen.n_snapshots -= 1
        if self._dictionary is not None:
            self._dictionary._snapshot_ended()

    cdef void fill(self, CutContext* ctx) noexcept:
        """Point ctx at the words to segment with."""
        ctx.frozen = &self._frozen.trie
        ctx.force_split = &self._force_split.trie if self._force_split is not None else NULL
        ctx.log_total = self._log_total
        ctx.error = 0

    cdef Py_ssize_t node_chars(self, int32_t node, Py_UCS4* out, Py_ssize_t cap) noexcept nogil:
        """The characters of trie node ``node`` (see trie_node_chars)."""
        return trie_node_chars(&self._nodes, node, out, cap)


cdef class Dictionary:
    """jieba's prefix dictionary (``FREQ`` and ``total``) in C, with the
    segmentation that runs over it. Methods mirror what jieba does to ``FREQ``.

    Threads: every method runs holding the GIL; cuts of long texts and the
    native counter read a :class:`Snapshot` without it, so the words may
    change meanwhile (the snapshot keeps what it shows alive).
    """

    def __cinit__(self):
        if trie_init(&self.trie, True) != 0:
            raise MemoryError()
        self._can_raise_version = -1
        cut_context_init(&self._short_context, NULL, NULL, 0.0)
        self._short_text = <Py_UCS4*>fc_alloc(SHORT_TEXT + 1, sizeof(Py_UCS4))
        if self._short_text == NULL:
            raise MemoryError()
        self._total = 0
        self.log_total = NAN
        self._force_split_len = -1

    def __dealloc__(self):
        trie_free(&self.trie)
        cut_context_free(&self._short_context)
        fc_free(self._short_text)

    cdef Snapshot read_begin(self):
        """The words as they are now, for cuts without the GIL (Force_Split_Words
        brought up to date, the frozen trie built); drop the snapshot to end."""
        cdef Snapshot s = Snapshot.__new__(Snapshot)
        self._sync_force_split()
        self._freeze()
        s.can_raise = self.can_raise()
        s._log_total = self.log_total
        s._force_split = self._force_split
        s._frozen = self._frozen
        self._frozen.n_snapshots += 1
        # node strings: parent/code as they are; growing them now copies
        # (trie_reserve), so these arrays stay until the last snapshot ends
        s._nodes.parent = self.trie.parent
        s._nodes.code = self.trie.code
        s._dictionary = self
        self._readers += 1
        self.trie.keep_old_nodes = True
        return s

    cdef void _snapshot_ended(self) noexcept:
        self._readers -= 1
        if self._readers == 0:
            self.trie.keep_old_nodes = False
            trie_release_retired(&self.trie)

    cdef int _freeze(self) except -1:
        """Build the frozen trie if it is stale (a new one: snapshots may hold
        the old). The master trie's edge table is then dropped: only changes
        need it, and they rebuild it."""
        cdef FrozenWords frozen
        cdef int r
        if self._frozen is not None:
            return 0
        frozen = FrozenWords.__new__(FrozenWords)
        r = frozen_build(&self.trie, &frozen.trie)
        if r == -1:
            raise MemoryError()
        if r != 0:
            raise ValueError("the dictionary data is not a trie (two nodes for one string)")
        trie_drop_edges(&self.trie)
        self._frozen = frozen
        return 0

    cdef FrozenTrie* _frozen_to_change(self) except? NULL:
        """The frozen trie to bring along with a change, copied first if a
        snapshot holds it; NULL when it is stale (rebuilt on the next read)."""
        cdef FrozenWords copy
        if self._frozen is None:
            return NULL
        if self._frozen.n_snapshots > 0:
            copy = FrozenWords.__new__(FrozenWords)
            if frozen_copy(&self._frozen.trie, &copy.trie) != 0:
                raise MemoryError()
            self._frozen = copy
        return &self._frozen.trie

    cdef int _check_empty(self, str method) except -1:
        if self.trie.n_nodes != 1:
            raise ValueError(f"{method}() needs an empty dictionary")
        if self._readers:
            raise RuntimeError(f"fastcount: {method}() while another thread is segmenting "
                               "with this dictionary")
        return 0

    cdef int _sync_force_split(self) except -1:
        """Mirror jieba.finalseg.Force_Split_Words (a global that jieba's
        del_word and add_word(w, 0) grow) when it has changed: a new trie,
        the old one may be in use."""
        cdef Py_ssize_t n
        cdef Py_UCS4* buf
        cdef int32_t node
        cdef ForceSplitWords built = None
        words = _finalseg.Force_Split_Words
        if words is self._force_split_set and len(words) == self._force_split_len:
            return 0
        for w in list(words):
            if type(w) is not str:
                if not isinstance(w, str):
                    continue
                w = str.__str__(w)      # jieba's del_word stores str subclasses as given
            if built is None:
                built = ForceSplitWords.__new__(ForceSplitWords)
                if trie_init(&built.trie, False) != 0:
                    raise MemoryError()
            buf = to_ucs4(w, &n)
            node = trie_path(&built.trie, buf, n, False)
            fc_free(buf)
            if node < 0:
                raise MemoryError()
            built.trie.freq[node] = 1
        self._force_split = built
        self._force_split_set = words
        self._force_split_len = len(words)
        return 0

    @property
    def total(self):
        """jieba's ``total``: the sum of the frequencies added."""
        return self._total

    @total.setter
    def total(self, value):
        if not isinstance(value, int):
            raise TypeError(f"total must be an int, not {type(value).__name__}")
        self._total = value
        try:
            self.log_total = math.log(value)
        except ValueError:
            self.log_total = NAN      # jieba's calc raises; so does ours, when it is used
        self.version += 1

    def load_dict_file_data(self, const unsigned char[::1] data):
        """Parse the bytes of a jieba dictionary file as jieba's gen_pfdict
        does, into an empty Dictionary (total included), and return True;
        return False, leaving it empty, when a line is not the plain
        ``word freq [tag]`` this parser takes (the caller then runs jieba's
        own parse, which gives the same result or jieba's error)."""
        cdef int64_t total = 0
        cdef int r
        self._check_empty("load_dict_file_data")
        self.version += 1
        self._frozen = None
        r = parse_dict(&self.trie, &data[0] if data.shape[0] else NULL, data.shape[0], &total)
        if r != 0:
            trie_free(&self.trie)
            if trie_init(&self.trie, True) != 0 or r < 0:
                raise MemoryError()
            return False
        self.total = total
        return True

    def load_freq(self, dict freq not None):
        """Set ``FREQ[word] = f`` for every item of a jieba ``FREQ`` dict
        (prefixes must be in it too, as jieba keeps them)."""
        cdef Py_ssize_t n
        cdef Py_UCS4* buf
        cdef int32_t node
        cdef int64_t f
        try:
            for word, value in freq.items():
                if type(word) is not str:
                    raise TypeError(f"dictionary word must be a str, not {type(word).__name__}: {word!r}")
                f = as_freq(value, word)
                buf = to_ucs4(word, &n)
                node = trie_path(&self.trie, buf, n, False)
                fc_free(buf)
                if node < 0:
                    raise MemoryError()
                self.trie.freq[node] = f
        finally:
            # after the loop: code it ran (a frequency's __int__, a finalizer,
            # another thread let in) may have begun a reading, which froze
            # the words loaded until then
            self.version += 1
            self._frozen = None

    def add_word(self, str word not None, freq):
        """jieba's ``add_word`` on FREQ/total: ``FREQ[word] = freq``,
        ``total += freq``, prefixes not in FREQ enter it with 0."""
        cdef Py_ssize_t n
        cdef Py_UCS4* buf
        cdef int32_t node
        cdef int64_t f = as_freq(freq, word)
        cdef int32_t r = 0, m = 0
        cdef Py_ssize_t i
        cdef FrozenTrie* frozen
        new_total = self._total + f
        buf = to_ucs4(word, &n)
        try:
            frozen = self._frozen_to_change()
            node = trie_path(&self.trie, buf, n, True)
            if node < 0:
                raise MemoryError()
            self.trie.freq[node] = f
            if frozen != NULL:
                # bring the frozen trie along, node by node of the word
                frozen_set_freq(frozen, 0, self.trie.freq[0])
                for i in range(n):
                    m = trie_child(&self.trie, m, buf[i])
                    r = frozen_add_child(frozen, r, buf[i], m)
                    if r < 0:
                        self._frozen = None
                        raise MemoryError()
                    frozen_set_freq(frozen, r, self.trie.freq[m])
        finally:
            fc_free(buf)
        self.total = new_total

    cdef int32_t _record_in_freq(self, str word) except -2:
        """The frozen record of a word of FREQ, or -1."""
        cdef Py_ssize_t n
        cdef Py_UCS4* buf
        cdef int32_t r
        self._freeze()
        buf = to_ucs4(word, &n)
        r = frozen_find(&self._frozen.trie, buf, n)
        fc_free(buf)
        if r < 0 or not (self._frozen.trie.records[r].packed & IN_FREQ):
            return -1
        return r

    def get(self, str word not None, default=None):
        """``FREQ.get(word, default)``."""
        cdef int32_t r = self._record_in_freq(word)
        if r < 0:
            return default
        return self.trie.freq[self._frozen.trie.node[r]]

    def __contains__(self, word):
        return type(word) is str and self.get(word) is not None

    def words(self):
        """The strings of FREQ (words and prefixes), in node order."""
        cdef Py_ssize_t k = 0
        while k < self.trie.n_nodes:
            if self.trie.freq[k] != ABSENT:
                yield self.node_word(k)
            k += 1

    def dag(self, str sentence not None):
        """jieba's ``get_DAG``: ``{k: [i, ...]}``, the ends of the words of
        FREQ (non-zero frequency) that start at k, or ``[k]``."""
        cdef Py_ssize_t n, k, i
        cdef Py_UCS4* text
        cdef int32_t r
        cdef Snapshot snapshot = self.read_begin()    # list appends may run Python code
        cdef const FrozenTrie* z = &snapshot._frozen.trie
        cdef dict result = {}
        cdef list ends
        text = to_ucs4(sentence, &n)
        try:
            for k in range(n):
                ends = []
                i = k
                r = frozen_child(z, 0, text[k])
                while r >= 0 and z.records[r].packed & IN_FREQ:
                    if z.records[r].packed & IS_WORD:
                        ends.append(i)
                    i += 1
                    if i >= n:
                        break
                    r = frozen_child_of(z, r, text[i])
                result[k] = ends if ends else [k]
            return result
        finally:
            fc_free(text)

    def __len__(self):
        """Number of entries in FREQ (words and prefixes)."""
        cdef Py_ssize_t k, c = 0
        for k in range(self.trie.n_nodes):
            if self.trie.freq[k] != ABSENT:
                c += 1
        return c

    def can_raise(self):
        """True when a segmentation (other than full mode) may raise
        ValueError as jieba's calc would: a total or a word frequency that
        is not positive."""
        cdef Py_ssize_t k
        # a scan of every node: once per version, not per feed
        if self._can_raise_version != self.version:
            self._can_raise = self.log_total != self.log_total
            k = 0
            while not self._can_raise and k < self.trie.n_nodes:
                self._can_raise = self.trie.freq[k] < 0 and self.trie.freq[k] != ABSENT
                k += 1
            self._can_raise_version = self.version
        return self._can_raise

    @property
    def n_nodes(self):
        """Trie nodes: ids ``0 .. n_nodes - 1`` (node 0 is the empty string)."""
        return self.trie.n_nodes

    @property
    def nbytes(self):
        """Bytes of memory the dictionary holds."""
        cdef Py_ssize_t b = self.trie.capacity * 16
        cdef FrozenTrie* z
        if self.trie.edges != NULL:
            b += (self.trie.mask + 1) * sizeof(TrieEdge)
        if self.trie.root != NULL:
            b += ROOT_SPAN * sizeof(int32_t)
        if self._frozen is not None:
            z = &self._frozen.trie
            b += (z.capacity * (sizeof(FrozenRecord) + sizeof(int32_t)) + ROOT_SPAN * sizeof(int32_t)
                  + (z.edge_mask + 1) * sizeof(TrieEdge))
        return b

    def node_word(self, Py_ssize_t node):
        """The string of a trie node."""
        if not 0 <= node < self.trie.n_nodes:
            raise IndexError(f"no trie node {node}")
        cdef Py_ssize_t n = trie_node_chars(&self.trie, <int32_t>node, NULL, 0)
        cdef Py_UCS4* buf = <Py_UCS4*>fc_alloc(n + 1, sizeof(Py_UCS4))
        if buf == NULL:
            raise MemoryError()
        trie_node_chars(&self.trie, <int32_t>node, buf, n)
        try:
            return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n)
        finally:
            fc_free(buf)

    def cut(self, str sentence not None, bint cut_all=False, bint HMM=True, bint search=False):
        """The tokens of jieba's ``cut`` (or ``cut_for_search`` when search)
        as a list."""
        cdef CutContext local
        cdef CutContext* ctx
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(sentence)
        cdef int error
        cdef Snapshot snapshot
        if n <= SHORT_TEXT and not self._short_context_busy:
            # Short texts keep the GIL and reuse one set of buffers (a call
            # re-entered from a finalizer takes the other branch). Nothing
            # can change the words while the GIL is held.
            self._sync_force_split()
            self._freeze()
            ctx = &self._short_context
            self._short_context_busy = True
            ctx.n_tokens = 0
            ctx.n_aux = 0
            ctx.error = 0
            ctx.frozen = &self._frozen.trie
            ctx.force_split = &self._force_split.trie if self._force_split is not None else NULL
            ctx.log_total = self.log_total
            PyUnicode_AsUCS4(sentence, self._short_text, SHORT_TEXT + 1, 0)
            ctx.text = self._short_text
            ctx.length = n
            try:
                error = cut_text(ctx, cut_all, HMM, search)
                if error:
                    raise_cut_error(error)
                return tokens_to_list(ctx, sentence)
            finally:
                self._short_context_busy = False
                if ctx.cap_tokens > 4096 or ctx.cap_route > 4096:
                    cut_context_free(ctx)      # do not keep a rare big batch's memory
        snapshot = self.read_begin()
        ctx = &local
        cut_context_init(ctx, NULL, NULL, 0.0)
        snapshot.fill(ctx)
        ctx.text = to_ucs4(sentence, &n)
        ctx.length = n
        try:
            with nogil:
                error = cut_text(ctx, cut_all, HMM, search)
            if error:
                raise_cut_error(error)
            return tokens_to_list(ctx, sentence)
        finally:
            fc_free(<void*>ctx.text)
            cut_context_free(ctx)

    def dumps(self):
        """The trie and ``total`` as bytes (for a cache file or a pickle)."""
        cdef Py_ssize_t n = self.trie.n_nodes
        cdef bytes total = str(self._total).encode("ascii")
        cdef int32_t total_len = len(total)
        cdef bytearray out = bytearray(16 + n * 16 + total_len)
        cdef unsigned char* p = out
        memcpy(p, <const char*>DUMPS_MAGIC, 8)
        memcpy(p + 8, &self.trie.n_nodes, 4)
        memcpy(p + 12, &total_len, 4)
        memcpy(p + 16, self.trie.parent, n * 4)
        memcpy(p + 16 + n * 4, self.trie.code, n * 4)
        memcpy(p + 16 + n * 8, self.trie.freq, n * 8)
        memcpy(p + 16 + n * 16, <const char*>total, total_len)
        return bytes(out)

    def loads(self, const unsigned char[::1] data):
        """Fill an empty dictionary from ``dumps()`` output; ValueError when
        the data is not such output (every length, index and code point is
        checked before it is used)."""
        cdef int32_t n, total_len, k
        cdef Py_ssize_t size = data.shape[0]
        cdef const unsigned char* p
        self._check_empty("loads")
        if size < 16 or bytes(data[:8]) != DUMPS_MAGIC:
            raise ValueError("not a fastcount dictionary cache")
        memcpy(&n, &data[8], 4)
        memcpy(&total_len, &data[12], 4)
        if not (1 <= n <= MAX_TRIE_NODES and 1 <= total_len <= 4096
                and size == 16 + <Py_ssize_t>n * 16 + total_len):
            raise ValueError("truncated fastcount dictionary cache")
        try:
            total = int(bytes(data[size - total_len:]))
        except ValueError:
            raise ValueError("corrupt fastcount dictionary cache (total)") from None
        p = &data[0]
        self.version += 1
        self._frozen = None
        if trie_reserve(&self.trie, n) != 0:
            raise MemoryError()
        # the arrays go straight in; the edges are built only when needed
        memcpy(self.trie.parent, p + 16, n * 4)
        memcpy(self.trie.code, p + 16 + n * 4, n * 4)
        memcpy(self.trie.freq, p + 16 + n * 8, n * 8)
        self.trie.n_nodes = n
        trie_drop_edges(&self.trie)
        try:
            if self.trie.parent[0] != -1:
                raise ValueError("corrupt fastcount dictionary cache (root)")
            for k in range(1, n):
                if not 0 <= self.trie.parent[k] < k or not 0 <= self.trie.code[k] < 0x110000:
                    raise ValueError(f"corrupt fastcount dictionary cache (node {k})")
            self._freeze()
        except BaseException:
            # back to an empty dictionary
            trie_free(&self.trie)
            self._frozen = None
            if trie_init(&self.trie, True) != 0:
                raise MemoryError()
            raise
        self.total = total
