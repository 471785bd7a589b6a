"""Terraform string and collection functions, and string templates, evaluated as far as known.

A string whose parts are only partly known is kept as a template `Expr` (`"arn:${var.partition}:
iam::aws:policy/AdministratorAccess"`): every consumer treats it as unknown, and `render` shows its
literal parts with `${...}` where the unknown ones are, so a rule can still read a meaning the
unknown parts cannot change (the managed policy an ARN ends with). Only what Terraform would
compute the same way is computed; anything else stays the `Call` (unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nhilint.knowledge.credential_names import lazy
from nhilint.parse import decimal
from nhilint.parse.tree import Call, Expr, LMap, LSeq

Resolve = Callable[[Any], Any]

MAX_STRING = 4096  # characters a computed string may reach: past it the value is unknown
_FORMAT_VERB = lazy(r"%(%|[sdv])")
_INTERPOLATION = lazy(r"\$\{([^{}]*)\}")
_TRAVERSAL = lazy(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*$")
# A conditional's condition keeps its operators as calls named by the operator (`parse.hcl`).
OPERATORS = frozenset({"==", "!=", ">", "<", ">=", "<=", "&&", "||", "!"})
CALLS = frozenset({"format", "join", "toset", "tolist", "concat", "length", "tostring"}) | OPERATORS


def evaluate(call: Call, resolve: Resolve) -> Any:
    """The value of one of `CALLS`, a partly known string, or `call` itself when unknown."""
    args = [resolve(a) for a in call.args]
    found: Any = None
    if call.name == "format" and args and isinstance(args[0], str):
        found = _format(args[0], args[1:])
    elif call.name == "join" and len(args) >= 2 and isinstance(args[0], str):
        items = [item for lst in args[1:] if isinstance(lst, LSeq) for item in lst]
        if all(isinstance(lst, LSeq) for lst in args[1:]):
            pieces: list[Any] = []
            for i, item in enumerate(items):
                pieces += [args[0], resolve(item)] if i else [resolve(item)]
            found = join(pieces)
    elif call.name in ("toset", "tolist") and len(args) == 1 and isinstance(args[0], LSeq):
        found = _distinct(args[0], resolve) if call.name == "toset" else args[0]
    elif call.name == "concat" and args and all(isinstance(a, LSeq) for a in args):
        found = LSeq(args[0].pos)
        for lst in args:
            for i, item in enumerate(lst):
                found.push(item, lst.ipos(i))
    elif call.name == "length" and len(args) == 1 and isinstance(args[0], (LSeq, LMap, str)):
        found = len(args[0])
    elif call.name == "tostring" and len(args) == 1 and isinstance(args[0], (str, int, float)):
        found = _text(args[0])
    elif call.name in OPERATORS:
        found = _operate(call.name, args)
    return call if found is None else found


def template(expr: Expr, resolve: Resolve) -> Any:
    """A one-line quoted template (`"arn:${var.p}:iam::..."`) with its known interpolations
    substituted: a string when all are known, else a template of what is left; `expr` unchanged
    when it is not such a template or nothing in it is known."""
    text = expr.text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"' or "\n" in text or "\\" in text or "%{" in text:
        return expr
    body = text[1:-1]
    pieces: list[Any] = []
    position = 0
    for match in _INTERPOLATION().finditer(body):
        if body[position : match.start()].endswith("$"):  # a `$${` escape: literal text
            return expr
        pieces.append(body[position : match.start()])
        position = match.end()
        name = match.group(1).strip()
        value = resolve(Expr(name, (name,))) if _TRAVERSAL().match(name) else None
        pieces.append(value if isinstance(value, (str, int, float, bool, Expr)) else Expr(name, (name,)))
    if "${" in body[position:]:  # nested braces
        return expr
    pieces.append(body[position:])
    found = join(pieces)
    if found is None or (isinstance(found, Expr) and found.text == text):
        return expr
    return found


def join(pieces: list[Any]) -> Any:
    """Strings and unknown parts joined: a str when all are known, else a template Expr (None past
    `MAX_STRING`)."""
    out: list[str] = []
    refs: list[str] = []
    known = True
    size = 0
    for piece in pieces:
        if isinstance(piece, Expr):
            known = False
            text = piece.text.strip()
            inner = text[1:-1] if len(text) > 1 and text[0] == text[-1] == '"' else "${" + text + "}"
            out.append(inner)
            refs += piece.refs
        elif isinstance(piece, Call):
            known = False
            out.append("${" + piece.text + "}")
        elif isinstance(piece, (str, int, float, bool)):
            out.append(_text(piece))
        else:
            return None
        size += len(out[-1])
        if size > MAX_STRING:  # before joining: a template repeating a long value would build it whole
            return None
    text = "".join(out)
    if len(text) > MAX_STRING:
        return None
    return text if known else Expr(f'"{text}"', tuple(dict.fromkeys(refs)))


def _operate(operator: str, args: list[Any]) -> bool | None:
    """A comparison or logic operator over known values of one type, as Terraform compares them (no
    conversion: `1 == "1"` is false); None when an operand is unknown (no short circuit, so an
    unknown operand never picks a branch)."""
    kinds = {_kind(a) for a in args}
    if None in kinds:
        return None
    if len(kinds) > 1:  # values of different types are never equal
        return {"==": False, "!=": True}.get(operator)
    (kind,) = kinds
    if operator == "!" and kind == "bool" and len(args) == 1:
        return not args[0]
    if len(args) != 2:
        return None
    left, right = args
    if operator == "==":
        return bool(left == right)
    if operator == "!=":
        return bool(left != right)
    if kind == "bool" and operator in ("&&", "||"):
        return bool(left and right) if operator == "&&" else bool(left or right)
    if kind == "number" and operator in (">", "<", ">=", "<="):
        return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[operator]
    return None


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else None


def _format(spec: str, args: list[Any]) -> Any:
    pieces: list[Any] = []
    used = 0
    position = 0
    for match in _FORMAT_VERB().finditer(spec):
        if "%" in spec[position : match.start()]:  # a verb or flag not followed here (`%05d`, `%q`)
            return None
        pieces.append(spec[position : match.start()])
        position = match.end()
        if match.group(1) == "%":
            pieces.append("%")
            continue
        if used >= len(args):
            return None
        value = args[used]
        used += 1
        if match.group(1) == "d" and isinstance(value, str) and decimal(value) is None:
            return None
        if not isinstance(value, (str, int, float, bool, Expr, Call)):
            return None
        pieces.append(value)
    rest = spec[position:]
    if "%" in rest or used != len(args):
        return None
    pieces.append(rest)
    return join(pieces)


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _distinct(items: LSeq, resolve: Resolve) -> Any:
    out = LSeq(items.pos, items.end_line)
    seen: set[Any] = set()
    for i, item in enumerate(items):
        value = resolve(item)
        if not isinstance(value, (str, int, float, bool)):
            return None  # a set of unknowns may hold duplicates: how many instances is unknown
        if value not in seen:
            seen.add(value)
            out.push(value, items.ipos(i))
    return out
