# jieba.posseg's HMM (jieba 0.42.1 posseg/viterbi.py): its tables in a
# compact native form and the Viterbi over (B/M/E/S, tag) states, for the POS
# cut (_pos_cut) to cimport.
#
# States are numbered in the order of their (letter, tag) tuples, so that
# "the larger state" of jieba's tuple max is the larger number.
from libc.stdint cimport int32_t, uint8_t, uint16_t, uint64_t

cdef enum:
    POS_MAX_STATES = 256        # state numbers fit a uint8_t
    POS_SET_WORDS = 4           # a set of states: 256 bits
    POS_OK = 0
    POS_NO_MEMORY = -1
    POS_NO_STATE = -2           # no state can follow (jieba's max() of an empty sequence)

ctypedef uint64_t StateSet[POS_SET_WORDS]

cdef struct PosTables:
    int32_t n_states
    int32_t n_tags
    const uint8_t* state_letter     # 0 B, 1 E, 2 M, 3 S (the letters' order)
    const uint16_t* state_tag       # index into the model's tag names
    const double* start             # start_P[state]
    const int32_t* in_first         # the transitions into state y are k = in_first[y] ..
    const uint8_t* in_from          # in_first[y + 1] - 1: from in_from[k] (ascending), trans_P
    const double* in_prob           # in_prob[k]
    const uint8_t* in_table         # per Han character: is it a key of char_state_tab?
    const int32_t* cs_first         # char_state_tab[c] is cs_state[cs_first[i]:cs_first[i + 1]]
    const uint8_t* cs_state
    const double* cs_emit           # emit_P[cs_state[k]].get(c, MIN_FLOAT)
    const int32_t* em_first         # the emissions of c, by state: em_state/em_prob[em_first[i]:...]
    const uint8_t* em_state
    const double* em_prob
    # derived on load:
    StateSet* in_set                # the sources of the transitions into each state
    double* trans                   # [y * 256 + y0]: trans_P[y0][y] (read only where y0 is in in_set[y])
    StateSet* out_set               # the targets of each state's transitions
    StateSet all_states

cdef struct PosScratch:
    # Viterbi back pointers: position t keeps the states it reached, in
    # order, at entry_state/entry_from[first[t]:first[t + 1]]
    uint8_t* entry_state
    uint8_t* entry_from
    Py_ssize_t n_entries
    Py_ssize_t cap_entries
    Py_ssize_t* first
    Py_ssize_t cap_first

cdef enum:
    POS_LETTER_B = 0
    POS_LETTER_E = 1
    POS_LETTER_M = 2
    POS_LETTER_S = 3

cdef void pos_scratch_free(PosScratch* s) noexcept nogil
# jieba.posseg.viterbi over text[0:n] (n >= 1, Han characters): the most
# likely state of each character into states[0:n]. POS_OK, POS_NO_MEMORY or
# POS_NO_STATE.
cdef int pos_viterbi(const PosTables* m, const Py_UCS4* text, Py_ssize_t n, PosScratch* s,
                     uint8_t* states) noexcept nogil


cdef class PosModel:
    cdef PosTables tables
    cdef char* _memory              # one block holding every table (the compiled bytes)
    cdef Py_ssize_t _size
    cdef readonly tuple tags        # the tag names, by index
