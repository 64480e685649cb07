"""fastcount.Counter's compact forms, against collections.Counter: its
pickle state (a Vocab's layout plus varint counts; damaged states raise,
never crash), Counter.from_vocab and Counter.to_vocab, and the (word, tag)
pairs of a POS count (pairs_from)."""
import collections
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastcount import Counter, Vocab
from fastcount.counter import Counter as FastCounter
from test_counter import CJK, EMOJI, LATIN, REF, SETTINGS, state, tokens

def _state_of(c):
    from fastcount._counter_state import getstate

    return getstate(c)


def test_pickle_state_layout_is_the_vocab_layout():
    from fastcount import Vocab

    version, arena, lengths, counts, others = _state_of(FastCounter(["ab", "c", 5, "ab", "中"]))
    assert version == 3 and others == [(2, 5)]
    # the words in key order, in a Vocab's own pickle layout
    assert (arena, lengths) == Vocab(["ab", "c", "中"]).__reduce__()[1]
    assert counts == bytes([4, 2, 2, 2])  # zigzag varints: 2, 1, 1, 1


# The state of FastCounter(["ab", "c", 5]): words "ab" and "c", then the key 5.
GOOD = (3, b"abc", b"\x02\x01", b"\x02\x02\x02", [(2, 5)])

BAD_STATES = [
    # (state, exception, message)
    (GOOD[:1] + (b"abcd",) + GOOD[2:], ValueError, "arena longer"),
    (GOOD[:2] + (b"\x09\x01",) + GOOD[3:], ValueError, "word 0 runs past"),
    # #11 item 2: a length of 2**63 - 1 (wrapped offsets once) and of 2**64 - 1
    (GOOD[:2] + (b"\xff" * 8 + b"\x7f",) + GOOD[3:], ValueError, "word 0 runs past"),
    (GOOD[:2] + (b"\x01" + b"\xff" * 9 + b"\x01",) + GOOD[3:], ValueError, "word 1 runs past"),
    (GOOD[:2] + (b"\x01" + b"\xff" * 10 + b"\x01",) + GOOD[3:], ValueError, "overflows"),
    (GOOD[:2] + (b"\x02\x81",) + GOOD[3:], ValueError, "truncated"),
    (GOOD[:3] + (b"\x02\x02",) + GOOD[4:], ValueError, "count of key 2 is missing"),
    (GOOD[:3] + (GOOD[3] + b"\x02",) + GOOD[4:], ValueError, "after the last count"),
    (GOOD[:3] + (b"\x02\x02\xff",) + GOOD[4:], ValueError, "count of key 2"),
    (GOOD[:3] + (b"\x02\x02" + b"\xff" * 10 + b"\x01",) + GOOD[4:], ValueError, "over 64 bits"),
    ((3, b"abab", b"\x02\x02", b"\x02\x02\x02", []), ValueError, "word 1 repeats word 0"),
    ((3, b"\xff\xfe", b"\x02", b"\x02", []), ValueError, "UTF-8"),
    # #11 item 1: entries of the wrong shape
    (GOOD[:4] + ([()],), ValueError, "not a \\(position, key\\) pair"),
    (GOOD[:4] + ([(2,)],), ValueError, "not a \\(position, key\\) pair"),
    (GOOD[:4] + ([[2, 5]],), ValueError, "not a \\(position, key\\) pair"),
    (GOOD[:4] + ([(2, 5, 6)],), ValueError, "not a \\(position, key\\) pair"),
    (GOOD[:4] + ([5],), ValueError, "not a \\(position, key\\) pair"),
    (GOOD[:4] + ("xy",), TypeError, "must be a list"),
    (GOOD[:4] + (None,), TypeError, "must be a list"),
    # #11 item 3: positions never reached, out of order or not ints
    (GOOD[:4] + ([(7, 5)],), ValueError, "position 7"),
    (GOOD[:4] + ([(3, 5)],), ValueError, "position 3"),
    (GOOD[:4] + ([(-1, 5)],), ValueError, "position -1"),
    (GOOD[:4] + ([(True, 5)],), ValueError, "position True"),
    (GOOD[:4] + ([(1.0, 5)],), ValueError, "position 1.0"),
    ((3, b"a", b"\x01", b"\x02\x02\x02", [(1, 5), (0, 6)]), ValueError, "position 0"),
    ((3, b"a", b"\x01", b"\x02\x02\x02", [(1, 5), (1, 6)]), ValueError, "position 1"),
    (GOOD[:4] + ([(2, "str")],), ValueError, "is a str"),
    ((3, b"a", b"\x01", b"\x02\x02\x02", [(1, 5), (2, 5)]), ValueError, "repeats an earlier key"),
    (GOOD[:4] + ([(2, [1])],), TypeError, "unhashable"),
    (GOOD[:1] + ("abc",) + GOOD[2:], TypeError, "must be bytes"),
    (GOOD[:3] + ([2, 2, 2],) + GOOD[4:], TypeError, "must be bytes"),
    ((99,) + GOOD[1:], ValueError, "version 99"),
    ((2, b"abc", b"\x02\x01", 1, b"\x02\x02\x02", [(2, 5)]), ValueError, "5-tuple"),
    (list(GOOD), ValueError, "5-tuple"),
]


