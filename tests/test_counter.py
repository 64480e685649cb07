"""fastcount.Counter against collections.Counter, operation for operation.

Every test that takes the ``C`` fixture runs twice: once with
``collections.Counter`` and once with ``fastcount.Counter``. Each builds its
result with ``C`` and with ``collections.Counter`` (the reference) and compares
them through ``state()``, which turns a counter into lists (so key order,
``most_common`` tie order and ``elements()`` order are all checked), and most
also assert literal values so that the collections run is not vacuous.
The hypothesis tests drive both classes with the same random tokens and the
same random sequences of operations.
"""
import collections
import collections.abc
import copy
import operator
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from fastcount.counter import Counter as FastCounter

REF = collections.Counter
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


@pytest.fixture(params=[collections.Counter, FastCounter], ids=["collections", "fastcount"])
def C(request):
    """The Counter class under test."""
    return request.param


def state(c, elements=True):
    """Everything observable about a counter, as plain comparable values
    (``elements=False`` for counters with huge counts)."""
    return {
        "repr": repr(c),
        "items": list(c.items()),
        "iter": list(c),
        "keys": list(c.keys()),
        "values": list(c.values()),
        "reversed": list(reversed(c)),
        "most_common": c.most_common(),
        "most_common_2": c.most_common(2),
        "elements": list(c.elements()) if elements else None,
        "total": c.total(),
        "len": len(c),
        "bool": bool(c),
    }


def norm(x):
    """Replace any counter inside ``x`` by its state(), so results of both classes compare."""
    if isinstance(x, (REF, FastCounter)):
        return state(x)
    if isinstance(x, (list, tuple)):
        return type(x)(norm(v) for v in x)
    return x


def outcome(fn, cls):
    """fn(cls) normalised, or the exception it raised (type and message)."""
    try:
        return ("ok", norm(fn(cls)))
    except Exception as e:  # noqa: BLE001 - the exception is the observable result
        return ("raised", type(e), str(e))


def check(C, fn):
    """Assert fn gives the same observable outcome with C as with collections.Counter."""
    got = outcome(fn, C)
    want = outcome(fn, REF)
    assert got == want
    return got


def check_error(C, fn, exc):
    """fn raises exc with both classes; fastcount's message starts with collections'
    (a batch error adds the position of the bad element)."""
    got = outcome(fn, C)
    want = outcome(fn, REF)
    assert want[:2] == ("raised", exc)
    assert got[:2] == ("raised", exc)
    assert got[2].startswith(want[2])
    return got


WORDS = "我 喜欢 这个 手机 很 好 , 。 苹果 😀 👍🏽 apple Apple a b 的 的 的 很 好 好".split() + [""]


# ---------------------------------------------------------------- construction


def test_construct_from_iterable(C):
    c = C("abracadabra")
    assert c.most_common(3) == [("a", 5), ("b", 2), ("r", 2)]
    assert list(c.items()) == [("a", 5), ("b", 2), ("r", 2), ("c", 1), ("d", 1)]
    check(C, lambda K: K("abracadabra"))
    check(C, lambda K: K(WORDS))
    check(C, lambda K: K(iter(WORDS)))
    check(C, lambda K: K(w for w in WORDS if w))
    check(C, lambda K: K(tuple(WORDS)))
    check(C, lambda K: K([]))
    check(C, lambda K: K())
    check(C, lambda K: K(None))


def test_construct_from_mapping_and_keywords(C):
    c = C({"b": 2, "a": 1, "z": 0, "n": -3})
    assert list(c.items()) == [("b", 2), ("a", 1), ("z", 0), ("n", -3)]
    check(C, lambda K: K({"b": 2, "a": 1, "z": 0, "n": -3}))
    check(C, lambda K: K(REF(WORDS)))
    check(C, lambda K: K(FastCounter(WORDS)))
    check(C, lambda K: K(a=3, b=-1))
    check(C, lambda K: K("abc", a=4, d=1))
    check(C, lambda K: K({"x": 1}, x=2))
    check(C, lambda K: K(iterable=3, self=2))
    check(C, lambda K: K(collections.OrderedDict([("q", 1), ("p", 2)])))


