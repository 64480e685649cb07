"""fastcount.Vocab: ids, round trips (encode/decode, save/load, pickle) and bad input."""

import copy
import os
import pickle
import re
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastcount._vocab import Vocab, _unpickle_vocab

# Characters that stress the encoder and the file format: CJK, astral emoji,
# every line-breaking character Python's splitlines() knows, the escaped
# ones, and lone surrogates (including halves of an emoji's pair).
SPECIAL = list("中文分词测试，。") + [
    "😀", "🎉", "\U00020000", "é", "ÿ", "\x00", " ", "\t", "\u3000", "\n", "\r", "\\",
    "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\ufeff",
    "\ud800", "\udfff", "\ud83d", "\ude00", "u", "n", "r",
]
chars = st.one_of(st.sampled_from(SPECIAL), st.characters(exclude_categories=()))
words_st = st.text(alphabet=chars, max_size=8)
word_lists = st.lists(words_st, max_size=60)


def first_seen(words):
    """The reference: word -> id in order of first sight."""
    ids = {}
    for w in words:
        ids.setdefault(w, len(ids))
    return ids


def utf8(word):
    return word.encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------- ids

@settings(max_examples=150, deadline=None)
@given(word_lists)
def test_ids_are_dense_in_first_seen_order(words):
    ref = first_seen(words)
    v = Vocab()
    assert [v.add(w) for w in words] == [ref[w] for w in words]
    assert len(v) == len(ref)
    assert v.words() == list(ref) == list(v)
    for w, i in ref.items():
        assert v.id_of(w) == i
        assert v.get(w) == i
        assert w in v
        assert v.word(i) == w
        assert v[i] == w
    assert Vocab(words) == v


@settings(max_examples=150, deadline=None)
@given(word_lists, word_lists, st.data())
def test_add_from_equals_encoding_the_words(known, words, data):
    other = Vocab(words)
    picks = data.draw(st.lists(st.integers(0, max(len(other) - 1, 0)), max_size=20)
                      if len(other) else st.just([]))
    for ids in (None, picks, np.array(picks, dtype=np.uint32)):
        v, ref = Vocab(known), Vocab(known)
        chosen = other.words() if ids is None else [other[i] for i in ids]
        got = v.add_from(other, ids)
        assert got.dtype == np.int64
        assert got.tolist() == ref.encode(chosen).tolist()
        assert v == ref


def test_add_from_many_words_through_growth():
    other = Vocab(f"w{i}中" for i in range(0, 30_000, 3))
    v, ref = Vocab(f"w{i}中" for i in range(0, 30_000, 5)), Vocab(f"w{i}中" for i in range(0, 30_000, 5))
    ids = np.arange(len(other))[::-1]
    assert v.add_from(other, ids).tolist() == ref.encode(other.decode(ids)).tolist()
    assert v == ref


def test_add_from_bad_ids_add_nothing():
    a, b = Vocab(["x", "中文", "😀"]), Vocab(["y"])
    with pytest.raises(IndexError, match="position 2: id 3 is not in the vocabulary"):
        b.add_from(a, [0, 1, 3])
    with pytest.raises(IndexError, match="position 0: id -1"):
        b.add_from(a, [-1])
    with pytest.raises(TypeError, match=r"integers, not float \(position 0\)"):
        b.add_from(a, [0.5])
    with pytest.raises(TypeError, match="integer ids, not an array of float64"):
        b.add_from(a, np.array([0.5]))
    with pytest.raises(TypeError):
        b.add_from(["x"])
    numpy_bool = type("bool", (), {"__index__": lambda self: 1, "__module__": "numpy"})
    with pytest.raises(TypeError, match=r"integers, not bool \(position 1\)"):
        b.add_from(a, [0, numpy_bool()])  # numpy's bool had __index__ before numpy 2.3
    # #11 item 15: the real id, not its int64 reading (-9223372036854775808)
    with pytest.raises(IndexError, match="position 1: id 9223372036854775808 is not"):
        b.add_from(a, np.array([0, 2**63], dtype=np.uint64))
    with pytest.raises(IndexError, match="position 0: id 18446744073709551616 is not"):
        b.add_from(a, [2**64])
    assert b.words() == ["y"]
    assert b.add_from(a, (i for i in [2, 0])).tolist() == [1, 2]  # any iterable of ids
    assert b.words() == ["y", "😀", "x"]
    b = Vocab(["y"])
    assert b.add_from(b).tolist() == [0]  # from itself: every word is there already
    assert b.add_from(a, []).tolist() == [] and len(b) == 1


