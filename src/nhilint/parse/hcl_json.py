"""Terraform's JSON syntax (`.tf.json`) to the Block tree `nhilint.parse.hcl` gives for the same
configuration written natively."""

from __future__ import annotations

import re
from typing import Any

from nhilint.parse import ParseError
from nhilint.parse.hcl_convert import Converter, get_parser, node_refs
from nhilint.parse.tree import NOWHERE, Block, Expr, LMap, LSeq, Pos

# Template sequences in a JSON-syntax string: the escaped forms must win over the plain ones.
_TEMPLATE_SEQ = re.compile(r"\$\$\{|%%\{|\$\{|%\{")


# Top-level block types and how many labels each takes (`resource.<type>.<name>`).
_JSON_BLOCK_LABELS = {
    "resource": 2,
    "data": 2,
    "variable": 1,
    "provider": 1,
    "module": 1,
    "output": 1,
    "check": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
}
# JSON cannot tell a nested block from an object attribute without provider schemas; these names
# are blocks wherever they appear (the meta blocks, and the ones identity checks read).
JSON_NESTED_LABELS = {
    "dynamic": 1,
    "provisioner": 1,
    "backend": 1,
    "content": 0,
    "lifecycle": 0,
    "connection": 0,
    "required_providers": 0,
    "cloud": 0,
    "statement": 0,
    "principals": 0,
    "not_principals": 0,
    "condition": 0,
    "default_tags": 0,
    "assume_role": 0,
    "assume_role_with_web_identity": 0,
    "inline_policy": 0,
    "binding": 0,
    "audit_config": 0,
    "permissions": 0,
    "access_policy": 0,
    "identity": 0,
    "service_account": 0,
    "metadata": 0,
    "rule": 0,
    "subject": 0,
    "role_ref": 0,
}


def parse_tf_json(data: object) -> Block:
    """Convert a loaded `.tf.json` document (LMap/LSeq from nhilint.parse.json, or plain dict/list)
    into the Block tree `parse_hcl` gives for the same configuration.

    Strings holding `${...}` or `%{...}` become `Expr` with refs; `"//"` comment keys are dropped.
    Nested blocks are recognised by name only (see `JSON_NESTED_LABELS`); other objects stay attributes.
    """
    pos = getattr(data, "pos", NOWHERE)
    end_line = getattr(data, "end_line", pos.line)
    root = Block("", [], LMap(pos, end_line), pos=pos, end_line=end_line)
    if not isinstance(data, dict):
        return root
    for key, value in data.items():
        if key in _JSON_BLOCK_LABELS:
            root.blocks.extend(_json_blocks(key, _JSON_BLOCK_LABELS[key], value, _kpos(data, key)))
        elif key != "//":
            root.attrs.put(key, _json_value(value), _kpos(data, key), _vpos(data, key))
    return root


def tf_json_shape_errors(data: object) -> list[ParseError]:
    """Where a `.tf.json` document is not the shape Terraform reads (it would reject the file): the
    top level an object, each block kind an object (or a list of them) down to its labels."""
    if not isinstance(data, dict):
        return [ParseError("a .tf.json file must hold a JSON object")]
    errors = []
    for key, n_labels in _JSON_BLOCK_LABELS.items():
        if key in data:
            errors += _shape(key, data[key], n_labels, _kpos(data, key))
    return errors


def _shape(what: str, value: object, n_labels: int, pos: Pos) -> list[ParseError]:
    items = [item for item in (value if isinstance(value, list) else [value]) if isinstance(item, dict)]
    if len(items) != (len(value) if isinstance(value, list) else 1):
        return [ParseError(f"`{what}` must be a JSON object", pos.line, pos.col)]
    if n_labels == 0:
        return []
    return [
        error
        for item in items
        for label, inner in item.items()
        if label != "//"
        for error in _shape(f"{what}.{label}"[:80], inner, n_labels - 1, _kpos(item, label))
    ]


def _json_blocks(
    type_: str, n_labels: int, value: object, pos: Pos, labels: tuple[str, ...] = ()
) -> list[Block]:
    """Peel `n_labels` levels of `{label: ...}` (arrays allowed at any level) down to block bodies."""
    if isinstance(value, list):
        return [b for item in value for b in _json_blocks(type_, n_labels, item, pos, labels)]
    if not isinstance(value, dict):
        return []
    if n_labels == 0:
        return [_json_block(type_, list(labels), value, pos)]
    return [
        b
        for label, inner in value.items()
        if label != "//"
        for b in _json_blocks(type_, n_labels - 1, inner, _kpos(value, label), (*labels, str(label)))
    ]


def _json_block(type_: str, labels: list[str], body: dict[Any, Any], pos: Pos) -> Block:
    end_line = getattr(body, "end_line", pos.line)
    block = Block(type_, labels, LMap(pos, end_line), pos=pos, end_line=end_line)
    for key, value in body.items():
        if key == "//":
            continue
        nested = JSON_NESTED_LABELS.get(key)
        if nested is not None and _is_block_shaped(value):
            block.blocks.extend(_json_blocks(key, nested, value, _kpos(body, key)))
        else:
            block.attrs.put(key, _json_value(value), _kpos(body, key), _vpos(body, key))
    return block


def _is_block_shaped(value: object) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, dict):
        result = LMap(getattr(value, "pos", NOWHERE), getattr(value, "end_line", None))
        for key, item in value.items():
            result.put(key, _json_value(item), _kpos(value, key), _vpos(value, key))
        return result
    if isinstance(value, list):
        seq = LSeq(getattr(value, "pos", NOWHERE), getattr(value, "end_line", None))
        item_pos = getattr(value, "item_pos", None)
        for i, item in enumerate(value):
            seq.push(_json_value(item), item_pos[i] if item_pos and i < len(item_pos) else seq.pos)
        return seq
    return value


def _json_string(value: str) -> str | Expr:
    """A JSON-syntax string is an HCL template: interpolation makes it an Expr, `$${` is a literal."""
    sequences = _TEMPLATE_SEQ.findall(value)
    if not sequences:
        return value
    if all(s in ("$${", "%%{") for s in sequences):
        return value.replace("$${", "${").replace("%%{", "%{")
    return Expr(value, _template_refs(value))


def _template_refs(template: str) -> tuple[str, ...]:
    """Refs of a template string, read by parsing it as a heredoc (no escaping to get wrong)."""
    marker = "NHILINT_TEMPLATE_END"
    source = f"t = <<{marker}\n{template}\n{marker}\n".encode()
    root = get_parser().parse(source).root_node
    return node_refs(root, Converter(source))


def _kpos(mapping: object, key: Any) -> Pos:
    kpos = getattr(mapping, "kpos", None)
    return kpos(key) if kpos else getattr(mapping, "pos", NOWHERE)


def _vpos(mapping: object, key: Any) -> Pos:
    vpos = getattr(mapping, "vpos", None)
    return vpos(key) if vpos else _kpos(mapping, key)
