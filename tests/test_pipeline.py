"""count_words and count_partition: exact results for any workers/chunking, and bad input."""

import collections
import functools
import gzip
import json
import multiprocessing
import os
import pickle
import re
import signal
import subprocess
import sys
import _thread
import textwrap
import threading
import time
from importlib.resources import files

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastcount
from fastcount import io as fio
from fastcount.chunks import chunked
from fastcount.pipeline import CountStats, RemoteTraceback, WorkerError, count_partition, count_words

SAMPLE = files("fastcount").joinpath("data", "reviews-sample.txt").read_text("utf-8").splitlines()
TEXTS = SAMPLE[:300]


def _jieba_reference(texts):
    return collections.Counter(w for t in texts for w in jieba.lcut(t) if not w.isspace())


@pytest.fixture(scope="module")
def reference():
    return _jieba_reference(TEXTS)


@pytest.fixture(autouse=True)
def no_worker_left_behind():
    yield
    # Worker processes that sent their partials may still be exiting when a
    # count returns: the reaper threads join them (or end them) in seconds.
    for thread in threading.enumerate():
        if thread.name == "fastcount-reaper":
            thread.join(30)
    assert multiprocessing.active_children() == []
    assert not [t for t in threading.enumerate() if t.name.startswith("fastcount-")]


@pytest.mark.parametrize("workers, chunk_size", [(1, 1 << 16), (2, 1 << 16), (2, 500), (3, 1)])
def test_jieba_py_equals_collections_counter(reference, workers, chunk_size):
    got = count_words(TEXTS, "jieba-py", workers=workers, chunk_size=chunk_size)
    assert isinstance(got, fastcount.Counter)
    assert got == reference
    assert list(got.items()) == list(reference.items())  # same insertion order, too
    assert got.most_common(50) == reference.most_common(50)


def test_jieba_equals_collections_counter(reference):
    # Native segmenter where built, jieba-py otherwise: the same counts, in
    # the same order (both chunk counters list words in order of first sight).
    for workers in (1, 2):
        got = count_words(TEXTS, workers=workers, chunk_size=5000)
        assert list(got.items()) == list(reference.items())


@settings(max_examples=25, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="ab 中文\t,", max_size=10), max_size=30),
    tokenizer=st.sampled_from(["whitespace", "char", r"\w+"]),
    workers=st.integers(1, 3),
    chunk_size=st.integers(1, 40),
)
def test_any_workers_and_chunk_size_give_the_same_counter(texts, tokenizer, workers, chunk_size):
    tokenize = fastcount.tokenizers.get_tokenizer(tokenizer)
    reference = collections.Counter(w for t in texts for w in tokenize(t) if not w.isspace())
    got = count_words(texts, tokenizer, workers=workers, chunk_size=chunk_size)
    assert list(got.items()) == list(reference.items())


@settings(max_examples=60, deadline=None)
@given(
    streams=st.lists(
        st.tuples(st.none() | st.sampled_from(["a.txt", "b.txt"]), st.integers(0, 5),
                  st.lists(st.tuples(st.integers(1, 3), st.integers(0, 50)), max_size=12)),
        max_size=4),
    chunk_size=st.integers(1, 120),
    total=st.none() | st.integers(0, 2000),
    workers=st.integers(1, 3),
)
def test_chunks_cover_every_text_once_in_order_and_name_its_place(streams, chunk_size, total, workers):
    # Pieces of n texts and some bytes; each text is named by its stream and number.
    def pieces(label, first, spec):
        number = first
        for n, size in spec:
            yield [(label, number + k) for k in range(n)], n, size
            number += n

    chunks = list(chunked([(label, first, pieces(label, first, spec)) for label, first, spec in streams],
                          chunk_size, total, workers))
    want = [text for label, first, spec in streams for part, _, _ in pieces(label, first, spec)
            for text in part]
    assert [text for c in chunks for part in c.parts for text in part] == want
    assert sum(c.nbytes for c in chunks) == sum(size for _, _, spec in streams for _, size in spec)
    for c in chunks:
        texts = [text for part in c.parts for text in part]
        assert c.ntexts == len(texts) > 0
        for i, (label, number) in enumerate(texts):
            assert c.place(i) == (f"{label}:{number}" if label else f"item {number} of the source")


