"""The HCL parser: positions, values (checked against python-hcl2), error recovery, JSON syntax."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from nhilint.parse.hcl import parse_hcl
from nhilint.parse.hcl_json import parse_tf_json
from nhilint.parse.tree import Block, Call, Expr, LMap, LSeq, Pos

from .conftest import FIXTURES

DATA = Path(__file__).parent / "data" / "hcl"
NATIVE_FILES = sorted(p for p in DATA.iterdir() if p.suffix in (".tf", ".tfvars"))
FIXTURE_FILES = sorted(FIXTURES.rglob("*.tf"))


def load(name: str) -> Block:
    root, errors = parse_hcl((DATA / name).read_text())
    assert errors == []
    return root


def find(root: Block, type_: str, *labels: str) -> Block:
    return next(b for b in root.blocks if b.type == type_ and tuple(b.labels) == labels)


# -- positions ------------------------------------------------------------------------------------


def test_blocks_and_attributes_carry_their_lines_and_columns() -> None:
    root = load("iam_role.tf")
    role = find(root, "resource", "aws_iam_role", "deploy")
    assert (role.pos, role.end_line) == (Pos(2, 1), 28)
    assert role.attrs.pos == role.pos
    assert role.attrs.kpos("max_session_duration") == Pos(4, 3)
    assert role.attrs.vpos("max_session_duration") == Pos(4, 26)
    key = find(root, "resource", "aws_iam_access_key", "legacy")
    assert (key.pos, key.end_line) == (Pos(47, 1), 51)


def test_jsonencode_policy_keeps_positions_of_every_key_and_item() -> None:
    role = find(load("iam_role.tf"), "resource", "aws_iam_role", "deploy")
    policy = role.attrs["assume_role_policy"]
    assert isinstance(policy, Call) and policy.name == "jsonencode"
    doc = policy.args[0]
    assert isinstance(doc, LMap) and doc.pos == Pos(7, 35) and doc.end_line == 23
    statements = doc["Statement"]
    assert isinstance(statements, LSeq) and statements.ipos(0) == Pos(10, 7)
    statement = statements[0]
    assert statement.kpos("Action") == Pos(15, 9) and statement.vpos("Action") == Pos(15, 18)
    condition = statement["Condition"]["StringLike"]
    assert condition.kpos("token.actions.githubusercontent.com:sub") == Pos(18, 13)
    assert condition["token.actions.githubusercontent.com:sub"] == "repo:acme/infra:*"
    assert statement["Principal"]["Federated"] == Expr(
        "aws_iam_openid_connect_provider.github.arn", ("aws_iam_openid_connect_provider.github.arn",)
    )


def test_nested_blocks_keep_order_and_positions() -> None:
    doc = find(load("policy_document.tf"), "data", "aws_iam_policy_document", "assume")
    first, second = doc.children("statement")
    assert (first.pos, first.end_line, second.pos) == (Pos(2, 3), 17, Pos(19, 3))
    principals = first.child("principals")
    assert principals is not None and principals.pos == Pos(7, 5)
    assert principals.attrs["identifiers"].ipos(0) == Pos(9, 22)
    assert second.attrs["not_actions"].item_pos == [Pos(22, 7), Pos(23, 7)]


def test_columns_count_characters_not_bytes() -> None:
    root, _ = parse_hcl('tags = { "Zürich→東京" = "🚀", team = "x" }\n')
    assert root.attrs["tags"].kpos("team") == Pos(1, 29)


def test_dynamic_block_is_a_block_with_content() -> None:
    group = find(load("providers.tf"), "resource", "aws_security_group", "web")
    dynamic = group.child("dynamic")
    assert dynamic is not None and dynamic.labels == ["ingress"] and dynamic.pos == Pos(77, 3)
    content = dynamic.child("content")
    assert content is not None and content.attrs["from_port"] == Expr("port.value", ("port.value",))
    assert [b.type for b in group.blocks] == ["dynamic", "lifecycle"]


# -- values ---------------------------------------------------------------------------------------


def test_literals_escapes_and_unicode() -> None:
    local = find(load("variables.tf"), "locals").attrs
    assert local["escapes"] == 'tab\there "quoted" back\\slash été'
    assert local["unicode"] == "Zürich → 東京 🚀"
    assert local["literal"] == "cost is ${price} and 100%% sure, %{not a directive}"
    assert (local["negative"], local["big"]) == (-42, 1e6)
    assert find(load("variables.tf"), "variable", "ratio").attrs["default"] == 0.75


def test_heredoc_policies_are_their_exact_body() -> None:
    root = load("policy_document.tf")
    plain = find(root, "resource", "aws_iam_policy", "app").attrs["policy"]
    assert plain.startswith('{\n  "Version"') and plain.endswith("}\n")
    assert json.loads(plain)["Statement"][0]["Action"] == ["s3:GetObject", "s3:ListBucket"]
    flush = find(root, "resource", "aws_iam_policy", "indented").attrs["policy"]
    assert flush.startswith('{\n  "Version"')
    assert json.loads(flush)["Statement"][0]["Action"] == "kms:Decrypt"


def test_interpolating_heredoc_is_an_expression() -> None:
    policy = find(load("policy_document.tf"), "resource", "aws_iam_policy", "templated").attrs["policy"]
    assert isinstance(policy, Expr) and policy.text.startswith("<<-EOT\n") and policy.text.endswith("EOT")
    assert policy.refs == ("aws_s3_bucket.data.arn",)


def test_templates_and_references() -> None:
    local = find(load("variables.tf"), "locals").attrs
    assert local["name_prefix"] == Expr('"acme-${var.env}"', ("var.env",))
    assert local["greeting"].refs == ("var.enabled", "local.name_prefix")
    assert local["first_admin"] == Expr("var.admins[0]", ("var.admins",))
    assert local["role_arns"].refs == ("aws_iam_role.workers",)
    # names bound by `for` are not references; what they iterate is
    assert local["sa_by_name"].refs == ("var.service_accounts",)
    merged = local["common_tags"]
    assert isinstance(merged, Call) and merged.name == "merge"
    assert merged.args[0] == Expr("var.extra_tags", ("var.extra_tags",))
    assert merged.args[1]["Environment"] == Expr("var.env", ("var.env",))


def test_expression_forms() -> None:
    root, errors = parse_hcl(
        textwrap.dedent("""\
            a = "x ${~ var.y ~} z"
            b = (var.k)
            c = { (var.k) = 1, "quoted key" = 2, colon: 3 }
            d = f(local.list...)
            e = 1e-3
            f = -0
            g = !var.enabled
            h = data.aws_iam_role.r[0].arn
            i = -inf
            """)
    )
    assert errors == []
    a = root.attrs
    assert a["a"] == Expr('"x ${~ var.y ~} z"', ("var.y",))
    assert a["b"] == Expr("(var.k)", ("var.k",))
    assert list(a["c"].items()) == [("(var.k)", 1), ("quoted key", 2), ("colon", 3)]
    assert a["d"] == Call("f", (Expr("local.list", ("local.list",)),), "f(local.list...)")
    assert (a["e"], a["f"]) == (0.001, 0)
    assert a["g"] == Expr("!var.enabled", ("var.enabled",))
    assert a["h"].refs == ("data.aws_iam_role.r",)
    assert a["i"] == Expr("-inf", ("inf",))


def test_tfvars_are_root_attributes() -> None:
    root = load("prod.tfvars")
    assert root.blocks == []
    assert root.attrs["service_accounts"]["ci"]["ttl"] == 900
    assert root.attrs.kpos("db_password") == Pos(16, 1)


def test_comments_are_ignored_everywhere() -> None:
    root, errors = parse_hcl("# a\n// b\n/* c\n d */ x = [1, /* two */ 2] // e\n")
    assert errors == [] and root.attrs["x"] == [1, 2]


# -- differential test against python-hcl2 --------------------------------------------------------
#
# Common form: python-hcl2's shape (explicit_blocks off, comments off, quotes stripped, heredocs
# preserved). A block is `{type: [{label: {label: body}}]}`; a literal string is kept with the
# template escapes `$${` / `%%{` written out (python-hcl2 does not decode those); a literal heredoc
# becomes its body (python-hcl2 gives `<<EOF...EOF`; `<<-` dedented with textwrap, independently of
# our parser); an expression compares equal to python-hcl2's `${...}` rendering once whitespace and
# quoting differences are dropped, since python-hcl2 re-formats expressions.


class SourceText:
    """One of our expressions; equal to a python-hcl2 string with the same squashed text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and squash(other) == squash(self.text)

    def __repr__(self) -> str:
        return f"SourceText({self.text!r})"


