"""Terraform plan JSON (`terraform show -json PLANFILE`) to one record per resource instance.

A plan says what will be deployed: every variable, registry module and function already evaluated.
Each record holds the values the resource will have, as the located tree the HCL extractors read
(positions in the plan JSON), with what the plan cannot know yet (`after_unknown`) and what it marks
sensitive (`after_sensitive`) replaced by an unknown `Expr`: an unknown value is never a finding by
itself, and a sensitive value is never read, so never printed. The record also carries the module
call chain and the configuration's references, which lead back to the `.tf` lines a person edits.

Pure: text in, records out; the format (recognise, extract, positions in the `.tf` files) is elsewhere.
Documented at https://developer.hashicorp.com/terraform/internals/json-format (format_version 1.x).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from msgspec import Struct, field

from nhilint.parse import ParseError
from nhilint.parse.tree import NOWHERE, Expr, LMap, LSeq, Pos

UNKNOWN = "(known after apply)"
SENSITIVE = "(sensitive value)"
# Changes that leave the resource deployed with its `after` values; the rest (delete, forget, no-op)
# are judged only when asked (`--all-resources`).
CHANGING = frozenset({"create", "update"})
# How a plan begins (`terraform show -json` writes these keys first, in this order): enough to tell
# a plan from any other JSON by its first bytes, whatever the file is called.
_HEAD = re.compile(rb'^\s*\{\s*"format_version"\s*:\s*"1\.\d+"\s*,\s*"terraform_version"\s*:')
_MODULE_STEP = re.compile(r'module\.([A-Za-z_][\w-]*)(\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.?')


class NotAPlan(ParseError):
    """JSON that is not a plan this reader understands (a state, another major version)."""


class ModuleCall(Struct, frozen=True):
    """One `module` block on the way from the root module to a resource."""

    name: str  # the block's label: module "ci" -> "ci"
    source: str  # "./modules/ci", "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
    version: str = ""
    expressions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # argument -> references

    @property
    def local(self) -> bool:
        """A module whose files are in the repository (Terraform reads `./` and `../` sources in place)."""
        return self.source.startswith(("./", "../"))


class PlanResource(Struct):
    address: str  # module.ci.aws_iam_role.deploy["prod"]
    module_address: str  # module.ci ("" in the root module)
    mode: str  # "managed" or "data"
    type: str
    name: str
    index: int | str | None
    actions: tuple[str, ...]  # ("create",), ("delete", "create"), ("read",) for a data source read...
    values: LMap  # what it will be (what it was, for a deleted one), located in the plan JSON
    unknown: tuple[str, ...] = ()  # paths of the values known only after apply ("arn", "role")
    sensitive: tuple[str, ...] = ()  # paths of the values the plan marks sensitive (never read)
    pos: Pos = NOWHERE  # the resource's object in the plan JSON
    calls: tuple[ModuleCall, ...] = ()  # module calls from the root module down to the resource
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)  # attribute -> config refs

    @property
    def config_address(self) -> str:
        """The resource's address in its module's `.tf` files: aws_iam_role.deploy (no index)."""
        return f"{self.type}.{self.name}" if self.mode == "managed" else f"data.{self.type}.{self.name}"

    @property
    def local_address(self) -> str:
        """The instance's address inside its module: aws_iam_role.deploy["prod"]."""
        return self.address[len(self.module_address) + 1 :] if self.module_address else self.address

    def deployed(self, all_resources: bool = False) -> bool:
        """Whether the plan leaves this resource with these values (or the caller asked for all)."""
        return all_resources or self.mode == "data" or bool(CHANGING & set(self.actions))


class Plan(Struct):
    format_version: str
    terraform_version: str
    resources: list[PlanResource]


def looks_like_plan(head: bytes) -> bool:
    """Whether a file's first bytes are those of `terraform show -json` of a plan (or a state)."""
    return bool(_HEAD.match(head.removeprefix(b"\xef\xbb\xbf")))


