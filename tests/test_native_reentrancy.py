"""Native objects used again while one of their own calls runs: Python code
that a call runs midway (numpy's allocation, a finalizer, a key's __hash__,
a callback, another thread let in meanwhile) changes the object or an
argument the call has already measured. Each such change must be refused
or caught, never followed by a write or read out of bounds (each of these
crashed or read out of bounds before its fix)."""

import threading
import time

import numpy as np
import pytest

import fastcount
from fastcount import Vocab
from fastcount import _counter_batch, _counter_state
from fastcount._counter_core import CounterCore


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


def test_counter_from_vocab_refuses_counts_changed_under_it(monkeypatch):
    # counts is the caller's array: written while numpy picks the kept words,
    # it had more nonzero counts than the keys made room for
    v = Vocab([f"w{i}" for i in range(1000)])
    counts = np.zeros(1000, dtype=np.int64)
    counts[[3, 7]] = 1

    def write():
        counts[:] = 1

    calling_first(monkeypatch, "flatnonzero", write)
    with pytest.raises(RuntimeError, match="counts array changed"):
        fastcount.Counter.from_vocab(v, counts)
    monkeypatch.undo()
    counts[:] = 0
    counts[[3, 7]] = 2
    assert fastcount.Counter.from_vocab(v, counts) == {"w3": 2, "w7": 2}


def filled_while_waiting(counter, target, fill):
    """Hold counter's gate in a thread (an update whose key's __hash__ sleeps)
    while target() runs in this thread, past its own checks, into a wait for
    that gate; fill() runs in the thread meanwhile."""
    entered = threading.Event()

    class Slow:
        def __hash__(self):
            entered.set()
            time.sleep(0.3)
            fill()
            return 1

    thread = threading.Thread(target=_counter_batch.add_iterable, args=(counter, [Slow()], 1))
    thread.start()
    try:
        entered.wait(10)
        return target()
    finally:
        thread.join()


def test_from_vocab_checks_the_counter_empty_again_under_its_gate():
    c = CounterCore()
    v = Vocab(["a", "b"])
    counts = np.array([1, 1], dtype=np.int64)
    with pytest.raises(ValueError, match="must be new and empty"):
        filled_while_waiting(c, lambda: _counter_state.from_vocab(c, v, counts), lambda: None)
    assert len(c) == 1  # the other thread's key, kept


def test_pairs_from_checks_the_counter_empty_again_under_its_gate():
    c = CounterCore()
    src = fastcount.Counter({"a\0n": 2})

    def fill():
        c["b\0v"] = 1

    with pytest.raises(ValueError, match="must be new and empty"):
        filled_while_waiting(src, lambda: _counter_state.pairs_from(c, src), fill)
    assert dict(c._iter(2, False)) == {"b\0v": 1}


def test_set_pairs_reads_its_own_copy_of_the_pairs():
    # a key's __hash__ runs under the gate and may empty the caller's list
    c = fastcount.Counter()
    pairs = []

    class Key:
        def __hash__(self):
            pairs.clear()
            return 7

        def __eq__(self, other):
            return self is other

    key = Key()
    pairs.extend([(key, 1), ("a", 2), ("b", 3)])
    _counter_batch.set_pairs(c, pairs)
    assert dict(c) == {key: 1, "a": 2, "b": 3}


def test_take_joined_refuses_while_a_feed_runs():
    # the lines are written (and moved) by the feed, without the GIL
    from fastcount.segmenter import ChunkCounter, dt

    def keep(word):
        joiner.take_joined()
        return True

    joiner = ChunkCounter(dt, join=b" ", keep_word=keep)
    with pytest.raises(RuntimeError, match="busy"):
        joiner.feed(["我 来到 北京"])


def test_vocab_result_reads_the_shared_words_while_busy(monkeypatch):
    # the shared words' positions are read from the counter's own array: a
    # feed let in meanwhile (here by numpy) could move it
    from fastcount.segmenter import ChunkCounter, dt

    counter = ChunkCounter(dt, documents="file")
    counter.begin_document(0, True)
    counter.feed(["我来到北京"])
    refused = []

    def feed():
        try:
            counter.feed(["清华大学"])
        except RuntimeError as exc:
            refused.append(str(exc))

    calling_first(monkeypatch, "asarray", feed)
    vocab, counts, dfs, n_docs, shared = counter.vocab_result()
    monkeypatch.undo()
    assert refused and "busy" in refused[0]
    assert sorted(vocab.words()) == sorted(["我", "来到", "北京"])
    assert sorted(vocab.decode(shared[0])) == sorted(["我", "来到", "北京"])


def test_pos_model_reads_one_copy_of_its_bytes(monkeypatch):
    # the header was read by layout(), then again, then the bytes copied:
    # a buffer written in between gave sizes that the sections do not hold
    from fastcount.segmenter import _pos_hmm, pos_loading

    good = pos_loading.load_model().dumps()
    data = bytearray(good)
    real = _pos_hmm.layout

    def layout(d):
        sections = real(d)
        data[8:12] = bytes(4)  # no states: a header the sections were not laid out for
        return sections

    monkeypatch.setattr(_pos_hmm, "layout", layout)
    assert _pos_hmm.PosModel(data).dumps() == good


def test_dictionary_load_freq_is_read_whole_after_a_reading_midway():
    # a reading begun by a frequency's own code froze the words loaded so
    # far; the later ones were then missing from every cut and lookup
    from fastcount.segmenter import Dictionary

    d = Dictionary()

    class Freq(int):
        def __int__(self):
            d.get("甲")
            return 5

    d.load_freq({"甲": Freq(5), "乙": 3, "甲乙": 7})
    assert (d.get("甲"), d.get("乙"), d.get("甲乙")) == (5, 3, 7)