def test_files_compressed_and_directories(tmp_path, reference):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("\n".join(TEXTS[:100]) + "\n", encoding="utf-8")
    (tmp_path / "d" / "b.txt.gz").write_bytes(gzip.compress("\n".join(TEXTS[100:]).encode()))
    stats = CountStats()
    assert count_words(tmp_path / "d", "jieba-py", workers=2, chunk_size=3000, stats=stats) == reference
    assert stats.texts == len(TEXTS)
    rows = "".join(json.dumps({"text": t, "id": i}) + "\n" for i, t in enumerate(TEXTS))
    (tmp_path / "c.jsonl").write_text(rows, encoding="utf-8")
    assert count_words(tmp_path / "c.jsonl", "jieba-py", workers=2, field="text") == reference
    with pytest.raises(ValueError, match="field="):
        count_words(tmp_path / "c.jsonl", "jieba-py", workers=2)


def test_spawn_start_method():
    texts = [f"w{i % 17} x{i % 5} y" for i in range(2000)]
    reference = collections.Counter(w for t in texts for w in t.split())
    got = count_words(texts, "whitespace", workers=2, chunk_size=300, mp_context="spawn")
    assert list(got.items()) == list(reference.items())


def test_script_under_main_guard_with_spawn(tmp_path, child_env):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(TEXTS[:50]) + "\n", encoding="utf-8")
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(f"""
        import json, multiprocessing, sys
        from fastcount import count_words

        if __name__ == "__main__":
            multiprocessing.set_start_method("spawn")
            counts = count_words({str(corpus)!r}, "char", workers=2, chunk_size=200)
            json.dump(dict(counts), sys.stdout)
    """))
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120,
        cwd=tmp_path, env=child_env,
    )
    assert out.returncode == 0, out.stderr
    want = collections.Counter(c for t in TEXTS[:50] for c in t if not c.isspace())
    assert json.loads(out.stdout) == want


class _Text(str):
    """A str subclass: still a text."""


def test_str_subclasses_are_texts():
    texts = [_Text("a b"), "b c"]
    for workers in (1, 2):
        assert dict(count_words(texts, "whitespace", workers=workers, chunk_size=1)) == {"a": 1, "b": 2, "c": 1}


def test_min_count_and_top_break_ties_by_word():
    texts = ["b a c", "a b d", "e"]
    assert dict(count_words(texts, "whitespace", workers=1, min_count=2)) == {"b": 2, "a": 2}
    top = count_words(texts, "whitespace", workers=2, chunk_size=1, top=3)
    assert list(top.items()) == [("a", 2), ("b", 2), ("c", 1)]
    for bad in ({"min_count": 0}, {"top": -1}, {"workers": 0}, {"chunk_size": 0}):
        with pytest.raises(ValueError):
            count_words(texts, "whitespace", **bad)


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="abcde ", max_size=12), max_size=25),
    min_count=st.integers(1, 4),
    top=st.none() | st.integers(0, 6),
    workers=st.integers(1, 2),
)
def test_min_count_and_top_match_a_reference(texts, min_count, top, workers):
    reference = collections.Counter(w for t in texts for w in t.split())
    kept = [(w, c) for w, c in reference.items() if c >= min_count]
    if top is not None:  # most common first, ties by word
        kept = sorted(kept, key=lambda wc: (-wc[1], wc[0]))[:top]
    stats = CountStats()
    got = count_words(texts, "whitespace", workers=workers, chunk_size=7, min_count=min_count,
                      top=top, stats=stats)
    assert list(got.items()) == kept
    assert (stats.tokens, stats.words) == (sum(reference.values()), len(reference))


