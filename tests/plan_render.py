"""A Terraform root module (`.tf` text) rendered as `terraform show -json` of its plan, for the tests.

Terraform is not on the test machines: this renders what `terraform plan -out tfplan && terraform show
-json tfplan` writes for a module whose resources are all new, following the documented format
(https://developer.hashicorp.com/terraform/internals/json-format). python-hcl2, not nhilint's parser,
reads the HCL (an independent oracle); a small evaluator computes what Terraform computes at plan time:
literals, `var.x` defaults, locals, `for_each`, `dynamic` blocks, a few functions, and the arguments of
other resources. What only apply knows (a resource's computed attributes: `arn`, `id`, `email`)
is unknown: left out of `after` and marked in `after_unknown`, its references kept in `configuration`.
Data sources whose arguments are known are read during the plan (their values are in `prior_state` and
`planned_values`); `aws_iam_policy_document` is rendered as the AWS provider renders it.

Anything else raises `Unrenderable` with the reason: the test lists such examples, never skips them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

TERRAFORM_VERSION = "1.9.8"
# Attributes the providers' schemas mark sensitive: the plan holds them in clear and says so.
SENSITIVE = {
    "aws_ssm_parameter": {"value"},
    "github_actions_secret": {"plaintext_value"},
    "azurerm_key_vault_secret": {"value"},
    "aws_secretsmanager_secret_version": {"secret_string"},
    "kubernetes_secret_v1": {"data"},
    "random_password": {"result"},
}
# What a data source with known arguments reads during the plan (outputs the examples use).
_DATA_OUTPUTS: dict[str, dict[str, Any]] = {
    "aws_partition": {"partition": "aws", "dns_suffix": "amazonaws.com"}
}


class Unrenderable(Exception):
    """A module this renderer (or Terraform itself) cannot plan."""


@dataclass(frozen=True)
class Unknown:
    """A value known only after apply."""


UNKNOWN = Unknown()


@dataclass
class _Scope:
    names: dict[str, Any] = field(default_factory=dict)  # each, a dynamic block's iterator
    refs: list[str] = field(default_factory=list)  # what the expression referred to, as Terraform lists them


def render_plan(tf_text: str) -> dict[str, Any]:
    """The plan JSON of a root module whose every resource is created."""
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(with_comments=False, explicit_blocks=True, preserve_heredocs=False)
    try:
        doc = hcl2.loads(tf_text, serialization_options=options)
    except Exception as exc:  # lark's errors: Terraform refuses the file too
        raise Unrenderable(f"not valid HCL: terraform plan refuses it ({type(exc).__name__})") from exc
    return _Renderer(doc).plan()


class _Renderer:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.variables = {_label(k): v for block in doc.get("variable", []) for k, v in _labelled(block)}
        self.locals = {k: v for block in doc.get("locals", []) for k, v in _attrs(block).items()}
        self.resources: dict[str, dict[str, Any]] = {}
        self.data: dict[str, dict[str, Any]] = {}
        for kind, target in (("resource", self.resources), ("data", self.data)):
            for block in doc.get(kind, []):
                for type_, named in block.items():
                    for name, body in named.items():
                        target[f"{_label(type_)}.{_label(name)}"] = body
        self.unsupported = [k for k in doc if k not in {"variable", "locals", "resource", "data", "provider"}]

    # --- the plan document ----------------------------------------------------------------------

    def plan(self) -> dict[str, Any]:
        if self.unsupported:
            raise Unrenderable(f"top-level blocks this renderer does not plan: {self.unsupported}")
        changes, planned, read, config = [], [], [], []
        for address, body in self.resources.items():
            type_, name = address.split(".")
            config.append(self._configuration("managed", type_, name, body))
            for index, scope in self._instances(body):
                after, unknown = self._values(type_, body, scope)
                sensitive = {k: True for k in SENSITIVE.get(type_, ()) if k in after or k in unknown}
                after = {k: v for k, v in after.items() if k not in sensitive}  # no clear text in the tests
                entry = _entry(address, "managed", type_, name, index)
                changes.append(
                    entry
                    | {
                        "change": {
                            "actions": ["create"],
                            "before": None,
                            "after": after,
                            "after_unknown": unknown,
                            "before_sensitive": False,
                            "after_sensitive": sensitive,
                        }
                    }
                )
                planned.append(entry | {"schema_version": 0, "values": after, "sensitive_values": sensitive})
        for address in self.data:
            type_, name = address.split(".")
            config.append(self._configuration("data", type_, name, self.data[address]))
            values = self._data_values(address)
            entry = _entry(f"data.{address}", "data", type_, name, None)
            if any(isinstance(v, Unknown) for v in values.values()):  # read during apply instead
                raise Unrenderable(f"data.{address} has arguments known only after apply")
            read.append(entry | {"schema_version": 0, "values": values, "sensitive_values": {}})
        return {
            "format_version": "1.2",
            "terraform_version": TERRAFORM_VERSION,
            "variables": {k: {"value": self._variable(k)} for k in self.variables},
            "planned_values": {"root_module": {"resources": planned + read}},
            "resource_changes": changes,
            "prior_state": {
                "format_version": "1.0",
                "terraform_version": TERRAFORM_VERSION,
                "values": {"root_module": {"resources": read}},
            },
            "configuration": {"root_module": {"resources": config}},
            "timestamp": "2026-11-30T12:00:00Z",
            "applyable": True,
            "complete": True,
            "errored": False,
        }

    def _instances(self, body: dict[str, Any]) -> list[tuple[int | str | None, _Scope]]:
        if "count" in body:
            count = self._eval(body["count"], _Scope())
            if not isinstance(count, int):
                raise Unrenderable("a count known only after apply")
            return [(i, _Scope({"count": {"index": i}})) for i in range(count)]
        if "for_each" not in body:
            return [(None, _Scope())]
        each = self._eval(body["for_each"], _Scope())
        if isinstance(each, list):  # a set of strings: key and value are the element
            each = {str(v): v for v in each}
        if not isinstance(each, dict):
            raise Unrenderable("a for_each known only after apply")
        return [(key, _Scope({"each": {"key": key, "value": value}})) for key, value in each.items()]

    def _values(
        self, type_: str, body: dict[str, Any], scope: _Scope
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """`after` and `after_unknown` of one instance: blocks as lists of objects, computed `id` unknown."""
        after: dict[str, Any] = {}
        unknown: dict[str, Any] = {"id": True}
        for key, value in self._body(body, scope).items():
            known, marks = _split(value)
            if known is not None:
                after[key] = known
            if marks:
                unknown[key] = marks
        if type_.startswith("aws_") and "tags" in after and "tags" not in unknown:
            after["tags_all"] = after["tags"]  # no provider default_tags in these modules
        return after, unknown

    def _body(self, body: dict[str, Any], scope: _Scope) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in body.items():
            if key in ("__is_block__", "for_each", "count", "lifecycle", "depends_on", "provider"):
                continue
            if key == "dynamic":
                for dynamic in value:
                    for label, spec in dynamic.items():
                        out.setdefault(_label(label), []).extend(self._dynamic(_label(label), spec, scope))
            elif _is_blocks(value):
                out.setdefault(key, []).extend(self._body(b, scope) for b in value)
            else:
                out[key] = self._eval(value, scope)
        return out

    def _dynamic(self, label: str, spec: dict[str, Any], scope: _Scope) -> list[dict[str, Any]]:
        items = self._eval(spec["for_each"], scope)
        iterator = _label(spec.get("iterator", label))
        if isinstance(items, dict):
            pairs = list(items.items())
        elif isinstance(items, list):
            pairs = list(enumerate(items))
        else:
            raise Unrenderable(f"dynamic {label!r} over a value known only after apply")
        content = spec["content"][0]
        return [
            self._body(content, _Scope({**scope.names, iterator: {"key": k, "value": v}})) for k, v in pairs
        ]

    def _configuration(self, mode: str, type_: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "address": f"{type_}.{name}" if mode == "managed" else f"data.{type_}.{name}",
            "mode": mode,
            "type": type_,
            "name": name,
            "provider_config_key": type_.split("_", 1)[0],
            "expressions": self._expressions(body),
            "schema_version": 0,
        }
        for meta in ("for_each", "count"):
            if meta in body:
                scope = _Scope()
                self._eval(body[meta], scope)
                entry[f"{meta}_expression"] = {"references": _unique(scope.refs)}
        return entry

    def _expressions(self, body: dict[str, Any]) -> dict[str, Any]:
        """An argument as Terraform describes it: its references, or its constant value; blocks as lists."""
        out: dict[str, Any] = {}
        for key, value in body.items():
            if key in ("__is_block__", "for_each", "count", "dynamic"):
                continue
            if _is_blocks(value):
                out[key] = [self._expressions(b) for b in value]
                continue
            scope = _Scope({"each": {"key": UNKNOWN, "value": UNKNOWN}, "count": {"index": UNKNOWN}})
            evaluated = self._eval(value, scope)
            if scope.refs:
                out[key] = {"references": _unique(scope.refs)}
            else:
                out[key] = {"constant_value": evaluated}
        return out

    # --- values -----------------------------------------------------------------------------------

    def _variable(self, name: str) -> Any:
        body = self.variables[name]
        if "default" not in body:
            raise Unrenderable(f"var.{name} has no default: the plan needs a -var or a tfvars file")
        return self._eval(body["default"], _Scope())

    def _data_values(self, address: str) -> dict[str, Any]:
        type_ = address.split(".")[0]
        values = self._body(self.data[address], _Scope())
        if type_ == "aws_iam_policy_document":
            values["json"] = _policy_json(values.get("statement", []))
        values.update(_DATA_OUTPUTS.get(type_, {}))
        values["id"] = "rendered"
        return values

    def _eval(self, raw: Any, scope: _Scope) -> Any:
        """A python-hcl2 value: a literal, a quoted string (maybe a template), `${expression}`, a map."""
        if isinstance(raw, dict):
            return {_label(k): self._eval(v, scope) for k, v in raw.items() if k != "__is_block__"}
        if isinstance(raw, list):
            return [self._eval(v, scope) for v in raw]
        if not isinstance(raw, str):
            return raw
        if raw.startswith('"'):  # a quoted string, maybe a template
            return _Parser(raw, self, scope).parse()
        if raw.startswith("${") and raw.endswith("}"):  # an expression: python-hcl2 wraps it so
            return _Parser(raw[2:-1], self, scope).parse()
        raise Unrenderable(f"a bare keyword as a value: {raw!r}")

    def reference(self, path: list[str | int], scope: _Scope) -> Any:
        """The value a traversal names (`var.tags`, `each.value`, `aws_iam_user.ci.name`)."""
        head = str(path[0])
        if head in scope.names:
            scope.refs.append(_address(path[:3]))
            scope.refs.append(_address(path[:2])) if len(path) > 2 else None
            return _walk(scope.names[head], path[1:])
        if head == "var":
            scope.refs.append(_address(path[:2]))
            return _walk(self._variable(str(path[1])), path[2:])
        if head == "local":
            scope.refs.append(_address(path[:2]))
            return _walk(self._eval(self.locals[str(path[1])], _Scope(dict(scope.names))), path[2:])
        if head == "data":
            address = f"{path[1]}.{path[2]}"
            scope.refs.extend([_address(path[:4]), _address(path[:3])])
            if address not in self.data:  # declared elsewhere in a real module: not in the example
                return UNKNOWN
            return _walk(self._data_values(address), path[3:])
        if head in ("path", "terraform", "self"):
            raise Unrenderable(f"{head}.* is not rendered")
        # another resource: the arguments it is given are known at plan time, the rest after apply
        address = f"{path[0]}.{path[1]}"
        scope.refs.extend([_address(path[:3]), address])
        body = self.resources.get(address)
        if body is None:  # declared elsewhere in a real module (the example leaves it out): computed
            return UNKNOWN
        if "for_each" in body or "count" in body:
            raise Unrenderable(f"a reference to {address}, which has several instances")
        attribute = str(path[2]) if len(path) > 2 else None
        if attribute is None or attribute not in body or _is_blocks(body[attribute]):
            return UNKNOWN
        return _walk(self._eval(body[attribute], _Scope()), path[3:])


# --- expressions -----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\$]|\\.|\$(?!\{)|\$\{(?:[^{}"]|\{[^{}]*\}|"[^"]*")*\})*")'
    r"|(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][\w-]*)|(?P<punct>[{}\[\](),.=:]))"
)
_FUNCTIONS = {"jsonencode", "merge", "toset", "format", "tolist", "tostring"}


class _Parser:
    """A recursive descent over python-hcl2's rendering of an expression (literals, objects, tuples,
    traversals, function calls, string templates): the subset the catalogue's examples write."""

    def __init__(self, text: str, renderer: _Renderer | None = None, scope: _Scope | None = None) -> None:
        self.tokens: list[tuple[str, str]] = []
        at = 0
        while at < len(text.rstrip()):
            match = _TOKEN.match(text, at)
            if match is None or match.end() == at:
                raise Unrenderable(f"an expression this renderer does not evaluate: {text!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            at = match.end()
        self.at = 0
        self.renderer = renderer
        self.scope = scope or _Scope()

    def parse(self) -> Any:
        value = self.expression()
        if self.at != len(self.tokens):
            raise Unrenderable(f"an expression this renderer does not evaluate: {self.tokens[self.at :]}")
        return value

    def peek(self) -> str:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens) or (expected is not None and self.peek() != expected):
            raise Unrenderable(f"expected {expected!r} at {self.tokens[self.at :]}")
        self.at += 1
        return self.tokens[self.at - 1]

    def expression(self) -> Any:
        kind, token = self.take()
        if kind == "string":
            return self.template(token)
        if kind == "number":
            return float(token) if "." in token else int(token)
        if token == "{":
            return self.items("}", mapping=True)
        if token == "[":
            return self.items("]", mapping=False)
        if kind != "name":
            raise Unrenderable(f"unexpected {token!r}")
        if token in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[token]
        if self.peek() == "(":
            self.take("(")
            return self.call(token, self.items(")", mapping=False))
        path: list[str | int] = [token]
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                path.append(self.take()[1])
            else:
                key = self.expression()
                self.take("]")
                path.append(key)
        assert self.renderer is not None
        return self.renderer.reference(path, self.scope)

    def items(self, close: str, mapping: bool) -> Any:
        out: Any = {} if mapping else []
        while self.peek() != close:
            if mapping:
                kind, key = self.take()
                self.take("=") if self.peek() == "=" else self.take(":")
                out[json.loads(key) if kind == "string" else key] = self.expression()
            else:
                out.append(self.expression())
            if self.peek() == ",":
                self.take(",")
        self.take(close)
        return out

    def call(self, name: str, args: list[Any]) -> Any:
        if name not in _FUNCTIONS:
            raise Unrenderable(f"{name}() is not rendered")
        if _has_unknown(args):
            return UNKNOWN
        if name == "jsonencode":
            return json.dumps(args[0], separators=(",", ":"))
        if name == "merge":
            return {k: v for arg in args for k, v in arg.items()}
        if name == "toset":  # a set of strings: sorted, each once
            return sorted(set(args[0]))
        if name == "format":
            return args[0].replace("%%", "\0") % tuple(args[1:])
        return args[0]

    def template(self, token: str) -> Any:
        """A quoted string: its interpolations evaluated (unknown if any part is)."""
        body = token[1:-1]
        parts: list[Any] = []
        at = 0
        for match in re.finditer(r"(?<!\$)\$\{((?:[^{}\"]|\{[^{}]*\}|\"[^\"]*\")*)\}", body):
            parts.append(json.loads(f'"{body[at : match.start()]}"'))
            parts.append(_Parser(match[1], self.renderer, self.scope).parse())
            at = match.end()
        parts.append(json.loads(f'"{body[at:]}"').replace("$${", "${"))
        if any(isinstance(p, Unknown) for p in parts):
            return UNKNOWN
        if len(parts) == 3 and parts[0] == parts[2] == "":
            return parts[1]  # "${x}" is x itself
        return "".join(p if isinstance(p, str) else json.dumps(p) for p in parts)


