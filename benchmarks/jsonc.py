"""Throughput of the JSONC pre-pass that MCP client configurations go through (comments and trailing
commas blanked, positions kept), on generated text: dense JSONC, strict JSON full of URLs (a `//` in
every string forces the full pass), and hostile shapes (runs of `/*`, `//`, commas, backslashes).

    .venv/bin/python benchmarks/jsonc.py

Prints the seconds each takes, best of three.
"""

from __future__ import annotations

import json
import time

from nhilint.formats.mcp.jsonc import blank_comments

UNIT = '{"k": "https://x//y", /* c */ "a": [1, 2, ], // tail\n "s": "a\\"b"},\n'
CASES = {
    "dense JSONC, 5.4 MB": "[" + UNIT * 80000 + "{}]",
    "strict JSON with URLs, 6.7 MB": json.dumps(
        [{"k": "https://a.b/c", "v": [1, 2, 3], "w": "x" * 20}] * 60000, indent=2
    ),
    "unterminated block comment, 3 MB": "/*" + "*" * 3_000_000,
    "3 M commas": "," * 3_000_000 + "]",
    "3 M `//`": "//" * 3_000_000,
    '2 M `"\\`': '"\\' * 2_000_000 + "//",
}


def main() -> None:
    for name, text in CASES.items():
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            blanked = blank_comments(text)
            best = min(best, time.perf_counter() - start)
        assert len(blanked) == len(text)
        print(f"{name:36} {best:6.2f} s")


if __name__ == "__main__":
    main()
