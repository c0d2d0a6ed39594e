#!/usr/bin/env python3
"""Writes the NULL sweep of the C API: a C program that calls every function of
include/creditbook.h once with each of its pointer parameters NULL (and every other argument a
plausible valid value), and once with every argument valid.

Usage: null_sweep.py OUT_DIR [HEADER]   (writes OUT_DIR/null_sweep.c; HEADER defaults to
include/creditbook.h). The Makefile's c-test builds the program under AddressSanitizer+UBSan and
under valgrind; never commit the generated file.

What the program checks, for each call: it returns; its result is a known code
(creditbook_result_name is not "UNKNOWN") and never CREDITBOOK_RESULT_PANIC; NULL for a parameter
the header documents as required is CREDITBOOK_RESULT_NULL_PARAMETER (so never OK); on any failure
every out-parameter still holds its sentinel bytes and nothing was recorded on the account; on
success whatever was allocated is released with its free function. The store, mailer and payment
provider sinks exist only inside callbacks: in the main sweep they are NULL, and the program's
stub callbacks sweep the other parameters once with the real sink.

The generator fails (exit status 1) on a return or parameter type it does not know, so that a
function added to the header is never skipped in silence.
"""

import os
import re
import sys

# Panics by design (its own test is in tests/c/test_api.c).
SKIPPED = {"creditbook_test_force_panic"}

# The handles the program makes in its setup, by type.
HANDLES = {
    "creditbook_settings": "S",
    "creditbook_book": "B",
    "creditbook_statement": "ST",
    "creditbook_message": "M",
    "creditbook_sqlite_store": "SQ",
    # NULL unless CREDITBOOK_PG_DSN names a server (make pg-faces): see SERVER_REFUSALS.
    "creditbook_postgres_store": "PG",
}

# Sinks exist only inside the callback that receives them: NULL in the main sweep. Each maps to
# the stub callback of the program that sweeps its functions with the real sink.
SINKS = {
    "creditbook_string_sink": "the mailer's send and the payment provider's create_link",
    "creditbook_entry_sink": "the store's load",
    "creditbook_id_sink": "the store's account_ids",
}

# Input structs passed by pointer: a plausible valid value (a C expression of the struct type).
IN_STRUCTS = {
    "creditbook_operation": "make_op()",
    "creditbook_customer": "make_customer()",
    "creditbook_date": "DUE",
    "creditbook_statement_request": "make_request()",
    "creditbook_accounts_query": "make_query()",
    "creditbook_postal_address": "(creditbook_postal_address){0}",
    "creditbook_pdf_options": "(creditbook_pdf_options){0}",
    "creditbook_automation": "(creditbook_automation){0}",
    "creditbook_store_callbacks": "stub_store",
    "creditbook_mailer_callbacks": "stub_mailer",
    "creditbook_payment_provider_callbacks": "stub_provider",
}

# Structs written through an out-parameter that own nothing (borrowed pointers at most).
PLAIN_OUT_STRUCTS = {
    "creditbook_outcome",
    "creditbook_summary",
    "creditbook_statement_figures",
    "creditbook_statement_payment_link",
    "creditbook_message_view",
    "creditbook_automation",
    "creditbook_confirmation",
}

# Scalars written through an out-parameter.
PLAIN_OUT_SCALARS = {"int64_t", "uint32_t", "bool", "size_t", "creditbook_link_status"}

# Arrays given as pointer + count: the array's C type, its elements and its count's name.
ARRAYS = {
    ("const char *const *", "codes"): ("const char *", '"en", "fr"', "count"),
    ("const uint32_t *", "bounds"): ("uint32_t", "30, 60, 90", "count"),
    ("const uint32_t *", "types"): ("uint32_t", "CREDITBOOK_ENTRY_TYPE_CHARGE", "type_count"),
    ("const uint64_t *", "invoices"): ("uint64_t", "INVOICE", "invoice_count"),
    ("const struct creditbook_statement *const *", "statements"): (
        "const creditbook_statement *",
        "ST",
        "count",
    ),
}

# Valid strings by parameter name; any other name gets a short plain string.
STRINGS = {
    "account": "acct",
    "currency": '"CAD"',
    "timezone": '"America/Montreal"',
    "name": '"Sweep store"',
    "to": '"marie@example.com"',
    "from": '"store@example.com"',
    "notices_to": '"store@example.com"',
    "own": '"en"',
    "country": '"CA"',
    "text": '"12.50"',
    "percent_text": '"1"',
    "actor_id": '"emp-1"',
    "provider_payment_id": "unique_id",
    "sale": '"S-1"',
    # A file in the sweep's temporary directory (made in setup, removed at the end).
    "path": "sqlite_path",
    # $CREDITBOOK_PG_DSN, else PG_NO_SERVER: a socket that does not exist, refused at once.
    "dsn": "pg_dsn",
}
PLAIN_STRING = '"sweep"'

SCALAR_TYPES = {"int64_t", "uint64_t", "int32_t", "uint32_t", "size_t", "bool"}

