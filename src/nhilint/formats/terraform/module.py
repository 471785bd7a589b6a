"""A Terraform module as a whole: its files, resources, variables, locals, and value resolution.

Resolution is deliberately small: `var.x` (tfvars over defaults), `local.x`, `merge()` of maps and
`jsonencode()`. Anything else stays an `Expr` or `Call`, which every consumer treats as unknown:
an unknown value is never a finding by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nhilint.facts import Loc
from nhilint.formats import SourceFile
from nhilint.parse import ParseError
from nhilint.tree import NOWHERE, Block, Call, Expr, LMap, LSeq, Pos

_TRAVERSAL = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*$")
_MAX_DEPTH = 20


def is_unknown(value: Any) -> bool:
    return isinstance(value, (Expr, Call))


@dataclass
class Resource:
    mode: str  # resource | data
    type: str
    name: str
    block: Block
    file: SourceFile
    module: Module = field(repr=False)

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}" if self.mode == "resource" else f"data.{self.type}.{self.name}"

    @property
    def loc(self) -> Loc:
        return self.file.loc(*self.block.pos)

    def raw(self, attr: str) -> Any:
        return self.block.attrs.get(attr)

    def get(self, attr: str, default: Any = None) -> Any:
        """The attribute's value with variables and locals resolved (or the Expr when unknown)."""
        if attr not in self.block.attrs:
            return default
        return self.module.resolve(self.block.attrs[attr])

    def has(self, attr: str) -> bool:
        return attr in self.block.attrs

    def attr_loc(self, attr: str) -> Loc:
        """The line of `attr`, or of the block header when the attribute is absent."""
        if attr in self.block.attrs:
            return self.file.loc(*self.block.attrs.kpos(attr))
        return self.loc

    def pos_loc(self, pos: Pos) -> Loc:
        return self.file.loc(*pos)


@dataclass
class Module:
    files: list[tuple[SourceFile, Block]] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)

    def bodies(self) -> Iterator[tuple[SourceFile, Block]]:
        return iter(self.files)

    def blocks(self, type_: str) -> Iterator[tuple[SourceFile, Block]]:
        for file, root in self.files:
            for block in root.blocks:
                if block.type == type_:
                    yield file, block

    def resources(self, *types: str, mode: str = "resource") -> list[Resource]:
        found = []
        for file, block in self.blocks(mode):
            if len(block.labels) == 2 and (not types or block.labels[0] in types):
                found.append(Resource(mode, block.labels[0], block.labels[1], block, file, self))
        return found

    def data(self, *types: str) -> list[Resource]:
        return self.resources(*types, mode="data")

    def providers(self, name: str) -> list[tuple[SourceFile, Block]]:
        return [(f, b) for f, b in self.blocks("provider") if b.labels[:1] == [name]]

    def by_address(self, address: str) -> Resource | None:
        mode, _, rest = address.partition(".") if address.startswith("data.") else ("resource", "", address)
        type_, _, name = rest.partition(".")
        for resource in self.resources(type_, mode="data" if mode == "data" else "resource"):
            if resource.name == name:
                return resource
        return None

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """`var.x`, `local.x`, `merge()` and `jsonencode()` resolved where the module says what they are."""
        if depth > _MAX_DEPTH:
            return value
        if isinstance(value, Expr):
            return self._resolve_traversal(value, depth)
        if isinstance(value, Call):
            if value.name == "jsonencode" and len(value.args) == 1:
                return self.resolve(value.args[0], depth + 1)
            if value.name == "merge":
                return self._merge(value, depth)
        return value

    def resolve_deep(self, value: Any, depth: int = 0) -> Any:
        """`resolve` applied to every leaf of a map or list (positions are kept)."""
        value = self.resolve(value, depth)
        if depth > _MAX_DEPTH:
            return value
        if isinstance(value, LMap):
            out = LMap(value.pos, value.end_line)
            for k, v in value.items():
                out.put(k, self.resolve_deep(v, depth + 1), value.kpos(k), value.vpos(k))
            return out
        if isinstance(value, LSeq):
            seq = LSeq(value.pos, value.end_line)
            for i, v in enumerate(value):
                seq.push(self.resolve_deep(v, depth + 1), value.ipos(i))
            return seq
        return value

    def _resolve_traversal(self, expr: Expr, depth: int) -> Any:
        text = expr.text.strip()
        if text.startswith('"${') and text.endswith('}"') and text.count("${") == 1:
            text = text[3:-2].strip()  # "${var.x}" is var.x
        if not _TRAVERSAL.match(text):
            return expr
        parts = re.findall(r"[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\]", text)
        root, rest = parts[:2], parts[2:]
        if root[0] == "var" and len(root) == 2 and root[1] in self.variables:
            value = self.variables[root[1]]
        elif root[0] == "local" and len(root) == 2 and root[1] in self.locals:
            value = self.locals[root[1]]
        else:
            return expr
        value = self.resolve(value, depth + 1)
        for part in rest:
            key: Any = part.strip('[]"')
            if isinstance(value, LMap) and key in value:
                value = self.resolve(value[key], depth + 1)
            elif isinstance(value, LSeq) and part.startswith("[") and key.isdigit() and int(key) < len(value):
                value = self.resolve(value[int(key)], depth + 1)
            else:
                return expr
        return value

    def _merge(self, call: Call, depth: int) -> Any:
        merged: LMap | None = None
        for arg in call.args:
            resolved = self.resolve(arg, depth + 1)
            if not isinstance(resolved, LMap):
                return call
            if merged is None:
                merged = LMap(resolved.pos, resolved.end_line)
            for k, v in resolved.items():
                merged.put(k, v, resolved.kpos(k), resolved.vpos(k))
        return merged if merged is not None else call


