"""The jieba-exact segmenter's Python face: :class:`Tokenizer`, which
mirrors ``jieba.Tokenizer`` (a dictionary file, ``load_userdict``,
``add_word``, ``del_word``, ``suggest_freq``, ``cut``, ``tokenize``) over a
native :class:`Dictionary`, and :data:`dt`, the default one.

``Tokenizer.lcut(s)`` equals ``jieba.Tokenizer.lcut(s)`` for every string
(accurate mode with and without HMM, full mode ``cut_all=True``) and
``lcut_for_search`` equals jieba's; the work runs in C, from jieba's own
data: the dictionary file of the installed jieba package (or one you name),
jieba's HMM tables (``jieba.finalseg``) and its global ``Force_Split_Words``.

A worker process loads the dictionary's cache file (see ``loading``), or,
when forked from a parent that has loaded the dictionary, shares the
parent's trie (plain C memory that reference counting never writes, so the
pages stay shared).
"""

from __future__ import annotations

import os
import re
import threading
import zlib
from collections.abc import Mapping
from math import log
from typing import IO, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import jieba
from jieba import finalseg as _finalseg

from fastcount.segmenter._dictionary import Dictionary
from fastcount.segmenter.loading import cache_path, default_dictionary_path, load_dictionary

__all__ = ["Tokenizer", "dt", "tokenizer_for"]

# jieba's re_userdict (load_userdict's line format)
_re_userdict = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)


def _strdecode(sentence):
    # jieba._compat.strdecode: bytes are UTF-8, else GBK with errors ignored;
    # a str subclass (numpy.str_ ...) is taken as the str it holds
    if type(sentence) is str:
        return sentence
    if isinstance(sentence, str):
        return str.__str__(sentence)
    if not isinstance(sentence, str):
        if not isinstance(sentence, (bytes, bytearray)):
            raise TypeError(f"the text to cut must be str or bytes, not {type(sentence).__name__}")
        try:
            sentence = sentence.decode("utf-8")
        except UnicodeDecodeError:
            sentence = sentence.decode("gbk", "ignore")
    return sentence


