#!/usr/bin/env python3
"""Checks the size rules of gateway/ (issue 13): no file over 500 lines, no
function body over 80. A function is a brace block, outside any other
function, whose head (the text since the previous ';', '{' or '}') has a
parameter list and is not a namespace, class, struct, enum or initializer.
Comments, strings and character literals are skipped.

    python3 scripts/check-sizes.py [REPO]     # exit 1 and one line per problem
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
NOT_A_FUNCTION = re.compile(r"^\s*(template\s*<.*>\s*)?(namespace|class|struct|union|enum)\b|=\s*$|=\s*\w*$", re.S)


def strip(text: str) -> str:
    """Blanks comments and literals, keeping line breaks."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text.startswith('R"', i) and re.match(r'R"([^(]*)\(', text[i:]):
            delim = re.match(r'R"([^(]*)\(', text[i:]).group(1)
            j = text.find(")" + delim + '"', i)
            j = n if j < 0 else j + len(delim) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (j + 1 - i)); i = j + 1
        else:
            out.append(c); i += 1
    return "".join(out)


def functions(text: str):
    """(name, first line, lines) of each function body."""
    s = strip(text)
    stack = []  # per open brace: (is_function, line, head)
    head_start = 0
    line = 1
    for i, c in enumerate(s):
        if c == "\n":
            line += 1
        elif c == "{":
            head = s[head_start:i]
            inside = any(f for f, _, _ in stack)
            is_fn = (not inside and "(" in head and ")" in head
                     and not NOT_A_FUNCTION.search(head.strip()))
            stack.append((is_fn, line, head))
            head_start = i + 1
        elif c == "}":
            if stack:
                is_fn, start, head = stack.pop()
                if is_fn:
                    name = re.findall(r"([~\w:]+)\s*\(", head)
                    yield (name[0] if name else "?"), start, line - start + 1
            head_start = i + 1
        elif c == ";":
            head_start = i + 1


def main() -> int:
    repo = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    problems = []
    for f in sorted((repo / "gateway").rglob("*.[ch]pp")):
        rel = f.relative_to(repo)
        text = f.read_text()
        n = text.count("\n")
        if n > MAX_FILE_LINES:
            problems.append(f"{rel}: {n} lines (at most {MAX_FILE_LINES})")
        for name, start, length in functions(text):
            if length > MAX_FUNCTION_LINES:
                problems.append(f"{rel}:{start}: {name} is {length} lines (at most {MAX_FUNCTION_LINES})")
    for p in problems:
        print(p)
    print(f"check-sizes: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
