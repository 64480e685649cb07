# C-level interface of fastcount._ngrams.NgramTable, for the merge module
# (which reads a finished table's sorted entries):
#
#     from fastcount._ngrams cimport NgramTable
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t

from fastcount._ngram_table cimport NgProbe, NgTable


cdef struct Pending:    # an n-gram in the lookup pipeline of NgramTable._count_utf8
    const unsigned char* key
    Py_ssize_t n
    uint64_t h
    NgProbe probe
    int64_t guess       # the id its slot names (stage 2), or -1
    int32_t cp          # a unigram's code point, for the unigram map once its
                        # id is known; -1 for others (and code points beyond it)


cdef class NgramTable:
    cdef NgTable t                  # the n-grams in memory and their counts
    cdef int lo, hi                 # the orders counted
    cdef bint word_mode
    cdef object tokenize            # word mode: str -> tokens, or None
    cdef bint keep_punct
    cdef const unsigned char* breaks   # bitmap of the code points that end a run
    cdef int64_t limit              # bytes the table may hold; 0: no limit
    cdef bytes spill_prefix         # path prefix of the runs (None: no spilling)
    cdef bint can_spill
    cdef list run_paths
    cdef list run_indexes            # each run's index (bytes; see NgRunWriter)
    cdef int64_t ntotal             # n-grams counted (occurrences)
    cdef int64_t ntexts             # texts (documents) counted
    cdef int64_t nspilled           # n-grams written to runs (distinct per run)
    cdef unsigned char* buf         # UTF-8 being counted
    cdef Py_ssize_t buf_cap
    cdef Py_ssize_t* win            # ring of the last hi unit starts
    cdef uint32_t* uni              # character unigrams: code point -> id + 1
                                    # (0: not known yet), or NULL
    cdef int err                    # errno of a failed spill, ENOMEM, or 0
    cdef bint busy
    cdef bint aborted               # abort(): stop at the next line end or spill
    cdef bint broken
    cdef bint finished              # sorted: t.ents in byte order, no more feeding
    # Split by orders (fastcount._ngram_split): tables that count the same
    # text, each its own orders, record each entry's first sight (the text
    # offset of its end << 12 | its length in bytes) until their first spill.
    cdef bint ordered
    cdef int64_t* ords
    cdef Py_ssize_t ords_cap
    cdef const unsigned char* ord_s0   # the buffer being counted
    cdef int64_t ord_base              # bytes of text counted before it
    cdef object __weakref__

    cdef int _check(self, bint feeding) except -1
    cdef int _check_unordered(self) except -1
    cdef int _raise_err(self) except -1
    cdef bint _is_break_token(self, str token) noexcept
    cdef int _add(self, const unsigned char* key, Py_ssize_t n, uint64_t h, const NgProbe* p,
                  int64_t guess, int64_t c) noexcept nogil
    cdef int64_t _insert(self, const unsigned char* key, Py_ssize_t n, uint64_t h,
                         int64_t c) noexcept nogil
    cdef int _spill(self) noexcept nogil
    cdef int _note_order(self, int64_t i, const unsigned char* end, Py_ssize_t n) noexcept nogil
    cdef int64_t _ords_peak(self) noexcept nogil
    cdef int _count_utf8(self, const unsigned char* s, Py_ssize_t size) noexcept nogil
    cdef object _vocab(self, bint take=*)
