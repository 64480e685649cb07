"""Readers: files, compression, JSON lines, globs, directories, stdin, and their errors."""

import bz2
import codecs
import gzip
import io
import lzma
import os
import pathlib
import pickle
import subprocess
import sys
import tempfile
import time
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastcount import io as fio

LINES = ["第一行 text", "", "第三行\t有 tab", "last line"]


def _texts(path, **kw):
    (source,) = fio.resolve_paths([path])
    return list(fio.iter_texts(source, **kw))


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_plain_lines_without_line_endings(tmp_path):
    p = _write(tmp_path / "a.txt", "\n".join(LINES).encode() + b"\n")
    assert _texts(p) == LINES


def test_crlf_and_missing_final_newline(tmp_path):
    p = _write(tmp_path / "a.txt", b"one\r\ntwo\r\nthree")
    assert _texts(p) == ["one", "two", "three"]


def test_nbytes_add_up_to_the_file_size(tmp_path):
    data = "\n".join(LINES).encode() + b"\n"
    p = _write(tmp_path / "a.txt", data)
    (source,) = fio.resolve_paths([p])
    assert source.size == len(data)
    assert sum(n for _, _, n in fio.iter_pieces(source)) == len(data)


def test_empty_file_and_empty_lines(tmp_path):
    assert _texts(_write(tmp_path / "e.txt", b"")) == []
    assert _texts(_write(tmp_path / "n.txt", b"\n\n\n")) == ["", "", ""]


@pytest.mark.parametrize(
    "suffix, compress",
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)],
)
def test_compressed_files_read_like_plain_ones(tmp_path, suffix, compress):
    data = "\n".join(LINES).encode()
    p = _write(tmp_path / ("a.txt" + suffix), compress(data))
    (source,) = fio.resolve_paths([p])
    assert source.size is None  # the text's size is unknown without reading it
    assert _texts(p) == LINES


def test_corrupt_compressed_file_names_the_file(tmp_path):
    p = _write(tmp_path / "bad.gz", gzip.compress(b"a\n" * 1000)[:-30])
    with pytest.raises(fio.InputError, match=r"bad\.gz:\d+: cannot read"):
        _texts(p)


def test_decode_error_names_file_line_and_byte(tmp_path):
    p = _write(tmp_path / "a.txt", b"ok\nfine\nab\xffcd\nmore\n")
    with pytest.raises(fio.InputDecodeError) as info:
        _texts(p)
    err = info.value
    assert str(err).startswith(f"{p}:3: invalid utf-8 at byte 2 of the line")
    assert (err.path, err.lineno) == (str(p), 3)
    assert isinstance(err, UnicodeDecodeError) and isinstance(err, ValueError)
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


def test_decode_error_replace_goes_on(tmp_path):
    p = _write(tmp_path / "a.txt", b"ok\nab\xffcd\nmore\n")
    assert _texts(p, errors="replace") == ["ok", "ab\ufffdcd", "more"]


def test_truncated_character_at_end_of_file(tmp_path):
    p = _write(tmp_path / "a.txt", "x\n中".encode()[:-1])
    with pytest.raises(fio.InputDecodeError, match=r"a\.txt:2:"):
        _texts(p)


def test_other_encodings(tmp_path):
    p = _write(tmp_path / "gbk.txt", "中文\n第二行\n".encode("gbk"))
    assert _texts(p, encoding="gbk") == ["中文", "第二行"]
    # utf-8-sig drops the BOM at the start of the file only.
    p = _write(tmp_path / "bom.txt", "\ufeffa\n\ufeffb\n".encode())
    assert _texts(p, encoding="utf-8-sig") == ["a", "\ufeffb"]
    assert _texts(p) == ["\ufeffa", "\ufeffb"]
    p = _write(tmp_path / "u16.txt", "一\n二\r\n三".encode("utf-16"))
    assert _texts(p, encoding="utf-16") == ["一", "二", "三"]


