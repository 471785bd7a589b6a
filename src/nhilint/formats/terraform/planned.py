"""Plan records to the facts the HCL extractor makes, at the `.tf` lines a person edits.

Each module instance of the plan (`module.ci`, `module.a["x"].module.b`) becomes one `Module` whose
resource blocks hold the plan's values instead of expressions: every provider extractor (aws.py,
gcp.py, ...) then reads them as it reads `.tf` files, so every Terraform rule applies unchanged.
A block is placed where a person changes it:
  * its resource block in the `.tf` files, when its module is local and those files are in the
    scan (each attribute at its own line when it is written there);
  * else the `module` block in the last local module that calls it (a registry module's resource
    at the argument that passes the value in: `custom_role_policy_arns = var.ops_policy_arns`);
  * else the resource in the plan JSON.
Fact keys (`address`, `identity`, `secret`) become plan addresses (`module.ci.aws_iam_role.deploy["prod"]`):
the instance named once, however many instances share a `.tf` line.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from nhilint.facts import Fact, Grant, Identity, Lifetime, Planned, PolicyStatement, Via
from nhilint.formats import SourceFile
from nhilint.formats.terraform.module import Module, load
from nhilint.formats.terraform.plan import UNKNOWN, PlanResource
from nhilint.parse.hcl_json import JSON_NESTED_LABELS as NESTED_BLOCKS
from nhilint.parse.tree import Block, Expr, LMap, LSeq, Pos

KEY_FIELDS = ("address", "identity", "secret")
# The tags a resource will carry, provider defaults included: what the `.tf` scan reads from the
# provider block's `default_tags`, the plan has already merged.
_EFFECTIVE = {"tags_all": "tags", "effective_labels": "labels"}

_RENDERED = {"aws_iam_policy_document": "json"}  # data source -> the attribute holding its rendered text
ModuleFiles = Callable[[str], list[SourceFile]]  # a directory (relative to the scan root) -> its .tf files


@dataclass
class _Place:
    """Where one plan resource is reported: a file, the block's position, and its attributes'."""

    file: SourceFile
    pos: Pos
    attrs: dict[str, Pos] | None  # None: in the plan JSON, where every value has its own position
    declared: bool = False  # at the resource's own block in the `.tf` files (not a module call's)


def plan_facts(
    records: Iterable[PlanResource],
    plan_file: SourceFile,
    module_files: ModuleFiles,
    extractors: Iterable[Callable[[Module], Iterable[Fact]]],
    all_resources: bool = False,
) -> Iterator[Fact]:
    """The facts of the plan's resources that will be deployed (every one, with `all_resources`)."""
    groups: dict[str, list[PlanResource]] = {}
    places = _Places(plan_file, module_files)
    for record in records:
        if record.deployed(all_resources) and not _rendered(record):
            groups.setdefault(record.module_address, []).append(record)
            place = places.of(record)
            at = place.file.loc(place.pos.line, place.pos.col)
            yield Planned(at, record.address, record.deployed(), in_source=place.declared)
    for module_address, group in groups.items():
        module = _module(group, places)
        local = {r.address for r in module.resources()} | {r.address for r in module.data()}
        by_address = {r.address: r for r in group}
        for extract in extractors:
            for fact in extract(module):
                _qualify(fact, module_address, local)
                _planned_at(fact, by_address, places)
                yield fact


def _planned_at(fact: Fact, records: dict[str, PlanResource], places: _Places) -> None:
    """A policy, grant or lifetime placed in the `.tf` files also points at its instance in the plan
    (a related location): the values judged are the plan's. Not an identity: `via` there means
    "judged for a module call", which rules read."""
    if not isinstance(fact, (Grant, PolicyStatement, Lifetime)):
        return
    record = records.get(str(fact.identity))
    if record is None or places.of(record).attrs is None:
        return
    where = places.plan_file.loc(record.pos.line, record.pos.col)
    fact.via.append(Via(where, f"{record.address} as planned ({', '.join(record.actions)})"))


