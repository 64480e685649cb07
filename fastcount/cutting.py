"""A segmented corpus: each text's jieba tokens joined by a delimiter, one line per text.

:func:`cut_corpus` (``fastcount cut``) reads its source as ``count_words``
does (files, globs, directories, compression, JSON lines with ``field``,
stdin, iterables of texts) and writes, for every text in input order, its
tokens joined by ``delimiter`` and a ``"\\n"``: the input word2vec, fastText
and GloVe train on. With ``keep_whitespace=True`` the output of a text file
equals ``python -m jieba -d ' '`` on it byte for byte (jieba's reader also
ends a line at a lone ``"\\r"``; fastcount's, at ``"\\n"`` only); by default
whitespace tokens are dropped.

The native segmenter writes the lines in C (:class:`fastcount.segmenter.ChunkCounter`
in join mode: no str per token), in worker threads, a chunk each, and the
chunks are written out in order: memory stays bounded by a few chunks per
worker. A :class:`fastcount.filters.WordFilter` decides on each distinct
word once (a str per word, not per token).

With ``pos="_"`` each token is written as ``word_tag`` with its
jieba.posseg tag (:mod:`fastcount.posseg`): ``python -m jieba -p _`` with
the same delimiter, byte for byte, with whitespace tokens kept. Those lines
are joined in Python from the native tagger's pairs.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
import threading
import time
from typing import IO, TYPE_CHECKING, Dict, Optional, Union

from fastcount import io as fio
from fastcount.chunks import Chunk, chunk_texts, chunked, source_streams
from fastcount.options import check_tokenizer_options, whole_number

if TYPE_CHECKING:
    from fastcount.filters import WordFilter
    from fastcount.countstats import CountStats
    from fastcount.pipeline import Source

__all__ = ["cut_corpus"]

#: Bytes of text per chunk a worker segments at a time.
CHUNK_SIZE = 1 << 18


class _Cutter:
    """Segments chunks into joined lines (one per worker thread)."""

    def __init__(self, tokenizer, hmm: bool, cut_all: bool, keep_whitespace: bool, delimiter: str,
                 word_filter: Optional["WordFilter"]):
        from fastcount.segmenter import ChunkCounter

        self.joiner = ChunkCounter(tokenizer, hmm=hmm, cut_all=cut_all, keep_whitespace=keep_whitespace,
                                   join=delimiter.encode("utf-8", "surrogatepass"),
                                   keep_word=None if word_filter is None else word_filter.keep)

    def cut(self, chunk: Chunk) -> bytes:
        """The joined lines of ``chunk``'s texts."""
        if not all(isinstance(part, fio.Block) for part in chunk.parts):
            self.joiner.feed(chunk_texts(chunk.parts))
            return self.joiner.take_joined()
        out = []
        for block in chunk.parts:
            if self.joiner.feed_block(block) < 0:  # decoded by Python: its error names the line
                self.joiner.feed(block.texts())
            out.append(self.joiner.take_joined())
        return b"".join(out)


class _PosCutter:
    """Segments chunks into lines of ``word<pos>tag`` tokens with
    jieba.posseg's cut (one per worker thread)."""

    def __init__(self, tokenizer, hmm: bool, keep_whitespace: bool, delimiter: str, pos: str,
                 word_filter: Optional["WordFilter"]):
        from fastcount.posseg import pos_tokenizer_for

        self.pos_tokenizer = pos_tokenizer_for(tokenizer)
        self.hmm, self.delimiter, self.pos = hmm, delimiter, pos
        self.word_filter, self.keep_whitespace = word_filter, keep_whitespace
        #: the decision on each word seen (whitespace, filter)
        self.decided: Dict[str, bool] = {}

    def _keep(self, word: str) -> bool:
        ok = self.keep_whitespace or not word.isspace()
        if ok and self.word_filter is not None:
            ok = self.word_filter.keep(word)
        self.decided[word] = ok
        return ok

    def cut(self, chunk: Chunk) -> bytes:
        """The joined lines of ``chunk``'s texts."""
        lcut, hmm, delimiter, pos = self.pos_tokenizer.lcut, self.hmm, self.delimiter, self.pos
        decided, keep = self.decided, self._keep
        lines = []
        for text in chunk_texts(chunk.parts):
            tokens = []
            for p in lcut(text, hmm):
                ok = decided.get(p.word)
                if ok or ok is None and keep(p.word):
                    tokens.append(p.word + pos + p.flag)
            lines.append(delimiter.join(tokens))
        lines.append("")
        return "\n".join(lines).encode("utf-8", "surrogatepass")