# Valid scalars by parameter name; any other name gets 1 (true for a bool).
SCALARS = {
    "at": "AT",
    "date": "AT",
    "minor_units": "1250",
    "amount": "1000",
    "sale_due": "1000",
    "limit": "500000",
    "max": "100000",
    "invoice": "INVOICE",
    "entry": "INVOICE",
    "width": "80",
    "days": "30",
    "link_days": "30",
    "deposit_request_days": "14",
    "terms_days": "0",
    "with_link": "-1",
    "result": "CREDITBOOK_RESULT_OK",
    "format": "CREDITBOOK_STATEMENT_FORMAT_HTML",
    "kind": "CREDITBOOK_TERMS_KIND_NET",
    "terms_kind": "CREDITBOOK_TERMS_KIND_STORE",
    "limit_kind": "CREDITBOOK_LIMIT_KIND_AMOUNT",
    "change": "CREDITBOOK_STATUS_CHANGE_HOLD",
    "direction": "CREDITBOOK_DIRECTION_DEBIT",
    "purpose": "CREDITBOOK_LINK_PURPOSE_BALANCE",
    "currency_display": "CREDITBOOK_CURRENCY_DISPLAY_SYMBOL",
    "flag": "CREDITBOOK_SETTING_FLAG_REFUNDS_TO_CREDIT",
    "permissions": "ALL_PERMISSIONS",
    "synchronous": "CREDITBOOK_SQLITE_SYNCHRONOUS_NORMAL",
    "busy_timeout_ms": "1000",
}

# Dates by value, by name.
DATES = {"from": "FROM", "to": "TO", "as_of": "TO", "day": "TO"}

# Optional parameters whose documentation says "NULL: ..." in prose without naming them: each
# with the words its function's documentation must hold (checked, so that the table cannot go
# stale in silence). Every other optional parameter is found by its name in backticks.
PROSE_OPTIONAL = {
    ("creditbook_book_new_with_ports", "store"): "`creditbook_book_new` with",
    ("creditbook_book_new_with_ports", "mailer"): "each copied; NULL: none",
    ("creditbook_book_new_with_ports", "payment_provider"): "each copied; NULL: none",
    ("creditbook_settings_set_message_addresses", "from"): "of its messages (NULL: none)",
    ("creditbook_settings_set_message_addresses", "notices_to"): "(NULL: `from`)",
    ("creditbook_settings_set_statement_texts", "cheques_payable_to"): "(NULL or empty",
    ("creditbook_settings_set_statement_texts", "header_text"): "(NULL: none)",
    ("creditbook_settings_set_remittance_address", "remittance"): "(NULL: the store's)",
    ("creditbook_settings_set_region", "country"): "(NULL: guessed",
}

# Out-parameters written only on failure, with the reason (the functions that have no handle to
# keep it): untouched on success; on a failure they hold a new string, freed by the sweep.
ERROR_OUTS = {"error_out"}

# The functions that need a PostgreSQL server: without one (CREDITBOOK_PG_DSN unset, as in make
# c-test) their call with every argument valid must be refused with exactly this code (the DSN
# names no server; the store handle is NULL). With one (make pg-faces) it must succeed.
SERVER_REFUSALS = {
    "creditbook_postgres_store_connect": "CREDITBOOK_RESULT_STORE_FAILED",
    "creditbook_book_new_postgres": "CREDITBOOK_RESULT_NULL_PARAMETER",
}

# No failure's reason (error_out) may hold this: the password of PG_NO_SERVER.
SECRET = "sweep-pw-s3cret"

# The functions that open the account they are given: theirs is new, the others' is open.
OPENS_ACCOUNT = {"creditbook_book_open_account"}


class Unknown(Exception):
    """A type or a shape of the header the generator does not know."""


class Param:
    def __init__(self, ctype, name):
        self.ctype = ctype
        self.name = name
        self.kind = None  # what the generator makes of it (see classify)
        self.base = None  # the struct or scalar type behind a pointer
        self.optional = False

    @property
    def pointer(self):
        return self.ctype.endswith("*")


class Function:
    def __init__(self, ret, name, params, doc):
        self.ret = ret
        self.name = name
        self.params = params
        self.doc = doc


def normalize(ctype):
    ctype = " ".join(ctype.split())
    return re.sub(r"\s*\*", " *", ctype).replace("* *", "**").replace(" *const", " *const")


def parse_header(text):
    """The header's functions (with their documentation) and every documentation comment."""
    start = text.index('extern "C" {')
    body = text[start:]
    functions = []
    pattern = re.compile(
        r"/\*\*(?P<doc>(?:(?!\*/).)*?)\*/\s*\n(?P<ret>[A-Za-z_][\w \*]*?)\s*\b(?P<name>creditbook_\w+)"
        r"\((?P<params>[^)]*)\);",
        re.S,
    )
    for m in pattern.finditer(body):
        doc = " ".join(
            line.strip().lstrip("*").strip() for line in m.group("doc").splitlines()
        ).strip()
        params = []
        raw = " ".join(m.group("params").split())
        if raw not in ("", "void"):
            for p in raw.split(","):
                pm = re.match(r"^(.*?)(\w+)$", p.strip())
                if not pm:
                    raise Unknown(f"{m.group('name')}: cannot read the parameter {p!r}")
                params.append(Param(normalize(pm.group(1)), pm.group(2)))
        functions.append(Function(normalize(m.group("ret")), m.group("name"), params, doc))
    # Every declaration must have been read (one with no documentation is an error too).
    declared = re.findall(r"\b(creditbook_\w+)\([^)]*\);", body)
    read = {f.name for f in functions}
    missed = [d for d in declared if d not in read]
    if missed:
        raise Unknown(f"declarations the generator could not read: {', '.join(missed)}")
    docs = [
        " ".join(line.strip().lstrip("*").strip() for line in d.splitlines())
        for d in re.findall(r"/\*\*(.*?)\*/", text, re.S)
    ]
    return functions, docs


