"""The hostile-input corpus: files a pull request can hold, built at test time (nothing big is committed).

`build(root)` writes every case under `root` and returns what the scan must say about each file:
"NHI001" (reported as unreadable, with the reason's key words), "skip" (no finding at all) or a
rule ID proving the file was still read correctly despite its oddity.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
FAKE_KEY = "AKIAZ7Q2XW3ER4TY5UI6"  # pattern-valid, not a real key
LIMIT = 10_000


@dataclass(frozen=True)
class Expect:
    rule: str  # "NHI001", "skip", or the rule the file must still raise
    line: int = 1
    words: str = ""  # must appear in the NHI001 message


def _secret_tf(key: str = FAKE_KEY) -> str:
    return f'resource "aws_iam_access_key" "k" {{\n  user = "ci"\n}}\n\nlocals {{\n  aws_key = "{key}"\n}}\n'


def _alias_bomb() -> str:
    """Billion laughs: 10 levels of ten aliases each, 10^10 nodes if expanded."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", "data:", '  a0: &a0 ["lol"]']
    lines += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def _alias_chain(depth: int = LIMIT) -> str:
    """Each anchor wraps the previous one: shallow text, a 10,000-deep tree once aliases resolve."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: chain}", "data:", "  c0: &c0 x"]
    lines += [f"  c{i}: &c{i} [*c{i - 1}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


def _tf_map_fanout(levels: int = 16) -> str:
    """Maps holding the previous level four ways (and a `merge()` of it): 4^16 nodes once resolved."""
    lines = ["locals {", '  m0 = { owner = "team" }']
    for i in range(1, levels):
        m = f"local.m{i - 1}"
        lines.append(f"  m{i} = {{ a = {m}, b = {m}, c = {m}, d = merge({m}, {m}) }}")
    return (
        "\n".join([*lines, "}", f'resource "aws_iam_role" "r" {{\n  tags = local.m{levels - 1}\n}}']) + "\n"
    )


def _tf_locals_fanout(levels: int = 24) -> str:
    """Lists naming the previous level four times: 4^24 actions if rendered naively."""
    lines = ["locals {", '  l0 = ["*"]']
    lines += [
        f"  l{i} = [local.l{i - 1}, local.l{i - 1}, local.l{i - 1}, local.l{i - 1}]" for i in range(1, levels)
    ]
    policy = f'{{ Statement = [{{ Effect = "Allow", Action = local.l{levels - 1}, Resource = "*" }}] }}'
    return (
        "\n".join([*lines, "}", f'resource "aws_iam_policy" "p" {{\n  policy = jsonencode({policy})\n}}'])
        + "\n"
    )


def _cfn_if_chain(levels: int = 30) -> str:
    """Parameter defaults that are `Fn::If`s of the previous parameter, both ways: 2^30 strings."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Parameters:", "  P0: {Type: String, Default: '*'}"]
    lines += [
        f"  P{i}: {{Type: String, Default: !If [C, !Ref P{i - 1}, !Ref P{i - 1}]}}" for i in range(1, levels)
    ]
    lines += [
        "Resources:",
        "  Role:",
        "    Type: AWS::IAM::Role",
        "    Properties:",
        "      Policies:",
        "        - PolicyName: p",
        "          PolicyDocument:",
        f"            Statement: [{{Effect: Allow, Action: !Ref P{levels - 1}, Resource: '*'}}]",
    ]
    return "\n".join(lines) + "\n"


def _gitlab_extends_fanout(templates: int = 24) -> str:
    """Every template extends all earlier ones: 2^24 merges without memoisation."""
    lines = [".t0:", "  variables:", f"    AWS_ACCESS_KEY_ID: {FAKE_KEY}"]
    for i in range(1, templates):
        lines += [f".t{i}:", f"  extends: [{', '.join(f'.t{j}' for j in range(i))}]"]
    return "\n".join([*lines, "deploy:", f"  extends: .t{templates - 1}", "  script: [make]"]) + "\n"


def _gitlab_reference_fanout(levels: int = 10, ways: int = 8) -> str:
    """Each script references the previous one eight times: 8^9 script lines once expanded."""
    lines = [".t0:", "  script: [aws sts get-session-token --duration-seconds 129600]"]
    for i in range(1, levels):
        lines += [f".t{i}:", f"  script: [{', '.join([f'!reference [.t{i - 1}, script]'] * ways)}]"]
    return "\n".join([*lines, "deploy:", f"  script: [!reference [.t{levels - 1}, script]]"]) + "\n"


