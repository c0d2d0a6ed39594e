"""The installed wheel, without the source tree: run by tests/install/check-python.sh in a fresh
venv whose PATH has no Rust toolchain, from a directory outside the repository.

    python smoke.py VERSION README.md python/README.md

Checks that the package is the installed one (native module inside the venv, abi3), that no
cargo or rustc could have built it, that it works (a charge, a refusal with its figures, the
SQLite store across a reopen, a statement), then runs the Python examples of both READMEs as
written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import sys
import sysconfig
import tempfile
from decimal import Decimal
from pathlib import Path

version, *readmes = sys.argv[1:]
assert shutil.which("cargo") is None and shutil.which("rustc") is None, "a Rust toolchain is on PATH"

import creditbook  # noqa: E402
from creditbook import _creditbook  # noqa: E402

site = Path(sysconfig.get_paths()["purelib"]).resolve()
native = Path(_creditbook.__file__).resolve()
assert site in native.parents, f"{native} is not the installed module (site-packages: {site})"
assert native.name.endswith(".abi3.so"), f"{native.name} is not an abi3 module"
assert creditbook.__version__ == version, (creditbook.__version__, version)

# What PyPI shows: the metadata and the licence files travel with the wheel.
from importlib import metadata  # noqa: E402

meta = metadata.metadata("creditbook")
assert meta["Requires-Python"] == ">=3.11", meta["Requires-Python"]
assert meta["License-Expression"] == "MIT OR Apache-2.0", meta["License-Expression"]
assert "pip install creditbook" in (meta.get_payload() or ""), "the description is not python/README.md"
licences = {Path(str(f)).name for f in metadata.files("creditbook") or [] if "licenses" in str(f)}
assert {"LICENSE-MIT", "LICENSE-APACHE"} <= licences, licences

settings = creditbook.StoreSettings(name="Quincaillerie Lapointe", currency="CAD",
                                    timezone="America/Montreal", languages=["fr", "en"])
at = dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.timezone.utc)
path = os.path.join(tempfile.mkdtemp(), "smoke.sqlite3")
book = creditbook.Book(settings, store=creditbook.SqliteStore(path))
book.open_account("C-9", customer_name="Luc Gagnon", language="fr", credit_limit=Decimal("100.00"), at=at,
                  op_id="o1", actor=creditbook.Actor("emp-1", ["credit_limit"]))
book.charge("C-9", Decimal("42.50"), at=at, op_id="o2")
try:
    book.charge("C-9", Decimal("60.00"), at=at, op_id="o3")
    raise AssertionError("an over-limit charge went through")
except creditbook.CreditLimitExceeded as e:
    assert (e.code, e.available, e.requested) == (300, Decimal("57.50"), Decimal("60.00"))
del book
reopened = creditbook.Book(settings, store=creditbook.SqliteStore(path))
assert reopened.summary("C-9", as_of=dt.date(2026, 11, 3)).balance_owed == Decimal("42.50")
text = reopened.statement("C-9", start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)).to_text(width=60)
assert "Relevé" in text and "42,50" in text, text

ran = 0
for readme in readmes:
    source = Path(readme).read_text(encoding="utf-8")
    if "\n## Quickstart (Python)\n" in source:  # the project README: its Python section only
        source = source.split("\n## Quickstart (Python)\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", source, flags=re.S)
    assert blocks, f"{readme} has no Python example"
    for block in blocks:
        with contextlib.redirect_stdout(io.StringIO()):  # what the examples print is not checked here
            exec(compile(block, readme, "exec"), {"__name__": "readme"})
        ran += 1
print(f"smoke: creditbook {version} from {native.name} on Python {sys.version.split()[0]}, "
      f"no Rust on PATH; {ran} README examples ran")
