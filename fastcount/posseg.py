"""jieba.posseg (part-of-speech tagging), token for token and tag for tag,
computed in C.

``fastcount.posseg.lcut(s)`` equals ``jieba.posseg.lcut(s)`` (jieba 0.42.1)
for every string, with and without HMM: the same words, each a :class:`pair`
with the same ``word`` and ``flag``. The work runs in C
(``fastcount.segmenter._pos_cut``) without the GIL for long texts, from
jieba's own data: the tags of the dictionary file, the posseg HMM tables of
the installed jieba package (compiled once and cached, see
``fastcount.segmenter.pos_loading``) and the tags of user words.

:class:`POSTokenizer` mirrors ``jieba.posseg.POSTokenizer`` over a
:class:`fastcount.Tokenizer`: ``add_word(word, freq, tag)`` and
``load_userdict`` on the tokenizer give words their tags, which the next cut
takes over (as jieba's ``makesure_userdict_loaded`` does). The module
functions use :data:`dt`, over ``fastcount``'s default tokenizer: tag words
with ``fastcount.add_word(word, freq, tag)`` (``jieba.add_word`` changes
``jieba.dt``, which fastcount does not read).

Differences from jieba, none of them in the tokens or tags: the dictionary's
tags are read on first use rather than when the tagger is made (errors in
the file surface then); tags must be str; paddle mode is not offered.
"""

from __future__ import annotations

import threading
import weakref
from typing import Iterator, List, Optional

import jieba

from fastcount.segmenter import Tokenizer, dt as _default_tokenizer
from fastcount.segmenter._pos_cut import PosTagger, pair
from fastcount.segmenter.loading import default_dictionary_path
from fastcount.segmenter.pos_loading import load_model
from fastcount.segmenter.tokenizer import _strdecode

__all__ = ["pair", "POSTokenizer", "dt", "cut", "lcut", "initialize", "pos_tokenizer_for"]


def _file_name(f) -> str:
    # jieba._compat.resolve_filename
    try:
        return f.name
    except AttributeError:
        return repr(f)


def _bad_line_error(name: str, data: bytes, lineno: int) -> ValueError:
    """load_word_tag's error for line `lineno` (1-based) of data, word for word."""
    line = data.split(b"\n")[lineno - 1] + (b"\n" if data.count(b"\n") >= lineno else b"")
    try:
        line = line.strip().decode("utf-8")
    except UnicodeDecodeError:
        pass    # jieba shows the raw line then
    return ValueError("invalid POS dictionary entry in %s at Line %s: %s" % (name, lineno, line))


