"""bench/report.py on a synthetic pytest-benchmark JSON: verdicts, tables and plots."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import report  # noqa: E402  (bench/ is not a package)


def entry(group, row, time, **info):
    return {"group": group, "name": f"test[{row}]", "extra_info": {"row": row, "mode": "full", **info},
            "stats": {"median": time, "min": time * 0.9, "mean": time * 1.05, "rounds": 3}}


def synthetic_run():
    corpus = {"corpus": "reviews.txt", "corpus_bytes": 7_400_000, "corpus_lines": 35_000, "real_corpus": True}
    b = [
        entry("kernel-zipf-7e+04", "pandas", 0.30, vocab=70_000, draws=10_000_000),
        entry("kernel-zipf-7e+04", "Counter", 0.90, vocab=70_000, draws=10_000_000),
        entry("kernel-zipf-7e+04", "dict", 2.0, vocab=70_000, draws=10_000_000),
        entry("kernel-zipf-7e+04", "HashCounter", 0.05, vocab=70_000, draws=10_000_000),  # 6x, 18x
        entry("kernel-zipf-1e+06", "HashCounter", 0.10, vocab=1_000_000, draws=10_000_000),  # 2x
        entry("kernel-zipf-1e+06", "dict", 6.0, vocab=1_000_000, draws=10_000_000),  # 3x
        entry("kernel-layout", "Counter-random", 1.0, draws=10_000_000),
        entry("kernel-layout", "HashCounter-random", 0.2, draws=10_000_000),  # 5x Counter
        entry("kernel-layout", "HashCounter-sequential", 0.18, draws=10_000_000),  # faster: pass
        entry("kernel-layout", "HashCounter-strided", 2.0, draws=10_000_000),  # 10x slower: FAIL
        entry("kernel-memory", "HashCounter", 0.6, distinct=10_000_000, bytes_per_key=26.8,
              rss_delta_bytes=268_000_000),
        entry("strings", "collections.Counter.update", 0.10, tokens=1_500_000),
        entry("strings", "fastcount.Counter.update", 0.08, tokens=1_500_000),  # 1.25x: FAIL
        entry("e2e", "jieba+dict", 11.0, workers=1, **corpus),
        entry("e2e", "jieba+dict batched Pool(2)", 5.0, workers=2, **corpus),
        entry("e2e", "rjieba+Counter", 1.0, workers=1, **corpus),
        entry("e2e", "count_words(jieba, workers=1)", 0.5, tokenizer="jieba", workers=1, merge_share=0.01,
              seconds=0.5, stats_tokenizer="jieba (native)", **corpus),
        entry("e2e", "count_words(jieba, workers=2)", 0.26, tokenizer="jieba", workers=2, merge_share=0.03,
              seconds=0.26, stats_tokenizer="jieba (native)", **corpus),
        entry("segment", "rjieba.cut", 0.9, **corpus),
        entry("segment", "fastcount.lcut", 0.6, **corpus),
        entry("segment-startup", "jieba", 2.0, load_seconds=1.2, rss_delta_bytes=60_000_000),
        entry("segment-startup", "fastcount", 1.0, load_seconds=0.4, rss_delta_bytes=90_000_000),  # memory FAIL
        entry("parent-memory", "count_words, 8 MB file", 1.0, corpus_bytes=8e6, peak_rss_bytes=130e6,
              baseline_rss_bytes=120e6),
        entry("parent-memory", "count_words, 128 MB file", 9.0, corpus_bytes=128e6, peak_rss_bytes=133e6,
              baseline_rss_bytes=120e6),
    ]
    for point, distinct, dict_ns, fast_ns in (("1e3", 1_000, 100, 200), ("3e6", 2_000_000, 400, 300)):
        tokens = 1_000_000
        for row, ns, workers in (("dict classic", dict_ns, 1), ("dict batched Pool(2)", dict_ns / 2.5, 2),
                                 ("fastcount.Counter classic", fast_ns, 1),
                                 ("count_words(whitespace, workers=1)", fast_ns, 1),
                                 ("count_words(whitespace, workers=2)", fast_ns / 1.9, 2)):
            b.append(entry(f"scaling-{point}", row, ns * tokens / 1e9, tokens=tokens, distinct=distinct,
                           workers=workers))
    return {"machine_info": {"cpu": {"brand_raw": "Test CPU", "count": 2}, "system": "Linux",
                             "python_version": "3.11"},
            "commit_info": {"id": "0123456789abcdef", "branch": "main", "dirty": False},
            "datetime": "2026-01-01T00:00:00", "benchmarks": b}


def report_text(tmp_path, run) -> str:
    """The report (no plots) of ``run``, written to ``tmp_path``."""
    path = tmp_path / "run.json"
    path.write_text(json.dumps(run))
    report.main([str(path), "-o", str(tmp_path), "--no-plots"])
    return (tmp_path / "report.md").read_text()


def verdicts(text):
    """Target text -> verdict, from the Markdown targets table."""
    out = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("#"):
            out[cells[1]] = cells[4].strip("*")
    return out


def test_report_verdicts_tables_and_plots(tmp_path, capsys):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(synthetic_run()))
    assert report.main([str(path), "-o", str(tmp_path)]) == 0
    text = (tmp_path / "report.md").read_text()
    assert text == capsys.readouterr().out
    v = verdicts(text)
    assert len(v) == len(report.TARGETS)
    assert v["HashCounter.add vs pandas value_counts, Zipf ids over a 70k vocabulary"] == "pass"
    assert v["HashCounter.add vs collections.Counter(list), same ids"] == "pass"
    assert v["HashCounter.add vs collections.Counter, 1M distinct keys"] == "pass"
    assert v["sequential keys 0..N as fast as random keys (HashCounter)"] == "pass"
    assert v["keys that are multiples of 2**20 as fast as random keys (HashCounter)"] == "FAIL"
    assert v["HashCounter memory per distinct key, 10M keys"] == "pass"
    assert v["fastcount.Counter.update vs collections.Counter.update, real jieba tokens"] == "FAIL"
    assert v["count_words(jieba): workers=2 vs workers=1, real corpus"] == "pass"  # 1.92x
    assert v["count_words(jieba): parent's merge share of the wall time, all workers"] == "pass"
    assert v["count_words: parent peak memory, largest vs smallest generated corpus"] == "pass"  # +2.3%
    assert v["count_words(jieba, workers=1) vs jieba.lcut + dict loop"] == "pass"  # 22x
    assert v["count_words(jieba, workers=1) vs rjieba.cut + collections.Counter"] == "pass"  # 2x
    assert v["fastcount.lcut vs rjieba.cut"] == "pass"
    assert v["dictionary load time: fastcount vs jieba's cached start (fresh process)"] == "pass"
    assert v["dictionary memory: jieba's over fastcount's (fresh process)"] == "FAIL"
    # dict: 100 -> 400 ns/token (4x); fastcount: 200 -> 300 (1.5x)
    assert v["per-token cost growth with vocabulary: dict's over fastcount.Counter's"] == "pass"
    assert v["speedup per process, dict batched over a Pool vs the classic loop (best vocabulary)"] == "info"
    assert v["per-key cost growth with vocabulary, ids in hand: dict's over HashCounter's"] == "pass"
    assert "| 1.50x = dict 3.00x (200.0 -> 600.0 ns/key, 70,000 -> 1,000,000 keys) / HashCounter 2.00x" in text
    assert "| 22.00x (11.00 s / 500.0 ms) |" in text
    assert "1,000 words: 1.25; 2,000,000 words: 1.25" in text  # (100 ns / 40 ns) / 2 processes
    assert "Test CPU, 2 cores" in text
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return  # the report is written without plots
    for name in report.PLOTS.values():
        assert (tmp_path / name).stat().st_size > 1000
        assert f"![{name}]({name})" in text


def test_report_missing_rows_are_marked_missing_not_passed(tmp_path):
    run = synthetic_run()
    run["benchmarks"] = [b for b in run["benchmarks"] if b["group"] != "strings"]
    v = verdicts(report_text(tmp_path, run))
    assert v["fastcount.Counter.update vs collections.Counter.update, real jieba tokens"] == "missing"


def test_report_says_when_the_native_path_did_not_run(tmp_path):
    run = synthetic_run()
    for b in run["benchmarks"]:
        if b["extra_info"].get("tokenizer") == "jieba":
            b["extra_info"]["stats_tokenizer"] = "jieba-py"
    text = report_text(tmp_path, run)
    assert "| 22.00x (11.00 s / 500.0 ms); tokenizer ran as `jieba-py` |" in text
    assert "count_words(jieba, workers=2): merge 3.00% of 260.0 ms, tokenizer `jieba-py`" in text


@pytest.mark.parametrize("paired, verdict", [(None, "FAIL"), ([0.78, 0.84, 0.83], "pass")])
def test_report_dask_verdict_prefers_back_to_back_runs(tmp_path, paired, verdict):
    run = synthetic_run()
    info = dict(corpus_bytes=1_000_000_014, workers=2, mb_per_s=40.0, ratio_vs_count_words=0.79,
                reduction_tail_share=0.03, partitions=16, partial_bytes_per_word=9.0)
    if paired:
        info["paired_ratios"] = paired
    run["benchmarks"].append(entry("dask", "count_words_dask(LocalCluster 2 processes)", 25.0, **info))
    text = report_text(tmp_path, run)
    target = "Dask LocalCluster (2 processes) vs count_words(workers=2), 1 GB generated corpus"
    assert verdicts(text)[target] == verdict
    assert "79.00% (40.0 MB/s on 1 GB" in text
    if paired:
        assert "83.00% in runs of the two back to back (median of 78%, 84%, 83%)" in text


def test_report_refuses_a_run_without_benchmarks(tmp_path):
    path = tmp_path / "smoke.json"
    path.write_text(json.dumps({"benchmarks": []}))
    with pytest.raises(SystemExit, match="no benchmarks"):
        report.main([str(path), "-o", str(tmp_path)])


def test_plan_inputs_script_runs(tmp_path):
    """bench/plan_inputs.py (the README's memory and plan figures) on tiny sizes."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import fastcount

    script = Path(__file__).with_name("plan_inputs.py")
    root = str(Path(fastcount.__file__).resolve().parent.parent)
    out = subprocess.run([sys.executable, str(script), "--mib", "1", "--words", "1000",
                          "-o", str(tmp_path / "p.md")], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path, env={**os.environ, "PYTHONPATH": root})
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "p.md").read_text(encoding="utf-8")
    assert text == out.stdout and "B/word" in text and "ns/entry" in text


