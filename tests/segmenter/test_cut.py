"""The segmenter's cut modes against jieba's, token for token, on real and
generated text (``fastcount.segmenter``)."""

import threading

import pytest
from hypothesis import HealthCheck, given, settings

import fastcount
from jieba_cases import TEXTS, assert_same_all

MODES = [
    pytest.param({}, id="hmm"),
    pytest.param({"HMM": False}, id="no-hmm"),
    pytest.param({"cut_all": True}, id="cut-all"),
]


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
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_generated_text(jt, ft, text):
    assert_same_all(jt, ft, text)


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
