"""fastcount cut / cut_corpus: a segmented corpus, against jieba's own command line and cut."""

import gzip
import io
import json
import os
import subprocess
import sys

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastcount
from fastcount import cli
from fastcount.cutting import cut_corpus
from fastcount.filters import WordFilter

SAMPLE = os.path.join(os.path.dirname(__file__), "data", "reviews_sample.txt")


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def reference(texts, delimiter=" ", keep_whitespace=False, keep=lambda w: True, **options):
    out = []
    for text in texts:
        words = [w for w in jieba.cut(text, **options) if (keep_whitespace or not w.isspace()) and keep(w)]
        out.append(delimiter.join(words) + "\n")
    return "".join(out).encode("utf-8")


def test_equals_python_m_jieba_byte_for_byte(tmp_path, child_env):
    # a slice of the sample, with whitespace of several kinds and a CRLF line
    text = "".join(lines_of(SAMPLE)[i] + "\n" for i in range(0, 1400, 7))
    text += "北京  大学\t清华 \r\n  前后空格  \n\n最后一行没有换行"
    path = tmp_path / "in.txt"
    path.write_bytes(text.encode("utf-8"))
    expected = subprocess.run([sys.executable, "-m", "jieba", "-q", "-d", " ", str(path)],
                              capture_output=True, check=True, env=child_env).stdout
    out = tmp_path / "seg.txt"
    for workers in (1, 2):
        cut_corpus(path, out, keep_whitespace=True, workers=workers, chunk_size=1 << 10)
        assert out.read_bytes() == expected


def test_command_imports_neither_numpy_nor_other_subcommands(tmp_path, child_env):
    # numpy and the n-gram modules were most of the command's start-up
    code = ("import sys; from fastcount.cli import main; code = main(sys.argv[1:]); "
            "print(sorted(m for m in ('numpy', 'fastcount.ngrams', 'fastcount.discover', "
            "'fastcount.pipeline', 'fastcount.filters') if m in sys.modules)); sys.exit(code)")
    out = tmp_path / "seg.txt"
    run = subprocess.run([sys.executable, "-c", code, "cut", SAMPLE, "-q", "-j", "2", "-o", str(out)],
                         capture_output=True, text=True, check=True, cwd=tmp_path, env=child_env)
    assert run.stdout == "[]\n"
    assert out.read_bytes() == reference(lines_of(SAMPLE))
    # a filter asked for brings numpy in, and still works
    run = subprocess.run([sys.executable, "-c", code, "cut", SAMPLE, "-q", "--min-len", "2", "-o", str(out)],
                         capture_output=True, text=True, check=True, cwd=tmp_path, env=child_env)
    assert "numpy" in run.stdout
    assert out.read_bytes() == reference(lines_of(SAMPLE), keep=lambda w: len(w) >= 2)


@pytest.mark.parametrize("options", [dict(), dict(HMM=False), dict(cut_all=True)])
def test_default_drops_whitespace_and_keeps_order(tmp_path, options):
    lines = lines_of(SAMPLE)
    out = tmp_path / "seg.txt"
    kw = dict(hmm=options.get("HMM", True), cut_all=options.get("cut_all", False))
    stats = cut_corpus(SAMPLE, out, workers=2, chunk_size=1 << 12, **kw)
    assert out.read_bytes() == reference(lines, **options)
    assert stats.texts == len(lines)


def test_delimiter_filters_iterables_and_streams(tmp_path):
    lines = lines_of(SAMPLE)[:300]
    f = WordFilter(drop_punct=True, stopwords={"的"})
    buf = io.BytesIO()
    cut_corpus(lines, buf, delimiter="/", word_filter=f, workers=2, chunk_size=1 << 10)
    assert buf.getvalue() == reference(lines, "/", keep=f.keep)


def test_json_lines_and_compression(tmp_path):
    lines = lines_of(SAMPLE)[:200]
    path = tmp_path / "docs.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in lines)
    buf = io.BytesIO()
    cut_corpus(path, buf, field="text", workers=1)
    assert buf.getvalue() == reference(lines)


def test_user_dictionary_and_tokenizer(tmp_path):
    user = tmp_path / "user.txt"
    user.write_text("酒店房间 10\n", encoding="utf-8")
    texts = ["这个酒店房间很大", "酒店房间不错"]
    buf = io.BytesIO()
    cut_corpus(texts, buf, user_dict=str(user), workers=1)
    tk = jieba.Tokenizer()
    tk.load_userdict(str(user))
    assert buf.getvalue() == "".join(" ".join(tk.cut(t)) + "\n" for t in texts).encode("utf-8")
    assert buf.getvalue().startswith("这个 酒店房间".encode("utf-8"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("的了是我北京大学 \t\u3000，。abc12😀")), max_size=15), max_size=20),
       st.booleans())
def test_generated_texts(texts, keep_whitespace):
    buf = io.BytesIO()
    cut_corpus(texts, buf, keep_whitespace=keep_whitespace, workers=2, chunk_size=8)
    assert buf.getvalue() == reference(texts, keep_whitespace=keep_whitespace)


