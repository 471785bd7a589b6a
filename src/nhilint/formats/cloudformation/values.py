"""CloudFormation intrinsics: what a value renders to (`Ref` to parameter defaults, `Fn::Sub`,
`Fn::Join`, `Fn::Split`, `Fn::GetAtt`, both branches of `Fn::If`) and which resource it names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from msgspec import Struct

from nhilint.facts import Loc
from nhilint.formats import Problem, SourceFile
from nhilint.parse import Budget
from nhilint.parse.tree import LMap, LSeq, Pos

SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class Resource(Struct):
    name: str
    type: str
    body: LMap
    props: LMap
    key: str  # `<file>#<LogicalId>`
    loc: Loc


class Values:
    """One template's resources and parameters, and what its values render to."""

    def __init__(self, file: SourceFile, template: LMap, resources: LMap) -> None:
        self.file = file
        self.budget = Budget(len(file.text))
        self.problems: list[Problem] = []  # unreadable parts (a policy that is not JSON): NHI001
        self._refs: dict[str, list[str]] = {}  # parameter -> its rendered default, rendered once
        self._named: dict[tuple[str, str], dict[str, str]] = {}  # (type, name property) -> name -> key
        params = template.get("Parameters")
        self.params = params if isinstance(params, LMap) else LMap()
        self.resources: dict[str, Resource] = {}
        for name, body in resources.items():
            if isinstance(body, LMap) and isinstance(body.get("Type"), str):
                props = body.get("Properties")
                self.resources[str(name)] = Resource(
                    str(name),
                    body["Type"],
                    body,
                    props if isinstance(props, LMap) else LMap(body.pos),
                    f"{file.rel}#{name}",
                    file.loc(*resources.kpos(name)),
                )

    def at(self, pos: Pos) -> Loc:
        return self.file.loc(*pos)

    def prop_loc(self, resource: Resource, prop: str) -> Loc:
        return self.at(resource.props.kpos(prop)) if prop in resource.props else resource.loc

    # --- values ------------------------------------------------------------------------------

    def render(self, value: Any) -> list[str]:
        """Strings of a value; unresolved intrinsics become `${...}` (unknown to rules).

        The distinct strings only: `Fn::If` chained through parameter defaults doubles the list at
        every level otherwise. Every list made counts against the template's budget."""
        strings = self._render(value)
        if len(strings) > 1:
            strings = list(dict.fromkeys(strings))
        self.budget.spend(len(strings))
        return strings

    def _render(self, value: Any) -> list[str]:
        if isinstance(value, LSeq | list):
            return [s for item in value for s in self.render(item)]
        if isinstance(value, bool):
            return [str(value).lower()]
        if isinstance(value, str | int | float):
            return [str(value)]
        if not isinstance(value, LMap) or len(value) != 1:
            return []
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return self._ref(str(arg))
        if fn == "Fn::If" and isinstance(arg, LSeq) and len(arg) == 3:
            return self.render(arg[1]) + self.render(arg[2])
        if fn == "Fn::Sub":
            return [self._sub(arg)]
        if (
            fn == "Fn::Split"
            and isinstance(arg, LSeq)
            and len(arg) == 2
            and isinstance(arg[0], str)
            and arg[0]
        ):
            return [piece for text in self.render(arg[1]) for piece in _split(text, arg[0])]
        if fn == "Fn::Join" and isinstance(arg, LSeq) and len(arg) == 2 and isinstance(arg[0], str):
            parts = [self.render(p) for p in arg[1]] if isinstance(arg[1], LSeq) else None
            if parts is not None and all(len(p) == 1 for p in parts):
                return [arg[0].join(p[0] for p in parts)]
        if fn == "Fn::GetAtt":
            return [
                "${" + ".".join(str(a) for a in arg) + "}" if isinstance(arg, LSeq) else "${" + str(arg) + "}"
            ]
        return ["${" + str(fn) + "}"]

    def _ref(self, name: str) -> list[str]:
        if name == "AWS::NoValue":
            return []
        spec = self.params.get(name)
        if not isinstance(spec, LMap) or "Default" not in spec:
            return ["${" + name + "}"]
        if name not in self._refs:
            self._refs[name] = ["${" + name + "}"]  # a default that refers to itself is unknown
            default = self.render(spec["Default"])
            kind = spec.get("Type")
            if isinstance(kind, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
                default = [item.strip() for text in default for item in _split(text, ",")]
            self._refs[name] = default
        return self._refs[name]

    def _default_of(self, value: Any, text: str) -> tuple[str, Loc] | None:
        """The parameter whose literal `Default` gave a rendered text of a value, and where that
        default is written: the line to edit (a deployer may override it, but it is what deploys)."""
        for name in dict.fromkeys(self._parameters(value)):
            spec = self.params.get(name)
            if not isinstance(spec, LMap) or "Default" not in spec or not text:
                continue
            # a number is its default only when equal; an ARN may embed its default or be one of a list
            if any(
                d == text or (d and "${" not in d and not text.isdigit() and (d in text or text in d))
                for d in self._ref(name)
            ):
                return name, self.at(spec.vpos("Default"))
        return None

    def _sub(self, arg: Any) -> str:
        text, variables = (
            (arg, LMap())
            if isinstance(arg, str)
            else (arg[0], arg[1])
            if (
                isinstance(arg, LSeq)
                and len(arg) == 2
                and isinstance(arg[0], str)
                and isinstance(arg[1], LMap)
            )
            else ("${Fn::Sub}", LMap())
        )

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            found = self.render(variables[name]) if name in variables else self._ref(name)
            return found[0] if len(found) == 1 else match.group(0)

        return SUB_VAR.sub(replace, text)

    def target(
        self, value: Any, identity_type: str = "AWS::IAM::Role", name_prop: str = "RoleName"
    ) -> str | None:
        """The key of the resource a value points at (`!Ref`, `!GetAtt X.Arn`, `!Sub ${X.Arn}`,
        a literal name or ARN of a resource in the template), else the value's text."""
        logical = logical_id(value)
        if logical in self.resources:
            return self.resources[logical].key
        texts = self.render(value)
        if len(texts) != 1 or not texts[0]:
            return None
        text = texts[0]
        name = text.rsplit("/", 1)[-1] if text.startswith("arn:") else text
        return self._by_name(identity_type, name_prop).get(name, text)

    def _by_name(self, identity_type: str, name_prop: str) -> dict[str, str]:
        """Keys of the resources of a type by their (single) rendered name, indexed once."""
        key = (identity_type, name_prop)
        if key not in self._named:
            index: dict[str, str] = {}
            for resource in self.resources.values():
                if resource.type == identity_type:
                    names = self.render(resource.props.get(name_prop))
                    if len(names) == 1:
                        index.setdefault(names[0], resource.key)
            self._named[key] = index
        return self._named[key]

    def _from_parameter(self, value: Any) -> bool:
        """Whether a value reads a template parameter (`Ref`, `Fn::Sub` "${Param}"): the deployer
        sets it, whatever its `Default` says, so the tag's value is not known here."""
        return next(self._parameters(value), None) is not None

    def _parameters(self, value: Any) -> Iterator[str]:
        """The template parameters a value reads (`Ref`, `Fn::Sub` "${Param}"), at any depth."""
        if isinstance(value, LSeq):
            for item in value:
                yield from self._parameters(item)
        if not isinstance(value, LMap):
            return
        for fn, arg in value.items():
            if fn == "Ref" and isinstance(arg, str) and arg in self.params:
                yield arg
            text = (arg[0] if isinstance(arg, LSeq) and arg else arg) if fn == "Fn::Sub" else None
            if isinstance(text, str):
                yield from (name for name in SUB_VAR.findall(text) if name in self.params)
            yield from self._parameters(arg)


def _split(text: str, separator: str) -> list[str]:
    """`Fn::Split` of a rendered text, never inside an unresolved `${...}` (`${AWS::Partition}`)."""
    pieces = [""]
    for part in re.split(r"(\$\{[^}]*\})", text):
        if part.startswith("${"):
            pieces[-1] += part
        else:
            first, *rest = part.split(separator)
            pieces[-1] += first
            pieces.extend(rest)
    return pieces


def logical_id(value: Any) -> str | None:
    """The resource a `Ref`, `Fn::GetAtt` or `Fn::Sub "${X.Arn}"` names."""
    if not isinstance(value, LMap) or len(value) != 1:
        return None
    ((fn, arg),) = value.items()
    if fn == "Ref" and isinstance(arg, str):
        return arg
    if fn == "Fn::GetAtt":
        parts = arg if isinstance(arg, LSeq) else str(arg).split(".")
        return str(parts[0]) if parts else None
    if fn == "Fn::Sub" and isinstance(arg, str):
        match = re.fullmatch(r"\$\{([\w]+)(?:\.\w+)?\}", arg.strip())
        return match.group(1) if match else None
    return None


def branches(value: Any) -> list[Any]:
    """Both branches of an `Fn::If` (recursively), else the value itself."""
    if isinstance(value, LMap) and len(value) == 1 and "Fn::If" in value:
        arg = value["Fn::If"]
        if isinstance(arg, LSeq) and len(arg) == 3:
            return branches(arg[1]) + branches(arg[2])
        return []
    if isinstance(value, LMap) and value.get("Ref") == "AWS::NoValue":
        return []
    return [value]
