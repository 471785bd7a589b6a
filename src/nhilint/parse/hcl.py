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
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from nhilint.parse import ParseError, TooComplex
from nhilint.parse.tree import NOWHERE, Block, Call, Conditional, Expr, LMap, LSeq, Pos
from nhilint.quote import redact_snippet

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

MAX_ERRORS = 5
# Tokens (words, strings, punctuation; counted before parsing) one file may hold. tree-sitter's
# tree costs 400-650 bytes per token and our tree and facts about as much again: a file at the limit
# is a scan of about 300 MB and 6 s of CPU. The biggest real `.tf` files (about 1 MB) hold about
# 150,000 tokens.
MAX_TOKENS = 300_000
# A quoted string up to its end or its first `${`/`%{` (whose insides tree-sitter reads as tokens),
# a word, or one punctuation character. Nothing spans lines, so the text can be counted by pieces.
_TOKEN = re.compile(rb'"(?:[^"\\\n$%]|\\.|[$%](?!\{))*"?|[\w.\-]+|[^\s\w.\-]')
_COUNT_PIECE = 1 << 18

_parser: Parser | None = None

# One pass over a quoted string: the escapes HCL knows, plus the template escapes.
_ESCAPE = re.compile(r'\\(?:[nrt"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})|\$\$\{|%%\{')
_SIMPLE_ESCAPES = {"\\n": "\n", "\\r": "\r", "\\t": "\t", '\\"': '"', "\\\\": "\\", "$${": "${", "%%{": "%{"}
# Template sequences in a JSON-syntax string: the escaped forms must win over the plain ones.
_TEMPLATE_SEQ = re.compile(r"\$\$\{|%%\{|\$\{|%\{")

# tree-sitter-hcl rejects `1e6` (an exponent without a fraction), which HCL allows. The grammar
# sees same-length digits instead while values are read from the original text.
_BARE_EXPONENT = re.compile(rb"(?<![\w.\-])\d+[eE][+-]?\d+(?![\w.])")

_NEGATIVE_NUMBER = re.compile(r"-\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)")

_DAMAGED_HEADER = "malformed block header (a stray or missing quote?): a label cannot span lines"

_TEMPLATE_PARTS = frozenset({"template_interpolation", "template_directive"})
_NOT_ARGS = frozenset({"ellipsis", "comment"})


def _get_parser() -> Parser:
    global _parser
    if _parser is None:
        import tree_sitter
        import tree_sitter_hcl

        _parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    return _parser


