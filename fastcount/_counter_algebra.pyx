# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Multiset algebra of fastcount.Counter: the binary + - | &, unary + and -,
and the comparisons == <= >= between two counters, with results in exactly
the key order collections.Counter gives.

The operands' gates are held for reading while a key's __eq__ may run, so
that neither changes meanwhile (another thread waits; the key's own code
gets RuntimeError if it tries).
"""
from libc.stdint cimport int64_t, INT64_MIN

from fastcount._counter_core cimport (CounterCore, core_cell, core_decode, core_enter,
                                      core_exit, core_key_of, core_new_object, core_word_from)
from fastcount._counter_slots cimport FC_TOMB, object_id_of, order_link, order_next, order_reserve
from fastcount._native cimport (fc_add_overflows, fc_gate_enter_pair, fc_gate_exit_pair,
                                fc_sub_overflows)

cdef enum:
    OP_ADD = 0
    OP_SUB = 1
    OP_OR = 2
    OP_AND = 3
    OP_POS = 4
    OP_NEG = 5


def combine_into(CounterCore result not None, CounterCore a not None, CounterCore b not None,
                 int op):
    """Fill the new, empty ``result`` with ``a op b`` as collections.Counter
    computes it: a's keys in order, then (for + - |) b's keys that a lacks;
    only positive results are kept. op: 0 +, 1 -, 2 |, 3 &, 4 unary +a,
    5 unary -a (b unused for 4 and 5)."""
    if result.order.live:
        raise ValueError("combine_into: the result must be a new, empty counter")
    core_enter(result)
    try:
        fc_gate_enter_pair(&a.gate, False, &b.gate, "fastcount.Counter")
        try:
            _combine(result, a, b, op)
        finally:
            fc_gate_exit_pair(&a.gate, &b.gate)
    finally:
        core_exit(result)


cdef int _append_from(CounterCore c, CounterCore src, int64_t key, int64_t n) except -1:
    """Insert src's key (absent in c) with count n, at the end."""
    cdef int64_t k
    order_reserve(&c.order, 1)
    if key >= 0:
        k = core_word_from(c, src, key)
    else:
        k = core_new_object(c, src.objects[object_id_of(key)])
    order_link(&c.order, core_cell(c, k), k, n)
    return 0


cdef int _combine(CounterCore c, CounterCore a, CounterCore b, int op) except -1:
    cdef Py_ssize_t slot = 0
    cdef int64_t ka, kb, ca, cb, n
    cdef bint overflow
    while order_next(&a.order, &slot, &ka):
        ca = core_cell(a, ka).count
        cb = 0
        if op < OP_POS:
            kb = core_key_of(b, a, ka)
            if kb != FC_TOMB:
                cb = core_cell(b, kb).count
        overflow = False
        if op == OP_ADD:
            overflow = fc_add_overflows(ca, cb, &n)
        elif op == OP_SUB:
            overflow = fc_sub_overflows(ca, cb, &n)
        elif op == OP_OR:
            n = cb if ca < cb else ca
        elif op == OP_AND:
            n = ca if ca < cb else cb
        elif op == OP_POS:
            n = ca
        else:
            overflow = ca == INT64_MIN
            n = -ca
        if overflow:
            # + and - overflow upwards exactly when a's count is >= 0, and
            # -INT64_MIN is positive; a result below int64 is dropped, as
            # collections drops every non-positive result
            if op == OP_NEG or ca >= 0:
                raise OverflowError(f"count for {core_decode(a, ka)!r} leaves the int64 range; "
                                    f"fastcount.Counter counts are 64-bit")
            continue
        if n > 0:
            _append_from(c, a, ka, n)
    if op >= OP_AND:
        return 0
    slot = 0
    while order_next(&b.order, &slot, &kb):
        if core_key_of(a, b, kb) != FC_TOMB:
            continue
        cb = core_cell(b, kb).count
        if op == OP_SUB:
            if cb == INT64_MIN:
                raise OverflowError(f"count for {core_decode(b, kb)!r} leaves the int64 range; "
                                    f"fastcount.Counter counts are 64-bit")
            cb = -cb
        if cb > 0:
            _append_from(c, b, kb, cb)
    return 0


def compare(CounterCore a not None, CounterCore b not None, int op):
    """Multiset comparison with missing counts as 0: op 0 ==, 1 <=, 2 >=."""
    fc_gate_enter_pair(&a.gate, False, &b.gate, "fastcount.Counter")
    try:
        return _compare(a, b, op)
    finally:
        fc_gate_exit_pair(&a.gate, &b.gate)


cdef bint _compare(CounterCore a, CounterCore b, int op) except -1:
    cdef Py_ssize_t slot
    cdef int64_t k, ko, c, co
    cdef CounterCore x, y
    for x, y in ((a, b), (b, a)):
        slot = 0
        while order_next(&x.order, &slot, &k):
            c = core_cell(x, k).count
            ko = core_key_of(y, x, k)
            co = core_cell(y, ko).count if ko != FC_TOMB else 0
            if x is b:
                c, co = co, c
            if (c != co) if op == 0 else (c > co) if op == 1 else (c < co):
                return False
    return True