# --- helpers ---------------------------------------------------------------------------------------


def _policy_json(statements: list[dict[str, Any]]) -> str:
    """`aws_iam_policy_document`'s `json`, as the AWS provider renders it (a one-item list is a string)."""

    def one(values: list[Any]) -> Any:
        return values[0] if len(values) == 1 else values

    rendered = []
    for statement in statements:
        out: dict[str, Any] = {"Effect": statement.get("effect", "Allow")}
        for key, name in (
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ):
            if key in statement:
                out[name] = one(statement[key])
        for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if key in statement:
                out[name] = {p["type"]: one(p["identifiers"]) for p in statement[key]}
        for condition in statement.get("condition", []):
            out.setdefault("Condition", {}).setdefault(condition["test"], {})[condition["variable"]] = one(
                condition["values"]
            )
        rendered.append(out)
    return json.dumps({"Version": "2012-10-17", "Statement": rendered}, indent=2)


def _split(value: Any) -> tuple[Any, Any]:
    """A value as `after` (unknown parts left out) and `after_unknown` (true where unknown)."""
    if isinstance(value, Unknown):
        return None, True
    if isinstance(value, dict):
        known, marks = {}, {}
        for k, v in value.items():
            kv, mv = _split(v)
            if kv is not None or not mv:
                known[k] = kv
            if mv:
                marks[k] = mv
        return known, marks or False
    if isinstance(value, list):
        pairs = [_split(v) for v in value]
        marks_list = [m or False for _, m in pairs]
        return [k for k, _ in pairs], (marks_list if any(marks_list) else False)
    return value, False


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


def _walk(value: Any, path: list[str | int]) -> Any:
    for step in path:
        if isinstance(value, Unknown):
            return value
        value = value[step]
    return value


def _entry(address: str, mode: str, type_: str, name: str, index: int | str | None) -> dict[str, Any]:
    key = "" if index is None else f"[{json.dumps(index)}]"
    entry: dict[str, Any] = {"address": f"{address}{key}", "mode": mode, "type": type_, "name": name}
    if index is not None:
        entry["index"] = index
    return entry | {"provider_name": f"registry.terraform.io/hashicorp/{type_.split('_', 1)[0]}"}


def _address(path: list[str | int]) -> str:
    return "".join(f"[{json.dumps(p)}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _unique(refs: list[str]) -> list[str]:
    return list(dict.fromkeys(refs))


def _label(text: str) -> str:
    return json.loads(text) if text.startswith('"') else text


def _labelled(block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(k, v) for k, v in block.items() if k != "__is_block__"]


def _attrs(block: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if k != "__is_block__"}


def _is_blocks(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_block(v) for v in value)


def _is_block(value: Any) -> bool:
    return isinstance(value, dict) and bool(value.get("__is_block__"))
