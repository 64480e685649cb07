"""fastcount.HashCounter against collections.Counter as the oracle."""
import array
import collections
import copy
import pickle
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastcount import HashCounter

I64_MIN = -(2**63)
I64_MAX = 2**63 - 1
EDGES = [0, 1, -1, 2, I64_MIN, I64_MIN + 1, I64_MAX, I64_MAX - 1, 2**32, -(2**32), 2**20]

keys_st = st.one_of(
    st.integers(I64_MIN, I64_MAX),
    st.sampled_from(EDGES),
    st.integers(-30, 30),  # small range: plenty of repeats
)
weights_st = st.integers(-(2**40), 2**40)


def as_dict(h):
    """The counter's contents as a plain dict, checked against its own views."""
    keys, counts = h.to_arrays()
    assert keys.dtype == np.int64 and counts.dtype == np.int64
    d = dict(zip(keys.tolist(), counts.tolist()))
    assert len(d) == len(keys) == len(h)  # no key appears twice
    assert d == dict(h.items()) == dict(zip(h.keys(), h.values()))
    assert sorted(h) == sorted(d)
    return d


def oracle_most_common(c, k=None):
    """The documented order: count descending, then key ascending."""
    ranked = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked if k is None else ranked[:k]


# -- property tests --------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(st.lists(keys_st, max_size=300))
def test_counts_like_collections_counter(keys):
    h = HashCounter()
    h.add(keys)
    c = collections.Counter(keys)
    assert as_dict(h) == dict(c)
    assert h.total() == c.total()
    for k in keys[:20] + EDGES:
        assert h[k] == c[k]
        assert (k in h) == (k in c)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(keys_st, weights_st), max_size=300))
def test_weighted_add_including_zero_and_negative(pairs):
    keys = np.array([k for k, _ in pairs], dtype=np.int64)
    weights = np.array([w for _, w in pairs], dtype=np.int64)
    h = HashCounter()
    h.add(keys, weights)
    c = collections.Counter()
    for k, w in pairs:
        c[k] += w  # keeps keys whose count is 0 or below, as HashCounter does
    assert as_dict(h) == dict(c)
    assert h.total() == sum(c.values())


@settings(max_examples=100, deadline=None)
@given(st.lists(keys_st, max_size=300), st.lists(keys_st, max_size=100), st.data())
def test_deletions_and_setitem(keys, dels, data):
    h = HashCounter(keys)
    c = collections.Counter(keys)
    for k in dels + keys[: len(keys) // 2]:
        del h[k]
        c.pop(k, None)
    assert as_dict(h) == dict(c)
    for k in data.draw(st.lists(keys_st, max_size=30)):
        n = data.draw(weights_st)
        h[k] = n
        c[k] = n
        assert h[k] == n
    assert as_dict(h) == dict(c)
    h.add(keys)
    c.update(keys)
    assert as_dict(h) == dict(c)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(keys_st, weights_st), max_size=200),
       st.lists(st.tuples(keys_st, weights_st), max_size=200))
def test_merge(a, b):
    ha, hb = HashCounter(), HashCounter()
    ca, cb = collections.Counter(), collections.Counter()
    for h, c, pairs in ((ha, ca, a), (hb, cb, b)):
        for k, w in pairs:
            h.add(k, w)
            c[k] += w
    before_b = hb.copy()
    ha.merge(hb)
    ca.update(cb)  # update keeps zero and negative counts, like merge
    assert as_dict(ha) == dict(ca)
    assert hb == before_b
    # merging a counter into itself doubles it
    hb.merge(hb)
    assert as_dict(hb) == {k: 2 * v for k, v in cb.items()}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-20, 20), st.integers(-3, 3)), max_size=300),
       st.integers(-2, 60))
