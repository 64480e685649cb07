"""count_words: stream a corpus in chunks through workers, merge once.

The parent reads the source (:mod:`fastcount.io`) and cuts it into chunks of
about ``chunk_size`` bytes; files travel as raw blocks of whole lines, so
the parent only reads and cuts, and the workers decode, split and tokenize
in parallel. Each worker is started once, builds its chunk counter once
(tokenizer and dictionary loaded once), counts every chunk it is given into
the same local table, and hands back one compact result at the end: its
words as a :class:`fastcount.Vocab` (one UTF-8 arena, which pickles as
bytes) and their int64 counts by id. The parent merges the vocabularies in
C (:meth:`fastcount.Vocab.add_from`), sums the counts by id and builds the
final :class:`fastcount.Counter` once, from the merged Vocab: no Python str
per word on the way.

Workers are threads of this process when the chunk counter counts with the
GIL released (the native jieba counter, the default): nothing to start,
nothing to copy, one dictionary in memory, and a list of texts is read in
place; each thread takes the next chunk when it is done with one. With any
other tokenizer (or ``backend="processes"``) they are worker processes,
and flow control is by credit: a worker holds two chunks, the one it counts
and the next (sent by a parent thread, already on its way), and gets
another each time it reports one done. So a worker never waits for the
parent to be scheduled, the parent holds at most two chunks per worker,
memory grows with the vocabulary, not the corpus, and workers that finish
sooner get more chunks when texts differ in length.

Results do not depend on ``workers``, the backend or ``chunk_size``. With
the Python tokenizers they match ``collections.Counter`` fed the same
tokens in order, including the order of insertion (so ``most_common``
breaks ties the same way): each worker's words come in order of first
sight and are merged by the chunk where they were first seen.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from fastcount import io as fio
from fastcount.tokenizers import CounterFactory, chunk_counter_factory

if TYPE_CHECKING:
    from fastcount._vocab import Vocab
    from fastcount.counter import Counter

__all__ = ["count_words", "count_partition", "CountStats", "RemoteTraceback", "WorkerError"]

#: Bytes of text per chunk for worker processes: big enough that sending a
#: chunk costs well under 1% of counting it (the parent's cost per chunk is
#: what a 4x smaller chunk measurably adds); when the input's size is known,
#: the last chunks shrink (see ``_chunked``) so that the workers still
#: finish together.
DEFAULT_CHUNK_SIZE = 1 << 20
#: ... and for threads, which take chunks at almost no cost each: small
#: enough that they finish together without knowing the input's size.
THREAD_CHUNK_SIZE = 1 << 16


@dataclass
class CountStats:
    """What a :func:`count_words` run did and how long it took.

    Pass an instance as ``count_words(..., stats=s)``; it is filled in when
    the call returns. ``merge_seconds`` is the parent's time to receive and
    merge the workers' results and apply ``min_count``/``top``.
    """

    texts: int = 0
    #: bytes of input text (UTF-8 bytes for an iterable source; for files,
    #: the bytes read after decompression)
    bytes: int = 0
    #: tokens counted (before ``min_count``/``top``)
    tokens: int = 0
    #: distinct words (before ``min_count``/``top``)
    words: int = 0
    workers: int = 0
    tokenizer: str = ""
    seconds: float = 0.0
    merge_seconds: float = 0.0

    @property
    def mb_per_s(self) -> float:
        """Throughput in MB (10**6 bytes) of input per second."""
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0

    @property
    def tokens_per_s(self) -> float:
        """Tokens counted per second."""
        return self.tokens / self.seconds if self.seconds else 0.0

    @property
    def merge_share(self) -> float:
        """Fraction of the wall time spent merging in the parent."""
        return self.merge_seconds / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        """One line for humans: sizes, throughput, merge share."""
        return (
            f"{self.texts:,} texts, {self.bytes / 1e6:,.1f} MB, {self.tokens:,} tokens, "
            f"{self.words:,} distinct words in {self.seconds:.2f} s: "
            f"{self.mb_per_s:.2f} MB/s, {self.tokens_per_s:,.0f} tokens/s "
            f"({self.tokenizer}, {self.workers} worker{'s' if self.workers != 1 else ''}, "
            f"merge {self.merge_seconds:.3f} s = {self.merge_share:.1%})"
        )


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, as text (its ``__cause__``)."""

    def __init__(self, tb: str):
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return f'\n"""\n{self.tb}"""'


