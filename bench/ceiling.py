"""The stack's ceiling for citizens' writes, shared by bench/proposals.py and bench/budgeting_ballots.py: pgbench's
simple-update rate on a scratch database, and bursts of token-authenticated requests from many client threads
released at once (the same bursts send the trivial view's requests and the measured ones)."""

import re
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

# A request a client sends: (method, path, JSON body, sent twice at the same instant).
Step = tuple[str, str, bytes, bool]


def pgbench_rate(url: str, clients: int, seconds: int) -> float:
    """pgbench's simple-update transactions per second (`pgbench -N`) on the database at `url`."""
    output = subprocess.run(
        ["pgbench", "-N", "-c", str(clients), "-j", "2", "-T", str(seconds), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    if match is None:
        raise RuntimeError(f"pgbench said: {output}")
    return float(match.group(1))


def pgbench_init(url: str) -> None:
    subprocess.run(["pgbench", "-i", "-q", url], capture_output=True, check=True)


def pgbench_clients(connection, wanted: int) -> int:
    """`wanted`, or fewer when the server accepts fewer connections (leaving room for the others' and ours)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int, (SELECT count(*) FROM pg_stat_activity)")
        most, used = cursor.fetchone()
    return max(1, min(wanted, most - used - 10))


def send(url: str, token: str, method: str = "POST", data: bytes = b"{}") -> tuple[int, bytes, float]:
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except OSError as error:
        status, body = 0, str(error).encode()
    return status, body, time.perf_counter() - started


def burst(base: str, tokens: list[str], plans: list[list[Step]]) -> dict:
    """Every client's requests, all clients released at once; rate over the time until the last answer."""
    answers: list[list[tuple[int, bytes, float, str]]] = [[] for _ in tokens]
    started: list[float] = []
    gate = threading.Barrier(len(tokens), action=lambda: started.append(time.perf_counter()))

    def client(index: int) -> None:
        gate.wait()
        for method, path, data, twice in plans[index]:
            if twice:
                pair = threading.Barrier(2)

                def together(_, method=method, path=path, data=data, pair=pair):
                    pair.wait()
                    return send(base + path, tokens[index], method, data)

                with ThreadPoolExecutor(2) as pool:
                    answers[index].extend((*answer, path) for answer in pool.map(together, range(2)))
            else:
                answers[index].append((*send(base + path, tokens[index], method, data), path))

    threads = [threading.Thread(target=client, args=(index,)) for index in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started[0]
    flat = [answer for client_answers in answers for answer in client_answers]
    latencies = sorted(answer[2] for answer in flat)
    return {
        "requests": len(flat),
        "statuses": Counter(answer[0] for answer in flat),
        "answers": answers,
        "elapsed": elapsed,
        "rate": len(flat) / elapsed,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }
