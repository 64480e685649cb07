# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The POS chunk counter: jieba.posseg's words counted in C, by (word, tag),
or by word with only chosen tags kept (the chunk-counter protocol of
``fastcount.count_words``).

It is the native jieba counter (``_count.ChunkCounter``: texts and blocks
taken the same way, no Python object per token, the GIL released) with the
POS cut (``_pos_cut``) in place of the plain one. A token counts under its
word's key (trie node, or ``-1 - vocab id``) times 2**20 plus its tag; the
result's words are ``word + "\\0" + tag`` (tags hold no NUL), which sort as
``(word, tag)`` tuples do.
"""
import os
import weakref

cimport cython
from cpython.pythread cimport (NOWAIT_LOCK, PyThread_acquire_lock, PyThread_allocate_lock,
                               PyThread_free_lock, PyThread_release_lock, PyThread_type_lock)
from libc.stdint cimport int32_t, int64_t, uint8_t
from libc.string cimport memcpy, memset

from fastcount._native cimport fc_alloc, fc_free, fc_grow
from fastcount._vocab cimport fc_vocab_word
from fastcount.segmenter._count cimport ChunkCounter, COUNT_NO_MEMORY, count_key, key_of
from fastcount.segmenter._dictionary cimport Snapshot
from fastcount.segmenter._pos_cut cimport (PosCutContext, PosReading, PosTagger, PosToken,
                                           POS_TOKEN_SPACE, RunCache, pos_cut_context_init,
                                           pos_cut_context_free, pos_cut_text, run_cache_free)
from fastcount.segmenter._pos_tags cimport POS_MAX_TAGS


def tag_matcher(patterns):
    """A predicate on tags for a POS filter: each pattern is a tag (``"n"``)
    or a prefix ending in ``*`` (``"n*"``: n, nr, ns, ...; ``"*"``: every
    tag). ``patterns``: an iterable of str or one comma-separated str.
    ValueError for an empty pattern."""
    if isinstance(patterns, str):
        patterns = patterns.split(",")
    exact, prefixes = set(), []
    for p in patterns:
        if not isinstance(p, str):
            raise TypeError(f"a POS filter is made of str tags, not {type(p).__name__}: {p!r}")
        p = p.strip()
        if not p:
            raise ValueError("a POS filter with an empty tag (give tags such as n,v,a*)")
        if p.endswith("*"):
            prefixes.append(p[:len(p) - 1])
        else:
            exact.add(p)
    prefixes = tuple(prefixes)
    return lambda tag: tag in exact or tag.startswith(prefixes)


cdef class SharedRuns:
    """The second level of the run caches of one tagger's chunk counters
    (``_pos_cut.hmm_cut``), in use while several are alive: threads counting
    parts of one corpus see the same runs, which the posseg HMM then cuts
    once, not once per thread. A lone counter's own cache sees every run."""
    cdef RunCache runs
    cdef PyThread_type_lock lock    # guards runs; NULL: no sharing
    cdef Py_ssize_t n_counters      # counters alive over it

    def __cinit__(self):
        self.lock = PyThread_allocate_lock()

    def __dealloc__(self):
        run_cache_free(&self.runs)
        if self.lock != NULL:
            PyThread_free_lock(self.lock)

    def _after_fork(self):
        # In a forked child, an empty cache. Another thread of the parent may
        # have held the lock, the cache half changed: then its memory and the
        # lock (held for good) are left alone, and a new lock is made.
        if self.lock != NULL and PyThread_acquire_lock(self.lock, NOWAIT_LOCK):
            run_cache_free(&self.runs)
            PyThread_release_lock(self.lock)
        else:
            memset(&self.runs, 0, sizeof(RunCache))
            self.lock = PyThread_allocate_lock()


#: tagger -> the SharedRuns of its counters
_shared_runs = weakref.WeakKeyDictionary()


def _reset_after_fork():
    for shared in list(_shared_runs.values()):
        shared._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


