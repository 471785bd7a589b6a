"""Terraform AWS policy documents: every policy form ends up in `knowledge.iam_policy.statements`:
`jsonencode({...})` objects, JSON strings and heredocs (positions shifted to the heredoc's lines),
`file("x.json")` of a file in the module directory, and `data "aws_iam_policy_document"` (with
source/override documents).
"""

from __future__ import annotations

from typing import Any

from nhilint.facts import Condition, Loc, PolicyStatement, Via
from nhilint.formats.terraform import conditional
from nhilint.formats.terraform.aws_values import literal_text, render
from nhilint.formats.terraform.documents import SideDocument, side_document
from nhilint.formats.terraform.instances import expand
from nhilint.formats.terraform.module import Module, Resource, reference
from nhilint.knowledge import iam_policy
from nhilint.parse import ParseError
from nhilint.parse.tree import Block, Call, Expr, LMap, LSeq, Pos

DOCUMENT = "aws_iam_policy_document"


# --- policies --------------------------------------------------------------------------------


class Documents:
    """Policy documents of one module, read once: data sources are shared by many consumers."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self._data = {r.address: _with_dynamic(module, r) for r in module.data(DOCUMENT)}

    def of(
        self,
        resource: Resource,
        attr: str,
        kind: str,
        identity: str | None,
        policy: str,
        seen: frozenset[str] = frozenset(),
    ) -> list[PolicyStatement]:
        """The statements of the document in `resource.attr`, in whatever form it is written (both
        branches of a conditional whose condition is unknown)."""
        try:
            return [
                statement
                for raw in conditional.branches(self.module, resource.raw(attr))
                for statement in self._written(resource, attr, raw, kind, identity, policy, seen)
            ]
        except conditional.TooManyVariants as exc:  # unreadable, not absent: NHI001 at the attribute
            self.module.problems.append((resource.attr_loc(attr), exc.reason))
            return []

    def _written(
        self,
        resource: Resource,
        attr: str,
        raw: Any,
        kind: str,
        identity: str | None,
        policy: str,
        seen: frozenset[str],
    ) -> list[PolicyStatement]:
        ref = reference(raw)
        if ref in self._data and ref not in seen:
            return self.data_statements(self._data[ref], kind, identity, policy or ref, seen | {ref})
        value = self.module.resolve(raw)
        where = resource.attr_loc(attr)
        inline = isinstance(raw, (LMap, Call, str)) or (
            isinstance(raw, Expr) and raw.text.lstrip().startswith("<<")
        )
        if isinstance(value, LMap):
            return self._collect(value, resource, where, inline, kind, identity, policy)
        text = value if isinstance(value, str) else _heredoc_body(value)
        if text is not None:
            pos = resource.block.attrs.vpos(attr)
            heredoc = literal_text(resource, pos).startswith("<<") if inline else False
            try:
                doc = iam_policy.json_document(text, pos.line + (1 if heredoc else 0))
            except ParseError as exc:  # unreadable, not absent: NHI001 at the attribute
                self.module.problems.append((where, exc.reason))
                return []
            return self._collect(doc, resource, where, inline, kind, identity, policy)
        side = side_document(self.module, value, resource.file)
        if side is not None:
            return self._file(resource, side, kind, identity, policy, where)
        return []

    def _collect(
        self,
        doc: Any,
        resource: Resource,
        where: Loc,
        inline: bool,
        kind: str,
        identity: str | None,
        policy: str,
    ) -> list[PolicyStatement]:
        def locate(pos: Pos) -> Loc:
            return resource.pos_loc(pos) if inline else where  # a variable's value lives in another file

        try:
            expanded = conditional.expand_statements(self.module, doc) if isinstance(doc, LMap) else doc
        except conditional.TooManyVariants as exc:  # this document only: NHI001 where it is used
            self.module.problems.append((where, exc.reason))
            return []
        return list(
            iam_policy.statements(
                expanded,
                locate,
                lambda v: render(self.module, v),
                policy_kind=kind,
                identity=identity,
                policy=policy,
            )
        )

    def _file(
        self, resource: Resource, side: SideDocument, kind: str, identity: str | None, policy: str, where: Loc
    ) -> list[PolicyStatement]:
        """A policy kept in a file (see `documents`): reported at its own lines, with the resource
        that puts it in force as the related place."""
        if side.problem is not None:
            self.module.problems.append((where, f"{side.name}: {side.problem}"))
            return []
        try:
            doc = iam_policy.json_document(side.text, 1)
        except ParseError as exc:
            self.module.problems.append((where, f"{side.name}: {exc.reason}"))
            return []
        found = list(
            iam_policy.statements(
                doc,
                lambda p: Loc(side.name, p.line, p.col),
                lambda v: render(self.module, v),
                policy_kind=kind,
                identity=identity,
                policy=policy or side.name,
            )
        )
        for statement in found:
            statement.via.append(Via(where, f"{side.name} is the policy of {resource.address}"))
        return found

    def data_statements(
        self, data: Resource, kind: str, identity: str | None, policy: str, seen: frozenset[str] = frozenset()
    ) -> list[PolicyStatement]:
        return [s for _, s in self._sid_statements(data, kind, identity, policy, seen)]

    def _sid_statements(
        self, data: Resource, kind: str, identity: str | None, policy: str, seen: frozenset[str]
    ) -> list[tuple[str, PolicyStatement]]:
        """A `data "aws_iam_policy_document"`: source documents, own statements, then overrides, a
        later statement replacing an earlier one with the same sid (as the provider merges them)."""
        merged: dict[str | int, tuple[str, PolicyStatement]] = {}
        layers = [
            self._linked(data, a, kind, identity, policy, seen)
            for a in ("source_policy_documents", "source_json")
        ]
        layers.append(
            [
                (_sid(self.module, b), self._block_statement(data, b, kind, identity, policy))
                for b in data.block.children("statement")
            ]
        )
        layers += [
            self._linked(data, a, kind, identity, policy, seen)
            for a in ("override_policy_documents", "override_json")
        ]
        for layer in layers:
            for sid, statement in layer:
                merged[sid or len(merged)] = (sid, statement)
        return list(merged.values())

    def _linked(
        self, data: Resource, attr: str, kind: str, identity: str | None, policy: str, seen: frozenset[str]
    ) -> list[tuple[str, PolicyStatement]]:
        raw = data.raw(attr)
        items = list(raw) if isinstance(raw, LSeq) else [raw] if raw is not None else []
        found: list[tuple[str, PolicyStatement]] = []
        for item in items:
            ref = reference(item)
            if ref in self._data and ref not in seen:
                found.extend(self._sid_statements(self._data[ref], kind, identity, policy, seen | {ref}))
            elif side := side_document(self.module, self.module.resolve(item), data.file):
                statements = self._file(data, side, kind, identity, policy, data.attr_loc(attr))
                found.extend(("", statement) for statement in statements)
        return found

    def _block_statement(
        self, data: Resource, block: Block, kind: str, identity: str | None, policy: str
    ) -> PolicyStatement:
        attrs, module = block.attrs, self.module

        def strings(name: str) -> list[str]:
            return render(module, attrs[name]) if name in attrs else []

        def at(name: str) -> Loc | None:
            return data.pos_loc(attrs.kpos(name)) if name in attrs else None

        principals: dict[str, list[str]] = {}
        for child in block.children("principals"):
            kind_of = render(module, child.attrs.get("type"))
            principals.setdefault(kind_of[0] if kind_of else "AWS", []).extend(
                render(module, child.attrs.get("identifiers"))
            )
        conditions = [
            Condition(
                (render(module, c.attrs.get("test")) or [""])[0],
                (render(module, c.attrs.get("variable")) or [""])[0],
                render(module, c.attrs.get("values")),
                data.pos_loc(c.pos),
            )
            for c in block.children("condition")
        ]
        effect = strings("effect")
        action_loc = at("actions") or at("not_actions") or data.pos_loc(block.pos)
        first_principal = block.child("principals")
        return PolicyStatement(
            loc=action_loc,
            effect=effect[0] if effect else "Allow",
            actions=strings("actions"),
            not_actions=strings("not_actions"),
            resources=strings("resources"),
            not_resources=strings("not_resources"),
            principals=principals,
            conditions=conditions,
            policy_kind=kind if kind != "auto" else ("trust" if principals else "identity"),
            identity=identity,
            policy=policy,
            action_loc=action_loc,
            resource_loc=at("resources") or at("not_resources"),
            principal_loc=data.pos_loc(first_principal.pos) if first_principal else None,
            condition_loc=conditions[0].loc if conditions else None,
        )


def _with_dynamic(module: Module, data: Resource) -> Resource:
    """A policy document with its `dynamic "statement"` blocks written out (when known)."""
    instances = expand(module, [data])
    return instances[0] if len(instances) == 1 else data


def _sid(module: Module, block: Block) -> str:
    sid = module.resolve(block.attrs.get("sid"))
    return sid if isinstance(sid, str) else ""


def _heredoc_body(value: Any) -> str | None:
    """The JSON of an interpolating heredoc; its `${...}` usually sit inside JSON strings."""
    if not isinstance(value, Expr) or not value.text.lstrip().startswith("<<"):
        return None
    lines = value.text.strip().split("\n")
    return "\n".join(lines[1:-1]) if len(lines) > 2 else None
