"""Red team of issue 16 (values from files and functions, module inputs, CI logins): what a hostile
repository can do with the new constructs must never pass silently, cost more than its size, or print
a secret."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from .conftest import run_cli

ADMIN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n'


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def scan(root: Path, *extra: str) -> dict:
    proc = run_cli("scan", ".", "--no-cache", "--format", "json", *extra, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def rules_at(report: dict) -> list[tuple[str, str, int]]:
    return sorted((f["rule_id"], f["file"], f["line"]) for f in report["findings"])


def test_a_policy_file_too_large_or_not_utf8_is_unreadable_not_absent(tmp_path: Path) -> None:
    padding = " " * 1_000_001  # JSON whitespace: still the admin policy, past the side-file limit
    write(
        tmp_path,
        {
            "main.tf": 'resource "aws_iam_policy" "big" {\n  policy = file("p/big.json")\n}\n'
            'resource "aws_iam_policy" "latin" {\n  policy = file("${path.module}/p/latin.json")\n}\n',
            "p/big.json": ADMIN[:-2] + padding + "}\n",
            "p/latin.json": ADMIN.replace('"Version"', '"Sid": "caf\xe9", "Version"').encode("latin-1"),
            "other/main.tf": 'resource "aws_iam_policy" "judged" {\n  policy = file("admin.json")\n}\n',
            "other/admin.json": ADMIN,
        },
    )
    report = scan(tmp_path)
    unreadable = [f for f in report["findings"] if f["rule_id"] == "NHI001"]
    assert [(f["file"], f["line"]) for f in unreadable] == [("main.tf", 2)]  # one NHI001 per file
    assert "p/big.json" in unreadable[0]["message"]
    assert ("NHI201", "other/admin.json", 1) in rules_at(report)
    write(tmp_path, {"p/big.json": ADMIN})  # the large file alone is not what the NHI001 said
    unreadable = [f for f in scan(tmp_path)["findings"] if f["rule_id"] == "NHI001"]
    assert [(f["file"], f["line"]) for f in unreadable] == [("main.tf", 5)]
    assert "p/latin.json" in unreadable[0]["message"]


def test_a_missing_policy_file_stays_unknown(tmp_path: Path) -> None:
    """A pipeline may write the file before `terraform plan`: no finding, as for any unknown value."""
    write(tmp_path, {"main.tf": 'resource "aws_iam_policy" "p" {\n  policy = file("generated.json")\n}\n'})
    assert rules_at(scan(tmp_path)) == []


def _statements(count: int, actions: int) -> str:
    listed = ", ".join(f'"s3:GetObject{i}"' for i in range(actions))
    return "".join(
        f'  statement {{\n    sid       = "s{n}"\n    actions   = [{listed}]\n    resources = ["*"]\n  }}\n'
        for n in range(count)
    )


def test_a_shared_policy_attached_by_many_instances_is_too_many_facts_not_minutes(tmp_path: Path) -> None:
    """256 `for_each` instances of several resources attach one large document: facts multiply
    without the file growing. The module is NHI001; a neighbouring module is still judged."""
    names = ", ".join(f'"b{i}"' for i in range(256))
    attachments = "".join(
        f'resource "aws_iam_policy" "p{r}" {{\n  for_each = toset(local.buckets)\n  name     = each.key\n'
        "  policy   = data.aws_iam_policy_document.shared.json\n}\n"
        for r in range(8)
    )
    write(
        tmp_path,
        {
            "fanout/main.tf": f"locals {{\n  buckets = [{names}]\n}}\n"
            f'data "aws_iam_policy_document" "shared" {{\n{_statements(100, 2)}}}\n{attachments}',
            "other/main.tf": 'resource "aws_iam_policy" "judged" {\n  policy = file("admin.json")\n}\n',
            "other/admin.json": ADMIN,
        },
    )
    report = scan(tmp_path)
    unreadable = [f for f in report["findings"] if f["rule_id"] == "NHI001"]
    assert [(f["file"], f["line"]) for f in unreadable] == [("fanout/main.tf", 1)]
    assert "too many policies and grants" in unreadable[0]["message"]
    assert ("NHI201", "other/admin.json", 1) in rules_at(report)


def test_a_large_module_called_many_times_is_too_many_facts(tmp_path: Path) -> None:
    """Each local call judges the module again: 64 calls of a large module are bounded by the unit's
    size too, and the excess is NHI001 rather than silently dropped by the call's own guard."""
    calls = "".join(f'module "m{i}" {{\n  source = "./policy"\n  name   = "p{i}"\n}}\n' for i in range(64))
    write(
        tmp_path,
        {
            "main.tf": calls,
            "policy/main.tf": 'variable "name" {}\n'
            f'data "aws_iam_policy_document" "d" {{\n{_statements(60, 60)}}}\n'
            'resource "aws_iam_policy" "p" {\n  name   = var.name\n'
            "  policy = data.aws_iam_policy_document.d.json\n}\n",
        },
    )
    unreadable = [f for f in scan(tmp_path)["findings"] if f["rule_id"] == "NHI001"]
    assert [(f["file"], f["line"]) for f in unreadable] == [("main.tf", 1)]


