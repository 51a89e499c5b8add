"""Generates verdict/v1/verdict_pb2*.py from the .proto with grpc_tools (build time only)."""
import os
import re
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
    for name in ("verdict_pb2.py", "verdict_pb2_grpc.py"):
        _drop_version_guards(os.path.join(out_root, "verdict", "v1", name))
    init = os.path.join(out_root, "verdict", "v1", "__init__.py")
    if not os.path.exists(init):
        open(init, "w").close()


# Stubs from a recent grpcio-tools refuse to import under an older runtime: the _pb2 module calls
# google.protobuf.runtime_version (protobuf >= 5.26 only; protobuf 4.25 fails with "cannot import
# name 'runtime_version'") and the _grpc module raises unless grpcio >= the generator's version.
# The code they guard only uses APIs that protobuf >= 3.21 and grpcio >= 1.51 have (builder,
# AddSerializedFile, unary/stream multicallables), the range pyproject.toml declares, and the
# e2e tests import the package under protobuf 3.21 and 4.25. So the guards are removed.
_PB2_GUARD = re.compile(r"^from google\.protobuf import runtime_version as _runtime_version\n"
                        r"|^_runtime_version\.ValidateProtobufRuntimeVersion\(\n(?:.*\n)*?\)\n",
                        re.MULTILINE)
_GRPC_GUARD = re.compile(r"^GRPC_GENERATED_VERSION = .*?\n\n\n(?=class |def |import )", re.MULTILINE | re.DOTALL)


def _drop_version_guards(path: str) -> None:
    with open(path) as f:
        text = f.read()
    text = _PB2_GUARD.sub("", text)
    text = _GRPC_GUARD.sub("", text)
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    generate(os.path.join(here, "..", "..", "proto"), here)


def ensure(proto_root: str, out_root: str) -> None:
    """Generates the stubs when they are missing or older than the .proto (checkouts, tests)."""
    proto = os.path.join(proto_root, "verdict", "v1", "verdict.proto")
    stub = os.path.join(out_root, "verdict", "v1", "verdict_pb2.py")
    if (not os.path.exists(stub) or os.path.getmtime(stub) < os.path.getmtime(proto)
            or "_runtime_version" in open(stub).read()):
        generate(proto_root, out_root)