def test_report_new_groups_targets_and_parity(tmp_path):
    """Rows of the groups added for issues #11-#15 and peer parity: verdicts, notes, parity table."""
    run = synthetic_run()
    corpus = {"corpus": "reviews.txt", "corpus_bytes": 7_400_000, "corpus_lines": 35_000, "real_corpus": True}
    run["benchmarks"] += [
        entry("kernel-adversarial", "HashCounter-random", 0.10, draws=40_000),
        entry("kernel-adversarial", "HashCounter-crafted", 0.15, draws=40_000),  # 1.5x: pass
        entry("kernel-adversarial", "HashCounter-shuffled", 0.10, draws=40_000),
        entry("kernel-adversarial", "HashCounter-table-order", 0.30, draws=40_000),  # 3x: FAIL
        entry("ngram-spill", "count_ngrams(char 1-4, in memory)", 1.0, **corpus),
        entry("ngram-spill", "count_ngrams(char 1-4, spilled)", 1.5, peak_rss_bytes=90e6, budget_bytes=64e6,
              overhead_bytes=32e6, spills=5, **corpus),  # 1.5x; 90 MB of 96 MB: pass both
        entry("ngram-1gb", "count_ngrams(char 1-6, budget 2GB)", 100.0, peak_rss_bytes=2.5e9,
              budget_bytes=2e9, overhead_bytes=0.2e9, corpus_bytes=1e9),  # over budget: FAIL
        entry("segment", "cppjieba_py_dat.lcut", 0.7, identical_lines=24_361, compared_lines=35_123,
              diff_vs_jieba=41_872, **corpus),
        entry("e2e-small", "count_words(jieba-py, workers=1)", 2.0, tokenizer="jieba-py", workers=1),
        entry("e2e-small", "count_words(jieba-py, workers=2)", 1.6, tokenizer="jieba-py", workers=2),  # 1.25x
    ]
    text = report_text(tmp_path, run)
    expected = {
        "crafted keys vs random keys, HashCounter.add": "pass",
        "another table's key order vs the same keys shuffled, into an empty HashCounter": "FAIL",
        "character 1..4-grams spilled (>= 4 spills) vs in memory": "pass",
        "character 1..4-grams spilled: peak memory": "pass",
        "1 GB generated corpus, character 1..6-grams: peak memory in a 2 GB budget": "FAIL",
        "1 GB generated corpus, character 1..6-grams: throughput": "info",
        "count_words(jieba-py): workers=2 vs workers=1, a few thousand lines": "FAIL",
        "POS counting, one worker, vs jieba.posseg.lcut + collections.Counter": "missing",
    }
    v = verdicts(text)
    assert {k: v.get(k) for k in expected} == expected
    assert "| 1.50x (150.0 ms / 100.0 ms) |" in text  # crafted / random, the cost's own row first
    assert "peak 90 MB = 94% of the 64 MB budget + 32 MB stated overhead, 5 spills" in text
    assert "- count_ngrams(char 1-4, spilled): peak 90 MB, budget 64 MB + stated overhead 32 MB, 5 spills" in text
    assert "10.0 MB/s (1 GB in 100.00 s)" in text
    assert ("| segment | cppjieba_py_dat.lcut | jieba.lcut | 24,361 / 35,123 (69.36%) | 41,872 |") in text


