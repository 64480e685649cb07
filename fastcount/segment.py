"""jieba's segmentation, token for token, computed in C.

``fastcount.lcut(s)`` equals ``jieba.lcut(s)`` for every string (accurate mode
with and without HMM, full mode ``cut_all=True``) and ``lcut_for_search``
equals ``jieba.lcut_for_search``; the work runs in C without the GIL
(``fastcount._jieba``), from jieba's own data: the dictionary file of the
installed jieba package (or one you name), jieba's HMM tables
(``jieba.finalseg``) and its global ``Force_Split_Words``.

:class:`Tokenizer` mirrors ``jieba.Tokenizer``: a custom dictionary file,
``load_userdict``, ``add_word``, ``del_word``, ``suggest_freq``. The module
functions use :data:`dt`, a default Tokenizer of fastcount's own: changes
made to ``jieba.dt`` (``jieba.add_word`` ...) are not seen by it; make them
on ``fastcount.segment.dt`` (or use :meth:`Tokenizer.from_jieba`).

Start-up: the first use parses the dictionary file in C (files with unusual
lines go through jieba's own parse) into a compact trie and writes it to a
cache file next to jieba's own (``tempfile.gettempdir()``); later processes
load that in about 48 ms, against 431 ms for jieba's own cached start, using
36 MB against jieba's 72 MB (bench group ``segment-startup``,
``bench/results/full.json``); the first ``add_word``/``del_word`` rebuilds
the trie's edge table. A
worker process loads the cache file, or, when forked from a parent that has
loaded the dictionary, shares the parent's trie (plain C memory that
reference counting never writes, so the pages stay shared).

:class:`NativeChunkCounter` is the fused path of ``count_words``: it segments
and counts in C, dictionary words under their trie node id, every other
token through a :class:`fastcount.Vocab`, with no Python str per token.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import jieba
from jieba import finalseg as _finalseg

from fastcount._jieba import Dictionary

__all__ = [
    "Tokenizer",
    "NativeChunkCounter",
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
]

# jieba's re_userdict (load_userdict's line format)
_re_userdict = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)

# Bump when the cache layout changes.
_CACHE_VERSION = 1
_CACHE_MAGIC = b"FCJBCACHE%d\n" % _CACHE_VERSION


def _strdecode(sentence):
    # jieba._compat.strdecode: bytes are UTF-8, else GBK with errors ignored
    if not isinstance(sentence, str):
        if not isinstance(sentence, (bytes, bytearray)):
            raise TypeError(f"the text to cut must be str or bytes, not {type(sentence).__name__}")
        try:
            sentence = sentence.decode("utf-8")
        except UnicodeDecodeError:
            sentence = sentence.decode("gbk", "ignore")
    return sentence


def _default_dict_path() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(jieba.__file__)), jieba.DEFAULT_DICT_NAME)


def _gen_pfdict(path: str):
    """jieba.Tokenizer.gen_pfdict, the same parse and the same errors."""
    lfreq = {}
    ltotal = 0
    with open(path, "rb") as f:
        for lineno, line in enumerate(f, 1):
            try:
                line = line.strip().decode("utf-8")
                word, freq = line.split(" ")[:2]
                freq = int(freq)
                lfreq[word] = freq
                ltotal += freq
                for ch in range(len(word)):
                    wfrag = word[: ch + 1]
                    if wfrag not in lfreq:
                        lfreq[wfrag] = 0
            except ValueError:
                raise ValueError(
                    "invalid dictionary entry in %s at Line %s: %s" % (path, lineno, line)
                ) from None
    return lfreq, ltotal


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
        self._d: Optional[Dictionary] = None
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
        self._d = d
        self.user_word_tag_tab = dict(tokenizer.user_word_tag_tab)
        self.initialized = True
        self._pristine = False
        return self

    def _source(self) -> str:
        return self.dictionary if self.dictionary is not None else _default_dict_path()

    def _cache_path(self, source: str) -> str:
        name = self.cache_file or "fastcount.jieba.%s.cache" % hashlib.md5(
            source.encode("utf-8", "replace")
        ).hexdigest()
        return os.path.join(self.tmp_dir or tempfile.gettempdir(), name)

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
            st = os.stat(source)
            stamp = {"source": source, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
            cache = self._cache_path(source)
            d = self._load_cache(cache, stamp)
            if d is None:
                with open(source, "rb") as f:
                    data = f.read()
                d = Dictionary()
                if not d.load_dict_file_data(data):
                    # a line the C parser does not take: jieba's own parse
                    # (the same FREQ, or jieba's error naming the line)
                    lfreq, ltotal = _gen_pfdict(source)
                    d.load_freq(lfreq)
                    d.total = ltotal
                    del lfreq
                del data
                self._write_cache(cache, stamp, d)
            self._d = d
            self.user_word_tag_tab = {}
            self._pristine = True
            self.initialized = True

    @staticmethod
    def _load_cache(cache: str, stamp: dict) -> Optional[Dictionary]:
        try:
            with open(cache, "rb") as f:
                if hasattr(os, "getuid") and os.fstat(f.fileno()).st_uid != os.getuid():
                    return None     # in a shared temp dir, trust only our own files
                data = f.read()
        except OSError:
            return None
        try:
            if not data.startswith(_CACHE_MAGIC):
                return None
            end = data.index(b"\n", len(_CACHE_MAGIC))
            header = json.loads(data[len(_CACHE_MAGIC):end])
            if {k: header.get(k) for k in stamp} != stamp:
                return None
            d = Dictionary()
            d.loads(memoryview(data)[end + 1:])
            d.total = int(header["total"])
            return d
        except (ValueError, KeyError, TypeError):
            return None     # stale or damaged: rebuilt from the dictionary file

    @staticmethod
    def _write_cache(cache: str, stamp: dict, d: Dictionary) -> None:
        header = dict(stamp, total=str(d.total))
        try:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cache), prefix=".fastcount-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(_CACHE_MAGIC)
                    f.write(json.dumps(header).encode("utf-8") + b"\n")
                    f.write(d.dumps())
                os.replace(tmp, cache)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass    # a read-only temp dir only costs the next start its speed

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
        """The loaded C dictionary (:class:`fastcount._jieba.Dictionary`)."""
        self.check_initialized()
        return self._d

    # -- the dictionary ------------------------------------------------------
    @property
    def total(self) -> int:
        """jieba's ``total``: the sum of all frequencies."""
        self.check_initialized()
        return self._d.total

    def get_FREQ(self, k: str, d=None):
        """``FREQ.get(k, d)``: the frequency of a word or prefix (0 for a
        prefix that is no word), ``d`` when absent."""
        self.check_initialized()
        return self._d.get(k, d)

    def add_word(self, word: str, freq: Optional[int] = None, tag: Optional[str] = None) -> None:
        """Add a word (``jieba.Tokenizer.add_word``): ``freq`` defaults to
        ``suggest_freq(word)``; a frequency of 0 also adds the word to
        jieba's global ``finalseg.Force_Split_Words``, as jieba does."""
        self.check_initialized()
        word = _strdecode(word)
        freq = int(freq) if freq is not None else self.suggest_freq(word, False)
        self._d.add_word(word, freq)
        self._pristine = False
        if tag:
            self.user_word_tag_tab[word] = tag
        if freq == 0:
            _finalseg.add_force_split(word)

    def del_word(self, word: str) -> None:
        """Delete a word: ``add_word(word, 0)``."""
        self.add_word(word, 0)

    def load_userdict(self, f) -> None:
        """Load a user dictionary (``jieba.Tokenizer.load_userdict``): a path
        or a binary/text file object, lines ``word [freq] [tag]``, UTF-8."""
        self.check_initialized()
        if isinstance(f, str):
            f_name = f
            f = open(f, "rb")
        else:
            f_name = getattr(f, "name", repr(f))
        with f:
            for ln in f:
                line = ln.strip()
                if not isinstance(line, str):
                    try:
                        line = line.decode("utf-8").lstrip("\ufeff")
                    except UnicodeDecodeError:
                        raise ValueError("dictionary file %s must be utf-8" % f_name) from None
                if not line:
                    continue
                word, freq, tag = _re_userdict.match(line).groups()
                if freq is not None:
                    freq = freq.strip()
                if tag is not None:
                    tag = tag.strip()
                self.add_word(word, freq, tag)

    def suggest_freq(self, segment: Union[str, Sequence[str]], tune: bool = False) -> int:
        """``jieba.Tokenizer.suggest_freq``: the frequency that makes the
        word (a str) stay whole, or the pieces (a sequence) be cut apart;
        with ``tune`` it is also added."""
        self.check_initialized()
        get = self._d.get
        ftotal = float(self.total)
        freq = 1
        if isinstance(segment, str):
            word = segment
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
        return self._d.cut(sentence, cut_all, HMM)

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
        return self._d.cut(sentence, False, HMM, True)

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
            state["trie"] = self._d.dumps()
            state["total"] = self._d.total
        return state

    def __setstate__(self, state):
        Tokenizer.__init__(self, None)
        self.dictionary = state["dictionary"]
        self.tmp_dir = state["tmp_dir"]
        self.cache_file = state["cache_file"]
        if "trie" in state:
            d = Dictionary()
            d.loads(state["trie"])
            d.total = state["total"]
            self._d = d
            self.initialized = True
            self._pristine = False
        self.user_word_tag_tab = state["user_word_tag_tab"]