def test_counter_built_from_the_merged_vocabulary():
    texts = ["b a c a", "a b d", "e \x00 a", "c"] * 3
    reference = collections.Counter(w for t in texts for w in t.split())
    for workers in (1, 2):
        got = count_words(texts, "whitespace", workers=workers, chunk_size=5)
        assert type(got) is fastcount.Counter and list(got.items()) == list(reference.items())
        got = count_words(texts, "whitespace", workers=workers, chunk_size=5, min_count=4)
        assert list(got.items()) == [(w, c) for w, c in reference.items() if c >= 4]
        got = count_words(texts, "whitespace", workers=workers, chunk_size=5, top=2)
        assert list(got.items()) == [("a", 12), ("b", 6)]


def test_stats(reference):
    stats = CountStats()
    count_words(TEXTS, "jieba-py", workers=2, chunk_size=4000, stats=stats)
    assert stats.texts == len(TEXTS)
    assert stats.bytes == sum(len(t.encode()) for t in TEXTS)
    assert stats.tokens == sum(reference.values())
    assert stats.words == len(reference)
    assert stats.workers == 2 and stats.tokenizer == "jieba-py"
    assert 0 < stats.merge_seconds < stats.seconds
    assert 0 < stats.merge_share < 1 and stats.mb_per_s > 0 and stats.tokens_per_s > 0
    assert "MB/s" in stats.summary() and "merge" in stats.summary()
    # A small input needs fewer workers than asked for.
    count_words(["a b"], "whitespace", workers=4, stats=stats)
    assert (stats.workers, stats.texts, stats.tokens) == (1, 1, 2)