def test_report_two_worker_targets_need_two_cores(tmp_path):
    run = synthetic_run()
    run["machine_info"]["cpu"]["count"] = 1
    run["benchmarks"] += [
        entry("e2e-small", "count_words(jieba-py, workers=1)", 2.0, workers=1),
        entry("e2e-small", "count_words(jieba-py, workers=2)", 1.0, workers=2),
    ]
    text = report_text(tmp_path, run)
    assert verdicts(text)["count_words(jieba-py): workers=2 vs workers=1, a few thousand lines"] == "missing"
    assert "| needs 2 cores |" in text


def test_report_two_worker_target_prefers_the_paired_ratio(tmp_path):
    """A workers=2 row that timed the two back to back: its median of pairs decides, the rows' ratio is shown."""
    run = synthetic_run()
    run["benchmarks"] += [
        entry("e2e-pos", "count_words(pos, workers=1)", 2.0, workers=1),
        entry("e2e-pos", "count_words(pos, workers=2)", 1.6, workers=2, paired_speedup=1.75,
              paired_ratios=[1.7, 1.75, 1.8]),  # rows' medians 1.25x: FAIL without the pairs
        entry("e2e-small", "count_words(jieba-py, workers=1)", 2.0, workers=1),
        entry("e2e-small", "count_words(jieba-py, workers=2)", 1.0, workers=2, paired_speedup=1.5,
              paired_ratios=[1.5]),  # rows' medians 2x, pairs 1.5x: FAIL
    ]
    for b in run["benchmarks"]:
        if (b["group"], b["extra_info"]["row"]) == ("e2e", "count_words(jieba, workers=2)"):
            b["stats"]["median"] = 0.3  # rows' medians 1.67x: FAIL without the pairs
            b["extra_info"].update(paired_speedup=1.85, paired_ratios=[1.8, 1.85, 1.9])
    text = report_text(tmp_path, run)
    v = verdicts(text)
    assert v["POS counting: two workers vs one"] == "pass"
    assert v["count_words(jieba-py): workers=2 vs workers=1, a few thousand lines"] == "FAIL"
    assert v["count_words(jieba): workers=2 vs workers=1, real corpus"] == "pass"
    assert "1.85x paired (median of 3 back-to-back pairs); the rows' medians: 1.67x (500.0 ms / 300.0 ms)" in text
    assert "1.75x paired (median of 3 back-to-back pairs); the rows' medians: 1.25x (2.00 s / 1.60 s)" in text