def squash(text: str) -> str:
    # python-hcl2 puts commas between newline-separated object items and escapes quotes in heredocs
    return re.sub(r"[\s,]+", "", text).replace('\\"', '"')


def ours_as_hcl2(block: Block) -> dict[str, Any]:
    out: dict[str, Any] = {k: value_as_hcl2(v) for k, v in block.attrs.items()}
    for child in block.blocks:
        node: Any = ours_as_hcl2(child)
        for label in reversed(child.labels):
            node = {label: node}
        out.setdefault(child.type, []).append(node)
    return out


def value_as_hcl2(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, LMap):
        return {f"${{{k}}}" if k.startswith("(") else k: value_as_hcl2(v) for k, v in value.items()}
    if isinstance(value, LSeq):
        return [value_as_hcl2(v) for v in value]
    if isinstance(value, Call):
        return SourceText(f"${{{value.text}}}")
    if isinstance(value, Expr):
        if value.text.startswith(("<<", '"')):  # a template: python-hcl2 shows it unwrapped
            return SourceText(value.text.strip('"'))
        if value.text.isidentifier():  # so is a bare keyword (`string`, `tags`)
            return SourceText(value.text)
        return SourceText(f"${{{value.text}}}")
    return value


HEREDOC = re.compile(r"<<(-?)([A-Za-z_][\w-]*)\n(.*\n)[ \t]*\2", re.DOTALL)


