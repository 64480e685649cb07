"""The tokenizer registry and the Python chunk counter."""

import collections
import pickle
import re
from importlib.resources import files

import jieba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastcount import tokenizers as tk

SAMPLE = files("fastcount").joinpath("data", "reviews-sample.txt").read_text("utf-8").splitlines()


def _count(factory, chunks):
    counter = factory()
    for chunk in chunks:
        counter.feed(chunk)
    vocab, counts = counter.vocab_result()
    words = vocab.words()
    assert isinstance(words, list) and counts.dtype == np.int64 and len(words) == len(counts)
    return words, counts


def _reference(tokenize, texts, keep_whitespace=False):
    return collections.Counter(
        w for t in texts for w in tokenize(t) if keep_whitespace or not w.isspace()
    )


def test_named_tokenizers():
    text = " 中文 ab\tcd\n"
    assert tk.get_tokenizer("whitespace")(text) == ["中文", "ab", "cd"]
    assert tk.get_tokenizer("char")(text) == list(text)
    assert tk.get_tokenizer("jieba-py")(text) == jieba.lcut(text)
    assert tk.get_tokenizer("jieba")(text) == jieba.lcut(text)


def test_regex_tokens_are_whole_matches():
    assert tk.get_tokenizer(r"\w+")("ab, cd!") == ["ab", "cd"]
    # With groups, findall would return the groups: the whole match counts.
    assert tk.get_tokenizer(re.compile(r"(a)(b)c"))("abc abc") == ["abc", "abc"]
    # A name-like string that is no name is refused (a typo, not a pattern) ...
    with pytest.raises(ValueError, match="unknown tokenizer 'jeiba'"):
        tk.get_tokenizer("jeiba")
    # ... unless compiled.
    assert tk.get_tokenizer(re.compile("jeiba"))("jeiba x jeiba") == ["jeiba", "jeiba"]
    with pytest.raises(TypeError, match="str pattern"):
        tk.get_tokenizer(re.compile(rb"\w+"))


def test_callables_and_non_tokenizers():
    def split_on_comma(text):
        return text.split(",")

    assert tk.get_tokenizer(split_on_comma) is split_on_comma
    with pytest.raises(TypeError, match="not int"):
        tk.get_tokenizer(42)


def test_jieba_options_only_for_jieba(tmp_path):
    for options in ({"hmm": False}, {"cut_all": True}, {"user_dict": "x.txt"}):
        with pytest.raises(ValueError, match="jieba tokenizers only"):
            tk.get_tokenizer("whitespace", **options)
    with pytest.raises(FileNotFoundError) as info:
        tk.chunk_counter_factory("jieba-py", user_dict=str(tmp_path / "missing.dict"))
    assert info.value.filename == str(tmp_path / "missing.dict")


@pytest.mark.parametrize("options", [{}, {"hmm": False}, {"cut_all": True}])
def test_jieba_py_counter_equals_jieba_lcut(options):
    texts = SAMPLE[:150]
    lcut_options = {"HMM": options.get("hmm", True), "cut_all": options.get("cut_all", False)}
    reference = collections.Counter(
        w for t in texts for w in jieba.lcut(t, **lcut_options) if not w.isspace()
    )
    factory = tk.chunk_counter_factory("jieba-py", **options)
    words, counts = _count(factory, [texts[:50], texts[50:51], [], texts[51:]])
    assert dict(zip(words, counts.tolist())) == reference
    assert words == list(reference)  # in order of first sight


@pytest.fixture(scope="module")
def user_dict(tmp_path_factory):
    path = tmp_path_factory.mktemp("dict") / "user.dict"
    path.write_text("外资公司 100 n\n人力资源工作 50 n\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "name", ["jieba-py", pytest.param("jieba", marks=pytest.mark.skipif(
        tk.native_jieba() is None, reason="native segmenter not built"))]
)
def test_user_dict(user_dict, name):
    reference = jieba.Tokenizer()
    reference.load_userdict(user_dict)
    texts = SAMPLE[:40]
    want = collections.Counter(w for t in texts for w in reference.lcut(t) if not w.isspace())
    assert want["外资公司"] > 0
    words, counts = _count(tk.chunk_counter_factory(name, user_dict=user_dict), [texts])
    assert dict(zip(words, counts.tolist())) == want


_native = pytest.mark.skipif(tk.native_jieba() is None, reason="native segmenter not built")