@settings(max_examples=150, deadline=None)
@given(word_lists)
def test_words_are_stored_as_surrogatepass_utf8(words):
    v = Vocab(words)
    arena, _ = v.__reduce__()[1]
    assert arena == b"".join(utf8(w) for w in first_seen(words))


def test_absent_words():
    v = Vocab(["a", "中文"])
    for absent in ["b", "", "中", "中文 ", "a\x00", "\ud800"]:
        assert absent not in v
        assert v.get(absent) is None
        assert v.get(absent, -7) == -7
        with pytest.raises(KeyError):
            v.id_of(absent)
    # a non-str is never a word: lookups answer like a dict would
    assert 1 not in v and None not in v and b"a" not in v
    assert v.get(b"a", "x") == "x"
    with pytest.raises(KeyError):
        v.id_of(b"a")
    assert len(v) == 2


def test_every_str_kind_and_subclass():
    class S(str):
        pass

    # 1-byte ASCII, 1-byte Latin-1, 2-byte, 4-byte kinds; and a str subclass
    # (its data is not stored inline, unlike an exact str).
    words = ["abc", "é", "ÿx", "中文", "a😀", "😀", "\ud800", "\U0010ffff", ""]
    v = Vocab(words)
    for i, w in enumerate(words):
        assert v.id_of(S(w)) == i
        assert S(w) in v
    assert v.add(S("new 中")) == len(words)
    assert type(v[len(words)]) is str and v[len(words)] == "new 中"


def test_encode_every_utf8_length_of_every_kind_across_batches():
    class S(str):
        pass

    # Per kind, code points of each UTF-8 length the encoder branches on
    # (1-4 bytes; surrogates take 3), mixed inside words, in a list long
    # enough for many batches, with a str subclass and words longer than the
    # batch buffer between them.
    pieces = ["a", "\x7f", "\x80", "é", "ÿ",                       # kind 1
              "\u0100", "\u07ff", "\u0800", "中", "\ud800", "\udfff", "\uffff",  # kind 2
              "\U00010000", "😀", "\U0010ffff"]                  # kind 4
    words = []
    for i in range(3000):
        a, b = pieces[i % len(pieces)], pieces[(i * 7) % len(pieces)]
        w = a + b if i % 3 else a * (i % 5) + "x" + b
        words.append(S(w) if i % 11 == 0 else w)
        if i % 500 == 0:
            words.append(b * 1000)
    ref = first_seen(words)
    v = Vocab()
    assert v.encode(words).tolist() == [ref[w] for w in words]
    assert v.words() == list(ref)
    assert [utf8(w) for w in v] == [utf8(w) for w in ref]
    assert v.encode(words).tolist() == [ref[w] for w in words]   # all known now


def test_lookups_of_known_words_allocate_nothing():
    import tracemalloc

    words = ["中文", "😀x", "abc", "é" * 50, "x" * 1000, "\ud800"] + [f"{i}中" for i in range(1000)]
    v, reference = Vocab(words), set(words)

    def look(container):
        for w in words:
            if w not in container:
                raise AssertionError(w)

    def peak(container):
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            look(container)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    look(v)  # the first non-ASCII lookups size the encoding scratch buffer
    # tracemalloc sees the Vocab's own buffers too (PyMem_Raw*): the lookups
    # cost no more memory than a set's, i.e. nothing beyond the call itself.
    assert peak(v) <= peak(reference)


