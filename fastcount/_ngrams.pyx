# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""NgramTable: exact n-gram counts of text, in bounded memory.

One job: cut texts into n-grams and count them in a table
(``_ngram_table``); when the table would outgrow its memory limit, write it
out as a sorted run and start again (:mod:`fastcount._ngram_merge` merges
the runs and tables into the final counts).

An n-gram is ``lo..hi`` consecutive units: characters (``feed_texts``,
``feed_utf8``) or tokens (``feed_tokens``; the tokens joined by one space).
Units never join across a text boundary or a *break*: whitespace
(``str.isspace``) and, unless ``keep_punct``, punctuation (Unicode
categories P*); a token is a break when it is empty or made only of break
characters. Breaks are not counted themselves. An n-gram's key is its exact
UTF-8 (surrogatepass), never a hash.

Memory: the table's arrays stay within ``limit``, counting the moment an
array grows (the old and the new one both held); a spill sorts in place.
The fixed overhead on top is the text being counted, the unigram map of a
character table counting unigrams (256 KiB) and, while spilling, a 1 MiB
write buffer.
"""

import os

import numpy as np

from cpython.unicode cimport PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND
from libc.errno cimport EINVAL, ENOMEM, EOVERFLOW
from libc.stdint cimport INT64_MAX, int32_t, int64_t, uint32_t, uint64_t
from libc.string cimport memcpy, memset

from fastcount._ngram_table cimport (NgProbe, ng_adoptable, ng_clear_sorted, ng_fit, ng_free,
                                     ng_hash, ng_held, ng_insert, ng_intern_into, ng_lookup,
                                     ng_peak_after_insert, ng_peek_key, ng_peek_slot, ng_sort,
                                     ng_to_vocab, ng_write_run)
from fastcount._ngram_text cimport ng_break_bits, ng_code_point, ng_encode_str, ng_is_set
from fastcount._native cimport (fc_add_overflows, fc_alloc, fc_calloc, fc_free, fc_grow,
                               fc_grown_capacity, fc_prefetch, fc_utf8_invalid_at,
                               fc_utf8_next_valid)
from fastcount._vocab cimport Vocab, fc_vocab_reserve, fc_vocab_word
from fastcount._vocab_table cimport fc_hash_seed


cdef enum:
    # NgramTable.err after abort() (errno values are positive)
    ERR_ABORTED = -1
    # The longest n-gram order: the window of unit starts is a small ring.
    MAX_ORDER = 255
    WINDOW = 256
    # Word mode drops the bytes of units that no n-gram can reach again
    # once the buffer holds this much.
    COMPACT_AT = 1 << 16
    # The lookup pipeline of _count_utf8: an n-gram is counted AHEAD n-grams
    # after it was hashed; its slot is read STAGE2 n-grams after, its bytes
    # prefetched STAGE3 after.
    AHEAD = 32
    STAGE2 = 12
    STAGE3 = 22
    # The unigram map covers the BMP: nearly every character of real text.
    UNI_CODE_POINTS = 0x10000
    # entries handed to ng_intern_into at a time (each call reserves room
    # for its batch in the Vocab)
    INTERN_BATCH = 4096

#: Largest order ``hi`` a table accepts.
MAX_N = MAX_ORDER


# ---------------------------------------------------------------- counting

cdef inline int _count_pending(NgramTable self, Pending* p, bint checked,
                               int64_t* counted) noexcept nogil:
    """The last stage: count p's n-gram once (checked: by _add); -1 with
    self.err. A unigram's id goes into the unigram map."""
    cdef int64_t i
    if checked:
        return self._add(p.key, p.n, p.h, &p.probe, p.guess, 1)
    i = ng_lookup(&self.t, p.key, p.n, p.h, &p.probe, p.guess)
    if i >= 0:
        self.t.ents[i].count += 1
    else:
        i = self._insert(p.key, p.n, p.h, 1)
        if i < 0:
            return -1
    counted[0] += 1
    if p.cp >= 0:
        self.uni[p.cp] = <uint32_t>(i + 1)
    return 0