def hcl2_literal_heredocs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: hcl2_literal_heredocs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [hcl2_literal_heredocs(v) for v in value]
    match = HEREDOC.fullmatch(value) if isinstance(value, str) else None
    if match is None or re.search(r"(?<!\$)\$\{|(?<!%)%\{", match[3]):
        return value
    return textwrap.dedent(match[3]) if match[1] else match[3]


def hcl2_view(text: str) -> dict[str, Any]:
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(
        with_comments=False,
        explicit_blocks=False,
        strip_string_quotes=True,
        preserve_heredocs=True,
        preserve_scientific_notation=False,
    )
    return hcl2_literal_heredocs(hcl2.loads(text, serialization_options=options))


@pytest.mark.parametrize("path", NATIVE_FILES, ids=lambda p: p.name)
def test_values_match_python_hcl2(path: Path) -> None:
    text = path.read_text()
    root, errors = parse_hcl(text)
    assert errors == []
    assert ours_as_hcl2(root) == hcl2_view(text)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_values_match_python_hcl2(path: Path) -> None:
    text = path.read_text()
    try:
        expected = hcl2_view(text)
    except Exception as exc:  # python-hcl2 lacks some syntax (e.g. template strip markers `~`)
        pytest.skip(f"python-hcl2 cannot parse {path.relative_to(FIXTURES)}: {type(exc).__name__}")
    root, errors = parse_hcl(text)
    assert errors == []
    assert ours_as_hcl2(root) == expected


def test_differential_converter_notices_a_changed_value() -> None:
    text = (DATA / "providers.tf").read_text()
    root, _ = parse_hcl(text)
    find(root, "provider", "aws").child("assume_role").attrs["session_name"] = "other"  # type: ignore[union-attr]
    assert ours_as_hcl2(root) != hcl2_view(text)


# -- syntax errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason", "line", "kept"),
    [
        ("unterminated_string.tf", "unterminated string", 6, ("aws_iam_user", "ci")),
        ("missing_brace.tf", "unclosed block", 5, ("aws_iam_role", "app")),
        ("unterminated_heredoc.tf", "unterminated heredoc", 7, ("aws_iam_role", "ok")),
    ],
)
def test_broken_file_reports_the_error_and_keeps_what_parsed(
    name: str, reason: str, line: int, kept: tuple[str, str]
) -> None:
    root, errors = parse_hcl((DATA / "broken" / name).read_text())
    assert any(reason in e.reason and e.line == line for e in errors), [(e.line, e.reason) for e in errors]
    assert all(e.col >= 1 for e in errors)
    first = root.blocks[0]
    assert first.type in ("resource", "provider") and first.end_line == 3
    assert any(tuple(b.labels) == kept for b in root.blocks)