def test_surrogate_pair_and_emoji_are_different_words():
    v = Vocab(["😀", "\ud83d\ude00", "\ud83d", "\ude00"])
    assert len(v) == 4
    assert v.words() == ["😀", "\ud83d\ude00", "\ud83d", "\ude00"]


def test_growth_to_a_million_words():
    n = 10**6
    words = [f"w{i}" for i in range(n)]
    v = Vocab(words)
    assert len(v) == n
    assert v.id_of("w0") == 0 and v.id_of("w999999") == n - 1 and v.id_of("w123456") == 123456
    assert v[777777] == "w777777"
    assert "w1000000" not in v
    ids = v.encode(words)
    assert np.array_equal(ids, np.arange(n, dtype=np.int64))
    assert len(v) == n
    # the table keeps no Python object per word
    assert sys.getsizeof(v) < 64 * n


def test_memory_per_word_is_compact():
    words = [f"{i}中文" for i in range(100_000)]
    v = Vocab(words)
    text_bytes = sum(len(utf8(w)) for w in words)
    # arena (<= 2x text after doubling) + 8-byte offsets + 8..16 bytes of slots
    assert sys.getsizeof(v) <= 2 * text_bytes + 8 * 2 * len(words) + 16 * len(words) + 4096


# ---------------------------------------------------------------- encode / decode

@settings(max_examples=150, deadline=None)
@given(word_lists, word_lists)
def test_encode_decode_round_trip(known, words):
    v = Vocab(known)
    ref = first_seen(known + words)
    ids = v.encode(words)
    assert ids.dtype == np.int64 and ids.shape == (len(words),)
    assert ids.tolist() == [ref[w] for w in words]
    assert v.words() == list(ref)
    assert v.decode(ids) == words
    assert v.decode(ids.tolist()) == words
    assert v.decode(ids.astype(np.int32)) == words
    assert v.decode(ids.astype(np.uint64)) == words
    assert v.decode(tuple(ids)) == words  # numpy integer scalars


def test_encode_accepts_any_iterable():
    v = Vocab()
    assert v.encode(iter(["a", "b", "a"])).tolist() == [0, 1, 0]
    assert v.encode(("c", "a")).tolist() == [2, 0]
    assert v.encode(w for w in ["d"]).tolist() == [3]
    assert v.encode([]).tolist() == []
    assert v.encode(np.array(["a", "中", "c"])).tolist() == [0, 4, 2]  # numpy.str_ items
    assert v[4] == "中" and type(v[4]) is str
    assert v.decode([]) == [] and v.decode(np.array([], dtype=np.int64)) == []


# ---------------------------------------------------------------- bad input

def test_bad_encode_input_names_the_position_and_adds_nothing():
    v = Vocab(["a", "b"])
    before = pickle.loads(pickle.dumps(v))
    with pytest.raises(TypeError, match=r"item 2 is int"):
        v.encode(["new1", "a", 3, "new2"])
    with pytest.raises(TypeError, match=r"item 1 is bytes"):
        v.encode(["new1", b"new2"])
    with pytest.raises(TypeError, match=r"item 0 is NoneType"):
        Vocab([None])
    with pytest.raises(TypeError, match="not a str"):
        v.encode("abc")  # a str is an iterable of characters: surely a mistake
    with pytest.raises(TypeError, match="not a str"):
        Vocab("abc")
    with pytest.raises(TypeError):
        v.encode(5)
    with pytest.raises(TypeError, match="must be str, not int"):
        v.add(5)

    def failing():
        yield "new1"
        yield "new2"
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError):
        v.encode(failing())
    assert v == before
    assert "new1" not in v and "new2" not in v
    assert v.add("c") == 2  # ids continue densely after the failures