cdef int _count_chars(NgramTable self, const unsigned char* s, Py_ssize_t size, bint checked,
                      int64_t* counted) noexcept nogil:
    """NgramTable._count_utf8; unless checked, the counts and the total
    need no overflow check, and counted gets the n-grams counted.

    The lookups of consecutive n-grams do not depend on each other, and a
    big table is far beyond the caches: so each n-gram goes through a
    pipeline AHEAD n-grams long (hash it and prefetch its slot; read the
    slot and prefetch its entry; prefetch a long key's bytes; count it),
    each stage's memory prefetched by the one before. The ids given are
    those of counting in order. A unigram whose id is known (the map) is
    counted at once instead: that gives no id, and moves no count across a
    spill that the sums would not undo."""
    cdef Py_ssize_t pos = 0, start, end
    cdef int64_t k = 0  # characters in the current run
    cdef int64_t made = 0, done = 0  # n-grams that entered / left the pipeline
    cdef int n, first, top, lo = self.lo, hi = self.hi
    cdef uint32_t cp, id1
    cdef Py_ssize_t* win = self.win
    cdef const unsigned char* breaks = self.breaks
    cdef uint32_t* uni = NULL if checked else self.uni   # set only when lo == 1
    cdef Pending ring[AHEAD]
    cdef Pending* p
    cdef Pending* q
    while pos < size:
        start = pos
        cp = fc_utf8_next_valid(s, &pos)
        if ng_is_set(breaks, cp):
            if cp == 10 and self.aborted:
                self.err = ERR_ABORTED
                return -1
            k = 0
            continue
        win[k & (WINDOW - 1)] = start
        k += 1
        top = hi if k >= hi else <int>k
        first = lo
        if uni != NULL and cp < UNI_CODE_POINTS:
            id1 = uni[cp]
            if id1 != 0:
                self.t.ents[id1 - 1].count += 1
                counted[0] += 1
                first = 2
        for n in range(first, top + 1):
            if made - done == AHEAD:
                if _count_pending(self, &ring[done & (AHEAD - 1)], checked, counted) < 0:
                    return -1
                done += 1
            end = win[(k - n) & (WINDOW - 1)]
            p = &ring[made & (AHEAD - 1)]
            p.key = s + end
            p.n = pos - end
            p.h = ng_hash(&self.t, p.key, p.n, &p.probe)
            p.guess = -1
            p.cp = <int32_t>cp if n == 1 and uni != NULL and cp < UNI_CODE_POINTS else -1
            if self.t.slots != NULL:
                fc_prefetch(&self.t.slots[p.h & self.t.mask])
            made += 1
            if made - done > STAGE2:
                q = &ring[(made - 1 - STAGE2) & (AHEAD - 1)]
                q.guess = ng_peek_slot(&self.t, q.h)
            if made - done > STAGE3:
                q = &ring[(made - 1 - STAGE3) & (AHEAD - 1)]
                ng_peek_key(&self.t, q.guess, q.n)
    while done < made:  # the n-grams still in the pipeline, oldest first
        if _count_pending(self, &ring[done & (AHEAD - 1)], checked, counted) < 0:
            return -1
        done += 1
    return 0


cdef inline void _forget_ids(NgramTable self) noexcept nogil:
    """Empty the unigram map: the table's ids changed (emptied, sorted)."""
    if self.uni != NULL:
        memset(self.uni, 0, UNI_CODE_POINTS * sizeof(uint32_t))


# ---------------------------------------------------------------- the table