def global_optional(docs):
    """(type, name) pairs a type's documentation declares optional: "takes a `creditbook_outcome
    *outcome_out` last: NULL when the caller does not need it"."""
    found = set()
    for d in docs:
        for m in re.finditer(r"`(?:struct )?(creditbook_\w+) \*(\w+)`[^.]*?NULL when", d):
            found.add((m.group(1), m.group(2)))
    return found


def documented_optional(f, p, global_opt):
    """Whether the header documents `p` of `f` as optional (may be NULL)."""
    if (f.name, p.name) in PROSE_OPTIONAL:
        words = PROSE_OPTIONAL[(f.name, p.name)]
        if words not in f.doc:
            raise Unknown(
                f"{f.name}: PROSE_OPTIONAL says {p.name} may be NULL because the documentation "
                f"holds {words!r}, which it no longer does: update the table"
            )
        return True
    if p.base and (p.base, p.name) in global_opt:
        return True
    name = re.escape(p.name)
    tick = rf"`\*?{name}`"
    # "`sale_total` (NULL: none)", "`store` NULL: ...", "`amount` of it (NULL: ...)"
    if re.search(tick + r"[^`.;]{0,12}\(?NULL\b", f.doc):
        return True
    # "`sale` (receipt number), `due_date` (...) and `override_reason` (...) may be NULL.",
    # "`*delivery_id_out` (...) and `*already_delivered_out`; either may be NULL."
    for sentence in re.split(r"(?<=[.])\s+", f.doc):
        if "may be NULL" in sentence:
            head = sentence[: sentence.index("may be NULL")]
            if re.search(tick, head):
                return True
    return False


def classify(f, p):
    """Sets p.kind (and p.base) from its type and name; raises Unknown for anything else."""
    t = p.ctype
    m = re.fullmatch(r"(const )?struct (creditbook_\w+) (\*{1,2})", t)
    if m:
        const, base, stars = m.group(1), m.group(2), m.group(3)
        p.base = base
        if stars == "**":
            if const or not p.name.endswith("_out"):
                raise Unknown(f"{f.name}: {t} {p.name} is not an out-parameter")
            p.kind = "out_owned"
            return
        if base in SINKS:
            p.kind = "sink"
            return
        if f.ret == "void" and f.name.endswith("_free"):
            p.kind = "free_target"
            return
        if base in HANDLES:
            p.kind = "handle"
            return
        if p.name.endswith("_out"):
            if const or base not in PLAIN_OUT_STRUCTS:
                raise Unknown(f"{f.name}: an out-parameter of unknown struct type {t} {p.name}")
            p.kind = "out_plain"
            return
        if const and base in IN_STRUCTS:
            p.kind = "in_struct"
            return
        raise Unknown(f"{f.name}: unknown struct parameter type {t} {p.name}")
    m = re.fullmatch(r"struct (creditbook_\w+)", t)
    if m:
        if m.group(1) != "creditbook_date" or p.name not in DATES:
            raise Unknown(f"{f.name}: unknown struct passed by value: {t} {p.name}")
        p.kind = "date"
        return
    if t == "const char *":
        p.kind = "in_string"
        return
    if (t, p.name) in ARRAYS:
        p.kind = "in_array"
        return
    if t == "char **" and p.name in ERROR_OUTS:
        p.kind = "out_error"
        return
    if t == "char **" and p.name.endswith("_out"):
        p.kind = "out_string"
        return
    if t == "uint8_t **" and p.name.endswith("_out"):
        p.kind = "out_bytes"
        return
    if t == "const int64_t *":
        p.kind = "in_i64"
        return
    if t.endswith(" *") and t[:-2] in PLAIN_OUT_SCALARS and p.name.endswith("_out"):
        p.base = t[:-2]
        p.kind = "out_plain"
        return
    if f.ret == "void" and f.name.endswith("_free") and t in ("char *", "uint8_t *"):
        p.kind = "free_target"
        return
    if t in SCALAR_TYPES:
        p.kind = "scalar"
        return
    raise Unknown(f"{f.name}: unknown parameter type {t!r} ({p.name})")


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Writer:
    def __init__(self):
        self.lines = []

    def __call__(self, line=""):
        self.lines.append(line)


def array_count_names(f):
    return {ARRAYS[(p.ctype, p.name)][2]: p for p in f.params if p.kind == "in_array"}


def scalar_value(f, p, counts):
    if p.name in counts:
        a = counts[p.name]
        return f"(sizeof {a.name}_v / sizeof {a.name}_v[0])"
    if p.name == "len":
        strings = [q for q in f.params if q.kind == "in_string"]
        if len(strings) == 1:
            return f"strlen({string_value(strings[0])})"
        return "0"
    if p.ctype == "bool":
        return "true"
    return SCALARS.get(p.name, "1")


def string_value(p):
    return STRINGS.get(p.name, PLAIN_STRING)