def test_construct_argument_errors(C):
    r = check(C, lambda K: K("a", "b"))
    assert r[0] == "raised" and r[1] is TypeError
    r = check(C, lambda K: K(5))
    assert r[:2] == ("raised", TypeError)
    r = check_error(C, lambda K: K([[1]]), TypeError)
    assert "unhashable type: 'list'" in r[2]


def test_fromkeys_raises(C):
    r = check(C, lambda K: K.fromkeys("abc"))
    assert r[:2] == ("raised", NotImplementedError)
    assert "Counter.fromkeys() is undefined" in r[2]


def test_instances_take_attributes_and_weakrefs(C):
    import weakref

    c = C("ab")
    c.name = "mine"
    assert weakref.ref(c)() is c and c.name == "mine"


def test_is_a_mapping(C):
    c = C("ab")
    assert isinstance(c, collections.abc.Mapping)
    assert isinstance(c, collections.abc.MutableMapping)
    with pytest.raises(TypeError):
        hash(c)
    assert C[str] is not None  # generic alias, as for collections.Counter[str]


# ---------------------------------------------------------------- item access


def test_missing_is_zero_and_not_inserted(C):
    def f(K):
        c = K("aab")
        return c["zz"], "zz" in c, len(c), c.get("zz"), c.get("zz", 7), c.get("a", 7), c
    r = check(C, f)
    assert r[1][:6] == (0, False, 2, None, 7, 2)


def test_set_delete_and_reinsert_order(C):
    def f(K):
        c = K(["x", "y", "z", 1, (2, 3)])
        c["y"] = 5
        del c["x"]
        del c["not there"]  # no KeyError, as in collections
        c["x"] = 2  # a deleted key comes back at the end
        del c[1]
        c[1] = 0
        c["w"] = -4
        c[(2, 3)] += 1
        return c
    r = check(C, f)
    assert r[1]["items"] == [("y", 5), ("z", 1), ((2, 3), 2), ("x", 2), (1, 0), ("w", -4)]


def test_equal_non_str_keys_merge(C):
    def f(K):
        c = K([1, 1.0, True, "1", None, None, (1, "a"), frozenset({2})])
        c[2.0] += 3
        return c, c[1], c[True], c[2]
    r = check(C, f)
    assert r[1][1:] == (3, 3, 3)


def test_get_pop_popitem_setdefault_clear(C):
    def f(K):
        c = K(["a", "b", "b", 5, "c"])
        out = [c.pop("b"), c.pop("nope", 9), c.pop(5), c.setdefault("a", 10), c.setdefault("n", 4)]
        out.append(c.popitem())
        out.append(c.popitem())
        out.append(list(c.items()))
        c.clear()
        out.append(c)
        c.update("xy")
        out.append(c)
        return out
    r = check(C, f)
    assert r[1][:7] == [2, 9, 1, 1, 4, ("n", 4), ("c", 1)]


def test_pop_and_popitem_errors(C):
    r = check(C, lambda K: K().pop("x"))
    assert r[:2] == ("raised", KeyError)
    r = check(C, lambda K: K().popitem())
    assert r == ("raised", KeyError, "'popitem(): dictionary is empty'")


def test_unhashable_keys(C):
    for fn in (
        lambda K: K("ab")[["x"]],
        lambda K: ["x"] in K("ab"),
        lambda K: K("ab").__setitem__(["x"], 1),
        lambda K: K("ab").__delitem__(["x"]),
        lambda K: K("ab").get({}),
        lambda K: K([{}]),
        lambda K: K("ab").update([["x"]]),
    ):
        r = check_error(C, fn, TypeError)
        assert "unhashable type" in r[2]


def test_mutation_during_iteration(C):
    def f(K):
        c = K("abc")
        for _ in c:
            c["new"] = 1
    r = check(C, f)
    assert r == ("raised", RuntimeError, "dictionary changed size during iteration")

    c = C("abc")
    for k in c:
        c[k] += 1  # changing counts of present keys is allowed
    assert list(c.values()) == [2, 2, 2]


# ---------------------------------------------------------------- update / subtract