def test_unknown_encoding_fails_up_front(tmp_path):
    p = _write(tmp_path / "a.txt", b"x\n")
    with pytest.raises(LookupError):
        _texts(p, encoding="no-such-codec")


def test_long_line_is_one_text(tmp_path):
    # A few MB cross every buffer size; test_pipeline.py counts a 100 MB file
    # without a newline end to end.
    line = "词 " * 1_500_000
    p = _write(tmp_path / "long.txt", line.encode())
    assert _texts(p) == [line]


def test_jsonl_field(tmp_path):
    rows = ['{"text": "一", "n": 1}', "", '{"text": "二"}']
    p = _write(tmp_path / "a.jsonl.gz", gzip.compress("\n".join(rows).encode()))
    assert _texts(p, field="text") == ["一", "", "二"]


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", r"b\.jsonl:2: invalid JSON"),
        ("[1, 2]", r"b\.jsonl:2: not a JSON object"),
        ('{"other": "x"}', r"b\.jsonl:2: no field 'text'"),
        ('{"text": null}', r"b\.jsonl:2: field 'text' is NoneType, not str"),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path, line, message):
    p = _write(tmp_path / "b.jsonl", ('{"text": "ok"}\n' + line + "\n").encode())
    with pytest.raises(fio.InputError, match=message):
        _texts(p, field="text")


def test_jsonl_without_field_is_refused(tmp_path):
    p = _write(tmp_path / "c.jsonl.xz", lzma.compress(b'{"text": "x"}\n'))
    with pytest.raises(ValueError, match="field="):
        fio.check_field(fio.resolve_paths([p]), None)
    fio.check_field(fio.resolve_paths([p]), "text")


def test_globs_and_directories(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ["d/b.txt", "d/a.txt", "d/sub/c.txt", "d/.hidden.txt", "x.log"]:
        _write(tmp_path / name, name.encode())
    got = [s.path for s in fio.resolve_paths([tmp_path / "d"])]
    d = str(tmp_path / "d")
    assert got == [os.path.join(d, "a.txt"), os.path.join(d, "b.txt"), os.path.join(d, "sub", "c.txt")]
    got = [s.path for s in fio.resolve_paths([str(tmp_path / "d" / "**" / "*.txt")])]
    assert sorted(got) == got and len(got) == 3


def test_missing_path_and_empty_glob_are_named(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        fio.resolve_paths([tmp_path / "nope.txt"])
    assert info.value.filename == str(tmp_path / "nope.txt")
    with pytest.raises(FileNotFoundError, match="no file matches") as info:
        fio.resolve_paths([str(tmp_path / "*.nothing")])
    assert info.value.filename == str(tmp_path / "*.nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no files in directory"):
        fio.resolve_paths([tmp_path / "empty"])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions")
def test_unreadable_path_is_named(tmp_path):
    p = _write(tmp_path / "secret.txt", b"x\n")
    p.chmod(0)
    try:
        with pytest.raises(PermissionError) as info:
            fio.resolve_paths([p])
        assert info.value.filename == str(p)
    finally:
        p.chmod(0o600)


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_unopenable_path_is_named(tmp_path):
    # A symlink to itself cannot be opened, even by root (who reads any file).
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    with pytest.raises(OSError) as info:
        fio.resolve_paths([loop])
    assert info.value.filename == str(loop)


def test_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("一\n二\n".encode())))
    (source,) = fio.resolve_paths(["-"])
    assert fio.display_name(source) == "<stdin>"
    assert list(fio.iter_texts(source)) == ["一", "二"]


def test_stdin_decode_error_is_named(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"ok\n\xfe\n")))
    with pytest.raises(fio.InputDecodeError, match=r"^<stdin>:2: "):
        _texts("-")