def emit_function(w, f, index, sink_arg=None):
    """One C function running a call of `f` with parameter number `nulled` NULL (-1: none). With
    `sink_arg`, the sink parameter is that expression (inside a callback) instead of NULL."""
    counts = array_count_names(f)
    uses_account = any(p.kind == "in_string" and p.name == "account" for p in f.params)
    names = ", ".join(c_string(p.name) for p in f.params) or "NULL"
    required = ", ".join("0" if p.optional else "1" for p in f.params) or "0"
    suffix = "_in_callback" if sink_arg else ""
    sink_decl = ""
    if sink_arg:
        sink_type = next(p.base for p in f.params if p.kind == "sink")
        sink_decl = f", {sink_type} *sink"
    w(f"/* {f.name} */")
    w(f"static void sweep_{index}{suffix}(int nulled{sink_decl}) {{")
    w(f"    static const char *const names[] = {{{names}}};")
    w(f"    static const int required[] = {{{required}}};")
    if uses_account:
        opens = "0" if f.name in OPENS_ACCOUNT else "1"
        w("    char acct[48];")
        w(f"    new_account(acct, sizeof acct, {opens});")
        w("    long before = entries(acct);")
    if any(p.kind == "in_string" and p.name == "provider_payment_id" for p in f.params):
        w("    char unique_id[48];")
        w('    next_id(unique_id, sizeof unique_id, "pp");')
    outs = []
    for i, p in enumerate(f.params):
        v = f"{p.name}_v"
        if p.kind == "in_struct":
            ctype = p.base
            w(f"    {ctype} {v} = {IN_STRUCTS[p.base]};")
        elif p.kind == "in_array":
            elem, items, _ = ARRAYS[(p.ctype, p.name)]
            w(f"    {elem} {v}[] = {{{items}}};")
        elif p.kind == "in_i64":
            w(f"    int64_t {v} = 1000;")
        elif p.kind in ("out_owned", "out_string", "out_bytes", "out_plain", "out_error"):
            if p.kind == "out_owned":
                ctype = f"{p.base} *"
            elif p.kind in ("out_string", "out_error"):
                ctype = "char *"
            elif p.kind == "out_bytes":
                ctype = "uint8_t *"
            else:
                ctype = p.base
            w(f"    {ctype} {v};")
            w(f"    poison(&{v}, sizeof {v});")
            if p.kind != "out_error":
                outs.append((i, p))
    args = []
    for i, p in enumerate(f.params):
        v = f"{p.name}_v"
        if p.kind == "handle":
            value = HANDLES[p.base]
        elif p.kind == "sink":
            value = "sink" if sink_arg else "NULL"
        elif p.kind == "in_string":
            value = string_value(p)
        elif p.kind == "in_array":
            value = v
        elif p.kind in ("in_struct", "in_i64", "out_owned", "out_string", "out_bytes", "out_plain",
                        "out_error"):
            value = f"&{v}"
        elif p.kind == "scalar":
            value = scalar_value(f, p, counts)
        elif p.kind == "date":
            value = DATES[p.name]
        else:
            raise Unknown(f"{f.name}: no value for {p.kind} {p.name}")
        if p.pointer and not (p.kind == "sink" and not sink_arg):
            value = f"nulled == {i} ? NULL : {value}"
        args.append(value)
    w(f"    creditbook_result rc = {f.name}(")
    for k, a in enumerate(args):
        w(f"        {a}{',' if k + 1 < len(args) else ');'}")
    if not args:
        w("        );")
    untouched = " && ".join(
        f"(nulled == {i} || untouched(&{p.name}_v, sizeof {p.name}_v))" for i, p in outs
    ) or "1"
    w(f"    int outs_untouched = {untouched};")
    for i, p in enumerate(f.params):
        if p.kind != "out_error":
            continue
        v = f"{p.name}_v"
        w(f"    if (nulled != {i} && rc == CREDITBOOK_RESULT_OK && !untouched(&{v}, sizeof {v}))")
        w(f'        fail({c_string(f.name)}, nulled < 0 ? NULL : names[nulled], '
          f'"{p.name} written by a call that succeeded", rc);')
        w(f"    if (nulled != {i} && rc != CREDITBOOK_RESULT_OK) {{")
        w(f"        if (untouched(&{v}, sizeof {v}) || {v} == NULL || {v}[0] == '\\0')")
        w(f'            fail({c_string(f.name)}, nulled < 0 ? NULL : names[nulled], '
          f'"a failure without its reason in {p.name}", rc);')
        w(f"        else if (strstr({v}, {c_string(SECRET)}) != NULL)")
        w(f'            fail({c_string(f.name)}, nulled < 0 ? NULL : names[nulled], '
          f'"the password in {p.name}", rc);')
        w(f"        if (!untouched(&{v}, sizeof {v}) && {v} != NULL)")
        w(f"            creditbook_string_free({v});")
        w("    }")
    if f.name in SERVER_REFUSALS:
        want = SERVER_REFUSALS[f.name]
        w(f"    if (nulled < 0 && rc != (pg_server ? CREDITBOOK_RESULT_OK : {want}))")
        w(f'        fail({c_string(f.name)}, NULL, pg_server ? "refused with a server" : '
          f'"not refused with {want[len("CREDITBOOK_RESULT_"):]} without a server", rc);')
    after = "entries(acct)" if uses_account else "0"
    before = "before" if uses_account else "0"
    w(
        f"    check({c_string(f.name)}, nulled < 0 ? NULL : names[nulled], "
        f"nulled < 0 ? 0 : required[nulled], rc, outs_untouched, {before}, {after});"
    )
    frees = []
    for i, p in outs:
        v = f"{p.name}_v"
        if p.kind == "out_owned":
            free = f"{p.base}_free"
            frees.append(f"if (nulled != {i}) {free}({v});")
        elif p.kind == "out_string":
            frees.append(f"if (nulled != {i}) creditbook_string_free({v});")
        elif p.kind == "out_bytes":
            lens = [q for q in f.params if q.name == "len_out" and q.kind == "out_plain"]
            if not lens:
                raise Unknown(f"{f.name}: bytes out-parameter {p.name} without a len_out")
            frees.append(f"if (nulled != {i}) creditbook_bytes_free({v}, len_out_v);")
    if frees:
        w("    if (rc == CREDITBOOK_RESULT_OK) {")
        for line in frees:
            w(f"        {line}")
        w("    }")
    w("    (void)names;")
    w("    (void)required;")
    w("}")
    w()


