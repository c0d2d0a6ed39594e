#!/usr/bin/env python3
"""make rust-version: the workspace's declared rust-version is the lowest the locked dependencies
allow: the highest `rust-version` among the packages Cargo.lock resolves (every dependency, build
and dev dependency, on every platform, as `cargo metadata --locked` reads them from their
Cargo.toml in the registry). Fails when a dependency asks for more than the workspace declares
(an update raised it: declare the new one, or `cargo update -p X --precise V` back) and when the
workspace declares more than its dependencies need (it would turn away toolchains that work).

Only one toolchain is installed here, so the check reads the dependencies' declarations instead
of building with the older compiler; clippy's `incompatible_msrv` lint (make lint) covers the
workspace's own use of newer standard-library APIs.
"""
import json
import re
import subprocess
import sys

cargo = sys.argv[1] if len(sys.argv) > 1 else "cargo"
meta = json.loads(subprocess.run([cargo, "metadata", "--format-version", "1", "--locked"],
                                 check=True, capture_output=True, text=True).stdout)


def key(v):
    return tuple(int(x) for x in v.split("."))


members = set(meta["workspace_members"])
resolved = {node["id"] for node in meta["resolve"]["nodes"]}
declared = {p["rust_version"] for p in meta["packages"] if p["id"] in members}
if len(declared) != 1 or None in declared:
    sys.exit(f"rust-version: the workspace's crates declare {sorted(map(str, declared))}, not one version")
declared = declared.pop()
needs = sorted(((key(p["rust_version"]), p["name"], p["version"], p["rust_version"])
                for p in meta["packages"]
                if p["id"] in resolved and p["id"] not in members and p["rust_version"]),
               reverse=True)
top = needs[0][0]
highest = [f"{name} {version}" for k, name, version, _ in needs if k == top]
need = needs[0][3]
if key(declared) < top:
    sys.exit(f"rust-version: the workspace declares {declared}, but {', '.join(highest)} ask(s) for "
             f"{need}: raise rust-version in Cargo.toml (and README.md, docs/install.md) or "
             f"`cargo update -p <crate> --precise <older version>`")
if key(declared) > top:
    sys.exit(f"rust-version: the workspace declares {declared}, but its locked dependencies need only "
             f"{need} ({', '.join(highest)}): lower it to {need}")
print(f"rust-version: {declared}, the lowest the locked dependencies allow ({', '.join(highest)})")
