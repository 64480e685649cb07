# C-level interface of fastcount._ngram_merge, for modules that consume
# merged n-gram counts in byte order (discovery):
#
#     from fastcount._ngram_merge cimport Merge
#     cdef Merge m = Merge(sources)
#     m._begin()                     # one consumer: a second one raises
#     try:
#         with nogil:
#             while True:
#                 r = m.next()       # 1: m.m.key[:m.m.key_len] counted m.m.count
#                 if r <= 0: break   # 0: the end; -1: error
#     finally:
#         m.busy = False
#     if r < 0: m._raise()
from libc.stdint cimport int64_t, uint64_t
from libc.stdio cimport FILE

from fastcount._ngram_table cimport NgTable
from fastcount._vocab cimport FCVocab

cdef enum:
    # NgMerge.err for a run file that is not what a run writer wrote
    NG_CORRUPT = -1
    # ... and for counts whose sum leaves int64
    NG_OVERFLOW = -2


cdef struct NgCursor:
    # the current n-gram: key_len bytes at kp (in the source when it stays
    # put: a table or a Vocab; else a copy in key) and its first 16 bytes
    # big-endian, zero-padded (most keys compare by these alone)
    const unsigned char* kp
    Py_ssize_t key_len
    uint64_t p0
    uint64_t p1
    unsigned char* key
    Py_ssize_t key_cap
    int64_t count
    int64_t done            # records read so far
    # the end of the merge's range: the cursor ends at an n-gram >= hi
    const unsigned char* hi
    Py_ssize_t hi_len
    # a finished table, or a Vocab in byte order with its counts (f == NULL)
    const NgTable* table
    const FCVocab* vocab
    const int64_t* counts
    int64_t n
    # a run file
    FILE* f
    unsigned char* buf
    Py_ssize_t buf_len
    Py_ssize_t buf_pos


cdef struct NgMerge:
    NgCursor* cursors
    int ncursors
    NgCursor** heap
    int nheap
    const unsigned char* key    # the merged n-gram (valid until the next step)
    Py_ssize_t key_len
    uint64_t p0                 # its first 16 bytes as in NgCursor
    uint64_t p1
    unsigned char* own          # a copy of it, when its cursor moves its bytes
    Py_ssize_t own_cap
    int64_t count
    int err                 # errno, NG_CORRUPT or NG_OVERFLOW
    int bad                 # the cursor that failed
    bint started
    # a source is a run file: its keys are checked for UTF-8 as they are kept
    # (a table's or a Vocab's were checked as they came in)
    bint check_utf8
    # the start of the merge's range: n-grams < lo are skipped (lo_len 0: none)
    const unsigned char* lo
    Py_ssize_t lo_len


cdef class Merge:
    cdef NgMerge m
    cdef list sources       # what the cursors read: kept alive here
    cdef list names         # for error messages, by cursor
    cdef list views
    cdef bytes lo, hi       # the range's ends (kept alive here), or None
    cdef bint busy
    cdef bint used
    cdef int64_t distinct   # n-grams merged so far
    cdef int64_t min_count  # next() skips the n-grams counted fewer times
    cdef int64_t total      # their counts, summed

    # takes the merge (it is consumed) and sets busy; the caller clears it
    cdef int _begin(self) except -1
    # the next merged n-gram counted min_count times or more into self.m:
    # 1, 0 at the end, -1 (then _raise)
    cdef int next(self) noexcept nogil
    cdef int _raise(self) except -1
