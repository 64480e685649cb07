# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""jieba.posseg's HMM in C: the tables of ``jieba/posseg`` (char_state_tab,
prob_start, prob_trans, prob_emit) compiled into one compact block, and
``jieba.posseg.viterbi`` over them, step for step:

* the states of a character are ``char_state_tab[c]`` (all states for a
  character it does not hold), kept to those some previous state can go to,
  or all of those when none is left;
* ``V[t][y] = max((V[t-1][y0] + trans[y0][y]) + emit[y][c], y0)`` over the
  previous states that have transitions, the same doubles added in the same
  order (never build with -ffast-math), ties to the larger state as in a
  tuple ``max``; a missing transition is ``-inf`` in jieba, so it can never
  win against the finite ones that always exist here, and is skipped;
* the last state is the max of ``(V, state)``, and the path is followed back.

The compiled block (``PosModel.dumps()``) is what the model cache holds; it
is checked on load, so a damaged cache cannot make the Viterbi read out of
bounds.
"""
from libc.stdint cimport int32_t, uint8_t, uint16_t, uint64_t
from libc.string cimport memcpy, memset
from libc.math cimport INFINITY

from fastcount._native cimport fc_alloc, fc_free, fc_grow
from fastcount.segmenter._hmm cimport HAN_FIRST, HAN_LAST

import struct
from array import array

cdef enum:
    HAN_COUNT = HAN_LAST - HAN_FIRST + 1

# the Viterbi's MIN_FLOAT: the emission of a character a state never emits
cdef double MIN_FLOAT = -3.14e100

_MAGIC = b"FCPOSHM1"
# n_states, n_tags, n_trans, n_char_states, n_emissions, first Han code point, Han count, tag bytes
_HEADER = struct.Struct("<8s8I")
_LETTERS = "BEMS"
# the tables in the order of the compiled bytes, each padded to 8 bytes
_SECTIONS = ("start", "in_prob", "em_prob", "cs_emit", "in_first", "cs_first", "em_first",
             "state_tag", "state_letter", "in_from", "in_table", "cs_state", "em_state")


cdef extern from *:
    """
    #if defined(_MSC_VER)
    #include <intrin.h>
    static __inline int fc_pos_ctz64(unsigned long long x) { unsigned long i; _BitScanForward64(&i, x); return (int)i; }
    #else
    #define fc_pos_ctz64(x) __builtin_ctzll(x)
    #endif
    """
    int ctz64 "fc_pos_ctz64"(unsigned long long x) nogil


cdef inline bint set_has(const uint64_t* s, int y) noexcept nogil:
    return (s[y >> 6] >> (y & 63)) & 1


cdef inline void set_add(uint64_t* s, int y) noexcept nogil:
    s[y >> 6] |= (<uint64_t>1) << (y & 63)


cdef inline bint set_empty(const uint64_t* s) noexcept nogil:
    return (s[0] | s[1] | s[2] | s[3]) == 0


cdef void pos_scratch_free(PosScratch* s) noexcept nogil:
    fc_free(s.entry_state)
    fc_free(s.entry_from)
    fc_free(s.first)
    memset(s, 0, sizeof(PosScratch))


cdef int scratch_room(PosScratch* s, Py_ssize_t positions, Py_ssize_t entries) noexcept nogil:
    """Room for `positions` + 1 position offsets and `entries` more entries."""
    cdef Py_ssize_t cap = s.cap_entries
    if fc_grow(<void**>&s.first, &s.cap_first, positions + 1, sizeof(Py_ssize_t), 0):
        return -1
    if (fc_grow(<void**>&s.entry_state, &cap, s.n_entries + entries, 1, 0)
            or fc_grow(<void**>&s.entry_from, &s.cap_entries, s.n_entries + entries, 1, 0)):
        return -1
    return 0


cdef inline Py_ssize_t han_index(Py_UCS4 c) noexcept nogil:
    """Index of a Han character in the per-character tables, -1 outside them."""
    return <Py_ssize_t>c - HAN_FIRST if HAN_FIRST <= c <= HAN_LAST else -1


cdef void all_emissions(const PosTables* m, Py_ssize_t ci, const uint64_t* states, double* em) noexcept nogil:
    """em[y] = emit_P[y].get(c, MIN_FLOAT) for every y of `states`."""
    cdef int w
    cdef int32_t k
    cdef uint64_t bits
    for w in range(POS_SET_WORDS):
        bits = states[w]
        while bits:
            em[(w << 6) + ctz64(bits)] = MIN_FLOAT
            bits &= bits - 1
    if ci >= 0:
        for k in range(m.em_first[ci], m.em_first[ci + 1]):
            if set_has(states, m.em_state[k]):
                em[m.em_state[k]] = m.em_prob[k]


cdef void char_states(const PosTables* m, Py_ssize_t ci, const uint64_t* reach, uint64_t* out,
                      double* em) noexcept nogil:
    """The states jieba gives character ci at a step: ``set(char_state_tab.get(c,
    all_states)) & reach``, or all of reach when that is empty; and the
    emission of c by each of them into em."""
    cdef int32_t k
    cdef uint8_t y
    memset(out, 0, sizeof(StateSet))
    if ci >= 0 and m.in_table[ci]:
        for k in range(m.cs_first[ci], m.cs_first[ci + 1]):
            y = m.cs_state[k]
            if set_has(reach, y):
                set_add(out, y)
                em[y] = m.cs_emit[k]
        if not set_empty(out):
            return
    memcpy(out, reach, sizeof(StateSet))
    all_emissions(m, ci, out, em)


cdef int pos_viterbi(const PosTables* m, const Py_UCS4* text, Py_ssize_t n, PosScratch* s,
                     uint8_t* states) noexcept nogil:
    cdef double buf_a[POS_MAX_STATES]
    cdef double buf_b[POS_MAX_STATES]
    cdef double em[POS_MAX_STATES]
    cdef double* V = buf_a          # V[t - 1]
    cdef double* W = buf_b          # V[t]
    cdef double* swap
    cdef StateSet cur, nxt, reach
    cdef Py_ssize_t t, ci, lo, hi, mid
    cdef int y, y0, w, w0
    cdef const double* trans
    cdef uint64_t bits, ybits
    cdef double p, e, best
    cdef uint8_t state, came_from
    s.n_entries = 0
    if scratch_room(s, n, POS_MAX_STATES) != 0:
        return POS_NO_MEMORY
    # t = 0: V[0][y] = start_P[y] + emit_P[y].get(c, MIN_FLOAT) for the
    # character's states (all states for a character the table lacks)
    ci = han_index(text[0])
    if ci >= 0 and m.in_table[ci] and m.cs_first[ci] == m.cs_first[ci + 1]:
        return POS_NO_STATE     # an empty tuple of states
    char_states(m, ci, m.all_states, cur, em)
    s.first[0] = 0
    for w in range(POS_SET_WORDS):
        bits = cur[w]
        while bits:
            y = (w << 6) + ctz64(bits)
            V[y] = m.start[y] + em[y]
            s.entry_state[s.n_entries] = <uint8_t>y
            s.entry_from[s.n_entries] = 0
            s.n_entries += 1
            bits &= bits - 1
    for t in range(1, n):
        # the states the previous ones (those with transitions) can go to
        memset(reach, 0, sizeof(StateSet))
        for w0 in range(POS_SET_WORDS):
            bits = cur[w0]
            while bits:
                y0 = (w0 << 6) + ctz64(bits)
                for w in range(POS_SET_WORDS):
                    reach[w] |= m.out_set[y0][w]
                bits &= bits - 1
        if set_empty(reach):
            return POS_NO_STATE
        ci = han_index(text[t])
        char_states(m, ci, reach, nxt, em)
        if scratch_room(s, n, POS_MAX_STATES) != 0:
            return POS_NO_MEMORY
        s.first[t] = s.n_entries
        # every y of nxt (ascending: the entries of a position are sorted):
        # max((V[y0] + trans) + emit, y0) over the y0 of cur with a transition
        # into y (there is one: y is in reach), ascending, so that `>=` gives
        # a tie to the larger y0
        for w in range(POS_SET_WORDS):
            ybits = nxt[w]
            while ybits:
                y = (w << 6) + ctz64(ybits)
                trans = m.trans + (y << 8)
                e = em[y]
                best = -INFINITY
                came_from = 0
                for w0 in range(POS_SET_WORDS):
                    bits = m.in_set[y][w0] & cur[w0]
                    while bits:
                        y0 = (w0 << 6) + ctz64(bits)
                        p = (V[y0] + trans[y0]) + e
                        if p >= best:
                            best = p
                            came_from = <uint8_t>y0
                        bits &= bits - 1
                W[y] = best
                s.entry_state[s.n_entries] = <uint8_t>y
                s.entry_from[s.n_entries] = came_from
                s.n_entries += 1
                ybits &= ybits - 1
        swap = V
        V = W
        W = swap
        memcpy(cur, nxt, sizeof(StateSet))
    s.first[n] = s.n_entries
    # max((V[y], y)): ascending with `>=`, a tie goes to the larger state
    best = -INFINITY
    state = 0
    for w in range(POS_SET_WORDS):
        bits = cur[w]
        while bits:
            y = (w << 6) + ctz64(bits)
            if V[y] >= best:
                best = V[y]
                state = <uint8_t>y
            bits &= bits - 1
    t = n - 1
    while True:
        states[t] = state
        if t == 0:
            break
        # the entry of `state` at t (entries of a position are sorted by state)
        lo = s.first[t]
        hi = s.first[t + 1]
        while hi - lo > 1:
            mid = (lo + hi) >> 1
            if s.entry_state[mid] <= state:
                lo = mid
            else:
                hi = mid
        state = s.entry_from[lo]
        t -= 1
    return POS_OK


# ---------------------------------------------------------------- compiling
def compile_tables(char_state, start, trans, emit):
    """jieba.posseg's four tables (``char_state_tab.P``, ``prob_start.P``,
    ``prob_trans.P``, ``prob_emit.P``) as the bytes :class:`PosModel` loads.

    ValueError when they do not have the shape of jieba's tables (states as
    ``(letter, tag)`` pairs, at most 256 of them, every state in every table)."""
    states = sorted(trans)
    if not 0 < len(states) <= POS_MAX_STATES:
        raise ValueError(f"jieba.posseg tables with {len(states)} states (1 to 256 supported)")
    number = {}
    tags = []
    tag_number = {}
    letters = array("B")
    state_tags = array("H")
    for i, st in enumerate(states):
        if (type(st) is not tuple or len(st) != 2 or st[0] not in _LETTERS
                or type(st[1]) is not str or not st[1] or "\n" in st[1]):
            raise ValueError(f"jieba.posseg state {st!r} is not a (letter, tag) pair")
        number[st] = i
        if st[1] not in tag_number:
            tag_number[st[1]] = len(tags)
            tags.append(st[1])
        letters.append(_LETTERS.index(st[0]))
        state_tags.append(tag_number[st[1]])
    if set(start) != set(states) or set(emit) != set(states):
        raise ValueError("jieba.posseg's prob_start and prob_emit must hold every state of prob_trans")
    start_p = array("d", [float(start[st]) for st in states])
    into = [[] for _ in states]
    for st in states:
        for target, p in trans[st].items():
            if target not in number:
                raise ValueError(f"jieba.posseg transition to an unknown state {target!r}")
            into[number[target]].append((number[st], float(p)))
    in_first = array("i", [0])
    in_from = array("B")
    in_prob = array("d")
    for sources in into:
        for y0, p in sorted(sources):
            in_from.append(y0)
            in_prob.append(p)
        in_first.append(len(in_from))
    in_table = array("B", bytes(HAN_COUNT))
    cs_first = array("i", [0])
    cs_state = array("B")
    cs_emit = array("d")
    em_first = array("i", [0])
    em_state = array("B")
    em_prob = array("d")
    by_char = [[] for _ in range(HAN_COUNT)]
    for st in states:
        for ch, p in emit[st].items():
            if type(ch) is str and len(ch) == 1 and HAN_FIRST <= ord(ch) <= HAN_LAST:
                by_char[ord(ch) - HAN_FIRST].append((number[st], float(p)))
    for i in range(HAN_COUNT):
        got = char_state.get(chr(HAN_FIRST + i))
        if got is not None:
            in_table[i] = 1
            for st in got:
                if st not in number:
                    raise ValueError(f"jieba.posseg char_state_tab names an unknown state {st!r}")
                cs_state.append(number[st])
                cs_emit.append(float(emit[st].get(chr(HAN_FIRST + i), MIN_FLOAT)))
        cs_first.append(len(cs_state))
        for y, p in by_char[i]:
            em_state.append(y)
            em_prob.append(p)
        em_first.append(len(em_state))
    names = "\n".join(tags).encode("utf-8")
    header = _HEADER.pack(_MAGIC, len(states), len(tags), len(in_from), len(cs_state), len(em_state),
                          HAN_FIRST, HAN_COUNT, len(names))
    parts = {"start": start_p, "in_prob": in_prob, "em_prob": em_prob, "cs_emit": cs_emit,
             "in_first": in_first, "cs_first": cs_first, "em_first": em_first,
             "state_tag": state_tags, "state_letter": letters, "in_from": in_from,
             "in_table": in_table, "cs_state": cs_state, "em_state": em_state}
    return header + b"".join(_pad8(parts[name].tobytes()) for name in _SECTIONS) + names


def _pad8(b):
    return b + bytes((8 - len(b) % 8) % 8)


def layout(data):
    """Where the tables lie in compiled bytes: ``{section: (offset, size)}``
    in the order of the bytes, the tag names last; ValueError when the
    header is not one of :func:`compile_tables`."""
    if len(data) < _HEADER.size or bytes(data[:8]) != _MAGIC:
        raise ValueError("not a compiled jieba.posseg model")
    _, n_states, n_tags, n_trans, n_cs, n_emit, han_first, han_count, n_names = \
        _HEADER.unpack_from(data)
    if (not 0 < n_states <= POS_MAX_STATES or not 0 < n_tags <= n_states
            or han_first != HAN_FIRST or han_count != HAN_COUNT):
        raise ValueError("compiled jieba.posseg model of an unsupported shape")
    sizes = {"start": 8 * n_states, "in_prob": 8 * n_trans, "em_prob": 8 * n_emit,
             "cs_emit": 8 * n_cs, "in_first": 4 * (n_states + 1), "cs_first": 4 * (HAN_COUNT + 1),
             "em_first": 4 * (HAN_COUNT + 1), "state_tag": 2 * n_states, "state_letter": n_states,
             "in_from": n_trans, "in_table": HAN_COUNT, "cs_state": n_cs, "em_state": n_emit}
    sections = {}
    end = _HEADER.size
    for name in _SECTIONS:
        sections[name] = (end, sizes[name])
        end += pad8(sizes[name])
    sections["names"] = (end, n_names)
    return sections


cdef Py_ssize_t pad8(Py_ssize_t n) noexcept nogil:
    return (n + 7) & ~(<Py_ssize_t>7)


cdef int check_offsets(const int32_t* first, Py_ssize_t n, Py_ssize_t total) noexcept nogil:
    """first[0:n+1] runs from 0 to total without going back."""
    cdef Py_ssize_t i
    if first[0] != 0 or first[n] != total:
        return -1
    for i in range(n):
        if first[i] > first[i + 1]:
            return -1
    return 0


cdef int check_states(const uint8_t* s, Py_ssize_t n, int n_states) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if s[i] >= n_states:
            return -1
    return 0


cdef class PosModel:
    """jieba.posseg's HMM tables in C, loaded from :func:`compile_tables`'s
    bytes (ValueError when they are not such bytes)."""

    def __cinit__(self, data):
        cdef const unsigned char[::1] view
        cdef Py_ssize_t size
        cdef PosTables* m = &self.tables
        cdef char* base
        cdef int y, k
        memset(m, 0, sizeof(PosTables))
        # bytes of our own (bytes are kept as they are): the header is read
        # again below, with Python code in between that may write a mutable
        # buffer (a finalizer, another thread), and the checks must hold for
        # the very bytes copied
        if type(data) is not bytes:
            data = bytes(memoryview(data))
        view = data
        size = view.shape[0]
        sections = layout(data)
        _, n_states, n_tags, n_trans, n_cs, n_emit = _HEADER.unpack_from(data)[:6]
        end, n_names = sections["names"]
        if size != end + n_names:
            raise ValueError("truncated or damaged compiled jieba.posseg model")
        tags = bytes(view[end:]).decode("utf-8").split("\n")
        if len(tags) != n_tags:
            raise ValueError("damaged compiled jieba.posseg model (tag names)")
        self.tags = tuple(tags)
        self._memory = <char*>fc_alloc(size, 1)
        m.in_set = <StateSet*>fc_alloc(n_states, sizeof(StateSet))
        m.out_set = <StateSet*>fc_alloc(n_states, sizeof(StateSet))
        m.trans = <double*>fc_alloc(n_states * POS_MAX_STATES, sizeof(double))
        if self._memory == NULL or m.in_set == NULL or m.out_set == NULL or m.trans == NULL:
            raise MemoryError()
        memcpy(self._memory, &view[0], size)
        self._size = size
        base = self._memory
        m.n_states = n_states
        m.n_tags = n_tags
        m.start = <const double*>(base + <Py_ssize_t>sections["start"][0])
        m.in_prob = <const double*>(base + <Py_ssize_t>sections["in_prob"][0])
        m.em_prob = <const double*>(base + <Py_ssize_t>sections["em_prob"][0])
        m.cs_emit = <const double*>(base + <Py_ssize_t>sections["cs_emit"][0])
        m.in_first = <const int32_t*>(base + <Py_ssize_t>sections["in_first"][0])
        m.cs_first = <const int32_t*>(base + <Py_ssize_t>sections["cs_first"][0])
        m.em_first = <const int32_t*>(base + <Py_ssize_t>sections["em_first"][0])
        m.state_tag = <const uint16_t*>(base + <Py_ssize_t>sections["state_tag"][0])
        m.state_letter = <const uint8_t*>(base + <Py_ssize_t>sections["state_letter"][0])
        m.in_from = <const uint8_t*>(base + <Py_ssize_t>sections["in_from"][0])
        m.in_table = <const uint8_t*>(base + <Py_ssize_t>sections["in_table"][0])
        m.cs_state = <const uint8_t*>(base + <Py_ssize_t>sections["cs_state"][0])
        m.em_state = <const uint8_t*>(base + <Py_ssize_t>sections["em_state"][0])
        if (check_offsets(m.in_first, n_states, n_trans) or check_offsets(m.cs_first, HAN_COUNT, n_cs)
                or check_offsets(m.em_first, HAN_COUNT, n_emit)
                or check_states(m.in_from, n_trans, n_states) or check_states(m.cs_state, n_cs, n_states)
                or check_states(m.em_state, n_emit, n_states)
                or check_states(m.state_letter, n_states, 4)):
            raise ValueError("damaged compiled jieba.posseg model (an index out of range)")
        for y in range(n_states):
            if m.state_tag[y] >= n_tags:
                raise ValueError("damaged compiled jieba.posseg model (a tag out of range)")
        memset(m.in_set, 0, n_states * sizeof(StateSet))
        memset(m.out_set, 0, n_states * sizeof(StateSet))
        memset(m.all_states, 0, sizeof(StateSet))
        for y in range(n_states):
            set_add(m.all_states, y)
            for k in range(m.in_first[y], m.in_first[y + 1]):
                if k > m.in_first[y] and m.in_from[k] <= m.in_from[k - 1]:
                    raise ValueError("damaged compiled jieba.posseg model (transitions out of order)")
                set_add(m.in_set[y], m.in_from[k])
                set_add(m.out_set[m.in_from[k]], y)
                m.trans[(y << 8) + m.in_from[k]] = m.in_prob[k]

    def __dealloc__(self):
        fc_free(self._memory)
        fc_free(self.tables.in_set)
        fc_free(self.tables.out_set)
        fc_free(self.tables.trans)

    def dumps(self):
        """The compiled bytes this model was loaded from."""
        return self._memory[:self._size]

    def viterbi(self, str text not None):
        """``jieba.posseg.viterbi(text, ...)[1]`` for a string of Han
        characters: the ``(letter, tag)`` state of each character."""
        cdef Py_ssize_t n = len(text), i
        cdef PosScratch s
        cdef Py_UCS4* chars
        cdef uint8_t* states
        cdef int r
        if n == 0:
            raise ValueError("viterbi() of an empty string")
        memset(&s, 0, sizeof(PosScratch))
        chars = <Py_UCS4*>fc_alloc(n, sizeof(Py_UCS4))
        states = <uint8_t*>fc_alloc(n, 1)
        try:
            if chars == NULL or states == NULL:
                raise MemoryError()
            for i in range(n):
                chars[i] = text[i]
            with nogil:
                r = pos_viterbi(&self.tables, chars, n, &s, states)
            if r == POS_NO_MEMORY:
                raise MemoryError()
            if r == POS_NO_STATE:
                raise ValueError("max() arg is an empty sequence (no state can follow)")
            return [(_LETTERS[self.tables.state_letter[states[i]]], self.tags[self.tables.state_tag[states[i]]])
                    for i in range(n)]
        finally:
            fc_free(chars)
            fc_free(states)
            pos_scratch_free(&s)