PROLOGUE = r"""/* Generated by tests/c/null_sweep.py from include/creditbook.h: do not edit, do not commit.
 * Every function with each pointer parameter NULL in turn, the others valid (see the script). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creditbook.h"

#define SENTINEL 0x5A
#define ALL_PERMISSIONS                                                                          \
    (CREDITBOOK_PERMISSION_CREDIT_LIMIT | CREDITBOOK_PERMISSION_CREDIT_ACCOUNT_REFUND |           \
     CREDITBOOK_PERMISSION_OVERRIDE_CREDIT_LIMIT | CREDITBOOK_PERMISSION_ADJUST_BALANCE |          \
     CREDITBOOK_PERMISSION_AUTOMATED_AR | CREDITBOOK_PERMISSION_ARCHIVE_ACCOUNT)
/* 2026-03-02 12:00 UTC, when every operation happens. */
#define AT INT64_C(1772452800)
/* The invoice the charge of each account's setup opens (entry 2, after the opening). */
#define INVOICE 2

static const creditbook_date FROM = {2026, 1, 1};
static const creditbook_date TO = {2026, 12, 31};
static const creditbook_date DUE = {2026, 4, 1};

static int calls, null_parameter, failures, baseline_calls, baseline_ok, callback_calls;
static int in_callback;

static creditbook_settings *S;
static creditbook_book *B;
static creditbook_statement *ST;
static creditbook_message *M;
static creditbook_sqlite_store *SQ;
static creditbook_postgres_store *PG;
/* A PostgreSQL server to connect to ($CREDITBOOK_PG_DSN), or none: a socket that does not exist,
 * refused at once, with a password that no message may show. */
#define PG_NO_SERVER "host=/nonexistent/creditbook-sweep port=5432 user=sweep dbname=sweep " \
                     "password=sweep-pw-s3cret"
static const char *pg_dsn = PG_NO_SERVER;
static int pg_server;
/* The SQLite store's temporary directory and file. */
static char sqlite_dir[64] = "/tmp/creditbook-sweep-XXXXXX";
static char sqlite_path[128];
static unsigned serial;

static void fail(const char *fn, const char *param, const char *why, creditbook_result rc) {
    failures++;
    fprintf(stderr, "FAILED: %s(%s NULL): %s (got %s, %u)\n", fn, param ? param : "nothing", why,
            creditbook_result_name(rc), (unsigned)rc);
}

/* Fills an out-parameter with the sentinel bytes. */
static void poison(void *p, size_t n) { memset(p, SENTINEL, n); }

/* True when an out-parameter still holds only the sentinel bytes. */
static int untouched(const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != SENTINEL) return 0;
    return 1;
}

static void next_id(char *buf, size_t cap, const char *prefix) {
    snprintf(buf, cap, "%s-%u", prefix, ++serial);
}

static creditbook_operation make_op(void) {
    static char ids[64][32];
    char *id = ids[serial % 64];
    next_id(id, sizeof ids[0], "op");
    creditbook_operation op;
    op.op_id = id;
    op.at = AT;
    op.actor_id = "emp-1";
    op.permissions = ALL_PERMISSIONS;
    return op;
}

static creditbook_customer make_customer(void) {
    creditbook_customer c;
    memset(&c, 0, sizeof c);
    c.id = "cust-sweep";
    c.name = "Marie Tremblay";
    c.email = "marie@example.com";
    c.language = "en";
    return c;
}

static creditbook_statement_request make_request(void) {
    creditbook_statement_request r;
    memset(&r, 0, sizeof r);
    r.from = FROM;
    r.to = TO;
    return r;
}

static creditbook_accounts_query make_query(void) {
    creditbook_accounts_query q;
    memset(&q, 0, sizeof q);
    q.as_of = TO;
    q.standing = -1;
    q.status = -1;
    q.sort = CREDITBOOK_SORT_KEY_ACCOUNT_ID;
    return q;
}

/* The number of entries of `account` (-1 when it cannot be read: an account not opened). */
static long entries(const char *account) {
    creditbook_activity *a = NULL;
    if (creditbook_book_activity(B, account, FROM, TO, NULL, 0, &a) != CREDITBOOK_RESULT_OK)
        return -1;
    long n = (long)a->len;
    creditbook_activity_free(a);
    return n;
}

/* A new account id; when `open`, the account is opened (unlimited, the customer's email on
 * file), charged 10.00 for sale S-1 (invoice INVOICE) and given 20.00 of store credit by a
 * deposit. */
static void new_account(char *id, size_t cap, int open) {
    next_id(id, cap, "A");
    if (!open) return;
    creditbook_customer c = make_customer();
    creditbook_operation op = make_op();
    creditbook_result rc = creditbook_book_open_account(B, id, &op, &c, CREDITBOOK_LIMIT_KIND_UNLIMITED,
                                                        0, CREDITBOOK_TERMS_KIND_STORE, 0, NULL);
    if (rc != CREDITBOOK_RESULT_OK) fail("setup: creditbook_book_open_account", NULL, "failed", rc);
    op = make_op();
    creditbook_outcome o;
    rc = creditbook_book_charge(B, id, &op, 1000, "S-1", NULL, NULL, &o);
    if (rc != CREDITBOOK_RESULT_OK || o.invoice != INVOICE)
        fail("setup: creditbook_book_charge", NULL, "failed or opened another invoice", rc);
    op = make_op();
    rc = creditbook_book_deposit(B, id, &op, 2000, NULL, NULL);
    if (rc != CREDITBOOK_RESULT_OK) fail("setup: creditbook_book_deposit", NULL, "failed", rc);
}

/* The checks of one call (`param` NULL, or none when `param` is NULL). */
static void check(const char *fn, const char *param, int required, creditbook_result rc,
                  int outs_untouched, long before, long after) {
    if (in_callback)
        callback_calls++;
    else if (param == NULL)
        baseline_calls++;
    else
        calls++;
    if (param == NULL && !in_callback && rc == CREDITBOOK_RESULT_OK) baseline_ok++;
    if (strcmp(creditbook_result_name(rc), "UNKNOWN") == 0) fail(fn, param, "an unknown result", rc);
    if (rc == CREDITBOOK_RESULT_PANIC) fail(fn, param, "a panic crossed into the result", rc);
    if (param != NULL && !in_callback && rc == CREDITBOOK_RESULT_NULL_PARAMETER) null_parameter++;
    if (param != NULL && required && rc == CREDITBOOK_RESULT_OK)
        fail(fn, param, "documented as required, yet NULL was accepted", rc);
    else if (param != NULL && required && rc != CREDITBOOK_RESULT_NULL_PARAMETER)
        printf("note: %s(%s NULL) is refused with %s, not NULL_PARAMETER\n", fn, param,
               creditbook_result_name(rc));
    if (param == NULL && rc != CREDITBOOK_RESULT_OK)
        printf("note: %s with every argument valid is refused with %s\n", fn,
               creditbook_result_name(rc));
    if (rc != CREDITBOOK_RESULT_OK && !outs_untouched)
        fail(fn, param, "an out-parameter was written by a call that failed", rc);
    if (rc != CREDITBOOK_RESULT_OK && before != after)
        fail(fn, param, "a call that failed recorded entries", rc);
}

/* ---- stub ports: valid callbacks; once each, they sweep the functions of their sink ---- */

static int swept_string_sink, swept_entry_sink, swept_id_sink;
static void sweep_string_sink(creditbook_string_sink *sink);
static void sweep_entry_sink(creditbook_entry_sink *sink);
static void sweep_id_sink(creditbook_id_sink *sink);

static int32_t stub_load(void *user_data, const char *account, uint64_t after,
                         creditbook_entry_sink *sink) {
    (void)user_data, (void)account, (void)after;
    if (user_data != NULL && !swept_entry_sink) {
        swept_entry_sink = 1;
        sweep_entry_sink(sink);
    }
    return CREDITBOOK_STORE_OK;
}

static int32_t stub_append(void *user_data, const char *account, uint64_t expected_version,
                           const creditbook_record *records, size_t count) {
    (void)user_data, (void)account, (void)expected_version, (void)records, (void)count;
    return CREDITBOOK_STORE_OK;
}

static int32_t stub_account_ids(void *user_data, creditbook_id_sink *sink) {
    if (user_data != NULL && !swept_id_sink) {
        swept_id_sink = 1;
        sweep_id_sink(sink);
    }
    return CREDITBOOK_STORE_OK;
}

static int32_t stub_send(void *user_data, const creditbook_message_view *message,
                         creditbook_string_sink *delivery_id) {
    (void)message;
    if (user_data != NULL && !swept_string_sink) {
        swept_string_sink = 1;
        sweep_string_sink(delivery_id);
    }
    return creditbook_string_sink_set(delivery_id, "d-1", 3) == CREDITBOOK_RESULT_OK ? CREDITBOOK_PORT_OK
                                                                                      : -1;
}

static int32_t stub_create_link(void *user_data, const creditbook_payment_link_request *request,
                                creditbook_string_sink *url) {
    (void)user_data, (void)request;
    const char *link = "https://pay.example/sweep";
    return creditbook_string_sink_set(url, link, strlen(link)) == CREDITBOOK_RESULT_OK ? CREDITBOOK_PORT_OK
                                                                                       : -1;
}

static const creditbook_store_callbacks stub_store = {NULL, stub_load, stub_append, stub_account_ids};
static const creditbook_mailer_callbacks stub_mailer = {NULL, stub_send};
static const creditbook_payment_provider_callbacks stub_provider = {NULL, stub_create_link};

"""

