"""A gate that cannot be silently emptied (issue 13): a bug of ours exits 2, a bad file costs only
itself, nothing is skipped in silence, an unknown rule ID is an error, configuration is per file.

A bug is simulated the way one would arrive: as real code in a real extension point (a Terraform
provider module or a rule module found on the package path), run by the real CLI in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nhilint.config import Config, Configs
from nhilint.pipeline import discover

from .conftest import USER_WITH_KEY, run_cli, scan_tree

ROLE = """\
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = "{}"
}
"""

CRB = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ops-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: ops
    namespace: ops
"""

# Runs the CLI with `plugins` appended to a package's path, as an installed extension would be.
_WITH_PLUGIN = """\
import sys
import importlib
package, directory = sys.argv[1], sys.argv[2]
importlib.import_module(package).__path__.append(directory)
sys.argv = ["nhilint", *sys.argv[3:]]
from nhilint.cli import main
main()
"""


def _run_with_plugin(package: str, plugin: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    plugins = cwd.parent / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "buggy.py").write_text(textwrap.dedent(plugin), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-c", _WITH_PLUGIN, package, str(plugins), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "NHILINT_NO_CACHE": "1"},
    )


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


BUGGY_PROVIDER = """\
def extract(module):
    for resource in module.resources("aws_iam_role"):
        raise KeyError(resource.name)
    return iter(())
"""


@pytest.mark.parametrize(
    "options", [(), ("--fail-on", "error"), ("--exit-zero",), ("--ignore", "NHI001"), ("--select", "NHI3")]
)
def test_an_extractor_bug_exits_2_whatever_the_options(tmp_path: Path, options: tuple[str, ...]) -> None:
    repo = tmp_path / "repo"
    _write(repo, {"iam/users.tf": USER_WITH_KEY, "iam/roles.tf": ROLE})
    out = _run_with_plugin("nhilint.formats.terraform", BUGGY_PROVIDER, "scan", ".", *options, cwd=repo)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "internal error: KeyError" in out.stderr and "please report" in out.stderr
    assert "iam/roles.tf" in out.stderr  # the file that broke it, found by reading the unit file by file
    assert "Traceback" not in out.stderr and "✓" not in out.stdout
    assert "NHI001" not in out.stdout  # a bug is not a parse error a user could ignore
    if not options:  # the rest of the scan still ran: the neighbour's key is still reported
        assert "NHI102" in out.stdout and "iam/users.tf" in out.stdout


def test_a_rule_bug_exits_2_and_the_other_rules_still_run(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _write(repo, {"main.tf": USER_WITH_KEY})
    plugin = """\
    from nhilint.rules import rule

    @rule("NHI404")
    def broken(ctx):
        raise ValueError("a bug")
    """
    out = _run_with_plugin("nhilint.rules", plugin, "scan", ".", "--format", "json", cwd=repo)
    assert out.returncode == 2
    assert "internal error: ValueError" in out.stderr and "rule NHI404" in out.stderr
    report = json.loads(out.stdout)
    assert "NHI102" in {f["rule_id"] for f in report["findings"]}
    assert [e["error"] for e in report["internal_errors"]] == ["ValueError"]
    sarif = _run_with_plugin("nhilint.rules", plugin, "scan", ".", "--format", "sarif", cwd=repo)
    [invocation] = json.loads(sarif.stdout)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False  # code scanning shows the run as failed
    github = _run_with_plugin("nhilint.rules", plugin, "scan", ".", "--format", "github", cwd=repo)
    assert "::error title=nhilint internal error::ValueError" in github.stdout
    summary = _run_with_plugin("nhilint.rules", plugin, "scan", ".", "--format", "markdown", cwd=repo)
    assert "internal error" in summary.stdout and "✅" not in summary.stdout


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("deep.tf", "locals {\n  x = " + "[" * 20_000 + "]" * 20_000 + "\n}\n", 1),
        ("ttl.tf", 'resource "vault_token" "t" {\n  ttl = "²"\n}\n', None),
        ("big.tf.json", '{"locals": {"n": ' + "9" * 4_400 + "}}", 1),
        ("heredoc.tf", 'resource "aws_iam_policy" "p" {\n  policy = <<EOT\n{"Statement": []}\n', 2),
    ],
)
def test_a_bad_file_never_hides_its_neighbours(
    tmp_path: Path, name: str, text: str, line: int | None
) -> None:
    result = scan_tree(tmp_path, {"main.tf": USER_WITH_KEY, name: text})
    assert result.internal_errors == []
    assert any(f.rule_id == "NHI102" and f.loc.file == "main.tf" for f in result.findings)
    problems = [f for f in result.findings if f.rule_id == "NHI001"]
    assert [f.loc.file for f in problems] == ([name] if line else [])
    assert all(f.loc.line == line for f in problems)


def test_one_broken_document_of_a_stream_costs_only_itself(tmp_path: Path) -> None:
    sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ops\n  namespace: ops\n"
    broken = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n"
    result = scan_tree(tmp_path, {"deploy/all.yaml": "---\n".join([sa, broken, CRB])})
    by_rule = {f.rule_id: f for f in result.findings}
    assert by_rule["NHI001"].loc.line == 10  # in the broken document, not at the top of the file
    assert by_rule["NHI207"].loc.line == 20  # the document after it is still judged


# --- nothing skipped in silence ---

RENDERED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: alert-templates
data:
  message: "{{ .Values.alert }} fired for {{ .Labels.job }}"
---
"apiVersion": "rbac.authorization.k8s.io/v1"
"kind": "ClusterRoleBinding"
"metadata": {"name": "ops-admin"}
"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}
"subjects": [{"kind": "ServiceAccount", "name": "ops", "namespace": "ops"}]
"""


def test_a_rendered_manifest_with_template_text_in_a_string_is_judged(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {"rendered.yaml": RENDERED})
    assert "NHI207" in {f.rule_id for f in result.findings}
    assert result.skipped == {}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("quoted.yaml", '"apiVersion": v1\n"kind": Secret\n"metadata": {"name": "s"}\n'),
        ("flow.yaml", '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}\n'),
        ("complex.yaml", "? apiVersion\n: v1\n? kind\n: Secret\nmetadata: {name: s}\n"),
    ],
)
def test_kubernetes_is_recognised_by_structure(name: str, text: str) -> None:
    assert discover.classify(name, text) == "kubernetes"


def test_a_chart_template_is_skipped_but_its_literal_keys_are_still_caught(tmp_path: Path) -> None:
    template = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "api.fullname" . }}
spec:
  template:
    spec:
      containers:
        - name: api
          env:
            - name: AWS_SECRET_ACCESS_KEY
              value: "q8Rv2LkT9wX4mZ7pN3bY6cF1hJ5sD0gK8aE2uW9t"
"""
    chart = {"chart/Chart.yaml": "name: api\nversion: 1.0.0\n", "chart/templates/d.yaml": template}
    result = scan_tree(tmp_path, chart)
    assert result.skipped["unrendered template"] == ["chart/templates/d.yaml"]
    assert result.skipped[discover.NOT_A_FORMAT] == ["chart/Chart.yaml"]
    [key] = [f for f in result.findings if f.rule_id == "NHI101"]
    assert (key.loc.file, key.loc.line) == ("chart/templates/d.yaml", 12)


def test_skips_are_counted_named_with_verbose_and_said_for_named_files(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": USER_WITH_KEY,
            "node_modules/mod/main.tf": USER_WITH_KEY,
            "package.json": '{"name": "app"}',
            "README.md": "# app\n",
        },
    )
    out = run_cli("scan", ".", cwd=tmp_path)
    assert "skipped 2: 1 not a format nhilint reads, 1 skipped directory (skip-directories)" in out.stdout
    verbose = run_cli("scan", ".", "--verbose", cwd=tmp_path)
    assert "skipped node_modules/: skipped directory" in verbose.stderr
    assert "skipped package.json: not a format nhilint reads" in verbose.stderr
    named = run_cli("scan", "README.md", "package.json", cwd=tmp_path)
    assert named.returncode == 0
    assert "README.md: not a format nhilint reads" in named.stderr
    assert "package.json: not a format nhilint reads" in named.stderr
    # configurable: with no skipped directories, the installed module is scanned too
    (tmp_path / ".nhilint.yaml").write_text("skip-directories: []\n")
    assert "node_modules/mod/main.tf" in run_cli("scan", ".", cwd=tmp_path).stdout