class WorkerError(RuntimeError):
    """A worker failed in a way that cannot be re-raised as is.

    Raised when a worker process dies (killed, crashed) or when the
    tokenizer's exception cannot be pickled back to the parent.
    """


@dataclass
class _Chunk:
    """One unit of work: texts and blocks of lines (decoded by the worker)."""

    #: str (one text) or fastcount.io.Block (whole lines of a file)
    parts: list
    ntexts: int
    #: UTF-8 bytes of its texts; None until counted when not known before
    nbytes: Optional[int]
    #: (index of the first text, file name or None for an iterable, line or
    #: item number of that text): enough to name the place of any text
    places: List[tuple]

    def where(self, index: Optional[int]) -> str:
        if index is None:
            start, label, number = self.places[0]
            first = f"{label}:{number}" if label is not None else f"item {number}"
            return f"a chunk of {self.ntexts} texts starting at {first}"
        for start, label, number in reversed(self.places):
            if start <= index:
                number += index - start
                return f"{label}:{number}" if label is not None else f"item {number} of the source"
        raise AssertionError("places always start at index 0")


@dataclass(frozen=True)
class _Span:
    """Texts ``start:end`` of a list being counted by threads of this process
    or by forked workers, who inherit it (``_shared[key]``): the chunk
    travels as three ints instead of its texts pickled by the parent and
    unpickled by a worker."""

    key: int
    start: int
    end: int


#: Lists of texts that threads and forked workers read their spans from, by call.
_shared: dict = {}


def _texts(parts: list) -> List[str]:
    """The texts of a chunk's parts, blocks decoded and split, spans looked up."""
    if not any(isinstance(part, (fio.Block, _Span)) for part in parts):
        return parts
    texts: List[str] = []
    for part in parts:
        if isinstance(part, fio.Block):
            texts.extend(part.texts())
        elif isinstance(part, _Span):
            texts.extend(_shared[part.key][part.start : part.end])
        else:
            texts.append(part)
    return texts


def _checked_texts(items: Iterable, start: int = 0) -> Iterator[tuple]:
    """``(text, 1, utf8 size)`` for an iterable of texts (the first one item
    ``start`` of the source); TypeError names a bad item."""
    for i, text in enumerate(items, start):
        if not isinstance(text, str):
            raise TypeError(f"item {i} of the source is {type(text).__name__}, not str")
        yield text, 1, len(text.encode("utf-8", "surrogatepass"))


def _text_sizes(texts: Sequence, utf8: bool, batch: int = 512) -> Iterator[int]:
    """The sizes of a list of texts, UTF-8 bytes or (without ``utf8``) code
    points, batch by batch as they are taken (C loops over each batch);
    TypeError names a non-str item."""
    for start in range(0, len(texts), batch):
        part = texts[start : start + batch]
        if not set(map(type, part)) <= {str}:
            for _ in _checked_texts(part, start):  # raises at the first non-str
                pass
        if not utf8:
            yield from map(len, part)
            continue
        try:
            yield from list(map(len, map(str.encode, part)))
        except UnicodeEncodeError:  # a lone surrogate
            yield from [len(text.encode("utf-8", "surrogatepass")) for text in part]


def _span_pieces(key: int, sizes: Iterable[int], block_size: int) -> Iterator[tuple]:
    """``(_Span, texts in it, size)`` pieces of about ``block_size``, from
    the texts' sizes (bytes or code points; a list, or a generator sizing
    them as the pieces are taken)."""
    start = end = size = 0
    for end, n in enumerate(sizes, 1):
        size += n
        if size >= block_size:
            yield _Span(key, start, end), end - start, size
            start, size = end, 0
    if start < end:
        yield _Span(key, start, end), end - start, size


