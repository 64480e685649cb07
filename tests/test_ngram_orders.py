"""Character n-grams counted by threads split by order (fastcount.ngram_orders,
fastcount._ngram_split): the counts and the key order of one table of every
order, whatever the groups, the chunks, the spills; errors and Ctrl-C as
with any count."""

import os
import pickle
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastcount._ngram_split as native
from fastcount.ngram_orders import OrderSplitCounter, order_groups
from fastcount.ngrams import NgramStats, count_ngrams
from fastcount._ngrams import NgramTable

from ngram_reference import char_ngrams
from test_ngram_engine import ALPHABET, texts_strategy

SAMPLE = os.path.join(os.path.dirname(__file__), "data", "reviews_sample.txt")


@pytest.fixture(scope="module")
def texts():
    with open(SAMPLE, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def split_stats(**options):
    stats = NgramStats()
    return stats, dict(options, stats=stats)


def test_groups_are_contiguous_and_balanced():
    assert order_groups(1, 4, 2) == [(1, 3), (4, 4)]
    assert order_groups(1, 4, 3) == [(1, 2), (3, 3), (4, 4)]
    assert order_groups(1, 6, 2) == [(1, 4), (5, 6)]
    assert order_groups(2, 3, 2) == [(2, 2), (3, 3)]
    assert order_groups(1, 4, 4) == [(1, 1), (2, 2), (3, 3), (4, 4)]
    for lo, hi, k in [(1, 1, 2), (2, 3, 3), (1, 4, 1), (1, 4, 5)]:
        assert order_groups(lo, hi, k) is None
    for lo in range(1, 5):
        for hi in range(lo, 9):
            for k in range(2, hi - lo + 2):
                groups = order_groups(lo, hi, k)
                assert len(groups) == k and groups[0][0] == lo and groups[-1][1] == hi
                assert all(a <= b and b + 1 == c for (a, b), (c, _) in zip(groups, groups[1:]))


@pytest.mark.parametrize("workers,groups", [(2, 2), (3, 3), (4, 4)])
def test_counts_and_first_sight_order_are_one_tables(texts, workers, groups):
    stats, options = split_stats()
    counts = count_ngrams(texts, (1, 4), workers=workers, chunk_size=4096, **options)
    expected = char_ngrams(texts, 1, 4)
    assert counts == expected and list(counts) == list(expected)
    assert stats.workers == groups and "split by order" in stats.backend
    assert stats.tokens == sum(expected.values()) and stats.texts == len(texts)


def test_no_split_where_it_does_not_apply(texts):
    # one order for two workers; worker processes; word n-grams
    for n, options in [(1, {}), ((1, 2), {"backend": "processes"}),
                       ((1, 2), {"unit": "word", "tokenizer": "whitespace"})]:
        stats, more = split_stats(**options)
        count_ngrams(texts[:50], n, workers=2, **more)
        assert "split" not in stats.backend


@settings(max_examples=80, deadline=None)
@given(texts_strategy, st.integers(1, 4), st.integers(1, 3), st.integers(2, 3),
       st.sampled_from([1, 7, 64, None]), st.booleans())
def test_generated_text_in_any_chunks(texts, lo, extra, workers, chunk_size, keep_punct):
    # chunks of a few bytes: text ends inside chunks and chunk ends inside texts
    counts = count_ngrams(texts, (lo, lo + extra), workers=workers, chunk_size=chunk_size,
                          keep_punct=keep_punct)
    expected = char_ngrams(texts, lo, lo + extra, keep_punct)
    assert counts == expected and list(counts) == list(expected)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET + "\ud800\udfff\U0001F600", max_size=30), max_size=10))
def test_lone_surrogates_and_astral_characters(texts):
    counts = count_ngrams(texts, (1, 4), workers=2)
    expected = char_ngrams(texts, 1, 4)
    assert counts == expected and list(counts) == list(expected)


def test_a_file_read_as_blocks_or_decoded_in_python(tmp_path, texts):
    path = tmp_path / "corpus.txt"
    path.write_bytes(("\n".join(texts[:300]) + "\n").encode("utf-8") + b"\xff bad\n" + "好的好的\n".encode())
    lines = (path.read_bytes().decode("utf-8", "replace")).split("\n")[:-1]
    expected = char_ngrams(lines, 1, 4)
    counts = count_ngrams(str(path), (1, 4), workers=2, errors="replace", chunk_size=8192)
    assert counts == expected and list(counts) == list(expected)
    with pytest.raises(UnicodeDecodeError):
        count_ngrams(str(path), (1, 4), workers=2)


