"""The engine-neutral unit: partial counts of partitions, and their merge.

Counting any partitioning of a corpus and merging the partials in any
grouping and order gives exactly the counts of one run over the corpus."""

import collections
import pathlib
import pickle
import subprocess
import sys
import textwrap

import jieba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastcount
from fastcount.merge import finalize, finalize_counts, merge_counts, merge_partials
from fastcount.pipeline import count_partition, partial_count

SAMPLE = pathlib.Path(__file__).parent / "data" / "engines" / "reviews-300.txt"
REAL_LINES = SAMPLE.read_text(encoding="utf-8").splitlines()

# Random text: CJK, ASCII letters and digits, punctuation, spaces and tabs.
_random_text = st.text(
    alphabet=st.sampled_from("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年" "abcAZ019 \t，。！?.-_%"),
    max_size=30,
)
texts_strategy = st.lists(st.one_of(st.sampled_from(REAL_LINES), _random_text), max_size=25)


def reference(texts):
    return collections.Counter(w for t in texts for w in jieba.lcut(t) if not w.isspace())


@st.composite
def partitioned(draw):
    """Texts, cut into consecutive partitions (empty ones allowed)."""
    texts = draw(texts_strategy)
    cuts = sorted(draw(st.lists(st.integers(0, len(texts)), max_size=6)))
    bounds = [0] + cuts + [len(texts)]
    return texts, [texts[a:b] for a, b in zip(bounds, bounds[1:])]


def merge_in_random_tree(draw, partials):
    """Merge ``partials`` by repeatedly summing a random group of them."""
    pool = list(partials)
    while len(pool) > 1:
        k = draw(st.integers(2, len(pool)))
        picked = draw(st.permutations(range(len(pool))))[:k]
        group = [pool[i] for i in picked]
        pool = [p for i, p in enumerate(pool) if i not in picked]
        pool.insert(draw(st.integers(0, len(pool))), merge_counts(group))
    return pool[0] if pool else fastcount.Counter()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partitioned(), st.data())
def test_any_partitioning_and_grouping_gives_the_exact_counts(case, data):
    texts, parts = case
    partials = [count_partition(p) for p in parts]
    # Engines ship partials between processes: merge what a pickle gives back.
    shipped = [pickle.loads(pickle.dumps(p)) for p in partials]
    assert shipped == partials
    snapshot = [dict(p) for p in shipped]
    merged = merge_in_random_tree(data.draw, shipped)
    assert merged == reference(texts)
    assert merged == count_partition(texts)
    assert [dict(p) for p in shipped] == snapshot, "merge changed its inputs"


@settings(max_examples=60, deadline=None)
@given(partitioned(), st.randoms(use_true_random=False))
def test_merge_is_commutative_and_associative(case, rnd):
    _, parts = case
    partials = [count_partition(p) for p in parts]
    whole = merge_counts(partials)
    shuffled = list(partials)
    rnd.shuffle(shuffled)
    assert merge_counts(shuffled) == whole
    if len(partials) >= 3:
        a, b, c = partials[0], partials[1], merge_counts(partials[2:])
        assert merge_counts([merge_counts([a, b]), c]) == merge_counts([a, merge_counts([b, c])]) == whole


def test_merge_sums_plain_mappings_and_empty_input():
    assert merge_counts([]) == fastcount.Counter()
    got = merge_counts([{"好": 2}, collections.Counter({"好": 1, "书": 3}), fastcount.Counter({"书": 1})])
    assert isinstance(got, fastcount.Counter)
    assert got == {"好": 3, "书": 4}


counts_strategy = st.dictionaries(st.text(alphabet="abc好书的", min_size=1, max_size=3), st.integers(1, 6))