def test_unexpected_token_is_reported_at_its_position() -> None:
    root, errors = parse_hcl('resource "a" "b" {\n  x = 1\n}\n@@@\n')
    assert [(e.line, e.col) for e in errors] == [(4, 1)]
    assert "@@@" in errors[0].reason
    assert root.blocks[0].attrs["x"] == 1


def test_error_count_is_capped() -> None:
    _, errors = parse_hcl("".join(f'x{i} = "open\n' for i in range(20)))
    assert 1 <= len(errors) <= 5


# -- JSON syntax ----------------------------------------------------------------------------------


def test_tf_json_becomes_the_same_block_tree() -> None:
    root = parse_tf_json(json.loads((DATA / "main.tf.json").read_text()))
    assert "//" not in root.attrs
    assert [(b.type, b.labels) for b in root.children("provider")] == [("provider", ["aws"])] * 2
    role = find(root, "resource", "aws_iam_role", "fn")
    assert role.attrs["name"] == Expr("${local.prefix}-fn", ("local.prefix",))
    assert role.attrs["tags"] == {"Owner": "platform"}
    assert role.child("lifecycle") is not None
    locals_ = find(root, "locals").attrs
    assert locals_["price"] == "${not_interpolated}"
    doc = find(root, "data", "aws_iam_policy_document", "assume")
    statement = doc.children("statement")[0]
    assert statement.attrs["actions"] == ["sts:AssumeRole"]
    principals = statement.child("principals")
    assert principals is not None and principals.attrs["identifiers"] == ["lambda.amazonaws.com"]
    condition = statement.child("condition")
    assert condition is not None
    assert condition.attrs["values"][0].refs == ("data.aws_caller_identity.me.account_id",)
    assert find(root, "module", "ci").attrs["source"] == "./modules/ci"
    assert find(root, "output", "role").attrs["sensitive"] is True


def test_tf_json_keeps_positions_from_a_located_tree() -> None:
    body = LMap(Pos(3, 5), end_line=6)
    body.put("name", "fn-${var.env}", Pos(4, 7), Pos(4, 15))
    by_name = LMap(Pos(2, 3), end_line=7)
    by_name.put("fn", body, Pos(3, 5), Pos(3, 11))
    by_type = LMap(Pos(1, 15), end_line=8)
    by_type.put("aws_iam_role", by_name, Pos(2, 3), Pos(2, 19))
    doc = LMap(Pos(1, 1), end_line=9)
    doc.put("resource", by_type, Pos(1, 3), Pos(1, 15))
    role = parse_tf_json(doc).blocks[0]
    assert (role.labels, role.pos, role.end_line) == (["aws_iam_role", "fn"], Pos(3, 5), 6)
    assert role.attrs.kpos("name") == Pos(4, 7) and role.attrs.vpos("name") == Pos(4, 15)
    assert role.attrs["name"].refs == ("var.env",)


def test_a_stray_quote_never_turns_lines_into_labels() -> None:
    text = (
        'provider aws" {\n  region     = "eu-west-1"\n  access_key = "AKIAQ3EGRV2LMN4XWZP7"\n}\n\n'
        'resource "aws_db_instance "db" {\n  password = "Summer2024!x9Q"\n}\n'
    )
    root, errors = parse_hcl(text)
    (block,) = root.blocks
    assert block.labels == ["aws"]  # only the labels before the damage
    assert (errors[0].line, errors[0].col) == (1, 13)
    # what the quote swallowed is read again at its own lines, so NHI101 still sees the key
    assert block.attrs["access_key"] == "AKIAQ3EGRV2LMN4XWZP7"
    assert block.attrs.vpos("access_key") == Pos(3, 16)
    assert block.attrs.vpos("password") == Pos(7, 14)


def test_an_object_key_that_spans_lines_is_no_name() -> None:
    root, errors = parse_hcl(
        'locals {\n  m = {\n    "a\n    b" = "x"\n    (\n      var.k\n    ) = 1\n  }\n}\n'
    )
    assert list(root.blocks[0].attrs["m"]) == ["<key at line 3, column 5>", "( var.k )"]
    assert [e.line for e in errors] == [3]