def test_bad_input_leaves_no_output(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes("好的\n".encode("utf-8") * 100 + b"\xff\n")
    out = tmp_path / "seg.txt"
    with pytest.raises(fastcount.InputDecodeError, match=r"bad\.txt:101"):
        cut_corpus(path, out, workers=2)
    assert os.listdir(tmp_path) == ["bad.txt"]


def test_bad_options():
    with pytest.raises(ValueError, match="delimiter"):
        cut_corpus(["a"], io.BytesIO(), delimiter="\n")
    with pytest.raises(ValueError, match="workers"):
        cut_corpus(["a"], io.BytesIO(), workers=0)


def test_cli_cut(capsys, tmp_path):
    out = tmp_path / "seg.txt"
    assert cli.main(["cut", SAMPLE, "-o", str(out), "-j", "2", "--no-punct"]) == 0
    assert out.read_bytes() == reference(lines_of(SAMPLE), keep=lambda w: not fastcount.filters.is_punct(w))
    assert "texts" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--tokenizer", "whitespace"], "jieba only"),
    (["-d", "\n"], "line end"),
])
def test_cli_cut_usage_errors(capsys, argv, message):
    assert cli.main(["cut", SAMPLE, "-q", *argv]) == 2
    assert message in capsys.readouterr().err


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("的了是我北京大学 ，。abc12😀")), max_size=15), max_size=20),
       st.booleans())
def test_generated_texts_filtered(texts, cut_all):
    f = WordFilter(["的"], drop_punct=True, min_len=1, exclude="[0-9]")
    buf = io.BytesIO()
    cut_corpus(texts, buf, cut_all=cut_all, word_filter=f, workers=2, chunk_size=8)
    assert buf.getvalue() == reference(texts, keep=f.keep, cut_all=cut_all)


def test_a_failing_filter_writes_nothing_of_its_batch():
    from fastcount.segmenter import ChunkCounter, dt

    def keep(word):
        if word == "清华":
            raise KeyError(word)
        return True

    joiner = ChunkCounter(dt, join=b" ", keep_word=keep)
    joiner.feed(["我 来到 北京"])
    assert joiner.take_joined() == "我 来到 北京\n".encode("utf-8")
    with pytest.raises(KeyError):
        joiner.feed(["清华", "北京大学"])
    assert joiner.take_joined() == b""
    joiner.feed(["北京"])  # known words are decided: the counter goes on
    assert joiner.take_joined() == "北京\n".encode("utf-8")
    with pytest.raises(ValueError, match="keep_word"):
        ChunkCounter(dt, keep_word=keep)


def pos_reference(texts, delimiter=" ", pos="_", keep_whitespace=False, keep=lambda w: True, HMM=True):
    import jieba.posseg

    out = []
    for text in texts:
        words = [p.word + pos + p.flag for p in jieba.posseg.lcut(text, HMM)
                 if (keep_whitespace or not p.word.isspace()) and keep(p.word)]
        out.append(delimiter.join(words) + "\n")
    return "".join(out).encode("utf-8")


@pytest.mark.parametrize("jieba_args, argv", [
    (["-p", "_", "-d", " "], ["--pos"]),
    (["-p", "/", "-d", "|"], ["--pos", "/", "-d", "|"]),
    (["-p", "_", "-d", " ", "-n"], ["--pos", "_", "--no-hmm"]),
])
def test_pos_equals_python_m_jieba_p_byte_for_byte(tmp_path, child_env, jieba_args, argv):
    text = "".join(lines_of(SAMPLE)[i] + "\n" for i in range(0, 1400, 20))
    text += "北京  大学\t清华 \r\n  前后空格 abc 12.5% C++ \n\n最后一行没有换行"
    path = tmp_path / "in.txt"
    path.write_bytes(text.encode("utf-8"))
    expected = subprocess.run([sys.executable, "-m", "jieba", "-q", *jieba_args, str(path)],
                              capture_output=True, check=True, env=child_env).stdout
    out = tmp_path / "seg.txt"
    for workers in ("1", "2"):
        assert cli.main(["cut", str(path), "-q", "--keep-whitespace", "-j", workers, *argv, "-o", str(out)]) == 0
        assert out.read_bytes() == expected


def test_pos_drops_whitespace_and_filters():
    lines = lines_of(SAMPLE)[:300] + ["  北京 大学  ", ""]
    f = WordFilter(["的"], drop_punct=True, exclude="^[a-z]")
    buf = io.BytesIO()
    stats = cut_corpus(lines, buf, pos="/", workers=2, chunk_size=1 << 10, word_filter=f)
    assert buf.getvalue() == pos_reference(lines, pos="/", keep=f.keep)
    assert stats.texts == len(lines)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("的了是我北京大学 ，。abc12😀")), max_size=15), max_size=12),
       st.booleans())
def test_generated_texts_pos(texts, keep_whitespace):
    buf = io.BytesIO()
    cut_corpus(texts, buf, pos="_", keep_whitespace=keep_whitespace, workers=2, chunk_size=8)
    assert buf.getvalue() == pos_reference(texts, keep_whitespace=keep_whitespace)


def test_pos_usage_errors(capsys):
    with pytest.raises(ValueError, match="cut_all"):
        cut_corpus(["北京"], io.BytesIO(), pos="_", cut_all=True)
    with pytest.raises(ValueError, match="pos must be"):
        cut_corpus(["北京"], io.BytesIO(), pos="\n")
    assert cli.main(["cut", SAMPLE, "-q", "--pos", "--cut-all"]) == 2
    assert "--cut-all" in capsys.readouterr().err