class Tokenizer:
    """A jieba-exact segmenter over one dictionary, like ``jieba.Tokenizer``.

    ``Tokenizer()`` uses the default dictionary of the installed jieba,
    ``Tokenizer(path)`` a dictionary file in jieba's format. The dictionary
    is loaded on first use (or by :meth:`initialize`).
    """

    def __init__(self, dictionary: Optional[str] = None):
        self.lock = threading.RLock()
        self.dictionary = None if dictionary is None else os.path.abspath(dictionary)
        #: folder of the cache file (default: ``tempfile.gettempdir()``)
        self.tmp_dir: Optional[str] = None
        #: file name of the cache (default: derived from the dictionary path)
        self.cache_file: Optional[str] = None
        self.user_word_tag_tab: dict = {}
        self.initialized = False
        self._dictionary: Optional[Dictionary] = None
        # the dictionary as loaded (True) or changed since (False): a pristine
        # tokenizer pickles as its file name, a changed one as its trie
        self._pristine = True

    def __repr__(self) -> str:
        return "<fastcount.Tokenizer dictionary=%r>" % self.dictionary

    # -- loading -----------------------------------------------------------
    @classmethod
    def from_jieba(cls, tokenizer: "jieba.Tokenizer" = None) -> "Tokenizer":
        """A Tokenizer holding a snapshot of a ``jieba.Tokenizer``'s ``FREQ``
        and ``total`` (default ``jieba.dt``; it is initialized first), user
        words and deletions included. Later changes to either are not shared."""
        if tokenizer is None:
            tokenizer = jieba.dt
        if not isinstance(tokenizer, jieba.Tokenizer):
            raise TypeError(f"expected a jieba.Tokenizer, not {type(tokenizer).__name__}")
        tokenizer.check_initialized()
        self = cls.__new__(cls)
        Tokenizer.__init__(self, tokenizer.dictionary)
        d = Dictionary()
        d.load_freq(tokenizer.FREQ)
        d.total = tokenizer.total
        self._dictionary = d
        self.user_word_tag_tab = dict(tokenizer.user_word_tag_tab)
        self.initialized = True
        self._pristine = False
        return self

    def _source(self) -> str:
        return self.dictionary if self.dictionary is not None else default_dictionary_path()

    def initialize(self, dictionary: Optional[str] = None) -> None:
        """Load the dictionary (``dictionary`` replaces the tokenizer's own),
        from the cache file when it is up to date, else from the dictionary
        file (then the cache is written)."""
        with self.lock:
            if dictionary:
                abs_path = os.path.abspath(dictionary)
                if self.dictionary == abs_path and self.initialized:
                    return
                self.dictionary = abs_path
                self.initialized = False
            if self.initialized:
                return
            source = self._source()
            self._dictionary = load_dictionary(source, cache_path(source, self.tmp_dir, self.cache_file))
            # user_word_tag_tab stays, as jieba's initialize leaves it
            self._pristine = True
            self.initialized = True

    def check_initialized(self) -> None:
        """Load the dictionary if that has not happened yet."""
        if not self.initialized:
            self.initialize()

    def set_dictionary(self, dictionary_path: str) -> None:
        """Use another dictionary file (loaded on next use)."""
        with self.lock:
            abs_path = os.path.abspath(dictionary_path)
            if not os.path.isfile(abs_path):
                raise Exception("jieba: file does not exist: " + abs_path)
            self.dictionary = abs_path
            self.initialized = False

    @property
    def dictionary_core(self) -> Dictionary:
        """The loaded native dictionary (:class:`fastcount.segmenter.Dictionary`)."""
        self.check_initialized()
        return self._dictionary

    # -- the dictionary ------------------------------------------------------
    @property
    def total(self) -> int:
        """jieba's ``total``: the sum of all frequencies."""
        self.check_initialized()
        return self._dictionary.total

    @property
    def FREQ(self) -> "FrequencyView":
        """jieba's ``FREQ`` as a read-only mapping: word or prefix -> frequency
        (0 for a prefix that is no word). Change it with :meth:`add_word`."""
        return FrequencyView(self)

    def get_FREQ(self, k, d=None):
        """``FREQ.get(k, d)``: the frequency of a word or prefix (0 for a
        prefix that is no word), ``d`` when absent."""
        self.check_initialized()
        if not isinstance(k, str):
            hash(k)         # an unhashable key raises as in a dict
            return d
        return self._dictionary.get(_strdecode(k), d)

    def get_dict_file(self) -> IO[bytes]:
        """The dictionary file, opened for reading in binary (``jieba.get_dict_file``)."""
        return open(self._source(), "rb")

    def get_DAG(self, sentence: str) -> Dict[int, List[int]]:
        """jieba's ``get_DAG``: for each position k, the end positions i of
        the dictionary words ``sentence[k:i + 1]`` (``[k]`` when there are none)."""
        self.check_initialized()
        return self._dictionary.dag(_strdecode(sentence))

    def calc(self, sentence: str, DAG: Dict[int, List[int]], route: dict) -> None:
        """jieba's ``calc``: fill ``route`` with the best route over ``DAG``
        (jieba's own code, over this tokenizer's frequencies)."""
        N = len(sentence)
        route[N] = (0, 0)
        logtotal = log(self.total)
        get = self.get_FREQ
        for idx in range(N - 1, -1, -1):
            route[idx] = max((log(get(sentence[idx:x + 1]) or 1) - logtotal + route[x + 1][0], x)
                             for x in DAG[idx])

    def add_word(self, word: str, freq: Optional[int] = None, tag: Optional[str] = None) -> None:
        """Add a word (``jieba.Tokenizer.add_word``): ``freq`` defaults to
        ``suggest_freq(word)``; a frequency of 0 also adds the word to
        jieba's global ``finalseg.Force_Split_Words``, as jieba does."""
        self.check_initialized()
        word = _strdecode(word)
        freq = int(freq) if freq is not None else self.suggest_freq(word, False)
        self._dictionary.add_word(word, freq)
        self._pristine = False
        if tag:
            self.user_word_tag_tab[word] = tag
        if freq == 0:
            _finalseg.add_force_split(word)

    def del_word(self, word: str) -> None:
        """Delete a word: ``add_word(word, 0)``."""
        self.add_word(word, 0)

    def load_userdict(self, f: Union[str, IO[bytes], IO[str], Iterable[Union[str, bytes]]]) -> None:
        """Load a user dictionary (``jieba.Tokenizer.load_userdict``): a path,
        or a file object or any iterable of lines (bytes in UTF-8, or str),
        each ``word [freq] [tag]``. A file object given is read, not closed.

        All or nothing: a line that is not UTF-8, or a frequency of 2**63 or
        more (fastcount keeps 64-bit frequencies), raises ValueError naming
        the file and line before any word of it is added."""
        self.check_initialized()
        if isinstance(f, str):
            with open(f, "rb") as fh:
                entries = _userdict_entries(fh, f)
        else:
            entries = _userdict_entries(f, getattr(f, "name", repr(f)))
        for word, freq, tag in entries:
            self.add_word(word, freq, tag)

    def suggest_freq(self, segment: Union[str, Sequence[str]], tune: bool = False) -> int:
        """``jieba.Tokenizer.suggest_freq``: the frequency that makes the
        word (a str) stay whole, or the pieces (a sequence) be cut apart;
        with ``tune`` it is also added."""
        self.check_initialized()
        get = self._dictionary.get
        ftotal = float(self.total)
        freq = 1
        if isinstance(segment, str):
            word = _strdecode(segment)
            for seg in self.lcut(word, HMM=False):
                freq *= get(seg, 1) / ftotal
            freq = max(int(freq * self.total) + 1, get(word, 1))
        else:
            segment = tuple(map(_strdecode, segment))
            word = "".join(segment)
            for seg in segment:
                freq *= get(seg, 1) / ftotal
            freq = min(int(freq * self.total), get(word, 0))
        if tune:
            self.add_word(word, freq)
        return freq

    # -- segmentation ------------------------------------------------------
    def lcut(self, sentence, cut_all: bool = False, HMM: bool = True, use_paddle: bool = False) -> List[str]:
        """``jieba.lcut``: the words of ``sentence`` as a list.

        ``cut_all``: full mode; ``HMM``: find words outside the dictionary
        with jieba's HMM. ``use_paddle`` is accepted for jieba's signature;
        paddle mode itself is not offered (NotImplementedError when jieba's
        paddle is enabled, which is when jieba would use it)."""
        if use_paddle and jieba.check_paddle_install["is_paddle_installed"]:
            raise NotImplementedError("fastcount does not offer jieba's paddle mode")
        if not self.initialized:
            self.initialize()
        if type(sentence) is not str:
            sentence = _strdecode(sentence)
        return self._dictionary.cut(sentence, cut_all, HMM)

    def cut(self, sentence, cut_all: bool = False, HMM: bool = True, use_paddle: bool = False) -> Iterator[str]:
        """``jieba.cut``: a generator of the words of ``sentence`` (see :meth:`lcut`)."""
        yield from self.lcut(sentence, cut_all, HMM, use_paddle)

    def lcut_for_search(self, sentence, HMM: bool = True) -> List[str]:
        """``jieba.lcut_for_search``: each word, preceded by its 2- and
        3-character parts that are dictionary words."""
        if not self.initialized:
            self.initialize()
        if type(sentence) is not str:
            sentence = _strdecode(sentence)
        return self._dictionary.cut(sentence, False, HMM, True)

    def cut_for_search(self, sentence, HMM: bool = True) -> Iterator[str]:
        """``jieba.cut_for_search`` as a generator (see :meth:`lcut_for_search`)."""
        yield from self.lcut_for_search(sentence, HMM)

    def tokenize(self, unicode_sentence: str, mode: str = "default", HMM: bool = True) -> Iterator[Tuple[str, int, int]]:
        """``jieba.Tokenizer.tokenize``: ``(word, start, end)`` tuples;
        ``mode="search"`` adds the dictionary 2- and 3-grams of long words."""
        if not isinstance(unicode_sentence, str):
            raise ValueError("jieba: the input parameter should be unicode.")
        get = self.get_FREQ
        start = 0
        for w in self.lcut(unicode_sentence, HMM=HMM):
            width = len(w)
            if mode != "default":
                if width > 2:
                    for i in range(width - 1):
                        if get(w[i:i + 2]):
                            yield (w[i:i + 2], start + i, start + i + 2)
                if width > 3:
                    for i in range(width - 2):
                        if get(w[i:i + 3]):
                            yield (w[i:i + 3], start + i, start + i + 3)
            yield (w, start, start + width)
            start += width

    # -- pickling: a worker gets the dictionary by name, or the trie -----------
    def __getstate__(self):
        state = {
            "dictionary": self.dictionary,
            "tmp_dir": self.tmp_dir,
            "cache_file": self.cache_file,
            "user_word_tag_tab": self.user_word_tag_tab,
        }
        if self.initialized and not self._pristine:
            state["trie"] = trie = self._dictionary.dumps()
            state["crc32"] = zlib.crc32(trie)
        return state

    def __setstate__(self, state):
        Tokenizer.__init__(self, None)
        self.dictionary = state["dictionary"]
        self.tmp_dir = state["tmp_dir"]
        self.cache_file = state["cache_file"]
        if "trie" in state:
            if zlib.crc32(state["trie"]) != state["crc32"]:
                raise ValueError("damaged fastcount.Tokenizer pickle (its dictionary's CRC-32 differs)")
            d = Dictionary()
            d.loads(state["trie"])
            self._dictionary = d
            self.initialized = True
            self._pristine = False
        self.user_word_tag_tab = state["user_word_tag_tab"]


