"""Workers and their processes: they end with the parent, Ctrl-C on an idle
stdin, and forked workers inherit what the tokenizer loaded in the parent."""

import collections
import functools
import multiprocessing.util
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import fastcount
from fastcount.pipeline import CountStats, count_words

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals, process groups and /proc")


def _gone(pid):
    """True when process ``pid`` has exited (a zombie has)."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(") ", 1)[1].startswith(("Z", "X"))


def _wait_for_pids(path, n, exclude=(), timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = {int(p) for p in path.read_text().split()} - set(exclude) if path.exists() else set()
        if len(pids) >= n:
            return pids
        time.sleep(0.05)
    raise AssertionError(f"only {pids} after {timeout} s")


def _slow_parent(tmp_path, child_env, mp_context):
    """Start a script counting with two worker processes (workers=3: the
    parent counts too) whose tokenizer records its process id and sleeps;
    Ctrl-C makes it exit 130. Returns the process and the ids of its
    workers once both have begun."""
    pids = tmp_path / "pids"
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, time
        from fastcount import count_words

        def slow(text):
            with open({str(pids)!r}, "a") as f:
                f.write(f"{{os.getpid()}}\\n")
            time.sleep(0.3)
            return text.split()

        if __name__ == "__main__":
            try:
                count_words(["a b"] * 10_000, slow, workers=3, chunk_size=1, mp_context={mp_context!r})
            except KeyboardInterrupt:
                sys.exit(130)
    """))
    # A session of its own: Ctrl-C signals the whole foreground process group.
    parent = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=child_env,
                              start_new_session=True)
    # The parent calls the tokenizer too (it counts, and under fork it loads
    # what the workers then inherit): the workers are the other ids.
    try:
        return parent, _wait_for_pids(pids, 2, exclude={parent.pid})
    except BaseException:
        _end(parent, pids)
        raise


def _end(parent, pids):
    """Kill the parent if still alive, and any worker of it left behind (a
    failure the test reports, not a leak for the next one)."""
    if parent.poll() is None:
        parent.kill()
        parent.wait()
    left = {int(p) for p in pids.read_text().split()} if pids.exists() else set()
    for pid in left - {parent.pid}:
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)