def test_progress_bar_on_stderr(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text("a b\n" * 5000, encoding="utf-8")
    count_words(path, "whitespace", workers=2, chunk_size=1000, progress=True)
    err = capsys.readouterr().err
    assert "counting" in err and "5,000 texts" in err and "20.0k/20.0k" in err


def test_empty_inputs(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"\n\n  \n")
    for source in ([], [""], iter(()), tmp_path / "empty.txt", tmp_path / "blank.txt"):
        stats = CountStats()
        assert count_words(source, "whitespace", workers=2, stats=stats) == {}
        assert stats.tokens == 0


def test_long_line(tmp_path):
    path = tmp_path / "long.txt"
    path.write_bytes(("甲 乙 " * 700_000).encode() + b"\nshort\n" + ("丙 " * 300_000).encode())
    got = count_words(path, "whitespace", workers=2, chunk_size=1000)
    assert dict(got) == {"甲": 700_000, "乙": 700_000, "short": 1, "丙": 300_000}


def test_100_mb_without_a_newline(tmp_path):
    # The whole file is one text; a few seconds and under 1 GB of memory.
    unit = "我们在北京清华大学学习 hello 世界，"
    n = 100_000_000 // len(unit.encode())
    path = tmp_path / "long.txt"
    path.write_bytes((unit * n).encode())
    # jieba cuts the repeated unit the same way every time (checked on a
    # stretch of several units, so words across unit boundaries would show).
    per_unit = collections.Counter(w for w in jieba.lcut(unit) if not w.isspace())
    assert collections.Counter(w for w in jieba.lcut(unit * 50) if not w.isspace()) == {
        w: 50 * k for w, k in per_unit.items()}
    assert dict(count_words(path, workers=2)) == {w: k * n for w, k in per_unit.items()}
    want = collections.Counter((unit * n).split())
    assert dict(count_words(path, "whitespace", workers=2)) == want


# ---------------------------------------------------------------- bad input


def _boom(text):
    if "BOOM" in text:
        raise ValueError(f"cannot cut {text!r}")
    return text.split()


class _Unpicklable(Exception):
    def __init__(self, a, b):
        super().__init__(a)  # pickling calls _Unpicklable(a) and fails
        # and a lock pickles under no scheme (tblib's, which the Dask tests
        # install process-wide, pickles exceptions by their __dict__)
        self.lock = threading.Lock()


def _raise_unpicklable(text):
    raise _Unpicklable("x", "y")


def _die(text):
    # a worker process dies on its first text; the parent, which counts
    # too, counts on
    if multiprocessing.parent_process() is not None:
        os.kill(os.getpid(), signal.SIGKILL)
    return text.split()


def _fails_here(text):
    # in the process that called count_words: every text fails, at once;
    # in a worker process, the "LATE" ones, after a pause
    if multiprocessing.parent_process() is None:
        raise ValueError(f"here: {text}")
    if "LATE" in text:
        time.sleep(0.3)
        raise ValueError(f"worker: {text}")
    return text.split()


def _error_file(tmp_path, bad_line):
    lines = [f"ok {i}" for i in range(40)]
    lines[bad_line - 1] = "this one goes BOOM"
    path = tmp_path / "a.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("workers", [1, 2])
def test_tokenizer_error_names_file_and_line(tmp_path, workers):
    path = _error_file(tmp_path, 27)
    with pytest.raises(ValueError, match="cannot cut 'this one goes BOOM'") as info:
        count_words(path, _boom, workers=workers, chunk_size=30)
    assert any(f"{path}:27" in note for note in info.value.__notes__)
    # the worker's traceback comes along, as text; this process counts too
    if isinstance(info.value.__cause__, RemoteTraceback):
        assert "in _boom" in info.value.__cause__.tb
    else:
        assert info.traceback[-1].name == "_boom"


def test_an_error_in_this_processs_chunk_waits_for_the_earlier_chunks():
    # workers=2: one worker process, given chunk 0 first, and this process,
    # which counts chunk 1 next. Chunk 0 fails later in time, and first.
    texts = ["LATE a"] + ["a b"] * 23
    with pytest.raises(ValueError, match="worker: LATE a") as info:
        count_words(texts, _fails_here, workers=2, chunk_size=1)
    assert any("item 0 of the source" in note for note in info.value.__notes__)
    assert "in _fails_here" in info.value.__cause__.tb
    # Chunk 0 is counted: this process's chunk 1 is the first to fail.
    texts = ["a b"] * 5 + ["LATE a"] * 19
    with pytest.raises(ValueError, match="here: a b") as info:
        count_words(texts, _fails_here, workers=2, chunk_size=1)
    assert any("raised by the tokenizer on item 1 of the source" in note for note in info.value.__notes__)
    assert info.value.__cause__ is None


def _record_pid(path, text):
    if text.startswith("item"):  # not the text it is loaded with, here, under fork
        with open(path, "a") as f:
            f.write(f"{os.getpid()}\n")
    return text.split()


@pytest.mark.parametrize("mp_context", ["fork", "spawn"])
def test_this_process_counts_too(tmp_path, mp_context):
    # workers=n: n - 1 worker processes, and this process counting too
    path = tmp_path / "pids"
    texts = [f"item{i} w{i % 7}" for i in range(2000)]
    want = collections.Counter(w for t in texts for w in t.split())
    for workers in (2, 3):
        path.unlink(missing_ok=True)
        stats = CountStats()
        got = count_words(texts, functools.partial(_record_pid, str(path)), workers=workers,
                          chunk_size=500, stats=stats, mp_context=mp_context)
        assert list(got.items()) == list(want.items())
        assert (stats.workers, stats.backend, stats.texts) == (workers, "processes", len(texts))
        pids = collections.Counter(path.read_text().split())
        assert sum(pids.values()) == len(texts)
        assert len(pids) == workers and pids[str(os.getpid())] > 0


@pytest.mark.parametrize("workers", [1, 2])
def test_tokenizer_error_names_the_item(workers):
    texts = ["a"] * 13 + ["BOOM"] + ["b"] * 20
    with pytest.raises(ValueError) as info:
        count_words(texts, _boom, workers=workers, chunk_size=4)
    assert any("item 13 of the source" in note for note in info.value.__notes__)


def _slow_boom(text):
    if "SLOW" in text:
        time.sleep(0.5)  # the next chunk fails first, in time
    return _boom(text)


@pytest.mark.parametrize("backend", ["threads", "processes"])
def test_the_first_failing_chunk_is_reported(backend):
    # Not the first failure in time: the same error however the chunks run.
    # chunk 0 fails late; a worker holds two chunks at a time (processes)
    texts = ["SLOW BOOM", "a b", "a b", "BOOM"] + ["a b"] * 20
    with pytest.raises(ValueError, match="cannot cut 'SLOW BOOM'") as info:
        count_words(texts, _slow_boom, workers=2, chunk_size=1, backend=backend)
    assert any("item 0 of the source" in note for note in info.value.__notes__)


def test_unpicklable_exception_still_reaches_the_caller():
    with pytest.raises(WorkerError, match="_Unpicklable: x") as info:
        count_words(["a"] * 10, _raise_unpicklable, workers=2, chunk_size=1)
    assert "in _raise_unpicklable" in info.value.__cause__.tb


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_worker_is_reported():
    with pytest.raises(WorkerError, match=r"died \(exit code -9\) while counting"):
        count_words(["a"] * 10 + ["b"] * 10, _die, workers=2, chunk_size=2)


def test_unpicklable_tokenizer_needs_workers_1():
    with pytest.raises(TypeError, match="picklable"):
        count_words(["a b"] * 10, lambda t: t.split(), workers=2, chunk_size=1)
    assert dict(count_words(["a b"] * 10, lambda t: t.split(), workers=1)) == {"a": 10, "b": 10}


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("bad, name", [(None, "NoneType"), (b"x", "bytes"), (3, "int")])
def test_non_str_item_is_named(workers, bad, name):
    with pytest.raises(TypeError, match=f"item 21 of the source is {name}, not str"):
        count_words(["a"] * 21 + [bad], "whitespace", workers=workers, chunk_size=3)
    with pytest.raises(TypeError, match=f"item 2 of the source is {name}"):
        count_partition(["a", "b", bad], "whitespace")


def test_bad_sources():
    with pytest.raises(TypeError, match="not bytes"):
        count_words(b"abc", "whitespace")
    with pytest.raises(TypeError, match="not int"):
        count_words(42, "whitespace")
    with pytest.raises(ValueError, match="field="):
        count_words(["a"], "whitespace", field="text")


class _NoProcesses(type(multiprocessing.get_context("spawn"))):
    """A start method that refuses to start any process."""

    def Process(self, *args, **kwargs):
        raise AssertionError("a worker process was started")


def test_missing_path_fails_before_any_worker_starts(tmp_path):
    (tmp_path / "ok.txt").write_text("a\n")
    with pytest.raises(FileNotFoundError) as info:
        count_words([tmp_path / "ok.txt", tmp_path / "missing.txt"], "whitespace", workers=2,
                    mp_context=_NoProcesses())
    assert info.value.filename == str(tmp_path / "missing.txt")


def test_decode_error_stops_the_workers(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"a b\n" * 500 + b"bad \xff byte\n" + b"c\n" * 10)
    with pytest.raises(fio.InputDecodeError, match=f"{path}:501: invalid utf-8"):
        count_words(path, "whitespace", workers=2, chunk_size=50)
    got = count_words(path, "whitespace", workers=2, chunk_size=50, errors="replace")
    assert got["\ufffd"] == 1 and got["a"] == 500


# ---------------------------------------------------------------- threads or processes


@settings(max_examples=25, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="ab 1中文国人民\t,。😀\U00020000", max_size=12), max_size=30),
    workers=st.integers(2, 3),
    chunk_size=st.integers(1, 40),
    backend=st.sampled_from(["threads", "processes"]),
)
def test_threads_and_processes_give_jiebas_counts(texts, workers, chunk_size, backend):
    stats = CountStats()
    got = count_words(texts, workers=workers, chunk_size=chunk_size, backend=backend, stats=stats)
    assert list(got.items()) == list(_jieba_reference(texts).items())
    assert stats.texts == len(texts)
    assert stats.bytes == sum(len(t.encode()) for t in texts)  # measured by the threads


