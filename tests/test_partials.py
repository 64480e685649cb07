"""The engine-neutral unit: partial counts of partitions, and their merge.

Counting any partitioning of a corpus and merging the partials in any
grouping and order gives exactly the counts of one run over the corpus."""

import collections
import pathlib
import pickle

import jieba
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastcount
from fastcount.merge import finalize_counts, merge_counts
from fastcount.pipeline import count_partition

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