def _all_gone(pids, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(map(_gone, pids)):
        time.sleep(0.05)
    return [pid for pid in pids if not _gone(pid)] == []


@pytest.mark.parametrize("method, sig", [
    ("fork", signal.SIGTERM), ("fork", signal.SIGKILL), ("spawn", signal.SIGKILL),
    ("forkserver", signal.SIGKILL),
])
def test_workers_die_with_their_parent(tmp_path, child_env, method, sig):
    # #11 item 9: a parent killed outright leaves no worker behind.
    parent, workers = _slow_parent(tmp_path, child_env, method)
    try:
        os.kill(parent.pid, sig)
        assert parent.wait(timeout=10) == -sig
        assert _all_gone(workers, 5)
    finally:
        _end(parent, tmp_path / "pids")


def test_ctrl_c_stops_the_workers_within_a_second(tmp_path, child_env):
    parent, workers = _slow_parent(tmp_path, child_env, None)
    try:
        sent = time.monotonic()
        os.killpg(parent.pid, signal.SIGINT)
        assert parent.wait(timeout=10) == 130
        assert time.monotonic() - sent < 2.0
        assert _all_gone(workers, 0)
    finally:
        _end(parent, tmp_path / "pids")


def test_ctrl_c_while_threads_wait_on_an_idle_stdin(tmp_path, child_env):
    # #11 item 8: the native counter's threads, input on stdin that stops
    # coming (a pipe left open): Ctrl-C must end the count with
    # KeyboardInterrupt, and the interpreter must exit normally after it.
    script = tmp_path / "stdin.py"
    script.write_text(textwrap.dedent("""
        import sys
        from fastcount import count_words

        try:
            count_words("-", workers=2, chunk_size=1 << 14)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            sys.exit(130)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path, env=child_env,
                            start_new_session=True)
    try:
        lines = "".join(f"我们在北京清华大学学习第{i}课\n" for i in range(20_000))
        proc.stdin.write(lines.encode())  # several chunks, then nothing more
        proc.stdin.flush()
        time.sleep(3)  # counted, then waiting for more
        assert proc.poll() is None
        os.killpg(proc.pid, signal.SIGINT)
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=10) == 130, err
        assert "interrupted" in err and "Fatal Python error" not in err
    finally:
        proc.stdin.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_forked_workers_inherit_what_the_tokenizer_loaded(tmp_path, child_env):
    # #12 item 8: the tokenizer loads once, in the parent, and the forked
    # worker inherits it; with spawn the worker loads its own (and the
    # parent, which counts too, its own).
    loads = tmp_path / "loads"
    script = tmp_path / "load.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys
        from fastcount import count_words

        LOADED = False

        def tokenize(text):
            global LOADED
            if not LOADED:  # a dictionary, loaded on first use
                with open({str(loads)!r}, "a") as f:
                    f.write(f"{{os.getpid()}}\\n")
                LOADED = True
            return text.split()

        if __name__ == "__main__":
            texts = [f"w{{i % 50}} x" for i in range(20_000)]
            method = sys.argv[1] if sys.argv[1] != "default" else None
            counts = count_words(texts, tokenize, workers=2, chunk_size=2000, mp_context=method)
            assert counts["x"] == 20_000 and len(counts) == 51
            print(os.getpid())
    """))
    # fork is the default on Linux, whatever Python's default (forkserver from 3.14)
    for method, loaders in (("fork", "parent"), ("default", "parent"), ("spawn", "each")):
        loads.unlink(missing_ok=True)
        out = subprocess.run([sys.executable, str(script), method], capture_output=True, text=True,
                             cwd=tmp_path, env=child_env, timeout=120)
        assert out.returncode == 0, out.stderr
        pids = loads.read_text().split()
        if loaders == "parent":
            assert pids == [out.stdout.strip()]
        else:
            assert len(set(pids)) == len(pids) == 2 and out.stdout.strip() in pids


def test_stats_say_how_the_workers_ran():
    texts = [f"w{i % 7} x" for i in range(3000)]
    want = collections.Counter(w for t in texts for w in t.split())
    for options, backend in (({"workers": 1}, "in-process"),
                             ({"workers": 2, "backend": "threads"}, "threads"),
                             ({"workers": 2}, "processes")):
        stats = CountStats()
        assert count_words(texts, "whitespace", chunk_size=500, stats=stats, **options) == want
        assert (stats.backend, stats.workers) == (backend, options["workers"])
    assert fastcount.CountStats is CountStats


@pytest.mark.parametrize("mp_context", ["fork", "spawn"])
def test_a_small_input_is_shared_by_every_worker(tmp_path, mp_context):
    # #12 item 8: a few thousand lines (well under the default chunk size)
    # still give every worker process its part.
    texts = [f"第{i}行 w{i % 97} 中文" for i in range(20_000)]  # about 400 kB
    want = collections.Counter(w for t in texts for w in t.split())
    path = tmp_path / "small.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    for source in (texts, path):
        stats = CountStats()
        got = count_words(source, "whitespace", workers=2, mp_context=mp_context, stats=stats)
        assert list(got.items()) == list(want.items())
        assert (stats.workers, stats.backend) == (2, "processes")


def _record_pid_and_split(path, text):
    with open(path, "a") as f:
        f.write(f"{os.getpid()} {text}\n")
    return text.split()


@pytest.mark.parametrize("mp_context", ["fork", "spawn"])
def test_each_worker_starts_with_its_first_chunk(tmp_path, mp_context, monkeypatch):
    # A worker's first chunk goes with it when it starts, not through the
    # sender thread (which needs the interpreter lock of a busy parent).
    from fastcount import workers as worker_module

    sent = []

    class Sender(worker_module._Sender):
        def __init__(self, conn, proc, i):
            super().__init__(conn, proc, i)
            self.queue = Recorded(self.queue)

    class Recorded:
        def __init__(self, queue):
            self.queue = queue

        def put(self, item):
            if isinstance(item, tuple):
                sent.append(item[0])
            self.queue.put(item)

        def get(self):
            return self.queue.get()

    firsts = []
    take_firsts = worker_module._Driver.firsts

    def recorded_firsts(self):
        messages = take_firsts(self)
        firsts.extend(chunk_id for chunk_id, _, _ in messages)
        return messages

    monkeypatch.setattr(worker_module, "_Sender", Sender)
    monkeypatch.setattr(worker_module._Driver, "firsts", recorded_firsts)
    path = tmp_path / "pids"
    texts = [f"t{i} w{i % 7}" for i in range(400)]
    want = collections.Counter(w for t in texts for w in t.split())
    got = count_words(texts, functools.partial(_record_pid_and_split, str(path)), workers=3,
                      chunk_size=500, mp_context=mp_context)
    assert list(got.items()) == list(want.items())
    assert len(firsts) == 2 and sent and not set(firsts) & set(sent)
    pids = {int(line.split(" ", 1)[0]) for line in path.read_text().splitlines()}
    assert len(pids - {os.getpid()}) == 2  # both workers counted


def test_a_failed_send_to_a_worker_is_raised_not_waited_on(monkeypatch):
    # A chunk the sender thread cannot send (here: out of memory pickling
    # it) would leave the worker waiting for it and the parent for the
    # worker: the worker is stopped and the error raised here.
    from fastcount import workers as worker_module

    class Failing:
        def __init__(self, conn):
            self.conn = conn

        def send(self, item):
            raise MemoryError("no room to pickle the chunk")

    class Sender(worker_module._Sender):
        def __init__(self, conn, proc, i):
            super().__init__(Failing(conn), proc, i)

    monkeypatch.setattr(worker_module, "_Sender", Sender)
    texts = [f"t{i} w{i % 7}" for i in range(400)]
    outcome = []

    def count():
        try:
            count_words(texts, str.split, workers=2, chunk_size=500, mp_context="fork")
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=count, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the count waits for a chunk that was never sent"
    [error] = outcome
    assert isinstance(error, MemoryError) and "no room" in str(error)
    assert any("sending a chunk to worker process" in note for note in error.__notes__)
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(sys.platform != "linux", reason="forks the workers")
@pytest.mark.parametrize("workers", [2, 3])
def test_the_tail_kept_by_this_process_counts_exactly(tmp_path, workers, monkeypatch):
    # Keeping every chunk taken once this process counts, it tells each
    # worker to finish once: the count is still exact, in first-sight order,
    # and nothing hangs.
    from fastcount import workers as worker_module

    kept = []

    def keeps(self, i):
        kept.append(self.counter is not None)
        return kept[-1]

    monkeypatch.setattr(worker_module._Driver, "keeps", keeps)
    texts = [f"第{i}行 w{i % 13} x{i % 5}" for i in range(20_000)]
    want = collections.Counter(w for t in texts for w in t.split())
    path = tmp_path / "tail.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    got = count_words(path, str.split, workers=workers, mp_context="fork", chunk_size=4000)
    assert list(got.items()) == list(want.items())
    assert sum(kept) == workers - 1  # one kept chunk per worker told to finish


_TEST_PID = os.getpid()
_EXIT_DELAY = []


def _slow_to_exit(text):
    """str.split, in a worker process whose exit then takes 3 s."""
    if os.getpid() != _TEST_PID and not _EXIT_DELAY:
        _EXIT_DELAY.append(multiprocessing.util.Finalize(None, time.sleep, args=(3.0,), exitpriority=0))
    return text.split()


def test_a_count_returns_before_its_workers_have_exited(monkeypatch):
    # A forked worker's exit tears down its copy of this process's page
    # tables: the count returns once the partials are in, and a reaper
    # thread joins the workers after; the next count's fork waits for it.
    texts = [f"w{i % 31} x{i % 7}" for i in range(5000)]
    want = collections.Counter(w for t in texts for w in t.split())
    stats = CountStats()
    start = time.monotonic()
    got = count_words(texts, _slow_to_exit, workers=3, mp_context="fork", chunk_size=2000, stats=stats)
    took = time.monotonic() - start
    assert list(got.items()) == list(want.items())
    assert (stats.workers, stats.backend) == (3, "processes")
    assert took < 2.0, took
    reapers = [t for t in threading.enumerate() if t.name == "fastcount-reaper"]
    assert reapers
    threads_at_forks = []
    fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: threads_at_forks.append(threading.enumerate()) or fork())
    assert count_words(texts, str.split, workers=2, mp_context="fork", chunk_size=2000) == want
    assert threads_at_forks and not [t for ts in threads_at_forks for t in ts if t.name.startswith("fastcount-")]
    for thread in threading.enumerate():
        if thread.name == "fastcount-reaper":
            thread.join(30)
    assert multiprocessing.active_children() == []


def test_the_reapers_are_joined_when_another_count_took_the_last(monkeypatch):
    # Two counts starting at once both look at the reapers: one may take the
    # last between the other's look and its pop.
    from fastcount import workers

    class TakenMeanwhile(list):
        def __bool__(self):
            return True  # what the look saw

        def pop(self, *args):
            raise IndexError("pop from empty list")  # what the pop finds

    monkeypatch.setattr(workers, "_reapers", TakenMeanwhile())
    workers._join_reapers()
    joined = []
    monkeypatch.setattr(workers, "_reapers", [threading.Thread(target=joined.append, args=(1,))])
    workers._reapers[0].start()
    workers._join_reapers()
    assert joined == [1] and workers._reapers == []