def test_pickle_state_round_trip():
    from fastcount.counter import _rebuild

    assert _state_of(FastCounter(["ab", "c", 5])) == GOOD
    assert state(_rebuild(FastCounter, GOOD)) == state(REF(["ab", "c", 5]))


@pytest.mark.parametrize("bad, exc, message", BAD_STATES)
def test_corrupt_pickle_state_raises_naming_the_problem(bad, exc, message):
    from fastcount.counter import _rebuild

    with pytest.raises(exc, match=message):
        _rebuild(FastCounter, bad)


def test_corrupt_pickle_states_never_crash_the_interpreter(child_env, tmp_path):
    # #11 items 1-3 crashed (SIGSEGV) or read out of bounds: run them in a child.
    script = tmp_path / "states.py"
    script.write_text(
        "import pickle, sys\n"
        "from fastcount.counter import Counter, _rebuild\n"
        f"for bad in pickle.loads({pickle.dumps([b for b, _, _ in BAD_STATES])!r}):\n"
        "    try:\n"
        "        _rebuild(Counter, bad)\n"
        "    except (ValueError, TypeError):\n"
        "        pass\n"
        "    else:\n"
        "        sys.exit(f'loaded {bad!r}')\n"
        "print('ok')\n")
    import subprocess
    import sys

    r = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=child_env,
                       capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stdout.strip()) == (0, "ok"), r.stderr[-2000:]


def test_a_state_loads_only_into_an_empty_counter():
    from fastcount._counter_state import setstate

    c = FastCounter(["x"])
    with pytest.raises(ValueError, match="empty counter"):
        setstate(c, GOOD)
    assert state(c) == state(REF(["x"]))


def test_pickle_round_trip_with_other_keys_among_many_words():
    # Loading hashes words ahead of their turn; keys that are not str take
    # their own turns in between and must not shift the words.
    c = FastCounter()
    for i in range(300):
        c[f"词{i}"] = i + 1
        if i % 7 == 0:
            c[(i, "t")] = 2
    c[""] = 5
    clone = pickle.loads(pickle.dumps(c))
    assert list(clone.items()) == list(c.items())
    clone["词299"] += 1  # the table still finds every word
    assert clone["词299"] == 301 and len(clone) == len(c)



# ---------------------------------------------------------------- Counter.from_vocab


def from_vocab_pair(words, counts):
    """(Counter.from_vocab of a Vocab of ``words``, the reference built in id order)."""
    from fastcount._vocab import Vocab

    vocab = Vocab(words)
    ids = list(vocab.words())
    ref = REF({w: n for w, n in zip(ids, counts) if n})
    return FastCounter.from_vocab(vocab, np.array(counts, dtype=np.int64)), ref


def test_from_vocab_of_encoded_tokens_as_documented():
    from fastcount import Vocab

    tokens = ["我", "爱", "我", "的", "家", "爱", "我"]
    vocab = Vocab()
    ids = vocab.encode(tokens)
    c = FastCounter.from_vocab(vocab, np.bincount(ids, minlength=len(vocab)))
    assert list(c.items()) == list(collections.Counter(tokens).items())


def test_from_vocab_keys_in_id_order_without_zeros():
    for counts in ([3, 0, 2, 1, 0, 5], [0, 0, 0, 0, 0, 1], [0] * 6, [1] * 6):
        c, ref = from_vocab_pair(["的", "a", "", "😀", "\ud800", "手机"], counts)
        assert type(c) is FastCounter
        assert state(c) == state(ref)
    c, ref = from_vocab_pair([], [])
    assert state(c) == state(REF())


def test_from_vocab_bad_input_makes_no_counter_and_leaves_the_vocab():
    from fastcount._vocab import Vocab

    vocab = Vocab(["a", "b", "c"])
    cases = [
        (np.array([1, 2], dtype=np.int64), ValueError, "3 words but 2 counts"),
        (np.array([1, 0, -4], dtype=np.int64), ValueError, "index 2"),
        (np.array([1, 2, 3], dtype=np.int32), TypeError, "int32"),
        (np.array([1.0, 2.0, 3.0]), TypeError, "float64"),
        ([1, 2, 3], TypeError, "list"),
        (np.zeros((3, 1), dtype=np.int64), ValueError, "one-dimensional"),
    ]
    for counts, exc, text in cases:
        with pytest.raises(exc, match=text):
            FastCounter.from_vocab(vocab, counts)
        assert vocab.words() == ["a", "b", "c"]
    with pytest.raises(TypeError, match="Vocab"):
        FastCounter.from_vocab(["a", "b", "c"], np.ones(3, dtype=np.int64))


