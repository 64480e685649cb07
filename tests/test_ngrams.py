"""count_ngrams and the ngrams command: exact counts whatever the workers,
backend and memory budget; streamed output; the temporary runs always removed."""

import io
import itertools
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import fastcount
from fastcount import cli
from fastcount.ngrams import NgramStats, count_ngrams, default_memory, parse_memory, parse_orders

from ngram_reference import char_ngrams, word_ngrams
from test_cli import _write_and_wait

SAMPLE = os.path.join(os.path.dirname(__file__), "data", "reviews_sample.txt")


@pytest.fixture(scope="module")
def texts():
    with open(SAMPLE, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]  # the file's lines


@pytest.fixture(scope="module")
def expected(texts):
    return char_ngrams(texts, 1, 4)


def no_runs_left(directory):
    return os.listdir(directory) == []


@pytest.mark.parametrize("workers,backend", [(1, None), (2, "threads"), (2, "processes")])
@pytest.mark.parametrize("memory", [None, 64 * 1024])
def test_counts_do_not_depend_on_workers_or_budget(tmp_path, texts, expected, workers, backend, memory):
    stats = NgramStats()
    counts = count_ngrams(SAMPLE, (1, 4), workers=workers, backend=backend, memory=memory,
                          tmpdir=tmp_path, chunk_size=16 * 1024, stats=stats)
    assert counts == expected
    assert stats.tokens == sum(expected.values()) and stats.words == len(expected)
    assert stats.texts == len(texts) and stats.workers == workers
    assert (stats.runs >= 4) == (memory is not None)
    assert no_runs_left(tmp_path)
    if memory is None:  # in memory: keys in order of first sight, as collections.Counter
        assert list(counts) == list(expected)
    else:  # merged from runs: in code point order
        assert list(counts) == sorted(expected)


@pytest.mark.parametrize("workers", [1, 2])
def test_runs_merge_in_a_second_thread_only_with_workers(tmp_path, expected, workers, monkeypatch):
    # workers=1 is a promise of one thread: the merge of the runs keeps to it
    import fastcount.ngrams as ngrams

    splits = []
    split_key = ngrams._split_key
    monkeypatch.setattr(ngrams, "_split_key", lambda indexes: splits.append(1) or split_key(indexes))
    stats = NgramStats()
    counts = count_ngrams(SAMPLE, (1, 4), workers=workers, backend="threads", memory=64 * 1024,
                          tmpdir=tmp_path, chunk_size=16 * 1024, stats=stats)
    assert counts == expected and stats.runs >= 4
    assert len(splits) == (workers - 1)


def test_texts_and_orders(texts):
    assert count_ngrams(texts, 2, workers=1) == char_ngrams(texts, 2, 2)
    assert count_ngrams(texts, "2-3", workers=2) == char_ngrams(texts, 2, 3)
    punct = count_ngrams(texts, (1, 2), keep_punct=True, workers=1)
    assert punct == char_ngrams(texts, 1, 2, keep_punct=True)


def test_min_count_and_top_cut_the_merged_counts(tmp_path, expected):
    for memory in (None, 32 * 1024):
        kept = count_ngrams(SAMPLE, (1, 4), min_count=3, memory=memory, tmpdir=tmp_path)
        assert kept == {k: v for k, v in expected.items() if v >= 3}
        top = count_ngrams(SAMPLE, (1, 4), top=50, memory=memory, tmpdir=tmp_path)
        best = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:50]
        assert list(top.items()) == best
    assert no_runs_left(tmp_path)