@_native
@pytest.mark.parametrize("options", [{}, {"hmm": False}, {"cut_all": True}])
def test_tokenizer_objects_count_with_their_own_words(user_dict, options):
    # #12 item 2: a customised jieba.Tokenizer or fastcount.Tokenizer is
    # counted with its dictionary, user words and frequencies, in every backend.
    import fastcount

    texts = SAMPLE[:150] + ["外资公司的人力资源工作很忙", "鸡你太美不是词"]
    theirs = jieba.Tokenizer()
    theirs.load_userdict(user_dict)
    theirs.add_word("鸡你太美", 30)
    ours = fastcount.Tokenizer()
    ours.load_userdict(user_dict)
    ours.add_word("鸡你太美", 30)
    want = collections.Counter(
        w for t in texts for w in theirs.lcut(t, cut_all=options.get("cut_all", False),
                                              HMM=options.get("hmm", True)) if not w.isspace())
    assert want["鸡你太美"] == 1 and want["外资公司"] >= 1
    for tokenizer in (theirs, ours):
        for run in ({"workers": 1}, {"workers": 2}, {"workers": 2, "backend": "processes"},
                    {"workers": 2, "mp_context": "spawn"}):
            got = fastcount.count_words(texts, tokenizer, chunk_size=2000, **options, **run)
            assert list(got.items()) == list(want.items()), (tokenizer, run)
    assert tk.chunk_counter_factory(theirs).name == "jieba (native, jieba.Tokenizer)"
    assert tk.chunk_counter_factory(ours).name == "jieba (native, Tokenizer)"
    with pytest.raises(ValueError, match="load the user dictionary into the tokenizer"):
        fastcount.count_words(texts, ours, user_dict=user_dict)


