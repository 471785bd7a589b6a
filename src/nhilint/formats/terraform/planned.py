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

import json
import posixpath
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from msgspec import Struct

from nhilint.facts import Fact, Grant, Identity, Lifetime, Planned, PolicyStatement, Via
from nhilint.formats import SourceFile
from nhilint.formats.terraform.module import Module, load
from nhilint.formats.terraform.plan import SENSITIVE, UNKNOWN, PlanResource
from nhilint.parse.hcl_json import JSON_NESTED_LABELS as NESTED_BLOCKS
from nhilint.parse.tree import Block, Call, Expr, LMap, LSeq, Pos

KEY_FIELDS = ("address", "identity", "secret")
# The tags a resource will carry, provider defaults included: what the `.tf` scan reads from the
# provider block's `default_tags`, the plan has already merged.
_EFFECTIVE = {"tags_all": "tags", "effective_labels": "labels"}

_RENDERED = {"aws_iam_policy_document": "json"}  # data source -> the attribute holding its rendered text
ModuleFiles = Callable[[str], list[SourceFile]]  # a directory (relative to the scan root) -> its .tf files


class _Place(Struct):
    """Where one plan resource is reported: a file, the block's position, and its attributes'."""

    file: SourceFile
    pos: Pos
    attrs: dict[str, Pos] | None  # None: in the plan JSON, where every value has its own position
    declared: bool = False  # at the resource's own block in the `.tf` files (not a module call's)
    written: Block | None = None  # that block, whose values place the plan's at their own lines


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
    records = list(records)
    _refer_documents(records)
    for record in records:
        if record.deployed(all_resources):
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


def _refer_documents(records: list[PlanResource]) -> None:
    """A policy document data source the plan has already rendered is judged where it is written, as
    in a `.tf` scan: an argument that holds its text (`assume_role_policy = data.aws_iam_policy_document
    .trust.json`) refers to it again, so the statements are judged once, at the document's lines, for
    the resource that uses them (and a document no resource uses is still judged)."""
    documents = {
        r.address: r.values[_RENDERED[r.type]]
        for r in records
        if r.mode == "data" and r.type in _RENDERED and isinstance(r.values.get(_RENDERED[r.type]), str)
    }
    for record in records:
        prefix = f"{record.module_address}." if record.module_address else ""
        for key, refs in record.references.items():
            for ref in refs:
                parts = ref.split(".")
                address = prefix + ".".join(parts[:3])
                rendered = len(parts) == 4 and parts[0] == "data" and _RENDERED.get(parts[1]) == parts[3]
                if rendered and key in record.values and record.values[key] == documents.get(address):
                    record.values[key] = Expr(ref, (ref,))


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
    else:
        _one_line_documents(block)
    return block


def _one_line_documents(block: Block) -> None:
    """In the plan JSON a document (a policy) is one string on one line: its own lines are not the
    file's, so it is judged on the string's line, not below it."""
    for key, value in block.attrs.items():
        block.attrs[key] = _one_line(value)
    for child in block.blocks:
        _one_line_documents(child)


def _one_line(value: Any) -> Any:
    if isinstance(value, str) and "\n" in value:
        parsed = _json(value)
        return json.dumps(_plain(parsed), ensure_ascii=False) if isinstance(parsed, (LMap, LSeq)) else value
    if isinstance(value, LMap):
        for key in value:
            value[key] = _one_line(value[key])
    elif isinstance(value, LSeq):
        for i, item in enumerate(value):
            value[i] = _one_line(item)
    return value


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
        if isinstance(value, Expr) and value.text in (UNKNOWN, SENSITIVE) and value.refs:
            refs = tuple(_instance(ref, record, instances) for ref in value.refs)
            block.attrs[key] = Expr(value.text, refs)


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
    """Every position of the block at its place in the `.tf` files: where the resource block writes
    the same structure (a map's key, a list's item, a nested block, a `jsonencode` object), the value
    at its own line there; everything else at the argument (or module call) that decides it."""
    block.pos = place.pos
    written = place.written
    moved: set[int] = set()  # `tags` is the plan's `tags_all` itself: placed where `tags` is written
    for key in sorted(block.attrs, key=lambda k: written is None or k not in written.attrs):
        where = attrs.get(str(key), place.pos)
        source = written.attrs.get(key) if written is not None and key in written.attrs else None
        value_at = written.attrs.vpos(key) if source is not None and written is not None else where
        if id(block.attrs[key]) not in moved:
            moved.add(id(block.attrs[key]))
            block.attrs[key] = _move(block.attrs[key], where, source)
        block.attrs.key_pos[key], block.attrs.val_pos[key] = where, value_at
    _place_children(block, written, lambda type_: attrs.get(type_, place.pos))


