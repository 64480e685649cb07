"""The tokenizer registry and the chunk counters that workers run.

A tokenizer is named by:

* ``"jieba"``: jieba's accurate mode (``hmm``, ``cut_all``, ``user_dict``),
  run by fastcount's native segmenter (:class:`fastcount.segmenter.ChunkCounter`)
  when it is built, else by ``"jieba-py"``; both give the same tokens;
* ``"jieba-py"``: ``jieba.Tokenizer().lcut`` itself (a fresh tokenizer with
  the default dictionary plus ``user_dict``, created once per process;
  changes made to the global ``jieba.dt`` are not seen);
* ``"whitespace"``: ``str.split()``, for pre-segmented corpora;
* ``"char"``: every character is a token;
* a compiled regex, or a pattern string: the tokens are the regex's matches
  (each whole match, group 0, as ``findall`` gives for a pattern without
  groups). A string that reads like a name (letters, digits, ``-``, ``_``)
  but is none of the names above is refused, so a typo is not taken for a
  pattern; compile it to count such literal text;
* any picklable callable ``str -> iterable of str`` (picklable so worker
  processes can receive it: a module-level function, not a lambda).

Whitespace-only tokens (``w.isspace()``) are not counted unless
``keep_whitespace=True``. Empty tokens are counted like any other: jieba's
full mode (``cut_all=True``) does yield ``""``, and exact means exact.

A *chunk counter* counts the texts one worker is given, across all its
chunks: ``feed(texts)`` tokenizes and counts a list of texts, ``result()``
returns ``(words, counts)`` (a list of str and an int64 numpy array) once at
the end; ``vocab_result()`` gives them as a Vocab and counts by id instead,
which is what the pipeline ships and merges (both leave the counter as it
is). :func:`chunk_counter_factory`
turns tokenizer options into a picklable factory that builds one in each
worker.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass, field
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple,
                    Union)

import numpy as np

if TYPE_CHECKING:
    from fastcount._vocab import Vocab

__all__ = [
    "NAMES",
    "TokenCounter",
    "CounterFactory",
    "chunk_counter_factory",
    "get_tokenizer",
    "native_jieba",
]

#: The tokenizer names, as the CLI's ``--tokenizer`` lists them.
NAMES = ("jieba", "jieba-py", "whitespace", "char")

_JIEBA_NAMES = ("jieba", "jieba-py")
_NAME_LIKE = re.compile(r"[A-Za-z0-9_-]+\Z")

TokenizerSpec = Union[str, "re.Pattern[str]", Callable[[str], Iterable[str]]]


class TokenCounter:
    """Chunk counter for Python tokenizers: words -> dense ids (Vocab) -> counts by id.

    Each word is stored once (in the Vocab) however often it occurs; ids are
    dense, so the counts are an int64 array indexed by id, updated per chunk
    in C. Words get ids in order of first sight, so :meth:`result` lists
    them in that order and :meth:`seen` (distinct words so far) marks where
    each chunk's new words start: the pipeline uses it to merge workers in
    input order.
    """

    def __init__(self, tokenize: Callable[[str], Iterable[str]], keep_whitespace: bool = False):
        from fastcount._vocab import Vocab

        self._tokenize = tokenize
        # str.split() never yields a whitespace token: no filter to run
        self._drop_space = not keep_whitespace and getattr(tokenize, "yields_space", True)
        self._vocab = Vocab()
        #: counts by id; longer than the vocabulary (grown by doubling)
        self._counts = np.zeros(0, dtype=np.int64)

    #: Texts longer than this (in characters) are tokenized lazily, in
    #: batches, where the tokenizer can (see ``_lazy``): a 100 MB line then
    #: never becomes one list of millions of tokens.
    long_text = 1 << 20
    _BATCH = 1 << 16

    def feed(self, texts: List[str]) -> None:
        """Tokenize and count ``texts`` (a list of str); return None (their
        size is not measured here: the caller does it when it needs it)."""
        tokenize = self._tokenize
        tokens: List[str] = []
        extend = tokens.extend
        for text in texts:
            if len(text) > self.long_text:
                self._add(tokens)
                tokens = []
                extend = tokens.extend
                tokens_of_text = _lazy(tokenize, text)
                while True:
                    batch = list(itertools.islice(tokens_of_text, self._BATCH))
                    if not batch:
                        break
                    self._add(batch)
            else:
                extend(tokenize(text))
        self._add(tokens)

    def _add(self, tokens: List[str]) -> None:
        if self._drop_space:
            tokens = [w for w in tokens if not w.isspace()]
        if not tokens:
            return
        ids = self._vocab.encode(tokens)  # all or nothing: a bad token adds no word
        n = len(self._vocab)
        if n > len(self._counts):
            grown = np.zeros(max(n, 2 * len(self._counts)), dtype=np.int64)
            grown[: len(self._counts)] = self._counts
            self._counts = grown
        np.add.at(self._counts, ids, 1)

    def seen(self) -> int:
        """Number of distinct words counted so far."""
        return len(self._vocab)

    def result(self) -> Tuple[List[str], np.ndarray]:
        """``(words, counts)``: words in order of first sight, int64 counts."""
        return self._vocab.words(), self._counts[: len(self._vocab)].copy()

    def vocab_result(self) -> Tuple["Vocab", np.ndarray]:
        """``(vocab, counts)``: a copy of the words as a :class:`fastcount.Vocab`
        (ids in order of first sight, copied in C: no str per word) and
        ``counts[i]``, the count of word ``i``. The counter is unchanged."""
        from fastcount._vocab import Vocab

        vocab = Vocab()
        vocab.add_from(self._vocab)
        return vocab, self._counts[: len(self._vocab)].copy()


class _Regex:
    """Tokens = the whole matches of a compiled pattern (picklable)."""

    def __init__(self, pattern: "re.Pattern[str]"):
        self.pattern = pattern
        # findall is fastest but returns groups when the pattern has some.
        self._run = pattern.findall if pattern.groups == 0 else self._whole

    def _whole(self, text: str) -> List[str]:
        return list(self.iter(text))

    def __call__(self, text: str) -> List[str]:
        return self._run(text)

    def iter(self, text: str) -> Iterator[str]:
        """The same tokens, one at a time."""
        return (m.group(0) for m in self.pattern.finditer(text))

    def __reduce__(self):
        return (_Regex, (self.pattern,))


class _Chars:
    """Tokens = the characters."""

    def __call__(self, text: str) -> List[str]:
        return list(text)

    def iter(self, text: str) -> Iterator[str]:
        """The same tokens, one at a time."""
        return iter(text)


# In str patterns \s is exactly str.isspace(), so this is str.split() lazily.
_NON_SPACE = re.compile(r"\S+")


class _Split:
    """Tokens = ``str.split()``."""

    #: never a whitespace-only (or empty) token
    yields_space = False

    def __call__(self, text: str) -> List[str]:
        return text.split()

    def iter(self, text: str) -> Iterator[str]:
        """The same tokens, one at a time."""
        return (m.group(0) for m in _NON_SPACE.finditer(text))


_chars = _Chars()
_split = _Split()


def _lazy(tokenize: Callable[[str], Iterable[str]], text: str) -> Iterator[str]:
    """The tokens of ``text`` as an iterator, lazily where ``tokenize`` can."""
    lazy = getattr(tokenize, "iter", None)
    return lazy(text) if lazy is not None else iter(tokenize(text))


# One jieba.Tokenizer per (user dictionary, its version) and process: loading
# the dictionary takes about a second, a worker or a Dask task should pay it once.
_JIEBA_CACHE: Dict[tuple, object] = {}


def _jieba_tokenizer(user_dict: Optional[str]):
    key: tuple = ()
    if user_dict is not None:
        st = os.stat(user_dict)
        key = (os.path.abspath(user_dict), st.st_mtime_ns, st.st_size)
    tk = _JIEBA_CACHE.get(key)
    if tk is None:
        import logging

        import jieba

        tk = jieba.Tokenizer()
        # jieba logs "Building prefix dict..." at DEBUG on stderr: once per
        # worker that is noise; keep the user's logger level otherwise.
        level = jieba.default_logger.level
        jieba.default_logger.setLevel(logging.WARNING)
        try:
            tk.initialize()
            if user_dict is not None:
                tk.load_userdict(user_dict)
        finally:
            jieba.default_logger.setLevel(level)
        _JIEBA_CACHE[key] = tk
    return tk


class _JiebaPy:
    """``jieba.Tokenizer().lcut`` with fixed options; the tokenizer loads on first use."""

    def __init__(self, hmm: bool = True, cut_all: bool = False, user_dict: Optional[str] = None):
        self.hmm = hmm
        self.cut_all = cut_all
        self.user_dict = user_dict
        self._lcut: Optional[Callable[..., List[str]]] = None

    def __call__(self, text: str) -> List[str]:
        lcut = self._lcut
        if lcut is None:
            lcut = self._lcut = _jieba_tokenizer(self.user_dict).lcut
        return lcut(text, cut_all=self.cut_all, HMM=self.hmm)

    def iter(self, text: str) -> Iterator[str]:
        """The same tokens, one at a time (``jieba.Tokenizer.cut``)."""
        return _jieba_tokenizer(self.user_dict).cut(text, cut_all=self.cut_all, HMM=self.hmm)

    def __reduce__(self):
        # Ship the options, not a loaded dictionary.
        return (_JiebaPy, (self.hmm, self.cut_all, self.user_dict))


def native_jieba():
    """The native jieba chunk counter class, or None where it is not built."""
    try:
        from fastcount.segmenter import ChunkCounter
    except ImportError:  # a source checkout without the compiled modules
        return None
    return ChunkCounter


def _check_options(tokenizer, hmm: bool, cut_all: bool, user_dict) -> None:
    is_jieba = isinstance(tokenizer, str) and tokenizer in _JIEBA_NAMES
    if not is_jieba and (hmm is not True or cut_all or user_dict is not None):
        raise ValueError(
            f"hmm, cut_all and user_dict apply to the jieba tokenizers only, not {tokenizer!r}"
        )
    if user_dict is not None:
        with open(user_dict, "rb"):  # FileNotFoundError/PermissionError naming it, early
            pass


def get_tokenizer(
    tokenizer: TokenizerSpec = "jieba-py",
    *,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[str] = None,
) -> Callable[[str], Iterable[str]]:
    """Return the Python function ``str -> tokens`` for a tokenizer spec.

    ``"jieba"`` gives the jieba-py function (the native segmenter counts
    without producing Python tokens; see :func:`chunk_counter_factory`).
    Raises ValueError for an unknown name or for jieba options given to
    another tokenizer, TypeError for something that is no tokenizer.
    """
    _check_options(tokenizer, hmm, cut_all, user_dict)
    if isinstance(tokenizer, str):
        if tokenizer in _JIEBA_NAMES:
            return _JiebaPy(hmm, cut_all, os.fspath(user_dict) if user_dict is not None else None)
        if tokenizer == "whitespace":
            return _split
        if tokenizer == "char":
            return _chars
        if _NAME_LIKE.match(tokenizer):
            raise ValueError(
                f"unknown tokenizer {tokenizer!r} (names: {', '.join(NAMES)}; "
                f"to count that literal text, pass re.compile({tokenizer!r}))"
            )
        tokenizer = re.compile(tokenizer)
    if isinstance(tokenizer, re.Pattern):
        if not isinstance(tokenizer.pattern, str):
            raise TypeError("a tokenizer regex must be a str pattern, not bytes")
        return _Regex(tokenizer)
    if callable(tokenizer):
        return tokenizer
    raise TypeError(
        f"tokenizer must be a name, a regex or a callable, not {type(tokenizer).__name__}"
    )


@dataclass(frozen=True)
class CounterFactory:
    """Picklable recipe for a chunk counter; calling it builds one.

    Built in the parent by :func:`chunk_counter_factory` (where the options
    are checked), called once in each worker.
    """

    #: what counts, for reports: "jieba (native)", "jieba-py", "regex '\\w+'", ...
    name: str
    #: the Python tokenizer, or None for the native jieba counter
    tokenize: Optional[Callable[[str], Iterable[str]]]
    keep_whitespace: bool = False
    #: keyword arguments of the native counter
    native_options: Dict[str, Any] = field(default_factory=dict)

    @property
    def releases_gil(self) -> bool:
        """True when its counters count with the GIL released (the native
        jieba counter): threads of one process then count in parallel."""
        return self.tokenize is None

    def preload(self) -> None:
        """Load what this process's chunk counters share: the jieba dictionary.

        Called before forking workers, so they inherit the loaded dictionary
        (shared copy-on-write) instead of each loading its own.
        """
        if self.tokenize is None:
            self().feed(["一"])
        elif isinstance(self.tokenize, _JiebaPy):
            _jieba_tokenizer(self.tokenize.user_dict)

    def __call__(self):
        if self.tokenize is None:
            native = native_jieba()
            if native is None:
                raise ImportError("fastcount.segmenter.ChunkCounter is not available here")
            from fastcount.segmenter import tokenizer_for

            options = dict(self.native_options)
            tokenizer = tokenizer_for(options.pop("tokenizer", None), options.pop("user_dict", None))
            return native(tokenizer, keep_whitespace=self.keep_whitespace, **options)
        return TokenCounter(self.tokenize, self.keep_whitespace)


def chunk_counter_factory(
    tokenizer: TokenizerSpec = "jieba",
    *,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[str] = None,
    keep_whitespace: bool = False,
) -> CounterFactory:
    """Check the tokenizer options and return the factory of its chunk counter.

    ``"jieba"`` uses the native counter when :mod:`fastcount.segmenter`
    is built, and jieba-py otherwise.
    """
    tokenize = get_tokenizer(tokenizer, hmm=hmm, cut_all=cut_all, user_dict=user_dict)
    if tokenizer == "jieba" and native_jieba() is not None:
        path = os.fspath(user_dict) if user_dict is not None else None
        options: Dict[str, Any] = {"hmm": hmm, "cut_all": cut_all, "user_dict": path}
        return CounterFactory("jieba (native)", None, keep_whitespace, options)
    if isinstance(tokenize, _JiebaPy):
        name = "jieba-py"
    elif isinstance(tokenize, _Regex):
        name = f"regex {tokenize.pattern.pattern!r}"
    elif tokenize is _split:
        name = "whitespace"
    elif tokenize is _chars:
        name = "char"
    else:
        name = getattr(tokenize, "__qualname__", type(tokenize).__name__)
    return CounterFactory(name, tokenize, keep_whitespace)