def test_update_and_subtract(C):
    def f(K):
        c = K("which")
        c.update("witch")
        c.update({"w": 2, "q": 0, "z": -1})
        c.update(h=3)
        c.update(None)
        c.update(REF("zz"), z=1)
        c.subtract("watch")
        c.subtract({"h": 10, "new": 2})
        c.subtract(FastCounter("ii"))
        c.subtract(x=1)
        c.subtract()
        return c
    r = check(C, f)
    assert r[1]["items"][:3] == [("w", 3), ("h", -5), ("i", 0)]


def test_update_from_own_class(C):
    def f(K):
        a = K(WORDS)
        b = K(["新", "词", 7])
        b.update(a)
        a.update(a)
        return a, b
    check(C, f)


# ---------------------------------------------------------------- queries


def test_most_common_all_n(C):
    for n in (None, 0, 1, 2, 3, 6, 20, -1):
        r = check(C, lambda K: K(WORDS + ["z", "y", "y", 3, 3]).most_common(n))
    assert C("abbccc").most_common() == [("c", 3), ("b", 2), ("a", 1)]
    assert C("abab").most_common(1) == [("a", 2)]  # ties: first inserted first
    r = check(C, lambda K: K("abc").most_common(2.5))
    assert r[:2] == ("raised", TypeError)


def test_elements_and_total(C):
    def f(K):
        c = K({"a": 2, "b": 0, "c": -1, 9: 3, "d": 1})
        return list(c.elements()), c.total()
    r = check(C, f)
    assert r[1] == (["a", "a", 9, 9, 9, "d"], 5)


def test_views(C):
    def f(K):
        c = K(["b", "a", "b", 3, ""])
        k, v, i = c.keys(), c.values(), c.items()
        return [
            list(k), list(v), list(i), len(k), len(v), len(i),
            "a" in k, "q" in k, 3 in k, ("b", 2) in i, ("b", 1) in i, ("q", 0) in i, 2 in v,
            k & {"a", "q"}, k | {"q"}, k - {"a"}, k ^ {"a", "q"}, k == {"a", "b", 3, ""},
            k.isdisjoint(["x"]), repr(k), repr(v), repr(i), list(reversed(k)),
        ]
    r = check(C, f)
    assert r[1][0] == ["b", "a", 3, ""]
    c = C("ab")
    k = c.keys()
    c["z"] = 1
    assert list(k) == ["a", "b", "z"]  # views are live


# ---------------------------------------------------------------- arithmetic


A_TOKENS = ["a", "b", "b", "c", "c", "c", 1, "😀"]
B_TOKENS = ["c", "d", "d", "b", "😀", "😀", 1]


def _pair(K):
    a = K(A_TOKENS)
    b = K(B_TOKENS)
    a["neg"] = -2
    b["zero"] = 0
    b["a"] = -1
    return a, b


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.or_, operator.and_])
def test_binary_ops(C, op):
    r = check(C, lambda K: op(*_pair(K)))
    check(C, lambda K: op(*reversed(_pair(K))))
    check(C, lambda K: op(K(), K("ab")))
    assert r[0] == "ok"


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.or_, operator.and_])
def test_binary_ops_mixed_classes(op):
    want = state(op(*_pair(REF)))
    a, b = _pair(FastCounter)
    ra, rb = _pair(REF)
    assert state(op(a, rb)) == want
    assert state(op(ra, b)) == want


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.and_])
def test_binary_ops_with_non_counter(C, op):
    r = check(C, lambda K: op(K("ab"), {"a": 1}))
    assert r[:2] == ("raised", TypeError)
    r = check(C, lambda K: op(K("ab"), 3))
    assert r[:2] == ("raised", TypeError)


def test_or_with_dict_is_dict_union(C):
    r = check(C, lambda K: K("ab") | {"b": 5, "c": 1})
    assert r == ("ok", {"a": 1, "b": 5, "c": 1})
    check(C, lambda K: {"b": 5, "c": 1} | K("ab"))


def test_unary_ops(C):
    def f(K):
        c = K({"a": 2, "b": 0, "c": -3, 4: 1, 5: -1})
        return +c, -c, c
    r = check(C, f)
    assert r[1][0]["items"] == [("a", 2), (4, 1)]
    assert r[1][1]["items"] == [("c", 3), (5, 1)]


