"""The fastcount command: output formats, atomic -o, exit codes and messages."""

import csv
import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

import fastcount
from fastcount import cli, writers

TEXT = "b a c\na b\n\nd a\n"
SORTED = [("a", 3), ("b", 2), ("c", 1), ("d", 1)]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def run(capsys, *argv):
    code = cli.main(["count", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_tsv_sorted_by_count_then_word(capsys, corpus):
    code, out, err = run(capsys, corpus, "--tokenizer", "whitespace", "-j", "2")
    assert code == 0
    assert out == "".join(f"{w}\t{c}\n" for w, c in SORTED)
    assert err.startswith("fastcount: 4 texts") and "MB/s" in err and "merge" in err


def test_csv_and_json(capsys, corpus):
    code, out, _ = run(capsys, corpus, "--tokenizer", "whitespace", "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [["word", "count"]] + [[w, str(c)] for w, c in SORTED]
    code, out, _ = run(capsys, corpus, "--tokenizer", "whitespace", "--format", "json", "-q")
    assert code == 0
    assert list(json.loads(out).items()) == SORTED


def test_options_reach_count_words(capsys, corpus):
    code, out, err = run(capsys, corpus, "--tokenizer", "whitespace", "--min-count", "2", "--top", "1", "-q")
    assert (code, out, err) == (0, "a\t3\n", "")
    code, out, _ = run(capsys, corpus, "--tokenizer", r"[ab]", "-q")
    assert out == "a\t3\nb\t2\n"


def test_tsv_escapes_separators(capsys, tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("x\ty\\\n", encoding="utf-8")
    code, out, _ = run(capsys, path, "--tokenizer", "char", "--keep-whitespace", "-q")
    assert code == 0
    assert sorted(out.splitlines()) == ["\\\\\t1", "\\t\t1", "x\t1", "y\t1"]


def test_jieba_options(capsys, tmp_path):
    path = tmp_path / "zh.txt"
    path.write_text("我来到北京清华大学\n", encoding="utf-8")
    code, out, _ = run(capsys, path, "--tokenizer", "jieba-py", "--cut-all", "-q", "-j", "1")
    assert code == 0 and "华大\t1" in out.splitlines()
    code, out, _ = run(capsys, path, "--tokenizer", "jieba-py", "--no-hmm", "-q", "-j", "1")
    assert out.splitlines() == sorted(["北京\t1", "清华大学\t1", "我\t1", "来到\t1"])


def test_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode())))
    code, out, _ = run(capsys, "-", "--tokenizer", "whitespace", "-q")
    assert code == 0 and out == "".join(f"{w}\t{c}\n" for w, c in SORTED)


def test_output_file_is_written_atomically(capsys, corpus, tmp_path):
    target = tmp_path / "out" / "counts.tsv"
    target.parent.mkdir()
    code, out, _ = run(capsys, corpus, "--tokenizer", "whitespace", "-o", target, "-q")
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8") == "".join(f"{w}\t{c}\n" for w, c in SORTED)
    assert os.listdir(target.parent) == ["counts.tsv"]
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("failure", ["decode", "interrupt"])
def test_failed_run_leaves_no_output(capsys, tmp_path, monkeypatch, failure):
    path = tmp_path / "in.txt"
    path.write_bytes(b"ok\n\xff\n")
    if failure == "interrupt":
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr("fastcount.pipeline.count_words", interrupted)
    target = tmp_path / "out" / "counts.tsv"
    target.parent.mkdir()
    code, out, err = run(capsys, path, "--tokenizer", "whitespace", "-o", target)
    assert os.listdir(target.parent) == []  # neither the file nor its temporary
    if failure == "decode":
        assert code == 2
        assert err.startswith(f"fastcount: error: {path}:2: invalid utf-8 at byte 0 of the line (b'\\xff'): invalid start byte; ")
        assert "--encoding" in err and "--errors replace" in err and err.count("\n") == 1
    else:
        assert (code, err) == (130, "fastcount: interrupted\n")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["{missing}"], "cannot read {missing}: No such file or directory"),
        pytest.param(
            ["{corpus}", "{loop}"], "cannot read {loop}: Too many levels of symbolic links",
            marks=pytest.mark.skipif(os.name != "posix", reason="symlinks"),
        ),
        (["{corpus}", "--tokenizer", "whitespace", "--no-hmm"], "jieba tokenizers only"),
        (["{corpus}", "--tokenizer", "jeiba"], "unknown tokenizer 'jeiba'"),
        (["{corpus}", "--tokenizer", "([a"], "not a valid regex"),
        (["{corpus}", "--encoding", "nope"], "unknown encoding: nope"),
        (["{corpus}", "-o", "{missing}/x.tsv"], "cannot write"),
        (["{corpus}", "--user-dict", "{missing}"], "cannot read {missing}"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(capsys, corpus, tmp_path, argv, message):
    names = {"corpus": corpus, "missing": tmp_path / "missing", "loop": tmp_path / "loop"}
    if "{loop}" in argv:
        names["loop"].symlink_to(names["loop"])
    code, out, err = run(capsys, *[a.format(**names) for a in argv])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("fastcount: error: ")
    assert message.format(**names) in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["count", "--bogus"], "unrecognized arguments: --bogus"),
        (["count", "--top", "abc"], "--top: expected a non-negative integer, got 'abc'"),
        (["count", "--top", "-1"], "--top: expected a non-negative integer, got '-1'"),
        (["count", "-j", "0"], "-j/--workers: expected a positive integer, got '0'"),
        (["count", "--min-count", "1.5"], "--min-count: expected a positive integer, got '1.5'"),
        (["count", "--format", "xml"], "--format: invalid choice: 'xml'"),
    ],
)
def test_usage_errors_show_the_subcommand_usage(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("usage: fastcount count ")
    assert f"\nfastcount count: error: {message}" in err


def test_missing_subcommand_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
    assert capsys.readouterr().err.startswith("usage: fastcount ")


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"fastcount {fastcount.__version__}\n"


def test_help_lists_formats_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        cli.main(["count", "--help"])
    out = capsys.readouterr().out
    flat = " ".join(out.split())
    # one backslash where the output has one, two where it has two
    assert r"(\, tab, newline and CR in a word written as \\, \t, \n, \r)" in flat
    assert "\\\\\\" not in out
    for name in writers.FORMATS:
        assert f"{name}: " in flat
    for code, what in cli.EXIT_CODES.items():
        assert f"{code} {what}" in flat


def test_closed_stdout_exits_quietly_as_cat_does(tmp_path, child_env):
    # More output than a pipe holds, so writing it meets the closed pipe.
    path = tmp_path / "many.txt"
    path.write_text("".join(f"w{i:06d}\n" for i in range(100_000)), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fastcount", "count", str(path), "--tokenizer", "whitespace", "-j", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=child_env,
    )
    assert proc.stdout.readline() == b"w000000\t1\n"
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == cli.EXIT_BROKEN_PIPE == 141
    assert err == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_disk_on_stdout_is_an_environment_failure(corpus, tmp_path, child_env):
    with open("/dev/full", "w") as full:
        out = subprocess.run(
            [sys.executable, "-m", "fastcount", "count", str(corpus), "--tokenizer", "whitespace", "-q"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, cwd=tmp_path, env=child_env,
        )
    assert out.returncode == cli.EXIT_ENVIRONMENT == 3
    assert out.stderr == "fastcount: error: cannot write <stdout>: No space left on device\n"


@pytest.mark.parametrize("unnamed", [True, False], ids=["O_TMPFILE", "named-temporary"])
def test_full_disk_on_output_file_leaves_nothing(capsys, corpus, tmp_path, monkeypatch, unnamed):
    if not unnamed:
        monkeypatch.setattr(writers, "_open_unnamed", lambda directory: None)

    def full(items, out):
        out.write("a\t3\n")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setitem(writers.FORMATS, "tsv", writers.Format(full, "a full disk"))
    target = tmp_path / "out" / "counts.tsv"
    target.parent.mkdir()
    code, out, err = run(capsys, corpus, "--tokenizer", "whitespace", "-o", target)
    assert (code, out) == (cli.EXIT_ENVIRONMENT, "")
    assert err == f"fastcount: error: cannot write {target}: No space left on device\n"
    assert os.listdir(target.parent) == []


@pytest.mark.parametrize(
    "error, code, message",
    [
        (PermissionError(errno.EACCES, "Permission denied", "in.txt"), 3, "cannot read in.txt: Permission denied"),
        (OSError(errno.EIO, "Input/output error", "in.txt"), 3, "cannot read in.txt: Input/output error"),
        (MemoryError(), 3, "out of memory"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory", "in.txt"), 2,
         "cannot read in.txt: No such file or directory"),
    ],
)
def test_environment_failures_have_their_own_exit_code(capsys, corpus, monkeypatch, error, code, message):
    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr("fastcount.pipeline.count_words", failing)
    assert run(capsys, corpus) == (code, "", f"fastcount: error: {message}\n")


@pytest.mark.parametrize("unnamed", [True, False], ids=["O_TMPFILE", "named-temporary"])
def test_sigterm_leaves_no_output(capsys, corpus, tmp_path, monkeypatch, unnamed):
    if not unnamed:
        monkeypatch.setattr(writers, "_open_unnamed", lambda directory: None)
    target = tmp_path / "out" / "counts.tsv"
    target.parent.mkdir()
    during = []

    def terminated(*args, **kwargs):
        during.extend(os.listdir(target.parent))
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)  # the handler raises in here
        raise AssertionError("SIGTERM did not stop the count")

    monkeypatch.setattr("fastcount.pipeline.count_words", terminated)
    code, out, err = run(capsys, corpus, "-o", target)
    assert (code, out, err) == (cli.EXIT_TERMINATED, "", "fastcount: terminated\n")
    assert os.listdir(target.parent) == []
    if unnamed and _unnamed_files_work(tmp_path):
        assert during == []  # never had a name
    else:
        assert len(during) == 1 and during[0].startswith(".counts.tsv.")
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handler restored


def _write_and_wait(f, data):
    try:
        f.write(data)
        f.flush()
    except (BrokenPipeError, ValueError):
        pass  # the command ended first


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("options", [["--tokenizer", "whitespace"], []], ids=["processes", "native-threads"])
def test_sigterm_while_workers_wait_for_stdin_leaves_nothing(tmp_path, child_env, options):
    target = tmp_path / "out" / "counts.tsv"
    target.parent.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "fastcount", "count", "-", "-j", "3", "-o", str(target), *options],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=child_env,
    )
    # Enough for a chunk per worker, so that both worker processes start
    # (-j 3: the command counts too); then nothing (the command waits for
    # more), written by a thread as the command reads it.
    writer = threading.Thread(target=_write_and_wait, args=(proc.stdin, "我们 a b\n".encode() * (1 << 19)), daemon=True)
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while not any(f.startswith(str(target.parent)) for f in _open_files(proc.pid)):
            assert time.monotonic() < deadline, "the output file was never opened"
            time.sleep(0.05)
        if options:  # worker processes: wait until both count
            while len(_children(proc.pid)) < 2:
                assert time.monotonic() < deadline, "the workers never started"
                time.sleep(0.05)
        else:
            writer.join(timeout=60)  # all read: the command waits on an idle stdin
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == cli.EXIT_TERMINATED
        assert proc.stderr.read() == b"fastcount: terminated\n"
        assert os.listdir(target.parent) == []
        assert not [w for w in workers if os.path.exists(f"/proc/{w}")]
    finally:
        proc.kill()
        proc.wait()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            f.close()


