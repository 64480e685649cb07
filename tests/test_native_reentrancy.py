"""Native objects used again while one of their own calls runs: Python code
that a call runs midway (numpy's allocation, a finalizer, a key's __hash__,
a callback, another thread let in meanwhile) changes the object or an
argument the call has already measured. Each such change must be refused
or caught, never followed by a write or read out of bounds (each of these
crashed or read out of bounds before its fix)."""

import numpy as np
import pytest

import fastcount
from fastcount import Vocab


def calling_first(monkeypatch, name, action):
    """Make numpy.<name> run action() first (numpy is imported inside the
    functions under test, so the module attribute is what they call)."""
    real = getattr(np, name)

    def patched(*args, **kwargs):
        action()
        return real(*args, **kwargs)

    monkeypatch.setattr(np, name, patched)


def test_vocab_encode_refuses_a_list_that_changed_size_under_it(monkeypatch):
    # the ids array is sized for the list before numpy allocates it: a list
    # grown then was interned past its end
    words = [f"w{i}" for i in range(10)]
    calling_first(monkeypatch, "empty", lambda: words.extend(f"x{i}" for i in range(1000)))
    v = Vocab(["a"])
    with pytest.raises(RuntimeError, match="changed size"):
        v.encode(words)
    monkeypatch.undo()
    assert v.words() == ["a"]
    assert v.encode(words).tolist() == list(range(1, 1011))


def test_vocab_add_from_checks_each_id_as_it_reads_it(monkeypatch):
    # the caller's ids array, checked before numpy allocates, written then
    src = Vocab(["a", "b", "c"])
    ids = np.array([0, 1, 2] * 10, dtype=np.int64)

    def write():
        ids[5] = 10**12

    calling_first(monkeypatch, "empty", write)
    v = Vocab(["z"])
    with pytest.raises(IndexError, match=r"position 5: id 1000000000000 is not in the vocabulary"):
        v.add_from(src, ids)
    monkeypatch.undo()
    assert v.words() == ["z"]  # the words of the ids before it are taken back


def test_counter_clear_lets_its_keys_go_when_it_is_empty():
    # a key's __del__, run by clear, reads the counter: the order must not
    # name objects that are gone
    c = fastcount.Counter()
    seen = []

    class Key:
        def __del__(self):
            seen.append((len(c), list(c), list(c.items())))

    c[Key()] = 1
    c["a"] = 2
    c.clear()
    assert seen == [(0, [], [])]
    assert len(c) == 0 and list(c) == []


def test_counter_most_common_refuses_keys_changed_under_it(monkeypatch):
    # between taking the keys and naming the chosen ones, numpy runs: a
    # counter cleared then had object keys that named nothing
    c = fastcount.Counter({(i,): i + 1 for i in range(5)})
    calling_first(monkeypatch, "argsort", c.clear)
    with pytest.raises(RuntimeError, match="changed during most_common"):
        c.most_common(3)
    monkeypatch.undo()
    c.update({(9,): 2, "x": 1})
    assert c.most_common() == [((9,), 2), ("x", 1)]


def test_counter_most_common_takes_count_changes_under_it(monkeypatch):
    # a count changed (no key added or removed): the keys still name the
    # same keys, with the counts as they were taken
    c = fastcount.Counter({"a": 3, "b": 2, (1,): 1})
    calling_first(monkeypatch, "argsort", lambda: c.update({"b": 5}))
    assert c.most_common(2) == [("a", 3), ("b", 2)]