def _userdict_entries(lines, name) -> List[Tuple[str, Optional[str], Optional[str]]]:
    """The ``(word, freq, tag)`` of each line of a user dictionary, parsed as
    jieba's load_userdict does, every frequency checked."""
    entries = []
    for lineno, ln in enumerate(lines, 1):
        line = ln.strip()
        if not isinstance(line, str):
            try:
                line = line.decode("utf-8").lstrip("\ufeff")
            except UnicodeDecodeError:
                raise ValueError("dictionary file %s must be utf-8 (line %d is not; nothing of it "
                                 "was loaded)" % (name, lineno)) from None
        if not line:
            continue
        word, freq, tag = _re_userdict.match(line).groups()
        if freq is not None:
            freq = freq.strip()
            if int(freq) >= 1 << 63:
                raise ValueError(f"dictionary file {name} line {lineno}: the frequency of {word!r}, "
                                 f"{freq}, is 2**63 or more, beyond fastcount's 64 bits (nothing "
                                 "of the file was loaded)")
        if tag is not None:
            tag = tag.strip()
        entries.append((word, freq, tag))
    return entries


class FrequencyView(Mapping):
    """A Tokenizer's ``FREQ``, read-only: ``view[word]``, ``get``, ``in``,
    ``len`` and iteration (words in the dictionary's node order, which may
    differ from jieba's dict order)."""

    def __init__(self, tokenizer: "Tokenizer"):
        self._tokenizer = tokenizer

    def __getitem__(self, word):
        value = self._tokenizer.get_FREQ(word)
        if value is None:
            raise KeyError(word)
        return value

    def get(self, word, default=None):
        return self._tokenizer.get_FREQ(word, default)

    def __contains__(self, word):
        return self._tokenizer.get_FREQ(word) is not None

    def __len__(self):
        return len(self._tokenizer.dictionary_core)

    def __iter__(self):
        return self._tokenizer.dictionary_core.words()