@pytest.mark.parametrize("op", [operator.iadd, operator.isub, operator.ior, operator.iand])
def test_inplace_ops(C, op):
    def f(K):
        a, b = _pair(K)
        ident = a
        a = op(a, b)
        return a is ident, a, b
    r = check(C, f)
    assert r[1][0] is True
    check(C, lambda K: op(K("abca"), {"a": 1, "z": 2}))  # in-place takes any mapping


def test_comparisons(C):
    def f(K):
        a = K("aab")
        b = K("aabc")
        z = K({"a": 2, "b": 1, "q": 0})
        return [
            a == b, a != b, a <= b, a < b, a >= b, a > b, b > a, b >= a,
            a == z, a != z, a <= z, a < z, z >= a,
            a == {"a": 2, "b": 1}, a == {"a": 2, "b": 1, "q": 0}, a == "aab", a != 5,
            K() == K(), K() <= K({"x": 0}), K({"x": -1}) <= K(),
        ]
    r = check(C, f)
    assert r[1] == [False, True, True, True, False, False, True, True,
                    True, False, True, False, True, True, False, False, True, True, True, True]
    r = check(C, lambda K: K("a") <= {"a": 1})
    assert r[:2] == ("raised", TypeError)


def test_compare_across_classes():
    assert FastCounter("aab") == REF({"a": 2, "b": 1, "c": 0})
    assert REF({"a": 2, "b": 1, "c": 0}) == FastCounter("aab")
    assert FastCounter("ab") < REF("abb")
    assert REF("abb") > FastCounter("ab")


# ---------------------------------------------------------------- copy, pickle, repr


def test_copy_and_pickle(C):
    def f(K):
        c = K(WORDS + [1, (2, "x"), None])
        c["neg"] = -5
        del c["好"]
        c["好"] = 1
        out = [c.copy(), copy.copy(c), copy.deepcopy(c)]
        out += [pickle.loads(pickle.dumps(c, proto)) for proto in range(pickle.HIGHEST_PROTOCOL + 1)]
        d = c.copy()
        d["only in copy"] = 1
        out.append(c)
        return out
    r = check(C, f)
    assert all(s == r[1][0] for s in r[1][:-1])


def test_repr(C):
    def f(K):
        return [repr(K()), repr(K("abb")), repr(K({"a": -1, "b": 0, 3: 2, (1,): 1})), str(K("x"))]
    r = check(C, f)
    assert r[1][:2] == ["Counter()", "Counter({'b': 2, 'a': 1})"]


def test_subclass_name_in_repr(C):
    class Tally(C):
        pass

    t = Tally("aba")
    assert repr(t) == "Tally({'a': 2, 'b': 1})"
    assert type(t.copy()) is Tally
    assert type(t + t) is C  # like collections: binary operators return the base class
    assert t["zz"] == 0


def test_missing_hook_of_subclass(C):
    class Dflt(C):
        def __missing__(self, key):
            return -1

    d = Dflt("a")
    assert (d["a"], d["b"], d.get("b")) == (1, -1, None)


# ---------------------------------------------------------------- real text


REVIEW = (
    "这款手机外观很漂亮，电池也很耐用，就是价格有点贵。"
    "物流很快，包装完好，客服态度好！😀 Great phone, would buy again. "
    "屏幕显示效果不错，但是拍照一般般，总体来说还是值得购买的。"
    "第二次购买了，质量一如既往的好，推荐给大家。\n"
)


def test_real_jieba_tokens():
    jieba = pytest.importorskip("jieba")
    tokens = jieba.lcut(REVIEW * 3)
    assert len(tokens) > 50
    assert state(FastCounter(tokens)) == state(REF(tokens))
    a, b = FastCounter(), REF()
    for chunk in (tokens[:10], tokens[10:40], tokens[40:]):
        a.update(chunk)
        b.update(chunk)
        a.subtract(chunk[:3])
        b.subtract(chunk[:3])
    assert state(a) == state(b)


# ---------------------------------------------------------------- properties

