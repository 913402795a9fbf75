#!/usr/bin/env python3
"""Counts the lines of code of a C++ file and fails above a limit.

A line of code is a line that is neither blank nor only a // comment (block
comments are not used in the examples and count as code). Usage:
count_code_lines.py FILE LIMIT
"""
import sys


def code_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("//"))


def main() -> int:
    path, limit = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as f:
        n = code_lines(f.read())
    print(f"{path}: {n} lines of code (limit {limit})")
    return 0 if n <= limit else 1


if __name__ == "__main__":
    sys.exit(main())