def test_most_common_partial_selection_and_tie_rule(pairs, k):
    h = HashCounter()
    c = collections.Counter()
    for key, w in pairs:
        h.add(key, w)
        c[key] += w
    got = h.most_common(k)
    assert got == oracle_most_common(c, max(k, 0))
    # same multiset of counts as collections.Counter's own answer
    assert sorted(v for _, v in got) == sorted(v for _, v in c.most_common(max(k, 0)))
    assert h.most_common() == h.most_common(None) == oracle_most_common(c)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(keys_st, weights_st), max_size=200))
def test_pickle_copy_and_equality(pairs):
    h = HashCounter()
    for k, w in pairs:
        h.add(k, w)
    contents = as_dict(h)
    for clone in (pickle.loads(pickle.dumps(h)), pickle.loads(pickle.dumps(h, protocol=5)),
                  h.copy(), copy.copy(h), copy.deepcopy(h)):
        assert clone == h and not (clone != h)
        assert clone is not h
        assert as_dict(clone) == as_dict(h)
        clone.add(12345678901, 1)
        assert clone != h
        assert as_dict(h) == contents  # the original is independent of its clones


def test_equality_is_order_free_and_counts_presence():
    a = HashCounter([1, 2, 3])
    b = HashCounter([3, 2, 1])
    assert a == b
    b.add(4, 0)  # present with count 0: different keys
    assert a != b
    assert a != {1: 1, 2: 1, 3: 1}  # only HashCounters compare equal
    with pytest.raises(TypeError):
        hash(a)


# -- buffers of every integer type -----------------------------------------

INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
              np.intc, np.uintc, np.longlong, np.ulonglong, np.intp, np.uintp]


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_every_numpy_integer_dtype(dtype):
    info = np.iinfo(dtype)
    hi = min(int(info.max), I64_MAX)
    values = [int(info.min), 0, 1, hi, hi, 7, 7, 7, int(info.min)]
    if info.min < 0:
        values += [-1, -1]
    arr = np.array(values, dtype=dtype)
    h = HashCounter()
    h.add(arr)
    assert as_dict(h) == dict(collections.Counter(values))
    # non-contiguous, read-only and foreign byte order views count the same
    h2 = HashCounter()
    h2.add(np.repeat(arr, 2)[::2])
    ro = arr.copy()
    ro.flags.writeable = False
    h2.add(ro)
    h2.add(arr.astype(arr.dtype.newbyteorder("S")))
    assert as_dict(h2) == {k: 3 * v for k, v in collections.Counter(values).items()}
    # as counts too
    w = np.array([1] * len(values), dtype=dtype)
    h3 = HashCounter()
    h3.add(np.arange(len(values)), w)
    assert as_dict(h3) == {i: 1 for i in range(len(values))}


@pytest.mark.parametrize("typecode", ["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q"])
def test_array_array_and_memoryview(typecode):
    values = [0, 1, 2, 2, 3, 3, 3, 100]
    h = HashCounter()
    h.add(array.array(typecode, values))
    h.add(memoryview(array.array(typecode, values)))
    h.add(memoryview(array.array(typecode, [v for v in values for _ in (0, 1)]))[::2])
    assert as_dict(h) == {k: 3 * v for k, v in collections.Counter(values).items()}


def test_other_argument_forms():
    h = HashCounter()
    h.add(b"abca")  # bytes: a buffer of uint8
    h.add(iter([5, 5, 6]))  # any iterable
    h.add(x for x in (6,))
    h.add(np.array([7, 7], dtype=object))  # object array: checked element by element
    h.add([np.int32(8), np.uint64(8)])  # numpy integer scalars in a list
    h.add(np.int64(9))  # one numpy key
    h.add(np.array(9), 2)  # 0-d array: one key
    h.add(10, 5)
    h.add({11: 3, 12: 0})  # a mapping adds its counts
    h.add(HashCounter([13]))  # another HashCounter merges
    h.add([14, 15], (2, 3))
    h.add(np.array([], dtype=np.int64))
    h.add([])
    assert as_dict(h) == {97: 2, 98: 1, 99: 1, 5: 2, 6: 2, 7: 2, 8: 2, 9: 3, 10: 5,
                          11: 3, 12: 0, 13: 1, 14: 2, 15: 3}
    assert HashCounter([1, 1, 2]) == HashCounter(np.array([1, 2]), [2, 1])


