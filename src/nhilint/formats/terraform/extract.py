"""Terraform: a module (one directory of .tf, .tf.json and .tfvars files) to facts.

The module is read as a whole because variables, locals and references cross files. Provider
knowledge lives in the sibling modules (aws.py, gcp.py, ...): each exposes
`extract(module: Module) -> Iterable[Fact]` and is picked up automatically from the package.
"""

from __future__ import annotations

import importlib
import pkgutil
import posixpath
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import PurePosixPath
from types import ModuleType
from typing import cast

from nhilint.facts import Fact, StringValue
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.terraform import is_plan
from nhilint.formats.terraform.module import Module, Resource
from nhilint.formats.walk import named_value_key
from nhilint.parse import ParseError, TooComplex
from nhilint.parse.tree import Block, Call, LMap, LSeq, Pos

__all__ = ["extract", "Module", "Resource"]


PACKAGE = "nhilint.formats.terraform"
_HELPERS = frozenset(  # not providers
    {
        "module",
        "parsed",
        "documents",
        "functions",
        "instances",
        "calls",
        "extract",
        "modules",
        "conditional",
        "shared",
        "plan",
        "planned",
        "aws_values",
        "aws_documents",
        "aws_policies",
    }
)


@cache
def provider_modules() -> tuple[ModuleType, ...]:
    package = importlib.import_module(PACKAGE)
    return tuple(
        importlib.import_module(f"{PACKAGE}.{m.name}")
        for m in pkgutil.iter_modules(package.__path__)
        if m.name not in _HELPERS
    )


def extract(unit: list[SourceFile]) -> Extraction:
    """The facts of the module in `unit[0]`'s directory; the unit's other files are the local modules
    it calls (see `calls`), judged here only with the values this module passes them."""
    from nhilint.formats.terraform.calls import called_facts
    from nhilint.formats.terraform.module import load

    directory = PurePosixPath(unit[0].rel).parent
    files = [f for f in unit if PurePosixPath(f.rel).parent == directory]
    plans = [f for f in files if is_plan(f)]
    files = [f for f in files if f not in plans]
    if not files:
        return _plans(plans, unit)
    context: dict[str, list[SourceFile]] = {}
    for file in unit:
        if PurePosixPath(file.rel).parent != directory:
            context.setdefault(PurePosixPath(file.rel).parent.as_posix(), []).append(file)
    module, problems = load(files)
    result = Extraction(problems=[Problem(loc, reason) for loc, reason in problems])
    result.facts.extend(string_values(module))
    literal = len(result.facts)
    allowance = FactAllowance(sum(len(f.text) for f in unit))

    def judged(called: Module, called_files: list[SourceFile]) -> list[Fact]:
        facts = [
            f
            for p in provider_modules()
            for f in qualified(called, called_files, allowance.counted(p.extract(called)))
        ]
        result.reads.extend(called.reads)
        return facts

    try:
        for provider in provider_modules():
            result.facts.extend(qualified(module, files, allowance.counted(provider.extract(module))))
        if context:
            result.facts.extend(called_facts(module, files, context, judged))
    except (TooComplex, TooManyFacts) as exc:  # the literals stand (NHI101 needs no resolution), not the rest
        del result.facts[literal:]
        result.problems.extend(Problem(file.loc(exc.line, exc.col), exc.reason) for file in files)
    result.reads.extend(module.reads)  # after every provider: they read side files lazily
    result.problems.extend(Problem(loc, reason) for loc, reason in module.problems)
    result.add(_plans(plans, unit))
    return result


def _plans(plans: list[SourceFile], unit: list[SourceFile]) -> Extraction:
    """The facts of the plans of the unit (`terraform show -json`), placed at the unit's `.tf` lines."""
    if not plans:
        return Extraction()  # without importing the plan reader
    from nhilint.formats.terraform.plan import read_plan
    from nhilint.formats.terraform.planned import plan_facts

    result = Extraction()
    sources = [f for f in unit if f not in plans and not is_plan(f)]

    def module_files(directory: str) -> list[SourceFile]:
        return [f for f in sources if posixpath.dirname(f.rel) == directory]

    extractors = [p.extract for p in provider_modules()]
    for plan in plans:
        try:
            records = read_plan(plan.text).resources
            facts = list(plan_facts(records, plan, module_files, extractors, all_resources=True))
        except ParseError as exc:  # TooComplex too
            result.problems.append(Problem(plan.loc(exc.line, exc.col), exc.reason))
            continue
        result.facts.extend(facts)
    return result


# What the facts of one unit may weigh (a fact counts 1 plus the items of its lists and maps, what the
# rules walk): repetitions multiply facts without growing the files (a shared policy attached by 256
# `for_each` instances of many resources, a large module called 64 times), so the weight is bounded
# by the unit's size, generously: a written statement weighs far less than its characters.
FACT_WEIGHT = 200_000
FACT_WEIGHT_PER_CHAR = 1


