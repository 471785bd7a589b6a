"""A Terraform module as a whole: its files, resources, variables, locals, and value resolution.

Resolution is deliberately small: `var.x` (tfvars over defaults), `local.x`, `merge()` of maps,
`jsonencode()`, string templates and the functions of `functions` (a string only partly known stays
a template `Expr`), and `c ? a : b` whose condition resolves to a bool. Anything else stays an
`Expr` or `Call`, which every consumer treats as unknown: an unknown value is never a finding by
itself (a conditional whose condition is unknown is "one of its branches": `conditional.variants`).

Resolution is memoised (each expression and each map is resolved once, and the result is shared)
and every value a reference resolves to counts its size against the module's `Budget`, as a YAML
alias does: locals that reference each other four ways per level would otherwise take exponential
time and memory. Over budget, the module is NHI001 "too complex to resolve".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from msgspec import Struct, field

from nhilint.facts import Loc
from nhilint.formats import SideRead, SideText, SourceFile, read_beside
from nhilint.formats.base import lines_of
from nhilint.formats.terraform import functions
from nhilint.formats.terraform.parsed import parse
from nhilint.parse import Budget, ParseError, TooComplex, decimal
from nhilint.parse.tree import Block, Call, Conditional, Expr, LMap, LSeq, Pos

_TRAVERSAL = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*$")
# References resolved through references: real modules chain a handful; past this the module is
# NHI001 "too complex" (an unresolved value could hide `"*"`, so it must not pass in silence).
_MAX_DEPTH = 100


def is_unknown(value: Any) -> bool:
    return isinstance(value, (Expr, Call))


class Resource(Struct):
    mode: str  # resource | data
    type: str
    name: str
    block: Block
    file: SourceFile
    module: Module

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


class Module(Struct):
    files: list[tuple[SourceFile, Block]] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    budget: Budget = field(default_factory=Budget)
    copies: int = 0  # nodes written out by `instances` (for_each/count copies), against `copy_limit`
    # memo tables keyed by id(): the keyed objects live in the module's trees (or in `_kept`)
    _resolved: dict[int, Any] = field(default_factory=dict)
    _deep: dict[int, Any] = field(default_factory=dict)
    _sizes: dict[int, int] = field(default_factory=dict)
    _kept: list[Any] = field(default_factory=list)
    _by_type: dict[tuple[str, str], list[Resource]] | None = None
    _providers: dict[str, list[tuple[SourceFile, Block]]] | None = None
    _by_address: dict[str, Resource] | None = None
    _lines: dict[str, list[str]] = field(default_factory=dict)
    _memo: dict[tuple[str, int], list[Any]] = field(default_factory=dict)
    _by_attr: dict[tuple[str, str], dict[Any, Resource]] = field(default_factory=dict)
    _reusable: bool | None = None
    # judged for a call: the calling module (whose provider configurations this one receives) and the
    # call's `providers` map (own reference -> the caller's: {"aws.replica": "aws.east"})
    caller: Module | None = None
    passed_providers: dict[str, str] = field(default_factory=dict)
    reads: list[SideRead] = field(default_factory=list)  # files read beside the module, for the cache
    problems: list[tuple[Loc, str]] = field(default_factory=list)  # unreadable parts found by providers

    def read_file(self, source: SourceFile, name: str) -> SideText | None:
        """`file(name)` of `source`: a file below the module's directory (see `read_beside`)."""
        return read_beside(source, name, self.reads)

    def bodies(self) -> Iterator[tuple[SourceFile, Block]]:
        return iter(self.files)

    def blocks(self, type_: str) -> Iterator[tuple[SourceFile, Block]]:
        for file, root in self.files:
            for block in root.blocks:
                if block.type == type_:
                    yield file, block

    def resources(self, *types: str, mode: str = "resource") -> list[Resource]:
        """The resources (or data sources) of these types, in file order; from an index built once,
        so that providers asking once per resource cost N, not N squared."""
        if self._by_type is None:
            index: dict[tuple[str, str], list[Resource]] = {}
            for kind in ("resource", "data"):
                for file, block in self.blocks(kind):
                    if len(block.labels) == 2:
                        resource = Resource(kind, block.labels[0], block.labels[1], block, file, self)
                        index.setdefault((kind, ""), []).append(resource)
                        index.setdefault((kind, resource.type), []).append(resource)
            self._by_type = index
        if not types:
            return list(self._by_type.get((mode, ""), []))
        if len(types) == 1:
            return list(self._by_type.get((mode, types[0]), []))
        wanted = set(types)
        return [r for r in self._by_type.get((mode, ""), []) if r.type in wanted]

    def data(self, *types: str) -> list[Resource]:
        return self.resources(*types, mode="data")

    def provider(self, name: str, alias: str | None) -> tuple[Module, Block | None] | None:
        """The configuration of provider `name` (with `alias`) this module's resources use, and the module
        it is written in (resolve it there). A root module's is its own block (None: not configured);
        a reusable module's is its caller's (the call's `providers` map, or implicitly the caller's
        unaliased one), and unknown (None) when it is judged alone."""
        if not self.reusable():
            found = (b for _, b in self.providers(name) if self.resolve(b.attrs.get("alias")) == alias)
            return self, next(found, None)
        if self.caller is None:
            return None
        own = f"{name}.{alias}" if alias else name
        # a `providers` map replaces Terraform's implicit inheritance of the caller's unaliased ones
        target = self.passed_providers.get(own) if self.passed_providers else None if alias else own
        if target is None:
            return None
        target_name, _, target_alias = target.partition(".")
        return self.caller.provider(target_name, target_alias or None)

    def providers(self, name: str) -> list[tuple[SourceFile, Block]]:
        if self._providers is None:
            self._providers = {}
            for file, block in self.blocks("provider"):
                self._providers.setdefault(block.labels[0] if block.labels else "", []).append((file, block))
        return list(self._providers.get(name, []))

    def by_address(self, address: str) -> Resource | None:
        mode, _, rest = address.partition(".") if address.startswith("data.") else ("resource", "", address)
        if self._by_address is None:
            self._by_address = {}
            for resource in self.resources() + self.data():
                self._by_address.setdefault(resource.address, resource)
        return self._by_address.get(address if mode != "data" else f"data.{rest}")

    def by_attr(self, type_: str, attr: str, value: Any) -> Resource | None:
        """The first resource of `type_` whose resolved `attr` equals `value` (an index per type and
        attribute, built on first use)."""
        key = (type_, attr)
        if key not in self._by_attr:
            index: dict[Any, Resource] = {}
            for resource in self.resources(type_):
                found = resource.get(attr)
                if isinstance(found, (str, int, float, bool)):
                    index.setdefault(found, resource)
            self._by_attr[key] = index
        return self._by_attr[key].get(value) if isinstance(value, (str, int, float, bool)) else None

    def memo(self, kind: str, value: Any, compute: Callable[[], list[Any]]) -> list[Any]:
        """`compute()` for `value`, once per module; each use spends the result's length."""
        key = (kind, id(value))
        if key not in self._memo:
            self._memo[key] = []  # a value that contains itself adds nothing
            self._kept.append(value)
            self._memo[key] = compute()
        found = self._memo[key]
        self.budget.spend(len(found))
        return found

    def reusable(self) -> bool:
        """A module meant to be called: no `backend` or `cloud` block, no .tfvars file, and no provider
        block with settings (Terraform lets a called module hold only empty or alias-only "proxy"
        provider blocks). Its variables' defaults are fallbacks: the caller decides."""
        if self._reusable is None:
            self._reusable = self._called()
        return self._reusable

    def _called(self) -> bool:
        for file, root in self.files:
            if file.rel.endswith((".tfvars", ".tfvars.json")):
                return False
            for block in root.blocks:
                if block.type == "terraform" and any(b.type in ("backend", "cloud") for b in block.blocks):
                    return False
                if block.type == "provider" and (block.blocks or set(block.attrs) - {"alias"}):
                    return False
        return True

    def from_caller(self, value: Any) -> bool:
        """Whether `value` reads a variable (directly or through locals) of a reusable module judged
        alone (judged for a call, its variables hold what the call passes, or their defaults)."""
        return self.reusable() and self.caller is None and self._reads_variable(value, set(), 0)

    def _reads_variable(self, value: Any, seen: set[str], depth: int) -> bool:
        if depth > _MAX_DEPTH:
            return False
        if isinstance(value, Expr):
            for ref in value.refs:
                root, _, rest = ref.partition(".")
                if root == "var":
                    return True
                name = rest.split(".", 1)[0]
                if root == "local" and name in self.locals and name not in seen:
                    seen.add(name)
                    if self._reads_variable(self.locals[name], seen, depth + 1):
                        return True
            return False
        if isinstance(value, Call):
            children: Any = value.args
        elif isinstance(value, LMap):
            children = value.values()
        elif isinstance(value, LSeq):
            children = value
        else:
            return False
        return any(self._reads_variable(child, seen, depth + 1) for child in children)

    def lines(self, file: SourceFile) -> list[str]:
        """The file's lines, split once per module (not once per resource that quotes its text)."""
        if file.rel not in self._lines:
            self._lines[file.rel] = lines_of(file.text, newline_only=True)  # as tree-sitter numbers them
        return self._lines[file.rel]

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """`var.x`, `local.x`, `merge()` and `jsonencode()` resolved where the module says what they are."""
        if not isinstance(value, (Expr, Call)):
            return value
        if depth > _MAX_DEPTH:
            raise TooComplex(f"too complex to resolve: references nested more than {_MAX_DEPTH} deep")
        key = id(value)
        if key not in self._resolved:
            self._resolved[key] = value  # a reference cycle resolves to itself: unknown
            self._kept.append(value)
            self._resolved[key] = self._resolve_once(value, depth)
        return self._resolved[key]

    def _resolve_once(self, value: Expr | Call, depth: int) -> Any:
        if isinstance(value, Conditional):
            condition = self.resolve(value.condition, depth + 1)
            if isinstance(condition, bool):
                return self.resolve(value.if_true if condition else value.if_false, depth + 1)
            return value
        if isinstance(value, Expr):
            found = self._resolve_traversal(value, depth)
            if found is value and value.text.lstrip().startswith('"'):
                found = functions.template(value, lambda v: self.resolve(v, depth + 1))
                self.budget.spend(1 + len(found) // 64 if isinstance(found, str) else 1)
            return found
        if value.name in functions.CALLS:
            found = functions.evaluate(value, lambda v: self.resolve(v, depth + 1))
            self.budget.spend(1 + len(found) // 64 if isinstance(found, str) else 1)
            return found
        if value.name == "jsonencode" and len(value.args) == 1:
            return self.resolve(value.args[0], depth + 1)
        if value.name == "merge":
            return self._merge(value, depth)
        return value

    def resolve_deep(self, value: Any, depth: int = 0) -> Any:
        """`resolve` applied to every leaf of a map or list (positions are kept).

        Shared sub-values are resolved once and shared in the result; each use of a reference
        spends the size of what it expands to (as if copied) from the module's budget."""
        resolved = self.resolve(value, depth)
        if not isinstance(resolved, (LMap, LSeq)):
            return resolved
        if depth > _MAX_DEPTH:
            raise TooComplex(f"too complex to resolve: values nested more than {_MAX_DEPTH} deep")
        key = id(resolved)
        if key not in self._deep:
            self._deep[key] = resolved  # a cycle through containers stops here
            self._kept.append(resolved)
            self._deep[key] = self._copy_deep(resolved, depth)
        out = self._deep[key]
        if resolved is not value:  # a reference (or call) expanded here: a copy of its whole value
            self.budget.spend(self._size(out))
        return out

    def _copy_deep(self, value: LMap | LSeq, depth: int) -> LMap | LSeq:
        if isinstance(value, LMap):
            out = LMap(value.pos, value.end_line)
            for k, v in value.items():
                out.put(k, self.resolve_deep(v, depth + 1), value.kpos(k), value.vpos(k))
            return out
        seq = LSeq(value.pos, value.end_line)
        for i, v in enumerate(value):
            seq.push(self.resolve_deep(v, depth + 1), value.ipos(i))
        return seq

    def _size(self, value: Any) -> int:
        """Nodes of `value` counted as a tree (a shared sub-value once per place it appears)."""
        if not isinstance(value, (LMap, LSeq)):
            return 1
        key = id(value)
        if key not in self._sizes:
            self._sizes[key] = 1  # cycle guard
            children = value.values() if isinstance(value, LMap) else value
            self._sizes[key] = 1 + sum(self._size(v) for v in children)
        return self._sizes[key]

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
            elif isinstance(value, LSeq) and part.startswith("[") and (index := decimal(key)) is not None:
                if index >= len(value):
                    return expr
                value = self.resolve(value[index], depth + 1)
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
            self.budget.spend(len(resolved))
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


def _auto_loaded(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )


def load(files: list[SourceFile]) -> tuple[Module, list[tuple[Loc, str]]]:
    module = Module(budget=Budget(sum(len(f.text) for f in files)))
    problems: list[tuple[Loc, str]] = []
    tfvars: list[Block] = []
    for file in files:
        try:
            root, errors = parse(file)
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