# small batches leave the slot array as it was (undone newest first); large
# ones grow it (rebuilt from the remaining words)
@pytest.mark.parametrize("start, batch", [(0, 5), (3, 2), (1000, 10), (10, 5000), (0, 100_000)])
def test_failed_batch_rolls_back_with_and_without_table_growth(start, batch):
    v = Vocab(f"old{i}" for i in range(start))
    before = pickle.loads(pickle.dumps(v))
    new = [f"new{i}" for i in range(batch)]
    with pytest.raises(TypeError, match=f"item {batch + 1} is float"):
        v.encode(new + ["old0", 1.5])
    assert v == before and len(v) == start
    for i in range(start):
        assert v.id_of(f"old{i}") == i
    assert all(w not in v for w in new)
    assert v.encode(new).tolist() == list(range(start, start + batch))


@settings(max_examples=150, deadline=None)
@given(word_lists, word_lists, st.data())
def test_failed_batch_rolls_back_exactly(known, batch, data):
    v = Vocab(known)
    before = pickle.loads(pickle.dumps(v))
    pos = data.draw(st.integers(0, len(batch)))
    with pytest.raises(TypeError, match=f"item {pos} is NoneType"):
        v.encode(batch[:pos] + [None] + batch[pos:])
    assert v == before
    for w in set(known) | set(batch):
        assert v.get(w) == before.get(w)
    # and the table still takes new words in the right places
    ref = first_seen(known + batch)
    assert v.encode(batch).tolist() == [ref[w] for w in batch]


def test_bad_ids():
    v = Vocab(["a", "b", "c"])
    for bad in [-1, 3, 2**63, -(2**63), 2**70]:
        with pytest.raises(IndexError, match=str(bad)):
            v.word(bad)
        with pytest.raises(IndexError, match=str(bad)):
            v[bad]
    with pytest.raises(IndexError, match="empty"):
        Vocab()[0]
    for bad in [True, 1.0, "a", None]:
        with pytest.raises(TypeError):
            v[bad]
    with pytest.raises(IndexError, match=r"position 2: id 3 "):
        v.decode([0, 1, 3, 9])
    with pytest.raises(IndexError, match=r"position 1: id -1 "):
        v.decode(np.array([0, -1]))
    with pytest.raises(IndexError, match=r"position 1: id 18446744073709551615 "):
        v.decode(np.array([0, 2**64 - 1], dtype=np.uint64))
    with pytest.raises(IndexError, match=r"position 0:"):
        v.decode([2**64])
    with pytest.raises(TypeError, match="float64"):
        v.decode(np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="bool"):
        v.decode(np.array([True]))
    with pytest.raises(TypeError, match=r"bool \(position 1\)"):
        v.decode([0, True])
    with pytest.raises(TypeError, match=r"float \(position 2\)"):
        v.decode([0, 1, 2.0])
    with pytest.raises(TypeError, match="sequence"):
        v.decode(np.int64(1))
    with pytest.raises(TypeError):
        v.decode(1)
    assert v.decode(np.array([[2, 1], [0, 2]])) == ["c", "b", "a", "c"]
    with pytest.raises(TypeError):
        v.decode("012")
    with pytest.raises(TypeError):
        v.decode(b"\x00")
    assert len(v) == 3


# ---------------------------------------------------------------- save / load

def _save_load(v):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "vocab.txt")
        v.save(path)
        with open(path, "rb") as f:
            raw = f.read()
        loaded = Vocab.load(path)
        assert os.listdir(d) == ["vocab.txt"]  # no temporary file left behind
    return raw, loaded


@settings(max_examples=150, deadline=None)
@given(word_lists)
def test_save_load_round_trip(words):
    v = Vocab(words)
    raw, loaded = _save_load(v)
    assert loaded == v and loaded.words() == v.words()
    raw.decode("utf-8")  # the file is valid UTF-8 even with lone surrogates
    assert raw.count(b"\n") == len(v) and b"\r" not in raw