def _rendered(record: PlanResource) -> bool:
    """A policy document data source the plan has already rendered: its text is in the values of
    the resources that use it, where it is judged (judged here too, it would be reported twice)."""
    output = _RENDERED.get(record.type) if record.mode == "data" else None
    return output is not None and isinstance(record.values.get(output), str)


def _qualify(fact: Fact, module_address: str, local: set[str]) -> None:
    """Plan addresses as keys, and as the names findings show: the address names the instance
    (`deploy["prod"]`) wherever it is written, as `terraform state list` and the plan show it."""
    prefix = f"{module_address}." if module_address else ""
    for field in KEY_FIELDS:
        value = getattr(fact, field, None)
        if isinstance(value, str) and value in local:
            setattr(fact, field, prefix + value)
    if isinstance(fact, Identity) and fact.address:
        fact.name = fact.address
    elif isinstance(fact, Grant) and fact.identity and fact.identity.removeprefix(prefix) in local:
        fact.grantee = fact.identity


# --- one module instance of the plan as a Module ---------------------------------------------------


def _module(group: list[PlanResource], places: _Places) -> Module:
    module = Module()
    module._reusable = False  # a plan is a root module's: every value is decided, providers included
    roots: dict[str, tuple[SourceFile, Block]] = {}
    instances = {r.local_address for r in group}
    for record in group:
        place = places.of(record)
        _, root = roots.setdefault(place.file.rel, (place.file, Block("", [], LMap())))
        root.blocks.append(_block(record, place, instances))
    module.files = list(roots.values())
    return module


def _block(record: PlanResource, place: _Place, instances: set[str]) -> Block:
    """The resource as the HCL parser would give it, had its values been written out literally."""
    kind = "resource" if record.mode == "managed" else "data"
    label = record.local_address.removeprefix("data.").split(".", 1)[1]
    values = LMap(record.values.pos, record.values.end_line)
    for key, value in record.values.items():
        values.put(key, value, record.values.kpos(key), record.values.vpos(key))
    for effective, own in _EFFECTIVE.items():
        if isinstance(values.get(effective), LMap):
            values.put(own, values[effective], values.kpos(effective))
    block = _body(kind, [record.type, label], values, record.pos)
    _refer(block, record, instances)
    if place.attrs is not None:
        _place(block, place, place.attrs)
    return block


def _body(kind: str, labels: list[str], values: LMap, pos: Pos) -> Block:
    """Nested blocks are lists of objects in a plan (providers' blocks are lists or sets, one
    object for a single block), as attributes of that shape hardly ever are: each object becomes a
    block, as `environment { variables = {...} }` is one in HCL. An object is a map attribute
    (`tags`), except under a name known as a block (`metadata`)."""
    block = Block(kind, labels, LMap(pos, values.end_line), pos=pos, end_line=values.end_line)
    for key, value in values.items():
        if isinstance(value, LSeq) and value and all(isinstance(v, LMap) for v in value):
            block.blocks.extend(_body(str(key), [], item, value.ipos(i)) for i, item in enumerate(value))
        elif key in NESTED_BLOCKS and isinstance(value, LSeq) and not value:
            continue
        elif key in NESTED_BLOCKS and isinstance(value, LMap):
            block.blocks.append(_body(str(key), [], value, values.vpos(key)))
        else:
            block.attrs.put(key, value, values.kpos(key), values.vpos(key))
    return block


def _refer(block: Block, record: PlanResource, instances: set[str]) -> None:
    """Unknown values keep references to the instance they name: `aws_iam_role.deploy` read with
    `each.key` by the instance "prod" is `aws_iam_role.deploy["prod"]`."""
    for key, value in list(block.attrs.items()):
        if isinstance(value, Expr) and value.text == UNKNOWN and value.refs:
            refs = tuple(_instance(ref, record, instances) for ref in value.refs)
            block.attrs[key] = Expr(UNKNOWN, refs)


def _instance(ref: str, record: PlanResource, instances: set[str]) -> str:
    parts = ref.split(".")
    size = 3 if parts[0] == "data" else 2
    address, rest = ".".join(parts[:size]), parts[size:]
    if address in instances or "[" in address:
        return ref
    key = f'"{record.index}"' if isinstance(record.index, str) else str(record.index)
    candidates = [a for a in instances if a.startswith(address + "[")]
    if f"{address}[{key}]" in instances:
        return ".".join([f"{address}[{key}]", *rest])
    if len(candidates) == 1:
        return ".".join([candidates[0], *rest])
    return ref