_user_dict_tokenizers: dict = {}


def _tokenizer_for(tokenizer, user_dict) -> Tokenizer:
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


class NativeChunkCounter:
    """The fused jieba path of ``count_words``: segments texts exactly as
    ``jieba.lcut(text, cut_all=cut_all, HMM=hmm)`` and counts the tokens in C,
    with no Python str per token.

    ``user_dict``: a user dictionary file (loaded once per process on top of
    the default dictionary); ``tokenizer``: a :class:`Tokenizer` (used as it
    is, later changes included) or a ``jieba.Tokenizer`` (a snapshot of it is
    taken). Whitespace tokens are not counted unless ``keep_whitespace``.
    The result equals
    ``collections.Counter(w for t in texts for w in jieba.lcut(t, ...) if not w.isspace())``.
    """

    def __init__(self, hmm: bool = True, cut_all: bool = False, user_dict=None,
                 keep_whitespace: bool = False, tokenizer=None):
        from fastcount._jieba_count import ChunkCounter

        self.tokenizer = _tokenizer_for(tokenizer, user_dict)
        self._counter = ChunkCounter(self.tokenizer.dictionary_core, bool(hmm), bool(cut_all),
                                     bool(keep_whitespace))

    def feed(self, texts: List[str]) -> int:
        """Segment and count a batch of texts (a list of str); return its
        size in UTF-8 bytes. On a ValueError (a non-positive frequency, as
        jieba raises) nothing of the batch is counted."""
        return self._counter.feed(texts)

    def feed_block(self, block) -> int:
        """Count the lines of a :class:`fastcount.io.Block` as ``feed(block.texts())``
        would, decoding UTF-8 in C (no str per line, no GIL held): returns
        the number of lines, or -1, counting nothing, for a block to decode
        in Python instead (not strict UTF-8, another encoding, a JSON field,
        or a line on which jieba raises, which ``feed`` then reports)."""
        if block.encoding != "utf-8" or block.field is not None:
            return -1
        try:
            return self._counter.feed_utf8(block.data)
        except ValueError:
            return -1

    def seen(self) -> int:
        """Number of distinct words counted so far."""
        return self._counter.seen()

    def result(self):
        """``(words, counts)``: the distinct words (list of str, in order of
        first sight) and their counts (int64 numpy array)."""
        return self._counter.result()

    def vocab_result(self):
        """``(vocab, counts)``: the distinct words as a :class:`fastcount.Vocab`
        (ids in order of first sight) and their int64 counts by id, built in C
        with no str per word."""
        return self._counter.result(vocab=True)


#: The default Tokenizer of the module functions (jieba's default dictionary).
dt = Tokenizer()

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
