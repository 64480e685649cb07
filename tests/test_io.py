"""Readers: files, compression, JSON lines, globs, directories, stdin, and their errors."""

import bz2
import codecs
import gzip
import io
import lzma
import os
import pathlib
import pickle
import sys
import tempfile

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
