"""Time and memory of the real CLI on the hostile inputs of issue 14 (items 7 and 8), at growing sizes.

    python benchmarks/hostile.py [--scales 1,2,4] [--only NAME[,NAME]] [--timeout 120]

Each input is generated under a temporary directory and scanned by `python -m nhilint.cli scan DIR
--format json` in a fresh process; the script prints wall time, CPU time (user + system: what the
scan itself cost, steadier than wall time on a busy machine), peak RSS (both from `os.wait4`) and
the rule IDs reported, and whether they are what `EXPECTED` says. An input whose resolution really
grows exponentially must end as NHI001 "too complex" within the budget; one that resolution shares
(memoised) gives its normal findings at every scale; a file over the per-file budget of its parser
is NHI001 "too complex to read". Target: every input under 5 s and 500 MB. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

FAKE_KEY = "AKIAZ7Q2XW3ER4TY5UI6"


# --- exponential resolution (item 7); `n` is the number of levels --------------------------------


def tf_locals_fanout(n: int) -> dict[str, str]:
    """Lists of locals naming the previous level four times: 4^n actions if copied, but a policy's
    actions are a set and each list is rendered once (memoised, distinct strings): `iam:*` on `*`
    is found at every depth, in linear time."""
    lines = ["locals {", '  l0 = ["s3:GetObject", "iam:*"]']
    lines += [
        f"  l{i} = [local.l{i - 1}, local.l{i - 1}, local.l{i - 1}, local.l{i - 1}]" for i in range(1, n)
    ]
    lines.append("}")
    lines.append(
        f'resource "aws_iam_policy" "p" {{\n  policy = jsonencode({{ Statement = [{{ Effect = "Allow",'
        f' Action = local.l{n - 1}, Resource = "*" }}] }})\n}}'
    )
    return {"main.tf": "\n".join(lines) + "\n"}


def tf_merge_fanout(n: int) -> dict[str, str]:
    """Maps holding the previous level four ways, one through `merge()`: 4^n nodes once resolved."""
    # a provider block makes it a root module: a reusable module's missing owner is the caller's (NHI301)
    lines = ['provider "aws" {', '  region = "eu-west-1"', "}", "locals {", '  m0 = { owner = "team" }']
    for i in range(1, n):
        m = f"local.m{i - 1}"
        lines.append(f"  m{i} = {{ a = {m}, b = {m}, c = {m}, d = merge({m}, {m}) }}")
    lines.append("}")
    lines.append(f'resource "aws_iam_role" "r" {{\n  name = "r"\n  tags = local.m{n - 1}\n}}')
    return {"main.tf": "\n".join(lines) + "\n"}


def cfn_if_chain(n: int) -> dict[str, str]:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Conditions:", "  C: !Equals [a, a]", "Parameters:",
             "  P0:", "    Type: String", "    Default: '*'"]  # fmt: skip
    for i in range(1, n):
        lines += [f"  P{i}:", "    Type: String",
                  f"    Default: !If [C, !Ref P{i - 1}, !If [C, !Ref P{i - 1}, !Ref P{i - 1}]]"]  # fmt: skip
    lines += ["Resources:", "  Role:", "    Type: AWS::IAM::Role", "    Properties:",
              "      AssumeRolePolicyDocument: {Statement: [{Effect: Allow,"
              " Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}",
              "      Policies:", "        - PolicyName: p", "          PolicyDocument:",
              f"            Statement: [{{Effect: Allow, Action: !Ref P{n - 1}, Resource: '*'}}]",
              ]  # fmt: skip
    return {"template.yaml": "\n".join(lines) + "\n"}


def gitlab_extends_fanout(n: int) -> dict[str, str]:
    lines = [".t0:", "  variables:", f"    AWS_ACCESS_KEY_ID: {FAKE_KEY}", "  script: [aws s3 ls]"]
    for i in range(1, n):
        lines += [
            f".t{i}:",
            f"  extends: [{', '.join(f'.t{j}' for j in range(i))}]",
            f"  variables: {{V{i}: x}}",
        ]
    lines += ["deploy:", f"  extends: [{', '.join(f'.t{j}' for j in range(n))}]", "  script: [make]"]
    return {".gitlab-ci.yml": "\n".join(lines) + "\n"}


def gitlab_reference_fanout(n: int) -> dict[str, str]:
    lines = [".t0:", "  script: [aws s3 ls --duration-seconds 43200]"]
    for i in range(1, n):
        ref = f"!reference [.t{i - 1}, script]"
        lines += [f".t{i}:", f"  script: [{ref}, {ref}, {ref}, {ref}]"]
    lines += ["deploy:", f"  script: [!reference [.t{n - 1}, script]]"]
    return {".gitlab-ci.yml": "\n".join(lines) + "\n"}


# --- quadratic scans (item 8); `n` is a size factor ----------------------------------------------


def regex_values(n: int) -> dict[str, str]:
    """Runs of what a detector's repeated group accepts, without the end it needs (90 KB each per
    size unit): every start used to rescan the rest of the run (credential `key`x30k: minutes)."""
    size = 90_000 * n
    values = {
        "CRED": "key" * (size // 3),  # credential name, never `=`
        "JWT": "eyJ-" * (size // 4),  # JWT segment, never `.`
        "URL": "a." * (size // 2),  # URL scheme, never `://`
        "URL2": "a://" + "b:" * (size // 2),  # userinfo, never `@`
        "TEMPLATE": "{{" * (size // 2),  # `{{`, never `}}`
    }
    body = "".join(f'  {k} = "{v}"\n' for k, v in values.items())
    return {"main.tf": f"locals {{\n{body}}}\n"}


def assignment_near_misses(n: int) -> dict[str, str]:
    """One unparseable line of `key---...: ` near-misses of the credential-assignment detector (1.3 MB
    per size unit): every match re-stripped the whole value (a 7.8 MB line: 4 minutes)."""
    line = ("key" + "-" * 60 + ": ") * (20_000 * n)
    return {"main.tf": f'resource "x" "y" {{\n  a = "{line}\n'}


def plan_one_line(n: int) -> dict[str, str]:
    """A plan as `terraform show -json` writes it, on one line: 1,000 roles any principal may assume per
    size unit (two findings each, 0.9 MB): every finding's fingerprint re-read the whole line (9,000
    roles: over 11 minutes)."""
    trust = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    )
    resources, changes = [], []
    for i in range(1_000 * n):
        values = {"name": f"r{i}", "assume_role_policy": trust, "tags": {}}
        head = {"address": f"aws_iam_role.r{i}", "mode": "managed", "type": "aws_iam_role", "name": f"r{i}"}
        resources.append({**head, "values": values, "sensitive_values": {}})
        changes.append({**head, "change": {"actions": ["create"], "before": None, "after": values}})
    plan = {"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": changes,
            "planned_values": {"root_module": {"resources": resources}}}  # fmt: skip
    return {"plan.json": json.dumps(plan)}


def ignore_lines(n: int) -> dict[str, str]:
    """20,000 inline ignores, each on its own finding, in one file."""
    count = 5_000 * n
    body = "".join(f'  k{i} = "{FAKE_KEY}" # nhilint: ignore[NHI101] test fixture\n' for i in range(count))
    return {"main.tf": f"locals {{\n{body}}}\n"}


def tf_iam_users(n: int) -> dict[str, str]:
    count = 4_000 * n
    blocks = [
        f'resource "aws_iam_user" "u{i}" {{\n  name = "svc-{i}"\n}}\n'
        f'resource "aws_iam_access_key" "k{i}" {{\n  user = aws_iam_user.u{i}.name\n}}\n'
        for i in range(count)
    ]
    return {"main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n' + "".join(blocks)}


def tf_big_file(n: int) -> dict[str, str]:
    """Mixed IAM resources, 12,000 per size unit (48k at 4x, about 5 MB)."""
    count = 3_000 * n
    blocks = [
        f'resource "aws_iam_role" "r{i}" {{\n  name = "role-{i}"\n  assume_role_policy = jsonencode({{\n'
        f'    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole",'
        f' Principal = {{ Service = "lambda.amazonaws.com" }} }}]\n  }})\n'
        f'  tags = {{ owner = "team-{i % 7}" }}\n}}\n'
        f'resource "aws_iam_role_policy" "p{i}" {{\n  role = aws_iam_role.r{i}.id\n  policy = jsonencode({{\n'
        f'    Statement = [{{ Effect = "Allow", Action = ["s3:GetObject"],'
        f' Resource = "arn:aws:s3:::b{i}/*" }}]\n'
        f"  }})\n}}\n"
        f'resource "aws_iam_role_policy_attachment" "a{i}" {{\n  role = aws_iam_role.r{i}.name\n'
        f'  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n}}\n'
        f'resource "aws_lambda_function" "f{i}" {{\n  function_name = "f{i}"\n'
        f"  role = aws_iam_role.r{i}.arn\n}}\n"
        for i in range(count)
    ]
    return {"main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n' + "".join(blocks)}  # a root module


def yaml_flow_sequences(n: int) -> dict[str, str]:
    """Four flow sequences of short scalars (about 2.45 MB each per size unit; 9.8 MB at 4x)."""
    items = 350_000 * n
    body = "[" + ", ".join("x" * 4 for _ in range(items)) + "]"
    doc = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  items: {body}\n"
    return {f"flow{i}.yaml": doc for i in range(4)}


# --- repetition (issue 16's for_each, templates and module calls); `n` is the size unit -------------


def _statements(count: int, actions: int) -> str:
    listed = ", ".join(f'"s3:GetObject{i}"' for i in range(actions))
    return "".join(
        f'  statement {{\n    sid = "s{k}"\n    actions = [{listed}]\n    resources = ["*"]\n  }}\n'
        for k in range(count)
    )


def tf_shared_policy_instances(n: int) -> dict[str, str]:
    """4n resources of 256 `for_each` instances each attach one 300-statement document (30 KB at x1):
    300,000 statements per x1 if every copy were judged."""
    names = ", ".join(f'"b{i}"' for i in range(256))
    attach = "".join(
        f'resource "aws_iam_policy" "p{r}" {{\n  for_each = toset(local.l)\n  name = each.key\n'
        "  policy = data.aws_iam_policy_document.d.json\n}\n"
        for r in range(4 * n)
    )
    doc = f'data "aws_iam_policy_document" "d" {{\n{_statements(300, 2)}}}\n'
    return {"main.tf": f"locals {{\n  l = [{names}]\n}}\n{doc}{attach}"}


def tf_module_called_64_times(n: int) -> dict[str, str]:
    """A module of 600n statements called 64 times with a known argument."""
    calls = "".join(f'module "m{i}" {{\n  source = "./m"\n  x = "v{i}"\n}}\n' for i in range(64))
    module = (
        f'variable "x" {{}}\ndata "aws_iam_policy_document" "d" {{\n{_statements(600 * n, 2)}}}\n'
        'resource "aws_iam_policy" "p" {\n  name = var.x\n  policy = data.aws_iam_policy_document.d.json\n}\n'
    )
    return {"main.tf": calls, "m/main.tf": module}


def tf_template_repeat(n: int) -> dict[str, str]:
    """A 100 KB template argument written 20,000n times in a policy template (2n GB rendered)."""
    long = "a" * 100_000
    return {
        "main.tf": 'resource "aws_iam_policy" "p" {\n'
        f'  policy = templatefile("p.tpl", {{ k = "{long}" }})\n}}\n',
        "p.tpl": '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": "'
        + "${k}" * 20_000 * n
        + '"}]}\n',
    }


def tf_for_each_template(n: int) -> dict[str, str]:
    """16 instances writing a 60 KB each.value 1,000n times into two templates (1 MB at x1)."""
    values = ", ".join(f'"{c * 60_000}"' for c in "abcdefghijklmnop")
    template = "${each.value}" * 1_000 * n
    return {
        "main.tf": f"locals {{\n  v = [{values}]\n}}\n"
        f'resource "aws_iam_policy" "p" {{\n  for_each = toset(local.v)\n  description = "{template}"\n'
        f'  policy = "{template}"\n}}\n'
    }


EXPONENTIAL: dict[str, Callable[[int], dict[str, str]]] = {
    "tf-locals-fanout": tf_locals_fanout,
    "tf-merge-fanout": tf_merge_fanout,
    "cfn-if-chain": cfn_if_chain,
    "gitlab-extends-fanout": gitlab_extends_fanout,
    "gitlab-reference-fanout": gitlab_reference_fanout,
}
LINEAR: dict[str, Callable[[int], dict[str, str]]] = {
    "regex-values": regex_values,
    "ignore-lines": ignore_lines,
    "assignment-near-misses": assignment_near_misses,
    "plan-one-line": plan_one_line,
    "tf-iam-users": tf_iam_users,
    "tf-big-file": tf_big_file,
    "yaml-flow-sequences": yaml_flow_sequences,
    "tf-shared-policy-instances": tf_shared_policy_instances,
    "tf-module-called-64-times": tf_module_called_64_times,
    "tf-template-repeat": tf_template_repeat,
    "tf-for-each-template": tf_for_each_template,
}


TOO_COMPLEX = "too complex"
TOO_MANY = "too many"  # policies and grants past a Terraform unit's fact allowance
# What each input must give: TOO_COMPLEX, or the rules it must find (at scales 1, 2 and 4).
EXPECTED: dict[str, Callable[[int], str]] = {
    "tf-locals-fanout": lambda scale: "NHI201",
    "tf-merge-fanout": lambda scale: "NHI301" if scale == 1 else TOO_COMPLEX,
    "cfn-if-chain": lambda scale: "NHI301",  # `Fn::If` resolved once per parameter
    "gitlab-extends-fanout": lambda scale: "NHI101",  # each template merged once
    # deeper than GitLab's 10 `!reference` levels from x2: GitLab refuses it, so do we
    "gitlab-reference-fanout": lambda scale: "NHI303" if scale == 1 else TOO_COMPLEX,
    "regex-values": lambda scale: "",
    "ignore-lines": lambda scale: "",
    "assignment-near-misses": lambda scale: TOO_COMPLEX,  # one line over the HCL line budget (1 MB)
    "plan-one-line": lambda scale: "NHI205",
    "tf-iam-users": lambda scale: "NHI102",
    # 297,000 tokens per unit: x1 is read, x2 and x4 are over MAX_TOKENS (nhilint/parse/hcl.py)
    "tf-big-file": lambda scale: "NHI302" if scale == 1 else TOO_COMPLEX,
    "yaml-flow-sequences": lambda scale: TOO_COMPLEX if scale >= 4 else "",
    "tf-shared-policy-instances": lambda scale: TOO_MANY,
    "tf-module-called-64-times": lambda scale: "" if scale == 1 else TOO_MANY,  # 600 statements x 64 fit
    "tf-template-repeat": lambda scale: "",  # past 1 MB a rendering is unknown (no policy is that large)
    "tf-for-each-template": lambda scale: "",  # past 4,096 characters an instance's string is unknown
}


def verdict(name: str, scale: int, summary: str) -> str:
    """`ok` when the findings are what EXPECTED says, else what was expected."""
    expected = EXPECTED[name](scale)
    ok = (
        expected in summary
        if expected in (TOO_COMPLEX, TOO_MANY)
        else TOO_COMPLEX not in summary and TOO_MANY not in summary and expected in summary
    )
    return "ok" if ok else f"EXPECTED {expected or 'no NHI001'}"


def scan(root: Path, timeout: float) -> tuple[float, float, float, str]:
    """Wall and CPU seconds, peak RSS in MB and a summary of the rule IDs of one fresh CLI run."""
    env = {**os.environ, "NHILINT_NO_CACHE": "1", "NO_COLOR": "1"}
    out = root.parent / f"{root.name}.report.json"
    start = time.perf_counter()
    with out.open("w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nhilint.cli", "scan", ".", "--format", "json"],
            cwd=root, stdout=handle, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        try:
            _, status, usage = _wait4(proc, timeout)
        except TimeoutError:
            proc.kill()
            proc.wait()
            return timeout, 0.0, 0.0, "TIMEOUT"
    seconds = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    try:
        findings = json.loads(out.read_text())["findings"]
    except (ValueError, KeyError):
        return seconds, cpu, rss_mb, f"exit {os.waitstatus_to_exitcode(status)}, no report"
    rules = Counter(f["rule_id"] for f in findings)
    complex_ = any(TOO_COMPLEX in f["message"] for f in findings)
    many = any("too many policies" in f["message"] for f in findings)
    summary = " ".join(f"{r}x{c}" for r, c in sorted(rules.items()))
    return (
        seconds,
        cpu,
        rss_mb,
        summary + (" (too complex)" if complex_ else "") + (" (too many)" if many else ""),
    )


def _wait4(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, int, os.struct_rusage]:
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return pid, status, usage
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1,2,4", help="size factors (levels x2 for exponential inputs)")
    parser.add_argument("--only", default="", help="comma-separated input names")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    chosen = set(filter(None, args.only.split(",")))
    print(f"{'input':26} {'scale':>5} {'size':>9} {'seconds':>8} {'cpu s':>7} {'MB':>7}  findings")
    for name, make in {**EXPONENTIAL, **LINEAR}.items():
        if chosen and name not in chosen:
            continue
        for scale in scales:
            size_arg = 6 * scale if name in EXPONENTIAL else scale  # levels: 6, 12, 24
            with tempfile.TemporaryDirectory(prefix="nhilint-hostile-") as tmp:
                root = Path(tmp)
                (root / ".nhilint.yaml").write_text("max-file-size: 20000000\n")  # the 9.8 MB YAML
                total = 0
                for rel, text in make(size_arg).items():
                    (root / rel).parent.mkdir(parents=True, exist_ok=True)
                    (root / rel).write_text(text)
                    total += len(text)
                seconds, cpu, rss, summary = scan(root, args.timeout)
            print(
                f"{name:26} {scale:>5} {total:>9} {seconds:>8.2f} {cpu:>7.2f} {rss:>7.0f}  {summary}"
                f"  [{verdict(name, scale, summary)}]",
                flush=True,
            )


if __name__ == "__main__":
    main()