def test_report_peer_target_prefers_the_paired_ratio(tmp_path):
    """A row timed back to back with its target's peer: the median of pairs decides, the rows' ratio is shown."""
    run = synthetic_run()
    for b in run["benchmarks"]:
        if (b["group"], b["extra_info"]["row"]) == ("segment", "fastcount.lcut"):
            b["stats"]["median"] = 1.0  # rows' medians: 0.9x, FAIL without the pairs
            b["extra_info"].update(paired_peer="rjieba.cut", paired_peer_ratios=[1.1, 1.2, 1.15])
    run["benchmarks"] += [
        entry("posseg", "rjieba.tag", 1.0),
        entry("posseg", "fastcount.posseg.lcut", 0.8, paired_peer="rjieba.tag", paired_peer_ratios=[0.9]),
        entry("ngram-spill", "count_ngrams(char 1-4, in memory)", 1.0),
        entry("ngram-spill", "count_ngrams(char 1-4, spilled)", 2.5,  # rows 2.5x: FAIL without the pairs
              paired_peer="count_ngrams(char 1-4, in memory)", paired_peer_ratios=[0.6, 0.5, 0.55]),
    ]
    text = report_text(tmp_path, run)
    v = verdicts(text)
    assert v["fastcount.lcut vs rjieba.cut"] == "pass"
    assert "1.15x paired (median of 3 back-to-back pairs); the rows' medians: 0.90x (900.0 ms / 1.00 s)" in text
    assert v["fastcount.posseg.lcut vs rjieba.tag"] == "FAIL"  # rows 1.25x, pairs 0.9x
    assert v["character 1..4-grams spilled (>= 4 spills) vs in memory"] == "pass"
    assert "1.82x paired (median of 3 back-to-back pairs); the rows' medians: 2.50x (2.50 s / 1.00 s)" in text