def _place(block: Block, place: _Place, attrs: dict[str, Pos]) -> None:
    """Every position of the block at its place in the `.tf` files: an attribute at its own line
    when it is written there, everything else at the block (or module call) that decides it."""
    block.pos = place.pos
    _move(block.attrs, attrs, place.pos)
    for child in block.blocks:
        _place_child(child, attrs.get(child.type, place.pos))


def _place_child(block: Block, at: Pos) -> None:
    block.pos = at
    _move(block.attrs, {}, at)
    for child in block.blocks:
        _place_child(child, at)


def _move(value: Any, attrs: dict[str, Pos], at: Pos) -> None:
    if isinstance(value, LMap):
        value.pos = at
        for key in value:
            where = attrs.get(str(key), at)
            value.key_pos[key] = value.val_pos[key] = where
            _move(value[key], {}, where)
    elif isinstance(value, LSeq):
        value.pos = at
        value.item_pos = [at] * len(value)
        for item in value:
            _move(item, {}, at)


# --- where each plan resource is written -----------------------------------------------------------


def _through_repetition(refs: tuple[str, ...], references: dict[str, tuple[str, ...]]) -> list[str]:
    """`each.value` is an element of the `for_each` collection, `count.index` counts the `count`: an
    attribute that reads them reads what those expressions read (`policy_arn = each.value` with
    `for_each = var.policies` comes from the caller's `policies`)."""
    out = list(refs)
    if any(r.startswith("each.") for r in refs):
        out += references.get("for_each_expression", ())
    if any(r.startswith("count.") for r in refs):
        out += references.get("count_expression", ())
    return out


class _Places:
    def __init__(self, plan_file: SourceFile, module_files: ModuleFiles) -> None:
        self.plan_file = plan_file
        self.module_files = module_files
        self.root = posixpath.dirname(plan_file.rel)
        self._modules: dict[str, Module | None] = {}
        self._found: dict[str, _Place] = {}

    def of(self, record: PlanResource) -> _Place:
        if record.address not in self._found:
            self._found[record.address] = self._locate(record)
        return self._found[record.address]

    def _locate(self, record: PlanResource) -> _Place:
        directory = self.root
        for call in record.calls:
            if not call.local:
                return self._at_call(record, directory, call.name) or self._in_plan(record)
            directory = posixpath.normpath(posixpath.join(directory, call.source))
        module = self._module(directory)
        resource = module.by_address(record.config_address) if module is not None else None
        if resource is None:
            return self._in_plan(record)
        attrs = {str(k): resource.block.attrs.kpos(k) for k in resource.block.attrs}
        attrs.update({child.type: child.pos for child in resource.block.blocks})
        return _Place(resource.file, resource.block.pos, attrs, declared=True)

    def _at_call(self, record: PlanResource, directory: str, name: str) -> _Place | None:
        """A resource of a module not in the repository, at the `module` block that calls it: its
        attributes at the arguments whose variables they read."""
        module = self._module(directory)
        call = next((b for _, b in module.blocks("module") if b.labels == [name]), None) if module else None
        if module is None or call is None:
            return None
        file = next(f for f, root in module.files if call in root.blocks)
        arguments: dict[str, Pos] = {}
        for attr, refs in record.references.items():
            for ref in _through_repetition(refs, record.references):
                name = ref.split(".")[1] if ref.startswith("var.") else ""
                if name in call.attrs and attr not in arguments:
                    arguments[attr] = call.attrs.kpos(name)
        return _Place(file, call.pos, arguments)

    def _in_plan(self, record: PlanResource) -> _Place:
        return _Place(self.plan_file, record.pos, None)

    def _module(self, directory: str) -> Module | None:
        if directory not in self._modules:
            files = self.module_files(directory)
            self._modules[directory] = load(files)[0] if files else None
        return self._modules[directory]