@settings(max_examples=100, deadline=None)
@given(counts_strategy, st.integers(1, 7), st.one_of(st.none(), st.integers(0, 12)))
def test_finalize_counts_min_count_then_top_ties_by_word(counts, min_count, top):
    kept = sorted(((w, c) for w, c in counts.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
    if top is not None:
        kept = kept[:top]
    source = fastcount.Counter(counts)
    got = finalize_counts(source, min_count=min_count, top=top)
    assert isinstance(got, fastcount.Counter)
    assert dict(got) == dict(kept)
    assert source == counts, "finalize changed its input"
    if top is not None:
        assert [w for w, _ in got.most_common()] == [w for w, _ in kept]


def test_finalize_counts_rejects_bad_options():
    with pytest.raises(ValueError, match="min_count"):
        finalize_counts(fastcount.Counter(), min_count=0)
    with pytest.raises(ValueError, match="top"):
        finalize_counts(fastcount.Counter(), top=-1)


def test_partial_pickles_compactly():
    """A partial travels as arrays: about its words' UTF-8 bytes plus a few
    bytes of offset and count per distinct word."""
    partial = count_partition(REAL_LINES)
    n = len(partial)
    utf8 = sum(len(w.encode("utf-8")) for w in partial)
    size = len(pickle.dumps(partial, protocol=pickle.HIGHEST_PROTOCOL))
    assert n > 2000
    assert size <= utf8 + 12 * n + 1024, (size, utf8, n)


# ---------------------------------------------------------------- PartialCount: the engines' partials


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partitioned(), st.data())
def test_partial_counts_merge_in_any_tree_to_one_run(case, data):
    texts, parts = case
    partials = [pickle.loads(pickle.dumps(partial_count(p))) for p in parts]
    snapshot = [(p.vocab.words(), p.counts.tolist()) for p in partials]
    # Merged in corpus order, in any grouping of neighbours: one run, word order included.
    pool = list(partials)
    while len(pool) > 1:
        i = data.draw(st.integers(0, len(pool) - 2))
        k = data.draw(st.integers(2, len(pool) - i))
        pool[i:i + k] = [merge_partials(pool[i:i + k])]
    whole = count_partition(texts)
    merged = finalize(pool[0]) if pool else fastcount.Counter()
    assert list(merged.items()) == list(whole.items())
    # In any order: the same counts.
    shuffled = data.draw(st.permutations(partials))
    if shuffled:
        assert finalize(merge_partials(shuffled)) == whole
    assert [(p.vocab.words(), p.counts.tolist()) for p in partials] == snapshot, "merge changed its inputs"


def test_partial_count_pickles_compactly_and_exactly():
    part = partial_count(REAL_LINES)
    part.counts[0] = 2**40  # a count above 32 bits travels too
    part.marks = [(0, 0), (3, 17)]
    data = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
    back = pickle.loads(data)
    assert back.vocab == part.vocab and back.counts.tolist() == part.counts.tolist()
    assert back.counts.dtype == np.int64 and back.marks == part.marks
    utf8 = sum(len(w.encode("utf-8")) for w in part.vocab)
    assert len(data) <= utf8 + 3 * len(part.vocab) + 1024, (len(data), utf8, len(part.vocab))


def test_damaged_partial_count_pickles_raise(tmp_path, child_env):
    # Partials come from other processes and machines: a damaged one raises
    # (ValueError, TypeError, ...), never crashes (run in a child: a crash
    # must fail the test, not end the run).
    script = tmp_path / "fuzz.py"
    script.write_text(textwrap.dedent(f"""
        import pickle, random, sys
        from fastcount.pipeline import partial_count

        part = partial_count({REAL_LINES[:60]!r}, "char")
        part.counts[:5] = [300, 70000, 2**33, 5, 1]
        part.marks = [(0, 0), (1, 10)]
        good = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
        rng = random.Random(7)
        loaded = 0
        for _ in range(3000):
            data = bytearray(good)
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            try:
                back = pickle.loads(bytes(data))
            except Exception:
                continue
            loaded += 1
            assert len(back.counts) == len(back.vocab) and back.counts.min() >= 0
        for bad in [(part.vocab, b"\\0", part.counts[:0].astype("u4"), part.counts[:0].astype("u4"), None),
                    (part.vocab, bytes(len(part.vocab)), __import__("numpy").array([10**6], "u4"),
                     __import__("numpy").array([300], "u4"), None),
                    (part.vocab, bytes(len(part.vocab)), part.counts[:0].astype("u4"),
                     part.counts[:0].astype("u4"), [(0, 5), (1, 2)]),
                    ("words", b"", None, None, None)]:
            try:
                type(part).__reduce__(part)[0](*bad)
            except (ValueError, TypeError):
                continue
            sys.exit(f"accepted {{bad!r:.80}}")
        print(loaded)
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         cwd=tmp_path, env=child_env, timeout=300)
    assert out.returncode == 0, out.stderr


def test_merged_counts_past_int64_raise_instead_of_wrapping():
    from fastcount import Vocab
    from fastcount.merge import PartialCount

    big = PartialCount(Vocab(["a", "b"]), np.array([2**62, 1], dtype=np.int64))
    with pytest.raises(OverflowError, match="outside the int64 range"):
        merge_partials([big, big])
    near = PartialCount(Vocab(["a"]), np.array([2**62 - 1], dtype=np.int64))
    assert finalize(merge_partials([near, near]))["a"] == 2**63 - 2