def put(run, group, row, seconds, **info):
    """Set ``run``'s row ``row`` of ``group`` (added where absent) to ``seconds``, with ``info``."""
    run["benchmarks"] = [b for b in run["benchmarks"] if (b["group"], b["extra_info"]["row"]) != (group, row)]
    run["benchmarks"].append(entry(group, row, seconds, **info))


#: Targets decided by a row's pairs with its peer (``Bench.paired_against``) since
#: this session: (target, group, peer row, row, threshold, whether lower is better).
PEER_PAIRED = [
    ("keys that are multiples of 2**20 as fast as random keys (HashCounter)", "kernel-layout",
     "HashCounter-random", "HashCounter-strided", 0.75, False),
    ("fastcount.Counter.update vs collections.Counter.update, real jieba tokens", "strings",
     "collections.Counter.update", "fastcount.Counter.update", 1.5, False),
    ("count_words(jieba, workers=1) vs rjieba.cut + collections.Counter", "e2e",
     "rjieba+Counter", "count_words(jieba, workers=1)", 1.5, False),
    ("crafted keys vs random keys, HashCounter.add", "kernel-adversarial",
     "HashCounter-random", "HashCounter-crafted", 2, True),
    ("another table's key order vs the same keys shuffled, into an empty HashCounter", "kernel-adversarial",
     "HashCounter-shuffled", "HashCounter-table-order", 2, True),
    ("fastcount cut, one worker, vs python -m jieba -d ' '", "cut",
     "python -m jieba -d ' '", "fastcount cut (workers=1)", 20, False),
    ("POS counting vs plain count_words, same text, one worker", "e2e-pos",
     "count_words(jieba, workers=1)", "count_words(pos, workers=1)", 2.5, True),
    ("fastcount discover vs the Python reference of the same statistics", "discover",
     "Python reference", "fastcount discover", 20, False),
]


@pytest.mark.parametrize("target, group, peer, row, threshold, cost", PEER_PAIRED)
@pytest.mark.parametrize("rows_pass", [True, False])
def test_report_peer_paired_targets_are_decided_by_their_pairs(tmp_path, target, group, peer, row, threshold,
                                                               cost, rows_pass):
    """Each target paired this session: its pairs decide both ways (a pass its rows'
    medians would fail, a fail they would pass); the rows' ratio is shown beside."""
    good, bad = (0.8, 1.25) if cost else (1.25, 0.8)  # the target's value over its threshold
    rows_value, pairs_value = (good, bad) if rows_pass else (bad, good)
    # A cost is the row's time over the peer's; the pairs hold the peer's time over the row's.
    row_time = threshold * rows_value if cost else 1 / (threshold * rows_value)
    pair = 1 / (threshold * pairs_value) if cost else threshold * pairs_value
    run = synthetic_run()
    put(run, group, peer, 1.0)
    put(run, group, row, row_time, paired_peer=peer, paired_peer_ratios=[pair * 0.95, pair, pair * 1.1])
    text = report_text(tmp_path, run)
    assert verdicts(text)[target] == ("FAIL" if rows_pass else "pass")
    assert f"{threshold * pairs_value:.2f}x paired (median of 3 back-to-back pairs); the rows' medians: " \
           f"{threshold * rows_value:.2f}x" in text
    # Pairs timed against another row are not this target's: the rows' medians decide.
    put(run, group, row, row_time, paired_peer="another row", paired_peer_ratios=[pair])
    assert verdicts(report_text(tmp_path, run))[target] == ("pass" if rows_pass else "FAIL")


