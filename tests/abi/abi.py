#!/usr/bin/env python3
"""The C ABI of libcreditbook as text, and its comparison with the last release's.

    abi.py dump LIB HEADER            prints the ABI: exported symbols, the header's declarations
                                      (types, prototypes) and its CREDITBOOK_* constants
    abi.py check LIB HEADER BASELINE CHANGELOG
                                      fails when the ABI differs from BASELINE and CHANGELOG does
                                      not announce it (see tests/abi/check.sh)

The declarations come from the header run through the C preprocessor without its system includes
(comments and layout gone, one declaration a line), so a change of a field, a parameter, an enum
value or a constant shows; documentation does not. The symbols are what the shared library
exports (nm -D), so a function the header forgets, or a symbol that leaks, shows too.
"""
import re
import subprocess
import sys

# The version macros change at every release without changing the ABI; the guard is not ABI.
IGNORED_MACROS = {"CREDITBOOK_H", "CREDITBOOK_VERSION_MAJOR", "CREDITBOOK_VERSION_MINOR",
                  "CREDITBOOK_VERSION_PATCH"}


def symbols(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True,
                         text=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            found[parts[2]] = "symbol " + parts[2] + " " + parts[1]
    return found


def preprocess(header, *flags):
    text = open(header, encoding="utf-8").read()
    text = re.sub(r"^\s*#\s*include\b.*$", "", text, flags=re.M)
    return subprocess.run(["cc", "-std=c99", "-E", "-P", *flags, "-x", "c", "-"], input=text,
                          check=True, capture_output=True, text=True).stdout


def declaration_name(decl):
    """The name a declaration declares: the function, the typedef, or the tag."""
    if decl.startswith("typedef"):
        body = re.sub(r"\{.*\}", "{}", decl)
        m = re.search(r"\(\s*\*\s*(\w+)\s*\)", body)  # typedef of a function pointer
        if m:
            return m.group(1)
        return re.findall(r"\w+", body)[-1]
    m = re.match(r"(?:struct|enum|union)\s+(\w+)\s*\{", decl)
    if m:
        return m.group(1)
    m = re.search(r"(\w+)\s*\(", decl)
    if m:
        return m.group(1)
    return re.findall(r"\w+", decl)[-1]


def declarations(header):
    text = " ".join(preprocess(header).split())
    decls, depth, start = {}, 0, 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == ";" and depth == 0:
            decl = text[start:i + 1].strip()
            start = i + 1
            if decl:
                name = declaration_name(decl)
                decls[name] = decls.get(name, "") + ("\n" if name in decls else "") + decl
    macros = {}
    for line in preprocess(header, "-dM").splitlines():
        m = re.match(r"#define (CREDITBOOK_\w+)\s+(.*)", line)
        if m and m.group(1) not in IGNORED_MACROS:
            macros[m.group(1)] = "#define " + m.group(1) + " " + m.group(2).strip()
    return decls, macros


def dump(lib, header):
    decls, macros = declarations(header)
    lines = []
    for group in (symbols(lib), decls, macros):
        for k in sorted(group):
            lines += group[k].split("\n")
    return lines


def keyed(lines):
    """name -> text of what the ABI file says about it."""
    out = {}
    for line in lines:
        if line.startswith("symbol "):
            key = line.split()[1]
        elif line.startswith("#define "):
            key = line.split()[1]
        else:
            key = declaration_name(line)
        out.setdefault(key, []).append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def version_tuple(v):
    return tuple(int(x) for x in v.split("."))


def announcements(changelog, baseline_version):
    """The text of the CHANGELOG sections not in the baseline: every version newer than it, and
    its own while it is still marked unreleased."""
    sections, current = [], None
    for line in open(changelog, encoding="utf-8"):
        m = re.match(r"## (\d+\.\d+\.\d+)(.*)", line)
        if m:
            current = [m.group(1), "unreleased" in m.group(2), []]
            sections.append(current)
        elif current is not None:
            current[2].append(line)
    base = version_tuple(baseline_version)
    return "".join("".join(body) for v, unreleased, body in sections
                   if version_tuple(v) > base or (version_tuple(v) == base and unreleased))


def check(lib, header, baseline, changelog):
    with open(baseline, encoding="utf-8") as f:
        first = f.readline()
        m = re.match(r"# creditbook (\d+\.\d+\.\d+) ", first)
        if not m:
            sys.exit(f"{baseline}: the first line does not name a version")
        base = keyed([l.rstrip("\n") for l in f if l.strip() and not l.startswith("# ")])
    now = keyed(dump(lib, header))
    changed = sorted(k for k in set(base) | set(now) if base.get(k) != now.get(k))
    if not changed:
        print(f"abi: the ABI is the {m.group(1)} baseline's ({len(now)} items)")
        return 0
    news = announcements(changelog, m.group(1))
    abi_marked = "**ABI**" in news
    unannounced = [k for k in changed
                   if not (abi_marked and re.search(r"\b" + re.escape(k) + r"\b", news))]
    for k in changed:
        what = "added" if k not in base else "removed" if k not in now else "changed"
        mark = "UNANNOUNCED " if k in unannounced else ""
        print(f"abi: {mark}{what}: {k}")
        if k in base:
            print("   was: " + base[k].replace("\n", "\n        "))
        if k in now:
            print("   now: " + now[k].replace("\n", "\n        "))
    if unannounced:
        print(f"abi: {len(unannounced)} change(s) against the {m.group(1)} baseline are not announced: "
              "name each in the CHANGELOG section of the coming release, in an entry marked **ABI** "
              f"({changelog})", file=sys.stderr)
        return 1
    print(f"abi: {len(changed)} change(s) against the {m.group(1)} baseline, each announced in {changelog}")
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "dump":
        print("\n".join(dump(argv[2], argv[3])))
        return 0
    if len(argv) == 6 and argv[1] == "check":
        return check(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
