# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""finalseg's Viterbi (jieba 0.42.1) in C, with jieba's own tables: the most
likely B/M/E/S states of a run of Han characters, the same doubles added in
the same order and jieba's ``max`` tie rules (on equal probability the later
state letter wins)."""
from libc.stdint cimport uint8_t

from jieba import finalseg as _finalseg

cdef enum:
    HAN_COUNT = HAN_LAST - HAN_FIRST + 1

# finalseg's start_P, trans_P and emit_P, with MIN_FLOAT where jieba's
# dict.get(..., MIN_FLOAT) would fall back. Viterbi only ever looks up
# characters of re_han, so emit_P is dense over that range.
cdef double MIN_FLOAT = _finalseg.MIN_FLOAT
cdef double START_P[4]
cdef double TRANS_P[4][4]
cdef double EMIT_P[4][HAN_COUNT]


def _load_tables():
    cdef int y, y0, i
    states = ["B", "M", "E", "S"]
    for y in range(4):
        START_P[y] = _finalseg.start_P.get(states[y], MIN_FLOAT)
        for y0 in range(4):
            TRANS_P[y0][y] = _finalseg.trans_P[states[y0]].get(states[y], MIN_FLOAT)
        for i in range(HAN_COUNT):
            EMIT_P[y][i] = MIN_FLOAT
        for ch, p in _finalseg.emit_P[states[y]].items():
            i = ord(ch) - HAN_FIRST
            if 0 <= i < HAN_COUNT:
                EMIT_P[y][i] = p


_load_tables()


cdef inline void best_from(double* W, uint8_t* back, double va, double vb, int to, int a, int b,
                           bint b_on_tie, double emit) noexcept nogil:
    """W[to] and back[to]: the better of coming to state `to` from a (whose
    probability is va) or from b (vb), as jieba's max over (probability,
    state) tuples (b_on_tie: b is the later letter, so it wins a tie)."""
    cdef double p1 = (va + TRANS_P[a][to]) + emit
    cdef double p2 = (vb + TRANS_P[b][to]) + emit
    if (p2 >= p1) if b_on_tie else (p2 > p1):
        W[to] = p2
        back[to] = b
    else:
        W[to] = p1
        back[to] = a


cdef void hmm_viterbi(const Py_UCS4* text, Py_ssize_t n, uint8_t* back, uint8_t* states) noexcept nogil:
    cdef Py_ssize_t t, c
    cdef double V[4]
    cdef double W[4]
    cdef uint8_t state
    cdef uint8_t* step
    c = <Py_ssize_t>text[0] - HAN_FIRST
    for t in range(4):
        V[t] = START_P[t] + EMIT_P[t][c]
    for t in range(1, n):
        c = <Py_ssize_t>text[t] - HAN_FIRST
        step = back + 4 * t
        best_from(W, step, V[STATE_E], V[STATE_S], STATE_B, STATE_E, STATE_S, True, EMIT_P[STATE_B][c])
        best_from(W, step, V[STATE_M], V[STATE_B], STATE_M, STATE_M, STATE_B, False, EMIT_P[STATE_M][c])
        best_from(W, step, V[STATE_B], V[STATE_M], STATE_E, STATE_B, STATE_M, True, EMIT_P[STATE_E][c])
        best_from(W, step, V[STATE_S], V[STATE_E], STATE_S, STATE_S, STATE_E, False, EMIT_P[STATE_S][c])
        V[0] = W[0]
        V[1] = W[1]
        V[2] = W[2]
        V[3] = W[3]
    # max over 'ES' (tie: S)
    state = STATE_S if V[STATE_S] >= V[STATE_E] else STATE_E
    t = n - 1
    while True:
        states[t] = state
        if t == 0:
            break
        state = back[4 * t + state]
        t -= 1
