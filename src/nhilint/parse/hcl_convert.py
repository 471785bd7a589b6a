"""tree-sitter's syntax nodes of native HCL to the located values of `nhilint.parse.tree` (what each
becomes: see `nhilint.parse.hcl`), and the references (`Expr.refs`) an expression mentions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from nhilint.parse import ParseError
from nhilint.parse.tree import Block, Call, Conditional, Expr, LMap, LSeq, Pos

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Tree


_parser: Parser | None = None

# One pass over a quoted string: the escapes HCL knows, plus the template escapes.
_ESCAPE = re.compile(r'\\(?:[nrt"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})|\$\$\{|%%\{')
_SIMPLE_ESCAPES = {"\\n": "\n", "\\r": "\r", "\\t": "\t", '\\"': '"', "\\\\": "\\", "$${": "${", "%%{": "%{"}


# tree-sitter-hcl rejects `1e6` (an exponent without a fraction), which HCL allows. The grammar
# sees same-length digits instead while values are read from the original text.
_BARE_EXPONENT = re.compile(rb"(?<![\w.\-])\d+[eE][+-]?\d+(?![\w.])")

_NEGATIVE_NUMBER = re.compile(r"-\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)")

_DAMAGED_HEADER = "malformed block header (a stray or missing quote?): a label cannot span lines"

_TEMPLATE_PARTS = frozenset({"template_interpolation", "template_directive"})
_NOT_ARGS = frozenset({"ellipsis", "comment"})


def get_parser() -> Parser:
    global _parser
    if _parser is None:
        import tree_sitter
        import tree_sitter_hcl

        _parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    return _parser


def syntax_tree(data: bytes) -> Tree:
    """tree-sitter's tree of HCL source (an exponent without a fraction read as same-length digits)."""
    return get_parser().parse(_BARE_EXPONENT.sub(_same_length_digits, data))


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


class Converter:
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
        key = self.text(name)
        if key in attrs:  # Terraform rejects it, but a secret in the first one is committed all the same
            attrs.shadow(key)
        attrs.put(key, self.value(value), self.pos(name), self.pos(value))

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
        reader = Converter(piece, self.first_row + damage.start_point[0], recover=False)
        root = syntax_tree(piece).root_node
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
        return Expr(self.text(node), node_refs(node, self))

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
        else:  # unterminated: reported with the tree's errors (`parse_hcl`), keep what there is
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
            name = self._key(key)
            if isinstance(name, str) and name in result:
                result.shadow(name)
            result.put(name, self.value(val), self.pos(key), self.pos(val))
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
        return Conditional(self.text(node), node_refs(node, self), condition, if_true, if_false)

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


def node_refs(node: Node, conv: Converter) -> tuple[str, ...]:
    if node.type == "variable_expr":
        return (conv.text(node),)
    found: list[str] = []
    _collect_refs(node, conv, frozenset(), found)
    return tuple(dict.fromkeys(found))


def _collect_refs(node: Node, conv: Converter, bound: frozenset[str], found: list[str]) -> None:
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


def _traversal(siblings: list[Node], start: int, conv: Converter) -> str:
    """`var` `.x` `.y` `[0]` ... -> "var.x.y": the root and the attribute steps before any index or splat."""
    parts = [conv.text(siblings[start])]
    for step in siblings[start + 1 :]:
        if step.type != "get_attr":
            break
        parts.append(conv.text(step).strip())
    return "".join(parts)


def _for_names(node: Node, conv: Converter) -> frozenset[str]:
    intro = next((c for c in node.named_children if c.type in ("for_intro", "template_for_start")), None)
    if intro is None:
        return frozenset()
    return frozenset(conv.text(c) for c in intro.named_children if c.type == "identifier")


def _is_bare_word(key: Node) -> bool:
    inner = key.named_children
    return key.child_count == 1 and len(inner) == 1 and inner[0].type == "variable_expr"