def test_native_jieba_counts_in_threads_by_default(reference):
    used = []
    for tokenizer, options in [("jieba", {}), ("whitespace", {}), ("jieba", {"backend": "processes"}),
                               ("jieba", {"mp_context": "spawn"}), ("jieba", {"workers": 1})]:
        stats = CountStats()
        got = count_words(TEXTS, tokenizer, **{"workers": 2, **options}, chunk_size=3000, stats=stats)
        assert tokenizer != "jieba" or got == reference
        used.append(stats.backend)
    assert used == ["threads", "processes", "processes", "processes", "in-process"]


def test_threads_with_a_python_tokenizer_and_lone_surrogates():
    texts = [f"w{i % 7} \ud800{i % 3} 😀" for i in range(500)]
    reference = collections.Counter(w for t in texts for w in t.split())
    stats = CountStats()
    got = count_words(texts, "whitespace", workers=2, chunk_size=50, backend="threads", stats=stats)
    assert list(got.items()) == list(reference.items())
    assert stats.bytes == sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)


def test_backend_is_checked():
    with pytest.raises(ValueError, match="backend must be"):
        count_words(["a"], backend="gpu")
    with pytest.raises(ValueError, match="mp_context applies to backend='processes'"):
        count_words(["a"], backend="threads", mp_context="spawn")


