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


cdef void hmm_viterbi(const Py_UCS4* text, Py_ssize_t n, uint8_t* back, uint8_t* states) noexcept nogil:
    cdef Py_ssize_t t, c
    cdef double V[4]
    cdef double W[4]
    cdef double p1, p2, emit
    cdef uint8_t state
    c = <Py_ssize_t>text[0] - HAN_FIRST
    for t in range(4):
        V[t] = START_P[t] + EMIT_P[t][c]
    for t in range(1, n):
        c = <Py_ssize_t>text[t] - HAN_FIRST
        # B <- E, S  (tie: S)
        emit = EMIT_P[STATE_B][c]
        p1 = (V[STATE_E] + TRANS_P[STATE_E][STATE_B]) + emit
        p2 = (V[STATE_S] + TRANS_P[STATE_S][STATE_B]) + emit
        if p2 >= p1:
            W[STATE_B] = p2
            back[4 * t + STATE_B] = STATE_S
        else:
            W[STATE_B] = p1
            back[4 * t + STATE_B] = STATE_E
        # M <- M, B  (tie: M)
        emit = EMIT_P[STATE_M][c]
        p1 = (V[STATE_M] + TRANS_P[STATE_M][STATE_M]) + emit
        p2 = (V[STATE_B] + TRANS_P[STATE_B][STATE_M]) + emit
        if p2 > p1:
            W[STATE_M] = p2
            back[4 * t + STATE_M] = STATE_B
        else:
            W[STATE_M] = p1
            back[4 * t + STATE_M] = STATE_M
        # E <- B, M  (tie: M)
        emit = EMIT_P[STATE_E][c]
        p1 = (V[STATE_B] + TRANS_P[STATE_B][STATE_E]) + emit
        p2 = (V[STATE_M] + TRANS_P[STATE_M][STATE_E]) + emit
        if p2 >= p1:
            W[STATE_E] = p2
            back[4 * t + STATE_E] = STATE_M
        else:
            W[STATE_E] = p1
            back[4 * t + STATE_E] = STATE_B
        # S <- S, E  (tie: S)
        emit = EMIT_P[STATE_S][c]
        p1 = (V[STATE_S] + TRANS_P[STATE_S][STATE_S]) + emit
        p2 = (V[STATE_E] + TRANS_P[STATE_E][STATE_S]) + emit
        if p2 > p1:
            W[STATE_S] = p2
            back[4 * t + STATE_S] = STATE_E
        else:
            W[STATE_S] = p1
            back[4 * t + STATE_S] = STATE_S
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
