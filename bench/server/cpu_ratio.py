"""CPU seconds to score the same rollouts in-process (`verdict score`) and through a local
server (`verdict score --server`: client + server), printed in one run, with their ratio
(in-process / service; 1.0 = the service path costs nothing extra).

    python3 bench/server/cpu_ratio.py BINARY [GROUPS] [GROUP_SIZE]      (loopback/Unix only)

The rollouts are synthetic R1-style completions (right, wrong, unformatted), default
12,000 groups x 8 = 96,000. The server's CPU is read from its process_cpu_seconds_total metric
before and after; the clients' from getrusage of the child processes.
"""
import json
import os
import random
import resource
import signal
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


def main():
    binary = sys.argv[1]
    groups = int(sys.argv[2]) if len(sys.argv) > 2 else 12000
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    tmp = tempfile.mkdtemp()
    data = os.path.join(tmp, "rollouts.jsonl")
    make_input(data, groups, size)
    n = groups * size

    c0, t0 = child_cpu(), time.perf_counter()
    subprocess.run([binary, "score", "--input", data, "--output", os.devnull], check=True,
                   stderr=subprocess.DEVNULL)
    inproc_cpu, inproc_wall = child_cpu() - c0, time.perf_counter() - t0

    sock, ports = os.path.join(tmp, "v.sock"), os.path.join(tmp, "ports")
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
                        os.devnull] + sys.argv[4:], check=True, stderr=subprocess.DEVNULL)
        client_cpu, wall = child_cpu() - c0, time.perf_counter() - t0
        srv_cpu = server_cpu(http) - s0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    service_cpu = client_cpu + srv_cpu
    print(f"{n} rollouts ({groups} groups of {size})")
    print(f"in-process : {inproc_cpu:6.2f} CPU s  {inproc_wall:6.2f} s wall")
    print(f"--server   : {service_cpu:6.2f} CPU s  {wall:6.2f} s wall  "
          f"(client {client_cpu:.2f}, server {srv_cpu:.2f})")
    print(f"ratio in-process/service CPU: {inproc_cpu / service_cpu:.2f}")


if __name__ == "__main__":
    main()