def test_sample_text_out_of_the_box(tmp_path, child_env):
    # What the README's first command does: python -m fastcount count. Run
    # away from the checkout, whose uncompiled fastcount/ would shadow the
    # installed package.
    out = subprocess.run(
        [sys.executable, "-m", "fastcount", "count", "-j", "2"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=child_env,
    )
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    assert len(rows) == cli.SAMPLE_TOP
    counts = [int(c) for _, c in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > 1000
    assert "的" in [w for w, _ in rows]
    assert "1,405 texts" in out.stderr and "MB/s" in out.stderr and "tokens/s" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.skipif(shutil.which("fastcount") is None, reason="console script not installed")
def test_console_script(corpus):
    out = subprocess.run(
        ["fastcount", "count", str(corpus), "--tokenizer", "whitespace", "-q"],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0 and out.stdout.splitlines()[0] == "a\t3"


# ------------------------------------------------------------ inputs


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_fifo_input_is_read_exactly(tmp_path, child_env):
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    # The writer opens the FIFO late: the command must neither lose what it
    # writes nor wait for a second writer.
    writer = subprocess.Popen(
        [sys.executable, "-c", f"import time; time.sleep(0.5); open({str(fifo)!r}, 'w').write({TEXT!r})"]
    )
    try:
        out = subprocess.run(
            [sys.executable, "-m", "fastcount", "count", str(fifo), "--tokenizer", "whitespace", "-q"],
            capture_output=True, text=True, timeout=60, cwd=tmp_path, env=child_env,
        )
    finally:
        writer.kill()
        writer.wait()
    assert (out.returncode, out.stdout, out.stderr) == (0, "".join(f"{w}\t{c}\n" for w, c in SORTED), "")


def test_include_exclude_and_skipped_files_on_stderr(capsys, tmp_path):
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("a b\n", encoding="utf-8")
    (d / "sub" / "b.txt").write_text("b c\n", encoding="utf-8")
    (d / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    code, out, err = run(capsys, d, "--tokenizer", "whitespace", "-q", "--include", "*.txt")
    assert (code, out, err) == (0, "b\t2\na\t1\nc\t1\n", "")
    code, out, _ = run(capsys, d, "--tokenizer", "whitespace", "-q", "--exclude", "*.png", "--exclude", "sub")
    assert (code, out) == (0, "b\t2\na\t1\nc\t1\n")
    code, out, _ = run(capsys, d, "--tokenizer", "whitespace", "-q", "--exclude", "*/sub/*", "--include", "*.txt")
    assert (code, out) == (0, "a\t1\nb\t1\n")
    if os.name == "posix":
        (d / "sub" / "loop").symlink_to(d)
        code, out, err = run(capsys, d, "--tokenizer", "whitespace", "-q", "--include", "*.txt")
        assert (code, out) == (0, "b\t2\na\t1\nc\t1\n")
        assert err == f"fastcount: skipped {d / 'sub' / 'loop'}: the directory {d}, walked already (through a symlink)\n"


@pytest.mark.parametrize(
    "options", [["-j", "2"], ["-j", "2", "--tokenizer", "whitespace"]], ids=["native-threads", "processes"],
)
def test_the_error_reported_is_the_first_in_the_file(capsys, tmp_path, options):
    # Every line is bad (GBK read as UTF-8), in many chunks: whichever
    # worker fails first in time, the error names line 1.
    path = tmp_path / "gbk.txt"
    path.write_bytes("".join(f"第{i}行 文本\n" for i in range(300_000)).encode("gbk"))
    for _ in range(5):
        code, out, err = run(capsys, path, *options)
        assert (code, out) == (2, "")
        assert err.startswith(f"fastcount: error: {path}:1: invalid utf-8 at byte 0 of the line")


def _truncated_gz(tmp_path, lines=3000):
    import gzip
    import zlib

    data = "".join(f"第{i}行 文本 内容 {'词' * (i % 29)}\n" for i in range(lines)).encode()
    packed = gzip.compress(data)
    path = tmp_path / "trunc.txt.gz"
    path.write_bytes(packed[: len(packed) // 3])
    readable = zlib.decompressobj(31).decompress(path.read_bytes())
    return path, readable.count(b"\n") + 1


@pytest.mark.parametrize(
    "options",
    [["-j", "1"], ["-j", "2"], ["-j", "2", "--tokenizer", "whitespace"], ["-j", "1", "--tokenizer", "whitespace"]],
    ids=["native-1", "native-threads", "processes", "whitespace-1"],
)
def test_decompression_error_names_the_exact_line(capsys, tmp_path, options):
    path, line = _truncated_gz(tmp_path)
    assert line > 500  # far from the start of any read block
    code, out, err = run(capsys, path, *options)
    assert (code, out) == (2, "")
    assert err.startswith(f"fastcount: error: {path}:{line}: cannot read: the gzip data ends before")


# ------------------------------------------------------------ --skip-bad-files


@pytest.fixture
def mixed(tmp_path):
    """A directory of good files and bad ones: bad from the first line (found
    before counting) and bad only far into the file (found while counting)."""
    import gzip

    d = tmp_path / "mixed"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("a b\n" * 3, encoding="utf-8")
    (d / "sub" / "b.txt").write_text("b c\n", encoding="utf-8")
    (d / "gbk.txt").write_bytes("中文 b\n".encode("gbk"))
    (d / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xd8")
    late = [f"late{i} a" for i in range(40_000)]
    (d / "late.txt").write_bytes("\n".join(late).encode().replace(b"late39000 ", b"\xff late "))
    data = "".join(f"z{i} a\n" for i in range(40_000)).encode()
    packed = gzip.compress(data)
    (d / "trunc.txt.gz").write_bytes(packed[: len(packed) // 2])
    return d


@pytest.mark.parametrize(
    "options", [["-j", "1"], ["-j", "2"], ["-j", "2", "--tokenizer", "whitespace"]],
    ids=["native-1", "native-threads", "processes"],
)
def test_skip_bad_files_leaves_them_out_and_says_so(capsys, mixed, options):
    code, want, _ = run(capsys, mixed / "a.txt", mixed / "sub" / "b.txt", *options, "-q")
    assert code == 0
    code, out, err = run(capsys, mixed, "--skip-bad-files", *options)
    assert (code, out) == (cli.EXIT_SKIPPED, want)
    lines = err.splitlines()
    prefix = "fastcount: skipped "
    assert all(line.startswith(prefix) for line in lines[:-1])
    skipped = sorted(line[len(prefix):].split(":")[0] for line in lines[:-1])
    assert skipped == [str(mixed / name) for name in ["gbk.txt", "img.png", "late.txt", "trunc.txt.gz"]]
    assert f"skipped {mixed / 'late.txt'}:39001: invalid utf-8 at byte 0 of the line" in err
    assert lines[-1].startswith("fastcount: 4 texts") and lines[-1].endswith("; 4 input files skipped (named above)")


def test_skip_bad_files_on_dask(capsys, mixed):
    pytest.importorskip("distributed")
    code, want, _ = run(capsys, mixed / "a.txt", mixed / "sub" / "b.txt", "-q", "--tokenizer", "whitespace")
    code, out, err = run(capsys, mixed, "--skip-bad-files", "--dask", "-j", "1", "--tokenizer", "whitespace")
    assert (code, out) == (cli.EXIT_SKIPPED, want)
    assert f"fastcount: skipped {os.path.abspath(mixed / 'late.txt')}:39001: invalid utf-8" in err
    assert err.count("fastcount: skipped ") == 4 and err.endswith("; 4 input files skipped (named above)\n")


def test_without_skip_bad_files_the_first_bad_file_stops_the_count(capsys, mixed):
    code, out, err = run(capsys, mixed, "-j", "1", "--include", "*.txt", "--exclude", "late.txt")
    assert (code, out) == (2, "")
    assert err.startswith(f"fastcount: error: {mixed / 'gbk.txt'}:1: invalid utf-8") and "--encoding" in err


def test_skip_bad_files_with_nothing_bad_exits_0(capsys, mixed):
    code, out, err = run(capsys, mixed / "a.txt", "--skip-bad-files", "-q", "--tokenizer", "whitespace")
    assert (code, out, err) == (0, "a\t3\nb\t3\n", "")


def test_skip_bad_files_cannot_count_stdin_twice(capsys, mixed, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"s t\n")))
    code, out, err = run(capsys, "-", mixed / "late.txt", "--skip-bad-files", "-j", "1")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and f"{mixed / 'late.txt'}:39001: invalid utf-8" in err
    assert "cannot leave" in err and "- cannot be read a second time" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="O_TMPFILE")
def test_sigkill_leaves_no_temporary_file(tmp_path, child_env):
    if not _unnamed_files_work(tmp_path):
        pytest.skip("no O_TMPFILE on this file system")
    target = tmp_path / "out" / "counts.tsv"
    target.parent.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "fastcount", "count", "-", "-j", "1", "--tokenizer", "whitespace", "-o", str(target)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=child_env,
    )
    try:
        proc.stdin.write(b"a b\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 60
        while not any(f.startswith(str(target.parent)) for f in _open_files(proc.pid)):
            assert time.monotonic() < deadline, "the output file was never opened"
            time.sleep(0.05)
        assert os.listdir(target.parent) == []  # it has no name
        proc.kill()
        assert proc.wait(timeout=30) == -signal.SIGKILL
        assert os.listdir(target.parent) == []
    finally:
        proc.kill()
        proc.wait()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            f.close()


def _unnamed_files_work(directory) -> bool:
    fd = writers._open_unnamed(str(directory))
    if fd is None:
        return False
    os.close(fd)
    return True


def _open_files(pid):
    """What the files open in process ``pid`` point to."""
    found = []
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in fds:
        try:
            found.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass  # closed meanwhile
    return found
