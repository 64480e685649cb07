"""The machine's own two-core speedup, the ceiling of every two-worker target.

Group "machine": the same pure-Python loop (no memory traffic, no I/O, no
fastcount) in one process, and in two processes at once, each doing that
same work.  Two processes take as long as one on a machine whose cores are
independent; on a shared VM they may not (its two vCPUs can share a physical
core or be slowed by the host).  The report shows 2 x time(one) / time(two):
what a perfect two-worker program could reach here, to read the
"workers=2 vs workers=1 >= 1.7x" targets against.

The processes are started (forked) before the timing and kept for the whole
group, so that the rows time the work alone, not process start-up.
"""

import multiprocessing

import pytest

import benchlib

#: Iterations of the loop per process (a fraction of a second: the rows' times say how much).
LOOP = 3_000_000
SMOKE_LOOP = 10_000


@pytest.fixture(scope="module")
def pool():
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(2) as p:
        p.map(benchlib.spin, [1, 1], chunksize=1)  # both processes started
        yield p


@pytest.mark.parametrize("processes", [1, 2])
def test_machine_two_cores(bench, scale, pool, processes):
    """The loop in 1 process, then in 2 at once (each the same work)."""
    if benchlib.cores() < 2:
        pytest.skip("one core: no two-process row")
    n = SMOKE_LOOP if scale.smoke else LOOP
    row = "pure-Python loop, 1 process" if processes == 1 else "pure-Python loop, 2 processes at once"
    result = bench("machine", row,
                   lambda: pool.map(benchlib.spin, [n] * processes, chunksize=1), workers=processes, loop=n)
    assert result == [benchlib.spin(n)] * processes
