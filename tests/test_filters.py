"""Word filters (fastcount.filters): against a Python reference, on real text and generated words."""

import collections
import os
import re
import unicodedata

import jieba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastcount
from fastcount import cli
from fastcount.filters import WordFilter, is_punct, load_stopwords

SAMPLE = os.path.join(os.path.dirname(__file__), "data", "reviews_sample.txt")


def reference_keep(word, stopwords=(), drop_punct=False, min_len=None, max_len=None, include=None,
                   exclude=None):
    """The filters' rule, written out."""
    return (
        word not in stopwords
        and (min_len is None or len(word) >= min_len)
        and (max_len is None or len(word) <= max_len)
        and not (drop_punct and all(unicodedata.category(c)[0] in "PS" for c in word))
        and (include is None or re.search(include, word) is not None)
        and (exclude is None or re.search(exclude, word) is None)
    )


def jieba_counts(path):
    with open(path, encoding="utf-8") as f:
        return collections.Counter(w for line in f.read().split("\n") if line
                                   for w in jieba.lcut(line) if not w.isspace())


OPTIONS = [
    dict(stopwords={"的", "了", "是", "我"}),
    dict(drop_punct=True),
    dict(min_len=2),
    dict(max_len=1),
    dict(min_len=2, max_len=3, drop_punct=True, stopwords={"酒店"}),
    dict(include=r"[\u4e00-\u9fff]"),
    dict(exclude=r"\d", drop_punct=True),
]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("workers", [1, 2])
def test_count_words_equals_filtered_reference(options, workers):
    expected = {w: c for w, c in jieba_counts(SAMPLE).items() if reference_keep(w, **options)}
    stats = fastcount.CountStats()
    counts = fastcount.count_words(SAMPLE, workers=workers, word_filter=WordFilter(**options),
                                   stats=stats)
    assert dict(counts) == expected
    everything = jieba_counts(SAMPLE)
    assert stats.filtered_words == len(everything) - len(expected) > 0
    assert stats.filtered_tokens == sum(everything.values()) - sum(expected.values())
    assert stats.tokens == sum(everything.values())  # the statistics count before the filters
    assert "filters removed" in stats.summary()


def test_filters_apply_before_min_count_and_top():
    f = WordFilter(drop_punct=True, stopwords={"的"})
    expected = collections.Counter({w: c for w, c in jieba_counts(SAMPLE).items()
                                    if reference_keep(w, stopwords={"的"}, drop_punct=True)})
    top = fastcount.count_words(SAMPLE, workers=1, word_filter=f, top=10)
    assert list(top.items()) == sorted(expected.items(), key=lambda wc: (-wc[1], wc[0]))[:10]
    cut = fastcount.count_words(SAMPLE, workers=1, word_filter=f, min_count=50)
    assert dict(cut) == {w: c for w, c in expected.items() if c >= 50}


def test_python_tokenizers_and_processes():
    texts = ["a, b! c; a?", "…… b c d", "", "x -- y"] * 50
    f = WordFilter(drop_punct=True, stopwords=["d"])
    expected = collections.Counter(w for t in texts for w in t.split() if reference_keep(w, {"d"}, True))
    counts = fastcount.count_words(texts, "whitespace", workers=2, backend="processes", word_filter=f)
    assert dict(counts) == expected


words = st.text(st.characters(blacklist_categories=()), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(words, max_size=40), st.sets(words, max_size=5), st.booleans(),
       st.one_of(st.none(), st.integers(0, 2)), st.one_of(st.none(), st.integers(2, 7)))
def test_mask_equals_keep_on_generated_words(ws, stopwords, drop_punct, min_len, max_len):
    f = WordFilter(stopwords, drop_punct=drop_punct, min_len=min_len, max_len=max_len, exclude="[0-9]")
    vocab = fastcount.Vocab(ws)
    words = list(vocab)
    expected = [reference_keep(w, stopwords, drop_punct, min_len, max_len, exclude="[0-9]") for w in words]
    assert f.mask(vocab).tolist() == expected
    assert [f.keep(w) for w in words] == expected


def test_punctuation_and_symbols():
    for word in ["，", "。", "!?", "￥", "+", "😀", "……", "《》", "", "¥$"]:
        assert is_punct(word), word
    for word in ["a", "的", "1", " ", "，a", "\u3000", "😀x"]:
        assert not is_punct(word), word


