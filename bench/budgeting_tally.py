"""Time to count a participatory-budgeting vote (participation.budgeting: pabulib + tally), issue 17.

1. Warsaw-Mokotów 2023 (11,067 ballots, 81 projects, the real file in tests/budgeting/data/pabulib): read, build the
   pabutools election, then each rule of `tally`: median of 3 runs each. Goal: < 5 s per rule.
2. A generated city of 1,000,000 voters and 200 projects (seeded, so every run counts the same file):
   project popularity falls off as 1 / rank^0.9 (a few popular projects, a long tail), each voter approves
   1 to 15 projects (mostly 2 to 5, as in Warsaw's ballots), costs from 20,000 to 2,000,000 log-uniform,
   budget 25,000,000. Written as a .pb to a temporary file, then for each of greedy and mes-add1 a fresh
   process reads it, builds the election (identical ballots grouped, as pb_tally does) and counts it:
   wall time and peak memory (VmHWM) after each step. Goal: < 5 minutes per rule.

No database.

    .venv/bin/python bench/budgeting_tally.py
    BENCH_VOTERS=100000 .venv/bin/python bench/budgeting_tally.py    # a quick run
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VENDORED = ROOT / "tests" / "budgeting" / "data" / "pabulib"
PABULIB_DATA = Path(os.environ.get("PABULIB_DATA", VENDORED if VENDORED.is_dir() else "/work/shared/data/pabulib"))
MOKOTOW = PABULIB_DATA / "Poland_Warszawa_2023_Mokotow.pb"
VOTERS = int(os.environ.get("BENCH_VOTERS", "1000000"))
PROJECTS = 200
BUDGET = 25_000_000
SEED = 17
RUNS = 3


def peak_mb() -> float:
    """Return this process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    from the parent through fork and exec, so a fresh process would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(function, runs: int = RUNS) -> tuple[float, float, object]:
    """Return the median wall time, the median CPU time of this process and the last result: on a
    machine shared with other work the CPU time is the steadier figure."""
    walls, cpus = [], []
    result = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def mokotow() -> None:
    from participation.budgeting.pabulib import read_pb, to_pabutools
    from participation.budgeting.tally import RULES, tally

    print(f"Warsaw-Mokotów 2023 ({MOKOTOW.name}), median of {RUNS}")
    wall, cpu, election = median_time(lambda: read_pb(MOKOTOW))
    print(f"  {'read':18}  {wall:8.2f} s wall  {cpu:8.2f} s CPU")
    wall, cpu, (instance, profile) = median_time(lambda: to_pabutools(election, multiprofile=True))
    print(f"  {'build':18}  {wall:8.2f} s wall  {cpu:8.2f} s CPU  ({len(profile)} distinct ballots)")
    official = {project.project_id for project in election.projects if project.funded}
    for rule in RULES:
        wall, cpu, outcome = median_time(lambda rule=rule: tally(instance, profile, rule, threshold="0.1"))
        note = "official winners" if set(outcome.selected) == official else f"{len(outcome.selected)} funded"
        print(f"  {rule:18}  {wall:8.2f} s wall  {cpu:8.2f} s CPU  {note}")


def generate(path: Path) -> None:
    """Write the generated election to `path` (numpy for the draws: a million weighted samples)."""
    import numpy as np

    from participation.budgeting.pabulib import PbProject, PbVote, write_pb_to

    rng = np.random.default_rng(SEED)
    ids = [str(number) for number in range(1, PROJECTS + 1)]
    costs = np.round(np.exp(rng.uniform(np.log(20_000), np.log(2_000_000), PROJECTS)), -3)
    popularity = 1 / np.arange(1, PROJECTS + 1) ** 0.9
    popularity = popularity[rng.permutation(PROJECTS)]
    sizes = np.clip(rng.poisson(3.2, VOTERS) + 1, 1, 15)
    votes = []
    batch = 50_000
    log_weights = np.log(popularity)
    for start in range(0, VOTERS, batch):
        count = min(batch, VOTERS - start)
        # Weighted sampling without replacement: the k largest of log(weight) + Gumbel noise.
        keys = log_weights + rng.gumbel(size=(count, PROJECTS))
        top = np.argsort(-keys, axis=1)[:, :15]
        for row in range(count):
            chosen = top[row, : sizes[start + row]]
            votes.append(PbVote(str(start + row + 1), tuple(ids[index] for index in sorted(chosen))))
    projects = [PbProject(ids[index], Decimal(int(costs[index])), name=f"Project {ids[index]}") for index in range(200)]
    meta = {
        "description": "Generated city, bench/budgeting_tally.py",
        "country": "Nowhere",
        "unit": "Bench",
        "instance": "1",
        "budget": BUDGET,
        "vote_type": "approval",
        "rule": "greedy",
    }
    with path.open("w", encoding="utf-8") as output:
        write_pb_to(output, meta, projects, votes)


def child(path: str, rule: str) -> None:
    """Read, build and count in this fresh process, printing time and peak memory of each step."""
    from participation.budgeting.pabulib import read_pb, to_pabutools
    from participation.budgeting.tally import tally

    def step(name: str, wall: float, cpu: float, end: str = "\n") -> None:
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"    {name:6} {wall:7.1f} s wall {cpu:7.1f} s CPU  peak {peak_mb():5.0f} MB", end=end, flush=True)

    wall, cpu = time.perf_counter(), time.process_time()
    election = read_pb(path)
    step("read", wall, cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    instance, profile = to_pabutools(election, multiprofile=True)
    del election
    step("build", wall, cpu, end="")
    print(f"  ({len(profile)} distinct ballots)")
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = tally(instance, profile, rule)
    step("tally", wall, cpu, end="")
    extra = ""
    if rule == "mes-add1":
        extra = f", {outcome.rounds[0]['increments']} increments of the voters' share"
    print(f"  ({len(outcome.selected)} funded, {float(outcome.used):,.0f} of {float(outcome.budget):,.0f}{extra})")


def large() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.pb"
        start = time.perf_counter()
        generate(path)
        size = path.stat().st_size / 1e6
        print(
            f"Generated city: {VOTERS:,} voters, {PROJECTS} projects, budget {BUDGET:,} "
            f"({size:.0f} MB .pb written in {time.perf_counter() - start:.0f} s)"
        )
        for rule in ("greedy", "mes-add1"):
            print(f"  {rule} (fresh process)", flush=True)
            start = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--child", str(path), rule], check=True)
            print(f"    total  {time.perf_counter() - start:8.1f} s", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        if os.environ.get("BENCH_PARTS", "mokotow,large").find("mokotow") >= 0:
            mokotow()
        if os.environ.get("BENCH_PARTS", "mokotow,large").find("large") >= 0:
            large()