def test_a_directory_tree_deeper_than_the_recursion_limit_is_walked(tmp_path: Path) -> None:
    deep = tmp_path
    for _ in range(1_100):  # os.makedirs would recurse
        deep = deep / "d"
        deep.mkdir()
    (deep / "main.tf").write_text(USER_WITH_KEY)
    try:
        found = discover.walk([tmp_path], tmp_path, Configs(explicit=Config()))
        assert [p.name for p in found.files] == ["main.tf"]
    finally:  # shutil.rmtree (pytest's clean-up) recurses too: take the tree down from the bottom
        (deep / "main.tf").unlink()
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent


def test_an_exclude_that_removes_every_file_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, {"iam/main.tf": USER_WITH_KEY, ".nhilint.yaml": 'exclude: ["**"]\n'})
    out = run_cli("scan", ".", cwd=tmp_path)
    assert out.returncode == 2 and "nothing was scanned" in out.stderr
    # the pre-commit hook committing only excluded files is not an error: the repository was read
    _write(tmp_path, {".nhilint.yaml": 'exclude: ["examples/**"]\n', "examples/demo.tf": USER_WITH_KEY})
    hook = run_cli("scan", "--context", ".", "examples/demo.tf", cwd=tmp_path)
    assert hook.returncode == 0, hook.stderr


# --- unknown rule IDs ---


@pytest.mark.parametrize(
    ("args", "hint"),
    [(("--select", "NHI501"), "NHI401"), (("--ignore", "NH101"), "NHI101"), (("--select", "NHI5"), "NHI4")],
)
def test_unknown_rule_ids_on_the_command_line_exit_2(
    tmp_path: Path, args: tuple[str, ...], hint: str
) -> None:
    _write(tmp_path, {"main.tf": USER_WITH_KEY})
    out = run_cli("scan", ".", *args, cwd=tmp_path)
    assert out.returncode == 2
    assert hint in out.stderr and len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "config", ["select: [NHI999]\n", "ignore: [NH101]\n", "severity: {NHI999: error}\n", "ignore: [NHI5]\n"]
)
def test_unknown_rule_ids_in_configuration_exit_2(tmp_path: Path, config: str) -> None:
    _write(tmp_path, {"main.tf": USER_WITH_KEY, ".nhilint.yaml": config})
    out = run_cli("scan", ".", cwd=tmp_path)
    assert out.returncode == 2
    assert "is not a rule ID or prefix" in out.stderr and ".nhilint.yaml" in out.stderr


def test_an_unknown_rule_in_a_suppression_comment_is_nhi002(tmp_path: Path) -> None:
    tf = USER_WITH_KEY.replace(
        'resource "aws_iam_access_key" "ci" {',
        '# nhilint: ignore[NHI999] rotated by the vault job\nresource "aws_iam_access_key" "ci" {',
    )
    result = scan_tree(tmp_path, {"main.tf": tf})
    assert {"NHI002", "NHI102"} <= {f.rule_id for f in result.active}


# --- one configuration per file, whatever the order ---

PERMUTED = {
    ".nhilint.yaml": "ignore: [NHI102]\n",
    "team-a/main.tf": USER_WITH_KEY,
    "team-b/.nhilint.yaml": (
        "severity: {NHI102: note}\nexclude: [legacy/**]\nmax-identity-lifetime-days: 36500\n"
    ),
    "team-b/main.tf": USER_WITH_KEY.replace('"ci"', '"b"'),
    "team-b/legacy/main.tf": USER_WITH_KEY.replace('"ci"', '"old"'),
}


