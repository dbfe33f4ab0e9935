#!/usr/bin/env bash
# Checks the layout rules of orderly's tree (issue #10), from the repository
# root or from anywhere:
#
#   tools/check_layout.sh        # prints each violation; exits 1 if any
#
# 1. Include arrows. The core does not depend on what is built on it:
#      runtime/  may include nothing from blocks/, render/ or hooks/ (its one
#                link to hooks/ is the weak symbol declared in runtime.cc,
#                not an include);
#      blocks/   nothing from render/ or hooks/;
#      adapters/ nothing from render/, hooks/ or any internal/ folder (the
#                public API of runtime/ and blocks/ only);
#      render/   nothing from blocks/ or hooks/, and from runtime/ only
#                runtime/report.h, runtime/stop_reason.h,
#                runtime/internal/text_out.h (a renderer reads a report)
#                and runtime/version.h;
#      <pkg>/internal/ headers are included only from their own package,
#                from tests/ and benchmarks/, or through a *_internal
#                target (runtime/internal/check.h, text_out.h,
#                exception_text.h, step_runner.h, fork_epoch.h), never by
#                examples/.
# 2. File length. A source file (.h, .cc) over 450 lines carries a line with
#    "LONG-FILE:" saying why it is not split.
# 3. Function length. No function body (a brace block that follows a ")" at
#    namespace or class scope: functions, methods, TEST bodies) is over 60
#    lines. Comments, strings and raw strings are skipped when braces are
#    counted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

exec python3 - "$@" <<'PY'
import os
import re
import sys

MAX_FILE_LINES = 450
MAX_FUNCTION_LINES = 60
ROOTS = ["runtime", "blocks", "render", "hooks", "adapters", "tests",
         "benchmarks",
         "examples", "tools"]
SHARED_INTERNAL = {  # Exposed to orderly's packages by *_internal targets.
    "runtime/internal/check.h",
    "runtime/internal/text_out.h",
    "runtime/internal/exception_text.h",
    "runtime/internal/step_runner.h",
    "runtime/internal/fork_epoch.h",
    "runtime/internal/os_threads.h",       # hooks/process_end: live tids.
    "runtime/internal/thread_activity.h",  # blocks/: what a worker runs.
}
RENDER_MAY_USE = {
    "runtime/version.h",  # Every public header's first include.
    "runtime/report.h",
    "runtime/stop_reason.h",
    "runtime/internal/text_out.h",
}
FORBIDDEN = {
    "runtime": ("blocks/", "render/", "hooks/"),
    "blocks": ("render/", "hooks/"),
    "render": ("blocks/", "hooks/"),
    # Built on the public API only: runtime/ and blocks/ public headers.
    "adapters": ("render/", "hooks/", "runtime/internal/", "blocks/internal/"),
}

problems = []


def sources():
    for root in ROOTS:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith("bazel-")]
            for name in sorted(filenames):
                if name.endswith((".h", ".cc")):
                    yield os.path.join(dirpath, name)


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def check_includes(path, lines):
    package = path.split("/")[0]
    for number, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        target = m.group(1)
        where = f"{path}:{number}: includes {target}"
        if any(target.startswith(p) for p in FORBIDDEN.get(package, ())):
            problems.append(f"{where}: {package}/ may not depend on "
                            f"{target.split('/')[0]}/")
        if (package == "render" and target.startswith("runtime/") and
                target not in RENDER_MAY_USE):
            problems.append(f"{where}: a renderer reads only the report "
                            f"({', '.join(sorted(RENDER_MAY_USE))})")
        parts = target.split("/")
        if (len(parts) > 2 and parts[1] == "internal" and
                parts[0] != package and package not in ("tests", "benchmarks")
                and target not in SHARED_INTERNAL):
            problems.append(f"{where}: another package's internal header")


def strip(text):
    """Blanks comments, string, char and raw-string literals; keeps lines."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i) and (
                i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            k = text.find("(", i + 2)
            delim = text[i + 2:k]
            j = text.find(")" + delim + '"', k)
            j = n if j < 0 else j + len(delim) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():
                out.append(c)  # A digit separator: 1'000'000.
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (min(j + 1, n) - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


CONTAINER = re.compile(
    r"\b(namespace|class|struct|union|enum)\b[^()]*$|extern\s*$")


def check_functions(path, text):
    code = strip(text)
    stack = []  # (kind, line of "{")
    head_start = 0  # Where the text before the next "{" begins.
    line = 1
    for i, c in enumerate(code):
        if c == "\n":
            line += 1
        elif c == "{":
            head = code[head_start:i]
            in_scope = all(kind == "container" for kind, _ in stack)
            if CONTAINER.search(head.strip()) or head.strip().endswith(
                    ('extern "C"', "extern")):
                kind = "container"
            elif in_scope and ")" in head:
                kind = "function"
            else:
                kind = "block"
            stack.append((kind, line))
            head_start = i + 1
        elif c == "}":
            if stack:
                kind, opened = stack.pop()
                body = line - opened - 1
                if kind == "function" and body > MAX_FUNCTION_LINES:
                    problems.append(
                        f"{path}:{opened}: a function of {body} lines "
                        f"(at most {MAX_FUNCTION_LINES}): split it into "
                        f"steps")
            head_start = i + 1
        elif c == ";":
            head_start = i + 1


for path in sources():
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = text.split("\n")
    check_includes(path, lines)
    if len(lines) - 1 > MAX_FILE_LINES and "LONG-FILE:" not in text:
        problems.append(f"{path}: {len(lines) - 1} lines (at most "
                        f"{MAX_FILE_LINES} without a LONG-FILE: note)")
    check_functions(path, text)

for p in problems:
    print(p)
if problems:
    print(f"check_layout: {len(problems)} problem(s)")
    sys.exit(1)
print("check_layout: ok")
PY
