"""The native chunk counter (``fastcount.segmenter.ChunkCounter``): jieba's
tokens counted in C equal ``collections.Counter`` over jieba's ``lcut``."""

import collections

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastcount
from fastcount.io import Block
from fastcount.segmenter import ChunkCounter, Tokenizer
from jieba_cases import (TEXTS, USER_DICT, USER_TEXTS, copy_jieba, counted, native_counter,
                         reference_counts)


@pytest.mark.parametrize("hmm,cut_all", [(True, False), (False, False), (True, True)])
def test_native_counter_on_the_sample(jt, lines, hmm, cut_all):
    c = native_counter(hmm=hmm, cut_all=cut_all)
    c.feed(lines[:500])
    c.feed([])
    c.feed(lines[500:])
    vocab, counts = c.vocab_result()
    assert counts.dtype.name == "int64" and len(vocab) == len(counts) == c.seen()
    expected = reference_counts(jt, lines, cut_all, hmm)
    # the same counts, and the words in the same order of first sight
    assert list(zip(vocab.words(), counts.tolist())) == list(expected.items())
    assert counted(c) == list(expected.items())     # the counter is unchanged by vocab_result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXTS, max_size=6), keep=st.booleans(), mode=st.sampled_from([(True, False), (False, False), (True, True)]))
def test_native_counter_generated(jt, texts, keep, mode):
    hmm, cut_all = mode
    c = native_counter(hmm=hmm, cut_all=cut_all, keep_whitespace=keep)
    c.feed(texts)
    assert counted(c) == list(reference_counts(jt, texts, cut_all, hmm, keep).items())


def test_native_counter_user_dict_and_tokenizers(jt, tmp_path, lines, force_split_guard):
    path = tmp_path / "user.txt"
    path.write_text(USER_DICT, encoding="utf-8")
    texts = USER_TEXTS + lines[:100]
    j = copy_jieba(jt)
    j.load_userdict(str(path))
    expected = reference_counts(j, texts)
    for kw in ({"user_dict": str(path)}, {"tokenizer": j}):
        c = native_counter(**kw)
        c.feed(texts)
        assert dict(counted(c)) == expected, kw
    with pytest.raises(ValueError, match="not both"):
        native_counter(user_dict=str(path), tokenizer=j)
    with pytest.raises(FileNotFoundError):
        native_counter(user_dict=str(tmp_path / "missing.txt"))


def test_native_counter_sees_words_added_while_counting(jt, force_split_guard):
    f = Tokenizer()
    c = ChunkCounter(f)
    text = "石墨烯是新材料，石墨烯很薄"
    c.feed([text])
    f.add_word("石墨烯")
    c.feed([text])
    j = copy_jieba(jt)
    expected = reference_counts(j, [text])
    j.add_word("石墨烯")
    expected.update(reference_counts(j, [text]))
    # a word counted under a vocabulary id, then as a dictionary word: merged
    assert dict(counted(c)) == expected


def test_native_counter_errors(force_split_guard):
    c = native_counter()
    with pytest.raises(TypeError, match=r"texts\[1\] is bytes"):
        c.feed(["中国", b"abc"])
    assert counted(c) == []          # nothing of the bad batch was counted
    f = Tokenizer()
    f.add_word("中国人民", -5)
    c = ChunkCounter(f)
    c.feed(["北京"])
    with pytest.raises(ValueError, match=r"texts\[1\]"):
        c.feed(["北京", "中国人民"])
    assert counted(c) == [("北京", 1)]
    with pytest.raises(TypeError, match="from_jieba"):
        ChunkCounter("jieba")
    with pytest.raises(TypeError):
        native_counter(tokenizer="jieba")


def test_native_counter_measures_utf8_and_sees_dictionary_changes(force_split_guard):
    f = Tokenizer()
    c = ChunkCounter(f)
    assert c.feed(["中国", "a😀", "\ud800", ""]) == 6 + 5 + 3
    assert c.feed([]) == 0
    f.add_word("中国人民", -5)  # after a feed: the next one must see it
    with pytest.raises(ValueError, match=r"texts\[0\]"):
        c.feed(["中国人民"])
    f.add_word("中国人民", 5)
    c.feed(["中国人民"])
    assert dict(counted(c)) == dict(collections.Counter(
        w for t in ["中国", "a😀", "\ud800", "中国人民"] for w in f.lcut(t)))


def test_native_counter_words_longer_than_64_characters(force_split_guard):
    f = Tokenizer()
    long_word = "长词" * 40
    f.add_word(long_word, 10 ** 9)
    c = ChunkCounter(f)
    c.feed([long_word + "，北京", long_word])
    vocab, counts = c.vocab_result()
    assert f.lcut(long_word + "，北京") == [long_word, "，", "北京"]
    assert vocab.words() == [long_word, "，", "北京"] and counts.tolist() == [2, 1, 1]


@settings(max_examples=200, deadline=None)
@given(data=st.lists(st.one_of(st.sampled_from([b"\n", b"\r\n", b"\r", b" ", b"\xff", b"\xed\xa0\x80",
                                                "中国人民".encode(), "北京大学".encode(), b"abc", "😀".encode()]),
                             st.binary(max_size=4)), max_size=12).map(b"".join))
def test_feed_block_equals_python_decoding(data):
    block = Block(data, "x.txt", 1, "utf-8", "strict", None)
    native = native_counter()
    n = native.feed_block(block)
    try:
        texts = block.texts()
    except fastcount.io.InputError:
        assert n == -1 and counted(native) == []  # not UTF-8: nothing counted
        return
    assert n == len(texts)
    reference = native_counter()
    reference.feed(texts)
    assert counted(native) == counted(reference)


def test_feed_block_gives_back_what_it_does_not_decode(force_split_guard):
    f = Tokenizer()
    f.add_word("中国人民", -5)
    c = ChunkCounter(f)
    for block in (Block("北京\n中国人民\n".encode(), "x", 1, "utf-8", "strict", None),  # jieba raises
                  Block(b'{"t": "a"}\n', "x", 1, "utf-8", "strict", "t"),  # a JSON field
                  Block("北京\n".encode("utf-16"), "x", 1, "utf-16", "strict", None)):
        assert c.feed_block(block) == -1
    assert counted(c) == []
    assert c.feed_block(Block("北京\n上海".encode(), "x", 1, "utf-8", "strict", None)) == 2


@pytest.mark.parametrize("texts", [[" "], [" 我们"], ["\t中国 ", "a b"], ["", " "]])
def test_full_mode_counts_the_empty_token(jt, texts):
    # full mode yields "" around whitespace, possibly as the first token counted
    c = native_counter(cut_all=True)
    c.feed(texts)
    assert counted(c) == list(reference_counts(jt, texts, cut_all=True).items())
    block = native_counter(cut_all=True)
    assert block.feed_block(Block("\n".join(texts).encode(), "x", 1, "utf-8", "strict", None)) == len(texts)
    assert counted(block) == counted(c)
    assert dict(fastcount.count_words(texts, cut_all=True, workers=2)) == dict(
        reference_counts(jt, texts, cut_all=True))
