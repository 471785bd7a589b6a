"""HCL (Terraform `.tf`, `.tfvars`, `.tf.json`) to the located tree of `nhilint.parse.tree`.

Native syntax is parsed with tree-sitter (error-tolerant: a broken file still yields every block
that parsed, plus the errors). Values become plain Python where the source is a literal and
`Expr` / `Call` where it is not:

* numbers, `true`/`false`, `null` -> int/float, bool, None
* quoted strings and heredocs without `${`/`%{` -> str, escapes decoded as HCL does
  (`$${` and `%%{` are literal `${` and `%{`; heredocs take no backslash escapes; `<<-` strips the
  common leading whitespace)
* templates that interpolate -> `Expr(text=<source as written, quotes or heredoc markers included>)`
* objects -> `LMap` (keys: identifier or string value, else the key's source such as `(var.k)`),
  tuples -> `LSeq`, function calls -> `Call` with parsed args
* `c ? a : b` -> `Conditional` (an `Expr` with its three parts parsed)
* everything else (traversals, operators, for, splat) -> `Expr`

`Expr.refs` lists each traversal the value mentions, cut at the first index or splat
(`aws_iam_role.r[0].arn` -> `aws_iam_role.r`); names bound by a `for` are left out.

`hcl_convert` turns tree-sitter's nodes into these values; `hcl_json` reads the JSON syntax.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nhilint.parse import ParseError, TooComplex
from nhilint.parse.hcl_convert import Converter, syntax_tree
from nhilint.parse.tree import Block, LMap, Pos
from nhilint.quote import redact_snippet

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_ERRORS = 5
# Tokens (words, strings, punctuation; counted before parsing) one file may hold. tree-sitter's
# tree costs 400-650 bytes per token and our tree and facts about as much again: a file at the limit
# is a scan of about 300 MB and 6 s of CPU. The biggest real `.tf` files (about 1 MB) hold about
# 150,000 tokens.
MAX_TOKENS = 300_000
MAX_LINE = 1_000_000  # bytes: no real `.tf` line comes near (a minified policy is a few KB)
# A quoted string up to its end or its first `${`/`%{` (whose insides tree-sitter reads as tokens),
# a word, or one punctuation character. Nothing spans lines, so the text can be counted by pieces.
_TOKEN = re.compile(rb'"(?:[^"\\\n$%]|\\.|[$%](?!\{))*"?|[\w.\-]+|[^\s\w.\-]')
_COUNT_PIECE = 1 << 18


def parse_hcl(text: str) -> tuple[Block, list[ParseError]]:
    """Parse a .tf or .tfvars file into its root body and the syntax errors found (at most MAX_ERRORS).

    The root is `Block(type="", labels=[])`; whatever parsed before and around an error is kept.
    """
    data = text.encode("utf-8")
    _check_size(data)
    root = syntax_tree(data).root_node
    conv = Converter(data)
    last_line = max(1, text.count("\n") + (not text.endswith("\n")))
    file_block = Block("", [], LMap(Pos(1, 1), last_line), pos=Pos(1, 1), end_line=last_line)
    try:
        for child in root.named_children:
            if child.type in ("body", "ERROR"):
                conv.fill_body(child, file_block)
    except RecursionError:  # the converter recurses per level; the file, not the scan, pays for it
        raise ParseError("too deeply nested to read") from None
    errors = conv.errors
    if root.has_error:
        errors = errors + _tree_errors(root, conv)
    # An unclosed block is usually the echo of an error inside it: name the cause first.
    errors.sort(key=lambda e: (e.reason.startswith("unclosed block"), e.line, e.col))
    return file_block, errors[:MAX_ERRORS]


def _check_size(data: bytes) -> None:
    """Refuse, before tree-sitter builds it, a tree bigger than MAX_TOKENS allows (memory per file).
    A token takes at least one byte, so smaller files need no count. A line over MAX_LINE is refused
    too: the count takes an unclosed string for one token, but tree-sitter's error recovery over it
    costs ~180 bytes per byte of the line (a 2.6 MB line: 480 MB)."""
    if len(data) <= MAX_TOKENS:
        return
    if _longest_line(data) > MAX_LINE:
        raise TooComplex(f"too complex to read: a line over {MAX_LINE:,} bytes")
    if _count_tokens(data) > MAX_TOKENS:
        raise TooComplex(f"too complex to read: more than {MAX_TOKENS:,} HCL tokens in one file")


def _longest_line(data: bytes) -> int:
    longest = start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        longest, start = max(longest, end - start), end + 1
    return longest


def _count_tokens(data: bytes) -> int:
    """Tokens of `data`, by pieces that end at a line end (a count over the whole text at once would
    hold a list of every piece between tokens); stops once over MAX_TOKENS."""
    count = start = 0
    while start < len(data) and count <= MAX_TOKENS:
        end = data.find(b"\n", start + _COUNT_PIECE) + 1 or len(data)
        count += _TOKEN.subn(b"", data[start:end])[1]
        start = end
    return count


# -- syntax errors -------------------------------------------------------------------------------


def _tree_errors(root: Node, conv: Converter) -> list[ParseError]:
    errors: list[ParseError] = []
    stack = [root]
    while stack and len(errors) < MAX_ERRORS * 2:
        node = stack.pop()
        if node.is_missing:
            errors.append(_missing_error(node, conv))
        elif node.is_error:
            # the offending text may be a secret written in the wrong place: quote only its redaction
            snippet = redact_snippet(conv.text(node).strip().split("\n", 1)[0][:40])
            errors.append(
                ParseError(f"unexpected {snippet!r}" if snippet else "syntax error", *conv.pos(node))
            )
        else:
            stack.extend(c for c in reversed(node.children) if c.has_error or c.is_missing)
    return errors


def _missing_error(node: Node, conv: Converter) -> ParseError:
    """Say what is missing where a human would fix it: an unclosed block at its opening line."""
    parent = node.parent
    if node.type == "}" and parent is not None and parent.type == "block_end" and parent.parent is not None:
        block = parent.parent
        head = conv.text(block).split("{", 1)[0].strip()
        return ParseError(f"unclosed block {head} (missing '}}')", *conv.pos(block))
    if node.type == "heredoc_identifier" and parent is not None:
        return ParseError("unterminated heredoc (closing marker not found)", *conv.pos(parent))
    label = node.type if not node.type.isidentifier() else node.type.replace("_", " ")
    return ParseError(f"missing {label!r}", *conv.pos(node))
