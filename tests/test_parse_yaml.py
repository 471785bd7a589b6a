"""The YAML parser: positions in real documents, YAML 1.2 scalars, tag tables (checked against
cfn-lint's decoder), merge keys, duplicate keys, and hostile input."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest

from nhilint.parse import ParseError
from nhilint.parse.tree import LMap, LSeq, Pos, Tagged
from nhilint.parse.yaml import DuplicateKey, load_plain, parse_yaml, parse_yaml_with_duplicates

DATA = Path(__file__).parent / "data" / "yaml"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load(name: str, tags: str = "none") -> list[Any]:
    return parse_yaml((DATA / name).read_text(encoding="utf-8"), tags)


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing `needle` (so tests don't hard-code numbers)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def at(path: Path, needle: str, token: str | None = None) -> Pos:
    """Where `token` (default: `needle`) starts on the first line containing `needle`."""
    number = line_of(path, needle)
    line = path.read_text(encoding="utf-8").splitlines()[number - 1]
    return Pos(number, line.index(token or needle) + 1)


# --- realistic documents -----------------------------------------------------------------------


def test_kubernetes_stream_documents_and_positions() -> None:
    path = DATA / "k8s_stream.yaml"
    sa, deployment, service, listing = load("k8s_stream.yaml")
    assert [doc["kind"] for doc in (sa, deployment, service, listing)] == [
        "ServiceAccount",
        "Deployment",
        "Service",
        "List",
    ]
    assert sa.pos == Pos(2, 1)
    assert sa["automountServiceAccountToken"] is False
    assert sa.kpos("automountServiceAccountToken") == Pos(line_of(path, "automountServiceAccountToken"), 1)
    assert sa["metadata"].vpos("name") == Pos(5, 9)

    pod = deployment["spec"]["template"]["spec"]
    assert pod.kpos("serviceAccountName") == Pos(line_of(path, "serviceAccountName: payments"), 7)
    container = pod["containers"][0]
    assert pod["containers"].ipos(0) == Pos(line_of(path, "- name: api"), 11)
    assert container.pos == Pos(line_of(path, "- name: api"), 11)
    env = container["env"]
    assert env[0] == {"name": "FEATURE_FLAG", "value": "on"}  # YAML 1.2: `on` is a string
    secret_ref = env[1]["valueFrom"]["secretKeyRef"]
    assert secret_ref.vpos("key") == at(path, "key: password", "password")
    assert deployment["metadata"]["labels"] == {"app": "payments", "owner": "team-pay"}
    assert deployment["metadata"]["labels"].vpos("owner") == at(path, "labels: {app", "team-pay")
    assert deployment.end_line == line_of(path, "key: password")
    assert service["spec"]["ports"][0]["port"] == 443

    items = listing["items"]
    assert isinstance(items, LSeq)
    assert [item["kind"] for item in items] == ["Role", "RoleBinding"]
    assert items.ipos(1) == Pos(line_of(path, "kind: RoleBinding") - 1, 5)
    assert items[0]["rules"][0]["verbs"] == ["get", "list"]
    assert items[0]["rules"][0]["verbs"].ipos(1) == at(path, 'verbs: ["get"', '"list"')


def test_github_workflow_on_key_and_permissions() -> None:
    path = DATA / "github_workflow.yml"
    (workflow,) = load("github_workflow.yml")
    assert list(workflow) == ["name", "on", "permissions", "jobs"]
    assert workflow.kpos("on") == Pos(3, 1)
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["on"]["workflow_dispatch"] is None
    permissions = workflow["permissions"]
    assert permissions == {"id-token": "write", "contents": "read"}
    assert permissions.kpos("id-token") == Pos(line_of(path, "id-token: write"), 3)
    assert permissions.vpos("id-token") == Pos(line_of(path, "id-token: write"), 13)
    steps = workflow["jobs"]["deploy"]["steps"]
    assert steps.ipos(1) == at(path, "- name: Configure AWS", "name:")  # an item starts at its first key
    assert steps[1]["with"]["role-to-assume"] == "arn:aws:iam::123456789012:role/gha-deploy"
    assert steps[2]["run"].startswith("aws cloudformation deploy \\\n")
    assert steps[2]["env"] == {"DRY_RUN": "no", "EXPIRES": "2025-01-01"}
    assert steps.end_line == line_of(path, "EXPIRES:")


def test_gitlab_ci_anchors_merges_and_reference() -> None:
    path = DATA / "gitlab_ci.yml"
    (ci,) = load("gitlab_ci.yml", tags="gitlab")
    build = ci["build"]
    assert build == {
        "image": "python:3.12",
        "tags": ["docker"],
        "retry": 2,
        "stage": "build",
        "script": [Tagged("!reference", [".setup", "script"]), "python -m build"],
    }
    # merged keys point at the anchor, where a human would change them
    assert build.kpos("image") == Pos(line_of(path, "image: python"), 3)
    assert build.kpos("stage") == Pos(line_of(path, "stage: build"), 3)
    reference = build["script"][0]
    assert isinstance(reference.value, LSeq)
    assert build["script"].ipos(0) == Pos(line_of(path, "!reference"), 7)

    deploy = ci["deploy"]
    assert deploy["retry"] == 0  # written in the job: wins over the merged default
    assert deploy.kpos("retry") == Pos(line_of(path, "retry: 0"), 3)
    assert deploy["id_tokens"]["AWS_TOKEN"]["aud"] == "https://gitlab.example.com"
    assert deploy["variables"] == {"AWS_REGION": "eu-west-1"}
    assert deploy["tags"] == ["docker"]
    assert deploy["rules"][0]["when"] == "on_success"
    assert deploy.end_line == line_of(path, "when: on_success")
    assert ci["build"]["tags"] is ci[".defaults"]["tags"]  # an alias shares its anchor's object


def test_cloudformation_short_tags() -> None:
    path = DATA / "cfn_all_tags.yaml"
    (template,) = load("cfn_all_tags.yaml", tags="cloudformation")
    conditions = template["Conditions"]
    assert conditions["IsProd"] == {"Fn::Equals": [{"Ref": "Env"}, "prod"]}
    assert conditions["IsDev"] == {"Fn::Not": [{"Condition": "IsProd"}]}
    assert conditions["IsBoth"]["Fn::And"][1] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}

    role = template["Resources"]["AppRole"]["Properties"]
    assert role["RoleName"] == {"Fn::Sub": "${AWS::StackName}-app"}
    assert role["RoleName"].pos == Pos(line_of(path, "RoleName: !Sub"), 17)
    resource = role["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"]
    assert resource == {
        "Fn::Sub": [
            "arn:${AWS::Partition}:s3:::${Bucket}/*",
            {"Bucket": {"Fn::ImportValue": {"Fn::Sub": "${SharedBucket}-name"}}},
        ]
    }
    assert role["Tags"][0]["Value"] == {
        "Fn::Join": ["-", ["team", {"Fn::Select": [0, {"Fn::Split": [",", "platform,core"]}]}]]
    }
    assert role["Tags"][1]["Value"] == "2026-06-30"  # timestamps stay strings

    instance = template["Resources"]["Instance"]["Properties"]
    arn = instance["Tags"][0]["Value"]
    assert arn == {"Fn::GetAtt": ["AppRole", "Arn"]}
    assert arn.pos == Pos(line_of(path, "Value: !GetAtt AppRole.Arn"), 18)
    assert arn["Fn::GetAtt"].ipos(1) == arn.pos
    assert instance["Tags"][1]["Value"] == {"Fn::GetAtt": ["AppRole", "RoleId"]}
    assert instance["AvailabilityZone"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert instance["ImageId"] == {"Fn::FindInMap": ["RegionMap", {"Ref": "AWS::Region"}, "Ami"]}
    assert instance["UserData"] == {"Fn::Base64": '#!/bin/bash\necho "role is ready"\n'}
    subnet = template["Resources"]["Subnet"]["Properties"]
    assert subnet["CidrBlock"] == {"Fn::Select": [0, {"Fn::Cidr": [{"Ref": "VpcCidr"}, 4, 8]}]}
    assert subnet["MapPublicIpOnLaunch"] == {"Fn::If": ["IsDev", True, False]}
    bucket = template["Resources"]["Macro"]["Properties"]["BucketName"]
    assert bucket == {"Fn::Transform": {"Name": "Uppercase", "Parameters": {"Value": {"Ref": "Env"}}}}


def test_unknown_tags_stay_tagged_in_every_table() -> None:
    text = "a: !Foo bar\nb: !!binary aGVsbG8=\nc: !Ref x\nd: !<tag:example.com,2000:app> [1]\n"
    for table in ("none", "gitlab", "cloudformation"):
        (doc,) = parse_yaml(text, table)
        assert doc["a"] == Tagged("!Foo", "bar")
        assert doc["b"] == Tagged("!!binary", "aGVsbG8=")
        assert doc["d"] == Tagged("tag:example.com,2000:app", [1])
    assert parse_yaml(text, "none")[0]["c"] == Tagged("!Ref", "x")
    assert parse_yaml(text, "cloudformation")[0]["c"] == {"Ref": "x"}


# --- differential: cfn-lint's decoder ----------------------------------------------------------


def plain(value: Any) -> Any:
    """Both decoders' output as plain data; scalars keep their type so True != 1.

    cfn-lint reads YAML 1.1, so an unquoted date is a datetime.date there and a string here: the
    only difference normalised."""
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    assert not isinstance(value, Tagged), value
    return (type(value).__name__, value)


CFN_DATA = sorted(DATA.glob("cfn_*.yaml")) + sorted(DATA.glob("sam_*.yaml"))


def is_cloudformation(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    return "AWSTemplateFormatVersion" in text or re.search(r"^Resources:", text, re.MULTILINE) is not None


CFN_FIXTURES = sorted(
    path
    for path in FIXTURES.rglob("*")
    if path.suffix in (".yaml", ".yml", ".template") and is_cloudformation(path)
)


@pytest.mark.parametrize("path", CFN_DATA + CFN_FIXTURES, ids=lambda p: p.name)
def test_cloudformation_matches_cfn_lint(path: Path) -> None:
    from cfnlint.decode import cfn_yaml

    text = path.read_text(encoding="utf-8")
    (ours,) = parse_yaml(text, tags="cloudformation")
    assert plain(ours) == plain(cfn_yaml.loads(text, str(path)))


def test_differential_inputs_exist() -> None:
    assert len(CFN_DATA) >= 2  # the fixtures may not exist yet; our own templates must


# --- scalars -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on", "on"),
        ("off", "off"),
        ("yes", "yes"),
        ("No", "No"),
        ("y", "y"),
        ("n", "n"),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("tRUE", "tRUE"),
        ("'true'", "true"),
        ("~", None),
        ("null", None),
        ("", None),
        ("0777", 777),
        ("0o17", 15),
        ("0x1F", 31),
        ("-12", -12),
        ("+3", 3),
        ("1:20", "1:20"),
        ("1_000", "1_000"),
        ("1e3", 1000.0),
        ("-.5", -0.5),
        ("1.", 1.0),
        (".inf", float("inf")),
        ("-.Inf", float("-inf")),
        ("2025-01-01", "2025-01-01"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("=", "="),
        ("<<", "<<"),
        ("!!str 1", "1"),
        ("!!int '42'", 42),
        ("!!float 1", 1.0),
        ("!!bool true", True),
        ("!!null ''", None),
        ('"\\u00e9"', "é"),
    ],
)
def test_yaml_1_2_core_scalars(text: str, expected: Any) -> None:
    (doc,) = parse_yaml(f"v: {text}\n")
    assert doc["v"] == expected
    assert type(doc["v"]) is type(expected)
    assert load_plain(f"v: {text}\n") == {"v": expected}


def test_non_specific_tag_makes_a_string() -> None:
    # the YAML spec's `!`: "12" stays a string (PyYAML's own constructor would make it 12)
    assert parse_yaml("v: ! 12\n") == [{"v": "12"}]


def test_nan() -> None:
    value = parse_yaml("v: .nan\n")[0]["v"]
    assert value != value


def test_bad_explicit_scalar_tag() -> None:
    with pytest.raises(ParseError) as error:
        parse_yaml("a: 1\nb: !!int nope\n")
    assert (error.value.line, error.value.col) == (2, 4)


MERGES = """\
defaults: &defaults
  retry: 2
  when: on_success