def test_threads_report_where_the_tokenizer_failed():
    texts = ["a"] * 13 + ["BOOM"] + ["b"] * 20
    with pytest.raises(ValueError, match="cannot cut 'BOOM'") as info:
        count_words(texts, _boom, workers=2, chunk_size=4, backend="threads")
    assert any("item 13 of the source" in note for note in info.value.__notes__)
    assert info.traceback[-1].name == "_boom"  # the original traceback, from the thread


def test_threads_report_bad_items_and_bytes(tmp_path):
    texts = ["中国"] * 21 + [None]
    references = sys.getrefcount(texts)
    with pytest.raises(TypeError, match="item 21 of the source is NoneType, not str"):
        count_words(texts, workers=2, chunk_size=3)
    assert sys.getrefcount(texts) == references  # nothing keeps the list
    path = tmp_path / "a.txt"
    path.write_bytes("中国 人民\n".encode() * 500 + b"bad \xff byte\n" + b"c\n" * 10)
    with pytest.raises(fio.InputDecodeError, match=f"{path}:501: invalid utf-8"):
        count_words(path, workers=2, chunk_size=50)


def test_native_decoding_falls_back_to_python_for_bad_bytes(tmp_path):
    lines = [TEXTS[i] for i in range(200)]
    raw = "\r\n".join(lines).encode() + b"\r\n"
    bad = raw.replace("。".encode(), b"\xff\xfe", 3)  # a few lines that do not decode
    path = tmp_path / "a.txt"
    path.write_bytes(bad)
    texts = bad.decode("utf-8", "replace").split("\r\n")[:-1]
    for workers in (1, 2):
        got = count_words(path, workers=workers, chunk_size=3000, errors="replace")
        assert list(got.items()) == list(_jieba_reference(texts).items())
    with pytest.raises(fio.InputDecodeError, match=r"a\.txt:\d+: invalid"):
        count_words(path, workers=2, chunk_size=3000)


def test_a_failing_source_stops_the_threads():
    def texts():
        yield from ["中国人民"] * 5000
        raise OSError("the source broke")

    with pytest.raises(OSError, match="the source broke"):
        count_words(texts(), workers=2, chunk_size=100)


def test_an_error_while_the_input_is_read_ends_the_idle_threads():
    # A thread fails while the caller's thread reads the next chunk and the
    # other thread waits for it: the count ends with the error, not a hang.
    def slow_boom(text):
        if "BOOM" in text:
            time.sleep(0.3)  # the other thread is waiting for a chunk by now
        return _boom(text)

    def texts():
        yield from ["BOOM", "a b"]
        time.sleep(1)  # the caller's thread reads on
        yield from ["a b"] * 10

    raised = []

    def run():
        try:
            count_words(texts(), slow_boom, workers=2, chunk_size=1, backend="threads")
        except ValueError as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive() and "cannot cut 'BOOM'" in str(raised[0])


def test_ctrl_c_stops_the_threads():
    def slow(text):
        time.sleep(0.01)
        return text.split()

    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            count_words(["a b"] * 100_000, slow, workers=2, chunk_size=1, backend="threads")
    finally:
        timer.cancel()
    assert time.monotonic() - started < 2.0  # and no thread is left (see the fixture)