def test_iam_action_patterns_have_no_bracket_classes(tmp_path: Path) -> None:
    """IAM wildcards are `*` and `?` only: `iam:[P]assRole` names no action, `iam:Pass?ole` does."""

    def policy(action: str) -> str:
        return json.dumps({"Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})

    write(
        tmp_path,
        {
            "main.tf": 'resource "aws_iam_policy" "brackets" {\n  policy = file("brackets.json")\n}\n'
            'resource "aws_iam_policy" "wildcard" {\n  policy = file("wildcard.json")\n}\n',
            "brackets.json": policy("iam:[P]assRole") + "\n",
            "wildcard.json": policy("IAM:Pass?ole") + "\n",
        },
    )
    assert [f for f in rules_at(scan(tmp_path)) if f[0] == "NHI203"] == [("NHI203", "wildcard.json", 1)]


def test_a_secret_given_to_a_cli_login_option_is_never_printed(tmp_path: Path) -> None:
    """The CLI-login detectors point NHI103 at the `run:` line itself: a literal after a
    credential-named option (`--client-secret X`, `aws configure set aws_secret_access_key X`) or
    after a login's `-p` is cut in every report, though no detector knows its shape."""
    secrets = [
        "Q8abcdEFGH1234567890klmnopqrstuvwxyz",
        "wJalrXUtnFEMIzK7MDENGzbPxRfiCYzzzzKEY999",
        "hunter2-pass",
    ]
    runs = [
        f'azd auth login --client-id x --client-secret "{secrets[0]}" --tenant-id y',
        f"aws configure set aws_secret_access_key {secrets[1]}",
        f"az login --service-principal -u app -p {secrets[2]} --tenant t",
    ]
    for i, run in enumerate(runs):
        steps = f"      - run: {run}\n"
        workflow = (
            f"on: push\npermissions: {{}}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"
        )
        write(tmp_path, {f".github/workflows/w{i}.yml": workflow})
    for fmt in ("text", "concise", "json", "sarif", "github", "markdown"):
        proc = run_cli("scan", ".", "--no-cache", "--format", fmt, cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout.count("NHI103") >= 3 or fmt in ("markdown", "sarif", "json")
        for secret in secrets:
            assert secret not in proc.stdout + proc.stderr, (fmt, secret)


def test_cli_option_references_and_plain_options_stay_readable(tmp_path: Path) -> None:
    run = (
        "azd auth login --client-id app-1234 --client-secret ${{ secrets.AZ_SECRET }} --tenant-id tenant-1234"
    )
    workflow = (
        "on: push\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
        f"    steps:\n      - run: {run}\n"
    )
    write(tmp_path, {".github/workflows/w.yml": workflow})
    proc = run_cli("scan", ".", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert run in proc.stdout


MEMORY_LIMIT = 2 * 1024**3  # a scan of a few hundred kilobytes needs a small fraction of it


def _scan_in_bounded_memory(root: Path) -> dict:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    proc = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", ".", "--no-cache", "--format", "json"],
        cwd=root, capture_output=True, text=True, timeout=300, preexec_fn=limit,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_a_template_repeating_a_long_argument_is_not_rendered_whole(tmp_path: Path) -> None:
    """180 KB of input rendered to 4 GB: past the side-file limit the rendering stays unknown (no
    policy is that large); the module's other policies are still judged."""
    long = "a" * 200_000
    write(
        tmp_path,
        {
            "main.tf": 'resource "aws_iam_policy" "bomb" {\n'
            f'  policy = templatefile("p.tpl", {{ k = "{long}" }})\n}}\n'
            'resource "aws_iam_policy" "judged" {\n  policy = file("admin.json")\n}\n',
            "p.tpl": '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": "'
            + "${k}" * 20_000
            + '"}]}\n',
            "admin.json": ADMIN,
        },
    )
    assert rules_at(_scan_in_bounded_memory(tmp_path)) == [("NHI201", "admin.json", 1)]


def test_instances_never_copy_a_long_template(tmp_path: Path) -> None:
    """`for_each` writes each.value into a template per instance: a value of 60 KB repeated 2,000
    times in it would be 120 MB per copy. Past the string limit the template stays unknown."""
    values = ", ".join(f'"{letter * 60_000}"' for letter in "abcdefghijklmnop")
    template = "${each.value}" * 2_000
    write(
        tmp_path,
        {
            "main.tf": f"locals {{\n  v = [{values}]\n}}\n"
            f'resource "aws_iam_policy" "p" {{\n  for_each = toset(local.v)\n  description = "{template}"\n'
            f'  name = "[${{each.value}}][${{each.value}}]"\n  policy = "{template}"\n}}\n'
            'resource "aws_iam_policy" "judged" {\n  policy = file("admin.json")\n}\n',
            "admin.json": ADMIN,
        },
    )
    assert rules_at(_scan_in_bounded_memory(tmp_path)) == [("NHI201", "admin.json", 1)]


def test_padding_a_for_each_past_the_instance_limit_does_not_hide_an_owner_grant(tmp_path: Path) -> None:
    """Instances are judged one by one up to a limit; past it the resource is NHI001 at its
    `for_each` (or `count`, or a dynamic block's), never judged as if nothing were repeated."""
    padding = "\n".join(f'    r{i} = "roles/viewer"' for i in range(300))
    statements = ", ".join(f'"s3:GetObject{i}"' for i in range(300))
    write(
        tmp_path,
        {
            "gcp/main.tf": f'locals {{\n  roles = {{\n{padding}\n    ci = "roles/owner"\n  }}\n}}\n'
            'resource "google_project_iam_member" "ci" {\n  for_each = local.roles\n  project  = "p"\n'
            '  role     = each.value\n  member   = "serviceAccount:ci@p.iam.gserviceaccount.com"\n}\n',
            "aws/main.tf": f'locals {{\n  actions = [{statements}, "*"]\n}}\n'
            'data "aws_iam_policy_document" "d" {\n  dynamic "statement" {\n    for_each = local.actions\n'
            '    content {\n      actions   = [statement.value]\n      resources = ["*"]\n    }\n  }\n}\n'
            'resource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.d.json\n}\n',
        },
    )
    report = scan(tmp_path)
    unreadable = sorted((f["file"], f["line"]) for f in report["findings"] if f["rule_id"] == "NHI001")
    assert unreadable == [("aws/main.tf", 6), ("gcp/main.tf", 307)]


def test_a_line_repeating_cli_login_commands_is_read_in_linear_time(tmp_path: Path) -> None:
    """`sls config credentials` written 90,000 times on one line, never with a key: each place's
    conditions (`--key` later on the line) were searched again from every place (1.6 s at 3,000,
    quadratic: about 25 minutes here).
    The real login on the line before is still found (the timeout only stops a hang, as in
    test_hostile)."""
    padding = "sls config credentials " * 90_000  # 2 MB: past the default max-file-size, raised below
    workflow = (
        "on: push\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - run: |\n          azd auth login --client-secret x\n          {padding}\n"
    )
    write(tmp_path, {".github/workflows/w.yml": workflow, ".nhilint.yaml": "max-file-size: 5000000\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", ".", "--no-cache", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    found = [f for f in json.loads(proc.stdout)["findings"] if f["rule_id"] == "NHI103"]
    assert ["azd auth login --client-secret" in f["message"] for f in found] == [True]