# -- bad input: a clear error naming the position, the counter unchanged ----

def _prefilled():
    h = HashCounter()
    h.add(np.arange(-50, 50))
    h.add(I64_MAX - 1, I64_MAX - 1)  # a key whose count is near the top
    h.add(0, 0)
    return h


BAD_BATCHES = [
    # (keys, counts, exception, text that must be in the message)
    (np.array([1.0, 2.0]), None, TypeError, "keys[0]: expected an integer, got float"),
    (np.array([True, False]), None, TypeError, "keys[0]: expected an integer, got bool"),
    (np.array([], dtype=np.float32), None, TypeError, "keys: expected an integer buffer"),
    ([1, 2, True], None, TypeError, "keys[2]: expected an integer, got bool"),
    ([1, 2, np.bool_(True)], None, TypeError, "keys[2]: expected an integer, got bool"),
    ([1, 2.0], None, TypeError, "keys[1]: expected an integer, got float"),
    ([1, 2, 3, "4"], None, TypeError, "keys[3]: expected an integer, got str"),
    ([None], None, TypeError, "keys[0]: expected an integer, got NoneType"),
    ("abc", None, TypeError, "keys[0]: expected an integer, got str"),
    ([1, 2**63], None, OverflowError, "keys[1]: 9223372036854775808 is outside the signed 64-bit range"),
    ([-(2**63) - 1], None, OverflowError, "keys[0]: -9223372036854775809 is outside"),
    (np.array([1, 2, 2**63 + 5], dtype=np.uint64), None, OverflowError,
     "keys[2]: 9223372036854775813 is outside"),
    (np.array([1, 2], dtype=object), None, None, None),  # placeholder replaced below
    (np.zeros((2, 2), dtype=np.int64), None, ValueError, "keys: expected a one-dimensional buffer"),
    (None, None, TypeError, "keys: expected an integer buffer or an iterable of integers, got NoneType"),
    (object(), None, TypeError, "got object"),
    ([1, 2, 3], [1, 2], ValueError, "differ in length (3 and 2)"),
    (np.arange(3), np.ones(4, dtype=np.int64), ValueError, "differ in length (3 and 4)"),
    ([1, 2, 3], [1, 1.5, 1], TypeError, "counts[1]: expected an integer, got float"),
    ([1, 2, 3], np.array([1.0, 2.0, 3.0]), TypeError, "counts[0]: expected an integer, got float"),
    ([1, 2, 3], [1, 1, 2**64], OverflowError, "counts[2]: 18446744073709551616 is outside"),
    ([1, 2, 3], 5, TypeError, "counts: expected an integer buffer or an iterable of integers, got int"),
    ([1, 2, 3], [1, 1, False], TypeError, "counts[2]: expected an integer, got bool"),
]
BAD_BATCHES[12] = (np.array([1, 2.5], dtype=object), None, TypeError,
                   "keys[1]: expected an integer, got float")

# numpy's bool had __index__ before numpy 2.3 (True counted as key 1 on
# Python 3.10's numpy 2.2); a stand-in with the same name and module makes
# the test bite on any numpy
OLD_NUMPY_BOOL = type("bool", (), {"__index__": lambda self: 1, "__module__": "numpy"})
BAD_BATCHES += [
    ([1, 2, OLD_NUMPY_BOOL()], None, TypeError, "keys[2]: expected an integer, got bool"),
    ([1, 2], [1, OLD_NUMPY_BOOL()], TypeError, "counts[1]: expected an integer, got bool"),
]


@pytest.mark.parametrize("keys,counts,exc,text", BAD_BATCHES)
def test_bad_batches_raise_naming_the_position_and_change_nothing(keys, counts, exc, text):
    h = _prefilled()
    before = h.copy()
    with pytest.raises(exc) as info:
        h.add(keys, counts)
    assert text in str(info.value)
    assert h == before
    assert as_dict(h) == as_dict(before)


