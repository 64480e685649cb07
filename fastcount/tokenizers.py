"""The tokenizer registry and the chunk counters that workers run.

A tokenizer is named by:

* ``"jieba"``: jieba's accurate mode (``hmm``, ``cut_all``, ``user_dict``),
  run by fastcount's native segmenter when it is built, else by
  ``"jieba-py"``; both give the same tokens. The native segmenter uses the
  default tokenizer of :mod:`fastcount.jieba` (``fastcount.jieba.dt``):
  words added to it with its ``add_word``/``load_userdict`` are seen, by
  worker processes too;
* a ``fastcount.Tokenizer`` or a ``jieba.Tokenizer``: jieba's cut with that
  tokenizer's dictionary, user words and frequencies (``hmm``, ``cut_all``),
  run by the native segmenter; a ``jieba.Tokenizer`` is copied
  (:meth:`fastcount.Tokenizer.from_jieba`) when the count starts;
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
chunks, and follows the :class:`ChunkCounter` protocol: :class:`TokenCounter`
for the Python tokenizers, the native jieba counter for ``"jieba"`` and
tokenizer objects. :func:`chunk_counter_factory` turns tokenizer options into
a picklable :class:`CounterFactory` that builds one in each worker.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from dataclasses import dataclass, field
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Optional,
                    Protocol, Tuple, Union, runtime_checkable)

import numpy as np

from fastcount.options import JIEBA_NAMES, NAMES, check_tokenizer_options, tokenizer_object

if TYPE_CHECKING:
    import jieba

    from fastcount._vocab import Vocab
    from fastcount.io import Block
    from fastcount.merge import PartialCount
    from fastcount.segmenter import Tokenizer

__all__ = [
    "NAMES",
    "ChunkCounter",
    "TokenCounter",
    "CounterFactory",
    "TokenizerSpec",
    "chunk_counter_factory",
    "get_tokenizer",
    "native_jieba",
]

_NAME_LIKE = re.compile(r"[A-Za-z0-9_-]+\Z")

#: What ``tokenizer=`` takes: a name, a regex, a callable or a tokenizer object.
TokenizerSpec = Union[
    str, "re.Pattern[str]", Callable[[str], Iterable[str]], "Tokenizer", "jieba.Tokenizer"
]


@runtime_checkable
class ChunkCounter(Protocol):
    """What a worker counts with: one per worker, fed every chunk it is given.

    Implemented by :class:`TokenCounter` (Python tokenizers) and the native
    jieba counter. Words get dense ids in order of first sight, so
    :meth:`seen` before a chunk marks where that chunk's new words start.
    """

    def feed(self, texts: List[str]) -> Optional[int]:
        """Tokenize and count ``texts``; return their UTF-8 size in bytes if
        measured on the way (else None: the caller measures when it must).
        A tokenizer error may leave part of the batch counted."""

    def feed_block(self, block: "Block") -> int:
        """Count the lines of ``block`` as ``feed(block.texts())`` would and
        return how many there were; or return -1, counting nothing, for the
        caller to decode the block in Python and call :meth:`feed` (which
        then raises any decoding or tokenizer error, naming the line)."""

    def seen(self) -> int:
        """Number of distinct words counted so far."""

    def vocab_result(self) -> Tuple[Any, ...]:
        """A snapshot: the words as a :class:`fastcount.Vocab` (ids in order
        of first sight) and their int64 counts by id; the counter is unchanged.
        A counter made to count document frequencies (``documents="text"``:
        each text a document) adds them, int64 by id, and the number of
        documents counted: ``(vocab, counts, dfs, docs)``; with
        ``documents="file"`` (see :meth:`begin_document`) a fifth item maps
        each shared document to the ids of the words counted in it."""

    def begin_document(self, doc: int, shared: bool) -> None:
        """With ``documents="file"``: the texts fed from now on belong to
        document ``doc`` (numbers never go back); ``shared``: other counters
        may count parts of it too, so its words are listed in the result
        (the merge counts each document once: see
        :func:`fastcount.merge.merge_partials`)."""


class TokenCounter:
    """Chunk counter for Python tokenizers: words -> dense ids (Vocab) -> counts by id.

    Each word is stored once (in the Vocab) however often it occurs; ids are
    dense, so the counts are an int64 array indexed by id. Words get ids in
    order of first sight. The ids of counted tokens are kept until there are
    as many as words, then added at once (``np.bincount`` over the whole
    vocabulary): time linear in the tokens, on any numpy, with no
    scattered add per token.
    """

    def __init__(self, tokenize: Callable[[str], Iterable[str]], keep_whitespace: bool = False,
                 documents: Optional[str] = None):
        from fastcount._vocab import Vocab

        self._tokenize = tokenize
        # str.split() never yields a whitespace token: no filter to run
        self._drop_space = not keep_whitespace and getattr(tokenize, "yields_space", True)
        self._vocab = Vocab()
        #: counts by id, of the ids counted so far but those pending
        self._counts = np.zeros(0, dtype=np.int64)
        #: ids of tokens not added to the counts yet, and how many
        self._pending: List[np.ndarray] = []
        self._npending = 0
        #: with documents: documents begun, and for each pending id array
        #: its tokens' document numbers; by id: documents containing the
        #: word, and the last of them (the "last document seen" mark)
        self._docs = 0 if documents else None
        #: by file: the current document, and the words of shared documents
        self._by_file = documents == "file"
        self._doc: Optional[int] = None
        self._shared: Dict[int, List[np.ndarray]] = {}
        self._pending_docs: List[np.ndarray] = []
        self._dfs = np.zeros(0, dtype=np.int64)
        self._last = np.zeros(0, dtype=np.int64)

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
        # tokens up to each text's end, each text a document
        ends: Optional[List[int]] = None if self._docs is None or self._by_file else []
        for text in texts:
            if len(text) > self.long_text:
                self._add(tokens, ends)
                tokens = []
                extend = tokens.extend
                doc = self._doc
                if ends is not None:  # one document, however many batches
                    ends, doc = [], self._docs
                    self._docs += 1
                tokens_of_text = _lazy(tokenize, text)
                while True:
                    batch = list(itertools.islice(tokens_of_text, self._BATCH))
                    if not batch:
                        break
                    self._add(batch, doc=doc)
            else:
                extend(tokenize(text))
                if ends is not None:
                    ends.append(len(tokens))
        self._add(tokens, ends, self._doc)

    def begin_document(self, doc: int, shared: bool) -> None:
        """See :meth:`ChunkCounter.begin_document`."""
        if not self._by_file:
            raise RuntimeError("begin_document: this counter was not made with documents='file'")
        if doc != self._doc:
            self._docs += 1
            self._doc = doc
        if shared:
            self._shared.setdefault(doc, [])

    def feed_block(self, block: "Block") -> int:
        """-1: a Python tokenizer needs the block's texts (see :class:`ChunkCounter`)."""
        return -1

    def _add(self, tokens: List[str], ends: Optional[List[int]] = None, doc: Optional[int] = None) -> None:
        """Count ``tokens``; with dfs, either ``ends[i]`` is the end of text
        i's tokens, each text a new document, or all belong to document
        ``doc`` (a batch of a long text)."""
        docs = None
        if ends is not None:
            sizes = np.diff(np.asarray(ends, dtype=np.int64), prepend=0)
            docs = np.repeat(np.arange(self._docs, self._docs + len(sizes), dtype=np.int64), sizes)
            self._docs += len(sizes)
        elif doc is not None:
            docs = np.full(len(tokens), doc, dtype=np.int64)
        if self._drop_space:
            if docs is not None:
                kept = np.array([not w.isspace() for w in tokens], dtype=np.bool_)
                docs = docs[kept] if len(kept) else docs
            tokens = [w for w in tokens if not w.isspace()]
        if not tokens:
            return
        ids = self._vocab.encode(tokens)  # all or nothing: a bad token adds no word
        self._pending.append(ids)
        if docs is not None:
            self._pending_docs.append(docs)
        self._npending += len(ids)
        if self._npending >= len(self._vocab):
            self._flush()

    def _flush(self) -> None:
        """Add the pending ids to the counts."""
        if not self._pending:
            return
        ids = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending)
        n = len(self._vocab)
        counts = np.bincount(ids, minlength=n).astype(np.int64, copy=False)
        counts[: len(self._counts)] += self._counts
        self._counts = counts
        if self._docs is not None:
            self._count_documents(ids, np.concatenate(self._pending_docs), n)
        self._pending, self._pending_docs, self._npending = [], [], 0

    def _count_documents(self, ids: np.ndarray, docs: np.ndarray, n: int) -> None:
        """Add to the document frequencies the (document, word) pairs of
        ``ids`` (documents in ``docs``, never before an earlier flush's)."""
        grown = np.full(n, -1, dtype=np.int64)
        grown[: len(self._last)] = self._last
        self._last = grown
        first = int(docs[0])
        pairs = np.unique((docs - first) * n + ids)  # distinct (document, word), by document
        words, docs = pairs % n, pairs // n + first
        fresh = self._last[words] != docs  # not counted yet for this document
        for doc in self._shared.keys() & set(np.unique(docs[fresh]).tolist()):
            self._shared[doc].append(words[fresh & (docs == doc)])
        dfs = np.bincount(words[fresh], minlength=n).astype(np.int64, copy=False)
        dfs[: len(self._dfs)] += self._dfs
        self._dfs = dfs
        np.maximum.at(self._last, words, docs)

    def seen(self) -> int:
        """Number of distinct words counted so far."""
        return len(self._vocab)

    def vocab_result(self) -> Tuple[Any, ...]:
        """``(vocab, counts)``: a copy of the words as a :class:`fastcount.Vocab`
        (ids in order of first sight, copied in C: no str per word) and
        ``counts[i]``, the count of word ``i``; with documents, ``(vocab,
        counts, dfs, documents)`` and, by file, the words of the shared
        documents. The counter is unchanged."""
        from fastcount._vocab import Vocab

        self._flush()
        vocab = Vocab()
        vocab.add_from(self._vocab)
        if self._docs is None:
            return vocab, self._counts.copy()
        dfs = np.zeros(len(vocab), dtype=np.int64)
        dfs[: len(self._dfs)] = self._dfs
        if not self._by_file:
            return vocab, self._counts.copy(), dfs, self._docs
        shared = {doc: np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
                  for doc, ids in self._shared.items()}
        return vocab, self._counts.copy(), dfs, self._docs, shared


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


