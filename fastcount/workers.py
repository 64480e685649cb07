"""Workers: count chunks in this process, in threads of it, or in worker processes.

Every worker builds one chunk counter (the tokenizer and dictionary loaded
once), counts every chunk it is given into it, marks where each chunk's new
words start, and ends with one partial count (``factory.partial(counter,
marks)``: a :class:`fastcount.merge.PartialCount` for word counts).

* :func:`count_in_process`: no worker, for one chunk or ``workers=1``.
* :func:`count_in_threads`: threads of this process, for chunk counters
  that count with the GIL released (the native jieba counter). The calling
  thread reads the input and hands chunks over through a short queue, so a
  read blocked on an idle pipe is where Ctrl-C can interrupt it.
* :func:`count_in_processes`: this process and worker processes, started
  once per count. Flow control is by credit: a worker holds two chunks,
  the one it counts and the next (sent by a parent thread, already on its
  way), and gets another each time it reports one done; the parent holds
  at most two chunks per worker, and faster workers get more chunks. The
  parent counts the chunks no worker is waiting for, and serves the
  workers between slices of its own.

On an error or Ctrl-C every worker is stopped before the exception reaches
the caller (processes at once, threads after the chunk they count); a
tokenizer's exception is re-raised with a note naming the text
(``file:line`` or item), from a worker process with its traceback as
``__cause__``. Worker processes also end when the parent dies, however it
dies: they close every inherited end of the parent's pipes (so a read sees
end-of-file) and, on Linux, ask for SIGKILL when their parent goes. After a
count that succeeds, the worker processes, which have sent their partials,
may still be exiting when it returns: a thread of this process
(``fastcount-reaper``, which the interpreter waits for at exit) joins them,
and ends any that has not within seconds.
"""

from __future__ import annotations

import collections
import os
import pickle
import queue
import signal
import sys
import threading
import time
import traceback
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, List, Optional, Tuple

from fastcount import io as fio
from fastcount.chunks import Chunk, chunk_texts, document_runs, text_sizes

if TYPE_CHECKING:
    from fastcount.tokenizers import ChunkCounter, CounterFactory

__all__ = [
    "RemoteTraceback",
    "WorkerError",
    "Progress",
    "add_note",
    "first_failing",
    "feed_chunk",
    "count_in_process",
    "count_in_threads",
    "count_in_processes",
]


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process, as text (its ``__cause__``)."""

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


def add_note(exc: BaseException, note: str) -> None:
    """Add ``note`` to ``exc``'s notes (shown under its traceback)."""
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:  # Python < 3.11: keep the note where 3.11's traceback would look
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]


def first_failing(factory: "CounterFactory", texts: List[str]) -> Optional[int]:
    """Index of the first text a fresh counter fails on (None if none fails)."""
    probe = factory()
    for i, text in enumerate(texts):
        try:
            probe.feed([text])
        except Exception:
            return i
    return None


class Progress:
    """Adds the texts and bytes of finished chunks to ``stats``, and drives
    the progress bar (tqdm on stderr) when asked for one."""

    def __init__(self, stats, bar: bool, total: Optional[int]):
        self.stats = stats
        self.bar = None
        if bar:
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=total, unit="B", unit_scale=True, unit_divisor=1000,
                desc="counting", file=sys.stderr, dynamic_ncols=True,
            )

    def done(self, chunk: Chunk) -> None:
        """Count ``chunk`` as done."""
        self.stats.texts += chunk.ntexts
        self.stats.bytes += chunk.nbytes
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.stats.texts:,} texts", refresh=False)
            self.bar.update(chunk.nbytes)

    def close(self) -> None:
        """Close the bar."""
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------- counting a chunk