@pytest.mark.parametrize("key,n,exc,text", [
    (True, None, TypeError, "key: expected an integer, got bool"),
    (1.5, None, TypeError, "got float"),
    (np.float64(1.0), None, TypeError, "key: expected an integer, got float64"),
    (2**63, None, OverflowError, "key: 9223372036854775808 is outside"),
    (3, 2.0, TypeError, "n: expected an integer, got float"),
    (3, False, TypeError, "n: expected an integer, got bool"),
    (OLD_NUMPY_BOOL(), None, TypeError, "key: expected an integer, got bool"),
    (3, 2**63, OverflowError, "n: 9223372036854775808 is outside"),
])
def test_bad_single_key(key, n, exc, text):
    h = _prefilled()
    before = h.copy()
    with pytest.raises(exc) as info:
        h.add(key) if n is None else h.add(key, n)
    assert text in str(info.value)
    assert h == before


def test_count_overflow_raises_and_undoes_the_batch():
    h = _prefilled()
    before = h.copy()
    new_keys = [10**12 + i for i in range(5000)]  # inserted, then must vanish again
    keys = new_keys + [3, 3, I64_MAX - 1] + new_keys
    with pytest.raises(OverflowError) as info:
        h.add(keys, [1] * 5000 + [1, 1, 3] + [1] * 5000)
    assert f"keys[{5002}]" in str(info.value)
    assert "the counter is unchanged" in str(info.value)
    assert h == before and as_dict(h) == as_dict(before)
    # downwards too, on the out-of-line key INT64_MIN and key 0
    h.add(I64_MIN, I64_MIN + 1)
    h.add(0, I64_MIN)
    before = h.copy()
    for key in (I64_MIN, 0):
        with pytest.raises(OverflowError):
            h.add(np.array([5, 1, key, key], dtype=np.int64), np.array([1, 1, -1, -1]))
        with pytest.raises(OverflowError, match=f"key {key}: count"):
            h.add(key, -2)
        assert h == before
    # a huge batch (released GIL, prefetching loop) undoes as well
    big = np.arange(10**6, 2 * 10**6, dtype=np.int64)
    big[-1] = I64_MAX - 1
    with pytest.raises(OverflowError, match=r"keys\[999999\]"):
        h.add(big, np.full(big.shape, I64_MAX - 3, dtype=np.int64))
    assert h == before


def test_merge_overflow_changes_nothing():
    a = HashCounter(range(1000))
    a[I64_MAX] = I64_MAX
    b = HashCounter(range(500, 5000))
    b[I64_MAX] = 1
    before_a, before_b = a.copy(), b.copy()
    with pytest.raises(OverflowError, match=f"key {I64_MAX}"):
        a.merge(b)
    assert a == before_a and b == before_b
    with pytest.raises(TypeError, match="expected a HashCounter"):
        a.merge({1: 2})


