"""The segmenter's dictionary against jieba's: dictionary files, the cache
file, user dictionaries, add_word/del_word/suggest_freq, from_jieba, pickles."""

import os
import pickle

import jieba
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jieba import finalseg

import fastcount.jieba
from fastcount.segmenter import Dictionary, Tokenizer
from jieba_cases import (TEXTS, USER_DICT, USER_TEXTS, WORD_CHARS, assert_same_all, copy_jieba,
                         reference_counts)


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
    with pytest.raises(OverflowError, match="d.txt: .*中国.*64-bit"):
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
    h = pickle.loads(pickle.dumps(fastcount.jieba.dt))
    assert h.lcut(text) == jt.lcut(text)
    with pytest.raises(TypeError):
        Tokenizer.from_jieba("not a tokenizer")


def test_from_jieba_carries_a_customised_tokenizer_over_exactly(tmp_path, lines, force_split_guard):
    path = tmp_path / "dict.txt"
    path.write_text("中国 100 ns\n中国人 30 n\n人民 50\n商品 40 n\n很好 20\n质量 30 n\n不错 25\n",
                    encoding="utf-8")
    user = tmp_path / "user.txt"
    user.write_text(USER_DICT, encoding="utf-8")
    j = jieba.Tokenizer(str(path))
    j.tmp_dir = str(tmp_path)
    j.load_userdict(str(user))
    j.add_word("质量很好", 7, "l")
    j.del_word("人民")
    j.suggest_freq(("商", "品"), True)
    f = Tokenizer.from_jieba(j)
    assert dict(f.FREQ) == j.FREQ and f.total == j.total
    assert f.user_word_tag_tab == j.user_word_tag_tab
    texts = USER_TEXTS + lines[:200]
    for text in texts:
        assert_same_all(j, f, text)
    for tokenizer in (j, f):     # count_words takes either
        got = fastcount.count_words(texts, tokenizer=tokenizer, workers=2)
        assert list(got.items()) == list(reference_counts(j, texts).items())
    j.add_word("以后的词", 5)      # a snapshot: later changes are not shared
    assert f.get_FREQ("以后的词") is None


def test_frequency_must_be_an_int(ft):
    f = Tokenizer()
    with pytest.raises(ValueError):
        f.add_word("中国", "many")
    with pytest.raises(OverflowError, match="64-bit"):
        f.add_word("中国", 2 ** 70)
    with pytest.raises(OverflowError, match="64-bit"):
        f.add_word("中国", 2 ** 63)
    assert f.get_FREQ("中国") == ft.get_FREQ("中国")


def test_user_dictionary_with_a_frequency_beyond_64_bits_loads_nothing(ft, tmp_path):
    f = Tokenizer()
    path = tmp_path / "user.txt"
    path.write_text("石墨烯 5\n凱特琳 %d nz\n新词汇测试 3\n" % 2 ** 63, encoding="utf-8")
    with pytest.raises(ValueError, match=r"user\.txt line 2: .*凱特琳.*nothing of the file was loaded"):
        f.load_userdict(str(path))
    with pytest.raises(ValueError, match="line 2"):
        f.load_userdict(path.read_bytes().splitlines())
    assert f.get_FREQ("石墨烯") is None and f.get_FREQ("新词汇测试") is None and f.total == ft.total
    path.write_bytes("石墨烯 5\n".encode() + b"\xff 3\n")
    with pytest.raises(ValueError, match="must be utf-8.*line 2"):
        f.load_userdict(str(path))
    assert f.get_FREQ("石墨烯") is None


def test_main_dictionary_with_a_frequency_beyond_64_bits_is_refused_whole(tmp_path):
    # jieba keeps Python ints; fastcount names the file and the word, loads
    # nothing of the file and says so again on the next use (#12 item 4)
    path = tmp_path / "big.txt"
    path.write_text("中国 100 ns\n中国人 %d n\n人民 50\n" % 2 ** 63, encoding="utf-8")
    f = Tokenizer(str(path))
    for _ in range(2):
        with pytest.raises(OverflowError, match=r"big\.txt: the frequency of '中国人', 9223372036854775808"):
            f.lcut("中国人民")
    path.write_text("中国 100 ns\n中国人 %d n\n人民 50\n" % (2 ** 63 - 1), encoding="utf-8")
    assert Tokenizer(str(path)).get_FREQ("中国人") == 2 ** 63 - 1


@pytest.fixture(scope="module")
def mutable_pair(jt):
    """A jieba tokenizer and a fastcount one that receive the same changes."""
    saved = set(finalseg.Force_Split_Words)
    yield copy_jieba(jt), Tokenizer()
    finalseg.Force_Split_Words.clear()
    finalseg.Force_Split_Words.update(saved)


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
