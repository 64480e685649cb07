"""A stand-in for ``import jieba``: ``import fastcount.jieba as jieba``.

jieba's module-level functions, bound to :data:`dt`, the default
:class:`fastcount.Tokenizer` (jieba's default dictionary), segment exactly as
jieba's do, in C. Changes made here (``add_word``, ``load_userdict``, ...)
are seen by ``fastcount.lcut`` and by ``count_words(tokenizer="jieba")``;
changes made to the real ``jieba.dt`` are not (carry them over with
``Tokenizer.from_jieba``). ``fastcount.jieba.posseg`` is :mod:`fastcount.posseg`,
jieba.posseg's stand-in over the same :data:`dt`.
"""

import importlib
import sys

from fastcount.segmenter.tokenizer import Tokenizer, dt

__all__ = [
    "Tokenizer",
    "dt",
    "cut",
    "lcut",
    "cut_for_search",
    "lcut_for_search",
    "add_word",
    "del_word",
    "load_userdict",
    "suggest_freq",
    "tokenize",
    "initialize",
    "posseg",
]

cut = dt.cut
lcut = dt.lcut
cut_for_search = dt.cut_for_search
lcut_for_search = dt.lcut_for_search
add_word = dt.add_word
del_word = dt.del_word
load_userdict = dt.load_userdict
suggest_freq = dt.suggest_freq
tokenize = dt.tokenize
initialize = dt.initialize

# jieba.posseg's stand-in, so that `import fastcount.jieba.posseg as pseg` works too
posseg = importlib.import_module("fastcount.posseg")
sys.modules[__name__ + ".posseg"] = posseg