def _interrupted_at(n: int, texts: list) -> tuple:
    """count_words(threads) with a KeyboardInterrupt raised in the calling
    thread at its ``n``-th bytecode inside the thread pool's code or the
    queues' (where a real Ctrl-C can land): ("ki" or the result, bytecodes
    seen), or None if the call did not return within 10 s."""
    watched = (os.path.join("fastcount", "workers.py"), os.path.join("", "queue.py"))
    seen = [0]
    out: list = []

    def tracer(frame, event, arg):
        if frame.f_code.co_filename.endswith(watched):
            frame.f_trace_opcodes = True
            if event == "opcode":
                seen[0] += 1
                if seen[0] == n:
                    raise KeyboardInterrupt
        return tracer

    def run():
        sys.settrace(tracer)
        try:
            out.append(count_words(texts, "whitespace", workers=2, chunk_size=1, backend="threads"))
        except KeyboardInterrupt:
            out.append("ki")
        finally:
            sys.settrace(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    return None if thread.is_alive() else (out[0], seen[0])


def test_ctrl_c_at_any_bytecode_of_the_thread_pool_ends_every_thread():
    # Ctrl-C landing inside queue.Queue.put once left its lock held: the
    # caller then blocked for good on its way out, and so did the threads.
    texts = ["a b", "b c"] * 6
    expected = collections.Counter(w for t in texts for w in t.split())
    n = 1
    while True:
        got = _interrupted_at(n, texts)
        assert got is not None, f"count_words hung after Ctrl-C at bytecode {n}"
        deadline = time.monotonic() + 5
        while [t for t in threading.enumerate() if t.name.startswith("fastcount-")] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not [t for t in threading.enumerate() if t.name.startswith("fastcount-")], f"threads left at {n}"
        if got[0] != "ki":  # the interrupt came after the last bytecode: every point was tried
            assert got[0] == expected and got[1] < n
            break
        n += 1
    assert n > 100  # the pool's code ran (and was interrupted) at that many points


# ---------------------------------------------------------------- count_partition


def test_count_partition_is_exact_and_merges(reference):
    parts = [count_partition(TEXTS[i : i + 70], "jieba-py") for i in range(0, len(TEXTS), 70)]
    assert all(isinstance(p, fastcount.Counter) for p in parts)
    total = collections.Counter()
    for part in reversed(parts):
        total.update(dict(part))
    assert total == reference
    assert count_partition(TEXTS, "jieba-py") == reference
    part = pickle.loads(pickle.dumps(parts[0]))
    assert part == parts[0]
    with pytest.raises(ValueError) as info:
        count_partition(["a", "BOOM"], _boom)
    assert any("item 1 of the source" in note for note in info.value.__notes__)


def test_words_with_nul_survive_the_trip_from_workers():
    texts = ["a\x00b c", "c \x00", "\x00"] * 3
    reference = collections.Counter(w for t in texts for w in t.split())
    got = count_words(texts, "whitespace", workers=2, chunk_size=1)
    assert list(got.items()) == list(reference.items())
    texts = ["", "x"] * 3  # empty words, from every worker
    got = count_words(texts, r"x*", workers=2, chunk_size=1)
    assert dict(got) == collections.Counter(w for t in texts for w in re.findall("x*", t))


def test_forked_workers_read_a_list_in_place_and_nothing_is_kept():
    # Under fork, a list source is not pickled to the workers: they read
    # spans of the list they inherited. Two calls at once in threads each
    # read their own list, and the parent keeps no reference afterwards.
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork start method here")
    lists = [[f"{w} x{i % 7}" for i in range(3000)] for w in ("甲", "乙")]
    results = {}

    def run(k):
        results[k] = count_words(lists[k], "whitespace", workers=2, chunk_size=2048,
                                 mp_context="fork")

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, texts in enumerate(lists):
        assert dict(results[k]) == collections.Counter(w for t in texts for w in t.split())
    bad = lists[0][:-1] + [None]
    references = [sys.getrefcount(texts) for texts in (*lists, bad)]
    with pytest.raises(TypeError, match="item 2999 of the source is NoneType"):
        count_words(bad, "whitespace", workers=2, chunk_size=2048, mp_context="fork")
    assert [sys.getrefcount(texts) for texts in (*lists, bad)] == references