@pytest.mark.parametrize("memory", [16 * 1024, 256 * 1024])
def test_spilled_groups_merge_exactly(tmp_path, texts, memory):
    stats, options = split_stats()
    counts = count_ngrams(texts, (1, 4), workers=2, memory=memory, tmpdir=tmp_path, **options)
    expected = char_ngrams(texts, 1, 4)
    assert counts == expected and stats.runs >= 1
    assert list(counts) == sorted(expected)  # merged from runs: code point order
    assert os.listdir(tmp_path) == []
    assert "split" not in stats.backend  # a budget its tables might outgrow: split by text


def test_split_only_where_no_table_can_spill(tmp_path, texts):
    from fastcount.ngram_orders import most_held, never_spills

    groups = [(1, 3), (4, 4)]
    chars = sum(map(len, texts))
    need = 2 * max(most_held(chars, 1, 3), most_held(chars, 4, 4))
    assert need > 2 * chars * 3 * (100 + 12 * 3)  # every n-gram distinct, every array growing
    assert never_spills(texts, groups, need) and never_spills(tuple(texts), groups, need)
    assert not never_spills(texts, groups, need - 2)
    assert not never_spills(iter(texts), groups, 10**15)  # its size is not known
    assert not never_spills(texts + [b"bytes"], groups, 10**15)

    class Short(str):
        def __len__(self):
            return 0

    assert not never_spills([Short(text) for text in texts], groups, need - 2)  # its characters
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(texts), encoding="utf-8")
    at_most = 4 * path.stat().st_size  # characters, whatever the decoding
    file_need = 2 * max(most_held(at_most, 1, 3), most_held(at_most, 4, 4))
    assert never_spills(str(path), groups, file_need)
    assert not never_spills(str(path), groups, file_need - 2)
    gz = tmp_path / "corpus.txt.gz"
    gz.write_bytes(b"")
    assert not never_spills(str(gz), groups, 10**15)
    assert not never_spills(str(tmp_path), groups, 10**15)
    for memory, split in [(None, True), (need - 2, False)]:
        stats, options = split_stats()
        count_ngrams(texts, (1, 4), workers=2, memory=memory, tmpdir=tmp_path, **options)
        assert ("split by order" in stats.backend) == split


@pytest.mark.parametrize("lo, hi, first", [(1, 1, 0x4E00), (1, 3, 0x4E00), (4, 4, 0x4E00),
                                           (2, 6, 0x4E00), (5, 8, 0x20000)])