def _place_children(block: Block, written: Block | None, at: Callable[[str], Pos]) -> None:
    """Nested blocks: the plan lists them in the order they are written, a `dynamic` block's instances
    at its `content`; blocks the provider adds stay at the block that holds them."""
    for type_ in dict.fromkeys(child.type for child in block.blocks):
        planned = block.children(type_)
        ours = written.children(type_) if written is not None else []
        if written is not None and not ours:  # `dynamic "statement"`: every instance is its `content`
            templates = [d.child("content") for d in written.children("dynamic") if d.labels == [type_]]
            ours = [templates[0]] * len(planned) if len(templates) == 1 and templates[0] else []
        same = len(ours) == len(planned)
        for child, source in zip(planned, ours if same else [None] * len(planned), strict=True):
            _place_child(child, source, source.pos if source is not None else at(type_))


def _place_child(block: Block, written: Block | None, at: Pos) -> None:
    block.pos = at
    for key in list(block.attrs):
        source = written.attrs.get(key) if written is not None and key in written.attrs else None
        where = written.attrs.kpos(key) if source is not None and written is not None else at
        block.attrs[key] = _move(block.attrs[key], where, source)
        block.attrs.key_pos[key] = block.attrs.val_pos[key] = where
    _place_children(block, written, lambda _: at)


def _move(value: Any, at: Pos, written: Any = None) -> Any:
    """`value` with its positions at `at`, or at the `written` value's where it has the same shape.
    A JSON text (a policy) is the plan's string, not the file's: its own lines are no file's lines, so
    it is placed as the `jsonencode(...)` it was written as, or else written on one line at `at`."""
    encoded = isinstance(written, Call) and written.name == "jsonencode" and len(written.args) == 1
    if isinstance(value, str) and "\n" not in value and isinstance(written, Call) and encoded:
        parsed = _json(value)
        if parsed is not None:
            return Call(written.name, (_move(parsed, at, written.args[0]),), written.text)
    if isinstance(value, str) and "\n" in value and value != written:
        parsed = _json(value)
        if isinstance(parsed, (LMap, LSeq)):
            if isinstance(written, str) and _plain(_json(written)) == _plain(parsed):
                return written  # the same document as written (a heredoc): judged at its own lines
            return _one_line(value)
    if isinstance(value, LMap):
        value.pos = at
        same = isinstance(written, LMap)
        for key in value:
            here = written.kpos(key) if same and key in written else at
            value[key] = _move(value[key], here, written.get(key) if same else None)
            value.key_pos[key] = value.val_pos[key] = here
    elif isinstance(value, LSeq):
        value.pos = at
        same = isinstance(written, LSeq) and len(written) == len(value)
        value.item_pos = [written.ipos(i) if same else at for i in range(len(value))]
        for i, item in enumerate(value):
            value[i] = _move(item, value.item_pos[i], written[i] if same else None)
    return value


def _json(text: str) -> Any:
    from nhilint.parse import ParseError
    from nhilint.parse.json import parse_json

    try:
        return parse_json(text)
    except (ParseError, RecursionError):
        return None


def _plain(value: Any) -> Any:
    if isinstance(value, LMap):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, LSeq):
        return [_plain(v) for v in value]
    return value


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
        return _Place(resource.file, resource.block.pos, attrs, declared=True, written=resource.block)

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
