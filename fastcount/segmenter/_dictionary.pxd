# The Dictionary class (jieba's FREQ and total over the tries) and its
# Snapshot, the unchanging view that a cut without the GIL reads.
from libc.stdint cimport int32_t

from fastcount.segmenter._trie cimport Trie, FrozenTrie
from fastcount.segmenter._cut cimport CutContext


cdef class FrozenWords:
    cdef FrozenTrie trie
    cdef Py_ssize_t n_snapshots     # snapshots holding it: changes then go to a copy


cdef class ForceSplitWords:
    cdef Trie trie


cdef inline Py_ssize_t next_line(const unsigned char* data, Py_ssize_t size, Py_ssize_t pos,
                                 Py_ssize_t* a, Py_ssize_t* b) noexcept nogil:
    """The line of a dictionary file that starts at pos (pos < size): its
    bytes.strip()'d span data[a:b] and where the next line starts."""
    cdef Py_ssize_t e = pos
    while e < size and data[e] != 10:
        e += 1
    a[0] = pos
    b[0] = e
    while a[0] < b[0] and (data[a[0]] == 32 or 9 <= data[a[0]] <= 13):  # bytes.strip()'s whitespace
        a[0] += 1
    while b[0] > a[0] and (data[b[0] - 1] == 32 or 9 <= data[b[0] - 1] <= 13):
        b[0] -= 1
    return e + 1


# Raise the Python error of a cut's CUT_* error code (MemoryError, ValueError).
cdef object raise_cut_error(int error)


cdef class Snapshot:
    # Taken under the GIL by Dictionary.read_begin(); the words it shows do
    # not change while it is alive; drop it to end the reading.
    cdef Dictionary _dictionary
    cdef FrozenWords _frozen
    cdef ForceSplitWords _force_split   # None when Force_Split_Words is empty
    cdef double _log_total
    cdef Trie _nodes                    # parent/code of the node strings (not owned)
    cdef readonly bint can_raise        # a cut (other than full mode) may meet a log() of a number <= 0
    cdef void fill(self, CutContext* ctx) noexcept
    cdef Py_ssize_t node_chars(self, int32_t node, Py_UCS4* out, Py_ssize_t cap) noexcept nogil


cdef class Dictionary:
    cdef Trie trie                  # the master copy
    cdef FrozenWords _frozen        # the trie laid out for reading; None when stale
    cdef ForceSplitWords _force_split   # None when Force_Split_Words is empty
    cdef object _total              # jieba's total (a Python int)
    cdef double log_total
    cdef object _force_split_set    # the Force_Split_Words set seen last, and its size
    cdef Py_ssize_t _force_split_len
    cdef Py_ssize_t _readers        # live snapshots
    cdef readonly Py_ssize_t version   # bumped by every change of the words
    cdef Py_ssize_t _can_raise_version # _can_raise was computed at this version
    cdef bint _can_raise
    cdef CutContext _short_context  # buffers reused by short cuts (which keep the GIL)
    cdef bint _short_context_busy
    cdef Py_UCS4* _short_text
    cdef Snapshot read_begin(self)
    cdef void _snapshot_ended(self) noexcept
    cdef int _sync_force_split(self) except -1
    cdef int _freeze(self) except -1
    cdef FrozenTrie* _frozen_to_change(self) except? NULL
    cdef int _check_empty(self, str method) except -1
    cdef int32_t _record_in_freq(self, str word) except -2
