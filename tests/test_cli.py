"""The fastcount command: output formats, atomic -o, exit codes and messages."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from fastcount import cli

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
        assert err == f"fastcount: error: {path}:2: invalid utf-8 at byte 0 of the line (b'\\xff'): invalid start byte\n"
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


def test_argparse_errors_exit_2(capsys):
    for argv in (["count", "--top", "-1"], ["count", "--format", "xml"], []):
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 2


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
