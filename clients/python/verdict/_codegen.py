"""Generates verdict/v1/verdict_pb2*.py from the .proto with grpc_tools (build time only)."""
import os
import sys


def generate(proto_root: str, out_root: str) -> None:
    from grpc_tools import protoc  # imported lazily: only needed to build

    proto = os.path.join("verdict", "v1", "verdict.proto")
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    os.makedirs(os.path.join(out_root, "verdict", "v1"), exist_ok=True)
    code = protoc.main(["protoc", f"-I{proto_root}", f"-I{include}",
                        f"--python_out={out_root}", f"--grpc_python_out={out_root}", proto])
    if code != 0:
        sys.exit(f"protoc failed on {proto}")
    init = os.path.join(out_root, "verdict", "v1", "__init__.py")
    if not os.path.exists(init):
        open(init, "w").close()


if __name__ == "__main__":
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    generate(os.path.join(here, "..", "..", "proto"), here)


def ensure(proto_root: str, out_root: str) -> None:
    """Generates the stubs when they are missing or older than the .proto (checkouts, tests)."""
    proto = os.path.join(proto_root, "verdict", "v1", "verdict.proto")
    stub = os.path.join(out_root, "verdict", "v1", "verdict_pb2.py")
    if not os.path.exists(stub) or os.path.getmtime(stub) < os.path.getmtime(proto):
        generate(proto_root, out_root)