cdef class NgramTable:
    """Exact counts of the n-grams of orders ``lo..hi`` of the texts fed: a
    chunk counter of :func:`fastcount.count_ngrams`.

    ``unit="char"``: n-grams of characters. ``unit="word"``: n-grams of the
    tokens ``tokenize(text)`` gives (a callable ``str -> iterable of str``,
    or ``feed_tokens`` with the tokens), joined by one space.
    ``keep_punct``: punctuation is an ordinary character (or token) instead
    of a break. ``limit``: bytes the table may hold (0: no limit); when it
    would hold more, it sorts its n-grams into a run file ``spill_prefix +
    "-NNNNNN.run"`` (a path in a directory of the caller's, who removes the
    files; see :attr:`runs`) and starts again; without ``spill_prefix`` it
    never spills. ``finish()`` sorts what is in memory, for
    :class:`fastcount._ngram_merge.Merge`.

    Not thread-safe, but safe to misuse: a call while another thread is
    inside one (the counting runs without the GIL) raises RuntimeError.
    After a failed spill, or out of memory, the table refuses further calls.
    """

    def __cinit__(self):
        self.run_paths = []
        self.run_indexes = []

    def __init__(self, int lo, int hi, str unit="char", *, tokenize=None, bint keep_punct=False,
                 int64_t limit=0, spill_prefix=None):
        if not 1 <= lo <= hi <= MAX_ORDER:
            raise ValueError(f"n-gram orders must satisfy 1 <= lo <= hi <= {MAX_ORDER}, "
                             f"got lo={lo}, hi={hi}")
        if unit not in ("char", "word"):
            raise ValueError(f"unit must be 'char' or 'word', got {unit!r}")
        if tokenize is not None and unit != "word":
            raise ValueError("tokenize applies to unit='word' only")
        if limit < 0:
            raise ValueError(f"limit must be >= 0 bytes, got {limit}")
        if self.win != NULL:
            raise RuntimeError("NgramTable.__init__ called twice")
        self.t.seed = fc_hash_seed()
        self.lo = lo
        self.hi = hi
        self.word_mode = unit == "word"
        self.tokenize = tokenize
        self.keep_punct = keep_punct
        self.breaks = ng_break_bits(keep_punct)
        self.limit = limit
        self.spill_prefix = os.fsencode(spill_prefix) if spill_prefix is not None else None
        self.can_spill = self.spill_prefix is not None
        self.win = <Py_ssize_t*>fc_alloc(WINDOW, sizeof(Py_ssize_t))
        if self.win == NULL:
            raise MemoryError()
        if lo == 1 and not self.word_mode:
            self.uni = <uint32_t*>fc_calloc(UNI_CODE_POINTS, sizeof(uint32_t))
            if self.uni == NULL:
                raise MemoryError()

    def __dealloc__(self):
        ng_free(&self.t)
        fc_free(self.buf)
        fc_free(self.win)
        fc_free(self.uni)
        fc_free(self.ords)

    # ------------------------------------------------------------ state

    cdef int _check(self, bint feeding) except -1:
        if self.win == NULL:
            raise RuntimeError("NgramTable.__init__ was not called")
        if self.busy:
            raise RuntimeError("this n-gram table is busy in another thread")
        if self.broken:
            raise RuntimeError("this n-gram table failed earlier (see that error); "
                               "its counts are incomplete")
        if feeding and self.finished:
            raise RuntimeError("this n-gram table is finished: it takes no more text")
        return 0

    cdef int _check_unordered(self) except -1:
        # an ordered table's first sights are offsets in count_lines' text:
        # n-grams counted from any other text would get meaningless ones
        if self.ordered:
            raise ValueError("this n-gram table records first sights (record_order): "
                             "its text must come through fastcount._ngram_split.count_lines")
        return 0

    cdef int _raise_err(self) except -1:
        cdef int e = self.err
        self.broken = True
        if e == ENOMEM:
            raise MemoryError("out of memory while counting n-grams")
        if e == EOVERFLOW:
            raise OverflowError("an n-gram's count leaves int64")
        if e == ERR_ABORTED:
            raise RuntimeError("this n-gram table was aborted")
        directory = os.path.dirname(os.fsdecode(self.spill_prefix)) if self.spill_prefix else "?"
        raise OSError(e, f"cannot write an n-gram run in {directory}: {os.strerror(e)} "
                         "(free space there, or give another directory: tmpdir=, --tmpdir)",
                      directory)

    cdef int _add(self, const unsigned char* key, Py_ssize_t n, uint64_t h, const NgProbe* p,
                  int64_t guess, int64_t c) noexcept nogil:
        """Count an n-gram (key[0:n], h and p its ng_hash, guess as for
        ng_lookup) c more times; -1 with self.err."""
        cdef int64_t i = ng_lookup(&self.t, key, n, h, p, guess)
        if fc_add_overflows(self.ntotal, c, &self.ntotal):
            self.err = EOVERFLOW
            return -1
        if i >= 0:
            if fc_add_overflows(self.t.ents[i].count, c, &self.t.ents[i].count):
                self.err = EOVERFLOW
                return -1
            return 0
        return 0 if self._insert(key, n, h, c) >= 0 else -1

    cdef int64_t _insert(self, const unsigned char* key, Py_ssize_t n, uint64_t h,
                         int64_t c) noexcept nogil:
        """Add the n-gram key[0:n] (h its ng_hash), not in the table, with
        count c, spilling first if it would not fit; its id, or -1 with
        self.err."""
        cdef int64_t i
        if (self.limit > 0 and self.can_spill and self.t.n > 0
                and ng_peak_after_insert(&self.t, n) + self._ords_peak() > self.limit):
            if self._spill() < 0:
                return -1
        i = ng_insert(&self.t, key, n, h)
        if i < 0:
            self.err = ENOMEM
            return -1
        self.t.ents[i].count = c
        if self.ordered and self._note_order(i, key + n, n) < 0:
            return -1
        return i

    cdef int _note_order(self, int64_t i, const unsigned char* end, Py_ssize_t n) noexcept nogil:
        """Record new entry i's first sight (see ords in _ngrams.pxd): its
        order is its length among the n-grams that end where it ends."""
        if fc_grow(<void**>&self.ords, &self.ords_cap, i + 1, sizeof(int64_t), 2) < 0:
            self.err = ENOMEM
            return -1
        self.ords[i] = ((self.ord_base + (end - self.ord_s0)) << 12) | n
        return 0

    cdef int64_t _ords_peak(self) noexcept nogil:
        """Bytes the ordinals would hold while one more is added (old and new array)."""
        if not self.ordered:
            return 0
        if self.t.n + 1 <= self.ords_cap:
            return self.ords_cap * <int64_t>sizeof(int64_t)
        return ((self.ords_cap + fc_grown_capacity(self.ords_cap, self.t.n + 1, 2))
                * <int64_t>sizeof(int64_t))

    cdef int _spill(self) noexcept nogil:
        """Write the table as the next run, then empty it (its arrays kept)."""
        cdef char path[4096]
        cdef int failed = 0, e = 0
        cdef bint first
        cdef unsigned char* index = NULL
        cdef Py_ssize_t index_len = 0
        if self.aborted:  # its directory may be going: write nothing more there
            self.err = ERR_ABORTED
            return -1
        # the run's name is recorded first, so that the caller removes a
        # partial file too
        with gil:
            try:
                name = self.spill_prefix + b"-%06d.run" % len(self.run_paths)
                self.run_paths.append(os.fsdecode(name))
                e = EINVAL if len(name) >= <Py_ssize_t>sizeof(path) else 0
                if not e:
                    memcpy(path, <char*>name, len(name) + 1)
            except BaseException:   # no room for the name: this function cannot raise
                e = ENOMEM
        if e:
            self.err = e
            return -1
        ng_sort(&self.t)
        if ng_write_run(&self.t, path, &e, &index, &index_len) < 0:
            self.err = e
            return -1
        # one index per run, or the table is broken: Merge pairs them by position
        with gil:
            try:
                self.run_indexes.append((<char*>index)[:index_len] if index_len else b"")
            except BaseException:
                failed = 1
            finally:
                fc_free(index)
        if failed:
            self.err = ENOMEM
            return -1
        if self.ordered:  # a table that spilled is merged by key: no use for them
            fc_free(self.ords)
            self.ords = NULL
            self.ords_cap = 0
            self.ordered = False
        first = self.nspilled == 0
        self.nspilled += self.t.n
        if first:  # from now on, refill the whole limit before each spill
            ng_fit(&self.t, self.limit)
        else:
            ng_clear_sorted(&self.t)
        _forget_ids(self)
        return 0

    # ------------------------------------------------------------ counting

    cdef int _count_utf8(self, const unsigned char* s, Py_ssize_t size) noexcept nogil:
        """Count the character n-grams of s[0:size] (valid UTF-8, surrogatepass).

        A feed makes at most (size x orders) n-grams: when the total cannot
        leave int64 by that many (then no count can, as none exceeds the
        total), they are counted without a check each."""
        cdef int64_t most, counted = 0
        cdef int orders = self.hi - self.lo + 1
        cdef bint checked = (size > INT64_MAX // orders
                             or fc_add_overflows(self.ntotal, size * orders, &most))
        cdef int r = _count_chars(self, s, size, checked, &counted)
        self.ntotal += counted
        return r

    def feed(self, texts):
        """Count the n-grams of every str of ``texts`` (a sequence); return
        their size in UTF-8 bytes (lone surrogates as 3 bytes), or None for
        word n-grams (their texts are not measured)."""
        cdef Py_ssize_t i, ntext, room = 0, size = 0
        cdef int failed
        self._check(True)
        self._check_unordered()
        texts = tuple(texts)
        ntext = len(texts)
        for i in range(ntext):
            t = texts[i]
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")
            room += 4 * PyUnicode_GET_LENGTH(t) + 1
        if self.word_mode:
            if self.tokenize is None:
                raise TypeError("this word n-gram table has no tokenizer: use feed_tokens")
            self.feed_tokens([self.tokenize(t) for t in texts])
            return None
        if fc_grow(<void**>&self.buf, &self.buf_cap, room, 1, 0) < 0:
            raise MemoryError()
        for i in range(ntext):
            size += ng_encode_str(texts[i], self.buf + size, room - size)
            self.buf[size] = 10  # a line end: a break between texts
            size += 1
        self.busy = True
        try:
            with nogil:
                failed = self._count_utf8(self.buf, size)
        finally:
            self.busy = False
        self.ntexts += ntext
        if failed:
            self._raise_err()
        return size - ntext

    def feed_utf8(self, bytes data not None):
        """Count the character n-grams of the lines of ``data`` (UTF-8 bytes of
        whole lines, as in :class:`fastcount.io.Block`), without the GIL and
        without a str per line; return the number of lines, or -1, counting
        nothing, when ``data`` is not strict UTF-8 (for Python to decode it
        and report the error)."""
        cdef const unsigned char* p = <const unsigned char*>(<char*>data)
        cdef Py_ssize_t n = len(data), i, lines = 0
        cdef int failed = 0
        cdef bint valid
        self._check(True)
        self._check_unordered()
        if self.word_mode:
            raise TypeError("a word n-gram table takes texts (feed) or tokens (feed_tokens)")
        if n == 0:
            return 0
        self.busy = True
        try:
            with nogil:
                valid = fc_utf8_invalid_at(p, n, False) < 0
                if valid:
                    for i in range(n):
                        lines += p[i] == 10
                    lines += p[n - 1] != 10
                    failed = self._count_utf8(p, n)
        finally:
            self.busy = False
        if not valid:
            return -1
        self.ntexts += lines
        if failed:
            self._raise_err()
        return lines

    def feed_block(self, block):
        """Count the lines of a :class:`fastcount.io.Block` as ``feed(block.texts())``
        would: character n-grams of strict UTF-8 without a str per line (the
        number of lines); -1, counting nothing, for a block to decode in
        Python instead (another encoding or error handler, a JSON field, bytes
        that are not UTF-8, word n-grams)."""
        if self.word_mode or block.encoding != "utf-8" or block.field is not None:
            return -1
        return self.feed_utf8(block.data)

    cdef bint _is_break_token(self, str token) noexcept:
        cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(token)
        cdef int kind = PyUnicode_KIND(token)
        cdef const void* data = PyUnicode_DATA(token)
        for i in range(n):
            if not ng_is_set(self.breaks, ng_code_point(kind, data, i)):
                return False
        return True

    def feed_tokens(self, docs):
        """Count the word n-grams of ``docs``: an iterable of token iterables,
        one per text (a token is a str). Raises TypeError for a token that
        is no str and ValueError for a counted token holding a space (the
        space joins the tokens of an n-gram), counting nothing of the batch."""
        cdef Py_ssize_t d, i, size, need, first
        cdef int64_t k
        cdef uint64_t h
        cdef NgProbe probe
        cdef int m, top, failed = 0
        self._check(True)
        if not self.word_mode:
            raise TypeError("a character n-gram table takes texts, not tokens")
        docs = [list(tokens) for tokens in docs]
        for d in range(len(docs)):
            for i, token in enumerate(docs[d]):
                if not isinstance(token, str):
                    raise TypeError(f"token {i} of text {d} is {type(token).__name__}, not str")
                if self.hi > 1 and " " in token and not self._is_break_token(token):
                    raise ValueError(
                        f"token {i} of text {d} ({token!r}) holds a space, which joins the "
                        "tokens of a word n-gram: use a tokenizer that splits at spaces")
        self.busy = True  # the GIL is held throughout, but a spill may run Python code
        try:
            for tokens in docs:
                k = 0
                size = 0
                for token in tokens:
                    if self._is_break_token(token):
                        k = 0
                        size = 0
                        continue
                    if k >= self.hi and size > COMPACT_AT:
                        # keep only the tokens the next n-grams can still reach
                        first = self.win[(k - self.hi + 1) & (WINDOW - 1)] if self.hi > 1 else size
                        memcpy(self.buf, self.buf + first, size - first)
                        size -= first
                        for m in range(1, self.hi):
                            self.win[(k - m) & (WINDOW - 1)] -= first
                    need = size + 4 * PyUnicode_GET_LENGTH(token) + 1
                    if fc_grow(<void**>&self.buf, &self.buf_cap, need, 1, 0) < 0:
                        self.err = ENOMEM
                        failed = 1
                        break
                    self.win[k & (WINDOW - 1)] = size
                    k += 1
                    size += ng_encode_str(token, self.buf + size, self.buf_cap - size)
                    top = self.hi if k >= self.hi else <int>k
                    for m in range(self.lo, top + 1):
                        first = self.win[(k - m) & (WINDOW - 1)]
                        h = ng_hash(&self.t, self.buf + first, size - first, &probe)
                        if self._add(self.buf + first, size - first, h, &probe, -1, 1) < 0:
                            failed = 1
                            break
                    if failed:
                        break
                    self.buf[size] = 32  # the space before the next token
                    size += 1
                if failed:
                    break
                self.ntexts += 1
        finally:
            self.busy = False
        if failed:
            self._raise_err()

    def add_counts(self, Vocab vocab not None, counts):
        """Count every word of ``vocab`` ``counts[id]`` times, as an n-gram
        (not cut into n-grams again; of any order): to merge n-gram counts
        made elsewhere. ``counts``: int64, one per word, none negative."""
        cdef const int64_t[::1] cv = np.ascontiguousarray(counts, dtype=np.int64)
        cdef int64_t i
        cdef Py_ssize_t m
        cdef const char* key
        cdef uint64_t h
        cdef NgProbe probe
        cdef int failed = 0
        self._check(True)
        self._check_unordered()
        if cv.shape[0] != len(vocab):
            raise ValueError(f"{len(vocab)} words but {cv.shape[0]} counts")
        if cv.shape[0] and np.min(counts) < 0:
            raise ValueError("counts must not be negative")
        # with the GIL: no other thread can move the Vocab's bytes meanwhile
        self.busy = True
        try:
            for i in range(cv.shape[0]):
                key = fc_vocab_word(&vocab.table, i, &m)
                if cv[i] > 0:
                    h = ng_hash(&self.t, <const unsigned char*>key, m, &probe)
                    if self._add(<const unsigned char*>key, m, h, &probe, -1, cv[i]) < 0:
                        failed = 1
                        break
        finally:
            self.busy = False
        if failed:
            self._raise_err()

    def abort(self):
        """Make the counting stop soon (at the next line end or spill, with
        RuntimeError), and write no more runs; callable from any thread,
        while the table counts. For a caller that removes the runs' directory."""
        self.aborted = True

    @property
    def busy(self):
        """True while a call counts, spills or sorts (in some thread)."""
        return self.busy

    # ------------------------------------------------------------ results

    def spill(self):
        """Write what is in memory as a run now (tests force spills with it)."""
        cdef int failed
        self._check(True)
        if not self.can_spill:
            raise ValueError("this table has no spill_prefix: it cannot spill")
        if self.t.n == 0:
            return
        self.busy = True
        try:
            with nogil:
                failed = self._spill()
        finally:
            self.busy = False
        if failed:
            self._raise_err()

    def finish(self):
        """Sort the n-grams held in memory into byte order, for the merge (ids
        are gone then: :meth:`vocab_result` first); no more feeding after."""
        self._check(False)
        if self.finished:
            return
        self.busy = True
        try:
            with nogil:
                ng_sort(&self.t)
        finally:
            self.busy = False
        _forget_ids(self)
        self.finished = True

    cdef object _vocab(self, bint take=False):
        """The n-grams in memory as a new Vocab (in entry order) and their counts."""
        return _first_sight([self], [(0, 0, self.t.n)], take)

    def vocab_result(self, *, bint take=False):
        """``(vocab, counts)``: the n-grams in memory as a new
        :class:`fastcount.Vocab` (ids in order of first sight) and their
        int64 counts by id; the table is unchanged, or with ``take`` empty
        (its memory freed, its hash slots handed to the Vocab: for a count
        that is done). Only for a table that never spilled (else its runs
        hold the rest) and is not finished."""
        cdef uint64_t seed = self.t.seed
        self._check(False)
        if self.finished:
            raise RuntimeError("this n-gram table is finished: its ids are gone")
        if self.run_paths:
            raise RuntimeError("this n-gram table spilled: merge its runs (finish, then Merge)")
        result = self._vocab(take)
        if take:
            ng_free(&self.t)
            self.t.seed = seed
            _forget_ids(self)
        return result

    def sorted_vocab(self):
        """``(vocab, counts)``: the n-grams in memory as a new Vocab in byte
        order and their counts (finishes the table first): a source of
        :class:`fastcount._ngram_merge.Merge` that pickles compactly."""
        self.finish()
        self._check(False)
        return self._vocab()

    @property
    def runs(self):
        """Paths of the runs written so far, in order."""
        return list(self.run_paths)

    @property
    def run_indexes(self):
        """The index of each run written so far (bytes, for
        :class:`fastcount._ngram_merge.Merge`'s ``indexes``), in order."""
        return list(self.run_indexes)

    @property
    def total(self):
        """N-grams counted (occurrences, spilled ones included)."""
        return self.ntotal

    @property
    def texts(self):
        """Texts (documents) counted."""
        return self.ntexts

    @property
    def spilled(self):
        """N-grams written to runs (each run's distinct n-grams, summed)."""
        return self.nspilled

    def seen(self):
        """Distinct n-grams in memory now (since the last spill)."""
        return self.t.n

    def memory(self):
        """Bytes the table's arrays hold now."""
        return ng_held(&self.t)

    @property
    def orders(self):
        """``(lo, hi)``."""
        return (self.lo, self.hi)



