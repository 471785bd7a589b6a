"""`c ? a : b` whose condition is unknown: the value is one of its branches, so a value holding such
conditionals is one of its *variants*, one per choice of branch.

A policy statement is judged once per variant (each becomes its own `PolicyStatement`). That is the
conservative reading both ways: a rule that fires when some statement is risky fires when some
branch is (`Action = var.admin ? "*" : "s3:GetObject"`), and a statement passes a rule that asks for
a safeguard (a trust's `sub` condition) only when every branch has it. A condition that resolves
to a bool picks its branch. A value with more than `MAX_VARIANTS` variants is "too complex to
resolve" (NHI001), never unknown: nesting conditionals must not hide the branch that grants `*`.
"""

from __future__ import annotations

from itertools import product
from math import prod
from typing import Any

from nhilint.formats.terraform.module import Module
from nhilint.parse import TooComplex
from nhilint.parse.tree import Conditional, Expr, LMap, LSeq

MAX_VARIANTS = 64  # per statement: six independent conditionals
_MAX_DEPTH = 32


class TooManyVariants(TooComplex):
    """One value with more variants than judged: NHI001 at that value, the rest of its module judged
    (seven conditionals in one harmless statement must not drop the module's every other finding)."""


def branches(module: Module, value: Any) -> list[Any]:
    """The values `value` (as written) can be at its top: both branches of each conditional whose
    condition is unknown, recursively; the chosen one of a known condition; else `value` itself."""
    return variants(module, value, deep=False)


def variants(module: Module, value: Any, deep: bool = True, depth: int = 0) -> list[Any]:
    """Every value `value` can take, one per choice of branch of its unknown conditionals (in its
    maps and lists too when `deep`). Values without a conditional are returned as written."""
    if depth > _MAX_DEPTH:
        raise TooManyVariants(f"too complex to resolve: conditionals nested more than {_MAX_DEPTH} deep")
    module.budget.spend(1)
    conditional = value if isinstance(value, Conditional) else None
    if conditional is None and isinstance(value, Expr):  # a local or variable that is a conditional
        resolved = module.resolve(value)
        conditional = resolved if isinstance(resolved, Conditional) else None
    if conditional is not None:
        # once per conditional: locals that are conditionals of each other would fan out
        found = module.memo(
            f"variants {deep}", conditional, lambda: _branches(module, conditional, deep, depth)
        )
        return found
    if deep and isinstance(value, (LMap, LSeq)):
        return _containers(module, value, depth)
    return [value]


def _branches(module: Module, conditional: Conditional, deep: bool, depth: int) -> list[Any]:
    condition = module.resolve(conditional.condition)
    if isinstance(condition, bool):
        chosen = [conditional.if_true if condition else conditional.if_false]
    else:
        chosen = [conditional.if_true, conditional.if_false]
    found = [v for branch in chosen for v in variants(module, branch, deep, depth + 1)]
    # the same scalar twice is one variant (`var.a ? local.x : local.x`, repeated, stays small)
    found = list({(type(v), v) if isinstance(v, (str, int, float)) else id(v): v for v in found}.values())
    _check(len(found))
    return found


def _check(count: int) -> None:
    if count > MAX_VARIANTS:
        raise TooManyVariants(
            f"too complex to resolve: conditionals with more than {MAX_VARIANTS} combinations"
        )


def _containers(module: Module, value: LMap | LSeq, depth: int) -> list[Any]:
    children = list(value.values()) if isinstance(value, LMap) else list(value)
    options = [variants(module, child, True, depth + 1) for child in children]
    if all(len(found) == 1 and found[0] is child for found, child in zip(options, children, strict=True)):
        return [value]
    _check(prod(len(found) for found in options))
    module.budget.spend(prod(len(found) for found in options) * max(len(children), 1))
    out: list[Any] = []
    for combination in product(*options):
        if isinstance(value, LMap):
            copy = LMap(value.pos, value.end_line)
            for key, child in zip(value, combination, strict=True):
                copy.put(key, child, value.kpos(key), value.vpos(key))
            out.append(copy)
        else:
            seq = LSeq(value.pos, value.end_line)
            for i, child in enumerate(combination):
                seq.push(child, value.ipos(i))
            out.append(seq)
    return out


def expand_statements(module: Module, document: LMap) -> LMap:
    """The policy document with each statement replaced by its variants (positions kept)."""
    key = next((k for k in document if isinstance(k, str) and k.lower() == "statement"), None)
    if key is None:
        return document
    bodies = branches(module, document[key])
    forked = len(bodies) > 1 or bodies[0] is not document[key]
    items: list[tuple[Any, Any]] = []
    for body in bodies:
        body = module.resolve(body)
        pairs = [(s, body.ipos(i)) for i, s in enumerate(body)] if isinstance(body, LSeq) else [(body, None)]
        for statement, pos in pairs:
            found = variants(module, statement)
            forked = forked or len(found) > 1 or found[0] is not statement
            items += [(v, pos) for v in found]
    if not forked:  # nothing conditional: the document as written
        return document
    statements = LSeq(document.vpos(key))
    for statement, pos in items:
        statements.push(
            statement, pos or (statement.pos if isinstance(statement, LMap) else document.vpos(key))
        )
    out = LMap(document.pos, document.end_line)
    for k, v in document.items():
        out.put(k, statements if k == key else v, document.kpos(k), document.vpos(k))
    return out