def test_path_specs():
    assert fio.path_specs("a.txt") == ["a.txt"]
    assert fio.path_specs(pathlib.Path("a.txt")) == ["a.txt"]
    assert fio.path_specs([pathlib.Path("a"), "b"]) == ["a", "b"]
    # A list of str is texts, whatever they look like.
    assert fio.path_specs(["a.txt", "b.txt"]) is None
    assert fio.path_specs(iter([pathlib.Path("a")])) is None
    assert fio.path_specs([]) is None


def _readline_reference(data: bytes):
    """What reading line by line gives: the old, obviously right way."""
    out = []
    for raw in io.BytesIO(data):
        text = raw.decode("utf-8")
        if text.endswith("\n"):
            text = text[:-2] if text.endswith("\r\n") else text[:-1]
        out.append(text)
    return out


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(st.text(alphabet="a中\r \u2028", max_size=6), max_size=12),
    final_newline=st.booleans(),
    block_size=st.integers(1, 24),
    bom=st.booleans(),
)
def test_blocks_cut_anywhere_give_the_lines(lines, final_newline, block_size, bom):
    data = ("\n".join(lines) + ("\n" if final_newline else "")).encode()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "a.txt")
        with open(path, "wb") as f:
            f.write((codecs.BOM_UTF8 if bom else b"") + data)
        (source,) = fio.resolve_paths([path])
        pieces = list(fio.iter_pieces(source, "utf-8-sig", block_size=block_size))
    texts = [t for block, _, _ in pieces for t in block.texts()]
    assert texts == _readline_reference(data)
    assert sum(n for _, n, _ in pieces) == len(texts)
    assert sum(n for _, _, n in pieces) == len(data)
    assert [b.first_line for b, _, _ in pieces] == [
        1 + sum(n for _, n, _ in pieces[:i]) for i in range(len(pieces))
    ]


@pytest.mark.parametrize("block_size", [1, 4, 1 << 18])
def test_decode_error_line_in_any_block(tmp_path, block_size):
    p = _write(tmp_path / "a.txt", b"ok\nfine\r\nab\xffcd\nmore\n")
    (source,) = fio.resolve_paths([p])
    with pytest.raises(fio.InputDecodeError) as info:
        for block, _, _ in fio.iter_pieces(source, block_size=block_size):
            block.texts()
    assert str(info.value) == f"{p}:3: invalid utf-8 at byte 2 of the line (b'\\xff'): invalid start byte"


def test_blocks_pickle_small(tmp_path):
    p = _write(tmp_path / "a.txt", "一行\n".encode() * 1000)
    (source,) = fio.resolve_paths([p])
    ((block, n, size),) = fio.iter_pieces(source)
    assert (n, size) == (1000, 7000)
    assert len(pickle.dumps(block)) < size + 200


# ------------------------------------------------------------ compressed files


_COMPRESSORS = [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)]


@pytest.mark.parametrize("suffix, compress", _COMPRESSORS)
def test_empty_compressed_file_is_empty_input(tmp_path, suffix, compress):
    assert _texts(_write(tmp_path / ("e.txt" + suffix), b"")) == []
    assert _texts(_write(tmp_path / ("z.txt" + suffix), compress(b""))) == []


@pytest.mark.parametrize("suffix, compress", _COMPRESSORS)
@pytest.mark.parametrize("tail", [b"garbage!", b"x", b"\x00garbage"])
def test_trailing_garbage_after_a_stream_is_an_error(tmp_path, suffix, compress, tail):
    p = _write(tmp_path / ("g.txt" + suffix), compress(b"a\nb\n") + tail)
    with pytest.raises(fio.InputError, match=r"g\.txt\.\w+:3: cannot read: bytes that are not \w+ data follow"):
        _texts(p)


@pytest.mark.parametrize("suffix, compress", _COMPRESSORS)
def test_concatenated_streams_and_padding_are_read(tmp_path, suffix, compress):
    padding = b"" if suffix == ".bz2" else b"\x00" * 8  # bzip2 has no padding
    p = _write(tmp_path / ("c.txt" + suffix), compress(b"a\nb") + compress(b"c\n") + padding)
    assert _texts(p) == ["a", "bc"]