# tp_clear would drop `shared` before __dealloc__ gives its counter back
@cython.no_gc_clear
cdef class PosChunkCounter(ChunkCounter):
    """Counts jieba.posseg's words of many texts: ``feed(texts)`` /
    ``feed_block(block)``, then ``vocab_result()``.

    ``PosChunkCounter(tagger, hmm=True, keep_whitespace=False, with_tags=True,
    tags=None)`` with a :class:`fastcount.segmenter._pos_cut.PosTagger`.
    ``with_tags``: count by (word, tag), the result's words being
    ``word + "\\0" + tag``; else by word. ``tags``: a POS filter
    (:func:`tag_matcher`); only words with a matching tag count. The counts
    equal ``collections.Counter((p.word, p.flag) for t in texts for p in
    posseg.lcut(t, HMM=hmm) if not p.word.isspace())`` (filtered, or by word).
    """
    cdef PosTagger tagger
    cdef SharedRuns shared          # the tagger's counters' second run cache
    cdef PosCutContext pos          # the POS cut's buffers, kept from feed to feed
    cdef PosReading reading         # what the feed under way reads
    cdef bint with_tags
    cdef object matches             # the POS filter's predicate, or None
    cdef uint8_t* keep              # per tag index: counted? (NULL: every tag)
    cdef Py_ssize_t n_keep          # room in keep
    cdef Py_ssize_t n_keep_known    # tags the filter has answered for (tags only grow)
    cdef char* pair                 # the UTF-8 of word "\0" tag, for the result
    cdef Py_ssize_t cap_pair

    def __cinit__(self):
        pos_cut_context_init(&self.pos)

    def __init__(self, PosTagger tagger not None, bint hmm=True, bint keep_whitespace=False,
                 bint with_tags=True, tags=None):
        ChunkCounter.__init__(self, tagger.dictionary, hmm, False, keep_whitespace)
        if self.shared is not None:     # __init__ called again
            self.shared.n_counters -= 1
        self.tagger = tagger
        shared = _shared_runs.get(tagger)
        if shared is None:
            shared = _shared_runs.setdefault(tagger, SharedRuns())   # one per tagger, even from threads
        self.shared = shared
        self.shared.n_counters += 1
        self.with_tags = with_tags
        self.matches = None if tags is None else tag_matcher(tags)

    def __dealloc__(self):
        if self.shared is not None:
            self.shared.n_counters -= 1
        pos_cut_context_free(&self.pos)
        fc_free(self.keep)
        fc_free(self.pair)

    cdef Snapshot _read_begin(self):
        cdef Py_ssize_t i, n
        cdef list names
        self.reading = self.tagger.read_begin()
        self.reading.fill(&self.pos)
        if self.shared.n_counters > 1 and self.shared.lock != NULL:
            self.pos.shared_runs = &self.shared.runs
            self.pos.runs_lock = self.shared.lock
        else:
            self.pos.shared_runs = NULL
        n = self.reading._tags.names.table.n
        if self.matches is not None and self.n_keep_known < n:
            # the filter's answer for the tags new since the last feed
            if fc_grow(<void**>&self.keep, &self.n_keep, n, 1, 0):
                raise MemoryError()
            self.tagger._sync_tag_names()
            names = self.tagger.tag_names
            for i in range(self.n_keep_known, n):
                self.keep[i] = bool(self.matches(names[i]))
            self.n_keep_known = n
        return self.reading._snapshot

    cdef void _read_end(self) noexcept:
        self.pos.cut.text = NULL
        self.pos.error = 0
        self.reading = None

    cdef bint _may_raise(self, Snapshot snapshot) noexcept:
        return snapshot.can_raise

    cdef int _cut(self, const Py_UCS4* text, Py_ssize_t n) noexcept nogil:
        self.pos.cut.text = text
        self.pos.cut.length = n
        self.pos.n_tokens = 0
        self.pos.error = 0
        return pos_cut_text(&self.pos, self.hmm)

    cdef int _count_tokens(self) noexcept nogil:
        cdef PosCutContext* pos = &self.pos
        cdef Py_ssize_t k
        cdef PosToken* t
        cdef int64_t key
        for k in range(pos.n_tokens):
            t = &pos.tokens[k]
            if t.kind == POS_TOKEN_SPACE and not self.keep_whitespace:
                continue
            if self.keep != NULL and not self.keep[t.tag]:
                continue
            if t.node >= 0:
                key = t.node
            elif key_of(self, pos.cut.frozen, pos.cut.text + t.start, t.end - t.start, &key):
                return COUNT_NO_MEMORY
            if self.with_tags:
                key = key * POS_MAX_TAGS + t.tag
            if count_key(self, key):
                return COUNT_NO_MEMORY
        return 0

    cdef int _word(self, Snapshot snapshot, int64_t key, const char** word, Py_ssize_t* m) noexcept nogil:
        cdef int64_t tag
        cdef const char* name
        cdef Py_ssize_t n, n_name
        if not self.with_tags:
            return ChunkCounter._word(self, snapshot, key, word, m)
        tag = key & (POS_MAX_TAGS - 1)
        if ChunkCounter._word(self, snapshot, (key - tag) // POS_MAX_TAGS, word, &n) < 0:
            return -1
        name = fc_vocab_word(&self.reading._tags.names.table, tag, &n_name)
        if name == NULL or fc_grow(<void**>&self.pair, &self.cap_pair, n + 1 + n_name, 1, 0):
            return -1
        memcpy(self.pair, word[0], n)
        self.pair[n] = 0
        memcpy(self.pair + n + 1, name, n_name)
        word[0] = self.pair
        m[0] = n + 1 + n_name
        return 0