def test_each_file_is_judged_by_its_nearest_configuration_in_any_order(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _write(tmp_path, PERMUTED)

    def scan(*paths: str) -> dict:
        return json.loads(run_cli("scan", *paths, "--format", "json", cwd=tmp_path).stdout)

    assert scan("team-a", "team-b") == scan("team-b", "team-a")
    # named files: the same findings (the excluded legacy file is simply not among them)
    assert scan("team-b/main.tf", "team-a/main.tf")["findings"] == scan("team-a", "team-b")["findings"]
    findings = json.loads(run_cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)["findings"]
    keys = {(f["file"], f["severity"]) for f in findings if f["rule_id"] == "NHI102"}
    assert keys == {("team-b/main.tf", "note")}  # root ignores it; team-b lowers it; legacy excluded
    # team-b's own lifetime limit and severity: nothing at warning is left, so it passes
    assert run_cli("scan", "team-b", cwd=tmp_path).returncode == 0


def test_the_nearest_configuration_never_comes_from_outside_the_repository(tmp_path: Path) -> None:
    (tmp_path / ".nhilint.yaml").write_text('exclude: ["**"]\n')
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _write(repo, {"main.tf": USER_WITH_KEY})
    assert Configs().at(repo / "main.tf").exclude == ()


# --- found by attacking the above: each was a silent pass or a lost finding ---


def _rules(result_or_stdout: object) -> set[str]:
    if isinstance(result_or_stdout, str):
        return {f["rule_id"] for f in json.loads(result_or_stdout)["findings"]}
    return {f.rule_id for f in result_or_stdout.findings}  # type: ignore[attr-defined]


def test_a_symlinked_configuration_is_refused_without_quoting_what_it_points_at(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("https://x-access-token:ghs_R4nd0mL00k1ngT0k3nV4lu3@github.com\n")
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _write(repo, {"main.tf": USER_WITH_KEY})
    (repo / ".nhilint.yaml").symlink_to(secret)
    out = run_cli("scan", ".", cwd=repo)
    assert out.returncode == 2 and "symbolic link" in out.stderr
    assert "ghs_" not in out.stderr + out.stdout
    (repo / ".nhilint.yaml").unlink()
    (repo / ".nhilint.yaml").write_text(secret.read_text())  # the same text, committed as a file
    out = run_cli("scan", ".", cwd=repo)
    assert out.returncode == 2 and "ghs_" not in out.stderr  # an error says what is wrong, not the value


def test_a_chart_directory_never_hides_terraform_or_cloudformation(tmp_path: Path) -> None:
    cfn = "Resources:\n  Key:\n    Type: AWS::IAM::AccessKey\n    Properties:\n      UserName: ci\n"
    files = {"Chart.yaml": "", "templates/main.tf": USER_WITH_KEY, "templates/stack.yaml": cfn}
    result = scan_tree(tmp_path, {**files, "templates/crb.yaml": CRB})
    found = {(f.rule_id, f.loc.file) for f in result.findings}
    assert {("NHI102", "templates/main.tf"), ("NHI102", "templates/stack.yaml")} <= found
    assert result.skipped["unrendered template"] == ["templates/crb.yaml"]


def test_a_template_action_in_a_comment_does_not_turn_a_parse_error_into_a_skip(tmp_path: Path) -> None:
    broken = "# rendered from {{ .Chart.Name }}\n" + CRB + "  - [unclosed\n"
    result = scan_tree(tmp_path, {"crb.yaml": broken})
    assert "NHI001" in _rules(result) and result.skipped == {}


def test_a_staged_file_is_read_even_in_a_skipped_directory(tmp_path: Path) -> None:
    _write(
        tmp_path, {"main.tf": USER_WITH_KEY.replace('"ci"', '"a"'), "node_modules/mod/main.tf": USER_WITH_KEY}
    )
    out = run_cli(
        "scan", "--context", ".", "--format", "json", "--", "node_modules/mod/main.tf", cwd=tmp_path
    )
    files = {f["file"] for f in json.loads(out.stdout)["findings"]}
    assert files == {"node_modules/mod/main.tf"}


def test_git_ignored_files_are_counted_and_an_ignored_directory_named_is_read(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _write(tmp_path, {".gitignore": "rendered/\n", "rendered/crb.yaml": CRB, "main.tf": USER_WITH_KEY})
    whole = json.loads(run_cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert whole["skipped"][discover.IGNORED_BY_GIT] == ["rendered/"]
    assert "NHI207" in _rules(run_cli("scan", "rendered", "--format", "json", cwd=tmp_path).stdout)


def test_files_of_a_nested_repository_are_scanned(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "init", "-q", str(tmp_path / "k8s")], check=True)
    _write(tmp_path, {"k8s/crb.yaml": CRB})
    assert "NHI207" in _rules(run_cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("escaped.yaml", CRB.replace("apiVersion:", '"\\x61piVersion":', 1)),
        (
            "merged.yaml",
            "<<: {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding}\n"
            + CRB.split("\n", 2)[2],
        ),
        (
            "after-broken.yaml",
            'x: "broken\n---\n"apiVersion": rbac.authorization.k8s.io/v1\n' + CRB.split("\n", 1)[1],
        ),
        ("yaml-in.json", CRB),
    ],
)
def test_manifests_are_recognised_however_they_are_spelled(tmp_path: Path, name: str, text: str) -> None:
    assert "NHI207" in _rules(scan_tree(tmp_path, {name: text}))


def test_an_oversized_file_holding_a_manifest_is_reported_not_skipped(tmp_path: Path) -> None:
    _write(tmp_path, {".nhilint.yaml": "max-file-size: 2000\n", "big.yaml": "# note\n" * 400 + CRB})
    out = json.loads(run_cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert [(f["rule_id"], f["file"]) for f in out["findings"]] == [("NHI001", "big.yaml")]


def test_a_bug_in_one_object_costs_only_that_object(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {"all.yaml": "apiVersion: v1\nkind: []\n---\n" + CRB})
    assert "NHI207" in _rules(result) and result.internal_errors == []


def test_the_same_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    _write(tmp_path, {"k/crb.yaml": CRB})
    out = run_cli("scan", ".", str(tmp_path), "k/../k", cwd=tmp_path)
    assert out.returncode == 1 and "1 of 1 file scanned" in out.stdout, out.stdout + out.stderr


def test_a_workflow_is_a_workflow_wherever_the_scan_starts(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n"
        "          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
        "          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
        "          aws-region: eu-west-1\n"
    )
    _write(tmp_path, {".github/workflows/deploy.yml": workflow})
    assert "NHI103" in _rules(run_cli("scan", ".", "--format", "json", cwd=tmp_path / ".github").stdout)


def test_outside_a_repository_no_configuration_above_the_scanned_path_is_read(tmp_path: Path) -> None:
    _write(tmp_path, {".nhilint.yaml": "ignore: [NHI]\n", "unpacked/main.tf": USER_WITH_KEY})
    out = run_cli("scan", ".", cwd=tmp_path / "unpacked")
    assert out.returncode == 1 and "NHI102" in out.stdout


def test_a_pyproject_that_only_mentions_nhilint_is_no_configuration(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    pyproject = '[project]\nname = "x"\n# see [tool.nhilint] in the root\n'
    _write(tmp_path, {".nhilint.yaml": "ignore: [NHI102]\n", "app/pyproject.toml": pyproject})
    assert Configs().at(tmp_path / "app" / "main.tf").ignore == ("NHI102",)


@pytest.mark.parametrize(("links", "rule"), [(21, "NHI201"), (150, "NHI001")])
def test_a_long_chain_of_locals_is_resolved_or_said_never_dropped(
    tmp_path: Path, links: int, rule: str
) -> None:
    chain = "\n".join(f"  l{i} = local.l{i - 1}" for i in range(1, links))
    tf = (
        'locals {\n  l0 = { Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] }\n'
        f"{chain}\n}}\n"
        'resource "aws_iam_role_policy" "p" {\n  role   = "deploy"\n'
        f"  policy = jsonencode(local.l{links - 1})\n}}\n"
    )
    assert rule in _rules(scan_tree(tmp_path, {"main.tf": tf}))


@pytest.mark.parametrize(("levels", "rule"), [(8, "NHI103"), (14, "NHI001")])
def test_a_deep_gitlab_extends_chain_is_resolved_or_said_never_dropped(
    tmp_path: Path, levels: int, rule: str
) -> None:
    jobs = [".t0:\n  variables:\n    AWS_SECRET_ACCESS_KEY: $VAULT_AWS_SECRET\n  script: [aws s3 ls]\n"]
    jobs += [f".t{i}:\n  extends: .t{i - 1}\n" for i in range(1, levels)]
    jobs.append(f"deploy:\n  extends: .t{levels - 1}\n")
    assert rule in _rules(scan_tree(tmp_path, {".gitlab-ci.yml": "".join(jobs)}))


@pytest.mark.parametrize(
    ("text", "line"),
    [("[1, 2, 3]\n", 1), ('{\n  "resource": "oops"\n}\n', 2), ('{"resource": {\n  "aws_iam_user": 7}}\n', 2)],
)
def test_a_tf_json_file_terraform_would_reject_is_nhi001(tmp_path: Path, text: str, line: int) -> None:
    result = scan_tree(tmp_path, {"main.tf": USER_WITH_KEY, "broken.tf.json": text})
    problems = [(f.loc.file, f.loc.line) for f in result.findings if f.rule_id == "NHI001"]
    assert problems == [("broken.tf.json", line)]
    assert "NHI102" in _rules(result)