def _out_of_memory_check(keys: str, headroom_mb: int, more: str, final: str, tmp_path, env):
    """Add ``keys`` (an expression) to a 100k-key table in a child process
    whose address space is capped ``headroom_mb`` above its use: a
    MemoryError, the table unchanged (``more``: further checks under the cap),
    then, the limit lifted, counted in full (``final`` holds).
    The cap is on the child only, so the test process is safe."""
    if not sys.platform.startswith("linux"):
        pytest.skip("address-space limits via /proc are Linux only")
    code = textwrap.dedent(f"""
        import resource, numpy as np
        from fastcount import HashCounter
        h = HashCounter(np.arange(100_000))
        h.add(7, 5)
        before = h.copy()
        keys = {keys}
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm") as f:
            vm = int(f.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (vm + {headroom_mb} * 2**20, hard))
        try:
            h.add(keys)
        except MemoryError as e:
            assert "unchanged" in str(e), e
        else:
            raise SystemExit("no MemoryError")
        {more}
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        assert h == before, "changed"
        h.add(keys)
        assert {final} and h[7] == 6
        print("OK")
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
        cwd=tmp_path, env=env,
    )
    assert out.stdout.strip() == "OK", out.stdout + out.stderr


def test_out_of_memory_leaves_the_table_intact(tmp_path, child_env):
    reserve = ("try:\n            h.reserve(10**8)\n        except MemoryError:\n            pass\n"
               "        else:\n            raise SystemExit('no MemoryError from reserve')")
    _out_of_memory_check("np.arange(10**6, 6 * 10**6, dtype=np.int64)", 40, reserve,
                         "len(h) == 100_000 + len(keys)", tmp_path, child_env)


def test_reserve_beyond_the_address_space():
    h = HashCounter([1, 2])
    with pytest.raises(MemoryError):
        h.reserve(2**62)
    assert as_dict(h) == {1: 1, 2: 1}


# -- growth, key patterns, lookups ------------------------------------------

@pytest.mark.parametrize("pattern", ["sequential", "strided", "random", "negative"])
def test_growth_across_many_resizes_is_exact(pattern):
    n = 10**6
    if pattern == "sequential":
        keys = np.arange(n, dtype=np.int64)
    elif pattern == "strided":
        keys = np.arange(n, dtype=np.int64) << 20
    elif pattern == "random":
        keys = np.unique(np.random.default_rng(5).integers(I64_MIN, I64_MAX, n, dtype=np.int64))
    else:
        keys = -np.arange(n, dtype=np.int64) * 3
    h = HashCounter()
    for chunk in np.array_split(keys, 7):  # growth between and inside batches
        h.add(chunk)
    h.add(keys[::3])
    expect = np.ones(len(keys), dtype=np.int64)
    expect[::3] = 2
    got_keys, got_counts = h.to_arrays()
    order = np.argsort(got_keys)
    ref = np.argsort(keys)
    assert np.array_equal(got_keys[order], keys[ref])
    assert np.array_equal(got_counts[order], expect[ref])
    assert len(h) == len(keys) and h.total() == int(expect.sum())
    assert h.capacity >= len(h) and h.capacity & (h.capacity - 1) == 0  # a power of two
    # delete a third (backward-shift deletion), then look everything up
    for k in keys[1::3][:20000].tolist():
        del h[k]
    gone = set(keys[1::3][:20000].tolist())
    for k, c in zip(keys[:60000].tolist(), expect[:60000].tolist()):
        assert h[k] == (0 if k in gone else c)
        assert (k in h) == (k not in gone)


def test_lookups_and_views():
    h = HashCounter([5, 5, 7])
    assert h[5] == 2 and h[6] == 0 and h[2**70] == 0
    assert 5 in h and 6 not in h and "x" not in h and 2**70 not in h and True not in h
    assert h.get(5) == 2 and h.get(6) is None and h.get(6, 0) == 0
    with pytest.raises(TypeError, match="HashCounter keys are integers, got str"):
        h["x"]
    with pytest.raises(TypeError, match="got bool"):
        h[True]
    h[6] = 0
    assert 6 in h and h[6] == 0 and len(h) == 3
    del h[6]
    del h[6]  # like collections.Counter: no error when absent
    h.discard(123)
    assert len(h) == 2
    assert sorted(h.items()) == [(5, 2), (7, 1)]
    assert repr(h) == "HashCounter({5: 2, 7: 1})"
    assert repr(HashCounter()) == "HashCounter({})"
    big = HashCounter(range(100))
    assert repr(big).endswith(", ... (100 keys)})") and repr(big).startswith("HashCounter({0: 1, 1: 1,")
    big.clear()  # releases the table's memory
    assert len(big) == 0 and big.total() == 0 and big.nbytes == HashCounter().nbytes
    h.clear()
    assert len(h) == 0 and h.total() == 0
    assert h.most_common(3) == [] and h.to_arrays()[0].shape == (0,)


def test_total_beyond_int64():
    h = HashCounter()
    h.add(np.arange(1, 11), np.full(10, I64_MAX))
    h.add(I64_MIN, I64_MIN)
    assert h.total() == 10 * I64_MAX + I64_MIN


def test_iteration_and_mutation_during_it():
    h = HashCounter(range(10))
    assert sorted(iter(h)) == list(range(10))
    with pytest.raises(RuntimeError, match="changed size during iteration"):
        for k in h:
            h.add(k + 100)


def test_most_common_large_with_many_ties():
    rng = np.random.default_rng(3)
    keys = rng.integers(-(10**6), 10**6, 200_000)
    h = HashCounter(keys)
    c = collections.Counter(keys.tolist())
    for k in (0, 1, 10, 1000, len(c) - 1, len(c), len(c) + 5):
        assert h.most_common(k) == oracle_most_common(c, k)


def test_memory_is_at_most_34_bytes_per_key_at_scale():
    h = HashCounter(np.arange(10**6))
    assert h.nbytes / len(h) <= 34
    assert sys.getsizeof(h) >= h.nbytes


def test_threads_never_corrupt_the_table():
    h = HashCounter()
    chunk = np.arange(200_000, dtype=np.int64)
    done = []

    def work():
        for _ in range(20):
            try:
                h.add(chunk)
            except RuntimeError as e:  # another thread holds the table
                assert "in use by another thread" in str(e)
            else:
                done.append(1)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys, counts = h.to_arrays()
    assert len(keys) == len(chunk)
    assert (counts == len(done)).all()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["dense", "strided", "wide"]))
def test_interleaved_adds_deletes_and_growth_match_a_dict(seed, layout):
    rng = np.random.default_rng(seed)
    universe = {
        "dense": np.arange(-100, 3000, dtype=np.int64),
        "strided": np.arange(3000, dtype=np.int64) << 40,
        "wide": rng.integers(I64_MIN, I64_MAX, 3000, dtype=np.int64, endpoint=True),
    }[layout]
    h = HashCounter()
    ref = {}
    for _ in range(12):
        keys = rng.choice(universe, size=int(rng.integers(1, 2000)))
        counts = rng.integers(-3, 4, size=keys.shape[0])
        h.add(keys, counts)
        for k, c in zip(keys.tolist(), counts.tolist()):
            ref[k] = ref.get(k, 0) + c
        for k in rng.choice(universe, size=int(rng.integers(0, 800))).tolist():
            h.discard(k)
            ref.pop(k, None)
        assert len(h) == len(ref)
    assert as_dict(h) == ref
    assert all(h[k] == ref.get(k, 0) and (k in h) == (k in ref) for k in universe.tolist())


# -- dense counting of unit-count batches over a small key range -------------
# HashCounter.add counts a unit-count batch of n >= 64 keys whose max - min is
# below min(n // 2, 2**24) in a temporary array indexed by key - min (chunks of
# 4096 keys widen it as they arrive); any other batch is hashed key by key.
# Both paths must give the same counts, errors and all-or-nothing behaviour.

DENSE_MIN = 64


def check_against_counter(batches, start=()):
    """Add each batch to a counter holding ``start``; compare with collections.Counter."""
    h = HashCounter(list(start))
    c = collections.Counter(list(start))
    for keys in batches:
        h.add(keys)
        c.update(np.asarray(keys).tolist())
    assert as_dict(h) == dict(c)
    assert h.total() == c.total()
    return h


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([0, -5, 1000, -(2**40), I64_MIN, I64_MAX - 40, I64_MIN + 3]),
       st.integers(0, 40), st.integers(DENSE_MIN - 2, 400), st.data())
def test_dense_batches_like_collections_counter(base, width, n, data):
    # keys in [base, base + width], clipped to int64: mostly dense, some too wide
    hi = min(base + width, I64_MAX)
    keys = data.draw(st.lists(st.integers(base, hi), min_size=n, max_size=n))
    start = data.draw(st.lists(st.one_of(st.integers(base, hi), keys_st), max_size=20))
    arr = np.array(keys, dtype=np.int64)
    check_against_counter([arr, arr[::-1], keys], start)


@pytest.mark.parametrize("n", [DENSE_MIN - 1, DENSE_MIN, 1000, 4097, 50_001])
@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_dense_range_boundaries(n, extra):
    # max - min just below, at and above the n // 2 cells the dense path allows
    span = n // 2 - 1 + extra
    keys = np.arange(n, dtype=np.int64) % span
    keys[-1] = span  # the key that makes the span comes last
    for lo in (0, -(2**62), I64_MAX - span, I64_MIN):
        h = check_against_counter([keys + lo])
        assert min(h) == lo and max(h) == lo + span


@pytest.mark.parametrize("order", ["ascending", "descending", "zigzag", "late-outlier",
                                   "early-outlier", "negative"])
def test_dense_widening_across_chunks(order):
    n = 3 * 4096 + 17
    rng = np.random.default_rng(1)
    if order == "ascending":
        keys = np.arange(n, dtype=np.int64) // 3
    elif order == "descending":
        keys = np.arange(n, dtype=np.int64)[::-1] // 3
    elif order == "zigzag":
        keys = np.where(np.arange(n) % 2 == 0, np.arange(n) // 5, -(np.arange(n) // 5))  # both ends
    elif order == "negative":
        keys = -rng.integers(0, 2000, n)
    else:
        # dense until one key makes the span too wide: the batch is hashed instead
        keys = rng.integers(0, 2000, n)
        keys[-1 if order == "late-outlier" else 5000] = 10**12
    keys = keys.astype(np.int64)
    check_against_counter([keys, keys[::2], keys[1::3]], start=[0, 1, 10**12, -(2**63)])


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_dense_every_integer_dtype(dtype):
    info = np.iinfo(dtype)
    rng = np.random.default_rng(2)
    for lo in (int(info.min), 0, min(int(info.max), I64_MAX) - 99):
        keys = (rng.integers(0, 100, 5000) + lo).astype(dtype)
        check_against_counter([keys, keys[::2], memoryview(keys), keys.astype(keys.dtype.newbyteorder("S"))])


def test_dense_overflow_names_the_position_and_changes_nothing():
    h = _prefilled()
    h[5] = I64_MAX - 2
    before = h.copy()
    new = np.tile(np.arange(60, 90), 4)  # inserted, then must vanish again
    keys = np.concatenate([new, [5, 3, 5, 5, 5], new])
    with pytest.raises(OverflowError) as info:
        h.add(keys)  # the third 5 takes the count past I64_MAX
    assert "keys[123]: count of key 5 plus 1" in str(info.value)
    assert "the counter is unchanged" in str(info.value)
    assert h == before and as_dict(h) == as_dict(before)
    h.add(keys[:123])
    assert h[5] == I64_MAX and h[60] == 4 and h[3] == 2


def test_dense_out_of_memory_leaves_the_table_intact(tmp_path, child_env):
    # 4M keys spanning 2M - 1: counted densely (8 MB array, 32 MB of pairs), then
    # the table cannot grow; the hashed retry fails too, and nothing is changed
    _out_of_memory_check("np.repeat(np.arange(10**6, 3 * 10**6, dtype=np.int64), 2)", 60,
                         "assert h[10**6] == 0", "len(h) == 100_000 + 2 * 10**6 and h[10**6] == 2",
                         tmp_path, child_env)


@pytest.mark.parametrize("distinct", [40, 3000, 200_000])
def test_dense_table_is_no_larger_than_a_hashed_one(distinct):
    keys = np.random.default_rng(3).permutation(np.repeat(np.arange(distinct), 3))
    dense = HashCounter(keys)  # unit counts over a small range: dense
    hashed = HashCounter(keys, np.ones_like(keys))  # explicit counts: hashed
    assert dense == hashed and dense.nbytes <= hashed.nbytes
    dense.add(keys)  # into a filled table
    hashed.add(keys, np.ones_like(keys))
    assert dense == hashed and dense.nbytes <= hashed.nbytes