CJK = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要"
LATIN = "abcAZ xy"
EMOJI = "😀👍🏽🎉"
token = st.one_of(
    st.text(alphabet=CJK + LATIN + EMOJI, max_size=3),
    st.sampled_from(["", "的", "手机", "😀", "a", "\ud800", "a\udfff", 1.0, True, None]),
    st.integers(-2, 2),
    st.tuples(st.integers(0, 2), st.sampled_from(["x", ""])),
)
tokens = st.lists(token, max_size=40)
counts = st.integers(-5, 5)
mapping = st.dictionaries(token, counts, max_size=8)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(tokens, tokens)
def test_property_all_operations_from_token_streams(xs, ys):
    for f in (
        lambda K: K(xs),
        lambda K: K(xs) + K(ys),
        lambda K: K(xs) - K(ys),
        lambda K: K(xs) | K(ys),
        lambda K: K(xs) & K(ys),
        lambda K: -K(xs),
        lambda K: +K(xs),
        lambda K: (K(xs) == K(ys), K(xs) <= K(ys), K(xs) < K(ys), K(xs) >= K(ys)),
        lambda K: [K(xs).most_common(n) for n in range(-1, 5)],
    ):
        assert outcome(f, FastCounter) == outcome(f, REF)

    def stream(K):
        c = K(xs)
        c.subtract(ys)
        d = c.copy()
        c.update(ys[::2])
        d += c
        return c, d, pickle.loads(pickle.dumps(d))

    assert outcome(stream, FastCounter) == outcome(stream, REF)


class SameAsCollections(RuleBasedStateMachine):
    """Random sequences of operations applied to both classes; states must agree."""

    def __init__(self):
        super().__init__()
        self.ref = REF()
        self.fast = FastCounter()

    def both(self, fn):
        """Apply fn to both counters; results (or raised errors) must agree."""
        assert outcome(lambda _: fn(self.fast), FastCounter) == outcome(lambda _: fn(self.ref), REF)

    @rule(xs=tokens)
    def update(self, xs):
        self.both(lambda c: c.update(xs))

    @rule(xs=tokens)
    def subtract(self, xs):
        self.both(lambda c: c.subtract(xs))

    @rule(m=mapping)
    def update_mapping(self, m):
        self.both(lambda c: c.update(m))

    @rule(m=mapping)
    def subtract_mapping(self, m):
        self.both(lambda c: c.subtract(m))

    @rule(k=token, n=counts)
    def setitem(self, k, n):
        self.both(lambda c: c.__setitem__(k, n))

    @rule(k=token)
    def delitem(self, k):
        self.both(lambda c: c.__delitem__(k))

    @rule(k=token, n=counts)
    def increment(self, k, n):
        def inc(c):
            c[k] += n
        self.both(inc)

    @rule(k=token)
    def pop(self, k):
        self.both(lambda c: c.pop(k, None))

    @precondition(lambda self: len(self.ref) > 0)
    @rule()
    def popitem(self):
        self.both(lambda c: c.popitem())

    @rule(k=token, n=counts)
    def setdefault(self, k, n):
        self.both(lambda c: c.setdefault(k, n))

    @rule(xs=tokens, op=st.sampled_from([operator.iadd, operator.isub, operator.ior, operator.iand]))
    def inplace(self, xs, op):
        def apply(c):
            other = type(c)(xs)
            other[xs[0] if xs else "e"] = -1
            res = op(c, other)
            assert res is c
        self.both(apply)

    @rule(xs=tokens, op=st.sampled_from([operator.add, operator.sub, operator.or_, operator.and_,
                                          operator.eq, operator.le, operator.lt, operator.ge]))
    def binary(self, xs, op):
        self.both(lambda c: op(c, type(c)(xs)))

    @rule()
    def unary(self):
        self.both(lambda c: (+c, -c))

    @rule(n=st.integers(-1, 6))
    def most_common(self, n):
        self.both(lambda c: c.most_common(n))

    @rule()
    def roundtrip(self):
        self.fast = pickle.loads(pickle.dumps(self.fast))
        self.ref = pickle.loads(pickle.dumps(self.ref))

    @rule()
    def copy(self):
        self.fast = self.fast.copy()
        self.ref = self.ref.copy()

    @rule()
    def clear(self):
        self.both(lambda c: c.clear())

    @invariant()
    def same_state(self):
        assert state(self.fast) == state(self.ref)


SameAsCollections.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_operation_sequences = SameAsCollections.TestCase