#: The default Tokenizer (jieba's default dictionary): ``fastcount.lcut`` and
#: the functions of ``fastcount.jieba`` use it.
dt = Tokenizer()


_user_dict_tokenizers: dict = {}


def tokenizer_for(tokenizer=None, user_dict=None) -> "Tokenizer":
    """The Tokenizer a native count uses: ``tokenizer`` itself (a
    :class:`Tokenizer`), a snapshot of a ``jieba.Tokenizer``
    (:meth:`Tokenizer.from_jieba`), one per user dictionary file and process
    (loaded on top of the default dictionary), or :data:`dt`."""
    if tokenizer is not None:
        if user_dict is not None:
            raise ValueError("give user_dict or tokenizer, not both "
                             "(load the user dictionary into the tokenizer)")
        if isinstance(tokenizer, Tokenizer):
            return tokenizer
        if isinstance(tokenizer, jieba.Tokenizer):
            return Tokenizer.from_jieba(tokenizer)
        raise TypeError(f"tokenizer must be a fastcount.Tokenizer or a jieba.Tokenizer, "
                        f"not {type(tokenizer).__name__}")
    if user_dict is None:
        return dt
    path = os.path.abspath(os.fspath(user_dict))
    st = os.stat(path)      # FileNotFoundError naming the file
    key = (path, st.st_size, st.st_mtime_ns)
    t = _user_dict_tokenizers.get(key)
    if t is None:
        # one per user dictionary and process: a worker counting many
        # partitions loads it once
        t = Tokenizer()
        t.load_userdict(path)
        _user_dict_tokenizers[key] = t
    return t