def test_output_streams_tsv(tmp_path, expected):
    out = io.BytesIO()
    lines = count_ngrams(SAMPLE, (1, 4), output=out, min_count=2, memory=32 * 1024, tmpdir=tmp_path)
    rows = [(k, v) for k, v in sorted(expected.items()) if v >= 2]
    assert lines == len(rows)
    assert out.getvalue().decode("utf-8") == "".join(f"{k}\t{v}\n" for k, v in rows)
    path = tmp_path / "out" / "top.tsv"
    path.parent.mkdir()
    assert count_ngrams(SAMPLE, 2, output=path, top=10, tmpdir=tmp_path) == 10
    best = sorted(char_ngrams(open(SAMPLE, encoding="utf-8").read().split("\n")[:-1], 2, 2).items(),
                  key=lambda kv: (-kv[1], kv[0]))[:10]
    assert path.read_text("utf-8") == "".join(f"{k}\t{v}\n" for k, v in best)
    assert sorted(os.listdir(tmp_path)) == ["out"] and os.listdir(path.parent) == ["top.tsv"]


def test_word_ngrams(texts, tmp_path):
    docs = [fastcount.lcut(t) for t in texts]
    for memory in (None, 64 * 1024):
        counts = count_ngrams(texts, (1, 3), unit="word", workers=2, memory=memory, tmpdir=tmp_path,
                              chunk_size=32 * 1024)
        assert counts == word_ngrams(docs, 1, 3)
    split = count_ngrams(["a b c", "b c d"], 2, unit="word", tokenizer="whitespace", workers=1)
    assert split == {"a b": 1, "b c": 2, "c d": 1}
    assert no_runs_left(tmp_path)


def test_bad_arguments_say_which(texts, tmp_path):
    with pytest.raises(ValueError, match="lo <= hi"):
        count_ngrams(texts, (3, 2))
    with pytest.raises(TypeError, match="n must be an int"):
        count_ngrams(texts, 2.0)
    with pytest.raises(ValueError, match="unit must be"):
        count_ngrams(texts, 2, unit="byte")
    with pytest.raises(ValueError, match="unit='word' only"):
        count_ngrams(texts, 2, tokenizer="whitespace")
    with pytest.raises(ValueError, match="memory: invalid size"):
        count_ngrams(texts, 2, memory="lots")
    with pytest.raises(NotADirectoryError, match="tmpdir"):
        count_ngrams(texts, 2, tmpdir=tmp_path / "nowhere")
    with pytest.raises(ValueError, match="min_count"):
        count_ngrams(texts, 2, min_count=0)
    with pytest.raises(ValueError, match="holds a space"):
        count_ngrams(["a b"], 2, unit="word", tokenizer=r"\w+ \w+", workers=1)
    assert parse_orders("1-4") == (1, 4) and parse_orders(3) == (3, 3)
    assert parse_memory("2GB") == 2 * 10**9 and parse_memory("512MiB") == 512 << 20
    assert parse_memory(None) == default_memory() > 0


def _source_failing_after(texts, n):
    for text in texts[:n]:
        yield text
    raise RuntimeError("the source failed")


def test_runs_go_when_the_count_fails(tmp_path, texts):
    with pytest.raises(RuntimeError, match="the source failed"):
        count_ngrams(_source_failing_after(texts, 1000), (1, 4), workers=1, memory=16 * 1024,
                     tmpdir=tmp_path, chunk_size=4096)
    assert no_runs_left(tmp_path)


needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


def full_disk(tmp_path, monkeypatch):
    """The spill directory of the next count in this process, whose next
    table's first run goes to /dev/full."""
    spill_dir = tmp_path / "fastcount-ngrams-x"
    spill_dir.mkdir()
    monkeypatch.setattr("fastcount.ngrams.tempfile.mkdtemp", lambda prefix, dir: str(spill_dir))
    monkeypatch.setattr("fastcount.ngrams._table_ids", itertools.count(7))
    os.symlink("/dev/full", spill_dir / f"p{os.getpid()}-t7-000000.run")
    return spill_dir


@needs_dev_full
def test_a_full_disk_names_the_directory_and_leaves_nothing(tmp_path, texts, monkeypatch):
    spill_dir = full_disk(tmp_path, monkeypatch)
    with pytest.raises(OSError, match=f"in {spill_dir}: No space left on device") as err:
        count_ngrams(texts, (1, 4), workers=1, memory=16 * 1024, tmpdir=tmp_path)
    assert err.value.filename == str(spill_dir)
    assert no_runs_left(tmp_path)