def read_plan(text: str) -> Plan:
    """Every resource instance of the plan: changed ones from `resource_changes`, data sources from
    `resource_changes`, `planned_values` or `prior_state` (whichever holds them first). Raises
    ParseError for text that is not JSON, NotAPlan for JSON that is not a 1.x plan."""
    from nhilint.parse.json import parse_json

    data = parse_json(text)
    if not isinstance(data, LMap):
        raise NotAPlan("a Terraform plan must hold a JSON object")
    version = data.get("format_version")
    if not isinstance(version, str) or version.split(".", 1)[0] != "1":
        raise NotAPlan(f"not a Terraform plan of format 1.x (format_version {version!r})")
    if "planned_values" not in data and "resource_changes" not in data:
        raise NotAPlan("not a Terraform plan: no planned_values or resource_changes (a state file?)")
    config = _mapping(_mapping(data.get("configuration")).get("root_module"))
    resources: dict[str, PlanResource] = {}
    for change in _list(data.get("resource_changes")):
        record = _from_change(change, config)
        if record is not None:
            resources.setdefault(record.address, record)
    for tree in (data.get("planned_values"), _mapping(data.get("prior_state")).get("values")):
        for item in _module_resources(_mapping(tree).get("root_module"), 0):
            if item.get("mode") == "data" and isinstance(item.get("address"), str):
                record = _from_values(item, config)
                if record is not None:
                    resources.setdefault(record.address, record)
    return Plan(
        format_version=version,
        terraform_version=str(data.get("terraform_version", "")),
        resources=list(resources.values()),
    )


# --- the two places a resource's values come from --------------------------------------------------


def _from_change(change: Any, config: LMap) -> PlanResource | None:
    if not isinstance(change, LMap) or not isinstance(change.get("address"), str):
        return None
    body = _mapping(change.get("change"))
    actions = tuple(a for a in _list(body.get("actions")) if isinstance(a, str))
    gone = not (CHANGING | {"read"}) & set(actions) and body.get("after") is None
    values = body.get("before") if gone else body.get("after")
    unknown = None if gone else body.get("after_unknown")
    sensitive = body.get("before_sensitive") if gone else body.get("after_sensitive")
    return _record(change, actions, values, unknown, sensitive, config)


def _from_values(item: LMap, config: LMap) -> PlanResource | None:
    return _record(item, ("read",), item.get("values"), None, item.get("sensitive_values"), config)


def _record(
    item: LMap, actions: tuple[str, ...], values: Any, unknown: Any, sensitive: Any, config: LMap
) -> PlanResource | None:
    address = item["address"]
    mode, type_, name = item.get("mode"), item.get("type"), item.get("name")
    if mode not in ("managed", "data") or not isinstance(type_, str) or not isinstance(name, str):
        return None
    given = item.get("module_address")
    module_address = given if isinstance(given, str) else _module_of(address, mode, type_)
    index = item.get("index")
    if not isinstance(index, (int, str)) or isinstance(index, bool):
        index = None
    key = (
        "" if index is None else f"[{json.dumps(index, ensure_ascii=False)}]"
    )  # Terraform quotes a key as JSON does
    local = f"{type_}.{name}{key}" if mode == "managed" else f"data.{type_}.{name}{key}"
    address = f"{module_address}.{local}" if module_address else local  # as the plan wrote it, or consistent
    unknown_paths: list[str] = []
    sensitive_paths: list[str] = []
    located = _merge(_mapping(values), unknown, sensitive, "", unknown_paths, sensitive_paths)
    calls, resource_config = _configuration(config, module_address, mode, type_, name)
    references = {
        str(key): _references(expression)
        for key, expression in _mapping(resource_config.get("expressions")).items()
        if _references(expression)
    }
    for meta in ("for_each", "count"):  # what `each.value` and `count.index` stand for
        if refs := _references(resource_config.get(f"{meta}_expression")):
            references[f"{meta}_expression"] = refs
    _refer_unknowns(located, _mapping(resource_config.get("expressions")))
    return PlanResource(
        address=address,
        module_address=module_address,
        mode=mode,
        type=type_,
        name=name,
        index=index,
        actions=actions,
        values=located,
        unknown=tuple(unknown_paths),
        sensitive=tuple(sensitive_paths),
        pos=item.pos,
        calls=calls,
        references=references,
    )


def _module_of(address: str, mode: str, type_: str) -> str:
    """`module.ci["a"].aws_iam_role.x` -> `module.ci["a"]` (when the change omits `module_address`)."""
    marker = f"data.{type_}." if mode == "data" else f"{type_}."
    at = address.rfind(marker) if address.startswith("module.") else 0
    return address[: at - 1] if at > 0 else ""


# --- values: known, unknown, sensitive -------------------------------------------------------------


