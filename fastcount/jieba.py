"""A stand-in for ``import jieba``: ``import fastcount.jieba as jieba``.

jieba's module-level functions, bound to :data:`dt`, the default
:class:`fastcount.Tokenizer` (jieba's default dictionary), give jieba's
results, computed in C. Changes made here (``add_word``, ``load_userdict``,
``set_dictionary`` ...) are seen by ``fastcount.lcut`` and by
``count_words(tokenizer="jieba")``; changes made to the real ``jieba.dt``
are not (carry them over with ``Tokenizer.from_jieba``), but jieba's global
``finalseg.Force_Split_Words`` (grown by ``del_word``) is shared by both.
``fastcount.jieba.posseg`` is :mod:`fastcount.posseg`, jieba.posseg's
stand-in over the same :data:`dt`.

Not here: paddle mode (``enable_paddle``; ``use_paddle=True`` raises where
jieba would use paddle), jieba's private helpers and re-exported modules.
``enable_parallel``/``disable_parallel`` are accepted and change nothing:
the cut already runs in C, and results are the same either way; for
counting in parallel use ``fastcount.count_words(..., workers=N)``.
"""

import importlib
import os
import sys
from typing import Optional

from jieba import DEFAULT_DICT, DEFAULT_DICT_NAME, finalseg, setLogLevel

from fastcount.segmenter.tokenizer import Tokenizer, dt

__all__ = [
    "DEFAULT_DICT",
    "DEFAULT_DICT_NAME",
    "Tokenizer",
    "add_word",
    "calc",
    "cut",
    "cut_for_search",
    "del_word",
    "disable_parallel",
    "dt",
    "enable_parallel",
    "finalseg",
    "get_DAG",
    "get_FREQ",
    "get_dict_file",
    "initialize",
    "lcut",
    "lcut_for_search",
    "load_userdict",
    "posseg",
    "setLogLevel",
    "set_dictionary",
    "suggest_freq",
    "tokenize",
    "user_word_tag_tab",
]

add_word = dt.add_word
calc = dt.calc
cut = dt.cut
lcut = dt.lcut
cut_for_search = dt.cut_for_search
lcut_for_search = dt.lcut_for_search
del_word = dt.del_word
get_DAG = dt.get_DAG
get_FREQ = dt.get_FREQ
get_dict_file = dt.get_dict_file
initialize = dt.initialize
load_userdict = dt.load_userdict
set_dictionary = dt.set_dictionary
suggest_freq = dt.suggest_freq
tokenize = dt.tokenize
user_word_tag_tab = dt.user_word_tag_tab


def enable_parallel(processnum: Optional[int] = None) -> None:
    """Accepted for jieba's API; changes nothing (the cut runs in C; count in
    parallel with ``fastcount.count_words(workers=N)``). Loads the dictionary,
    as jieba's does."""
    if os.name == "nt":
        raise NotImplementedError("jieba: parallel mode only supports posix system")
    dt.check_initialized()


def disable_parallel() -> None:
    """Accepted for jieba's API; changes nothing (see :func:`enable_parallel`)."""


# jieba.posseg's stand-in, so that `import fastcount.jieba.posseg as pseg` works too
posseg = importlib.import_module("fastcount.posseg")
sys.modules[__name__ + ".posseg"] = posseg