#: What :meth:`CounterFactory.preload` counts to load a tokenizer.
_WARM_UP = "预热"

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
    check_tokenizer_options(tokenizer, hmm, cut_all, user_dict)
    if isinstance(tokenizer, str):
        if tokenizer in JIEBA_NAMES:
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
    if tokenizer_object(tokenizer) is not None:
        return functools.partial(tokenizer.lcut, cut_all=cut_all, HMM=hmm)
    if callable(tokenizer):
        return tokenizer
    raise TypeError(
        f"tokenizer must be a name, a regex, a callable, a fastcount.Tokenizer or a "
        f"jieba.Tokenizer, not {type(tokenizer).__name__}"
    )


@dataclass(frozen=True)
class CounterFactory:
    """Picklable recipe for a chunk counter; calling it builds one.

    Built in the parent by :func:`chunk_counter_factory` (where the options
    are checked), called once in each worker. What the workers use of it
    (:func:`fastcount.pipeline.run_counters`): ``name``, ``releases_gil``
    (threads or processes), ``preload()`` (before forking), calling it, and
    ``partial(counter, marks)`` (each worker's result); a factory of
    another kind of counter provides the same.
    """

    #: what counts, for reports: "jieba (native)", "jieba-py", "regex '\\w+'", ...
    name: str
    #: the Python tokenizer, or None for the native jieba counter
    tokenize: Optional[Callable[[str], Iterable[str]]]
    keep_whitespace: bool = False
    #: keyword arguments of the native counter
    native_options: Dict[str, Any] = field(default_factory=dict)
    #: count document frequencies too: None, "text" (each text a document)
    #: or "file" (each file; see ChunkCounter.begin_document)
    documents: Optional[str] = None

    @property
    def releases_gil(self) -> bool:
        """True when its counters count with the GIL released (the native
        jieba counter): threads of one process then count in parallel."""
        return self.tokenize is None

    def preload(self) -> None:
        """Load what this process's chunk counters share: the jieba dictionary,
        or whatever a Python tokenizer loads on first use.

        Called before forking workers, so they inherit it (shared
        copy-on-write) instead of each loading its own: a Python tokenizer
        is called once, on a short text, here.
        """
        if self.tokenize is None:
            self().feed([_WARM_UP])
            return
        try:
            self.tokenize(_WARM_UP)
        except Exception:
            pass  # raised again by the workers, naming the text it fails on

    def partial(self, counter: ChunkCounter, marks: Optional[List[Tuple[int, int]]]) -> "PartialCount":
        """What a worker hands back at the end: its counter's words and
        counts (and document frequencies), with the first-sight marks of the
        chunks it counted."""
        from fastcount.merge import PartialCount

        vocab, counts, *documents = counter.vocab_result()
        return PartialCount(vocab, counts, marks, *documents)

    def __call__(self) -> ChunkCounter:
        """A new chunk counter."""
        if self.tokenize is None:
            native = native_jieba()
            if native is None:
                raise ImportError("fastcount.segmenter.ChunkCounter is not available here")
            from fastcount.segmenter import tokenizer_for

            options = dict(self.native_options)
            tokenizer = tokenizer_for(options.pop("tokenizer", None), options.pop("user_dict", None))
            return native(tokenizer, keep_whitespace=self.keep_whitespace, documents=self.documents,
                          **options)
        return TokenCounter(self.tokenize, self.keep_whitespace, self.documents)