class POSTokenizer:
    """Part-of-speech tagging over a :class:`fastcount.Tokenizer`, like
    ``jieba.posseg.POSTokenizer``.

    ``tokenizer``: a :class:`fastcount.Tokenizer` (default: a new one over
    jieba's default dictionary) or a ``jieba.Tokenizer`` (a snapshot of it
    is taken, :meth:`fastcount.Tokenizer.from_jieba`). Words get the tags of
    the tokenizer's dictionary file and of its user words; other attributes
    are the tokenizer's (``add_word``, ``load_userdict``, ``lcut`` ...).
    """

    def __init__(self, tokenizer: Optional[Tokenizer] = None):
        if tokenizer is None:
            tokenizer = Tokenizer()
        elif isinstance(tokenizer, jieba.Tokenizer):
            tokenizer = Tokenizer.from_jieba(tokenizer)
        elif not isinstance(tokenizer, Tokenizer):
            raise TypeError(f"tokenizer must be a fastcount.Tokenizer or a jieba.Tokenizer, "
                            f"not {type(tokenizer).__name__}")
        self.tokenizer = tokenizer
        self._lock = threading.RLock()
        self._tagger: Optional[PosTagger] = None
        # where the dictionary's tags come from: (name, path) or (name, bytes)
        self._tag_source = self._dictionary_source()
        # tags taken over from the tokenizer's user words, for a new tagger
        self._user_tags: dict = {}

    def __repr__(self) -> str:
        return "<POSTokenizer tokenizer=%r>" % self.tokenizer

    def __getattr__(self, name):
        if name in ("cut_for_search", "lcut_for_search", "tokenize"):
            raise NotImplementedError   # as jieba.posseg
        if name == "tokenizer":         # not set yet (unpickling, a failed __init__)
            raise AttributeError(name)
        return getattr(self.tokenizer, name)

    def _dictionary_source(self):
        path = self.tokenizer.dictionary or default_dictionary_path()
        return path, path

    # -- tags ----------------------------------------------------------------
    def initialize(self, dictionary: Optional[str] = None) -> None:
        """Load the tokenizer's dictionary (``dictionary`` replaces it) and
        the tags of its file."""
        with self._lock:
            self.tokenizer.initialize(dictionary)
            self._tag_source = self._dictionary_source()
            self._user_tags = {}
            self._tagger = None
            self.tagger()

    def load_word_tag(self, f) -> None:
        """Replace every word's tag by those of a dictionary file (a binary
        file object with lines ``word freq tag``; it is closed), as
        ``jieba.posseg.POSTokenizer.load_word_tag``."""
        name = _file_name(f)
        try:
            data = f.read()
        finally:
            f.close()
        with self._lock:
            if not isinstance(data, bytes):
                # jieba decodes every line: text-mode lines fail on the first one
                raise ValueError("invalid POS dictionary entry in %s at Line 1: %s"
                                 % (name, data.split("\n")[0] + "\n" if data else ""))
            tagger = self._new_tagger((name, data), {})
            self._tag_source = (name, data)
            self._user_tags = {}
            self._tagger = tagger

    def _new_tagger(self, source, user_tags: dict) -> PosTagger:
        """A tagger over the tokenizer's dictionary with the tags of `source`
        and `user_tags`."""
        name, data = source
        if isinstance(data, str):
            with open(data, "rb") as f:
                data = f.read()
        tagger = PosTagger(load_model(), self.tokenizer.dictionary_core)
        bad = tagger.load_word_tags(data)
        if bad:
            raise _bad_line_error(name, data, bad)
        for word, tag in user_tags.items():
            tagger.set_tag(word, tag)
        return tagger

    def makesure_userdict_loaded(self) -> None:
        """Take over the tags of the tokenizer's user words (``add_word``,
        ``load_userdict``) and clear them there, as jieba does."""
        with self._lock:
            self.tagger()

    def tagger(self) -> PosTagger:
        """The native tagger of the tokenizer's current dictionary, the tags
        of the tokenizer's user words taken over (what a POS count uses)."""
        with self._lock:
            tagger = self._tagger
            if tagger is None or tagger.dictionary is not self.tokenizer.dictionary_core:
                # first use, or the tokenizer loaded another dictionary since
                tagger = self._tagger = self._new_tagger(self._tag_source, self._user_tags)
            pending = self.tokenizer.user_word_tag_tab
            if pending:
                # copies of the items: another thread may add_word meanwhile
                for word, tag in list(pending.items()):
                    if not isinstance(tag, str) or not isinstance(word, str):
                        raise TypeError(f"the tag of user word {word!r} must be a str, "
                                        f"not {type(tag).__name__}")
                self.tokenizer.user_word_tag_tab = {}
                for word, tag in list(pending.items()):
                    tagger.set_tag(word, tag)
                    self._user_tags[word] = tag
            return tagger

    # -- cutting -----------------------------------------------------------
    def lcut(self, sentence, HMM: bool = True) -> List[pair]:
        """``jieba.posseg.POSTokenizer.lcut``: the words of ``sentence``, each
        a :class:`pair` of word and tag. ``HMM``: find words outside the
        dictionary with jieba.posseg's HMM."""
        tagger = self._tagger
        tokenizer = self.tokenizer
        if (tagger is None or tokenizer.user_word_tag_tab
                or tagger.dictionary is not tokenizer.dictionary_core):
            tagger = self.tagger()
        if type(sentence) is not str:
            sentence = _strdecode(sentence)
        return tagger.cut(sentence, bool(HMM))

    def cut(self, sentence, HMM: bool = True) -> Iterator[pair]:
        """``jieba.posseg.POSTokenizer.cut``: a generator of the pairs of
        :meth:`lcut`."""
        yield from self.lcut(sentence, HMM)


def _check_paddle(use_paddle) -> None:
    if use_paddle and jieba.check_paddle_install["is_paddle_installed"]:
        raise NotImplementedError("fastcount does not offer jieba's paddle mode")


#: The default POSTokenizer of the module functions (fastcount's default tokenizer).
dt = POSTokenizer(_default_tokenizer)

_pos_tokenizers: "weakref.WeakKeyDictionary[Tokenizer, POSTokenizer]" = weakref.WeakKeyDictionary()
_pos_tokenizers_lock = threading.Lock()


def pos_tokenizer_for(tokenizer: Tokenizer) -> POSTokenizer:
    """The POSTokenizer that counts by part of speech with ``tokenizer``:
    :data:`dt` for fastcount's default tokenizer, else one per tokenizer,
    made on first use (it takes over the tokenizer's user-word tags, as the
    first jieba POSTokenizer over a jieba tokenizer does)."""
    if tokenizer is _default_tokenizer:
        return dt
    with _pos_tokenizers_lock:
        pos = _pos_tokenizers.get(tokenizer)
        if pos is None:
            pos = _pos_tokenizers[tokenizer] = POSTokenizer(tokenizer)
        return pos

initialize = dt.initialize


def cut(sentence, HMM: bool = True, use_paddle: bool = False) -> Iterator[pair]:
    """``jieba.posseg.cut`` with :data:`dt`: a generator of (word, tag) pairs."""
    _check_paddle(use_paddle)
    yield from dt.lcut(sentence, HMM)


def lcut(sentence, HMM: bool = True, use_paddle: bool = False) -> List[pair]:
    """``jieba.posseg.lcut`` with :data:`dt`: a list of (word, tag) pairs."""
    _check_paddle(use_paddle)
    return dt.lcut(sentence, HMM)