def first_sight_merge(tables, segments):
    """``(vocab, counts)``: the sum of the n-grams in memory of several
    :class:`NgramTable`, as one new :class:`fastcount.Vocab` and int64 counts
    by id, without a Vocab per table. ``segments``: ``(table index, start,
    end)`` ranges of the tables' ids, taken in order (an n-gram gets its id
    where it is first taken: fastcount.merge's first-sight segments). The
    tables are unchanged; each must be unfinished and must not have spilled."""
    tables = list(tables)
    segments = [(int(p), int(start), int(end)) for p, start, end in segments]
    for table in tables:
        if not isinstance(table, NgramTable):
            raise TypeError(f"expected NgramTable, got {type(table).__name__}")
        (<NgramTable>table)._check(False)
        if (<NgramTable>table).finished:
            raise RuntimeError("this n-gram table is finished: its ids are gone")
        if (<NgramTable>table).run_paths:
            raise RuntimeError("this n-gram table spilled: merge its runs (finish, then Merge)")
    for p, start, end in segments:
        if not (0 <= p < len(tables) and 0 <= start <= end <= (<NgramTable>tables[p]).t.n):
            raise ValueError(f"segment ({p}, {start}, {end}) is out of range")
    return _first_sight(tables, segments)


cdef object _first_sight(list tables, list segments, bint take=False):
    """first_sight_merge once checked: the tables are busy from before any
    Python code runs (numpy's allocation may, and another thread could then
    feed a table past the sizes read here) until the interning, which runs
    without the GIL, is done. take: one whole table's slots may be moved to
    the Vocab (see NgramTable.vocab_result)."""
    cdef Vocab out = Vocab()
    cdef NgramTable table
    cdef int64_t i, start, end, step, room = 0, nbytes = 0
    cdef int failed = 0
    cdef int64_t[::1] cv
    taken = []
    try:
        for table in tables:
            if table.busy:
                raise RuntimeError("this n-gram table is busy in another thread")
            table.busy = True
            taken.append(table)
        if len(segments) == 1:
            p, start, end = segments[0]
            table = tables[p]
            # a finished table's entries are sorted: its slots name them no more
            if start == 0 and end == table.t.n and not table.finished and ng_adoptable(&table.t):
                return _whole_table(table, take)
        for p, start, end in segments:
            table = tables[p]
            room += end - start
            for i in range(start, end):
                nbytes += table.t.ents[i].len
        # room for all at once: the Vocab's slots and bytes never move while it fills
        if fc_vocab_reserve(&out.table, room, nbytes) < 0:
            raise MemoryError()
        counts = np.zeros(room, dtype=np.int64)
        cv = counts
        for p, start, end in segments:
            table = tables[p]
            with nogil:
                while start < end and not failed:
                    step = min(end - start, INTERN_BATCH)
                    failed = ng_intern_into(&out.table, &table.t, start, start + step, &cv[0])
                    start += step
            if failed:
                break
    finally:
        for table in taken:
            table.busy = False
    if failed == -2:
        raise OverflowError("an n-gram's count leaves int64")
    if failed:
        raise MemoryError()
    return out, (counts if len(out) == room else counts[:len(out)].copy())


cdef object _whole_table(NgramTable table, bint take):
    """_first_sight of one whole table, which it holds busy: its keys copied
    and its slots copied (or with take moved), none interned."""
    cdef Vocab out = Vocab()
    cdef int failed
    cdef int64_t[::1] cv
    counts = np.empty(table.t.n, dtype=np.int64)
    cv = counts
    with nogil:
        failed = ng_to_vocab(&out.table, &table.t, &cv[0], take)
    if failed:
        raise MemoryError()
    return out, counts
