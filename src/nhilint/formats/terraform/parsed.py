"""A Terraform file (`.tf`, `.tf.json`, `.tfvars`, `.tfvars.json`) to its root block, parsed once per
process for every unit that reads it: a module called from ten roots is in ten units."""

from __future__ import annotations

from collections import OrderedDict

from nhilint.formats import SourceFile
from nhilint.parse import ParseError
from nhilint.parse.tree import NOWHERE, Block, LMap

# Parsed files by (path, text): a module directory is parsed once, not once per caller (a module called
# from ten roots is in ten units). Keyed by the content itself, never a date, so a changed file is always
# parsed again; the trees are shared because nothing changes a parsed tree (resolution builds new values).
# Least recently used entries go past _MEMO_COST. A file's cost is its length plus 16 for each character
# that opens a node (`{ [ , = ( .`): a parsed tree holds 6-28 bytes per unit of cost whatever its shape
# (real modules ~9; a dense `[{},{},...]` 168 bytes per character), so the memo stays under ~25 MB.
_MEMO_COST = 900_000
_memo: OrderedDict[tuple[str, str], tuple[Block, list[ParseError]]] = OrderedDict()
_memo_costs: dict[tuple[str, str], int] = {}
_memo_total = [0]


def _cost(text: str) -> int:
    return len(text) + 16 * sum(text.count(opener) for opener in "{[,=(.")


def parse(file: SourceFile) -> tuple[Block, list[ParseError]]:
    key = (file.rel, file.text)
    found = _memo.get(key)
    if found is not None:
        _memo.move_to_end(key)
        return found
    found = _parse_now(file)
    cost = _cost(file.text)
    if cost <= _MEMO_COST:
        _memo[key] = found
        _memo_costs[key] = cost
        _memo_total[0] += cost
        while _memo_total[0] > _MEMO_COST:
            oldest, _ = _memo.popitem(last=False)
            _memo_total[0] -= _memo_costs.pop(oldest)
    return found


def _parse_now(file: SourceFile) -> tuple[Block, list[ParseError]]:
    if file.rel.endswith(".json"):
        from nhilint.parse.hcl_json import parse_tf_json, tf_json_shape_errors
        from nhilint.parse.json import parse_json

        data = parse_json(file.text)
        if file.rel.endswith(".tfvars.json"):
            if not isinstance(data, LMap):
                raise ParseError("a .tfvars.json file must hold a JSON object")
            return Block("", [], data, [], NOWHERE, 1), []
        return parse_tf_json(data), tf_json_shape_errors(data)
    from nhilint.parse.hcl import parse_hcl

    return parse_hcl(file.text)