EPILOGUE = r"""
/* The handles every call uses: a SQLite store in a new temporary directory, settings for a CAD
 * store in Montreal, a book on the embedded store (NULL store callbacks) with the stub mailer and
 * payment provider, an account opened and charged, its statement for 2026, and the statement's
 * email. */
static int setup(void) {
    if (mkdtemp(sqlite_dir) == NULL) {
        fail("setup", NULL, "mkdtemp", CREDITBOOK_RESULT_OK);
        return 0;
    }
    snprintf(sqlite_path, sizeof sqlite_path, "%s/sweep.sqlite3", sqlite_dir);
    creditbook_result rc = creditbook_sqlite_store_open(sqlite_path, &SQ, NULL);
    if (rc != CREDITBOOK_RESULT_OK) {
        fail("setup", NULL, "the SQLite store", rc);
        return 0;
    }
    const char *dsn = getenv("CREDITBOOK_PG_DSN");
    if (dsn != NULL && dsn[0] != '\0') {
        pg_dsn = dsn;
        pg_server = 1;
        rc = creditbook_postgres_store_connect(pg_dsn, &PG, NULL);
        if (rc != CREDITBOOK_RESULT_OK) {
            fail("setup", NULL, "the PostgreSQL store ($CREDITBOOK_PG_DSN)", rc);
            return 0;
        }
    }
    rc = creditbook_settings_new("Sweep store", "CAD", "America/Montreal", &S);
    if (rc == CREDITBOOK_RESULT_OK)
        rc = creditbook_settings_set_message_addresses(S, "store@example.com", NULL);
    if (rc == CREDITBOOK_RESULT_OK)
        rc = creditbook_book_new_with_ports(S, NULL, &stub_mailer, &stub_provider, &B);
    if (rc != CREDITBOOK_RESULT_OK) {
        fail("setup", NULL, "settings or book", rc);
        return 0;
    }
    char acct[48];
    new_account(acct, sizeof acct, 1);
    creditbook_statement_request r = make_request();
    rc = creditbook_book_statement(B, acct, &r, &ST);
    if (rc == CREDITBOOK_RESULT_OK) rc = creditbook_book_compose_statement_email(B, ST, NULL, &M);
    if (rc != CREDITBOOK_RESULT_OK) {
        fail("setup", NULL, "statement or message", rc);
        return 0;
    }
    return 1;
}

/* The sinks, swept from inside the stub callbacks that receive them: a book with the sweeping
 * mailer and payment provider sends a message and makes a link; a book on the sweeping store
 * reads an account and lists the accounts. Whatever these calls return is checked like the
 * others (their own parameters are valid). */
static void sweep_in_callbacks(void) {
    static int marker;
    creditbook_mailer_callbacks mailer = stub_mailer;
    creditbook_payment_provider_callbacks provider = stub_provider;
    creditbook_store_callbacks store = stub_store;
    mailer.user_data = provider.user_data = store.user_data = &marker;
    creditbook_book *ported = NULL, *stored = NULL;
    creditbook_result rc = creditbook_book_new_with_ports(S, NULL, &mailer, &provider, &ported);
    if (rc != CREDITBOOK_RESULT_OK) fail("creditbook_book_new_with_ports", NULL, "failed", rc);
    rc = creditbook_book_new(S, &store, &stored);
    if (rc != CREDITBOOK_RESULT_OK) fail("creditbook_book_new", NULL, "failed", rc);
    creditbook_book *main_book = B;
    B = ported;
    char acct[48];
    new_account(acct, sizeof acct, 1);
    creditbook_operation op = make_op();
    creditbook_payment_link *link = NULL;
    rc = creditbook_book_payment_link(B, acct, &op, 500, CREDITBOOK_LINK_PURPOSE_BALANCE, "sweep",
                                      &link);
    check("creditbook_book_payment_link (sweeping provider)", NULL, 0, rc, 1, 0, 0);
    if (rc == CREDITBOOK_RESULT_OK) creditbook_payment_link_free(link);
    creditbook_message *m = NULL;
    rc = creditbook_book_compose_invoice_email(B, acct, INVOICE, NULL, &m);
    check("creditbook_book_compose_invoice_email", NULL, 0, rc, 1, 0, 0);
    char *delivery_id = NULL;
    rc = creditbook_book_send(B, m, AT, &delivery_id, NULL);
    check("creditbook_book_send (sweeping mailer)", NULL, 0, rc, 1, 0, 0);
    if (rc == CREDITBOOK_RESULT_OK) creditbook_string_free(delivery_id);
    creditbook_message_free(m);
    B = main_book;
    creditbook_summary summary;
    rc = creditbook_book_summary(stored, "A-1", TO, &summary);
    check("creditbook_book_summary (sweeping store)", NULL, 0, rc, 1, 0, 0);
    creditbook_accounts_query q = make_query();
    creditbook_account_list *list = NULL;
    rc = creditbook_book_accounts(stored, &q, &list);
    check("creditbook_book_accounts (sweeping store)", NULL, 0, rc, 1, 0, 0);
    if (rc == CREDITBOOK_RESULT_OK) creditbook_account_list_free(list);
    if (!swept_string_sink || !swept_entry_sink || !swept_id_sink)
        fail("sweep_in_callbacks", NULL, "a stub callback was never called", CREDITBOOK_RESULT_OK);
    creditbook_book_free(ported);
    creditbook_book_free(stored);
}

int main(void) {
    if (setup()) {
        run_sweep();
        sweep_in_callbacks();
    }
    creditbook_message_free(M);
    creditbook_statement_free(ST);
    creditbook_book_free(B);
    creditbook_settings_free(S);
    creditbook_sqlite_store_free(SQ);
    creditbook_postgres_store_free(PG);
    if (sqlite_path[0] != '\0') {
        char side[160];
        remove(sqlite_path);
        snprintf(side, sizeof side, "%s-wal", sqlite_path);
        remove(side);
        snprintf(side, sizeof side, "%s-shm", sqlite_path);
        remove(side);
        if (rmdir(sqlite_dir) != 0) fail("cleanup", NULL, "files left in the sweep's directory", CREDITBOOK_RESULT_OK);
    }
    printf("null sweep: %d functions, %d calls with one pointer NULL (%d NULL_PARAMETER), "
           "%d with every argument valid (%d OK), %d inside callbacks, %s; %d failed\n",
           SWEPT_FUNCTIONS, calls, null_parameter, baseline_calls, baseline_ok, callback_calls,
           pg_server ? "on a PostgreSQL server" : "no PostgreSQL server", failures);
    if (calls != EXPECTED_CALLS) {
        fprintf(stderr, "FAILED: %d calls made, %d generated\n", calls, EXPECTED_CALLS);
        return EXIT_FAILURE;
    }
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
"""