def _chunked(
    streams: Iterable[tuple], chunk_size: int, total: Optional[int] = None, workers: int = 1,
    sized: bool = True,
) -> Iterator[_Chunk]:
    """Cut ``(label, first number, iterator of pieces)`` streams into chunks.

    A piece is ``(text or Block, texts in it, bytes)``; a chunk closes once
    it holds ``chunk_size`` bytes. Without ``sized`` the pieces' sizes are
    only estimates (code points) and the chunks' ``nbytes`` are None, for
    the counter to measure. With ``total``, the input's size, chunks
    near the end close at a share of what is left (down to a quarter of
    ``chunk_size``, the size of a file's blocks), so that no worker still
    counts a whole chunk while the others have nothing left to do.
    """
    parts: list = []
    places: List[tuple] = []
    ntexts = nbytes = 0
    target, cut = chunk_size, 0
    for label, number, pieces in streams:
        places.append((ntexts, label, number))
        for part, n, size in pieces:
            parts.append(part)
            ntexts += n
            number += n
            nbytes += size + 1  # + 1: empty texts cost something too
            if nbytes >= target:
                yield _Chunk(parts, ntexts, nbytes - len(parts) if sized else None, places)
                if total is not None:
                    cut += nbytes
                    target = max(min(chunk_size, (total - cut) // (2 * workers)), chunk_size // 4)
                parts, places, ntexts, nbytes = [], [(0, label, number)], 0, 0
    if parts:
        yield _Chunk(parts, ntexts, nbytes - len(parts) if sized else None, places)


def _locate(factory: CounterFactory, texts: List[str]) -> Optional[int]:
    """Index of the first text a fresh counter fails on (None if none fails)."""
    probe = factory()
    for i, text in enumerate(texts):
        try:
            probe.feed([text])
        except Exception:
            return i
    return None


def _add_note(exc: BaseException, note: str) -> None:
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:  # Python < 3.11: keep the note where 3.11's traceback would look
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]


# ---------------------------------------------------------------- workers


def _worker(factory: CounterFactory, conn) -> None:
    """Worker process main: count every chunk received, send one result."""
    # Ctrl-C reaches the whole process group; the parent decides and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    texts: List[str] = []
    try:
        counter = factory()
        seen = getattr(counter, "seen", None)
        firsts: List[Tuple[int, int]] = []
        while True:
            msg = conn.recv()
            if msg is None:
                break
            chunk_id, parts = msg
            texts = []  # if decoding fails there is no text to blame
            texts = _texts(parts)  # InputError (bad bytes, bad JSON) names its line
            if seen is not None:
                firsts.append((chunk_id, seen()))
            counter.feed(texts)
            conn.send(("done",))
        texts = []
        distinct = seen() if seen is not None else None
        vocab, counts = counter.vocab_result()
        if len(vocab) != distinct:
            firsts = None  # no first-sight marks to merge by: in worker order
        if len(counts):
            # most counts are small: the narrowest unsigned type that holds
            # them sends a quarter of the bytes (the parent widens them again)
            counts = counts.astype(np.min_scalar_type(int(counts.max())))
        conn.send(("result", vocab, counts, firsts))
    except (EOFError, BrokenPipeError):
        return  # the parent is gone or gave up on us: nothing to report to
    except BaseException as exc:
        index = _locate(factory, texts) if texts else None
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        try:
            payload: Optional[bytes] = pickle.dumps(exc)
            pickle.loads(payload)  # must also rebuild in the parent
        except Exception:
            payload = None
        try:
            conn.send(("error", index, payload, tb, f"{type(exc).__name__}: {exc}"))
        except (EOFError, BrokenPipeError):
            pass


def _raise_remote(chunk: Optional[_Chunk], index, payload, tb: str, summary: str):
    exc: BaseException
    if payload is not None:
        exc = pickle.loads(payload)
        if isinstance(exc, fio.InputError):
            raise exc  # bad input: its message names the place, the rest is noise
    else:
        exc = WorkerError(summary)
    where = chunk.where(index) if chunk is not None else "no text (worker start-up or result)"
    _add_note(exc, f"fastcount: raised in a worker process, on {where}")
    raise exc from RemoteTraceback(tb)


def _start_workers(n: int, factory: CounterFactory, ctx) -> Tuple[list, list]:
    procs, conns = [], []
    try:
        for i in range(n):
            parent_end, child_end = ctx.Pipe(duplex=True)
            conns.append(parent_end)
            proc = ctx.Process(
                target=_worker, args=(factory, child_end), name=f"fastcount-worker-{i}", daemon=True
            )
            proc.start()
            procs.append(proc)
            child_end.close()
    except BaseException:
        _stop_workers(procs, conns, [], graceful=False)
        raise
    return procs, conns


def _stop_workers(procs: list, conns: list, senders: list, graceful: bool) -> None:
    """Make sure every worker has ended; SIGTERM, then SIGKILL, within ~1 s."""
    if graceful:
        for proc in procs:
            proc.join(5.0)
    for proc in procs:
        if proc.exitcode is None:
            proc.terminate()
    deadline = time.monotonic() + 1.0
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.exitcode is None:
            proc.kill()
            proc.join()
        proc.close()
    # With the workers gone, a send still blocked fails at once.
    for sender in senders:
        sender.queue.put(_STOP)
    for sender in senders:
        sender.join(1.0)
    for conn in conns:
        conn.close()


class _Tally:
    """Counts texts and bytes of finished chunks, and drives the progress bar."""

    def __init__(self, stats: CountStats, progress: bool, total: Optional[int]):
        self.stats = stats
        self.bar = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=total, unit="B", unit_scale=True, unit_divisor=1000,
                desc="counting", file=sys.stderr, dynamic_ncols=True,
            )

    def done(self, chunk: _Chunk) -> None:
        self.stats.texts += chunk.ntexts
        self.stats.bytes += chunk.nbytes
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.stats.texts:,} texts", refresh=False)
            self.bar.update(chunk.nbytes)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


