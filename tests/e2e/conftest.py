"""Shared by the Python end-to-end tests: the client package from this checkout, with its stubs
generated from proto/ when missing or stale, and the `verdict` binary under test."""
import os
import runpy
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENT = os.path.join(ROOT, "clients", "python")
sys.path.insert(0, CLIENT)
# By path: importing the package needs the stubs this generates.
runpy.run_path(os.path.join(CLIENT, "verdict", "_codegen.py"))["ensure"](os.path.join(ROOT, "proto"), CLIENT)
BINARY = os.environ.get("VERDICT_BIN", os.path.join(ROOT, "build", "release", "cli", "verdict"))