job:
  <<: *defaults
  retry: 0
  released: 2024-05-01
"""


@pytest.mark.parametrize("text", [(DATA / "github_workflow.yml").read_text(encoding="utf-8"), MERGES])
def test_load_plain_agrees_with_parse_yaml(text: str) -> None:
    loaded = load_plain(text)
    assert type(loaded) is dict
    assert loaded == parse_yaml(text)[0]


def test_load_plain_errors() -> None:
    with pytest.raises(ParseError) as error:
        load_plain("a: 1\n  b: 2\n")
    assert error.value.line == 2


# --- structure ---------------------------------------------------------------------------------


def test_empty_streams() -> None:
    assert parse_yaml("") == []
    assert parse_yaml("# only a comment\n") == []
    assert parse_yaml("---\n") == [None]
    assert parse_yaml("--- 3\n--- x\n") == [3, "x"]


def test_flow_collection_end_line() -> None:
    (doc,) = parse_yaml("a: [1,\n  2,\n  3\n]\nb: 1\n")
    assert doc["a"].end_line == 4
    assert doc.end_line == 5


def test_merge_precedence() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  w: 0\n  <<: [*a, *b]\n  y: 3\n"
    (doc,) = parse_yaml(text)
    assert doc["c"] == {"x": 1, "y": 3, "z": 2, "w": 0}
    assert doc["c"].kpos("x") == Pos(1, 8)
    assert doc["c"].kpos("y") == Pos(6, 3)


def test_quoted_merge_key_is_a_plain_key() -> None:
    (doc,) = parse_yaml("a: &a {x: 1}\nb:\n  '<<': *a\n")
    assert doc["b"] == {"<<": {"x": 1}}


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("a: &a 1\nb:\n  <<: *a\n", "merge", 3),
        ("a: *nowhere\n", "undefined alias", 1),
        ("a: &x [1, *x]\n", "recursive alias", 1),
        ("? [a, b]\n: 1\n", "cannot be a mapping key", 1),
        ("{a: 1}: 2\n", "cannot be a mapping key", 1),
    ],
)
def test_structure_errors(text: str, reason: str, line: int) -> None:
    with pytest.raises(ParseError) as error:
        parse_yaml(text)
    assert reason in error.value.reason
    assert error.value.line == line


def test_duplicate_keys_are_recorded_and_the_last_wins() -> None:
    text = "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n---\nx: 1\nx: 2\n"
    docs, duplicates = parse_yaml_with_duplicates(text)
    assert docs == [{"a": 3, "b": {"c": 2}}, {"x": 2}]
    assert docs[0].kpos("a") == Pos(5, 1)
    assert duplicates == [
        DuplicateKey("c", Pos(4, 3), Pos(3, 3), 0),
        DuplicateKey("a", Pos(5, 1), Pos(1, 1), 0),
        DuplicateKey("x", Pos(8, 1), Pos(7, 1), 1),
    ]


def test_merged_keys_are_not_duplicates() -> None:
    _, duplicates = parse_yaml_with_duplicates((DATA / "gitlab_ci.yml").read_text(), "gitlab")
    assert duplicates == []


def test_many_merges_of_a_template_are_not_an_alias_bomb() -> None:
    template = "".join(f"  key{i}: value{i}\n" for i in range(40))
    jobs = "".join(f"job{i}:\n  <<: *defaults\n  stage: test\n" for i in range(500))
    (doc,) = parse_yaml(f".defaults: &defaults\n{template}{jobs}")
    assert doc["job499"]["key39"] == "value39"
    assert doc["job499"]["stage"] == "test"


# --- line endings and encodings ----------------------------------------------------------------


def test_crlf_positions_match_lf() -> None:
    text = (DATA / "github_workflow.yml").read_text(encoding="utf-8")
    (lf,) = parse_yaml(text)
    (crlf,) = parse_yaml(text.replace("\n", "\r\n"))
    assert crlf == lf
    assert crlf["permissions"].key_pos == lf["permissions"].key_pos
    assert crlf["jobs"]["deploy"]["steps"].item_pos == lf["jobs"]["deploy"]["steps"].item_pos


def test_bom_is_not_part_of_the_first_key() -> None:
    (doc,) = parse_yaml("\ufeffapiVersion: v1\nkind: Pod\n")
    assert list(doc) == ["apiVersion", "kind"]
    assert doc.kpos("apiVersion") == Pos(1, 1)


def test_tabs() -> None:
    (doc,) = parse_yaml("a:\tb\nc: [1,\t2]\nd: 'x\ty'\n")
    assert doc == {"a": "b", "c": [1, 2], "d": "x\ty"}
    with pytest.raises(ParseError) as error:
        parse_yaml("a:\n\tb: 1\n")
    assert error.value.line == 2


def test_columns_count_characters_not_bytes() -> None:
    (doc,) = parse_yaml("clé: été\nb: 1\n")
    assert doc.vpos("clé") == Pos(1, 6)


# --- hostile and invalid input -----------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

MAPPING_LAUGHS = "".join(
    f"l{n}: &l{n} {{{', '.join(f'k{k}: *l{n - 1}' for k in range(10))}}}\n" for n in range(1, 10)
)


@pytest.mark.parametrize("text", [BILLION_LAUGHS, "l0: &l0 x\n" + MAPPING_LAUGHS])
def test_alias_bomb_is_rejected(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_yaml(text)
    assert "alias" in error.value.reason
    assert error.value.line > 1


@pytest.mark.parametrize("depth", [600, 10_000, 300_000])
def test_deep_nesting_is_a_parse_error(depth: int) -> None:
    # 300,000 nested `[` crash PyYAML's C composer (SIGSEGV); the event builder stops at MAX_DEPTH. Which
    # guard fires first (ours or a newer PyYAML's own) and its wording may vary: the behaviour is a
    # ParseError that points inside the nesting.
    with pytest.raises(ParseError) as error:
        parse_yaml("a: " + "[" * depth + "]" * depth)
    assert error.value.line == 1 and 4 <= error.value.col <= 4 + depth
    assert error.value.reason


def test_deep_block_nesting_is_a_parse_error() -> None:
    text = "".join(" " * level + f"k{level}:\n" for level in range(600))
    with pytest.raises(ParseError):
        parse_yaml(text)


def test_python_object_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'a: !!python/object/apply:os.system ["touch {marker}"]\nb: !!python/name:os.system\n'
    (doc,) = parse_yaml(text)
    assert doc["a"] == Tagged("!!python/object/apply:os.system", [f"touch {marker}"])
    assert doc["b"] == Tagged("!!python/name:os.system", "")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3, 2),  # unclosed flow sequence
        ("a: 1\n b: 2\n", 2, 3),  # bad indentation
        ('a: "open\nb: 2\n', 3, 1),  # unterminated quote
        ("a: 1\n- b\n", 2, 1),  # a sequence item inside a mapping
        ("a: ok\nb: \x01\n", 2, 4),  # a control character
        ("clé: été\nb: \x01\n", 2, 4),  # ... after multi-byte characters
        ("a: @x\n", 1, 4),  # a reserved indicator
    ],
)
def test_invalid_documents_report_the_right_line(text: str, line: int, col: int) -> None:
    with pytest.raises(ParseError) as error:
        parse_yaml(text)
    assert (error.value.line, error.value.col) == (line, col)
    assert error.value.reason


def test_error_in_a_later_document() -> None:
    with pytest.raises(ParseError) as error:
        parse_yaml("a: 1\n---\nb: 2\n---\nc: [\n")
    assert error.value.line == 6


def test_unknown_tag_table() -> None:
    with pytest.raises(KeyError):
        parse_yaml("a: 1", tags="ansible")


def test_result_types() -> None:
    (doc,) = parse_yaml("a: [1]\nb: {c: d}\n")
    assert type(doc) is LMap
    assert type(doc["a"]) is LSeq
    assert type(doc["b"]) is LMap
