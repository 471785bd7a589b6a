"""`nhilint fix` as a careless user runs it: what the report promises (`[*]`, "Fixed N") is what the
fix does, the diff of the flagship fixes applies, and a silly configuration value is one sentence."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .conftest import run_cli

WORKFLOW = """\
name: deploy
on:
  push:
    branches: [main]
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: aws s3 sync dist s3://bucket
"""

SERVICE_ACCOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
"""


def test_the_oidc_fix_diff_shows_id_token_write_and_applies(tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "deploy.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(WORKFLOW)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    diff = run_cli("fix", ".", "--unsafe-fixes", "--diff", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    assert "+      id-token: write\n" in diff.stdout  # a permission level, not a secret to redact
    patch = tmp_path / "fix.patch"
    patch.write_text(diff.stdout)
    applied = subprocess.run(["git", "apply", str(patch)], cwd=tmp_path, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert run_cli("fix", ".", "--unsafe-fixes", "--diff", cwd=tmp_path).returncode == 0  # nothing left


def _owner_fix(tmp_path: Path, fix_section: str) -> tuple[str, str, str]:
    (tmp_path / "sa.yaml").write_text(SERVICE_ACCOUNT)
    (tmp_path / ".nhilint.yaml").write_text(f"fix:\n{fix_section}")
    marked = run_cli("scan", ".", "--unsafe-fixes", "-f", "concise", cwd=tmp_path).stdout
    fixed = run_cli("fix", ".", "--unsafe-fixes", cwd=tmp_path)
    assert fixed.returncode in (0, 1), fixed.stderr
    return marked, fixed.stdout, run_cli("scan", ".", "-f", "concise", cwd=tmp_path).stdout


def test_an_owner_and_expiry_finding_fixed_whole_is_marked_and_counted_once(tmp_path: Path) -> None:
    marked, fixed, after = _owner_fix(tmp_path, "  owner: team-a\n  expires-in-days: 30\n")
    assert "NHI301 [*]" in marked and "[*] 1 fixable" in marked  # one finding (NHI302 folded in)
    assert "Fixed 1 finding in 1 file" in fixed  # not 2: the scan reported one finding
    assert "NHI30" not in after


def test_a_finding_only_half_fixed_is_neither_marked_nor_counted(tmp_path: Path) -> None:
    for section, left in (("  owner: team-a\n", "NHI302"), ("  expires-in-days: 30\n", "NHI301")):
        marked, fixed, after = _owner_fix(tmp_path, section)
        assert "[*]" not in marked, section  # fix leaves a finding here: no promise
        assert "Fixed 0 findings in 1 file" in fixed, section
        assert left in after, section


def test_an_expiry_beyond_any_date_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "sa.yaml").write_text(SERVICE_ACCOUNT)
    (tmp_path / ".nhilint.yaml").write_text(
        "max-identity-lifetime-days: 100000000\nfix:\n  expires-in-days: 3000000\n"
    )
    for command in ("scan", "fix"):
        result = run_cli(command, ".", "--unsafe-fixes", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "expires-in-days" in result.stderr and "internal error" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


PUBLISHING = """\
name: publish
on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: |
          docker push ghcr.io/org/app:latest
          git tag v1 && git push --tags
"""


def test_the_oidc_fix_keeps_the_scopes_a_job_used_of_the_default_token(tmp_path: Path) -> None:
    # The job had the repository's default token: a `permissions:` block holding only what the OIDC
    # login needs would take away the GHCR push and the git push. Alone or with NHI208's fix.
    from ruamel.yaml import YAML

    workflow = tmp_path / ".github" / "workflows" / "publish.yml"
    workflow.parent.mkdir(parents=True)
    for options in (["--select", "NHI103"], []):
        workflow.write_text(PUBLISHING)
        fixed = run_cli("fix", ".", "--unsafe-fixes", *options, cwd=tmp_path)
        assert fixed.returncode in (0, 1), fixed.stderr
        job = YAML(typ="safe").load(workflow.read_text())["jobs"]["publish"]
        assert "role-to-assume" in job["steps"][2]["with"], options
        assert job["permissions"] == {"contents": "write", "packages": "write", "id-token": "write"}, options


def test_the_oidc_fix_leaves_a_job_whose_token_use_cannot_be_told(tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "publish.yml"
    workflow.parent.mkdir(parents=True)
    script = "      - uses: actions/github-script@v7\n        with:\n          script: core.info('hi')\n"
    workflow.write_text(PUBLISHING + script)
    fixed = run_cli("fix", ".", "--unsafe-fixes", cwd=tmp_path)
    assert fixed.returncode == 1, fixed.stderr
    assert workflow.read_text() == PUBLISHING + script
    assert "NHI103" in fixed.stdout


def test_all_resources_without_a_plan_says_it_changed_nothing(tmp_path: Path) -> None:
    (tmp_path / "sa.yaml").write_text(SERVICE_ACCOUNT)
    result = run_cli("scan", ".", "--all-resources", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "--all-resources changed nothing: no Terraform plan" in result.stderr


def test_all_resources_with_a_plan_says_nothing_more(tmp_path: Path) -> None:
    plan = Path(__file__).parent / "data" / "tfplan" / "tfplan.json"
    (tmp_path / "tfplan.json").write_bytes(plan.read_bytes())
    result = run_cli("scan", "tfplan.json", "--all-resources", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "--all-resources" not in result.stderr


def test_a_selection_that_turns_every_rule_off_is_an_error_not_a_pass(tmp_path: Path) -> None:
    (tmp_path / "sa.yaml").write_text(SERVICE_ACCOUNT)
    (tmp_path / "off.yaml").write_text("ignore: [NHI]\n")
    for args in (
        ("scan", ".", "--select", "NHI3", "--ignore", "NHI3"),
        ("scan", ".", "--ignore", "NHI"),
        ("fix", ".", "--ignore", "NHI"),
        ("scan", ".", "--config", "off.yaml"),
    ):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "no rule is left to run" in result.stderr and len(result.stderr.splitlines()) == 1, args
    assert run_cli("scan", ".", "--ignore", "NHI3", cwd=tmp_path).returncode == 0  # some rules still run


def test_output_naming_a_scanned_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    manifest = tmp_path / "k8s" / "sa.yaml"
    manifest.write_text(SERVICE_ACCOUNT)
    (tmp_path / ".nhilint.yaml").write_text("fix:\n  owner: team-a\n  expires-in-days: 30\n")
    for args in (
        ("scan", ".", "-o", "k8s/sa.yaml"),
        ("fix", ".", "--unsafe-fixes", "-o", "k8s/sa.yaml"),
        ("fix", ".", "--unsafe-fixes", "--diff", "-o", "k8s/../k8s/sa.yaml"),
    ):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "is a file this scan reads" in result.stderr and len(result.stderr.splitlines()) == 1, args
        assert manifest.read_text() == SERVICE_ACCOUNT, args
    assert run_cli("scan", ".", "-o", "report.txt", cwd=tmp_path).returncode == 1  # a new file is fine
    assert run_cli("scan", ".", "-o", "report.txt", cwd=tmp_path).returncode == 1  # and the same again


def test_inventory_and_baseline_files_never_replace_a_scanned_file(tmp_path: Path) -> None:
    manifest = tmp_path / "sa.yaml"
    manifest.write_text(SERVICE_ACCOUNT)
    for args in (("inventory", ".", "-o", "sa.yaml"), ("baseline", "write", "sa.yaml", ".")):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 2 and "is a file this scan reads" in result.stderr, args
        assert manifest.read_text() == SERVICE_ACCOUNT, args
    for _ in range(2):  # writing its own earlier output again is fine
        assert run_cli("baseline", "write", "baseline.json", ".", cwd=tmp_path).returncode == 0
        assert run_cli("inventory", ".", "-f", "json", "-o", "inventory.json", cwd=tmp_path).returncode == 0


def test_diff_with_exit_zero_exits_0_and_still_prints_the_diff(tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(SERVICE_ACCOUNT.replace("ServiceAccount", "Pod") + PROJECTED_TOKEN)
    result = run_cli("fix", ".", "--diff", "--exit-zero", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "+              expirationSeconds: 3600" in result.stdout
    assert run_cli("fix", ".", "--diff", cwd=tmp_path).returncode == 1


PROJECTED_TOKEN = """\
spec:
  serviceAccountName: web
  containers:
    - name: app
      image: registry.example.com/web:1.0
  volumes:
    - name: tok
      projected:
        sources:
          - serviceAccountToken:
              path: token
              expirationSeconds: 86400
"""


def test_what_is_not_reported_is_not_fixed(tmp_path: Path) -> None:
    # --ignore, an inline ignore, a baseline entry and a test path below the scanned one: each is
    # left as it is (a test file named on the command line is judged, and fixed, like any other)
    pod = SERVICE_ACCOUNT.replace("ServiceAccount", "Pod") + PROJECTED_TOKEN
    ignored = pod.replace(
        "expirationSeconds: 86400", "expirationSeconds: 86400  # nhilint: ignore[NHI303] batch"
    )
    cases = {
        "ignored-rule": ("pod.yaml", pod, ("--ignore", "NHI303")),
        "inline": ("pod.yaml", ignored, ()),
        "test-path": ("tests/pod.yaml", pod, ()),
        "baselined": ("pod.yaml", pod, ("--baseline", "../baseline.json")),
    }
    for case, (rel, text, _) in cases.items():
        path = tmp_path / case / rel
        path.parent.mkdir(parents=True)
        path.write_text(text)
    assert run_cli("baseline", "write", "../baseline.json", ".", cwd=tmp_path / "baselined").returncode == 0
    for case, (rel, text, options) in cases.items():
        result = run_cli("fix", ".", "--unsafe-fixes", *options, cwd=tmp_path / case)
        assert result.returncode in (0, 1), result.stderr
        assert (tmp_path / case / rel).read_text() == text, case
        assert "Fixed 0 findings in 0 files" in result.stdout, case