#: Chunks a worker holds at a time: the one it counts and the next, already
#: on its way, so it never waits for the parent to be scheduled between two.
_CREDIT = 2
_STOP = object()


class _Sender(threading.Thread):
    """Sends one worker its chunks.

    A send blocks until the worker reads, i.e. until it has counted its
    current chunk; doing it here keeps the parent free to serve the others.
    """

    def __init__(self, conn, i: int):
        super().__init__(name=f"fastcount-sender-{i}", daemon=True)
        self.conn = conn
        self.queue: "queue.SimpleQueue" = queue.SimpleQueue()

    def run(self) -> None:
        while True:
            item = self.queue.get()
            if item is _STOP:
                return
            try:
                self.conn.send(item)
            except (OSError, ValueError):
                return  # the worker is gone: the parent sees it through its sentinel


def _run_pool(chunks: Iterator[_Chunk], factory, n: int, ctx, tally: _Tally):
    """Count with ``n`` worker processes; return their results and merge time."""
    try:
        pickle.dumps(factory)
    except Exception as err:
        raise TypeError(
            f"the tokenizer must be picklable to run in worker processes ({err}); "
            "use a module-level function, or workers=1"
        ) from err
    if ctx.get_start_method() == "fork":
        factory.preload()  # once here rather than once per worker
    procs, conns = _start_workers(n, factory, ctx)
    senders = [_Sender(conn, i) for i, conn in enumerate(conns)]
    for sender in senders:
        sender.start()
    ok = False
    try:
        results = _drive(procs, conns, senders, chunks, tally)
        ok = True
        return results
    finally:
        _stop_workers(procs, conns, senders, graceful=ok)


def _drive(procs, conns, senders, chunks, tally):
    n = len(procs)
    source = enumerate(chunks)  # chunk ids: global, increasing
    given: List[collections.deque] = [collections.deque() for _ in range(n)]  # oldest is being counted
    results: dict = {}  # worker -> (vocab, counts, firsts)
    merge_seconds = 0.0
    exhausted = False

    def give(i: int) -> None:
        nonlocal exhausted
        while not exhausted and len(given[i]) < _CREDIT:
            item = next(source, None)  # the parent reads the input here
            if item is None:
                exhausted = True
                for sender in senders:
                    sender.queue.put(None)  # after its chunks, each worker finishes
                return
            chunk_id, chunk = item
            given[i].append(chunk)
            senders[i].queue.put((chunk_id, chunk.parts))

    def died(i: int):
        _died(procs[i], given[i][0] if given[i] else None)

    for i in range(n):
        give(i)
    by_conn = {conn: i for i, conn in enumerate(conns)}
    by_sentinel = {proc.sentinel: i for i, proc in enumerate(procs)}
    while len(results) < n:
        waiting = [i for i in range(n) if i not in results]
        ready = wait([conns[i] for i in waiting] + [procs[i].sentinel for i in waiting])
        for obj in ready:
            i = by_conn.get(obj)
            if i is None:
                i = by_sentinel[obj]
                if i not in results and not conns[i].poll():
                    died(i)
                continue
            t0 = time.perf_counter()
            try:
                msg = obj.recv()
            except (EOFError, ConnectionResetError):  # which one depends on timing
                died(i)
            kind = msg[0]
            if kind == "done":
                tally.done(given[i].popleft())
                give(i)
            elif kind == "result":
                vocab, counts, firsts = msg[1:]
                results[i] = (vocab, counts.astype(np.int64), firsts)
                merge_seconds += time.perf_counter() - t0
            else:  # "error"
                _raise_remote(given[i][0] if given[i] else None, *msg[1:])
    return [results[i] for i in range(n)], merge_seconds


