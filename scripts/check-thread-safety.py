#!/usr/bin/env python3
"""Checks Verdict's thread-safety annotations with clang (STYLE.md rule 17).

CI builds with GCC, which ignores ABSL_GUARDED_BY and friends; this runs clang's -Wthread-safety
analysis as a compile-only pass (-fsyntax-only: no code generation, no link) over the project's
own C++ sources listed in a build's compile_commands.json, with that build's flags. Any
thread-safety warning fails the check.

  scripts/check-thread-safety.py BUILD_DIR [-j N] [FILE_REGEX]
"""
import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys

# Flags clang does not know or that only matter to GCC, and -Werror: GCC's build is the judge of
# other warnings (clang has its own, e.g. -Wmissing-field-initializers in libseccomp's macros);
# this pass fails on thread-safety findings only.
DROPPED = {"-Wno-restrict", "-Werror"}
THREAD_SAFETY = ["-Wthread-safety", "-Wthread-safety-beta", "-Werror=thread-safety",
                 "-Werror=thread-safety-beta"]


def clang_command(entry, clang):
    args = entry.get("arguments") or shlex.split(entry["command"])
    # Drop a compiler launcher (ccache) and the compiler itself.
    while args and not args[0].startswith("-") and (
            os.path.basename(args[0]) in ("ccache", "sccache") or
            re.search(r"(^|/)(c\+\+|g\+\+|clang\+\+)[-0-9.]*$", args[0])):
        args = args[1:]
    out, skip = [clang], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a in DROPPED:
            continue
        out.append(a)
    return out + ["-fsyntax-only"] + THREAD_SAFETY


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("build_dir")
    p.add_argument("filter", nargs="?", default="", help="only files matching this regex")
    p.add_argument("-j", type=int, default=os.cpu_count() or 1)
    p.add_argument("--clang", default="clang++")
    a = p.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(a.build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    build = os.path.abspath(a.build_dir)
    jobs = []
    for e in entries:
        path = os.path.abspath(os.path.join(e["directory"], e["file"]))
        rel = os.path.relpath(path, root)
        # Our own C++ only: not generated code (the build dir), not CUDA.
        if rel.startswith("..") or path.startswith(build + os.sep) or not rel.endswith(".cc"):
            continue
        if a.filter and not re.search(a.filter, rel):
            continue
        jobs.append((rel, e))
    if not jobs:
        print("check-thread-safety: no sources matched", file=sys.stderr)
        return 2

    def run(job):
        rel, e = job
        r = subprocess.run(clang_command(e, a.clang), cwd=e["directory"], capture_output=True,
                           text=True)
        return rel, r.returncode, r.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as pool:
        for rel, rc, err in pool.map(run, sorted(jobs, key=lambda j: j[0])):
            if rc != 0:
                failed += 1
                print(f"== {rel}\n{err}", end="" if err.endswith("\n") else "\n")
    print(f"check-thread-safety: {len(jobs)} files, {failed} with errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