GROWTH_TARGETS = {
    "kernel": "per-key cost growth with vocabulary, ids in hand: dict's over HashCounter's",
    "Counter": "per-token cost growth with vocabulary: dict's over fastcount.Counter's",
    "count_words": "per-token cost growth with vocabulary: dict's over count_words(workers=1)'s",
}


def test_report_growth_targets_are_decided_by_their_rounds(tmp_path):
    """The #5 growth targets: the median of the largest row's rounds of four timed back to
    back (``Bench.paired_growth``) decides, where they were timed against the target's
    peer from the smallest row's group; the rows' ratio is shown beside."""
    run = synthetic_run()
    rows = {(b["group"], b["extra_info"]["row"]): b for b in run["benchmarks"]}
    # kernel: rows 1.5x (pass, see above); rounds 0.9x: FAIL
    rows["kernel-zipf-1e+06", "HashCounter"]["extra_info"].update(
        paired_growth_peer="dict", paired_growth_from="kernel-zipf-7e+04", paired_growth_ratios=[0.8, 0.9, 0.95])
    # count_words: 200 -> 900 ns/token (4.5x) against dict's 4x: rows 0.89x (FAIL); rounds 1.3x: pass
    rows["scaling-3e6", "count_words(whitespace, workers=1)"]["stats"]["median"] = 0.9
    rows["scaling-3e6", "count_words(whitespace, workers=1)"]["extra_info"].update(
        paired_growth_peer="dict classic", paired_growth_from="scaling-1e3", paired_growth_ratios=[1.3, 1.2, 1.4])
    # fastcount.Counter: rows 2.67x (pass); rounds from another group than the rows' smallest: not used
    rows["scaling-3e6", "fastcount.Counter classic"]["extra_info"].update(
        paired_growth_peer="dict classic", paired_growth_from="scaling-1e4", paired_growth_ratios=[0.5])
    text = report_text(tmp_path, run)
    v = verdicts(text)
    assert v[GROWTH_TARGETS["kernel"]] == "FAIL"
    assert ("| 0.90x paired (median of 3 back-to-back rounds); the rows' medians: 1.50x = dict 3.00x "
            "(200.0 -> 600.0 ns/key, 70,000 -> 1,000,000 keys) / HashCounter 2.00x") in text
    assert v[GROWTH_TARGETS["count_words"]] == "pass"
    assert "| 1.30x paired (median of 3 back-to-back rounds); the rows' medians: 0.89x = dict 4.00x" in text
    assert v[GROWTH_TARGETS["Counter"]] == "pass"
    assert "| 2.67x = dict 4.00x (100 -> 400 ns/token, 1,000 -> 2,000,000 words) / fastcount.Counter classic" in text
    # Rounds timed against another peer are not this target's either.
    rows["kernel-zipf-1e+06", "HashCounter"]["extra_info"]["paired_growth_peer"] = "Counter"
    assert verdicts(report_text(tmp_path, run))[GROWTH_TARGETS["kernel"]] == "pass"


def test_compare_holds_when_ratios_keep_95_percent(tmp_path, capsys):
    import compare
    base = synthetic_run()
    new = synthetic_run()
    for b in new["benchmarks"]:
        if (b["group"], b["extra_info"]["row"]) == ("segment", "fastcount.lcut"):
            b["stats"]["median"] = 0.9  # 1.5x rjieba -> 1.0x: lost a third
        if (b["group"], b["extra_info"]["row"]) == ("e2e", "count_words(jieba, workers=2)"):
            b["extra_info"]["merge_share"] = 0.036  # a share: lower is better, 20% worse
    paths = []
    for name, run in (("base.json", base), ("new.json", new)):
        paths.append(str(tmp_path / name))
        (tmp_path / name).write_text(json.dumps(run))
    assert compare.main(paths + ["-o", str(tmp_path / "cmp.md")]) == 0
    rows = {cells[1]: (cells[4], cells[5]) for cells in
            ([c.strip() for c in line.strip("|").split("|")] for line in capsys.readouterr().out.splitlines())
            if cells[0].startswith("#")}
    assert rows["fastcount.lcut vs rjieba.cut"] == ("0.67x", "**no**")
    assert rows["count_words(jieba, workers=1) vs jieba.lcut + dict loop"] == ("1.00x", "yes")
    assert rows["count_words(jieba): parent's merge share of the wall time, all workers"][1] == "**no**"
    assert (tmp_path / "cmp.md").read_text().count("\n") == len(rows) + 2