def parse_hcl(text: str) -> tuple[Block, list[ParseError]]:
    """Parse a .tf or .tfvars file into its root body and the syntax errors found (at most MAX_ERRORS).

    The root is `Block(type="", labels=[])`; whatever parsed before and around an error is kept.
    """
    data = text.encode("utf-8")
    _check_size(data)
    root = _get_parser().parse(_BARE_EXPONENT.sub(_same_length_digits, data)).root_node
    conv = _Converter(data)
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
    A token takes at least one byte, so smaller files need no count."""
    if len(data) > MAX_TOKENS and _count_tokens(data) > MAX_TOKENS:
        raise TooComplex(f"too complex to read: more than {MAX_TOKENS:,} HCL tokens in one file")


def _count_tokens(data: bytes) -> int:
    """Tokens of `data`, by pieces that end at a line end (a count over the whole text at once would
    hold a list of every piece between tokens); stops once over MAX_TOKENS."""
    count = start = 0
    while start < len(data) and count <= MAX_TOKENS:
        end = data.find(b"\n", start + _COUNT_PIECE) + 1 or len(data)
        count += _TOKEN.subn(b"", data[start:end])[1]
        start = end
    return count


def _same_length_digits(match: re.Match[bytes]) -> bytes:
    return b"1" * len(match.group())


_new_pos = tuple.__new__  # Pos(...) without NamedTuple's Python-level __new__: one per value and key


def _named(node: Node) -> Iterator[Node]:
    """The named children of `node`, one at a time. `node.named_children` keeps every child's Python
    object cached on its parent, so a walk from the root would hold the whole syntax tree as Python
    objects (over 100 MB per MB of `.tf`); through a cursor, each child is freed once read."""
    cursor = node.walk()
    if not cursor.goto_first_child():
        return
    while True:
        child = cursor.node
        if child is not None and child.is_named:
            yield child
        if not cursor.goto_next_sibling():
            return


class _Converter:
    """Turns tree-sitter nodes into located values; collects errors tree-sitter cannot see."""

    def __init__(self, data: bytes, first_row: int = 0, recover: bool = True) -> None:
        self.data = data
        self.ascii = data.isascii()
        self.errors: list[ParseError] = []
        self.first_row = first_row  # the file row `data` starts at (a piece of the file re-read alone)
        self.recover = recover  # re-read the damaged header of a block (not again inside one)

    # -- positions and text ------------------------------------------------------------------

    def pos(self, node: Node) -> Pos:
        row, col = node.start_point
        if not self.ascii:  # tree-sitter counts bytes; a human counts characters
            line_start = node.start_byte - col
            col = len(self.data[line_start : node.start_byte].decode("utf-8", "replace"))
        return _new_pos(Pos, (self.first_row + row + 1, col + 1))

    def end_line(self, node: Node) -> int:
        return self.first_row + node.end_point[0] + 1

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    # -- bodies and blocks -------------------------------------------------------------------

    def fill_body(self, body: Node, block: Block) -> None:
        for child in _named(body):
            if child.type == "attribute":
                self._attribute(child, block.attrs)
            elif child.type == "block":
                block.blocks.append(self._block(child))
            elif child.type == "ERROR":  # keep what tree-sitter recovered inside the damage
                self.fill_body(child, block)
            elif child.type == "object" and not self.recover:  # re-reading a header: a body that lost it
                found = self._object(child)
                for key, value in found.items():
                    block.attrs.put(key, value, found.kpos(key), found.vpos(key))

    def _attribute(self, node: Node, attrs: LMap) -> None:
        parts = node.named_children
        name, value = parts[0], parts[-1]
        if name.type != "identifier" or value is name:
            return
        attrs.put(self.text(name), self.value(value), self.pos(name), self.pos(value))

    def _block(self, node: Node) -> Block:
        pos = self.pos(node)
        type_ = ""
        labels: list[str] = []
        body: Node | None = None
        damage: Node | None = None  # the first label that is not one: names are never built from it
        for child in node.named_children:
            if child.type == "identifier" and not type_:
                type_ = self.text(child)
            elif child.type in ("string_lit", "identifier"):
                if damage is None and (child.has_error or b"\n" in self._bytes(child)):
                    damage = child
                    self.errors.append(ParseError(_DAMAGED_HEADER, *self.pos(child)))
                if damage is None:
                    labels.append(self._string(child) if child.type == "string_lit" else self.text(child))
            elif child.type == "body":
                body = child
        end_line = self.end_line(node)
        block = Block(type_, labels, LMap(pos, end_line), pos=pos, end_line=end_line)
        if damage is not None and self.recover:
            self._reread_header(damage, node, block)
        if body is not None:
            self.fill_body(body, block)
        return block

    def _reread_header(self, damage: Node, block_node: Node, block: Block) -> None:
        """A stray quote folds lines (attributes, keys, whole blocks) into a block's labels: read that
        stretch again on its own, so a credential written there is still judged (NHI101), by its key.
        """
        start = damage.start_byte + (damage.type == "string_lit")  # after the stray quote
        opener = next((c for c in block_node.children if c.type == "block_start"), None)
        end = opener.start_byte if opener is not None else block_node.end_byte
        line_start = self.data.rfind(b"\n", 0, start) + 1
        # the start of the first line is blanked (same length, so columns stay right)
        piece = b" " * (start - line_start) + self.data[start:end]
        reader = _Converter(piece, self.first_row + damage.start_point[0], recover=False)
        root = _get_parser().parse(_BARE_EXPONENT.sub(_same_length_digits, piece)).root_node
        for child in root.named_children:
            if child.type in ("body", "ERROR"):
                reader.fill_body(child, block)

    def _bytes(self, node: Node) -> bytes:
        return self.data[node.start_byte : node.end_byte]

    # -- values ------------------------------------------------------------------------------

    def value(self, node: Node) -> Any:
        kind = node.type
        if kind == "expression":
            inner = node.named_children
            if len(inner) == 1 and node.child_count == 1:
                return self.value(inner[0])
            return self._expr(node)  # traversal or parenthesised expression
        if kind == "literal_value":
            return self._literal(node.named_children[0])
        if kind == "collection_value":
            return self.value(node.named_children[0])
        if kind == "object":
            return self._object(node)
        if kind == "tuple":
            return self._tuple(node)
        if kind == "template_expr":
            return self._template(node.named_children[0])
        if kind == "function_call":
            return self._call(node)
        if kind == "conditional":
            return self._conditional(node)
        if kind == "operation":
            number = self._negative_number(node)
            return self._expr(node) if number is None else number
        return self._expr(node)

    def _negative_number(self, node: Node) -> int | float | None:
        """`-1` is an operation in the grammar but a literal to anyone reading the file."""
        match = _NEGATIVE_NUMBER.fullmatch(self.text(node))
        return -_number(match[1]) if match else None

    def _expr(self, node: Node) -> Expr:
        return Expr(self.text(node), _refs(node, self))

    def _literal(self, node: Node) -> Any:
        kind = node.type
        if kind == "numeric_lit":
            return _number(self.text(node))
        if kind == "bool_lit":
            return self.text(node) == "true"
        if kind == "null_lit":
            return None
        if kind == "string_lit":
            return self._string(node)
        return self._expr(node)

    def _string(self, node: Node) -> str:
        """The value of a quoted string without interpolation (`string_lit` or `quoted_template`)."""
        first, last = node.child(0), node.child(node.child_count - 1)
        if first is None or last is None:
            return ""
        end = last.start_byte if last.type == "quoted_template_end" and not last.is_missing else node.end_byte
        raw = self.data[first.end_byte : end].decode("utf-8", "replace")
        if "\n" in raw:  # tree-sitter accepts this; HCL does not
            self.errors.append(
                ParseError("unterminated string (a quoted string cannot span lines)", *self.pos(node))
            )
        return _unescape(raw)

    def _template(self, node: Node) -> Any:
        interpolates = any(c.type in _TEMPLATE_PARTS for c in node.named_children)
        if node.type == "heredoc_template":
            if not interpolates:
                return self._heredoc(node)
        elif not interpolates:
            return self._string(node)
        return self._expr(node)

    def _heredoc(self, node: Node) -> str:
        """The body of a heredoc exactly as Terraform reads it (so a JSON policy loads with json.loads)."""
        marks = [c for c in node.named_children if c.type == "heredoc_identifier"]
        newline = self.data.find(b"\n", marks[0].end_byte if marks else node.start_byte, node.end_byte)
        start = newline + 1 if newline >= 0 else node.end_byte
        if len(marks) > 1 and not marks[-1].is_missing:
            end = marks[-1].start_byte - marks[-1].start_point[1]  # start of the closing marker's line
        else:  # unterminated: reported by _tree_errors, keep what there is
            end = node.end_byte
        body = self.data[start:end].decode("utf-8", "replace")
        opener = node.child(0)
        if opener is not None and self.text(opener) == "<<-":
            body = _flush_heredoc(body)
        return body.replace("$${", "${").replace("%%{", "%{")

    def _object(self, node: Node) -> LMap:
        result = LMap(self.pos(node), self.end_line(node))
        for elem in _named(node):
            if elem.type != "object_elem":
                continue
            key, val = elem.child_by_field_name("key"), elem.child_by_field_name("val")
            if key is None or val is None:
                continue
            result.put(self._key(key), self.value(val), self.pos(key), self.pos(val))
        return result

    def _key(self, node: Node) -> Any:
        """An object key as Terraform names it: bare word or string value, else its source text."""
        # A broken key (an unclosed quote swallows the lines after it) is no name: say where it is.
        broken = "<key at line {}, column {}>".format(*self.pos(node))
        if node.has_error:
            return broken
        inner = node.named_children
        if node.type == "expression" and len(inner) == 1 and node.child_count == 1:
            only = inner[0]
            if only.type == "variable_expr":
                return self.text(only)
            if only.type == "literal_value" and only.named_children[0].type == "string_lit":
                string = only.named_children[0]
                key = self._string(string)  # reports a string that spans lines
                return broken if b"\n" in self._bytes(string) else key
        return " ".join(self.text(node).split())  # `(var.k)` over several lines: one line

    def _tuple(self, node: Node) -> LSeq:
        result = LSeq(self.pos(node), self.end_line(node))
        for item in _named(node):
            if item.type not in ("tuple_start", "tuple_end", "comment"):
                result.push(self.value(item), self.pos(item))
        return result

    def _conditional(self, node: Node) -> Expr:
        parts = [c for c in node.named_children if c.type != "comment"]
        if len(parts) != 3:  # a broken conditional: unknown
            return self._expr(node)
        condition, if_true, if_false = self._condition(parts[0]), self.value(parts[1]), self.value(parts[2])
        return Conditional(self.text(node), _refs(node, self), condition, if_true, if_false)

    def _condition(self, node: Node) -> Any:
        """A condition with its operators kept as calls named by the operator (`length(var.x) > 0`
        is `Call(">", (Call("length", ...), 0))`), so resolution can decide it; else its value."""
        inner = node
        while inner.type in ("expression", "operation") and inner.child_count == 1:
            inner = inner.children[0]
        if inner.type not in ("binary_operation", "unary_operation"):
            return self.value(node)
        children = [c for c in inner.children if c.type != "comment"]
        at = next((i for i, c in enumerate(children) if not c.is_named), None)
        if at is None:
            return self.value(node)
        sides = (
            [children[:at], children[at + 1 :]] if inner.type == "binary_operation" else [children[at + 1 :]]
        )
        if not all(sides):
            return self.value(node)
        return Call(self.text(children[at]), tuple(self._operand(side) for side in sides), self.text(node))

    def _operand(self, nodes: list[Node]) -> Any:
        if len(nodes) == 1:
            return self._condition(nodes[0])
        text = self.data[nodes[0].start_byte : nodes[-1].end_byte].decode("utf-8", "replace")
        return Expr(text, (_traversal(nodes, 0, self),) if nodes[0].type == "variable_expr" else ())

    def _call(self, node: Node) -> Call:
        name = node.named_children[0]
        args: list[Any] = []
        for child in node.named_children[1:]:
            if child.type == "function_arguments":
                args.extend(self.value(a) for a in child.named_children if a.type not in _NOT_ARGS)
        return Call(self.text(name), tuple(args), self.text(node))


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _unescape(raw: str) -> str:
    if "\\" not in raw and "$${" not in raw and "%%{" not in raw:
        return raw
    return _ESCAPE.sub(_escape_value, raw)


def _escape_value(match: re.Match[str]) -> str:
    seq = match.group()
    if seq[:2] in ("\\u", "\\U"):
        code = int(seq[2:], 16)
        # a lone surrogate (or out-of-range code) becomes U+FFFD as in Terraform; kept, it breaks UTF-8 output
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return _SIMPLE_ESCAPES[seq]


def _flush_heredoc(body: str) -> str:
    """`<<-` strips the smallest indent of the non-blank lines from every non-blank line (as HCL does)."""
    lines = body.split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    if not indents:
        return body
    cut = min(indents)
    return "\n".join(line[cut:] if line.strip() else line for line in lines)


# -- references ----------------------------------------------------------------------------------


def _refs(node: Node, conv: _Converter) -> tuple[str, ...]:
    if node.type == "variable_expr":
        return (conv.text(node),)
    found: list[str] = []
    _collect_refs(node, conv, frozenset(), found)
    return tuple(dict.fromkeys(found))


def _collect_refs(node: Node, conv: _Converter, bound: frozenset[str], found: list[str]) -> None:
    if node.type in ("for_tuple_expr", "for_object_expr", "template_for"):
        bound = bound | _for_names(node, conv)
    children = node.named_children
    for i, child in enumerate(children):
        kind = child.type
        if kind == "variable_expr":
            ref = _traversal(children, i, conv)
            if ref.split(".", 1)[0] not in bound:
                found.append(ref)
        elif kind == "object_elem":
            key, val = child.child_by_field_name("key"), child.child_by_field_name("val")
            if key is not None and not _is_bare_word(key):
                _collect_refs(key, conv, bound, found)
            if val is not None:
                _collect_refs(val, conv, bound, found)
        elif kind not in ("get_attr", "identifier", "comment"):
            _collect_refs(child, conv, bound, found)


def _traversal(siblings: list[Node], start: int, conv: _Converter) -> str:
    """`var` `.x` `.y` `[0]` ... -> "var.x.y": the root and the attribute steps before any index or splat."""
    parts = [conv.text(siblings[start])]
    for step in siblings[start + 1 :]:
        if step.type != "get_attr":
            break
        parts.append(conv.text(step).strip())
    return "".join(parts)


def _for_names(node: Node, conv: _Converter) -> frozenset[str]:
    intro = next((c for c in node.named_children if c.type in ("for_intro", "template_for_start")), None)
    if intro is None:
        return frozenset()
    return frozenset(conv.text(c) for c in intro.named_children if c.type == "identifier")


def _is_bare_word(key: Node) -> bool:
    inner = key.named_children
    return key.child_count == 1 and len(inner) == 1 and inner[0].type == "variable_expr"


# -- syntax errors -------------------------------------------------------------------------------


def _tree_errors(root: Node, conv: _Converter) -> list[ParseError]:
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


def _missing_error(node: Node, conv: _Converter) -> ParseError:
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


# -- Terraform JSON syntax -----------------------------------------------------------------------

# Top-level block types and how many labels each takes (`resource.<type>.<name>`).
_JSON_BLOCK_LABELS = {
    "resource": 2,
    "data": 2,
    "variable": 1,
    "provider": 1,
    "module": 1,
    "output": 1,
    "check": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
}
# JSON cannot tell a nested block from an object attribute without provider schemas; these names
# are blocks wherever they appear (the meta blocks, and the ones identity checks read).
_JSON_NESTED_LABELS = {
    "dynamic": 1,
    "provisioner": 1,
    "backend": 1,
    "content": 0,
    "lifecycle": 0,
    "connection": 0,
    "required_providers": 0,
    "cloud": 0,
    "statement": 0,
    "principals": 0,
    "not_principals": 0,
    "condition": 0,
    "default_tags": 0,
    "assume_role": 0,
    "assume_role_with_web_identity": 0,
    "inline_policy": 0,
    "binding": 0,
    "audit_config": 0,
    "permissions": 0,
    "access_policy": 0,
    "identity": 0,
    "service_account": 0,
    "metadata": 0,
    "rule": 0,
    "subject": 0,
    "role_ref": 0,
}


def parse_tf_json(data: object) -> Block:
    """Convert a loaded `.tf.json` document (LMap/LSeq from nhilint.parse.json, or plain dict/list)
    into the Block tree `parse_hcl` gives for the same configuration.

    Strings holding `${...}` or `%{...}` become `Expr` with refs; `"//"` comment keys are dropped.
    Nested blocks are recognised by name only (see `_JSON_NESTED_LABELS`); other objects stay attributes.
    """
    pos = getattr(data, "pos", NOWHERE)
    end_line = getattr(data, "end_line", pos.line)
    root = Block("", [], LMap(pos, end_line), pos=pos, end_line=end_line)
    if not isinstance(data, dict):
        return root
    for key, value in data.items():
        if key in _JSON_BLOCK_LABELS:
            root.blocks.extend(_json_blocks(key, _JSON_BLOCK_LABELS[key], value, _kpos(data, key)))
        elif key != "//":
            root.attrs.put(key, _json_value(value), _kpos(data, key), _vpos(data, key))
    return root


def tf_json_shape_errors(data: object) -> list[ParseError]:
    """Where a `.tf.json` document is not the shape Terraform reads (it would reject the file): the
    top level an object, each block kind an object (or a list of them) down to its labels."""
    if not isinstance(data, dict):
        return [ParseError("a .tf.json file must hold a JSON object")]
    errors = []
    for key, n_labels in _JSON_BLOCK_LABELS.items():
        if key in data:
            errors += _shape(key, data[key], n_labels, _kpos(data, key))
    return errors


def _shape(what: str, value: object, n_labels: int, pos: Pos) -> list[ParseError]:
    items = [item for item in (value if isinstance(value, list) else [value]) if isinstance(item, dict)]
    if len(items) != (len(value) if isinstance(value, list) else 1):
        return [ParseError(f"`{what}` must be a JSON object", pos.line, pos.col)]
    if n_labels == 0:
        return []
    return [
        error
        for item in items
        for label, inner in item.items()
        if label != "//"
        for error in _shape(f"{what}.{label}"[:80], inner, n_labels - 1, _kpos(item, label))
    ]


def _json_blocks(
    type_: str, n_labels: int, value: object, pos: Pos, labels: tuple[str, ...] = ()
) -> list[Block]:
    """Peel `n_labels` levels of `{label: ...}` (arrays allowed at any level) down to block bodies."""
    if isinstance(value, list):
        return [b for item in value for b in _json_blocks(type_, n_labels, item, pos, labels)]
    if not isinstance(value, dict):
        return []
    if n_labels == 0:
        return [_json_block(type_, list(labels), value, pos)]
    return [
        b
        for label, inner in value.items()
        if label != "//"
        for b in _json_blocks(type_, n_labels - 1, inner, _kpos(value, label), (*labels, str(label)))
    ]


def _json_block(type_: str, labels: list[str], body: dict[Any, Any], pos: Pos) -> Block:
    end_line = getattr(body, "end_line", pos.line)
    block = Block(type_, labels, LMap(pos, end_line), pos=pos, end_line=end_line)
    for key, value in body.items():
        if key == "//":
            continue
        nested = _JSON_NESTED_LABELS.get(key)
        if nested is not None and _is_block_shaped(value):
            block.blocks.extend(_json_blocks(key, nested, value, _kpos(body, key)))
        else:
            block.attrs.put(key, _json_value(value), _kpos(body, key), _vpos(body, key))
    return block


def _is_block_shaped(value: object) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, dict):
        result = LMap(getattr(value, "pos", NOWHERE), getattr(value, "end_line", None))
        for key, item in value.items():
            result.put(key, _json_value(item), _kpos(value, key), _vpos(value, key))
        return result
    if isinstance(value, list):
        seq = LSeq(getattr(value, "pos", NOWHERE), getattr(value, "end_line", None))
        item_pos = getattr(value, "item_pos", None)
        for i, item in enumerate(value):
            seq.push(_json_value(item), item_pos[i] if item_pos and i < len(item_pos) else seq.pos)
        return seq
    return value


def _json_string(value: str) -> str | Expr:
    """A JSON-syntax string is an HCL template: interpolation makes it an Expr, `$${` is a literal."""
    sequences = _TEMPLATE_SEQ.findall(value)
    if not sequences:
        return value
    if all(s in ("$${", "%%{") for s in sequences):
        return value.replace("$${", "${").replace("%%{", "%{")
    return Expr(value, _template_refs(value))


def _template_refs(template: str) -> tuple[str, ...]:
    """Refs of a template string, read by parsing it as a heredoc (no escaping to get wrong)."""
    marker = "NHILINT_TEMPLATE_END"
    source = f"t = <<{marker}\n{template}\n{marker}\n".encode()
    root = _get_parser().parse(source).root_node
    return _refs(root, _Converter(source))


def _kpos(mapping: object, key: Any) -> Pos:
    kpos = getattr(mapping, "kpos", None)
    return kpos(key) if kpos else getattr(mapping, "pos", NOWHERE)


def _vpos(mapping: object, key: Any) -> Pos:
    vpos = getattr(mapping, "vpos", None)
    return vpos(key) if vpos else _kpos(mapping, key)