@_native
def test_jieba_name_counts_with_the_default_tokenizer_as_changed(tmp_path, child_env):
    # tokenizer="jieba" is fastcount's default tokenizer, words added to it
    # included, in worker processes too (in a child: the default is global).
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "default.py"
    script.write_text(textwrap.dedent("""
        import fastcount
        import fastcount.jieba

        if __name__ == "__main__":
            fastcount.jieba.add_word("鸡你太美", 30)
            texts = ["鸡你太美不是词"] * 50
            for run in ({"workers": 1}, {"workers": 2}, {"workers": 2, "mp_context": "spawn"},
                        {"workers": 2, "mp_context": "fork"}):
                got = fastcount.count_words(texts, "jieba", chunk_size=20, **run)
                assert got["鸡你太美"] == 50, (run, got)
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         cwd=tmp_path, env=child_env, timeout=300)
    assert out.returncode == 0, out.stderr


def test_token_counter_gives_blocks_back_and_counts_by_id():
    counter = tk.chunk_counter_factory("whitespace")()
    from fastcount.io import Block

    assert counter.feed_block(Block(b"a b\n", "x.txt", 1, "utf-8", "strict", None)) == -1
    assert counter.seen() == 0
    texts = [f"w{i % 300} w{i % 7}" for i in range(5000)]
    for start in range(0, len(texts), 37):  # batches of every size against the vocabulary
        counter.feed(texts[start:start + 37])
        vocab, counts = counter.vocab_result()
        assert counter.seen() == len(vocab) == len(counts)
    want = collections.Counter(w for t in texts for w in t.split())
    assert dict(zip(vocab.words(), counts.tolist())) == want and vocab.words() == list(want)


def _bar_split(text):
    return text.split("|")


def test_whitespace_and_empty_tokens():
    texts = ["a| |b||\t", "a|\n|"]
    words, counts = _count(tk.chunk_counter_factory(_bar_split), [texts])
    # Only whitespace is dropped: an empty token is a token (jieba's full mode makes some).
    assert dict(zip(words, counts.tolist())) == {"a": 2, "b": 1, "": 2}
    factory = tk.chunk_counter_factory(_bar_split, keep_whitespace=True)
    words, counts = _count(factory, [texts])
    assert dict(zip(words, counts.tolist())) == {"a": 2, " ": 1, "b": 1, "": 2, "\t": 1, "\n": 1}


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="ab 中文\t\n,", max_size=12), max_size=20),
    cut=st.integers(0, 20),
    name=st.sampled_from(["whitespace", "char", r"\w+|,"]),
    keep_whitespace=st.booleans(),
)
def test_token_counter_matches_collections_counter(texts, cut, name, keep_whitespace):
    tokenize = tk.get_tokenizer(name)
    factory = tk.chunk_counter_factory(name, keep_whitespace=keep_whitespace)
    words, counts = _count(factory, [texts[:cut], texts[cut:]])
    reference = _reference(tokenize, texts, keep_whitespace)
    assert dict(zip(words, counts.tolist())) == reference
    assert words == list(reference)
    counter = factory()
    counter.feed(texts)
    vocab, by_id = counter.vocab_result()
    assert vocab.words() == words and by_id.tolist() == counts.tolist()
    # a snapshot: the counter is unchanged and counts on
    assert counter.seen() == len(words) and counter.vocab_result()[0].words() == words
    counter.feed(texts)
    assert counter.vocab_result()[1].tolist() == [2 * n for n in counts.tolist()]
    assert by_id.tolist() == counts.tolist()


def test_counter_factories_pickle_without_loaded_state():
    factory = tk.chunk_counter_factory("jieba-py", hmm=False)
    factory.tokenize("预热")  # loads jieba in this process
    clone = pickle.loads(pickle.dumps(factory))
    assert clone.tokenize._lcut is None and clone.tokenize.hmm is False
    assert len(pickle.dumps(factory)) < 500  # options only, never a dictionary
    for name in ["whitespace", "char", r"\d+"]:
        f = tk.chunk_counter_factory(name)
        assert pickle.loads(pickle.dumps(f)).tokenize("1 2") == f.tokenize("1 2")


def test_factory_names():
    assert tk.chunk_counter_factory("jieba-py").name == "jieba-py"
    assert tk.chunk_counter_factory("whitespace").name == "whitespace"
    assert tk.chunk_counter_factory(r"\w+").name == r"regex '\\w+'"
    native = tk.native_jieba() is not None
    assert tk.chunk_counter_factory("jieba").name == ("jieba (native)" if native else "jieba-py")


@pytest.mark.skipif(tk.native_jieba() is None, reason="native segmenter not built")
@pytest.mark.parametrize("options", [{}, {"hmm": False}, {"cut_all": True}])
def test_native_jieba_equals_jieba_py(options):
    texts = SAMPLE[:300]
    native = _count(tk.chunk_counter_factory("jieba", **options), [texts[:100], texts[100:]])
    python = _count(tk.chunk_counter_factory("jieba-py", **options), [texts])
    assert dict(zip(native[0], native[1].tolist())) == dict(zip(python[0], python[1].tolist()))


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(
        st.text(alphabet=st.sampled_from("ab 中文,\t\n\x1c\u3000\u2028"), max_size=40), max_size=8
    ),
    name=st.sampled_from(["whitespace", "char", r"\w+", r"(a)|b"]),
)
def test_long_texts_are_tokenized_lazily_with_the_same_tokens(texts, name):
    tokenize = tk.get_tokenizer(name)
    assert list(tokenize.iter("".join(texts))) == list(tokenize("".join(texts)))
    counter = tk.chunk_counter_factory(name)()
    counter.long_text = 5  # every text over 5 characters takes the lazy path
    counter._BATCH = 3
    counter.feed(texts)
    vocab, counts = counter.vocab_result()
    words = vocab.words()
    reference = _reference(tokenize, texts)
    assert dict(zip(words, counts.tolist())) == reference and words == list(reference)


def test_long_jieba_text_is_tokenized_lazily():
    text = "".join(SAMPLE[:60])
    counter = tk.chunk_counter_factory("jieba-py")()
    counter.long_text = 100
    counter.feed([text, "短句", text[:50]])
    vocab, counts = counter.vocab_result()
    words = vocab.words()
    reference = _reference(jieba.lcut, [text, "短句", text[:50]])
    assert dict(zip(words, counts.tolist())) == reference and words == list(reference)


def test_every_chunk_counter_follows_the_protocol():
    factories = [tk.chunk_counter_factory(name) for name in ("whitespace", "jieba-py", "jieba")]
    for factory in factories:
        counter = factory()
        assert isinstance(counter, tk.ChunkCounter), factory.name
        counter.feed(["中文 ab"])
        vocab, counts = counter.vocab_result()
        assert counter.seen() == len(vocab) == len(counts) and counts.dtype == np.int64
