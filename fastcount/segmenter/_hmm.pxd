# jieba's HMM for words outside the dictionary (finalseg): its tables and the
# Viterbi over runs of Han characters, for the segmenter to cimport.
from libc.stdint cimport uint8_t

cdef enum:
    HAN_FIRST = 0x4E00          # finalseg's re_han: [\u4E00-\u9FD5]
    HAN_LAST = 0x9FD5
    STATE_B = 0                 # begin, middle, end of a word; single-character word
    STATE_M = 1
    STATE_E = 2
    STATE_S = 3


cdef inline bint is_han(Py_UCS4 c) noexcept nogil:
    return HAN_FIRST <= c <= HAN_LAST


# finalseg.viterbi over text[0:n] (n >= 1, every character is_han): the most
# likely state of each character into states[0:n], with jieba's tables and
# tie rules; back needs room for 4 * n back pointers.
cdef void hmm_viterbi(const Py_UCS4* text, Py_ssize_t n, uint8_t* back, uint8_t* states) noexcept nogil