def _merge(
    value: Any, unknown: Any, sensitive: Any, path: str, unknown_paths: list[str], sensitive_paths: list[str]
) -> Any:
    """`value` with every part `unknown` marks true as an UNKNOWN Expr and every part `sensitive`
    marks true as a SENSITIVE Expr (the plan writes sensitive values out in clear: they go no further)."""
    if sensitive is True:
        sensitive_paths.append(path)
        return Expr(SENSITIVE)
    if unknown is True:
        unknown_paths.append(path)
        return Expr(UNKNOWN)
    if isinstance(value, LMap):
        out = LMap(value.pos, value.end_line)
        for key in [*value, *(k for k, v in _mapping(unknown).items() if v is True and k not in value)]:
            inner = value.get(key)
            merged = _merge(
                inner,
                _mapping(unknown).get(key),
                _mapping(sensitive).get(key),
                f"{path}.{key}" if path else str(key),
                unknown_paths,
                sensitive_paths,
            )
            if merged is not None:  # null is "not set" in Terraform, as an absent attribute
                pos = value.kpos(key) if key in value else _mapping(unknown).kpos(key)
                out.put(key, merged, pos, value.vpos(key) if key in value else pos)
        return out
    if isinstance(value, LSeq):
        seq = LSeq(value.pos, value.end_line)
        for i, item in enumerate(value):
            seq.push(
                _merge(
                    item,
                    _at(unknown, i),
                    _at(sensitive, i),
                    f"{path}[{i}]",
                    unknown_paths,
                    sensitive_paths,
                ),
                value.ipos(i),
            )
        return seq
    return value


def _at(marks: Any, index: int) -> Any:
    return marks[index] if isinstance(marks, list) and index < len(marks) else None


def _refer_unknowns(values: LMap, expressions: LMap) -> None:
    """An attribute unknown at plan time, or sensitive, keeps the references its expression makes
    (`role = aws_iam_role.deploy[each.key].id` -> aws_iam_role.deploy, each.key), so the resource it
    names is still found; the value itself stays unknown (a sensitive one unread). Nested blocks too:
    `template { service_account = google_service_account.app.email }` names the account it runs as."""
    for key, value in values.items():
        expression = expressions.get(key)
        if isinstance(value, Expr) and value.text in (UNKNOWN, SENSITIVE):
            if refs := _references(expression):
                values[key] = Expr(value.text, refs)
        elif isinstance(value, LSeq) and isinstance(expression, LSeq) and len(expression) == len(value):
            for item, written in zip(value, expression, strict=True):
                if isinstance(item, LMap) and isinstance(written, LMap):
                    _refer_unknowns(item, written)


# --- configuration: module calls and references ----------------------------------------------------


def _configuration(
    root: LMap, module_address: str, mode: str, type_: str, name: str
) -> tuple[tuple[ModuleCall, ...], LMap]:
    """The module calls leading to `module_address`, and the resource's configuration there."""
    calls: list[ModuleCall] = []
    module = root
    for step in _MODULE_STEP.finditer(module_address):
        call = _mapping(_mapping(module.get("module_calls")).get(step.group(1)))
        calls.append(
            ModuleCall(
                name=step.group(1),
                source=str(call.get("source", "")),
                version=str(call.get("version_constraint", "")),
                expressions={str(k): _references(v) for k, v in _mapping(call.get("expressions")).items()},
            )
        )
        module = _mapping(call.get("module"))
    wanted = f"{type_}.{name}" if mode == "managed" else f"data.{type_}.{name}"
    found = next(
        (r for r in _list(module.get("resources")) if isinstance(r, LMap) and r.get("address") == wanted),
        LMap(),
    )
    return tuple(calls), found


def _references(expression: Any) -> tuple[str, ...]:
    """The references an expression makes (nested blocks' expressions are lists of objects)."""
    if isinstance(expression, LMap):
        refs = expression.get("references")
        if isinstance(refs, LSeq):
            return tuple(r for r in refs if isinstance(r, str))
        return tuple(r for v in expression.values() if isinstance(v, (LMap, LSeq)) for r in _references(v))
    if isinstance(expression, LSeq):
        return tuple(r for item in expression for r in _references(item))
    return ()


def _module_resources(module: Any, depth: int) -> Iterator[LMap]:
    if not isinstance(module, LMap) or depth > 64:  # Terraform nests modules a few levels, not 64
        return
    yield from (r for r in _list(module.get("resources")) if isinstance(r, LMap))
    for child in _list(module.get("child_modules")):
        yield from _module_resources(child, depth + 1)


def _mapping(value: Any) -> LMap:
    return value if isinstance(value, LMap) else LMap()


def _list(value: Any) -> LSeq:
    return value if isinstance(value, LSeq) else LSeq()
