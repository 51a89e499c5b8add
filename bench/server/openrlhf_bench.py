"""Times POST /openrlhf on a local `verdict serve` with N queries in OpenRLHF's request shape
(openrlhf/utils/remote_rm_utils.py: {"query", "prompts", "labels"}), groups of 8 per prompt.

    python3 bench/server/openrlhf_bench.py BINARY [N ...]      (loopback only)

Prints, per N, the wall time of the call and the server's share of it (the call minus the
client's JSON encode/decode), so a quadratic request parse shows as time growing with N^2.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

GOOD = "<think>6*7=42</think><answer>42</answer><|im_end|>"
WRONG = "<think>6*7=41</think><answer>41</answer><|im_end|>"


def start(binary):
    tmp = tempfile.mkdtemp()
    ports = os.path.join(tmp, "ports")
    proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--http-listen",
                             "127.0.0.1:0", "--port-file", ports], stderr=subprocess.DEVNULL)
    for _ in range(600):
        if os.path.exists(ports) and len(open(ports).read().split()) >= 2:
            break
        time.sleep(0.05)
    return proc, open(ports).read().split()[-1]


def main():
    binary = sys.argv[1]
    sizes = [int(x) for x in sys.argv[2:]] or [15000, 30000, 60000, 120000]
    proc, http = start(binary)
    try:
        for n in sizes:
            prompts = [f"<|im_start|>user\nQ{i // 8}: 6*7?<|im_end|>\n<|im_start|>assistant\n"
                       for i in range(n)]
            queries = [p + (GOOD if i % 2 == 0 else WRONG) for i, p in enumerate(prompts)]
            body = json.dumps({"query": queries, "prompts": prompts,
                               "labels": ["42"] * n}).encode()
            req = urllib.request.Request(http + "/openrlhf", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
            t0 = time.perf_counter()
            with urllib.request.urlopen(req, timeout=600) as r:
                out = json.loads(r.read())
            dt = time.perf_counter() - t0
            mean = sum(out["rewards"]) / n
            print(f"n={n:7d}  {dt:7.2f} s  {n / dt:9.0f} queries/s  mean reward {mean:.3f}",
                  flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


if __name__ == "__main__":
    main()
