"""IAM policy documents to `PolicyStatement` facts: statements, principals and conditions read
case-insensitively from a parsed document (Terraform `jsonencode`, JSON strings, `aws_iam_policy_document`
results, CloudFormation), with positions. Terraform and CloudFormation both feed this module; what
the statements mean is `nhilint.knowledge.iam`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from nhilint.facts import Condition, Loc, PolicyStatement
from nhilint.parse.tree import LMap, LSeq, Pos

# Render a (possibly unresolved) value into strings; unknown values become "${source text}".
Render = Callable[[Any], list[str]]
Locate = Callable[[Pos], Loc]


def _get(mapping: LMap, name: str) -> tuple[Any, Any] | None:
    """(key as written, value) for a policy key, case-insensitively (`Statement`, `statement`)."""
    for key in mapping:
        if isinstance(key, str) and key.lower() == name.lower():
            return key, mapping[key]
    return None


def _strings(value: Any, render: Render) -> list[str]:
    if isinstance(value, LSeq | list):
        return [s for item in value for s in render(item)]
    return render(value)


def _principals(value: Any, render: Render) -> dict[str, list[str]]:
    if isinstance(value, LMap):
        return {str(k): _strings(v, render) for k, v in value.items()}
    texts = _strings(value, render)
    return {"AWS": texts} if texts else {}


def _conditions(value: Any, render: Render, locate: Locate) -> list[Condition]:
    found = []
    if isinstance(value, LMap):
        for operator, pairs in value.items():
            if isinstance(pairs, LMap):
                for key, values in pairs.items():
                    found.append(
                        Condition(str(operator), str(key), _strings(values, render), locate(pairs.kpos(key)))
                    )
    return found


def statements(
    document: Any,
    locate: Locate,
    render: Render,
    *,
    policy_kind: str = "identity",
    identity: str | None = None,
    policy: str = "",
) -> Iterator[PolicyStatement]:
    """The statements of a policy document given as a located map (`{"Statement": [...]}`)."""
    if not isinstance(document, LMap):
        return
    found = _get(document, "Statement")
    if found is None:
        return
    key, body = found
    items: list[tuple[Any, Pos]]
    if isinstance(body, LSeq):
        items = [(item, body.ipos(i)) for i, item in enumerate(body)]
    else:
        items = [(body, document.vpos(key))]
    for item, pos in items:
        if isinstance(item, LMap):
            yield _statement(item, pos, locate, render, policy_kind, identity, policy)


def _statement(
    item: LMap, pos: Pos, locate: Locate, render: Render, policy_kind: str, identity: str | None, policy: str
) -> PolicyStatement:
    fields: dict[str, Any] = {}
    locs: dict[str, Loc] = {}
    for name in (
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    ):
        found = _get(item, name)
        if found is not None:
            fields[name] = found[1]
            locs[name] = locate(item.kpos(found[0]))
    effect = render(fields.get("Effect", "Allow"))
    action_loc = locs.get("Action") or locs.get("NotAction") or locate(pos)
    return PolicyStatement(
        loc=action_loc,
        effect=effect[0] if effect else "Allow",
        actions=_strings(fields.get("Action"), render) if "Action" in fields else [],
        not_actions=_strings(fields.get("NotAction"), render) if "NotAction" in fields else [],
        resources=_strings(fields.get("Resource"), render) if "Resource" in fields else [],
        not_resources=_strings(fields.get("NotResource"), render) if "NotResource" in fields else [],
        principals=_principals(fields["Principal"], render) if "Principal" in fields else {},
        conditions=_conditions(fields.get("Condition"), render, locate),
        policy_kind=policy_kind,
        identity=identity,
        policy=policy,
        action_loc=action_loc,
        resource_loc=locs.get("Resource") or locs.get("NotResource"),
        principal_loc=locs.get("Principal"),
        condition_loc=locs.get("Condition"),
    )


def json_document(text: str, first_line: int) -> Any:
    """A policy written as a JSON string, parsed with positions shifted to where the string sits.

    `first_line` is the file line of the JSON text's first line. Returns None when the text is not
    a JSON object or holds template sequences (`${...}`, `%{...}`) that only render to JSON.
    Raises ParseError for a literal object that does not parse (`"Action": "*",}`): the policy
    is unreadable, which its caller reports as NHI001 at the policy, never as no policy.
    """
    from nhilint.parse import ParseError
    from nhilint.parse.json import parse_json

    stripped = text.strip()
    if not stripped.startswith("{"):
        return None
    try:
        return shift(parse_json(text), first_line - 1)
    except (ParseError, RecursionError) as exc:
        if "${" in text or "%{" in text:
            return None
        line = first_line + (exc.line - 1 if isinstance(exc, ParseError) else 0)
        raise ParseError(
            f"policy document is not valid JSON, so it cannot be judged: {_why(exc)}", line
        ) from None


def _why(exc: Exception) -> str:
    from nhilint.parse import ParseError

    return exc.reason if isinstance(exc, ParseError) else "nested too deeply"


def shift(node: Any, lines: int) -> Any:
    """A copy of a parsed tree with every position moved down by `lines`."""
    if isinstance(node, LMap):
        out = LMap(Pos(node.pos.line + lines, node.pos.col), node.end_line + lines)
        for k, v in node.items():
            kp, vp = node.kpos(k), node.vpos(k)
            out.put(k, shift(v, lines), Pos(kp.line + lines, kp.col), Pos(vp.line + lines, vp.col))
        return out
    if isinstance(node, LSeq):
        seq = LSeq(Pos(node.pos.line + lines, node.pos.col), node.end_line + lines)
        for i, v in enumerate(node):
            p = node.ipos(i)
            seq.push(shift(v, lines), Pos(p.line + lines, p.col))
        return seq
    return node
