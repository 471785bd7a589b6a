"""CloudFormation IAM policies: inline `Policies`, single and managed policies (with the identities
that list them) and AWS managed policies granted by `ManagedPolicyArns`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nhilint.facts import Fact, Grant, Loc, PolicyStatement, Via
from nhilint.formats import Problem
from nhilint.formats.cloudformation.values import Resource, Values, branches, logical_id
from nhilint.knowledge import iam_policy
from nhilint.parse import ParseError
from nhilint.parse.tree import LMap, LSeq, Pos

_MANAGED_POLICY = re.compile(r":iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
IDENTITY_TYPES = {"AWS::IAM::Role": "aws_iam_role", "AWS::IAM::User": "aws_iam_user"}


class Policies(Values):
    """The policies and managed-policy grants of a template's identities."""

    def _policies(self, resource: Resource, identity: str | None) -> Iterator[Fact]:
        """`Policies: [{PolicyName, PolicyDocument}]`; SAM also allows managed names and bare documents."""
        raw = resource.props.get("Policies")
        sam = resource.type == "AWS::Serverless::Function"
        items = (
            [(v, raw.ipos(i)) for i, v in enumerate(raw)]
            if isinstance(raw, LSeq)
            else ([(raw, resource.props.vpos("Policies"))] if raw is not None else [])
        )
        for item, pos in items:
            for branch in branches(item):
                if isinstance(branch, LMap) and "PolicyDocument" in branch:
                    policy = self.render(branch.get("PolicyName"))
                    label = f"{resource.name}/{policy[0]}" if len(policy) == 1 else resource.name
                    document, at = branch["PolicyDocument"], branch.vpos("PolicyDocument")
                    yield from self._statements(document, "identity", identity, label, at)
                elif sam and isinstance(branch, LMap) and any(str(k).lower() == "statement" for k in branch):
                    yield from self._statements(branch, "identity", identity, resource.name)
                elif sam:
                    yield from self._grant(branch, self.at(pos), identity, "role")

    def _document(
        self, resource: Resource, prop: str, kind: str, identity: str | None, policy: str
    ) -> Iterator[PolicyStatement]:
        if prop in resource.props:
            yield from self._statements(
                resource.props[prop], kind, identity, policy, resource.props.vpos(prop)
            )

    def _statements(
        self, document: Any, kind: str, identity: str | None, policy: str, at: Pos | None = None
    ) -> Iterator[PolicyStatement]:
        for branch in branches(document):
            if isinstance(branch, str):  # a JSON string (rare, but allowed)
                try:
                    branch = iam_policy.json_document(branch, 1)
                except ParseError as exc:  # unreadable, not absent: NHI001 at the document
                    self.problems.append(Problem(self.at(at or Pos(1)), exc.reason))
                    continue
            if isinstance(branch, LMap):
                yield from iam_policy.statements(
                    expand_statements(branch),
                    self.at,
                    self.render,
                    policy_kind=kind,
                    identity=identity,
                    policy=policy,
                )

    def _managed_policy(self, resource: Resource) -> Iterator[Fact]:
        props = resource.props
        owners: list[str | None] = []
        for prop, type_, name_prop in (
            ("Roles", "AWS::IAM::Role", "RoleName"),
            ("Users", "AWS::IAM::User", "UserName"),
            ("Groups", "AWS::IAM::Group", "GroupName"),
        ):
            raw = props.get(prop)
            for item in raw if isinstance(raw, LSeq) else []:
                owners.append(self.target(item, type_, name_prop))
        # a ManagedPolicy also reaches the identities that list it in ManagedPolicyArns
        for other in self.resources.values():
            arns = other.props.get("ManagedPolicyArns")
            if (
                other.type in IDENTITY_TYPES
                and isinstance(arns, LSeq)
                and any(logical_id(a) == resource.name for a in arns)
            ):
                owners.append(other.key)
        for owner in owners or [None]:
            yield from self._document(resource, "PolicyDocument", "identity", owner, resource.name)

    def _managed_arns(self, resource: Resource, identity: str, kind: str) -> Iterator[Fact]:
        """Each item of `ManagedPolicyArns`, or the whole value when it makes the list itself
        (`!Split [",", !Ref Param]`, `!Ref` of a list parameter)."""
        raw = resource.props.get("ManagedPolicyArns")
        if isinstance(raw, LSeq):
            for i, item in enumerate(raw):
                yield from self._grant(item, self.at(raw.ipos(i)), identity, kind)
        elif raw is not None:
            yield from self._grant(raw, self.at(resource.props.vpos("ManagedPolicyArns")), identity, kind)

    def _grant(self, value: Any, loc: Loc, identity: str | None, kind: str) -> Iterator[Fact]:
        """An AWS managed policy, by ARN or (SAM) by bare name."""
        for text in self.render(value):
            match = _MANAGED_POLICY.search(text)
            role = match.group(1) if match else text if re.fullmatch(r"[A-Za-z][\w+=,.@-]*", text) else None
            if role and identity:
                declared = next((r for r in self.resources.values() if r.key == identity), None)
                names = self.render(declared.props.get("RoleName")) if declared else []
                grantee = (
                    names[0]
                    if len(names) == 1 and names[0] and "${" not in names[0]
                    else identity.rsplit("#", 1)[-1]
                )
                found = self._default_of(value, text)
                yield Grant(
                    loc=found[1] if found else loc,
                    platform="aws",
                    role=role,
                    grantee=grantee,
                    grantee_kind=kind,
                    scope="account",
                    identity=identity,
                    via=[Via(loc, f"{grantee} reads parameter {found[0]} here")] if found else [],
                    origin=f"parameter {found[0]}'s default" if found else "",
                )


def expand_statements(document: LMap) -> LMap:
    """The document with each `Fn::If` statement replaced by its branches (positions kept)."""
    key = next((k for k in document if str(k).lower() == "statement"), None)
    body = document.get(key) if key is not None else None
    if not isinstance(body, LSeq) or not any(isinstance(s, LMap) and "Fn::If" in s for s in body):
        return document
    statements = LSeq(body.pos, body.end_line)
    for i, item in enumerate(body):
        for branch in branches(item):
            statements.push(branch, branch.pos if isinstance(branch, LMap) else body.ipos(i))
    out = LMap(document.pos, document.end_line)
    for k, v in document.items():
        out.put(k, statements if k == key else v, document.kpos(k), document.vpos(k))
    return out