def test_save_format_is_one_escaped_word_per_line():
    v = Vocab(["a\\b", "x\ny", "c\rd", "\ud800z", "", "中文", "\\n", "t\tab\u2028"])
    raw, loaded = _save_load(v)
    assert raw == ("a\\\\b\nx\\ny\nc\\rd\n\\ud800z\n\n中文\n\\\\n\nt\tab\u2028\n").encode()
    assert loaded == v
    assert _save_load(Vocab())[0] == b""
    assert _save_load(Vocab([""]))[0] == b"\n"


def _load_bytes(tmp_path, content, name="v.txt"):
    path = tmp_path / name
    path.write_bytes(content)
    return Vocab.load(path), str(path)


def test_load_accepts_crlf_missing_final_newline_and_upper_hex(tmp_path):
    assert _load_bytes(tmp_path, b"a\r\nb\r\n")[0].words() == ["a", "b"]
    assert _load_bytes(tmp_path, b"a\nb")[0].words() == ["a", "b"]
    assert _load_bytes(tmp_path, b"\\uD800\n")[0].words() == ["\ud800"]
    assert _load_bytes(tmp_path, b"")[0].words() == []
    assert _load_bytes(tmp_path, b"\n\xe4\xb8\xad\n")[0].words() == ["", "中"]


@pytest.mark.parametrize(
    "content, line, what",
    [
        (b"a\nb\\t\n", 2, "bad escape at byte 1"),
        (b"a\nb\nc\\\n", 3, "bad escape"),            # backslash at the end of a line
        (b"a\\\r\n", 1, "bad escape"),                 # ... also before CRLF
        (b"\\u0041\n", 1, "bad escape"),               # \u only for lone surrogates
        (b"\\ud80\n", 1, "bad escape"),
        (b"\\ud80g\n", 1, "bad escape"),
        (b"a\nb\xff\n", 2, "invalid UTF-8 at byte 1"),
        (b"\xc0\x80\n", 1, "invalid UTF-8 at byte 0"),  # overlong NUL
        (b"ok\n\xed\xa0\x80\n", 2, "invalid UTF-8"),    # a raw encoded surrogate
        (b"\xe4\xb8\n", 1, "invalid UTF-8"),            # truncated character
        (b"\xf4\x90\x80\x80\n", 1, "invalid UTF-8"),    # above U+10FFFF
        (b"a\rb\n", 1, "raw carriage return at byte 1"),
        (b"a\nb\na\n", 3, "duplicate word 'a' \\(first on line 1\\)"),
        (b"\n\n", 2, "duplicate word ''"),
        (b"x\\ny\nx\ny\nx\\ny\n", 4, r"duplicate word 'x\\ny' \(first on line 1\)"),
        (b"\\ud800\n\\uD800\n", 2, "duplicate"),
    ],
)
def test_load_malformed_file_names_file_and_line(tmp_path, content, line, what):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}:{line}: {what}"):
        Vocab.load(path)


def reference_load(content):
    """The file format in plain Python: (words, None) or (None, bad line)."""
    lines = content.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    words, seen = [], set()
    for lineno, line in enumerate(lines, 1):
        if line.endswith(b"\r"):
            line = line[:-1]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            return None, lineno
        if "\r" in text:
            return None, lineno
        out, k = [], 0
        while k < len(text):
            c = text[k]
            if c != "\\":
                out.append(c)
                k += 1
                continue
            e = text[k + 1:k + 2]
            if e in ("\\", "n", "r"):
                out.append({"\\": "\\", "n": "\n", "r": "\r"}[e])
                k += 2
            elif e == "u" and re.fullmatch(r"[dD][89abAB][0-9a-fA-F]{2}|[dD][c-fC-F][0-9a-fA-F]{2}", text[k + 2:k + 6]):
                out.append(chr(int(text[k + 2:k + 6], 16)))
                k += 6
            else:
                return None, lineno
        word = "".join(out)
        if word in seen:
            return None, lineno
        seen.add(word)
        words.append(word)
    return words, None