def _died(proc, chunk: Optional[_Chunk]):
    proc.join(1.0)  # for its exit code
    where = chunk.where(None) if chunk is not None else "no chunk"
    raise WorkerError(
        f"worker process {proc.pid} died (exit code {proc.exitcode}) while counting {where}"
    )


def _feed(counter, factory: CounterFactory, chunk: _Chunk) -> None:
    """Count a chunk in this process (and measure it, when its size is not
    known yet); a tokenizer error gets a note naming its text.

    A counter that decodes blocks of a file itself (``feed_block``) gets
    them as they are; a block it gives back is decoded here.
    """
    feed_block = getattr(counter, "feed_block", None)
    if feed_block is None or not all(isinstance(part, fio.Block) for part in chunk.parts):
        _feed_texts(counter, factory, chunk, _texts(chunk.parts))
        return
    done = 0  # texts of the chunk counted so far
    for block in chunk.parts:
        n = feed_block(block)
        if n < 0:  # Python's decoder, and its errors naming the line
            texts = block.texts()
            _feed_texts(counter, factory, chunk, texts, done)
            n = len(texts)
        done += n


def _feed_texts(counter, factory: CounterFactory, chunk: _Chunk, texts: List[str], first: int = 0) -> None:
    """Count ``texts``, those of ``chunk`` from its text number ``first``."""
    try:
        size = counter.feed(texts)
    except Exception as exc:
        index = _locate(factory, texts)
        where = chunk.where(None if index is None else first + index)
        _add_note(exc, f"fastcount: raised by the tokenizer on {where}")
        raise
    if chunk.nbytes is None:  # the native counter measures it in C, others do not
        chunk.nbytes = size if size is not None else sum(_text_sizes(texts, utf8=True))


def _run_in_process(chunks: Iterable[_Chunk], factory: CounterFactory, tally: Optional[_Tally]):
    counter = factory()
    for chunk in chunks:
        _feed(counter, factory, chunk)
        if tally is not None:
            tally.done(chunk)
    vocab, counts = counter.vocab_result()
    return [(vocab, counts, None)]


def _run_threads(chunks: Iterator[_Chunk], factory: CounterFactory, n: int, tally: _Tally):
    """Count with ``n`` threads of this process, each with its own counter.

    For counters that count with the GIL released (the native jieba
    counter): nothing to start or copy between processes, one dictionary in
    memory; only reading, decoding and handing texts over take the GIL.
    Each thread takes the next chunk when it is done with one, so threads
    finish together; chunk ids are taken in order, as with processes, so
    words merge in order of first sight. On an error or Ctrl-C the threads
    stop after the chunk they are counting.
    """
    lock = threading.Lock()  # over the chunk iterator (it reads the input) and the tally
    source = enumerate(chunks)
    results: list = [None] * n
    errors: List[BaseException] = []
    finished = threading.Semaphore(0)

    def work(i: int) -> None:
        try:
            counter = factory()
            firsts: List[Tuple[int, int]] = []
            while not errors:
                with lock:
                    item = next(source, None)
                if item is None:
                    break
                chunk_id, chunk = item
                firsts.append((chunk_id, counter.seen()))
                _feed(counter, factory, chunk)
                with lock:
                    tally.done(chunk)
            # built here, in parallel and while its data is in this core's caches
            results[i] = (*counter.vocab_result(), firsts)
        except BaseException as exc:  # re-raised by the caller's thread
            errors.append(exc)
        finally:
            finished.release()

    threads = [
        threading.Thread(target=work, args=(i,), name=f"fastcount-worker-{i}", daemon=True)
        for i in range(n)
    ]
    ok = False
    try:
        for thread in threads:
            thread.start()
        for _ in threads:
            # timed waits, so that Ctrl-C gets through (on a semaphore: a
            # join interrupted by it can leave a finished thread listed alive)
            while not finished.acquire(timeout=0.1):
                pass
        ok = True
    except BaseException as exc:
        errors.append(exc)
        raise
    finally:
        # After an error or Ctrl-C the threads stop once their chunk is
        # counted; one blocked reading the input (stdin) cannot be stopped,
        # and is not waited for beyond a second.
        deadline = time.monotonic() + 1.0
        for thread in threads:
            if thread.ident is not None:
                thread.join(None if ok else max(0.0, deadline - time.monotonic()))
    if errors:
        raise errors[0]
    return results, 0.0


