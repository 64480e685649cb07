"""fastcount.dask: counts on Dask equal count_words, on any partitioning,
with the default scheduler and a 2-process LocalCluster, through worker deaths."""

import bz2
import collections
import gzip
import lzma
import os
import pathlib
import pickle
import subprocess
import sys

import pytest

db = pytest.importorskip("dask.bag", reason="the dask extra is not installed")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

import fastcount  # noqa: E402
from fastcount.dask import count_words_dask, count_words_delayed  # noqa: E402
from fastcount.io import InputDecodeError  # noqa: E402
from fastcount.merge import PartialCount, finalize  # noqa: E402

SAMPLE = pathlib.Path(__file__).parent / "data" / "engines" / "reviews-300.txt"


@pytest.fixture(scope="module")
def texts():
    return SAMPLE.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A directory as count_words finds it: real text, compressed copies,
    CRLF and lone CR, no final newline, blank lines, an empty and a hidden file."""
    root = tmp_path_factory.mktemp("corpus")
    raw = SAMPLE.read_bytes()
    lines = raw.splitlines(keepends=True)
    (root / "reviews.txt").write_bytes(raw)
    (root / "sub").mkdir()
    (root / "sub" / "a.txt.gz").write_bytes(gzip.compress(b"".join(lines[:100])))
    (root / "sub" / "b.BZ2").write_bytes(bz2.compress(b"".join(lines[100:150])))
    (root / "sub" / "c.xz").write_bytes(lzma.compress(b"".join(lines[150:200])))
    (root / "crlf.txt").write_bytes(
        b"".join(l.rstrip(b"\n") + b"\r\n" for l in lines[200:260])
        + "第一行\r第二行 x\r\n\n\n  \n最后一行没有换行\r".encode()
    )
    (root / "empty.txt").write_bytes(b"")
    (root / ".hidden.txt").write_bytes("隐藏的文件不算".encode())
    return root


@pytest.fixture(scope="module")
def reference(corpus):
    return fastcount.count_words(corpus, workers=1)


@pytest.fixture
def sync():
    with dask.config.set(scheduler="sync"):
        yield


@pytest.mark.parametrize("blocksize", [997, 20_000, "64 MiB", None])
def test_paths_equal_count_words_any_blocksize(corpus, reference, sync, blocksize):
    got = count_words_dask(corpus, blocksize=blocksize)
    assert isinstance(got, fastcount.Counter)
    assert got == reference
    assert list(got) == list(reference)  # words in order of first sight, as count_words
    assert "隐藏" not in got and len(got) > 1000


@pytest.mark.parametrize("blocksize", [1, 2, 3, 5, 64])
def test_tiny_blocks_cut_no_line_twice(tmp_path, texts, sync, blocksize):
    path = tmp_path / "small.txt"
    path.write_bytes(
        "\n".join(texts[:3]).encode() + "\r\n一\r二 x\r\n\n\n \n末行\r".encode()
    )
    assert count_words_dask(path, blocksize=blocksize) == fastcount.count_words(path, workers=1)


@pytest.mark.parametrize("npartitions", [1, 3, 17, 300])
@pytest.mark.parametrize("split_every", [2, 8])
def test_bag_of_texts_equals_count_words(texts, sync, npartitions, split_every):
    bag = db.from_sequence(texts, npartitions=npartitions)
    got = count_words_dask(bag, split_every=split_every)
    assert got == fastcount.count_words(texts, workers=1)


@pytest.mark.parametrize("shards", [2, 5])
def test_sharded_reduction_is_exact(corpus, texts, sync, shards):
    for kwargs in ({}, {"top": 30}, {"min_count": 3, "top": 10}, {"min_count": 2}):
        want = fastcount.count_words(corpus, workers=1, **kwargs)
        got = count_words_dask(corpus, blocksize=3000, shards=shards, split_every=3, **kwargs)
        assert got == want, kwargs
        if "top" in kwargs:  # most common first, ties by word, as count_words
            assert list(got.items()) == list(want.items())
    bag = db.from_sequence(texts, npartitions=9)
    assert count_words_dask(bag, shards=shards) == fastcount.count_words(texts, workers=1)


def test_bag_from_read_text_counts_the_same_words(corpus, sync):
    # Lines from read_text keep their "\n"; a whitespace token is not counted.
    bag = db.read_text(str(corpus / "reviews.txt"), blocksize=5000)
    assert bag.npartitions > 5
    assert count_words_dask(bag) == fastcount.count_words(corpus / "reviews.txt", workers=1)


def test_options_min_count_top_and_tokenizer(corpus, sync):
    for kwargs in (
        {"min_count": 3},
        {"top": 25},
        {"min_count": 2, "top": 40},
        {"tokenizer": "char", "top": 10},
        {"hmm": False},
        {"cut_all": True, "min_count": 2},
    ):
        want = fastcount.count_words(corpus, workers=1, **kwargs)
        got = count_words_dask(corpus, blocksize=4000, **kwargs)
        assert got == want, kwargs
        if "top" in kwargs:
            assert len(got) == kwargs["top"]


def test_jsonl_field(tmp_path, texts, sync):
    import json

    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), "utf-8")
    got = count_words_dask(path, field="text", blocksize=3000)
    assert got == fastcount.count_words(path, field="text", workers=1)
    assert got == fastcount.count_words(texts, workers=1)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_other_encodings(tmp_path, texts, sync, encoding):
    path = tmp_path / f"text-{encoding}.txt"
    path.write_bytes("\n".join(texts[:120]).encode(encoding))  # utf-8-sig, utf-16: with a BOM
    want = fastcount.count_words(path, encoding=encoding, workers=1)
    assert want == fastcount.count_words(texts[:120], workers=1)
    for blocksize in (500, None):
        assert count_words_dask(path, encoding=encoding, blocksize=blocksize) == want


def test_jsonl_errors_name_the_line(tmp_path, texts, sync):
    import json

    path = tmp_path / "docs.jsonl"
    lines = [json.dumps({"text": t}) for t in texts]
    lines[200] = "{not json"
    path.write_text("\n".join(lines), "utf-8")
    with pytest.raises(ValueError) as want:
        fastcount.count_words(path, field="text", workers=1)
    with pytest.raises(ValueError) as got:
        count_words_dask(path, field="text", blocksize=4000)
    assert str(got.value) == str(want.value) and ":201:" in str(got.value)
    with pytest.raises(ValueError, match="field"):  # raw JSON is never what is meant
        count_words_dask(path)


def test_corrupt_compressed_file_names_it(tmp_path, sync):
    path = tmp_path / "broken.txt.gz"
    path.write_bytes(gzip.compress("好的\n".encode() * 1000)[:-30])
    with pytest.raises(ValueError, match="broken.txt.gz"):
        count_words_dask(path)


def test_default_scheduler(corpus, reference):
    # Dask's default for a bag is its process pool: spawned processes
    # import fastcount and count there.
    assert count_words_dask(corpus, blocksize=30_000) == reference


def test_progress_bar_goes_to_stderr(corpus, reference, sync, capsys):
    assert count_words_dask(corpus, blocksize=5000, progress=True) == reference
    captured = capsys.readouterr()
    assert "100%" in captured.err and captured.out == ""


def test_threaded_scheduler(corpus, reference):
    with dask.config.set(scheduler="threads", num_workers=2):
        assert count_words_dask(corpus, blocksize=5000) == reference


def test_empty_input(tmp_path, sync):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"\n\n \n")
    assert count_words_dask(tmp_path) == fastcount.Counter()
    assert count_words_dask(db.from_sequence([], npartitions=1)) == fastcount.Counter()


def _chains(item):
    """The counting tasks of ``item``'s graph and those that start a chain."""
    graph = item.__dask_graph__()
    deps = graph.get_all_dependencies()
    parts = sorted(k for k in graph if isinstance(k, tuple) and "-part-" in k[0])
    starts = [k for k in parts if not any(d in deps[k] for d in parts)]
    # every other link follows the block before it, on top of its count
    assert all((k[0], k[1] - 1) in deps[k] for k in parts if k not in starts)
    return graph, parts, starts


