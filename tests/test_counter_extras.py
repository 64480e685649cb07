"""fastcount.Counter's own behaviour beyond collections.Counter's API: bulk
updates that change nothing on bad input, int64 counts and their overflow,
compact pickles, keys that misbehave while being counted, and str subclasses.
The reference and the ``state()`` comparison come from test_counter.
"""
import array
import operator
import pickle

import pytest

import fastcount
from fastcount.counter import Counter as FastCounter
from test_counter import INT64_MAX, INT64_MIN, REF, state

@pytest.mark.parametrize("filler", [0, 100_000])
def test_list_update_encodes_every_kind_of_str_as_lookups_do(filler):
    # update(list) encodes str runs itself, in chunks of 32 and a bounded
    # buffer, once the vocabulary is large (filler words make it so); lookups
    # go through the Vocab's own encoding: both must agree
    words = ["a", "é", "ÿx", "的", "手机", "😀", "a😀é", "\ud800", "x\udfffy", "",
             "长" * 700, "é" * 1100, "😀" * 600, "b" * 5000]
    tokens = []
    for i in range(150):
        tokens.append(words[i % len(words)])
        if i % 37 == 5:
            tokens.append(i)   # non-str elements split the runs
    c, ref = FastCounter(), REF()
    for chunk in ([f"w{i}" for i in range(filler)], tokens, tokens[3:],
                  [t for t in tokens if isinstance(t, str)][::-1]):
        c.update(chunk)
        ref.update(chunk)
    assert state(c) == state(ref)
    assert all(c[w] == ref[w] for w in words)
    assert state(pickle.loads(pickle.dumps(c))) == state(ref)


def test_update_counts_matches_sequential_updates():
    np = pytest.importorskip("numpy")
    words = ["的", "手机", "", "😀", "的", "new"]
    counts = [3, 1, 0, -2, 4, 7]
    ref = REF("的手")
    for w, n in zip(words, counts):
        ref[w] += n
    for buf in (
        np.array(counts, dtype=np.int64),
        np.array(counts, dtype=np.int32),
        array.array("q", counts),
        counts,
        tuple(counts),
    ):
        c = FastCounter("的手")
        assert c.update_counts(words, buf) is None
        assert state(c) == state(ref)
    c = FastCounter()
    c.update_counts([], [])
    assert state(c) == state(REF())


def test_update_counts_bad_input_leaves_counter_unchanged():
    np = pytest.importorskip("numpy")
    c = FastCounter(["a", "b", "b"])
    before = state(c)
    cases = [
        (["a", "z"], [1], ValueError, "length"),
        (["a", "z"], [1, 2.5], TypeError, "position 1"),
        (["a", "z"], [1, True], TypeError, "position 1"),
        (["a", "z"], np.array([1.0, 2.0]), TypeError, "float64"),
        (["a", "z"], np.array([True, False]), TypeError, "bool"),
        (["a", "z"], np.array([1, 2**63], dtype=np.uint64), OverflowError, "position 1"),
        (["a", "z", ["x"]], [1, 1, 1], TypeError, "position 2"),
        (["a", "b"], [INT64_MAX, 1], OverflowError, "int64"),
        (["b", "b"], [INT64_MAX - 3, 5], OverflowError, "int64"),
        ("ab", [1, 2], TypeError, "str"),
        (["a", "b"], 5, TypeError, "not int"),
    ]
    for words, counts, exc, text in cases:
        with pytest.raises(exc, match=text):
            c.update_counts(words, counts)
        assert state(c) == before, (words, counts)


def test_batch_with_unhashable_element_names_position_and_changes_nothing():
    c = FastCounter(["a", "b", 3])
    c["z"] = -1
    before = state(c)
    for make in (
        lambda: ["new", "a", 4, ["x"], "b"],
        lambda: iter(["a", {}, "q"]),
        lambda: ("x", "y", set()),
        lambda: (w for w in ["a", "b", "new", ["x"]]),
    ):
        with pytest.raises(TypeError, match=r"unhashable type: '(list|dict|set)'.*position [123]"):
            c.update(make())
        assert state(c) == before
        with pytest.raises(TypeError, match=r"unhashable type: '(list|dict|set)'.*position [123]"):
            c.subtract(make())
        assert state(c) == before
    with pytest.raises(TypeError, match="unhashable"):
        FastCounter(["ok", ["bad"]])


def test_generator_failure_midway_changes_nothing():
    c = FastCounter("abc")
    before = state(c)

    def gen():
        yield "a"
        yield "new"
        raise ValueError("source broke")

    with pytest.raises(ValueError, match="source broke"):
        c.update(gen())
    assert state(c) == before
    assert "new" not in c


def test_counts_must_be_int64_integers():
    c = FastCounter("ab")
    before = state(c)
    with pytest.raises(OverflowError, match="int64"):
        c["a"] = 2**63
    with pytest.raises(OverflowError, match="int64"):
        c[5] = -(2**63) - 1
    with pytest.raises(TypeError, match="integer"):
        c["a"] = 1.5
    with pytest.raises(TypeError, match="integer"):
        c["a"] = True
    with pytest.raises(TypeError, match="integer"):
        c.setdefault("q")
    with pytest.raises(TypeError, match="'x'"):
        c.update({"a": 1, "x": "3"})
    with pytest.raises(OverflowError, match="'x'"):
        c.update({"a": 1, "x": 2**64})
    with pytest.raises(OverflowError, match="'x'"):
        c.subtract({"a": 1, "x": INT64_MIN})  # -INT64_MIN does not fit
    assert state(c) == before
    c["a"] = INT64_MAX
    c["b"] = INT64_MIN
    before = state(c, elements=False)
    for action in (
        lambda: c.update(["x", "a"]),
        lambda: c.subtract(["x", "b"]),
        lambda: c.update({"x": 1, "a": 1}),
        lambda: c.update(FastCounter(["x", "a"])),
        lambda: c.__iadd__(FastCounter("a")),
    ):
        with pytest.raises(OverflowError, match="'[ab]'.*int64"):
            action()
        assert state(c, elements=False) == before
    assert c.total() == -1  # Python int arithmetic, no wrap-around
    assert FastCounter({"a": INT64_MAX, "b": INT64_MAX}).total() == 2 * INT64_MAX
    import numpy as np

    c = FastCounter()
    c[np.int64(3)] = np.int32(4)  # numpy integers are integers
    assert list(c.items()) == [(3, 4)] and type(c[3]) is int