def run_cli(capsys, *argv):
    code = cli.main([*map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_ngrams_command(capsys, tmp_path, expected):
    code, out, err = run_cli(capsys, "ngrams", SAMPLE, "-n", "1-4", "--memory", "64KB", "--tmpdir",
                             tmp_path, "-j", "2")
    assert code == 0
    assert out == "".join(f"{k}\t{v}\n" for k, v in sorted(expected.items()))
    assert "runs spilled" in err and f"{len(expected):,} lines written" in err
    target = tmp_path / "top.tsv"
    code, out, err = run_cli(capsys, "ngrams", SAMPLE, "-n", "2", "--top", "3", "-o", target, "-q")
    assert (code, out, err) == (0, "", "")
    assert target.read_text("utf-8") == "酒店\t445\n没有\t343\n房间\t322\n"
    code, out, _ = run_cli(capsys, "ngrams", "-n", "2", "-q")  # the shipped sample: its top 20
    assert code == 0 and len(out.splitlines()) == cli.SAMPLE_TOP
    assert sorted(os.listdir(tmp_path)) == ["top.tsv"]


@needs_dev_full
def test_the_command_on_a_full_disk_exits_3_leaving_nothing(capsys, tmp_path, monkeypatch):
    spill_dir = full_disk(tmp_path, monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, err = run_cli(capsys, "ngrams", SAMPLE, "--memory", "16KB", "--tmpdir", tmp_path,
                                "-j", "1", "-o", out / "n.tsv")
    assert (code, stdout) == (cli.EXIT_ENVIRONMENT, "")
    assert f"error: cannot write an n-gram run in {spill_dir}: No space left on device" in err
    assert os.listdir(tmp_path) == ["out"] and os.listdir(out) == []


@pytest.mark.parametrize("argv,message", [
    (["-n", "4-2"], "-n: n-gram orders must satisfy 1 <= lo <= hi"),
    (["-n", "x"], "-n: n must be an order or a range"),
    (["--memory", "lots"], "memory: invalid size 'lots'"),
    (["--keep-whitespace"], "--keep-whitespace: n-grams never span whitespace"),
    (["--tokenizer", "whitespace"], "--tokenizer, --no-hmm, --cut-all and --user-dict go with --unit word"),
])
def test_the_ngrams_command_refuses_bad_usage(capsys, argv, message):
    code, out, err = run_cli(capsys, "ngrams", SAMPLE, *argv)
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert message in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals")
@pytest.mark.parametrize("sig,code", [(signal.SIGINT, cli.EXIT_INTERRUPTED),
                                      (signal.SIGTERM, cli.EXIT_TERMINATED)])
def test_interrupted_while_spilling_leaves_nothing(tmp_path, child_env, sig, code):
    runs, out = tmp_path / "runs", tmp_path / "out"
    runs.mkdir()
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "fastcount", "ngrams", "-", "-n", "1-4", "--memory", "32KB",
         "--tmpdir", str(runs), "-j", "2", "-o", str(out / "n.tsv")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
        env=child_env,
    )
    # More than a chunk (1 MiB), so that some text is counted and spilled;
    # then the command waits for more input.
    data = open(SAMPLE, "rb").read() * 5
    feeder = threading.Thread(target=_write_and_wait, args=(proc.stdin, data), daemon=True)
    feeder.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            spilled = [f for d in os.listdir(runs) for f in os.listdir(runs / d)]
            if len(spilled) >= 2:
                break
            time.sleep(0.05)
        assert len(spilled) >= 2, "no runs were written"
        proc.send_signal(sig)
        assert proc.wait(timeout=60) == code
        assert os.listdir(runs) == [] and os.listdir(out) == []
    finally:
        proc.kill()
        proc.wait()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            f.close()
