"""bench/paired_baseline.py's verdicts and table on made-up samples (no process is started)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import paired_baseline as pb  # noqa: E402  (bench/ is not a package)

RATIO = pb.Row("r", "#0", "a ratio", True, "as the bench")
COST = pb.Row("c", "#0", "a cost", False, "as the bench")


def ratios(*values):
    """Samples whose peer/ours ratio is each of ``values`` (ours takes 1 s)."""
    return [{"peer": v, "ours": 1.0} for v in values]


def test_value_of():
    assert pb.value_of({"peer": 3.0, "ours": 0.5}) == 6.0
    assert pb.value_of({"value": 27.8}) == 27.8


def test_verdict_takes_each_sides_median():
    # base median 10 (the outlier 40 does not move it), new median 9.6: 0.96 of it
    b, n, gain, holds = pb.verdict(RATIO, ratios(9, 10, 40), ratios(9.6, 2, 11), 0.95)
    assert (b, n, holds) == (10, 9.6, True) and gain == pytest.approx(0.96)


@pytest.mark.parametrize("new, holds", [(9.5, True), (9.49, False), (12.0, True)])
def test_verdict_ratio_wants_high(new, holds):
    assert pb.verdict(RATIO, ratios(10), ratios(new), 0.95)[3] is holds


@pytest.mark.parametrize("new, holds", [(10.5, True), (10.6, False), (5.0, True)])
def test_verdict_cost_wants_low(new, holds):
    # a cost may grow to base / 0.95 (10.526...) and still hold
    assert pb.verdict(COST, [{"value": 10.0}], [{"value": new}], 0.95)[3] is holds


def test_table_rows_and_times():
    samples = {
        "base": {"workers": ratios(2.0, 2.0, 2.0), "merge-share": [{"value": 0.02}]},
        "new": {"workers": [{"peer": 2.0, "ours": 1.25}] * 3, "merge-share": [{"value": 0.04}]},
    }
    lines = pb.table(samples, 0.95)
    assert len(lines) == 4  # header, rule, the two rows both sides measured
    workers, share = lines[2], lines[3]
    assert "| 2 (2-2) | 1.6 (1.6-1.6) | 0.800x | **no** |" in workers
    # ours took 1.25 times as long: 0.8 of the speed
    assert "| 1.00 s -> 1.25 s | 0.800x | **no** | 2.00 s -> 2.00 s |" in workers
    assert "| 0.02 | 0.04 | 0.500x | **no** |  |  |  |  |" in share


def test_own_gain_pairs_rounds_and_ignores_the_peer():
    # the machine slowed down in round 2 for both sides; the peer moved on its own
    base = [{"peer": 2.0, "ours": 1.0}, {"peer": 3.0, "ours": 2.0}, {"peer": 2.0, "ours": 1.0}]
    new = [{"peer": 1.5, "ours": 0.99}, {"peer": 2.5, "ours": 1.98}, {"peer": 1.5, "ours": 0.99}]
    assert pb.own_gain(RATIO, base, new) == pytest.approx(1 / 0.99)
    assert pb.verdict(RATIO, base, new, 0.95)[3] is False  # the ratio blames fastcount for the peer
    own = RATIO._replace(own_peer=True)  # the "peer" is fastcount's too: the slower-moving decides
    assert pb.own_gain(own, base, new) == pytest.approx(1 / 0.99)
    assert pb.own_gain(own, new, base) == pytest.approx(0.75)
    assert pb.own_gain(COST, [{"value": 1.0}], [{"value": 2.0}]) is None
    # a measured value with fastcount's time beside it (the merge share and the merge's time)
    assert pb.own_gain(COST, [{"value": 0.03, "ours": 3.0}], [{"value": 0.04, "ours": 3.0}]) == 1.0


def test_rows_are_unique_and_described():
    keys = [row.key for row in pb.ROWS]
    assert len(keys) == len(set(keys))
    assert all(row.how and row.issue.startswith("#") for row in pb.ROWS)