def _counter_of(vocab: "Vocab", counts: np.ndarray) -> "Counter":
    """The Counter of ``vocab``'s words, ``counts[i]`` for word ``i``, in id
    order, with no str per word; words counted 0 are left out. Takes
    ``vocab`` over."""
    from fastcount.counter import Counter

    return Counter.from_vocab(vocab, counts)


def _segments(sizes: List[int], firsts: List[Optional[list]]) -> List[Tuple[int, int, int, int]]:
    """``(chunk id, worker, start, end)``: the ranges of each worker's word
    ids (``sizes[w]`` of them) in the order the merge takes them.

    Each worker's ids are in order of first sight, split by the chunk that
    introduced them (``firsts[w]``: ``(chunk id, first id)`` marks); chunk
    ids are global and increasing, so taking the segments by chunk id gives
    the corpus's first-sight order. Without every worker's marks: in
    worker order.
    """
    if any(marks is None for marks in firsts):
        return [(0, w, 0, n) for w, n in enumerate(sizes)]
    segments = []
    for w, (n, marks) in enumerate(zip(sizes, firsts)):
        ends = [start for _, start in marks[1:]] + [n]
        for (chunk_id, start), end in zip(marks, ends):
            if end > start:
                segments.append((chunk_id, w, start, end))
    segments.sort()
    return segments


def _combine(parts) -> Tuple["Vocab", np.ndarray]:
    """All workers' ``(vocab, counts, firsts)`` as one Vocab and counts by id,
    words in order of first sight when known (else in worker order)."""
    from fastcount._vocab import Vocab

    if len(parts) == 1:
        vocab, counts, _ = parts[0]
        return vocab, counts
    segments = _segments([len(vocab) for vocab, _, _ in parts], [firsts for _, _, firsts in parts])
    total = Vocab()
    # ids[w][i]: the total's id of word i of worker w
    ids = [np.empty(len(vocab), dtype=np.int64) for vocab, _, _ in parts]
    for _, w, start, end in segments:
        ids[w][start:end] = total.add_from(parts[w][0], np.arange(start, end))
    summed = np.zeros(len(total), dtype=np.int64)
    for (_, counts, _), where in zip(parts, ids):
        summed[where] += counts  # a worker's words are distinct: no repeated index
    return total, summed


def _merge(parts, min_count: int = 1, top: Optional[int] = None) -> Tuple["Counter", int, int]:
    """Sum worker results, apply ``min_count``/``top``; return (Counter, tokens, distinct words).

    Everything runs on word ids (one merged Vocab, counts by id); the
    Counter is built once, from the words kept.
    """
    from fastcount._vocab import Vocab

    vocab, counts = _combine(parts)
    tokens, distinct = int(counts.sum()), len(vocab)
    if min_count <= 1 and top is None:
        return _counter_of(vocab, counts), tokens, distinct
    keep = np.flatnonzero(counts >= min_count)
    if top is None:
        # ids in order: drop the others by counting them 0
        kept = np.zeros_like(counts)
        kept[keep] = counts[keep]
        return _counter_of(vocab, kept), tokens, distinct
    if top == 0:
        keep = keep[:0]
    elif top < len(keep):
        # Every word that can make the cut (count >= the top-th largest),
        # then the cut itself, ties broken by word, so that it does not
        # depend on the order of merging.
        kth = np.partition(counts[keep], len(keep) - top)[len(keep) - top]
        candidates = keep[counts[keep] >= kth]
        words = vocab.decode(candidates)
        order = sorted(range(len(candidates)), key=lambda i: (-int(counts[candidates[i]]), words[i]))
        keep = candidates[order[:top]]
    # most common first: a Vocab of the kept words in that order
    cut = Vocab()
    cut.add_from(vocab, keep)
    return _counter_of(cut, counts[keep]), tokens, distinct


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _streams(
    source, encoding: str, errors: str, field: Optional[str], block_size: int,
    share_key: Optional[int] = None, need_total: bool = True,
) -> Tuple[Iterable[tuple], Optional[int], bool]:
    """The reader streams of ``source``, its total size in bytes if known,
    and whether the pieces' sizes are exact (see ``_chunked``).

    With ``share_key``, a list or tuple of texts is registered in ``_shared``
    under it and cut into spans, for threads or workers forked after this
    call; without ``need_total`` its texts are measured in code points (no
    UTF-8 to make: the counters measure the bytes) and its total is not known.
    """
    specs = fio.path_specs(source)
    if specs is None:
        if field is not None:
            raise ValueError("field= applies to JSON-lines files, not to an iterable of texts")
        if isinstance(source, (bytes, bytearray)) or not hasattr(source, "__iter__"):
            raise TypeError(
                f"source must be an iterable of str or path(s), not {type(source).__name__}"
            )
        if share_key is not None and isinstance(source, (list, tuple)):
            _shared[share_key] = source
            if not need_total:
                # cut by code points; the counters measure the UTF-8 bytes
                lengths = _text_sizes(source, utf8=False)
                return [(None, 0, _span_pieces(share_key, lengths, block_size))], None, False
            sizes = list(_text_sizes(source, utf8=True))
            return [(None, 0, _span_pieces(share_key, sizes, block_size))], sum(sizes), True
        return [(None, 0, _checked_texts(source))], None, True
    sources = fio.resolve_paths(specs)
    fio.check_field(sources, field)
    sizes = [s.size for s in sources]
    total = sum(sizes) if None not in sizes else None
    streams = (
        (fio.display_name(s), 1, fio.iter_pieces(s, encoding, errors, field, block_size))
        for s in sources
    )
    return streams, total, True