def test_the_bound_holds_when_every_ngram_is_distinct(tmp_path, lo, hi, first):
    # distinct characters make distinct n-grams of every order (the most a
    # table can hold; astral ones the longest keys), at sizes that catch the
    # arrays' growth steps in different places: at most_held a table never
    # spills, well below it it does
    from fastcount.ngram_orders import most_held

    text = "".join(chr(first + i) for i in range(12000))
    for size in range(1, len(text), 397):
        limit = most_held(size, lo, hi)
        table = NgramTable(lo, hi, limit=limit, spill_prefix=str(tmp_path / f"a{size}"))
        native.record_order(table)
        native.count_lines(table, native.lines_of_texts([text[:size]]))
        assert table.runs == [] and table.seen() == sum(max(0, size - n + 1) for n in range(lo, hi + 1))
    small = NgramTable(lo, hi, limit=limit // 8, spill_prefix=str(tmp_path / "b"))
    native.record_order(small)
    native.count_lines(small, native.lines_of_texts([text]))
    assert small.runs


def test_an_error_in_a_thread_reaches_the_caller_as_itself(texts, monkeypatch):
    failure = LookupError("the second group failed")
    count_lines = native.count_lines

    def failing(table, lines):
        if table.orders == (4, 4):
            raise failure
        count_lines(table, lines)

    monkeypatch.setattr(native, "count_lines", failing)
    with pytest.raises(LookupError) as caught:
        count_ngrams(texts, (1, 4), workers=2)
    assert caught.value is failure
    assert not group_threads()


def test_no_group_thread_outlives_a_count(texts):
    # each chunk is counted at the next one's hand-over, its texts encoded
    # by the last group's thread: the last chunk counted at the end
    stats = NgramStats()
    counts = count_ngrams(texts, (1, 4), workers=2, chunk_size=4096, stats=stats)
    assert stats.backend == "threads (split by order)"
    assert list(counts.items()) == list(char_ngrams(texts, 1, 4).items())
    assert not group_threads()


def group_threads():
    return [t for t in threading.enumerate() if t.name.startswith("fastcount-orders")]


def test_ctrl_c_while_a_group_thread_encodes(tmp_path, texts, monkeypatch):
    lines_of_texts = native.lines_of_texts
    calls = []

    def encode(chunk):
        calls.append(threading.current_thread().name)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return lines_of_texts(chunk)

    monkeypatch.setattr(native, "lines_of_texts", encode)
    with pytest.raises(KeyboardInterrupt):
        count_ngrams(texts, (1, 4), workers=2, chunk_size=4096, tmpdir=tmp_path)
    assert calls[-1] == "fastcount-orders-1"  # raised there, reaching the caller
    assert os.listdir(tmp_path) == []
    assert not group_threads()


def test_ctrl_c_stops_every_thread_and_leaves_nothing(tmp_path, texts):
    def interrupted():
        yield from texts[:2000]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        count_ngrams(interrupted(), (1, 4), workers=2, chunk_size=4096, memory=32 * 1024,
                     tmpdir=tmp_path)
    assert os.listdir(tmp_path) == []
    assert not group_threads()


def test_a_split_count_names_a_text_that_is_no_str():
    counter = OrderSplitCounter([NgramTable(1, 2), NgramTable(3, 4)])
    with pytest.raises(TypeError, match=r"texts\[1\] is bytes, not str"):
        counter.feed(["甲乙", b"bytes", "丙"])
    counter.feed(["甲乙丙"])  # nothing of the refused chunk was counted
    counter.finish()
    assert counter.tables[0].total == 5 and counter.tables[1].total == 1


def test_a_chunk_whose_count_failed_is_never_counted_again(monkeypatch):
    counter = OrderSplitCounter([NgramTable(1, 2), NgramTable(3, 4)])
    counter.feed(["甲乙丙"])  # handed over: counted by the next call
    count_lines = native.count_lines

    def failing(table, lines):
        if table.orders == (3, 4):
            raise LookupError("the second group failed")
        count_lines(table, lines)

    monkeypatch.setattr(native, "count_lines", failing)
    with pytest.raises(LookupError):
        counter.feed(["丁"])  # the first group counts 甲乙丙, the second fails
    monkeypatch.setattr(native, "count_lines", count_lines)
    counter.finish()  # nothing pending: 甲乙丙 is not counted a second time
    assert counter.tables[0].total == 5


def test_ordered_vocab_holds_its_tables_before_any_python_code_runs(monkeypatch):
    # numpy's allocation inside ordered_vocab may run Python code (another
    # thread, a hook): a table fed then would outgrow the sizes already read
    tables = [NgramTable(1, 2), NgramTable(3, 4)]
    for table in tables:
        native.record_order(table)
    lines = native.lines_of_texts(["甲乙丙丁"])
    for table in tables:
        native.count_lines(table, lines)
    refused = []

    class Numpy:
        int64 = np.int64

        @staticmethod
        def empty(*args, **kwargs):
            try:
                native.count_lines(tables[0], native.lines_of_texts(["戊己庚辛壬"]))
            except RuntimeError as exc:
                refused.append(str(exc))
            return np.empty(*args, **kwargs)

    monkeypatch.setattr(native, "np", Numpy)
    vocab, counts = native.ordered_vocab(tables)
    assert refused and "busy" in refused[0]
    assert len(vocab) == len(counts) == 7 + 3  # 甲乙丙丁: 4 + 3 of orders 1-2, 2 + 1 of 3-4


def ordered_tables(texts, groups):
    tables = [NgramTable(lo, hi) for lo, hi in groups]
    for table in tables:
        native.record_order(table)
    for part in (texts[: len(texts) // 2], texts[len(texts) // 2 :]):
        lines = native.lines_of_texts(part)
        for table in tables:
            native.count_lines(table, lines)
    return tables


@pytest.mark.parametrize("apart", [False, True])
@pytest.mark.parametrize("groups", [[(1, 1), (2, 3), (4, 5)], [(1, 3), (4, 5)]])
def test_ordered_vocab_is_a_vocab_of_the_sum(texts, monkeypatch, apart, groups):
    # apart: its slots placed by a second thread, as for a big count; two
    # tables are numbered by their own merge
    monkeypatch.setattr(native, "PLACE_APART", 0 if apart else 1 << 62)
    before = set(threading.enumerate())
    tables = ordered_tables(texts[:400], groups)
    vocab, counts = native.ordered_vocab(tables)
    expected = char_ngrams(texts[:400], 1, 5)
    assert vocab.words() == list(expected) and counts.tolist() == list(expected.values())
    # its slots find every word, and a new word gets the next id
    assert all(vocab.get(word) == i for i, word in enumerate(expected))
    assert vocab.get("不在里面的词") is None and vocab.add("不在里面的词") == len(expected)
    again, _ = native.ordered_vocab(tables)  # the tables are unchanged
    assert again.words() == list(expected)
    empty, none = native.ordered_vocab([])
    assert len(empty) == 0 and len(none) == 0
    assert set(threading.enumerate()) == before  # the placing thread joined


@pytest.mark.parametrize("apart", [False, True])
def test_ordered_vocab_of_tables_hashed_by_another_seed(texts, monkeypatch, apart):
    # their slot tags are not the Vocab's: its slots must come from its keys
    import native_build

    monkeypatch.setattr(native, "PLACE_APART", 0 if apart else 1 << 62)
    groups = [(1, 2), (3, 5)]
    tables = [NgramTable(lo, hi) for lo, hi in groups]
    native_build.load().ngram_table_reseed(tables[0])
    for table in tables:
        native.record_order(table)
        native.count_lines(table, native.lines_of_texts(texts[:100]))
    vocab, counts = native.ordered_vocab(tables)
    expected = char_ngrams(texts[:100], 1, 5)
    assert vocab.words() == list(expected) and counts.tolist() == list(expected.values())
    assert all(vocab.get(word) == i for i, word in enumerate(expected))


def test_what_the_native_half_refuses(tmp_path, texts):
    plain = NgramTable(1, 2)
    with pytest.raises(ValueError, match="first sights"):
        native.count_lines(plain, native.lines_of_texts(["甲乙"]))
    with pytest.raises(ValueError, match="first sights"):
        native.ordered_vocab([plain])
    with pytest.raises(ValueError, match="Lines come from"):
        native.count_lines(ordered_tables([], [(1, 2)])[0], native.Lines())
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        native.lines_of_texts(["甲", 1])
    with pytest.raises((TypeError, pickle.PicklingError)):
        pickle.dumps(native.lines_of_texts(["甲"]))
    assert native.lines_of_utf8(b"\xe4\xb8") is None
    assert native.lines_of_utf8("甲\n乙".encode()).lines == 2
    fed = NgramTable(1, 2)
    fed.feed(["甲"])
    with pytest.raises(ValueError, match="new character"):
        native.record_order(fed)
    spilled = NgramTable(1, 2, limit=1, spill_prefix=str(tmp_path / "s"))
    native.record_order(spilled)
    native.count_lines(spilled, native.lines_of_texts(texts[:20]))  # counts on after spilling
    assert spilled.runs
    with pytest.raises(ValueError, match="first sights"):
        native.ordered_vocab([spilled])
    # an ordered table counts only count_lines' text: any other feed would
    # give its new n-grams first sights that order nothing
    ordered = ordered_tables(texts[:5], [(1, 2)])[0]
    total = ordered.total
    for feed in (lambda t: t.feed(["丙丁"]), lambda t: t.feed_utf8("丙丁\n".encode()),
                 lambda t: t.add_counts(*NgramTable(1, 1).vocab_result())):
        with pytest.raises(ValueError, match="count_lines"):
            feed(ordered)
    assert ordered.total == total
    finished = ordered_tables(texts[:5], [(1, 2)])[0]
    finished.finish()
    with pytest.raises(ValueError, match="first sights"):
        native.ordered_vocab([finished])


def test_an_aborted_group_stops_the_count(texts):
    from fastcount.ngram_orders import OrderSplitCounter

    counter = OrderSplitCounter([NgramTable(1, 2), NgramTable(3, 4)])
    counter.feed(texts[:10])
    counter.tables[1].abort()
    with pytest.raises(RuntimeError, match="aborted"):
        counter.feed(texts[10:20])  # counts the first chunk
    assert not any(table.busy for table in counter.tables)


def test_concat_passes_refuse_to_run_out_of_order():
    # a _Concat made from Python has no tables or Vocab: its passes must
    # refuse, not read through NULL
    from fastcount._ngram_split import _Concat

    concat = _Concat()
    for run in (concat.copy, concat.place, concat.number):
        with pytest.raises(RuntimeError, match="ordered_vocab"):
            run()