def test_graph_chains_blocks_then_merges_the_chains(corpus):
    with dask.config.set(scheduler="sync"):  # one thread: chains of split_every blocks
        item = count_words_delayed(corpus / "reviews.txt", blocksize=1000, split_every=4)
    graph, parts, starts = _chains(item)
    assert len(parts) > 40  # one counting task per block
    nchains = -(-len(parts) // 4)
    assert len(starts) == nchains
    # one level of merges of 4 chains below the final one (5 to 16 chains)
    merges = [k for k in graph if isinstance(k, tuple) and "-aggregate" in k[0]]
    assert 4 < nchains <= 16 and len(merges) == (nchains + 3) // 4
    assert item.compute(scheduler="sync") == fastcount.count_words(corpus / "reviews.txt", workers=1)


def test_a_chain_for_every_thread(texts):
    bag = db.from_sequence(texts, npartitions=6)
    with dask.config.set(scheduler="threads", num_workers=3):
        item = count_words_delayed(bag)  # 6 partitions would make 1 chain of 8 at most
        assert len(_chains(item)[2]) == 3
        got = item.compute()
    want = fastcount.count_words(texts, workers=1)
    assert got == want and list(got) == list(want)  # words in order of first sight


def test_link_failing_midway_is_not_counted_twice(texts):
    from fastcount.dask import _count_texts

    first = _count_texts(None, texts[:50], "whitespace", {})
    # More than one batch of texts, then a bad item: the first batch was
    # counted on top of `first` when the error came.
    bad = ["字 " * 200_000, "词 " * 200_000, None]
    with pytest.raises(TypeError, match="item 2 .*NoneType") as err:
        _count_texts(first, bad, "whitespace", {})
    with pytest.raises(TypeError) as again:  # a retry: same error, nothing counted twice
        _count_texts(first, texts[50:], "whitespace", {})
    assert again.value is err.value
    with pytest.raises(RuntimeError, match="TypeError"):  # spilled or sent: still spent
        pickle.loads(pickle.dumps(first)).partial()


def test_link_failing_before_counting_can_be_retried(tmp_path, texts):
    from fsspec.implementations.local import LocalFileSystem

    from fastcount.dask import _chain_end, _count_blocks, _count_texts

    path = tmp_path / "rest.txt"
    first = _count_texts(None, texts[:50], "whitespace", {})
    args = (LocalFileSystem(), "utf-8", "strict", None, "whitespace", {})
    with pytest.raises(FileNotFoundError):  # not there yet
        _count_blocks(first, [(str(path), 0, None)], *args)
    path.write_text("\n".join(texts[50:]), "utf-8")
    end = _chain_end(_count_blocks(first, [(str(path), 0, None)], *args))
    assert finalize(end) == fastcount.count_words(texts, "whitespace", workers=1)
    with pytest.raises(RuntimeError, match="used twice"):
        _count_texts(first, ["x"], "whitespace", {})


def _partial(text):
    from fastcount.tokenizers import chunk_counter_factory

    counter = chunk_counter_factory("char")()
    counter.feed([text])
    return PartialCount(*counter.vocab_result())


def test_final_merge_leaves_the_chains_counts_unchanged():
    from fastcount.dask import _finish

    a, b = _partial("aab"), _partial("bcc")
    assert _finish([a, b], 2, None) == fastcount.Counter({"a": 2, "b": 2, "c": 2})
    assert list(_finish([a, b], 1, 1).items()) == [("a", 2)]  # ties by word
    assert list(_finish([a, b], 1, None).items()) == [("a", 2), ("b", 2), ("c", 2)]
    alone = _finish([a], 1, None)
    alone["z"] += 1  # the client's Counter is its own
    for part, text in ((a, "aab"), (b, "bcc")):  # a retry sees them as they were
        assert dict(zip(part.vocab.words(), part.counts.tolist())) == collections.Counter(text)


def test_running_count_moves_between_processes_as_its_counts(texts):
    from fastcount.dask import _chain_end, _count_texts

    first = _count_texts(None, texts[:120], "jieba", {})
    moved = pickle.loads(pickle.dumps(first))  # to another worker: counts so far
    end = _chain_end(_count_texts(moved, texts[120:], "jieba", {}))
    got, want = finalize(end), fastcount.count_words(texts, workers=1)
    assert got == want and list(got) == list(want)


def test_decode_error_names_file_and_line(tmp_path, texts, sync):
    lines = [t.encode() + b"\n" for t in texts]
    lines[250] = b"\xff" + lines[250]
    path = tmp_path / "bad.txt"
    path.write_bytes(b"".join(lines))
    with pytest.raises(InputDecodeError) as want:
        fastcount.count_words(path, workers=1)
    for blocksize in (None, 2000):
        with pytest.raises(InputDecodeError) as got:
            count_words_dask(path, blocksize=blocksize)
        assert str(got.value) == str(want.value)
        assert f"{path}:251:" in str(got.value)
    assert count_words_dask(path, errors="replace", blocksize=2000) == fastcount.count_words(
        path, errors="replace", workers=1
    )


def test_bad_source_errors(tmp_path, sync):
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        count_words_dask([tmp_path / "nothing-here.txt"])
    with pytest.raises(FileNotFoundError, match=r"nope\*"):
        count_words_dask(str(tmp_path / "nope*.txt"))
    with pytest.raises(ValueError, match="standard input"):
        count_words_dask("-")
    with pytest.raises(TypeError, match="Bag of texts"):
        count_words_dask([1, 2])
    for bad in ({"split_every": 1}, {"min_count": 0}, {"top": -1}, {"blocksize": 0}, {"shards": 0}):
        with pytest.raises(ValueError):
            count_words_dask(tmp_path, **bad)
    with pytest.raises(ValueError, match="unknown tokenizer"):
        count_words_dask(tmp_path, tokenizer="nosuchtokenizer")
    with pytest.raises(TypeError):
        count_words_dask(tmp_path, no_such_option=True)


def test_non_str_text_surfaces_its_error(sync):
    bag = db.from_sequence(["好的", "不错", None, "很好"], npartitions=2)
    with pytest.raises(TypeError, match="NoneType"):
        count_words_dask(bag)


def test_missing_dask_says_which_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "dask" or m.startswith("dask.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(ImportError, match=r"fastcount\[dask\]"):
        count_words_dask(["x.txt"])


def test_core_package_does_not_import_engines(texts, child_env, tmp_path):
    code = (
        "import sys, fastcount, fastcount.cli\n"
        "fastcount.count_words(['好的 不错', '很好'], workers=1)\n"
        "bad = [m for m in ('dask', 'distributed', 'pyspark') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=tmp_path, env=child_env)


# ------------------------------------------------------------ a real cluster


@pytest.fixture(scope="module")
def client():
    # Few allowed failures keep the "keeps killing its worker" test short.
    with dask.config.set({"distributed.scheduler.allowed-failures": 2}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def test_cluster_equals_count_words(client, corpus, reference, capsys):
    got = count_words_dask(corpus, client=client, blocksize=6000, split_every=3, progress=True)
    assert got == reference
    captured = capsys.readouterr()
    assert "tasks" in captured.err and captured.out == ""


def test_cluster_sharded(client, corpus, reference):
    assert count_words_dask(corpus, client=client, blocksize=6000, shards=3) == reference


def test_cluster_as_default_scheduler_and_by_address(client, texts):
    want = fastcount.count_words(texts, workers=1, min_count=2)
    bag = db.from_sequence(texts, npartitions=7)
    with dask.config.set(scheduler="dask.distributed"):
        assert count_words_dask(bag, min_count=2) == want
    assert count_words_dask(bag, client=client.scheduler.address, min_count=2) == want


def _die_once(part, marker):
    """Kill this worker process the first time any task gets here."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return part
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    os._exit(1)


def _always_die(part):
    os._exit(1)


def test_worker_killed_mid_job_counts_stay_exact(client, texts, tmp_path):
    marker = str(tmp_path / "killed")
    bag = db.from_sequence(texts, npartitions=8).map_partitions(_die_once, marker)
    got = count_words_dask(bag, client=client)
    assert os.path.exists(marker), "no worker was killed"
    killed = int(pathlib.Path(marker).read_text())
    assert killed not in client.run(os.getpid).values()
    assert got == fastcount.count_words(texts, workers=1)
    client.wait_for_workers(2, timeout=60)


def test_failing_task_surfaces_its_error(client):
    bag = db.from_sequence(["好的", "不错", 42, "很好"], npartitions=2)
    with pytest.raises(TypeError, match="int"):
        count_words_dask(bag, client=client, retries=1)


def test_task_that_keeps_killing_its_worker(client):
    bag = db.from_sequence(["好的", "不错"], npartitions=1).map_partitions(_always_die)
    with pytest.raises(distributed.KilledWorker):
        count_words_dask(bag, client=client)
    client.wait_for_workers(2, timeout=60)


# ------------------------------------------------------------ the command


def _cli(capsys, *argv):
    from fastcount import cli

    code = cli.main(["count", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "options",
    [[], ["--tokenizer", "char", "--min-count", "2", "--format", "csv"], ["--top", "40", "--format", "json"]],
)
def test_cli_dask_equals_local(capsys, corpus, options, monkeypatch):
    profiled = []

    class Cluster(distributed.LocalCluster):
        def __init__(self, *args, **kwargs):
            profiled.append(dask.config.get("distributed.worker.profile.enabled"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(distributed, "LocalCluster", Cluster)
    code, want, _ = _cli(capsys, corpus, "-j", "1", "-q", *options)
    assert code == 0 and want.count("\n") > 40
    assert _cli(capsys, "--dask", "-j", "2", corpus, "-q", *options) == (0, want, "")
    assert profiled == [False]  # the command's own cluster runs without the profiler


def test_cli_scheduler_equals_local(capsys, monkeypatch, client, corpus, tmp_path):
    client.wait_for_workers(2, timeout=60)  # earlier tests kill workers; the nanny restarts them
    address = client.scheduler.address
    code, want, _ = _cli(capsys, corpus, "-j", "1", "-q", "--top", "300")
    assert code == 0 and want.count("\n") == 300
    assert _cli(capsys, "--scheduler", address, corpus, "-q", "--top", "300") == (0, want, "")
    # -o and the progress bar (drawn when stderr is a terminal) on the same run
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    target = tmp_path / "counts.tsv"
    code, out, err = _cli(capsys, "--scheduler", address, corpus, "--top", "300", "-o", target)
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8") == want
    assert "tasks | 100%" in err
    assert err.splitlines()[-1].startswith("fastcount: counted with Dask in ")
    assert f"({address}, 2 workers, jieba): 300 words written" in err


def test_cli_unreachable_scheduler(capsys, monkeypatch, corpus):
    import socket

    from fastcount import cli_count

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setattr(cli_count, "CONNECT_TIMEOUT", "1s")
    code, out, err = _cli(capsys, "--scheduler", address, corpus)
    assert (code, out) == (2, "")
    assert err.startswith(f"fastcount: error: cannot reach the Dask scheduler at {address}: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--dask", "-"], "--dask cannot read standard input ('-')"),
        (["--scheduler", "tcp://127.0.0.1:9", "{corpus}", "-"], "--scheduler cannot read standard input"),
        (["--scheduler", "tcp://127.0.0.1:9", "-j", "2", "{corpus}"], "-j sizes a local run or --dask"),
    ],
)
def test_cli_dask_bad_usage(capsys, corpus, argv, message):
    code, out, err = _cli(capsys, *[a.format(corpus=corpus) for a in argv])
    assert (code, out) == (2, "")
    assert err.startswith("fastcount: error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("missing, flag", [("dask", "--dask"), ("distributed", "--scheduler")])
def test_cli_missing_dask_says_which_extra(capsys, monkeypatch, corpus, missing, flag):
    for name in [m for m in sys.modules if m == missing or m.startswith(missing + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)
    argv = [flag] if flag == "--dask" else [flag, "tcp://127.0.0.1:9"]
    code, out, err = _cli(capsys, *argv, corpus)
    assert (code, out) == (2, "")
    assert err.startswith(f"fastcount: error: {flag}: fastcount.dask needs ")
    assert "pip install 'fastcount[dask]'" in err and err.count("\n") == 1


def test_cli_dask_bad_input_is_one_line(capfd, tmp_path):
    # capfd: the workers' own stderr (their logs) would show here too.
    path = tmp_path / "in.txt"
    path.write_bytes(b"ok\n\xff\n")
    code, out, want = _cli(capfd, path, "-j", "1")
    assert (code, out) == (2, "") and f"{path}:2: invalid utf-8" in want
    target = tmp_path / "out" / "counts.tsv"
    target.parent.mkdir()
    assert _cli(capfd, "--dask", "-j", "1", path, "-o", target) == (2, "", want)
    assert os.listdir(target.parent) == []


def test_require_names_the_missing_part(monkeypatch):
    from fastcount.dask import require

    assert require(cluster=True) is dask
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"dask.distributed to use a cluster: pip install 'fastcount\[dask\]'"):
        require(cluster=True)
    monkeypatch.setitem(sys.modules, "dask.bag", None)
    with pytest.raises(ImportError, match=r"Dask's bag: pip install 'fastcount\[dask\]'"):
        require()
