"""Counter.to_vocab: a Counter's str keys as a Vocab and their counts by word id."""

import numpy as np
import pytest

from fastcount import Counter, Vocab

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