def test_from_vocab_subclass_and_strided_counts():
    from fastcount._vocab import Vocab

    class Sub(FastCounter):
        pass

    counts = np.array([[4, 9], [0, 9], [2, 9]], dtype=np.int64)[:, 0]  # not contiguous
    c = Sub.from_vocab(Vocab(["x", "y", "z"]), counts)
    assert type(c) is Sub and list(c.items()) == [("x", 4), ("z", 2)]


words_st = st.lists(st.text(alphabet=CJK + LATIN + EMOJI, max_size=4), max_size=30)


@SETTINGS
@given(words_st, st.data())
def test_property_from_vocab_behaves_as_collections(words, data):
    n = len(dict.fromkeys(words))
    big = data.draw(st.booleans())  # huge counts: no elements() in the state
    counts = data.draw(st.lists(st.integers(0, 2**40 if big else 3), min_size=n, max_size=n))
    c, ref = from_vocab_pair(words, counts)
    assert state(c, not big) == state(ref, not big)
    assert c == ref and ref == c
    more = data.draw(tokens)
    for K in (c, ref):
        K.update(more)
        K.subtract(words[::2])
        K["new"] += 1
    assert state(c, not big) == state(ref, not big)
    back = pickle.loads(pickle.dumps(c))
    assert type(back) is FastCounter and state(back, not big) == state(ref, not big)
    assert state(c + back, not big) == state(ref + ref, not big)
    assert state(c - FastCounter(words), not big) == state(ref - REF(words), not big)


# ---------------------------------------------------------------- Counter.to_vocab

WORDS = ["的", "a", "", "😀", "\ud800", "手机", "x" * 300]


def test_to_vocab_gives_the_keys_in_order_and_their_counts():
    c = Counter(WORDS + WORDS[:3])
    del c["a"]
    c["a"] = 5  # back at the end of the key order
    c["的"] -= 2  # zero stays a key
    c.subtract(["手机"] * 3)  # below zero too
    vocab, counts = c.to_vocab()
    assert isinstance(vocab, Vocab) and counts.dtype == np.int64
    assert vocab.words() == list(c.keys())
    assert counts.tolist() == list(c.values())
    c["new"] = 1  # a copy: the counter and the export are apart
    assert "new" not in vocab.words()
    assert Counter().to_vocab()[0].words() == [] and Counter().to_vocab()[1].shape == (0,)


def test_to_vocab_round_trips_through_from_vocab():
    c = Counter(w for i, w in enumerate(WORDS * 40) if i % 3)
    back = Counter.from_vocab(*c.to_vocab())
    assert list(back.items()) == list(c.items())


def test_to_vocab_names_a_key_that_is_not_a_str():
    c = Counter(["a", "b"])
    c[(1, 2)] = 3
    with pytest.raises(TypeError, match=r"key 2 \(\(1, 2\)\) is not a str"):
        c.to_vocab()


# ---------------------------------------------------------------- pairs_from (POS keys)

# word "\0" tag keys: tags short and long, shared and not, a word holding
# NULs (split at the last one), an empty word, non-ASCII on both sides
PAIRED = ["的\0uj", "a\0eng", "\0\0x", "\0x", "手机\0n", "\ud800\0x", "😀\0nrfg", "x\0长标签abcdefg",
          "y\0长标签abcdefg", "b\0eng", "\0n"]


def test_pairs_from_splits_each_key_at_its_last_nul_in_order():
    from fastcount._counter_state import pairs_from

    c = Counter(PAIRED * 3 + PAIRED[:4])
    c["a\0eng"] = 0  # zero and negative counts carry over, as keys
    c["b\0eng"] = -2
    out = Counter()
    pairs_from(out, c)
    assert list(out.items()) == [(tuple(k.rsplit("\0", 1)), n) for k, n in c.items()]
    assert all(type(k) is tuple and all(type(s) is str for s in k) for k in out)
    tags = {}
    for _, tag in out:   # equal short tags share one str
        assert tags.setdefault(tag, tag) is tag or len(tag.encode()) >= 8
    assert out[("\0", "x")] == 4 and out[("", "n")] == 3


@pytest.mark.parametrize("keys, exc, message", [
    (["a\0n", "bn"], ValueError, r"key 1 \('bn'\) holds no NUL"),
    (["a\0n", (1, 2)], TypeError, r"key 1 \(\(1, 2\)\) is not a str"),
])
def test_pairs_from_bad_keys_leave_the_counter_empty(keys, exc, message):
    from fastcount._counter_state import pairs_from

    out = Counter()
    with pytest.raises(exc, match=message):
        pairs_from(out, Counter(keys))
    assert len(out) == 0 and list(out.items()) == []
    pairs_from(out, Counter(["a\0n"]))   # still usable
    assert out == Counter({("a", "n"): 1})


def test_pairs_from_fills_only_a_new_empty_counter():
    from fastcount._counter_state import pairs_from

    src = Counter(["a\0n"])
    with pytest.raises(ValueError, match="new and empty"):
        pairs_from(Counter(["x"]), src)
    with pytest.raises(ValueError, match="new and empty"):
        pairs_from(src, src)