file_bytes = st.lists(
    st.one_of(
        st.sampled_from([b"\\", b"\\n", b"\\r", b"\\u", b"\\ud800", b"\\uDFFF", b"\\u0041",
                         b"\n", b"\r", b"\r\n", b"a", b"b", "中".encode(), b"\xed\xa0\x80",
                         b"\xe4\xb8", b"\xff", b"\xc0\x80", "😀".encode()]),
        st.binary(max_size=3),
    ),
    max_size=25,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(file_bytes)
def test_load_agrees_with_a_reference_parser(content):
    words, bad_line = reference_load(content)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "v.txt")
        with open(path, "wb") as f:
            f.write(content)
        if words is None:
            with pytest.raises(ValueError, match=f"^{re.escape(path)}:{bad_line}: "):
                Vocab.load(path)
        else:
            v = Vocab.load(path)
            assert v.words() == words
            assert _save_load(v)[1] == v


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.binary(max_size=12))
def test_random_pickle_state_never_crashes(arena, lengths):
    try:
        v = _unpickle_vocab(arena, lengths)
    except ValueError:
        return
    assert b"".join(utf8(w) for w in v.words()) == arena
    assert len(set(v.words())) == len(v)


def test_bad_pickle_state_past_the_words_hashed_ahead():
    # Loading hashes 16 words ahead of their turn; a bad length there must
    # still be reported at its own turn, and the words before it load.
    arena = "".join(f"词{i:02d}" for i in range(30)).encode()
    good = bytes([5]) * 30
    assert _unpickle_vocab(arena, good).words() == [f"词{i:02d}" for i in range(30)]
    with pytest.raises(ValueError, match="word 20 runs past the arena"):
        _unpickle_vocab(arena, bytes([5]) * 20 + bytes([100]) + bytes([5]) * 9)
    with pytest.raises(ValueError, match="length of word 20 overflows"):
        _unpickle_vocab(arena, bytes([5]) * 20 + bytes([0xFF]) * 10 + bytes([1]) + bytes([5]) * 9)
    with pytest.raises(ValueError, match="word 20 runs past the arena"):  # 2**64 - 1
        _unpickle_vocab(arena, bytes([5]) * 20 + bytes([0xFF]) * 9 + bytes([1]) + bytes([5]) * 9)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "v.txt"
    Vocab(["old"]).save(path)

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        Vocab(["new", "words"]).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == b"old\n"          # the old file is untouched
    assert sorted(os.listdir(tmp_path)) == ["v.txt"]  # and no temporary left
    with pytest.raises(FileNotFoundError):
        Vocab(["a"]).save(tmp_path / "no such dir" / "v.txt")
    Vocab(["new"]).save(str(path))  # str paths too; replaces the old file
    assert Vocab.load(str(path)).words() == ["new"]


# ---------------------------------------------------------------- pickle, ==, repr

@settings(max_examples=150, deadline=None)
@given(word_lists)
def test_pickle_round_trip(words):
    v = Vocab(words)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        w = pickle.loads(pickle.dumps(v, protocol))
        assert w == v and w.words() == v.words()
        assert w.add("fresh word") == v.add("fresh word")
    c = copy.copy(v)
    assert c == v and c is not v
    c.add("only in the copy")
    assert "only in the copy" not in v


def test_pickle_is_compact():
    words = [f"{i}中" for i in range(10_000)] + ["long" * 100]  # a 2-byte length too
    v = Vocab(words)
    size = len(pickle.dumps(v, pickle.HIGHEST_PROTOCOL))
    assert size <= sum(len(utf8(w)) for w in words) + len(words) + 200
    assert size < len(pickle.dumps(words, pickle.HIGHEST_PROTOCOL))


