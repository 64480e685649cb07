"""The counting API: ``count_words``, ``count_partition`` and ``CountStats``.

A count flows through the package's modules in this order: the source is
read (:mod:`fastcount.io`) and cut into chunks (:mod:`fastcount.chunks`);
workers (:mod:`fastcount.workers`: this process, threads, or worker
processes) count the chunks with one chunk counter each
(:mod:`fastcount.tokenizers`) and hand back one partial count each, words
as a :class:`fastcount.Vocab` and counts by id; the partials are merged in C
and cut by ``min_count``/``top`` (:mod:`fastcount.merge`) into the
:class:`fastcount.Counter` returned, built once, with no Python str per
word on the way. Options are checked first (:mod:`fastcount.options`).

Results do not depend on ``workers``, the backend or ``chunk_size``. With
the Python tokenizers they match ``collections.Counter`` fed the same
tokens in order, including the order of insertion (so ``most_common``
breaks ties the same way): each worker's words come in order of first
sight and are merged by the chunk where they were first seen.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
import time
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING, Iterable, Literal, Optional, Sequence, Union

from fastcount.chunks import chunked, chunks_of_texts, source_streams
from fastcount.countstats import CountStats
from fastcount.countstats import cpu_count as _cpu_count
from fastcount.filters import WordFilter, check_filter
from fastcount.merge import PartialCount, finalize, merge_partials
from fastcount.options import check_backend, check_cut, whole_number
from fastcount.poscount import PosFilter, pair_keys, pos_counter_factory
from fastcount.tokenizers import CounterFactory, TokenizerSpec, chunk_counter_factory
from fastcount.workers import (Progress, RemoteTraceback, WorkerError, count_in_process,
                               count_in_processes, count_in_threads)

if TYPE_CHECKING:
    from fastcount.counter import Counter

__all__ = [
    "count_words", "count_partition", "partial_count", "run_counters", "CountStats", "Source",
    "RemoteTraceback", "WorkerError",
]

_Path = Union[str, "os.PathLike[str]"]
#: What ``count_words`` counts: texts, or a path/glob/directory/``"-"``, or a
#: list/tuple of paths holding an :class:`os.PathLike`.
Source = Union[_Path, Iterable[str], Sequence[_Path]]

#: Bytes of text per chunk for worker processes and for ``workers=1``; when
#: the input's size is known, the last chunks shrink (see
#: :func:`fastcount.chunks.chunked`) so that the workers still finish together.
DEFAULT_CHUNK_SIZE = 1 << 20
#: ... and for threads, which take chunks at almost no cost each: small
#: enough that they finish together without knowing the input's size.
THREAD_CHUNK_SIZE = 1 << 16
#: The smallest chunk cut for a small input of known size (see run_counters).
SMALLEST_CHUNK_SIZE = 1 << 16
#: Pieces (file blocks, spans of a list) per chunk for worker processes:
#: the last chunks shrink down to one piece.
PROCESS_PIECES = 16


def count_words(
    source: Source,
    tokenizer: TokenizerSpec = "jieba",
    *,
    workers: Optional[int] = None,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[_Path] = None,
    min_count: int = 1,
    top: Optional[int] = None,
    keep_whitespace: bool = False,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    progress: bool = False,
    chunk_size: Optional[int] = None,
    stats: Optional[CountStats] = None,
    backend: Optional[Literal["threads", "processes"]] = None,
    mp_context: Union[None, str, BaseContext] = None,
    pos: bool = False,
    pos_filter: Optional[PosFilter] = None,
    word_filter: Optional[WordFilter] = None,
) -> "Counter":
    """Count the words of a corpus; return a :class:`fastcount.Counter`.

    ``source`` is an iterable of texts (str), or a path, glob, directory or
    ``"-"`` (stdin), or a list/tuple of such paths holding at least one
    :class:`os.PathLike` (a plain list of str is texts). Files hold one text
    per line; ``.gz``/``.bz2``/``.xz`` are decompressed; with ``field`` every
    line is a JSON object and its ``field`` is the text (required for
    ``.jsonl``). ``encoding``/``errors`` decode files as :func:`open` does;
    with ``errors="strict"`` bad bytes raise
    :class:`fastcount.io.InputDecodeError` naming file and line.

    ``tokenizer``: a name (``"jieba"``, ``"jieba-py"``, ``"whitespace"``,
    ``"char"``), a regex, a callable ``str -> tokens``, or a
    ``fastcount.Tokenizer`` or ``jieba.Tokenizer`` (its dictionary and user
    words); with ``hmm``, ``cut_all``, ``user_dict``, ``keep_whitespace``:
    see :mod:`fastcount.tokenizers`. With ``"jieba-py"`` the result equals
    ``collections.Counter(w for t in texts for w in jieba.lcut(t) if not
    w.isspace())``; ``"jieba"`` gives the same counts, faster, with the
    default tokenizer of :mod:`fastcount.jieba` (words added to it are
    counted as such).

    ``workers``: how many count in parallel (None: every core this process
    may use; 1: count in this process, no pool). ``backend``: ``"threads"``
    (threads of this process, each with its own counter: the default for
    the native ``"jieba"`` tokenizer, which counts with the GIL released, so
    nothing is copied between processes and the dictionary is in memory
    once) or ``"processes"`` (worker processes: the default for every other
    tokenizer, and with ``mp_context``). Processes are started with
    ``mp_context`` (a :mod:`multiprocessing` context or start-method name;
    default: ``"fork"`` on Linux, whatever Python's default, else the
    platform's). This process counts too: ``workers=n`` starts ``n - 1``
    worker processes, and this process counts chunks between serving them.
    Under fork the workers inherit the tokenizer loaded once here: the
    jieba dictionary, and whatever a Python tokenizer loads on first use (it
    is called once on a short text before the workers start).
    Each forked worker costs time in proportion to this process's resident
    memory (its page tables are copied at the fork, while this process
    waits, and torn down at the worker's exit, which the call does not wait
    for): for a short job in a process that holds gigabytes, fewer workers
    can be faster.
    Python 3.12+ warns about forking a process that runs other threads (a
    lock one of them holds stays held in the workers): from such a process
    pass ``mp_context="forkserver"`` or ``"spawn"``. Under those each worker
    loads its own tokenizer (jieba's from its cache file) and imports this
    module, so a script that calls count_words must guard its entry point
    with ``if __name__ == "__main__":``. Worker processes end with this
    process, however it ends.
    ``chunk_size``: bytes of text per chunk given to a worker (None: 1 MiB
    for processes and for workers=1, 64 KiB for threads, and for an input
    of known size, a file or a list counted by processes, small enough for
    two chunks per worker, down to 64 KiB; a list or tuple of texts counted
    in this process is cut by code points instead of bytes).
    The result does not depend on ``workers``, ``backend`` or ``chunk_size``.

    ``pos=True`` counts by part of speech: the keys are ``(word, tag)``
    tuples and the result equals ``collections.Counter((p.word, p.flag) for
    t in texts for p in jieba.posseg.lcut(t) if not p.word.isspace())``;
    ``pos_filter`` (tags such as ``["n", "v"]``, ``"*"``-ended prefixes such
    as ``"n*"``, or one comma-separated str ``"n*,v,a*"``) counts only the
    words tagged so, by word (or by (word, tag) with ``pos=True``). Both
    count with jieba.posseg's cut and tags (:mod:`fastcount.posseg`), in C:
    ``tokenizer`` is then ``"jieba"``, a tokenizer object or a
    :class:`fastcount.posseg.POSTokenizer`; ``cut_all`` does not apply.

    ``word_filter``: a :class:`fastcount.filters.WordFilter` (stopwords,
    punctuation, length, regexes) applied to the counted words, before
    ``min_count`` and ``top``: the words it keeps keep their exact counts.
    ``min_count`` drops words seen fewer times; ``top`` keeps the ``top``
    most common (ties broken by word). ``progress`` shows a tqdm bar on
    stderr. ``stats``: a :class:`CountStats` filled in on return.

    Errors: a path that cannot be read raises its :class:`OSError` before
    any worker starts; an exception of the tokenizer is re-raised with its
    worker traceback as ``__cause__`` and a note naming the text
    (``file:line`` or item index); a non-str item raises TypeError naming
    its index. When several chunks fail, the error raised is that of the
    first in input order, whichever worker failed first. On any error or
    Ctrl-C all workers are stopped (processes at once, threads after the
    chunk they are counting).
    """
    started = time.perf_counter()
    # Imported now, so its first import is not counted as merge time.
    import fastcount.counter  # noqa: F401

    min_count, top = check_cut(min_count, top)
    if pos or pos_filter is not None:
        factory = pos_counter_factory(
            tokenizer, hmm=hmm, cut_all=cut_all, user_dict=user_dict, keep_whitespace=keep_whitespace,
            with_tags=bool(pos), tags=pos_filter,
        )
    else:
        factory = chunk_counter_factory(
            tokenizer, hmm=hmm, cut_all=cut_all, user_dict=user_dict, keep_whitespace=keep_whitespace
        )
    stats = stats if stats is not None else CountStats()
    total = merged_count(
        source, factory, word_filter, stats, workers=workers, backend=backend,
        mp_context=mp_context, chunk_size=chunk_size, encoding=encoding, errors=errors,
        field=field, progress=progress, tagged=bool(pos),
    )
    t0 = time.perf_counter()
    counts = finalize(total, min_count, top)
    if pos:
        counts = pair_keys(counts)
    stats.merge_seconds += time.perf_counter() - t0
    stats.seconds = time.perf_counter() - started
    return counts


def merged_count(
    source: Source, factory: CounterFactory, word_filter: Optional[WordFilter], stats: "CountStats",
    tagged: bool = False, **run_options,
) -> PartialCount:
    """``factory``'s counts of ``source`` merged into one partial, the words
    ``word_filter`` drops counted 0 (:func:`run_counters` with
    ``run_options``, then the merge; ``tagged``: the words are
    ``"word\0tag"``); ``stats`` gets the tokens and words before the
    filter, what it removed, and the merge time."""
    word_filter = check_filter(word_filter)
    parts = run_counters(source, factory, stats=stats, **run_options)
    t0 = time.perf_counter()
    total = merge_partials(parts)
    stats.tokens, stats.words = int(total.counts.sum()), len(total.vocab)
    if word_filter:
        total = word_filter.apply(total, stats, tagged=tagged)
    stats.merge_seconds += time.perf_counter() - t0
    return total


def run_counters(
    source: Source,
    factory: CounterFactory,
    *,
    workers: Optional[int] = None,
    backend: Optional[Literal["threads", "processes"]] = None,
    mp_context: Union[None, str, BaseContext] = None,
    chunk_size: Optional[int] = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    progress: bool = False,
    stats: Optional[CountStats] = None,
) -> list:
    """Count ``source`` with ``factory``'s chunk counters; return one partial
    per worker, unmerged, in worker order.

    The reading, chunking, workers, errors and progress of
    :func:`count_words` (whose options these are), for any counter: each
    worker ends with ``factory.partial(counter, marks)`` (a
    :class:`fastcount.merge.PartialCount` for :class:`CounterFactory`; a
    factory of another kind of counter may return its own kind of partial,
    picklable for worker processes). ``stats``, when given, is reset and
    gets ``texts``, ``bytes``, ``workers``, ``backend``, ``tokenizer`` and,
    in ``merge_seconds``, the parent's time receiving the partials.
    """
    chunk_size = whole_number("chunk_size", chunk_size, 1, none=True)
    workers = whole_number("workers", workers, 1, none=True)
    if workers is None:
        workers = _cpu_count()
    check_backend(backend, mp_context)
    if backend is None:
        backend = "threads" if factory.releases_gil and mp_context is None else "processes"
    ctx = None
    if workers > 1 and backend == "processes":
        if mp_context is None:
            # fork where the platform forks safely, whatever Python's default
            # (forkserver from 3.14): the workers inherit what is loaded here
            mp_context = "fork" if sys.platform.startswith("linux") else None
        ctx = (
            mp_context
            if mp_context is not None and not isinstance(mp_context, str)
            else multiprocessing.get_context(mp_context)
        )
    fixed = chunk_size is not None
    if not fixed:
        chunk_size = DEFAULT_CHUNK_SIZE if ctx is not None or workers == 1 else THREAD_CHUNK_SIZE

    def fitted(total: Optional[int]) -> int:
        # A small input of known size makes two chunks per worker at least
        # (down to SMALLEST_CHUNK_SIZE): one chunk would leave the others idle.
        if fixed or total is None or workers == 1:
            return chunk_size
        return max(min(chunk_size, total // (2 * workers)), SMALLEST_CHUNK_SIZE)

    # Blocks a few times smaller than chunks: the last chunks of a file
    # stay small enough to balance across workers; with worker processes,
    # smaller still: this process counts too, and what a worker still holds
    # when the input runs out is what this process waits for at the end.
    # This process's threads and forked workers read a list of texts in
    # place; threads size its texts as they take them, rather than the
    # caller's thread all first.
    pieces = 4 if ctx is None else PROCESS_PIECES
    with source_streams(
        source, encoding, errors, field, lambda total: max(1, fitted(total) // pieces),
        share=ctx is None or ctx.get_start_method() == "fork",
        need_total=ctx is not None or progress,
    ) as (streams, total_bytes, sized):
        chunk_size = fitted(total_bytes)
        stats = stats if stats is not None else CountStats()
        stats.__init__(tokenizer=factory.name)  # a reused instance starts from zero
        chunks = chunked(streams, chunk_size, total_bytes if workers > 1 else None, workers, sized,
                         by_file=getattr(factory, "documents", None) == "file",
                         smallest=max(1, chunk_size // pieces))
        tally = Progress(stats, progress, total_bytes)
        try:
            # Read up to one chunk per worker first: a small input needs fewer
            # workers, and one chunk needs no pool at all.
            head = []
            if workers > 1:
                for chunk in chunks:
                    head.append(chunk)
                    if len(head) == workers:
                        break
            stats.workers = workers = max(1, min(workers, len(head)))
            if workers == 1:
                stats.backend = "in-process"
                return count_in_process([*head, *chunks], factory, tally)
            if ctx is None:
                stats.backend = "threads"
                return count_in_threads(itertools.chain(head, chunks), factory, workers, tally)
            stats.backend = "processes"
            parts, stats.merge_seconds = count_in_processes(
                itertools.chain(head, chunks), factory, workers, ctx, tally, total_bytes if sized else None
            )
            return parts
        finally:
            tally.close()


def count_partition(
    texts: Iterable[str],
    tokenizer: TokenizerSpec = "jieba",
    *,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[_Path] = None,
    keep_whitespace: bool = False,
) -> "Counter":
    """Count one partition of texts in this process: the engine-neutral unit of work.

    Returns the exact counts of ``texts`` as a :class:`fastcount.Counter`
    (no ``min_count``/``top``: partials must stay exact to be merged, which
    :func:`fastcount.merge_counts` does, in any grouping and order; then
    :func:`fastcount.finalize_counts` cuts). The tokenizer options are
    those of :func:`count_words`; the tokenizer is loaded once per process
    and reused by later calls. A non-str item raises TypeError naming its
    index; a tokenizer error carries a note naming the item. This signature
    is stable: engines of your own can call it.
    """
    return finalize(partial_count(texts, tokenizer, hmm=hmm, cut_all=cut_all, user_dict=user_dict,
                                  keep_whitespace=keep_whitespace))


def partial_count(texts: Iterable[str], tokenizer: TokenizerSpec = "jieba", **options) -> PartialCount:
    """:func:`count_partition`'s counts (``options``: its tokenizer options)
    as a :class:`fastcount.merge.PartialCount` (words as a Vocab, counts by
    id): what the Dask and Spark engines merge with
    :func:`fastcount.merge.merge_partials` and cut with
    :func:`fastcount.merge.finalize` at the end, with no str per word on
    the way."""
    factory = chunk_counter_factory(tokenizer, **options)
    (part,) = count_in_process(chunks_of_texts(texts, DEFAULT_CHUNK_SIZE), factory, None)
    return part
