#!/usr/bin/env python3
# Copyright 2026 The orderly Authors.
"""Checks that the examples the tests run are the examples the docs show.

A test holds a documented example verbatim between two comment lines:

    // example: <file>[ + <file>...][, <what>]
    ...the example's code, as the header or the doc shows it...
    // end of example

<file> is a path from the repository root, or a file name found under
runtime/, blocks/, hooks/, render/, adapters/ or docs/. The check passes when the
example's lines, with leading whitespace removed and empty lines dropped,
appear in that file as consecutive lines, after removing from each line of
the file its leading whitespace and, in a C++ file, the comment marker `//`
(header examples are comments). So an example edited in one place and not
the other fails CI (.ci/run), naming both places.

    tools/check_examples.py          # exits 1 and says what differs
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEARCH = ("runtime", "blocks", "hooks", "render", "adapters", "docs")
BEGIN = re.compile(r"^\s*//\s*example:\s*([^,]+)")
END = re.compile(r"^\s*//\s*end of example")


def resolve(name):
  if os.path.exists(os.path.join(ROOT, name)):
    return name
  for top in SEARCH:
    for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
      if name in files:
        return os.path.relpath(os.path.join(dirpath, name), ROOT)
  return None


def normalized(path):
  lines = []
  with open(os.path.join(ROOT, path)) as f:
    for line in f:
      text = line.strip()
      if not path.endswith(".md") and text.startswith("//"):
        text = text[2:].strip()
      lines.append(text)
  return [l for l in lines if l]


def contains(haystack, needle):
  n = len(needle)
  return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def examples(path):
  """(line number, target, lines) for each example block in `path`."""
  found, block, start, target = [], None, 0, None
  with open(os.path.join(ROOT, path)) as f:
    for number, line in enumerate(f, 1):
      m = BEGIN.match(line)
      if m and block is None:
        block, start, target = [], number, m.group(1)
      elif END.match(line) and block is not None:
        found.append((start, target, [l for l in block if l]))
        block = None
      elif block is not None:
        block.append(line.strip())
  return found


def main():
  problems = 0
  checked = 0
  for top in ("tests",):
    for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
      for name in sorted(files):
        if not name.endswith(".cc"):
          continue
        path = os.path.relpath(os.path.join(dirpath, name), ROOT)
        for start, targets, lines in examples(path):
          for target in (t.strip() for t in targets.split("+")):
            checked += 1
            resolved = resolve(target)
            if resolved is None:
              print(f"{path}:{start}: example of unknown file {target}")
              problems += 1
            elif not contains(normalized(resolved), lines):
              print(f"{path}:{start}: this example is not, line for line, "
                    f"in {resolved}; change both together")
              problems += 1
  if checked == 0:
    print("check_examples: no example found (markers changed?)")
    return 1
  print(f"check_examples: {checked} example(s), {problems} problem(s)")
  return 1 if problems else 0


if __name__ == "__main__":
  sys.exit(main())