def chunk_counter_factory(
    tokenizer: TokenizerSpec = "jieba",
    *,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[str] = None,
    keep_whitespace: bool = False,
    dfs: Union[bool, str] = False,
) -> CounterFactory:
    """Check the tokenizer options and return the factory of its chunk counter
    (with ``dfs``, of one that counts document frequencies too: True or
    ``"text"``, each text a document; ``"file"``, each file).

    ``"jieba"`` and tokenizer objects use the native counter when it is
    built (jieba-py and the object's ``lcut`` otherwise). ``"jieba"``
    without a user dictionary counts with the default tokenizer
    ``fastcount.jieba.dt`` as it is now, words added to it included (a
    worker process receives a copy of it when it was changed).
    """
    tokenize = get_tokenizer(tokenizer, hmm=hmm, cut_all=cut_all, user_dict=user_dict)
    if dfs not in (False, True, "text", "file"):
        raise ValueError(f"dfs must be True, False, 'text' or 'file', not {dfs!r}")
    documents = "text" if dfs is True else dfs or None
    kind = tokenizer_object(tokenizer)
    if (kind is not None or tokenizer == "jieba") and native_jieba() is not None:
        from fastcount.segmenter import tokenizer_for

        options: Dict[str, Any] = {"hmm": hmm, "cut_all": cut_all}
        if user_dict is not None:  # loaded by each worker process, once
            options["user_dict"] = os.fspath(user_dict)
        else:  # dt, a Tokenizer, or a copy of a jieba.Tokenizer made once, here
            options["tokenizer"] = tokenizer_for(tokenizer if kind is not None else None)
        name = "jieba (native)" if kind is None else f"jieba (native, {kind})"
        return CounterFactory(name, None, keep_whitespace, options, documents)
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
    return CounterFactory(name, tokenize, keep_whitespace, documents=documents)