def _backtracking_values(size: int = 200_000) -> str:
    """Runs of what a detector's repeated group accepts without the end it needs: each pattern used
    to rescan the rest of the run from every start (hours at this size), then a real secret."""
    values = {
        "cred": "key" * (size // 3),  # credential name, never `=`
        "jwt": "eyJ-" * (size // 4),  # JWT segments, never `.`
        "scheme": "a." * (size // 2),  # URL scheme, never `://`
        "template": "{{" * (size // 2),  # `{{ ... }}`, never closed
        "interpolation": "#{" * (size // 2),
    }
    body = "".join(f'  {name} = "{value}"\n' for name, value in values.items())
    return f'locals {{\n{body}  db = "postgres://app:Zq8#vLx2Pm4w@db.internal.example.com/app"\n}}\n'


def build(root: Path, outside: Path) -> dict[str, Expect]:
    """Write the corpus under `root` (and a decoy secret under `outside`, which must never be read)."""
    text: dict[str, str] = {
        "good/main.tf": _secret_tf(),  # the control: the rest of the scan must stay intact
        "yaml/bomb.yaml": _alias_bomb(),
        "yaml/chain.yaml": _alias_chain(),
        "yaml/deep.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * LIMIT + "]" * LIMIT + "\n",
        "yaml/deep-block.yaml": "apiVersion: v1\nkind: ConfigMap\ndata:\n"
        + "".join(" " * (i + 2) + f"k{i}:\n" for i in range(2000)),
        "json/deep.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": '
        + "[" * LIMIT
        + "]" * LIMIT
        + "}\n",
        "hcl/deep/main.tf": "locals {\n  x = " + "[" * LIMIT + "]" * LIMIT + "\n}\n",
        "hcl/deep-blocks/main.tf": "a {\n" * LIMIT + "}\n" * LIMIT,
        "hcl/deep-calls/main.tf": "locals {\n  x = " + "f(" * LIMIT + "1" + ")" * LIMIT + "\n}\n",
        "yaml/tabs.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n",
        "yaml/dupes.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nmetadata:\n  name: s\n"
        f"stringData:\n  aws_key: {FAKE_KEY}\n",
        "yaml/tags.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: !Custom {name: t}\n"
        f"data: !!binary aGVsbG8=\nother: !Whatever [1, 2]\nkey: !Secret {FAKE_KEY}\n",
        "yaml/python.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n"
        "a: !!python/object/apply:os.system ['touch {marker}']\n"
        "b: !!python/object/new:subprocess.check_output [['touch', '{marker}']]\n"
        "c: !!python/name:os.system\n"
        "d: !!python/object:__main__.Evil {x: 1}\n",
        "hcl/heredoc/main.tf": _secret_tf() + '\nlocals {\n  policy = <<EOT\n{"a": 1}\n',
        "hcl/string/main.tf": _secret_tf() + '\nresource "aws_iam_user" "u" {\n  name = "ci\n}\n',
        "json/trailing.json": '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n'
        '  "Resources": {"A": {},},\n}\n',
        "json/dupes.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {},\n "Resources": {}}\n',
        "outside-links/README.md": "symlinks below point out of the tree\n",
        "fanout/map/main.tf": _tf_map_fanout(),
        "fanout/locals/main.tf": _tf_locals_fanout(),
        "fanout/cfn-if.yaml": _cfn_if_chain(),
        "fanout/extends/.gitlab-ci.yml": _gitlab_extends_fanout(),
        "fanout/reference/.gitlab-ci.yml": _gitlab_reference_fanout(),
        "fanout/reference-short/.gitlab-ci.yml": _gitlab_reference_fanout(levels=6, ways=4),
        "numbers/.gitlab-ci.yml": f"include: {'9' * 5000}\nvariables:\n  AWS_ACCESS_KEY_ID: {FAKE_KEY}\n",
        "regex/main.tf": _backtracking_values(),
    }
    expect = {
        "good/main.tf": Expect("NHI101", 6),
        "yaml/bomb.yaml": Expect("NHI001", 10, "alias bomb"),
        "yaml/chain.yaml": Expect("NHI001", 452, "alias bomb"),
        "yaml/deep.yaml": Expect("NHI001", 3),  # the line is the behaviour; the wording is PyYAML's
        "yaml/deep-block.yaml": Expect("NHI001", 503, "nested deeper"),
        "json/deep.json": Expect("NHI001", 1, "nested"),
        "hcl/deep/main.tf": Expect("NHI001", 1, "nested"),
        "hcl/deep-blocks/main.tf": Expect("NHI001", 1, "nested"),
        "hcl/deep-calls/main.tf": Expect("NHI001", 1, "nested"),
        "yaml/tabs.yaml": Expect("NHI001", 4),
        "yaml/dupes.yaml": Expect("NHI101", 8),
        "yaml/tags.yaml": Expect("NHI101", 6),  # a tag hides nothing
        "yaml/python.yaml": Expect("skip"),
        "hcl/heredoc/main.tf": Expect("NHI001", 10, "heredoc"),
        "hcl/string/main.tf": Expect("NHI001", 10, "string"),
        "json/trailing.json": Expect("NHI001", 3, "property name"),
        "json/dupes.json": Expect("skip"),
        # exponential fan-outs: too complex to resolve, or (memoised, distinct values) read normally
        "fanout/map/main.tf": Expect("NHI001", 1, "too complex to resolve"),
        "fanout/locals/main.tf": Expect("NHI201", 28),
        "fanout/cfn-if.yaml": Expect("NHI201", 40),
        "fanout/extends/.gitlab-ci.yml": Expect("NHI103", 3),
        "fanout/reference/.gitlab-ci.yml": Expect("NHI001", 1, "too complex to resolve"),
        "fanout/reference-short/.gitlab-ci.yml": Expect("NHI303", 2),
        "numbers/.gitlab-ci.yml": Expect("NHI101", 3),  # a 5,000-digit number is text, not a crash
        "regex/main.tf": Expect("NHI101", 7),  # linear detectors, no cap: the secret after them is found
    }
    marker = root.parent / "PWNED"
    for rel, body in text.items():
        _write(root / rel, body.replace("{marker}", str(marker)).encode())

    raw: dict[str, tuple[bytes, Expect]] = {
        "bin/main.tf": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 16, Expect("NHI001", 1, "binary")),
        "bin/blob.yaml": (b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 16, Expect("skip")),
        "enc/latin1/main.tf": (b'locals {\n  name = "caf\xe9"\n}\n', Expect("NHI001", 1, "UTF-8")),
        "enc/utf16le/main.tf": (_secret_tf().encode("utf-16"), Expect("NHI101", 6)),
        "enc/utf16be.yaml": (
            (
                "\ufeffapiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
                f"stringData:\n  aws_key: {FAKE_KEY}\n"
            ).encode("utf-16-be"),
            Expect("NHI101", 6),
        ),
        "enc/crlf/main.tf": (_secret_tf().replace("\n", "\r\n").encode(), Expect("NHI101", 6)),
        "enc/tabs/main.tf": (_secret_tf().replace("  ", "\t").encode(), Expect("NHI101", 6)),
        "enc/crlf.yaml": (
            "apiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: s\r\n"
            f"stringData:\r\n  aws_key: {FAKE_KEY}\r\n".encode(),
            Expect("NHI101", 6),
        ),
    }
    for rel, (data, exp) in raw.items():
        _write(root / rel, data)
        expect[rel] = exp

    big = root / "big" / "template.yaml"  # sparse: 50 MB on paper, nothing on disk
    _write(big, b"AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")
    with big.open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)
    expect["big/template.yaml"] = Expect("NHI001", 1, "max-file-size")

    _write(outside / "main.tf", _secret_tf().encode())
    links = root / "outside-links"
    (links / "escape.tf").symlink_to(outside / "main.tf")
    (links / "escape-dir").symlink_to(outside, target_is_directory=True)
    (links / "loop.tf").symlink_to(links / "loop.tf")
    (links / "loop-dir").symlink_to(links, target_is_directory=True)
    (links / "dangling.yaml").symlink_to(root / "nowhere.yaml")
    os.mkfifo(links / "pipe.tf")  # a FIFO: opening it to read would block forever
    (links / "dir.tf").mkdir()  # a directory with an IaC name
    return expect


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