def test_empty_filter_keeps_everything():
    assert not WordFilter()
    assert not WordFilter(min_len=0) and WordFilter(min_len=1)
    assert fastcount.count_words(["a b"], "whitespace", workers=1, word_filter=WordFilter()) == {"a": 1, "b": 1}


def test_load_stopwords(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_bytes("\ufeff的\r\n了 \n\n  是\n".encode("utf-8"))
    assert load_stopwords(path) == ["的", "了", "是"]


def test_bad_stopword_file_names_file_and_line(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_bytes("的\n了\n".encode("utf-8") + b"\xff\n")
    with pytest.raises(fastcount.InputError, match=r"stop\.txt:3: stopword file is not UTF-8"):
        load_stopwords(path)
    with pytest.raises(FileNotFoundError):
        load_stopwords(tmp_path / "missing.txt")


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(stopwords="的"), TypeError, "not one str"),
    (dict(stopwords=[1]), TypeError, "stopwords must be str"),
    (dict(min_len=-1), ValueError, "min_len"),
    (dict(max_len=1.5), TypeError, "max_len"),
    (dict(min_len=3, max_len=2), ValueError, "above max_len"),
    (dict(include="("), ValueError, "include '\\(' is not a valid regex"),
    (dict(exclude=b"x"), TypeError, "exclude must be a regex"),
])
def test_bad_options(kwargs, error, message):
    with pytest.raises(error, match=message):
        WordFilter(**kwargs)


def test_count_words_refuses_other_filters():
    with pytest.raises(TypeError, match="word_filter must be"):
        fastcount.count_words(["a"], "whitespace", word_filter=["a"])


def test_filter_counts_of_a_counter():
    counts = fastcount.Counter({"，": 3, "好": 2, "的": 5})
    assert dict(WordFilter(["的"], drop_punct=True).filter_counts(counts)) == {"好": 2}


def test_cli_filters(capsys, tmp_path):
    stop = tmp_path / "stop.txt"
    stop.write_text("的\n了\n", encoding="utf-8")
    out = tmp_path / "out.tsv"
    code = cli.main(["count", SAMPLE, "-j", "1", "--stopwords", str(stop), "--no-punct", "--min-len", "2",
                     "--drop-regex", "^[a-z]+$", "-o", str(out)])
    assert code == 0
    got = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        word, count = line.split("\t")
        got[word] = int(count)
    assert got == {w: c for w, c in jieba_counts(SAMPLE).items()
                   if reference_keep(w, {"的", "了"}, True, 2, exclude="^[a-z]+$")}
    assert "filters removed" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--min-len", "3", "--max-len", "2"], "--min-len (3) is above --max-len (2)"),
    (["--keep-regex", "("], "--keep-regex '(' is not a valid regex"),
    (["--stopwords", "missing-stopwords.txt"], "cannot read missing-stopwords.txt"),
])
def test_cli_bad_filters_exit_2(capsys, argv, message):
    assert cli.main(["count", SAMPLE, "-q", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_cli_bad_stopword_file(capsys, tmp_path):
    stop = tmp_path / "stop.txt"
    stop.write_bytes(b"ok\n\xfe\xff\n")
    assert cli.main(["count", SAMPLE, "-q", "--stopwords", str(stop)]) == 2
    assert f"{stop}:2: stopword file is not UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize("pos", [True, False])
def test_filters_compose_with_pos_filter(pos):
    import jieba.posseg

    with open(SAMPLE, encoding="utf-8") as f:
        lines = f.read().split("\n")[:400]
    options = dict(stopwords=["的", "酒店"], drop_punct=True, min_len=2)
    everything, expected = collections.Counter(), collections.Counter()
    for line in lines:
        for p in jieba.posseg.lcut(line):
            if not p.word.isspace() and (p.flag.startswith("n") or p.flag == "v"):
                key = (p.word, p.flag) if pos else p.word
                everything[key] += 1
                if reference_keep(p.word, **options):
                    expected[key] += 1
    stats = fastcount.CountStats()
    got = fastcount.count_words(lines, workers=2, pos=pos, pos_filter="n*,v", stats=stats,
                                word_filter=WordFilter(**options))
    assert dict(got) == dict(expected)
    assert stats.filtered_tokens == sum(everything.values()) - sum(expected.values())
    assert stats.filtered_words == len(everything) - len(expected)