@pytest.mark.parametrize("suffix, compress", _COMPRESSORS)
def test_not_compressed_data_is_named(tmp_path, suffix, compress):
    p = _write(tmp_path / ("plain.txt" + suffix), b"plain text\n")
    with pytest.raises(fio.InputError, match=r"plain\.txt\.\w+:1: cannot read: not \w+ data"):
        _texts(p)


def _lines_of(n):
    return b"".join(f"第{i}行 文本 {'词' * (i % 37)}\n".encode() for i in range(n))


@pytest.mark.parametrize("suffix, compress", _COMPRESSORS)
@pytest.mark.parametrize("block_size", [7, 4096, 1 << 18])
def test_truncated_file_names_the_first_line_not_read_in_full(tmp_path, suffix, compress, block_size):
    data = _lines_of(30_000)
    packed = compress(data)
    p = _write(tmp_path / ("trunc.txt" + suffix), packed[: len(packed) * 2 // 3])
    readable = {".gz": lambda b: zlib.decompressobj(31).decompress(b),
                ".bz2": lambda b: bz2.BZ2Decompressor().decompress(b),
                ".xz": lambda b: lzma.LZMADecompressor().decompress(b)}[suffix](p.read_bytes())
    assert data.startswith(readable) and 0 < len(readable) < len(data)
    (source,) = fio.resolve_paths([p])
    texts = []
    with pytest.raises(fio.InputError) as info:
        for block, _, _ in fio.iter_pieces(source, block_size=block_size):
            texts.extend(block.texts())
    line = readable.count(b"\n") + 1
    assert str(info.value).startswith(f"{p}:{line}: cannot read: ")
    assert "truncated" in str(info.value) and info.value.path == str(p)
    assert len(texts) == line - 1  # every whole line before it was read


def test_input_error_keeps_its_path_through_pickle():
    err = pickle.loads(pickle.dumps(fio.InputError("a.txt:3: bad", "a.txt")))
    assert (str(err), err.path) == ("a.txt:3: bad", "a.txt")


# ------------------------------------------------------------ special files


def _fifo_writer(path, data: bytes, delay: float = 0.0):
    """A process that opens the FIFO ``path`` after ``delay`` s and writes ``data``."""
    code = (f"import sys, time; data = sys.stdin.buffer.read(); time.sleep({delay}); "
            f"f = open({str(path)!r}, 'wb'); f.write(data); f.close()")
    writer = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    writer.stdin.write(data)
    writer.stdin.close()
    return writer


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
@pytest.mark.parametrize("writer_first", [True, False])
def test_fifo_is_read_once_exactly(tmp_path, writer_first):
    fifo = tmp_path / "fifo"
    data = b"".join(b"line %d\n" % i for i in range(20_000))  # more than a pipe holds
    for _ in range(5):  # the lost-data race showed in 3 runs of 5
        os.mkfifo(fifo)
        writer = _fifo_writer(fifo, data, delay=0.0 if writer_first else 0.3)
        try:
            if writer_first:
                time.sleep(0.1)  # the writer waits in open() for a reader
            (source,) = fio.resolve_paths([fifo])  # must not open it
            assert source.size is None
            assert list(fio.iter_texts(source)) == data.decode().splitlines()
            assert writer.wait(timeout=30) == 0
        finally:
            writer.kill()
            writer.wait()
        os.unlink(fifo)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_walk_and_glob_skip_and_report_special_files(tmp_path):
    (tmp_path / "d").mkdir()
    _write(tmp_path / "d" / "a.txt", b"a\n")
    os.mkfifo(tmp_path / "d" / "pipe.txt")  # reading it would wait for a writer
    skipped = []
    got = fio.resolve_paths([tmp_path / "d", str(tmp_path / "d" / "*.txt")],
                            on_skip=lambda p, why: skipped.append((p, why)))
    assert [s.path for s in got] == [str(tmp_path / "d" / "a.txt")] * 2
    assert [p for p, _ in skipped] == [str(tmp_path / "d" / "pipe.txt")] * 2
    assert all("not a regular file" in why for _, why in skipped)
    with pytest.warns(fio.SkippedInputWarning, match="pipe.txt: not a regular file"):
        fio.resolve_paths([tmp_path / "d"])


# ------------------------------------------------------------ symlinks, include/exclude


@pytest.fixture
def tree(tmp_path):
    """d/a.txt, d/sub/b.txt, d/sub/up -> d (a loop), d/other -> o, o/c.txt, d/img.png"""
    for name in ["d/a.txt", "d/sub/b.txt", "o/c.txt", "d/img.png", "d/sub/.hidden.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        _write(tmp_path / name, name.encode() + b"\n")
    (tmp_path / "d" / "sub" / "up").symlink_to(tmp_path / "d")
    (tmp_path / "d" / "other").symlink_to(tmp_path / "o")
    return tmp_path


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_walk_follows_symlinks_once_and_reports_loops(tree):
    skipped = []
    got = [s.path for s in fio.resolve_paths([tree / "d"], on_skip=lambda p, why: skipped.append((p, why)))]
    d = str(tree / "d")
    assert got == [os.path.join(d, n) for n in ["a.txt", "img.png", "other/c.txt", "sub/b.txt"]]
    assert skipped == [(os.path.join(d, "sub", "up"), f"the directory {d}, walked already (through a symlink)")]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_recursive_glob_through_a_symlink_loop_ends(tree):
    skipped = []
    pattern = str(tree / "d" / "**" / "*.txt")
    got = [s.path for s in fio.resolve_paths([pattern], on_skip=lambda p, why: skipped.append(p))]
    d = str(tree / "d")
    assert got == [os.path.join(d, n) for n in ["a.txt", "other/c.txt", "sub/b.txt"]]
    assert skipped == [os.path.join(d, "sub", "up")]
    hidden = fio.resolve_paths([str(tree / "d" / "**" / ".*.txt")], on_skip=lambda p, why: None)
    assert [s.path for s in hidden] == [os.path.join(d, "sub", ".hidden.txt")]


def test_recursive_glob_relative_to_the_working_directory(tree, monkeypatch):
    monkeypatch.chdir(tree / "o")
    assert [s.path for s in fio.resolve_paths(["**/*.txt"])] == ["c.txt"]
    monkeypatch.chdir(tree)
    assert [s.path for s in fio.resolve_paths(["o/**"])] == [os.path.join("o", "c.txt")]


@pytest.mark.parametrize(
    "include, exclude, want",
    [
        ([], [], ["a.txt", "img.png", "sub/b.txt"]),
        (["*.txt"], [], ["a.txt", "sub/b.txt"]),
        ([], ["*.png"], ["a.txt", "sub/b.txt"]),
        (["*.txt", "*.png"], ["b.*"], ["a.txt", "img.png"]),
        ([], ["*/sub/*"], ["a.txt", "img.png"]),  # a pattern with "/" matches the path
    ],
)
def test_include_and_exclude_filter_what_walks_find(tmp_path, include, exclude, want):
    for name in ["d/a.txt", "d/sub/b.txt", "d/img.png"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        _write(tmp_path / name, b"x\n")
    d = tmp_path / "d"
    got = [os.path.relpath(s.path, d) for s in fio.resolve_paths([d], include, exclude)]
    assert got == [os.path.join(*w.split("/")) for w in want]
    # A file named as such is always read.
    assert [s.path for s in fio.resolve_paths([d / "img.png"], ["*.txt"], ["*.png"])] == [str(d / "img.png")]


def test_include_that_keeps_nothing_is_named(tmp_path):
    _write(tmp_path / "a.txt", b"x\n")
    with pytest.raises(FileNotFoundError, match="include/exclude") as info:
        fio.resolve_paths([tmp_path], ["*.csv"])
    assert info.value.filename == str(tmp_path)