def generate(header_text):
    functions, docs = parse_header(header_text)
    global_opt = global_optional(docs)
    declared = {f.name for f in functions}
    for key in PROSE_OPTIONAL:
        if key[0] not in declared:
            raise Unknown(f"PROSE_OPTIONAL names {key[0]}, which the header no longer declares")
    for name in SERVER_REFUSALS:
        if name not in declared:
            raise Unknown(f"SERVER_REFUSALS names {name}, which the header no longer declares")
    w = Writer()
    w(PROLOGUE.rstrip("\n"))
    w()
    runs = []  # C statements of run_sweep
    swept = 0
    null_calls = 0
    baseline_calls = 0
    sink_functions = {}  # sink type -> [(index, function)]
    for index, f in enumerate(functions):
        if f.name in SKIPPED:
            continue
        for p in f.params:
            classify(f, p)
        for p in f.params:
            if p.pointer:
                p.optional = documented_optional(f, p, global_opt)
        swept += 1
        if f.ret == "void":
            if not f.name.endswith("_free") or not f.params or f.params[0].kind != "free_target":
                raise Unknown(f"{f.name}: a void function that is not a free function")
            args = ", ".join("NULL" if p.pointer else "0" for p in f.params)
            w(f"/* {f.name}: NULL is a no-op */")
            w(f"static void sweep_{index}(void) {{")
            w(f"    {f.name}({args});")
            w(f'    check({c_string(f.name)}, {c_string(f.params[0].name)}, 0, '
              "CREDITBOOK_RESULT_OK, 1, 0, 0);")
            w("}")
            w()
            runs.append(f"sweep_{index}();")
            null_calls += 1
            continue
        if f.ret == "const char *":
            if any(p.pointer for p in f.params):
                raise Unknown(f"{f.name}: returns a string and takes a pointer")
            args = ", ".join(scalar_value(f, p, {}) for p in f.params)
            w(f"/* {f.name}: a static string, never NULL */")
            w(f"static void sweep_{index}(void) {{")
            w(f"    if ({f.name}({args}) == NULL)")
            w(f'        fail({c_string(f.name)}, NULL, "returned NULL", CREDITBOOK_RESULT_OK);')
            w("    baseline_calls++, baseline_ok++;")
            w("}")
            w()
            runs.append(f"sweep_{index}();")
            baseline_calls += 1
            continue
        if f.ret != "creditbook_result":
            raise Unknown(f"{f.name}: unknown return type {f.ret!r}")
        emit_function(w, f, index)
        sinks = [p for p in f.params if p.kind == "sink"]
        if not sinks:
            runs.append(f"sweep_{index}(-1);")
            baseline_calls += 1
        for i, p in enumerate(f.params):
            if p.pointer:
                runs.append(f"sweep_{index}({i});")
                null_calls += 1
        if sinks:
            if len(sinks) != 1 or f.params[0].kind != "sink":
                raise Unknown(f"{f.name}: a sink that is not the first parameter")
            emit_function(w, f, index, sink_arg="sink")
            sink_functions.setdefault(sinks[0].base, []).append((index, f))
    for sink in SINKS:
        short = sink[len("creditbook_"):]
        w(f"/* Inside {SINKS[sink]}: each function of the sink with the real sink. */")
        w(f"static void sweep_{short}({sink} *sink) {{")
        w("    in_callback = 1;")
        for index, f in sink_functions.get(sink, []):
            w(f"    sweep_{index}_in_callback(-1, sink);")
            for i, p in enumerate(f.params):
                if p.pointer and p.kind != "sink":
                    w(f"    sweep_{index}_in_callback({i}, sink);")
        w("    in_callback = 0;")
        w("}")
        w()
    unknown_sinks = set(sink_functions) - set(SINKS)
    if unknown_sinks:
        raise Unknown(f"sinks without a stub callback: {', '.join(sorted(unknown_sinks))}")
    w("static void run_sweep(void) {")
    for r in runs:
        w(f"    {r}")
    w("}")
    w()
    w(f"#define SWEPT_FUNCTIONS {swept}")
    w(f"#define EXPECTED_CALLS {null_calls}")
    w(EPILOGUE.rstrip("\n"))
    return "\n".join(w.lines) + "\n", len(functions), swept, null_calls, baseline_calls


def main(argv):
    if len(argv) not in (2, 3):
        print(f"usage: {argv[0]} OUT_DIR [HEADER]", file=sys.stderr)
        return 2
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    header = argv[2] if len(argv) == 3 else os.path.join(root, "include", "creditbook.h")
    with open(header, encoding="utf-8") as fh:
        text = fh.read()
    try:
        code, declared, swept, null_calls, baseline_calls = generate(text)
    except Unknown as e:
        print(f"null_sweep.py: {e}", file=sys.stderr)
        return 1
    os.makedirs(argv[1], exist_ok=True)
    out = os.path.join(argv[1], "null_sweep.c")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(code)
    print(
        f"null_sweep.py: {declared} functions in {os.path.relpath(header)}, {swept} swept "
        f"({', '.join(sorted(SKIPPED))} skipped): {null_calls} calls with one pointer NULL and "
        f"{baseline_calls} with every argument valid, written to {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