class TooManyFacts(ParseError):
    """A unit whose repetitions would give more facts than its size allows: NHI001, and none of its
    resolved facts are judged. Not a `TooComplex`: a called module's guard must not swallow it."""


class FactAllowance:
    def __init__(self, text_size: int) -> None:
        self.left = max(FACT_WEIGHT, FACT_WEIGHT_PER_CHAR * text_size)
        self.limit = self.left

    def counted(self, facts: Iterable[Fact]) -> Iterator[Fact]:
        for fact in facts:
            self.left -= _weight(fact)
            if self.left < 0:
                raise TooManyFacts(
                    f"too many policies and grants to judge: repeated resources and module calls "
                    f"expand to more than {self.limit:,} values (one shared policy attached many times?)"
                )
            yield fact


def _weight(fact: Fact) -> int:
    weight = 1
    for name in fact.__struct_fields__:
        value = getattr(fact, name)
        if isinstance(value, (list, tuple, dict, set, frozenset)):
            weight += len(value)
    return weight


KEY_FIELDS = ("address", "identity", "secret")


def qualified(module: Module, files: list[SourceFile], facts: Iterable[Fact]) -> Iterator[Fact]:
    """Facts whose resource addresses carry the module's directory.

    `aws_iam_role.this` names a different role in every module (terraform-aws-modules writes
    `this` everywhere), so the whole-scan rules must not join them: NHI402 would call one role
    shared by the Lambdas of two unrelated modules.
    """
    directory = PurePosixPath(files[0].rel).parent.as_posix()
    prefix = "" if directory == "." else f"{directory}/"
    local = {r.address for r in module.resources()} | {r.address for r in module.data()}
    for fact in facts:
        for field in KEY_FIELDS:
            value = getattr(fact, field, None)
            if isinstance(value, str) and value in local:
                setattr(fact, field, prefix + value)
        yield fact


def string_values(module: Module) -> Iterator[Fact]:
    """Every literal string the module writes down, with the name it is assigned to (NHI101)."""
    for file, root in module.bodies():
        if file.rel.endswith((".tfvars", ".tfvars.json")):
            yield from _walk_attrs(file, root.attrs, "", "variable-default", None)
            continue
        for block in root.blocks:
            if block.type == "variable" and block.labels:
                name = block.labels[0]
                default = block.attrs.get("default")
                if "default" in block.attrs:
                    yield from _walk(
                        file,
                        default,
                        block.attrs.kpos("default"),
                        name,
                        f"var.{name}",
                        "variable-default",
                        None,
                    )
                continue
            address = (
                ".".join(block.labels) if block.type == "resource" else ".".join([block.type, *block.labels])
            )
            yield from _walk_block(file, block, address, address)


def _walk_block(file: SourceFile, block: Block, path: str, identity: str | None) -> Iterator[Fact]:
    yield from _walk_attrs(file, block.attrs, path, "attribute", identity)
    for child in block.blocks:
        yield from _walk_block(file, child, f"{path}.{child.type}", identity)


def _walk_attrs(
    file: SourceFile, attrs: LMap, path: str, context: str, identity: str | None
) -> Iterator[Fact]:
    for key, value in attrs.items():
        yield from _walk(
            file, value, attrs.vpos(key), str(key), f"{path}.{key}".lstrip("."), context, identity
        )
    for key, value, pos in attrs.shadowed:  # an attribute written twice: the first is committed too
        yield from _walk(file, value, pos, str(key), f"{path}.{key}".lstrip("."), context, identity)


def _walk(
    file: SourceFile, value: object, pos: object, key: str, path: str, context: str, identity: str | None
) -> Iterator[Fact]:
    if isinstance(value, str):
        line, col = cast(Pos, pos)
        yield StringValue(
            loc=file.loc(line, col), key=key, value=value, path=path, identity=identity, context=context
        )
    elif isinstance(value, LMap):
        named = named_value_key(value)  # `{ name = "DB_PASSWORD", value = "..." }`: judged as DB_PASSWORD
        for k, v in value.items():
            own = named if named is not None and str(k).lower() == "value" else str(k)
            yield from _walk(file, v, value.vpos(k), own, f"{path}.{k}", context, identity)
        for k, v, where in value.shadowed:
            yield from _walk(file, v, where, str(k), f"{path}.{k}", context, identity)
    elif isinstance(value, LSeq):
        for i, v in enumerate(value):
            yield from _walk(file, v, value.ipos(i), key, f"{path}[{i}]", context, identity)
    elif isinstance(value, Call):
        for arg in value.args:
            yield from _walk(file, arg, getattr(arg, "pos", pos), key, path, context, identity)