def cut_corpus(
    source: "Source",
    output: Union[str, "os.PathLike[str]", IO[bytes]],
    *,
    delimiter: str = " ",
    pos: Optional[str] = None,
    tokenizer=None,
    workers: Optional[int] = None,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[str] = None,
    keep_whitespace: bool = False,
    word_filter: Optional["WordFilter"] = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    chunk_size: Optional[int] = None,
    progress: bool = False,
    stats: Optional["CountStats"] = None,
) -> "CountStats":
    """Write the segmented corpus of ``source`` to ``output``; return its statistics.

    ``output``: a path (written under a temporary name and renamed when
    complete: nothing is left there on an error) or a binary file object.
    Each text of ``source`` (read as :func:`fastcount.count_words` reads
    it) becomes one line: its tokens, joined by ``delimiter``. The tokens
    are jieba's (``hmm``, ``cut_all``, ``user_dict``, or ``tokenizer``: a
    ``fastcount.Tokenizer`` or ``jieba.Tokenizer``), whitespace tokens
    dropped unless ``keep_whitespace``, filtered by ``word_filter``. With
    ``pos`` (a str, ``"_"`` in ``python -m jieba -p``) each token is
    written as its word, ``pos`` and its jieba.posseg tag (``cut_all`` is
    refused: jieba.posseg cuts in the default mode only).
    ``workers`` threads segment in parallel (None: every core).
    """
    from fastcount.countstats import CountStats, cpu_count
    from fastcount.segmenter import tokenizer_for

    started = time.perf_counter()
    if not isinstance(delimiter, str) or "\n" in delimiter:
        raise ValueError(f"delimiter must be a str without a line end, not {delimiter!r}")
    if pos is not None:
        if not isinstance(pos, str) or "\n" in pos:
            raise ValueError(f"pos must be a str without a line end (the tag's delimiter), not {pos!r}")
        if cut_all:
            raise ValueError("pos: jieba.posseg cuts in the default mode only, not with cut_all")
    if word_filter is not None:  # numpy and the filters are imported only when asked for
        from fastcount.filters import check_filter

        word_filter = check_filter(word_filter) or None
    workers = whole_number("workers", workers, 1, none=True) or cpu_count()
    chunk_size = whole_number("chunk_size", chunk_size, 1, none=True) or CHUNK_SIZE
    check_tokenizer_options(tokenizer if tokenizer is not None else "jieba", hmm, cut_all, user_dict)
    tk = tokenizer_for(tokenizer, user_dict)
    stats = stats if stats is not None else CountStats()
    stats.__init__(tokenizer="jieba.posseg (native)" if pos is not None else "jieba (native)",
                   workers=workers, backend="threads" if workers > 1 else "in-process")
    local = threading.local()

    def cut(chunk: Chunk) -> bytes:
        cutter = getattr(local, "cutter", None)
        if cutter is None:
            cutter = local.cutter = (
                _Cutter(tk, hmm, cut_all, keep_whitespace, delimiter, word_filter) if pos is None
                else _PosCutter(tk, hmm, keep_whitespace, delimiter, pos, word_filter))
        return cutter.cut(chunk)

    if isinstance(output, (str, os.PathLike)):
        from fastcount.writers import AtomicOutput

        with AtomicOutput(os.fspath(output), binary=True) as out:
            _run(source, cut, out.file, workers, chunk_size, encoding, errors, field, progress, stats)
    else:
        _run(source, cut, output, workers, chunk_size, encoding, errors, field, progress, stats)
    stats.seconds = time.perf_counter() - started
    return stats


def _run(source, cut, out: IO[bytes], workers: int, chunk_size: int, encoding: str, errors: str,
         field: Optional[str], progress: bool, stats) -> None:
    """Cut the chunks of ``source`` with ``workers`` threads, writing each
    chunk's lines to ``out`` in order, at most two chunks per worker in flight."""
    from fastcount.workers import Progress

    with source_streams(source, encoding, errors, field, lambda total: max(1, chunk_size // 4),
                        share=True, need_total=progress) as (streams, total, sized):
        tally = Progress(stats, progress, total)
        try:
            chunks = chunked(streams, chunk_size, total if workers > 1 else None, workers, sized)
            if workers == 1:
                for chunk in chunks:
                    _write(out, chunk, cut(chunk), tally)
                return
            pending: collections.deque = collections.deque()
            with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="fastcount-cut") as pool:
                try:
                    for chunk in chunks:
                        pending.append((chunk, pool.submit(cut, chunk)))
                        while len(pending) > 2 * workers or pending and pending[0][1].done():
                            done, future = pending.popleft()
                            _write(out, done, future.result(), tally)
                    while pending:
                        done, future = pending.popleft()
                        _write(out, done, future.result(), tally)
                except BaseException:
                    for _, future in pending:
                        future.cancel()
                    raise
        finally:
            tally.close()


def _write(out: IO[bytes], chunk: Chunk, lines: bytes, tally) -> None:
    out.write(lines)
    if chunk.nbytes is None:
        chunk.nbytes = len(lines)  # an estimate: the texts' own size was not measured
    tally.done(chunk)