def test_add_overflow_in_binary_op():
    a = FastCounter({"a": INT64_MAX})
    with pytest.raises(OverflowError, match="int64"):
        a + a
    assert a["a"] == INT64_MAX


def test_operators_at_the_int64_edges_match_collections_or_overflow():
    edges = [INT64_MIN, INT64_MIN + 1, -2, -1, 0, 1, 2, INT64_MAX - 1, INT64_MAX]
    ops = [operator.add, operator.sub, operator.or_, operator.and_,
           lambda a, b: +a, lambda a, b: -a, operator.eq, operator.le, operator.ge, operator.lt]
    for x in edges:
        for y in edges:
            for op in ops:
                want = op(REF({"w": x, 1: y}), REF({"w": y, "only b": x}))
                fits = not isinstance(want, REF) or all(INT64_MIN <= v <= INT64_MAX
                                                        for v in want.values())
                a, b = FastCounter({"w": x, 1: y}), FastCounter({"w": y, "only b": x})
                if fits:
                    got = op(a, b)
                    if isinstance(want, REF):
                        assert state(got, elements=False) == state(want, elements=False)
                    else:
                        assert got == want
                else:
                    with pytest.raises(OverflowError, match="int64"):
                        op(a, b)


def test_pickle_is_compact():
    words = [f"词{i}" for i in range(5000)]
    c = FastCounter()
    c.update_counts(words, list(range(1, 5001)))
    data = pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL)
    utf8 = sum(len(w.encode()) for w in words)
    # UTF-8 text + a 1-byte length + a 2-byte varint count per word, plus a constant
    assert len(data) <= utf8 + 5000 * (1 + 2) + 400
    assert state(pickle.loads(data)) == state(c)
    lone = FastCounter(["\ud800", "a\udfffb", "ok"])
    assert state(pickle.loads(pickle.dumps(lone))) == state(REF(["\ud800", "a\udfffb", "ok"]))


def test_keys_that_mutate_the_counter_do_not_crash():
    class Hostile:
        """Equal to every other Hostile; comparing clears or deletes from the victims."""

        victims = []

        def __hash__(self):
            return 7

        def __eq__(self, other):
            for v in self.victims:
                if len(v) % 2:
                    v.clear()
                elif v:
                    v.popitem()
            return isinstance(other, Hostile)

    for trial in range(3):
        a = FastCounter(["x", Hostile(), "y", Hostile(), 3, "z"])
        b = FastCounter([Hostile(), "x", 3, Hostile()])
        Hostile.victims = [a, b]
        for action in (
            lambda: a.update([Hostile(), "q", Hostile()]),
            lambda: a.__setitem__(Hostile(), 5),
            lambda: a.__delitem__(Hostile()),
            lambda: a.pop(Hostile(), None),
            lambda: a[Hostile()], lambda: Hostile() in a, lambda: a.get(Hostile()),
            lambda: a.setdefault(Hostile(), 1), lambda: a.subtract([Hostile()]),
            lambda: a + b, lambda: a - b, lambda: a | b, lambda: a & b,
            lambda: a == b, lambda: a <= b, lambda: +a, lambda: -b,
            lambda: a.__iadd__(b), lambda: a.__iand__(b), lambda: b.__ior__(a),
            lambda: a.update(b), lambda: a.subtract(b), lambda: list(a.items()),
            lambda: pickle.loads(pickle.dumps(a)), lambda: a.most_common(),
        ):
            try:
                action()
            except (RuntimeError, KeyError):
                pass  # refusing is fine; crashing or corrupting is not
            for c in (a, b):
                assert len(list(c.items())) == len(c) == len(list(c)) == len(c.most_common())
        Hostile.victims = []



def test_update_from_a_counter_into_a_large_one():
    # A large target takes another counter's words in prefetched runs; deleted
    # keys and keys that are not str in the source must keep their turns.
    words = [f"w{i}" for i in range(200_000)]
    big, ref = FastCounter(words), REF(words)
    src = FastCounter()
    for i in range(0, 300_000, 3):
        src[f"w{i}"] = i % 5 + 1
        if i % 999 == 0:
            src[i] = 2
    for i in range(0, 300_000, 300):
        del src[f"w{i}"]
    src_ref = REF(dict(src.items()))
    for sign in (1, -1):
        got, want = FastCounter(big), REF(ref)
        if sign > 0:
            got.update(src)
            want.update(src_ref)
        else:
            got.subtract(src)
            want.subtract(src_ref)
        assert list(got.items()) == list(want.items())


def test_str_subclass_keys_are_plain_words():
    class S(str):
        pass

    c = FastCounter([S("a"), "a"])
    assert list(c.items()) == [("a", 2)]
    assert c[S("a")] == 2


def test_public_name():
    assert fastcount.Counter is FastCounter
