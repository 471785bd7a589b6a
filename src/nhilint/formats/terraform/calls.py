"""Local module calls: the called module judged with the values its caller passes.

`module "ci" { source = "./modules/role"; policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess" }`
makes the called module's attachment an admin grant, although the module alone (its variable has no
default) says nothing. For each call with a local source whose module is in the unit, the module is
loaded again with the call's arguments as its variables, and the policies and grants that differ
from the module alone are kept: reported inside the module, with the call (and every call above it)
as related locations. Each call site is judged separately; through calls inside the called module
too. Registry and remote modules are not read: their values stay unknown.

An argument the caller cannot know (a reference to its own variable without default, a resource
attribute) is unknown inside the module: it never resolves against the module's own names.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

from nhilint.facts import Fact, Grant, Identity, PolicyStatement, Via
from nhilint.formats import SourceFile
from nhilint.formats.terraform.module import Module, load
from nhilint.parse import Budget, TooComplex
from nhilint.parse.tree import Call, Expr, LMap, LSeq

MAX_DEPTH = 8  # module calls followed through modules
MAX_CALLS = 64  # called modules judged with their caller's values, per unit
_META = frozenset({"source", "version", "providers", "count", "for_each", "depends_on"})
_LOCAL = ("./", "../")
_KEPT = (PolicyStatement, Grant, Identity)
_INTERPOLATION = re.compile(r"\$\{")
_PROVIDER = re.compile(r"^[a-z][\w-]*(\.[A-Za-z_][\w-]*)?$")

Extract = Callable[[Module, list[SourceFile]], list[Fact]]


def called_facts(
    module: Module, files: list[SourceFile], context: dict[str, list[SourceFile]], extract: Extract
) -> Iterator[Fact]:
    """The policies and grants of the local modules `module` calls, judged with the call's values."""
    budget = [MAX_CALLS]
    yield from _calls(module, files, context, extract, [], {}, {}, budget)


def _calls(
    module: Module,
    files: list[SourceFile],
    context: dict[str, list[SourceFile]],
    extract: Extract,
    chain: list[Via],
    parsed: dict[str, Module],
    alone: dict[str, set[str]],
    budget: list[int],
) -> Iterator[Fact]:
    if len(chain) >= MAX_DEPTH or not files:
        return
    directory = PurePosixPath(files[0].rel).parent.as_posix()
    for file, block in module.blocks("module"):
        source = block.attrs.get("source")
        if not isinstance(source, str) or not source.startswith(_LOCAL) or not block.labels:
            continue
        target = posixpath.normpath(posixpath.join(directory, source))
        called = context.get(target)
        if not called or budget[0] <= 0:
            continue
        arguments = {k: _from_caller(_argument(module, v)) for k, v in block.attrs.items() if k not in _META}
        if not any(_known(v) for v in arguments.values()) and module.reusable() and module.caller is None:
            continue  # nothing the module does not already say alone: no value, no provider settings
        budget[0] -= 1
        if target not in parsed:
            parsed[target] = load(called)[0]
            alone[target] = {repr(f) for f in _safe(extract, _fresh(parsed[target]), called)}
        instance = _fresh(parsed[target])
        instance.variables.update(arguments)
        instance.caller, instance.passed_providers = module, _providers(block.attrs.get("providers"))
        via = [*chain, Via(file.loc(*block.pos), f"module.{block.labels[0]} passes its values to {target}")]
        for fact in _safe(extract, instance, called):
            if isinstance(fact, _KEPT) and repr(fact) not in alone[target]:
                fact.via.extend(via)
                if isinstance(fact, PolicyStatement):  # each call site's finding is its own
                    fact.policy = f"{fact.policy} in module.{block.labels[0]}"
                yield fact
        yield from _calls(instance, called, context, extract, via, parsed, alone, budget)


def _providers(raw: Any) -> dict[str, str]:
    """A call's `providers = { aws = aws.east, aws.replica = aws }` map, as written."""
    if not isinstance(raw, LMap):
        return {}
    return {
        str(own).strip(): value.text.strip()
        for own, value in raw.items()
        if isinstance(value, Expr) and _PROVIDER.match(value.text.strip())
    }


def _fresh(parsed: Module) -> Module:
    """A new module over already parsed files (resolution never changes the trees it reads)."""
    return Module(
        files=parsed.files,
        variables=dict(parsed.variables),
        locals=dict(parsed.locals),
        budget=Budget(sum(len(f.text) for f, _ in parsed.files)),
    )


def _argument(module: Module, raw: Any) -> Any:
    """An argument's value in the caller; `aws_iam_role.ci.name` is the name that role declares."""
    value = module.resolve_deep(raw)
    parts = value.text.strip().split(".") if isinstance(value, Expr) else []
    if len(parts) == 3 and parts[2] == "name":
        declared = module.by_address(".".join(parts[:2]))
        name = declared.get("name") if declared else None
        if isinstance(name, str):
            return name
    return value


def _safe(extract: Extract, module: Module, files: list[SourceFile]) -> list[Fact]:
    """The facts of a called module; nothing when it is too complex (its own unit says so)."""
    try:
        return extract(module, files)
    except TooComplex:
        return []


def _known(value: Any) -> bool:
    if isinstance(value, LMap):
        return any(_known(v) for v in value.values())
    if isinstance(value, LSeq):
        return any(_known(v) for v in value)
    return not isinstance(value, (Expr, Call))


def _from_caller(value: Any) -> Any:
    """A value resolved in the caller, with what it could not resolve made unknown for good: the
    caller's `var.x` is not the module's `var.x`. A partly known template keeps its known text."""
    if isinstance(value, LMap):
        out = LMap(value.pos, value.end_line)
        for k, v in value.items():
            out.put(k, _from_caller(v), value.kpos(k), value.vpos(k))
        return out
    if isinstance(value, LSeq):
        seq = LSeq(value.pos, value.end_line)
        for i, v in enumerate(value):
            seq.push(_from_caller(v), value.ipos(i))
        return seq
    if isinstance(value, Expr):
        text = value.text.strip()
        if len(text) > 1 and text[0] == text[-1] == '"' and "\n" not in text:
            return Expr(_INTERPOLATION.sub("${caller:", text), ())
        return Expr("caller:(unknown)", ())
    if isinstance(value, Call):
        return Expr("caller:(unknown)", ())
    return value
