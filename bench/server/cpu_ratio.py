"""CPU seconds to score the same rollouts in-process (`verdict score`) and through a local
server (`verdict score --server`: client + server), printed in one run, with their ratio
(in-process / service; 1.0 = the service path costs nothing extra).

    python3 bench/server/cpu_ratio.py BINARY [GROUPS] [GROUP_SIZE] [--repeat N] [CLIENT ARGS]
    (loopback/Unix only; CLIENT ARGS go to the --server run, e.g. --batch-groups 64)

The rollouts are synthetic R1-style completions (right, wrong, unformatted), default
48,000 groups x 8 = 384,000 (about 1.5 CPU s a run: shorter runs are mostly
noise on a shared machine). The server's CPU is read from its process_cpu_seconds_total metric
before and after; the clients' from getrusage of the child processes.

The two paths run alternately, N times each (default 5), a fresh server each time, and every
run is printed. On a machine that others share, CPU seconds only grow with contention (cache
and frequency loss, not work), so the ratio printed last is of each path's least-disturbed
(minimum) run; beside it, the ratio of the medians and the median of the per-run ratios (each
from two runs minutes apart at most, so the least moved by a machine that slows and speeds up).
"""
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def make_input(path, groups, size):
    rng = random.Random(42)
    with open(path, "w") as f:
        for g in range(groups):
            a, b = rng.randint(2, 99), rng.randint(2, 99)
            comps = []
            for _ in range(size):
                kind = rng.random()
                think = f"<think>We need {a} times {b}. " + "Let me compute step by step. " * 8
                if kind < 0.5:
                    comps.append(f"{think}</think><answer>{a * b}</answer>")
                elif kind < 0.8:
                    comps.append(f"{think}</think><answer>{a * b + 1}</answer>")
                else:
                    comps.append(f"{think} so the answer is \\boxed{{{a * b}}}")
            f.write(json.dumps({"id": str(g), "prompt": f"What is {a}*{b}?", "gold": str(a * b),
                                "completions": comps}) + "\n")


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def server_cpu(http):
    with urllib.request.urlopen(http + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("process_cpu_seconds_total "):
                return float(line.split()[1])
    raise RuntimeError("no process_cpu_seconds_total")


def run_in_process(binary, data):
    c0, t0 = child_cpu(), time.perf_counter()
    subprocess.run([binary, "score", "--input", data, "--output", os.devnull], check=True,
                   stderr=subprocess.DEVNULL)
    return child_cpu() - c0, time.perf_counter() - t0


def run_service(binary, data, tmp, client_args):
    """(client CPU s, server CPU s, wall s) of one --server run against a fresh server."""
    sock, ports = os.path.join(tmp, "v.sock"), os.path.join(tmp, "ports")
    for path in (sock, ports):
        if os.path.exists(path):
            os.unlink(path)
    server = subprocess.Popen([binary, "serve", "--listen", "unix:" + sock, "--http-listen",
                               "127.0.0.1:0", "--port-file", ports], stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if os.path.exists(ports) and len(open(ports).read().split()) >= 2:
                break
            time.sleep(0.05)
        http = open(ports).read().split()[-1]
        s0, c0, t0 = server_cpu(http), child_cpu(), time.perf_counter()
        subprocess.run([binary, "score", "--server", "unix:" + sock, "--input", data, "--output",
                        os.devnull] + client_args, check=True, stderr=subprocess.DEVNULL)
        client_cpu, wall = child_cpu() - c0, time.perf_counter() - t0
        return client_cpu, server_cpu(http) - s0, wall
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def usage_exit(message=None):
    """Prints the usage (and `message`, an error, to stderr with status 2); exits."""
    if message is None:
        print(__doc__.strip())
        sys.exit(0)
    print(f"cpu_ratio.py: {message}\n\n{__doc__.strip()}", file=sys.stderr)
    sys.exit(2)


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        usage_exit(None if args else "no BINARY given")
    repeat = 5
    if "--repeat" in args:
        i = args.index("--repeat")
        if i + 1 >= len(args) or not args[i + 1].isdigit() or int(args[i + 1]) < 1:
            usage_exit("--repeat needs a count >= 1")
        repeat = int(args[i + 1])
        del args[i:i + 2]
    positional = []
    while args and not args[0].startswith("-") and len(positional) < 3:
        positional.append(args.pop(0))
    if not positional:
        usage_exit("no BINARY given")
    if not all(p.isdigit() and int(p) > 0 for p in positional[1:]):
        usage_exit("GROUPS and GROUP_SIZE must be positive integers")
    binary = positional[0]
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        usage_exit(f"{binary} is not an executable file")
    groups = int(positional[1]) if len(positional) > 1 else 48000
    size = int(positional[2]) if len(positional) > 2 else 8
    tmp = tempfile.mkdtemp()
    data = os.path.join(tmp, "rollouts.jsonl")
    make_input(data, groups, size)
    print(f"{groups * size} rollouts ({groups} groups of {size}), {repeat} runs of each path")
    inproc, service, ratios = [], [], []
    for r in range(repeat):
        cpu, wall = run_in_process(binary, data)
        inproc.append(cpu)
        client, srv, swall = run_service(binary, data, tmp, args)
        service.append(client + srv)
        ratios.append(cpu / (client + srv))
        print(f"run {r + 1}: in-process {cpu:6.2f} CPU s {wall:6.2f} s wall | --server "
              f"{client + srv:6.2f} CPU s {swall:6.2f} s wall (client {client:.2f}, server "
              f"{srv:.2f}) | ratio {cpu / (client + srv):.2f}")
    median = statistics.median
    print(f"in-process : min {min(inproc):6.2f} CPU s  median {median(inproc):6.2f}")
    print(f"--server   : min {min(service):6.2f} CPU s  median {median(service):6.2f}")
    print(f"ratio in-process/service CPU: {min(inproc) / min(service):.2f} "
          f"(medians {median(inproc) / median(service):.2f}, median per-run ratio "
          f"{median(ratios):.2f})")


if __name__ == "__main__":
    main()