def feed_chunk(
    counter: "ChunkCounter", factory: "CounterFactory", chunk: Chunk,
    between: Optional[Callable[[], None]] = None,
) -> None:
    """Count a chunk in this process (and measure it, when its size is not
    known yet); a tokenizer error gets a note naming its text.

    Blocks of a file go to the counter as they are (``feed_block``); a block
    it gives back (-1) is decoded here, with Python's decoder and its errors.
    With documents by file (``chunk.docs``), the counter is told where each
    file's texts begin (``begin_document``). ``between``, when given, is
    called after each of a few slices of the chunk's parts (the parent
    serves its worker processes there while it counts a chunk itself).
    """
    if chunk.docs is None:
        _feed_parts(counter, factory, chunk, chunk.parts, 0, between)
        return
    done = 0  # texts of the chunk counted so far
    ends = [start for start, _, _ in chunk.docs[1:]] + [len(chunk.parts)]
    for (start, doc, shared), end in zip(chunk.docs, ends):
        counter.begin_document(doc, shared)
        done = _feed_parts(counter, factory, chunk, chunk.parts[start:end], done, between)


#: Slices of a chunk's parts that ``feed_chunk`` calls ``between`` after.
_SLICES = 8


def _feed_parts(counter, factory, chunk: Chunk, parts: list, done: int, between=None) -> int:
    """Count ``parts`` of ``chunk``, whose first text is the chunk's text
    number ``done``; return the number of the text after them."""
    if between is not None:
        step = max(1, -(-len(parts) // _SLICES))
        for start in range(0, len(parts), step):
            done = _feed_parts(counter, factory, chunk, parts[start : start + step], done)
            between()
        return done
    if not all(isinstance(part, fio.Block) for part in parts):
        texts = chunk_texts(parts)
        _feed_texts(counter, factory, chunk, texts, done)
        return done + len(texts)
    for block in parts:
        n = counter.feed_block(block)
        if n < 0:
            texts = block.texts()
            _feed_texts(counter, factory, chunk, texts, done)
            n = len(texts)
        done += n
    return done


def _feed_texts(counter, factory, chunk: Chunk, texts: List[str], first: int = 0) -> None:
    """Count ``texts``, those of ``chunk`` from its text number ``first``."""
    try:
        size = counter.feed(texts)
    except Exception as exc:
        index = first_failing(factory, texts)
        add_note(exc, f"fastcount: raised by the tokenizer on {chunk.place(None if index is None else first + index)}")
        raise
    if chunk.nbytes is None:  # a counter that measures the batch says so
        chunk.nbytes = size if size is not None else sum(text_sizes(texts, utf8=True))


def count_in_process(
    chunks: Iterable[Chunk], factory: "CounterFactory", progress: Optional[Progress]
) -> list:
    """Count every chunk with one counter in this process."""
    counter = factory()
    for chunk in chunks:
        feed_chunk(counter, factory, chunk)
        if progress is not None:
            progress.done(chunk)
    return [factory.partial(counter, None)]


# ---------------------------------------------------------------- threads


def count_in_threads(
    chunks: Iterator[Chunk], factory: "CounterFactory", n: int, progress: Progress
) -> list:
    """Count with ``n`` threads of this process, each with its own counter.

    For counters that count with the GIL released: nothing to start or copy
    between processes, one dictionary in memory. The calling thread reads
    the input (where Ctrl-C reaches it, even in a read blocked on an idle
    pipe) and queues chunks, one ahead per thread; each thread takes the
    next when it is done with one, so threads finish together. Chunk ids
    are given in order, so words merge in order of first sight.
    """
    # Only C-level queues between the threads: Ctrl-C (a KeyboardInterrupt
    # in this thread at any bytecode) cannot leave a lock of theirs held, as
    # it can inside queue.Queue's or threading.Semaphore's Python code, after
    # which every thread blocks on that lock for good.
    todo: "queue.SimpleQueue" = queue.SimpleQueue()
    room: "queue.SimpleQueue" = queue.SimpleQueue()  # a token per free place: one chunk ahead per thread
    for _ in range(n):
        room.put(None)
    finished: "queue.SimpleQueue" = queue.SimpleQueue()  # a token per thread that ended
    lock = threading.Lock()  # over the progress
    results: list = [None] * n
    #: (chunk id, exception): what the threads raised; -1: on no chunk
    errors: List[Tuple[int, BaseException]] = []
    settled: set = set()  # ids of the chunks counted, or failed
    stop = _Flag()  # set on an error or Ctrl-C: no more chunks

    def work(i: int) -> None:
        chunk_id = -1
        try:
            counter = factory()
            marks = []
            while True:
                item = todo.get()
                room.put(None)
                if item is None:
                    break
                chunk_id, chunk = item
                if stop.is_set() and not before_first_error(chunk_id):
                    break
                marks.append((chunk_id, counter.seen()))
                feed_chunk(counter, factory, chunk)
                with lock:
                    progress.done(chunk)
                    settled.add(chunk_id)
                chunk_id = -1
            if stop.is_set():
                return
            # built here, in parallel and while its data is in this core's caches
            results[i] = factory.partial(counter, marks)
        except BaseException as exc:  # re-raised by the caller's thread
            with lock:
                errors.append((chunk_id, exc))
                settled.add(chunk_id)
            stop.set()
        finally:
            finished.put(None)

    def before_first_error(chunk_id: int) -> bool:
        with lock:
            return bool(errors) and chunk_id < min(failed for failed, _ in errors)

    def first_error() -> BaseException:
        # The error of the first chunk that fails, not of the first to fail
        # in time: the chunks before it are all taken (in order); wait for
        # them to be counted, or to fail first.
        while True:
            with lock:
                first = min(chunk_id for chunk_id, _ in errors)
                if all(chunk_id in settled for chunk_id in range(first)):
                    return next(exc for chunk_id, exc in errors if chunk_id == first)
            time.sleep(0.01)

    def put(item) -> bool:
        # timed waits, so that Ctrl-C gets through; False once a thread failed
        while not stop.is_set():
            try:
                room.get(timeout=0.1)
            except queue.Empty:
                continue
            todo.put(item)
            return True
        return False

    threads = [
        threading.Thread(target=work, args=(i,), name=f"fastcount-worker-{i}", daemon=True)
        for i in range(n)
    ]
    ok = False
    try:
        for thread in threads:
            thread.start()
        for item in enumerate(chunks):
            if not put(item):
                break
        for _ in threads:
            if not put(None):
                break
        # by their tokens, with timed waits: a join interrupted by Ctrl-C can
        # leave a finished thread listed alive; after an error, the threads
        # still waiting for a chunk are ended below
        done = 0
        while done < n and not stop.is_set():
            try:
                finished.get(timeout=0.1)
                done += 1
            except queue.Empty:
                pass
        ok = not errors
        if errors:
            raise first_error()
    finally:
        if not ok:
            # the threads stop after the chunk they are counting; one
            # waiting for a chunk gets the end
            stop.set()
            for _ in threads:
                todo.put(None)
        deadline = time.monotonic() + 1.0
        for thread in threads:
            if thread.ident is not None:
                thread.join(None if ok else max(0.0, deadline - time.monotonic()))
    return results


class _Flag:
    """A flag that threads set and read; nothing waits on it. Unlike
    threading.Event it takes no lock, so Ctrl-C cannot leave one held."""

    __slots__ = ("_set",)

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set


# ---------------------------------------------------------------- processes

#: The parent's ends of the pipes to running worker processes: a worker
#: forked from this process closes its inherited copies, so that a read
#: sees end-of-file once the parent is gone. Changed under _fork_lock, which
#: every fork of a worker holds.
_parent_ends: set = set()
_fork_lock = threading.Lock()
#: Threads joining the workers of earlier counts (see _stop_workers): joined
#: before the next workers start, so that no thread of ours runs at a fork.
_reapers: list = []


def _die_with_parent(parent: int) -> None:
    """In a worker process: end when the parent process ends, however it ends."""
    global _fork_lock
    for conn in list(_parent_ends):  # inherited by fork: copies of the parent's
        conn.close()
    _parent_ends.clear()
    _reapers.clear()  # the parent's threads, not running here
    _fork_lock = threading.Lock()  # forked while the parent held it
    if sys.platform.startswith("linux") and os.getppid() == parent:  # not via a fork server
        import ctypes

        PR_SET_PDEATHSIG = 1
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            return  # no prctl: the pipe's end-of-file still stops an idle worker
        if os.getppid() != parent:  # it died before the request
            os._exit(1)


def _worker(factory: "CounterFactory", conn, parent: int, first: Optional[tuple] = None) -> None:
    """Worker process main: count ``first`` (a chunk message handed over
    at the start, inherited under fork) and every chunk received, send one
    result."""
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the parent decides and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    texts: List[str] = []
    try:
        counter = factory()
        marks = []
        pending = [] if first is None else [first]
        first = None  # counted once: not kept for the worker's whole life
        while True:
            msg = pending.pop() if pending else conn.recv()
            if msg is None:
                break
            chunk_id, parts, docs = msg
            texts = []  # if decoding fails there is no text to blame
            runs = document_runs(parts, docs)  # InputError (bad bytes, bad JSON) names its line
            texts = [text for _, _, run in runs for text in run]
            marks.append((chunk_id, counter.seen()))
            for doc, shared, run in runs:
                if doc is not None:
                    counter.begin_document(doc, shared)
                counter.feed(run)
            conn.send(("done",))
        texts = []
        conn.send(("result", factory.partial(counter, marks)))
    except (EOFError, BrokenPipeError):
        return  # the parent is gone or gave up on us: nothing to report to
    except BaseException as exc:
        index = first_failing(factory, texts) if texts else None
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


def _raise_remote(chunk: Optional[Chunk], index, payload, tb: str, summary: str):
    exc: BaseException
    if payload is not None:
        exc = pickle.loads(payload)
        if isinstance(exc, fio.InputError):
            raise exc  # bad input: its message names the place, the rest is noise
    else:
        exc = WorkerError(summary)
    where = chunk.place(index) if chunk is not None else "no text (worker start-up or result)"
    add_note(exc, f"fastcount: raised in a worker process, on {where}")
    raise exc from RemoteTraceback(tb)


def _join_reapers() -> None:
    """Wait for the reapers of earlier counts (another thread's count may
    take one off the list between a check and a pop: pop, then look)."""
    while True:
        try:
            reaper = _reapers.pop()
        except IndexError:
            return
        reaper.join()


def _start_workers(n: int, factory: "CounterFactory", ctx, firsts: list) -> tuple:
    """Start ``n`` worker processes, worker ``i`` with the chunk message
    ``firsts[i]`` (or none: it waits for one)."""
    _join_reapers()
    procs: list = []
    conns: list = []
    try:
        for i in range(n):
            with _fork_lock:
                parent_end, child_end = ctx.Pipe(duplex=True)
                conns.append(parent_end)
                _parent_ends.add(parent_end)
                proc = ctx.Process(
                    target=_worker, args=(factory, child_end, os.getpid(), firsts[i] if i < len(firsts) else None),
                    name=f"fastcount-worker-{i}", daemon=True,
                )
                proc.start()
            procs.append(proc)
            child_end.close()
    except BaseException:
        _stop_workers(procs, conns, [], graceful=False)
        raise
    return procs, conns


def _stop_workers(procs: list, conns: list, senders: list, graceful: bool) -> None:
    """Stop the senders and close the pipes; make sure every worker ends.

    ``graceful``: every worker has sent its partial and is exiting; a
    reaper thread joins them, so that the caller need not wait for their
    exits (under fork, each tears down a copy of this process's page
    tables). Otherwise they are ended here and now.
    """
    if graceful:
        _close_pipes(conns, senders)
        # not a daemon: the interpreter's exit waits for it (it ends within
        # seconds), rather than race multiprocessing's own exit-time joins
        reaper = threading.Thread(target=_end_processes, args=(procs, True), name="fastcount-reaper")
        _reapers.append(reaper)
        reaper.start()
        return
    _end_processes(procs, False)
    _close_pipes(conns, senders)


def _end_processes(procs: list, graceful: bool) -> None:
    """Join the workers, ``graceful``: after their exits, up to 5 s; then
    SIGTERM, then SIGKILL, within ~1 s."""
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


def _close_pipes(conns: list, senders: list) -> None:
    """Stop the senders and close this process's ends of the pipes."""
    # With the workers gone or done, a send still blocked fails at once.
    for sender in senders:
        sender.queue.put(_STOP)
    for sender in senders:
        sender.join(1.0)
    with _fork_lock:
        for conn in conns:
            _parent_ends.discard(conn)
            conn.close()


#: Chunks a worker holds at a time: the one it counts and the next, already
#: on its way, so it never waits for the parent to be scheduled between two.
_CREDIT = 2
_STOP = object()


class _Sender(threading.Thread):
    """Sends one worker its chunks.

    A send blocks until the worker reads, i.e. until it has counted its
    current chunk; doing it here keeps the parent free to serve the others.
    """

    def __init__(self, conn, proc, i: int):
        super().__init__(name=f"fastcount-sender-{i}", daemon=True)
        self.conn, self.proc = conn, proc
        self.queue: "queue.SimpleQueue" = queue.SimpleQueue()
        #: what made a send fail, other than the worker being gone
        self.error: Optional[BaseException] = None

    def run(self) -> None:
        while True:
            item = self.queue.get()
            if item is _STOP:
                return
            try:
                self.conn.send(item)
            except (OSError, ValueError):
                return  # the worker is gone: the parent sees it through its sentinel
            except BaseException as exc:  # e.g. MemoryError while pickling
                # The worker would wait for this chunk and the parent for the
                # worker: end the worker, whose sentinel makes the parent raise this.
                self.error = exc
                self.proc.kill()
                return


def count_in_processes(
    chunks: Iterator[Chunk], factory: "CounterFactory", n: int, ctx, progress: Progress,
    total: Optional[int] = None,
) -> tuple:
    """Count with ``n`` counters at once, this process and ``n - 1`` worker
    processes started with ``ctx``; return the partial counts (this
    process's first) and the parent's time receiving the workers' ones.

    This process reads the input, hands the workers their chunks and, when
    none of them needs one, counts a chunk itself, serving them between
    slices of it: one process fewer to fork, and this process's partial
    needs no pickling. Each worker starts with a chunk; the others go to
    whoever is ready for one, so a worker that starts late counts fewer; with
    ``total``, the input's size in bytes (chunks of known size), this
    process keeps the last ones that a worker would finish later than this
    process. The call returns once every partial is in, without waiting
    for the workers' exits. Under fork the parent loads what the counters
    share first (:meth:`CounterFactory.preload`), and the workers inherit it.
    """
    try:
        pickle.dumps(factory)
    except Exception as err:
        raise TypeError(
            f"the tokenizer must be picklable to run in worker processes ({err}); "
            "use a module-level function, or workers=1"
        ) from err
    if n < 2:
        raise ValueError(f"count_in_processes needs n >= 2 counters (one worker process at least), not {n}")
    if ctx.get_start_method() == "fork":
        factory.preload()  # once here rather than once per worker
    driver = _Driver(n - 1, chunks, factory, progress, total)
    # Each worker's first chunk goes with it (under fork, in the memory it
    # inherits): it starts counting at once, with no wait for a sender
    # thread of this busy process to get the interpreter lock.
    procs, conns = _start_workers(n - 1, factory, ctx, driver.firsts())
    senders = [_Sender(conn, proc, i) for i, (conn, proc) in enumerate(zip(conns, procs))]
    for sender in senders:
        sender.start()
    ok = False
    try:
        driver.attach(procs, conns, senders)
        results = driver.run()
        ok = True
        return results
    finally:
        _stop_workers(procs, conns, senders, graceful=ok)


#: The key of this process's failure among the workers' (by worker number).
_HERE = -1


class _Driver:
    """The parent's side of :func:`count_in_processes`: hands out chunks,
    counts some itself, collects the workers' partials and errors."""

    def __init__(self, n, chunks, factory, progress, total):
        # here, not at the top: the threads' callers (fastcount cut) never start processes
        from multiprocessing.connection import wait

        self.wait = wait
        self.procs: list = []
        self.conns: list = []
        self.senders: list = []
        self.factory, self.progress = factory, progress
        self.source = enumerate(chunks)  # chunk ids: global, increasing
        #: (chunk id, chunk) given to each worker, oldest (being counted) first
        self.given: List[collections.deque] = [collections.deque() for _ in range(n)]
        #: when each worker began the chunk it counts, and the bytes and
        #: seconds of those it finished: how far it is, for keeps()
        self.began = [0.0] * n
        self.worked = [[0, 0.0] for _ in range(n)]
        #: bytes of the chunk counted here, and how many of its slices are done
        self.here = (0, 0)
        self.results: dict = {}  # worker -> its partial
        #: worker or _HERE -> (chunk id or -1, chunk or None, the worker's
        #: error message or the exception raised here)
        self.failures: dict = {}
        self.receive_seconds = 0.0
        self.exhausted = False
        self.left = total  # bytes not taken yet (None: not known)
        self.kept: collections.deque = collections.deque()  # taken, for this process
        self.finishing: set = set()  # workers told to end after their chunks
        self.counter = None  # this process's, made for its first chunk
        self.marks: list = []
        #: met serving the workers from inside a chunk counted here
        self.deferred: List[Exception] = []

    def firsts(self) -> list:
        """Take each worker's first chunk, as the message to start it with."""
        messages = []
        for i in range(len(self.given)):
            item = self.take()
            if item is None:
                break
            self.given[i].append(item)
            chunk_id, chunk = item
            messages.append((chunk_id, chunk.parts, chunk.docs))
        return messages

    def attach(self, procs: list, conns: list, senders: list) -> None:
        """The workers, started with :meth:`firsts`' chunks, and their senders."""
        self.procs, self.conns, self.senders = procs, conns, senders
        self.by_conn = {conn: i for i, conn in enumerate(conns)}
        self.by_sentinel = {proc.sentinel: i for i, proc in enumerate(procs)}
        self.began = [time.perf_counter()] * len(procs)
        if self.exhausted:  # no chunk beyond the first ones
            for sender in senders:
                sender.queue.put(None)

    def run(self) -> tuple:
        """Count everything; return the partials and the time receiving them."""
        n = len(self.procs)
        mine = None  # this process's partial, made once it has nothing left to count
        self.count_here()  # the chunk after the workers' first ones
        while True:
            if (self.kept or not self.exhausted) and not self.failures:
                if not self.serve(0):
                    self.count_here()
                continue
            if mine is None and self.counter is not None and not self.failures:
                mine = self.factory.partial(self.counter, self.marks)  # while the workers finish
            if not any(self.waited_for(i) for i in range(n)):
                break
            self.serve(None)
        if self.failures:
            _, chunk, error = min(self.failures.values(), key=lambda failure: failure[0])
            if isinstance(error, BaseException):
                raise error
            _raise_remote(chunk, *error)
        parts = [self.results[i] for i in range(n)]
        return ([mine] if mine is not None else []) + parts, self.receive_seconds

    def take(self) -> Optional[tuple]:
        """The next chunk of the input, with its id (None: no more to give)."""
        if self.exhausted or self.failures:
            return None
        item = next(self.source, None)  # the parent reads the input here
        if item is None:
            self.exhausted = True
            for i, sender in enumerate(self.senders):
                if i not in self.finishing:
                    sender.queue.put(None)  # after its chunks, each worker finishes
        elif self.left is not None:
            size = item[1].nbytes
            self.left = None if size is None else self.left - size
        return item

    def give(self, i: int, credit: int = _CREDIT) -> None:
        """Send worker ``i`` chunks until it holds ``credit``."""
        while i not in self.finishing and len(self.given[i]) < credit:
            item = self.take()
            if item is None:
                return
            if self.keeps(i):
                self.kept.append(item)
                self.finishing.add(i)
                self.senders[i].queue.put(None)
                return
            chunk_id, chunk = item
            self.given[i].append(item)
            self.senders[i].queue.put((chunk_id, chunk.parts, chunk.docs))

    def keeps(self, i: int) -> bool:
        """Whether this process keeps the chunk just taken rather than give it to worker ``i``.

        Given, the worker counts what it holds and the chunk; kept, this
        process counts the chunk and what is left, and the worker finishes
        with what it holds: worth it once what this process would count
        besides the chunk (the rest of its own, what it kept, what is left)
        is no more than what the worker has still to count. How far each
        one is into its chunk is estimated from the slices counted here and
        from the worker's pace on its finished chunks. (Its exit is not
        waited for.)
        """
        if self.left is None:
            return False
        held = sum(chunk.nbytes for _, chunk in self.given[i])
        nbytes, seconds = self.worked[i]
        if seconds > 0 and self.given[i]:
            counted = nbytes / seconds * (time.perf_counter() - self.began[i])
            held -= min(counted, self.given[i][0][1].nbytes)
        size, slices = self.here
        owed = size * max(0, _SLICES - slices) / _SLICES + self.left + sum(chunk.nbytes for _, chunk in self.kept)
        return owed <= held

    def oldest(self, i: int) -> tuple:
        return self.given[i][0] if self.given[i] else (-1, None)

    def waited_for(self, i: int) -> bool:
        """Whether worker ``i`` is still to be heard from.

        After a failure, only workers holding an earlier chunk, which may
        fail first: the error reported is that of the first failing chunk.
        """
        if i in self.results or i in self.failures:
            return False
        if not self.failures:
            return True
        first = min(chunk_id for chunk_id, _, _ in self.failures.values())
        return any(chunk_id < first for chunk_id, _ in self.given[i])

    def serve(self, timeout: Optional[float]) -> bool:
        """Handle what the workers sent (waiting up to ``timeout``); False if nothing."""
        waiting = [i for i in range(len(self.procs)) if self.waited_for(i)]
        ready = self.wait([self.conns[i] for i in waiting] + [self.procs[i].sentinel for i in waiting], timeout)
        for obj in ready:
            i = self.by_conn.get(obj)
            if i is None:
                i = self.by_sentinel[obj]
                if i not in self.results and i not in self.failures and not self.conns[i].poll():
                    _died(self.procs[i], self.oldest(i)[1], self.senders[i].error)
                continue
            t0 = time.perf_counter()
            try:
                msg = obj.recv()
            except (EOFError, ConnectionResetError):  # which one depends on timing
                _died(self.procs[i], self.oldest(i)[1], self.senders[i].error)
            kind = msg[0]
            if kind == "done":
                now = time.perf_counter()
                chunk = self.given[i].popleft()[1]
                if chunk.nbytes is not None:
                    self.worked[i][0] += chunk.nbytes
                    self.worked[i][1] += now - self.began[i]
                self.began[i] = now  # it starts the next one it holds, or the one given now
                self.progress.done(chunk)
                self.give(i)
            elif kind == "result":
                self.results[i] = msg[1]
                self.receive_seconds += time.perf_counter() - t0
            else:  # "error"
                self.failures[i] = (*self.oldest(i), msg[1:])
        return bool(ready)

    def count_here(self) -> None:
        """Count the next chunk in this process, serving the workers between its slices."""
        item = self.kept.popleft() if self.kept else self.take()
        if item is None:
            return
        chunk_id, chunk = item
        if self.counter is None:
            self.counter = self.factory()
        self.marks.append((chunk_id, self.counter.seen()))
        self.here = (chunk.nbytes or 0, 0)
        try:
            feed_chunk(self.counter, self.factory, chunk, self.between)
        except Exception as exc:  # reported if no earlier chunk fails
            self.failures[_HERE] = (chunk_id, chunk, exc)
        else:
            self.progress.done(chunk)
        finally:
            self.here = (0, 0)
        if self.deferred:
            raise self.deferred[0]

    def between(self) -> None:
        """Inside a chunk counted here: the workers get their next chunks
        now; an error of theirs waits for the chunk's end (else it would
        pass for the tokenizer's)."""
        if self.deferred:
            return
        self.here = (self.here[0], self.here[1] + 1)
        try:
            self.serve(0)
            for i in range(len(self.procs)):
                self.give(i)
        except Exception as exc:
            self.deferred.append(exc)


def _died(proc, chunk: Optional[Chunk], error: Optional[BaseException] = None):
    """Raise why worker ``proc`` ended early: ``error``, met sending it a
    chunk (it was stopped for that), or a WorkerError."""
    proc.join(1.0)  # for its exit code
    if error is not None:
        add_note(error, f"fastcount: raised in this process sending a chunk to worker process {proc.pid}, which was stopped")
        raise error
    where = chunk.place(None) if chunk is not None else "no chunk"
    raise WorkerError(
        f"worker process {proc.pid} died (exit code {proc.exitcode}) while counting {where}"
    )