def reference(value: Any) -> str | None:
    """The resource address an expression points at: `aws_iam_role.r.arn` -> `aws_iam_role.r`."""
    if not isinstance(value, Expr):
        return None
    for ref in value.refs:
        parts = ref.split(".")
        if parts[0] == "data" and len(parts) >= 3:
            return ".".join(parts[:3])
        if (
            parts[0] not in ("var", "local", "module", "each", "count", "path", "terraform", "self")
            and len(parts) >= 2
        ):
            return ".".join(parts[:2])
    return None


def _parse(file: SourceFile) -> tuple[Block, list[ParseError]]:
    if file.rel.endswith(".json"):
        from nhilint.parse.hcl import parse_tf_json
        from nhilint.parse.json import parse_json

        data = parse_json(file.text)
        if file.rel.endswith(".tfvars.json"):
            attrs = data if isinstance(data, LMap) else LMap()
            return Block("", [], attrs, [], NOWHERE, 1), []
        return parse_tf_json(data), []
    from nhilint.parse.hcl import parse_hcl

    return parse_hcl(file.text)


def _auto_loaded(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )


def load(files: list[SourceFile]) -> tuple[Module, list[tuple[Loc, str]]]:
    module = Module()
    problems: list[tuple[Loc, str]] = []
    tfvars: list[Block] = []
    for file in files:
        try:
            root, errors = _parse(file)
        except ParseError as exc:
            problems.append((file.loc(exc.line, exc.col), exc.reason))
            continue
        problems.extend((file.loc(e.line, e.col), e.reason) for e in errors)
        module.files.append((file, root))
        if file.rel.endswith((".tfvars", ".tfvars.json")):
            if _auto_loaded(file.rel):
                tfvars.append(root)
            continue
        for block in root.blocks:
            if block.type == "variable" and block.labels and "default" in block.attrs:
                module.variables[block.labels[0]] = block.attrs["default"]
            elif block.type == "locals":
                module.locals.update(block.attrs)
    for root in tfvars:
        module.variables.update(root.attrs)
    return module, problems