@pytest.mark.parametrize(
    "arena, lengths, what",
    [
        (b"ab", b"\x01\x81", "truncated"),
        (b"ab", b"\x03", "word 0 runs past the arena"),
        (b"ab", b"\x01\x02", "word 1 runs past the arena"),
        (b"ab", b"\x01", "arena longer"),
        (b"ab", b"\xff" * 10 + b"\x01", "length of word 0 overflows"),
        (b"ab", b"\xff" * 9 + b"\x01", "word 0 runs past the arena"),
        (b"\xff", b"\x01", "word 0 is not UTF-8"),
        (b"aa", b"\x01\x01", "word 1 repeats word 0"),
    ],
)
def test_malformed_pickle_state_raises(arena, lengths, what):
    with pytest.raises(ValueError, match=what):
        _unpickle_vocab(arena, lengths)


def test_equality_hash_repr():
    a, b = Vocab(["x", "y"]), Vocab(["x", "y"])
    assert a == b and not (a != b)
    assert a != Vocab(["y", "x"]) and a != Vocab(["x"]) and Vocab() == Vocab()
    assert a != ["x", "y"]
    with pytest.raises(TypeError):
        hash(a)
    assert repr(a) == "Vocab(['x', 'y'])"
    assert eval(repr(Vocab(["\ud800", "a\nb"]))) == Vocab(["\ud800", "a\nb"])
    big = Vocab(str(i) for i in range(100))
    assert repr(big) == "Vocab(['0', '1', '2', '3', '4', ...], len=100)"


def test_iteration_is_in_id_order_and_sees_growth():
    v = Vocab(["b", "a"])
    it = iter(v)
    assert next(it) == "b"
    v.add("c")
    assert list(it) == ["a", "c"]


# ---------------------------------------------------------------- the byte-level C API
# driven through the test-only hooks module (tests/native_hooks.pyx)

@pytest.fixture(scope="module")
def hooks():
    import native_build

    return native_build.load()


def test_c_api_bytes_share_ids_with_str(hooks):
    v = Vocab(["中文", "\ud800"])
    assert hooks.vocab_find_bytes(v, "中文".encode()) == 0
    assert hooks.vocab_find_bytes(v, b"\xed\xa0\x80") == 1  # surrogatepass form
    assert hooks.vocab_find_bytes(v, b"nope") == -1
    assert hooks.vocab_intern_bytes(v, "😀".encode()) == 2
    assert v[2] == "😀" and v.id_of("😀") == 2
    assert hooks.vocab_intern_bytes(v, b"") == 3 and v[3] == ""


@pytest.mark.parametrize("bad", [b"\xff", b"a\xe4\xb8", b"\xc0\x80", b"\xf4\x90\x80\x80"])
def test_c_api_rejects_bytes_that_are_not_utf8(hooks, bad):
    v = Vocab(["a"])
    assert hooks.vocab_intern_bytes(v, bad) == -2
    assert len(v) == 1 and v.words() == ["a"]


def test_c_api_intern_from_own_arena_survives_growth(hooks):
    v = Vocab(["x" * 40])
    # every new word forces the arena to grow while its source lies inside it
    for k in range(1, 40):
        wid = hooks.vocab_intern_own_slice(v, 0, 0, k)
        assert v[wid] == "x" * k
    assert len(v) == 40
    assert hooks.vocab_intern_own_slice(v, 0, 0, 40) == 0


@pytest.mark.parametrize("expected", [-1, 0, 5, 1000])
def test_c_api_on_a_bare_table(hooks, expected):
    words = [w.encode("utf-8", "surrogatepass") for w in ["a", "b", "a", "", "中", "\udfff"] * 3]
    words += [str(i).encode() for i in range(300)]
    found, ids, again, back = hooks.vocab_bare_table(words, expected)
    ref = first_seen(words)
    assert found == [-1] * len(words)
    assert ids == again == [ref[w] for w in words]
    assert back == list(ref)