def count_words(
    source,
    tokenizer="jieba",
    *,
    workers: Optional[int] = None,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict=None,
    min_count: int = 1,
    top: Optional[int] = None,
    keep_whitespace: bool = False,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    progress: bool = False,
    chunk_size: Optional[int] = None,
    stats: Optional[CountStats] = None,
    backend: Optional[str] = None,
    mp_context=None,
):
    """Count the words of a corpus; return a :class:`fastcount.Counter`.

    ``source`` is an iterable of texts (str), or a path, glob, directory or
    ``"-"`` (stdin), or a list/tuple of such paths holding at least one
    :class:`os.PathLike` (a plain list of str is texts). Files hold one text
    per line; ``.gz``/``.bz2``/``.xz`` are decompressed; with ``field`` every
    line is a JSON object and its ``field`` is the text (required for
    ``.jsonl``). ``encoding``/``errors`` decode files as :func:`open` does;
    with ``errors="strict"`` bad bytes raise
    :class:`fastcount.io.InputDecodeError` naming file and line.

    ``tokenizer``, ``hmm``, ``cut_all``, ``user_dict``, ``keep_whitespace``:
    see :mod:`fastcount.tokenizers`. With ``"jieba-py"`` the result equals
    ``collections.Counter(w for t in texts for w in jieba.lcut(t) if not
    w.isspace())``; ``"jieba"`` gives the same counts, faster.

    ``workers``: how many count in parallel (None: every core this process
    may use; 1: count in this process, no pool). ``backend``: ``"threads"``
    (threads of this process, each with its own counter: the default for
    the native ``"jieba"`` tokenizer, which counts with the GIL released, so
    nothing is copied between processes and the dictionary is in memory
    once) or ``"processes"`` (worker processes: the default for every other
    tokenizer, and with ``mp_context``). Processes are started with
    ``mp_context`` (a :mod:`multiprocessing` context or start-method name;
    default: the platform's); they import this module, so a script that
    calls count_words must guard its entry point with ``if __name__ ==
    "__main__":`` under the spawn and forkserver start methods.
    ``chunk_size``: bytes of text per chunk given to a worker (None: 1 MiB
    for processes and for workers=1, 64 KiB for threads; a list or tuple of
    texts counted in this process is cut by code points instead of bytes).
    The result does not depend on ``workers``, ``backend`` or ``chunk_size``.

    ``min_count`` drops words seen fewer times; ``top`` keeps the ``top``
    most common (ties broken by word). ``progress`` shows a tqdm bar on
    stderr. ``stats``: a :class:`CountStats` filled in on return.

    Errors: a path that cannot be read raises its :class:`OSError` before
    any worker starts; an exception of the tokenizer is re-raised with its
    worker traceback as ``__cause__`` and a note naming the text
    (``file:line`` or item index); a non-str item raises TypeError naming
    its index. On any error or Ctrl-C all workers are stopped (processes at
    once, threads after the chunk they are counting).
    """
    started = time.perf_counter()
    # Imported here, not at module level: worker processes never need it; and
    # now, so its first import is not counted as merge time.
    import fastcount.counter  # noqa: F401

    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count!r}")
    if top is not None and top < 0:
        raise ValueError(f"top must be >= 0 or None, got {top!r}")
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size!r}")
    if workers is None:
        workers = _cpu_count()
    elif workers < 1:
        raise ValueError(f"workers must be >= 1 or None, got {workers!r}")
    factory = chunk_counter_factory(
        tokenizer, hmm=hmm, cut_all=cut_all, user_dict=user_dict, keep_whitespace=keep_whitespace
    )
    if backend is None:
        backend = "threads" if factory.releases_gil and mp_context is None else "processes"
    elif backend not in ("threads", "processes"):
        raise ValueError(f"backend must be 'threads', 'processes' or None, got {backend!r}")
    elif backend == "threads" and mp_context is not None:
        raise ValueError("mp_context applies to backend='processes' only")
    ctx = None
    if workers > 1 and backend == "processes":
        ctx = (
            mp_context
            if mp_context is not None and not isinstance(mp_context, str)
            else multiprocessing.get_context(mp_context)
        )
    if chunk_size is None:
        chunk_size = DEFAULT_CHUNK_SIZE if ctx is not None or workers == 1 else THREAD_CHUNK_SIZE
    # This process's threads and forked workers see a list of texts: they
    # read their chunks from it.
    shared = ctx is None or ctx.get_start_method() == "fork"
    share_key = next(_share_keys) if shared else None
    # Blocks a few times smaller than chunks: the last chunks of a file
    # stay small enough to balance across workers. Threads size a list's
    # texts as they take them, rather than the caller's thread all first.
    try:
        streams, total_bytes, sized = _streams(
            source, encoding, errors, field, max(1, chunk_size // 4), share_key,
            need_total=ctx is not None or progress,
        )
        stats = stats if stats is not None else CountStats()
        stats.__init__(tokenizer=factory.name)  # a reused instance starts from zero
        chunks = _chunked(streams, chunk_size, total_bytes if workers > 1 else None, workers, sized)
        tally = _Tally(stats, progress, total_bytes)
        try:
            # Read up to one chunk per worker first: a small input needs fewer
            # workers, and one chunk needs no pool at all.
            head = []
            if workers > 1:
                for chunk in chunks:
                    head.append(chunk)
                    if len(head) == workers:
                        break
            workers = max(1, min(workers, len(head)))
            stats.workers = workers
            if workers == 1:
                parts = _run_in_process([*head, *chunks], factory, tally)
                merge_seconds = 0.0
            elif ctx is None:
                parts, merge_seconds = _run_threads(
                    itertools.chain(head, chunks), factory, workers, tally
                )
            else:
                parts, merge_seconds = _run_pool(
                    itertools.chain(head, chunks), factory, workers, ctx, tally
                )
        finally:
            tally.close()
    finally:
        _shared.pop(share_key, None)
    t0 = time.perf_counter()
    total, stats.tokens, stats.words = _merge(parts, min_count, top)
    stats.merge_seconds = merge_seconds + time.perf_counter() - t0
    stats.seconds = time.perf_counter() - started
    return total


#: Keys of count_words calls in _shared (calls in threads get their own).
_share_keys = itertools.count()


def count_partition(
    texts: Iterable[str],
    tokenizer="jieba",
    *,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict=None,
    keep_whitespace: bool = False,
):
    """Count one partition of texts in this process: the engine-neutral unit of work.

    Returns the exact counts of ``texts`` as a :class:`fastcount.Counter`
    (no ``min_count``/``top``: partials must stay exact to be merged, which
    :mod:`fastcount.merge` does, in any grouping and order). The tokenizer
    options are those of :func:`count_words`; the tokenizer is loaded once
    per process and reused by later calls. A non-str item raises TypeError
    naming its index; a tokenizer error carries a note naming the item.
    This signature is stable: the Dask and Spark adapters call it.
    """
    factory = chunk_counter_factory(
        tokenizer, hmm=hmm, cut_all=cut_all, user_dict=user_dict, keep_whitespace=keep_whitespace
    )
    chunks = _chunked([(None, 0, _checked_texts(texts))], DEFAULT_CHUNK_SIZE)
    return _merge(_run_in_process(chunks, factory, None))[0]
