# cython: language_level=3
# C-level interface of fastcount.Vocab, for other Cython modules to cimport:
#
#     from fastcount._vocab cimport Vocab, FCVocab, fc_vocab_intern, fc_vocab_find
#
# The byte-level table API (FCVocab, fc_vocab_*) comes from _vocab_table.pxd
# and is re-exported here; the str-level functions encode strs for it.
from libc.stdint cimport int64_t, uint64_t

from fastcount._vocab_table cimport (FC_BATCH, FC_VOCAB_MAX_WORDS, FCVocab, FCVocabSlot,
                                     fc_hash_bytes, fc_vocab_find, fc_vocab_find_hashed,
                                     fc_vocab_free, fc_vocab_init, fc_vocab_intern,
                                     fc_vocab_intern_batch, fc_vocab_intern_hashed,
                                     fc_vocab_intern_trusted, fc_vocab_push,
                                     fc_vocab_reserve, fc_vocab_seal, fc_vocab_append_distinct,
                                     fc_vocab_truncate, fc_vocab_word)


cdef class Vocab:
    cdef FCVocab table
    cdef char* scratch              # UTF-8 encoding buffer for str lookups
    cdef Py_ssize_t scratch_cap


# str-level calls for the hot paths of other modules (need the GIL). `word`
# must be a str (exact or subclass; Cython checks the type when you pass an
# object). No allocation in the common case: the str's code points are
# encoded into v's scratch buffer, or used in place when they are ASCII.
cdef int64_t fc_vocab_intern_str(Vocab v, str word) except -2   # id; MemoryError -> -2
cdef int64_t fc_vocab_find_str(Vocab v, str word) except -2     # id or -1
# The bulk primitive for a list: the ids of the run of strs at words[start:],
# up to FC_BATCH of them, into ids (new words added); how many (0 when
# words[start] is not a str). MemoryError when out of memory or full (the run's
# earlier words may then be added). No Python code runs, so the list cannot
# change under it.
cdef Py_ssize_t fc_vocab_intern_strs(Vocab v, list words, Py_ssize_t start, int64_t* ids) except -1
# The word with id i as a new str; IndexError when i is not an id.
cdef str fc_vocab_word_str(Vocab v, int64_t i)

# The pickle layout of words, shared by Vocab and Counter: (arena, lengths),
# the words' UTF-8 back to back and their byte lengths as LEB128 varints.
# fc_vocab_pack: the layout of words ids[0:n] of v, in that order (ids NULL:
# every word, in id order).
cdef tuple fc_vocab_pack(const FCVocab* v, const int64_t* ids, Py_ssize_t n)
# fc_vocab_unpack: append the words of a layout to v, each new (so the i-th
# gets id len(v) + i); their number. ValueError (`what` + what is wrong and
# where), TypeError, MemoryError, and v unchanged on error.
cdef Py_ssize_t fc_vocab_unpack(FCVocab* v, object arena, object lengths, str what) except -1
