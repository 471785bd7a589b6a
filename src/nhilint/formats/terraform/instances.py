"""Resources repeated over collections the module writes down: `for_each`, `count` and `dynamic` blocks.

A resource whose body uses `each.key`/`each.value`/`count.index` becomes one copy per instance with
those values substituted (positions kept, so every instance is reported at the lines a human edits);
a `dynamic "x"` block becomes one `x` block per element. A collection that is not known (a variable
without default, a data source) leaves the resource as written: its repeated values stay unknown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from nhilint.formats.terraform.functions import MAX_STRING
from nhilint.knowledge.credential_names import lazy
from nhilint.parse import decimal
from nhilint.parse.tree import Block, Call, Conditional, Expr, LMap, LSeq

if TYPE_CHECKING:
    from nhilint.formats import SourceFile
    from nhilint.formats.terraform.module import Module, Resource

COPY_BASE = 200_000  # nodes any module may copy, plus one per character of its files
MAX_INSTANCES = 256  # instances of one resource or dynamic block judged one by one; past it, unknown
_PART = lazy(r"[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\]")
_TRAVERSAL = lazy(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*$")
_INDEX = lazy(r"\[\s*([A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)\s*\]")
_INTERPOLATION = lazy(r"\$\{\s*([A-Za-z_][\w.\[\]\"-]*)\s*\}")

Bindings = dict[str, dict[str, Any]]  # `each` -> {"key": ..., "value": ...}


def expand(module: Module, resources: list[Resource]) -> list[Resource]:
    """Every resource once per instance it declares (itself when it is not repeated, or over an
    unknown collection)."""
    from nhilint.formats.terraform.module import Resource

    out: list[Resource] = []
    for resource in resources:
        file, attrs = resource.file, resource.block.attrs
        repeated = _repetitions(module, attrs, file) if _mentions(resource.block) else None
        if repeated and not _affordable(module, len(repeated) * _nodes(resource.block)):
            _too_many(module, file, attrs, f"its {len(repeated)} instances are more than can be copied")
            repeated = None
        for bindings in repeated or [{}]:
            copy = _bind_block(module, resource.block, bindings, file)
            out.append(
                resource
                if copy is resource.block
                else Resource(resource.mode, resource.type, resource.name, copy, resource.file, module)
            )
    return out


def _repetitions(module: Module, attrs: LMap, file: SourceFile, name: str = "each") -> list[Bindings] | None:
    """The bindings of each instance of a block with `for_each` or `count`; None when unknown (or
    too many: NHI001, as padding a collection must not hide the instance that grants too much)."""
    if "for_each" in attrs:
        collection = module.resolve_deep(attrs["for_each"])
        if isinstance(collection, LMap):
            pairs = list(collection.items())
        elif isinstance(collection, LSeq) and all(isinstance(v, (str, int, float)) for v in collection):
            pairs = [(v, v) for v in collection]  # a set: each key is its value
        elif isinstance(collection, LSeq) and name != "each":
            pairs = list(enumerate(collection))  # a dynamic block's list: keys are indexes
        else:
            return None
        if len(pairs) > MAX_INSTANCES:
            _too_many(module, file, attrs, f"`for_each` has {len(pairs)} instances, over {MAX_INSTANCES}")
        if not pairs or len(pairs) > MAX_INSTANCES:
            return None
        module.budget.spend(len(pairs))
        return [{name: {"key": k, "value": v}} for k, v in pairs]
    if "count" in attrs:
        count = module.resolve(attrs["count"])
        if isinstance(count, int) and not isinstance(count, bool) and count > MAX_INSTANCES:
            _too_many(module, file, attrs, f"`count` is {count}, over {MAX_INSTANCES}")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= MAX_INSTANCES:
            return None  # `count = 0` (switched off by default) is still judged, as written
        module.budget.spend(count)
        return [{"count": {"index": i}} for i in range(count)]
    return None


def _too_many(module: Module, file: SourceFile, attrs: LMap, why: str) -> None:
    key = "for_each" if "for_each" in attrs else "count"
    problem = (file.loc(*attrs.kpos(key)), f"{why}: the repeated values are not judged")
    if problem not in module.problems:  # a resource may be expanded by several providers
        module.problems.append(problem)


def _affordable(module: Module, nodes: int) -> bool:
    """Whether `nodes` more copied nodes stay within what the module's size allows: past it, the
    repeated values stay unknown (the rest of the module is still judged)."""
    limit = COPY_BASE + sum(len(file.text) for file, _ in module.files)
    if module.copies + nodes > limit:
        return False
    module.copies += nodes
    return True


def _nodes(value: Any) -> int:
    if isinstance(value, Block):
        return 1 + _nodes(value.attrs) + sum(_nodes(child) for child in value.blocks)
    if isinstance(value, LMap):
        return 1 + sum(_nodes(v) for v in value.values())
    if isinstance(value, LSeq):
        return 1 + sum(_nodes(v) for v in value)
    if isinstance(value, Call):
        return 1 + sum(_nodes(v) for v in value.args)
    return 1


def _mentions(block: Block) -> bool:
    """Whether the body reads `each.` or `count.` (else its instances are all alike)."""
    return any(_uses(v, ("each", "count")) for v in block.attrs.values()) or any(
        _mentions(child) for child in block.blocks
    )


def _uses(value: Any, roots: tuple[str, ...]) -> bool:
    if isinstance(value, Expr):
        return any(ref.split(".", 1)[0].split("[", 1)[0] in roots for ref in value.refs)
    if isinstance(value, LMap):
        return any(_uses(v, roots) for v in value.values())
    if isinstance(value, LSeq):
        return any(_uses(v, roots) for v in value)
    if isinstance(value, Call):
        return any(_uses(v, roots) for v in value.args)
    return False


def _bind_block(module: Module, block: Block, bindings: Bindings, file: SourceFile) -> Block:
    children: list[Block] = []
    changed = bool(bindings)
    for child in block.blocks:
        if child.type == "dynamic" and child.labels and child.child("content") is not None:
            expanded = _dynamic(module, child, bindings, file)
            if expanded is not None:
                children += expanded
                changed = True
                continue
        bound = _bind_block(module, child, bindings, file)
        changed = changed or bound is not child
        children.append(bound)
    if not changed:
        return block
    attrs = _bind(block.attrs, bindings) if bindings else block.attrs
    return Block(block.type, block.labels, attrs, children, block.pos, block.end_line)


def _dynamic(module: Module, dynamic: Block, bindings: Bindings, file: SourceFile) -> list[Block] | None:
    """`dynamic "statement" { for_each = ...; content { ... } }` as its `statement` blocks."""
    iterator = dynamic.attrs.get("iterator")
    name = iterator.text.strip() if isinstance(iterator, Expr) else dynamic.labels[0]
    attrs = _bind(dynamic.attrs, bindings) if bindings else dynamic.attrs
    repeated = _repetitions(module, attrs, file, name) if "for_each" in attrs else None
    content = dynamic.child("content")
    if repeated is None or content is None:
        return None
    if not _affordable(module, len(repeated) * _nodes(content)):
        _too_many(module, file, attrs, f"its {len(repeated)} blocks are more than can be copied")
        return None
    out = []
    for own in repeated:
        body = _bind_block(module, content, {**bindings, **own}, file)
        out.append(Block(dynamic.labels[0], [], body.attrs, body.blocks, content.pos, content.end_line))
    return out


def _bind(value: Any, bindings: Bindings) -> Any:
    """`value` with every `each.*`/`count.*` (or iterator) reference replaced by what it is."""
    if isinstance(value, LMap):
        out = LMap(value.pos, value.end_line)
        for k, v in value.items():
            out.put(k, _bind(v, bindings), value.kpos(k), value.vpos(k))
        return out
    if isinstance(value, LSeq):
        seq = LSeq(value.pos, value.end_line)
        for i, v in enumerate(value):
            seq.push(_bind(v, bindings), value.ipos(i))
        return seq
    if isinstance(value, Call):
        return Call(value.name, tuple(_bind(a, bindings) for a in value.args), value.text)
    if isinstance(value, Conditional):
        parts = (_bind(p, bindings) for p in (value.condition, value.if_true, value.if_false))
        return Conditional(value.text, value.refs, *parts)
    if isinstance(value, Expr) and _uses(value, tuple(bindings)):
        text = value.text.strip()
        if _TRAVERSAL().match(text):
            found = _lookup(text, bindings)
            return value if found is None else found
        if _INDEX().search(text):  # local.roles[count.index] -> local.roles[1]
            return _indexed(value, bindings)
        if text.startswith('"'):
            return _template(value, bindings)
    return value


def _lookup(text: str, bindings: Bindings) -> Any:
    parts = _PART().findall(text)
    if len(parts) < 2 or parts[0] not in bindings or parts[1] not in bindings[parts[0]]:
        return None
    value = bindings[parts[0]][parts[1]]
    for part in parts[2:]:
        key: Any = part.strip('[]"')
        if isinstance(value, LMap) and key in value:
            value = value[key]
        elif isinstance(value, LSeq) and part.startswith("[") and (index := decimal(key)) is not None:
            if index >= len(value):
                return None
            value = value[index]
        else:
            return None
    return value


def _indexed(expr: Expr, bindings: Bindings) -> Expr:
    """A traversal indexed by a bound value, with the index written in."""

    if len(expr.text) > MAX_STRING:  # every instance would hold its own copy of a long text: unknown
        return expr
    grown = [len(expr.text)]

    def literal(match: re.Match[str]) -> str:
        found = _lookup(match.group(1), bindings)
        if isinstance(found, int) and not isinstance(found, bool):
            return f"[{found}]"
        if isinstance(found, str) and not re.search(r'["\\$%{}\n]', found):
            grown[0] += len(found)
            return f'["{found}"]' if grown[0] <= MAX_STRING else match.group(0)
        return match.group(0)

    text = _INDEX().sub(literal, expr.text.strip())
    if grown[0] > MAX_STRING:
        return expr
    return Expr(text, tuple(r for r in expr.refs if r in text)) if text != expr.text.strip() else expr


def _template(expr: Expr, bindings: Bindings) -> Expr:
    """A template with its bound interpolations written in as literal text."""
    used: set[str] = set()
    if len(expr.text) > MAX_STRING:  # every instance would hold its own copy of a long text: unknown
        return expr
    grown = [len(expr.text)]

    def literal(match: re.Match[str]) -> str:
        found = _lookup(match.group(1), bindings)
        if isinstance(found, bool):
            found = str(found).lower()
        if isinstance(found, (str, int, float)) and not re.search(r'["\\$%{}\n]', str(found)):
            grown[0] += len(str(found))
            if grown[0] > MAX_STRING:  # stop before building a long copy (a value repeated 1000 times)
                return match.group(0)
            used.add(match.group(1))
            return str(found)
        return match.group(0)

    text = _INTERPOLATION().sub(literal, expr.text)
    if grown[0] > MAX_STRING:
        return expr
    return Expr(text, tuple(r for r in expr.refs if r in text)) if used else expr
