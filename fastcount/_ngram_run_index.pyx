# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The index of an n-gram run: where its every RUN_SAMPLE-th n-gram starts
(written beside the run by :class:`fastcount._ngrams.NgramTable`, see
``NgRunWriter``), read to start a merge of a range of n-grams part way
into the run (:class:`fastcount._ngram_merge.Merge`) and to pick the key
that splits the runs in half."""

import struct

#: an index entry's head: offset, j and the n-gram's length (see NgRunWriter)
_INDEX_HEAD = struct.Struct("=qqq")


def index_keys(bytes index):
    """The n-grams a run's index names (UTF-8, in byte order)."""
    return [key for _, _, key in _entries(index)]


def _entries(bytes index):
    """(offset, j, n-gram j - 1) of each entry of a run's index; ValueError
    when it is not one."""
    cdef Py_ssize_t pos = 0, size = len(index)
    while pos < size:
        if pos + 24 > size:
            raise ValueError("not an n-gram run's index")
        offset, j, n = _INDEX_HEAD.unpack_from(index, pos)
        if n < 0 or pos + 24 + n > size:
            raise ValueError("not an n-gram run's index")
        yield offset, j, index[pos + 24 : pos + 24 + n]
        pos += 24 + n


def index_start(bytes index, bytes lo):
    """The last entry of a run's index whose n-gram is < lo, as (offset, j,
    n-gram), or None; ValueError when the index is not one."""
    best = None
    for entry in _entries(index):
        if entry[2] >= lo:
            break
        best = entry
    return best
