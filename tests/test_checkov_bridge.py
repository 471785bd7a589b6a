"""The checkov bridge: nhilint's per-resource rules as CKV_NHI_* checks, judged by nhilint's engine."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nhilint import catalogue
from nhilint.integrations import checkov as bridge
from nhilint.parse.hcl import parse_hcl
from nhilint.parse.json import parse_json
from nhilint.parse.yaml import parse_yaml

from .conftest import FIXTURES, ROOT, USER_CACHE, missing_tool, run_cli

FORMATS = ("terraform", "cloudformation", "kubernetes", "github-actions", "gitlab-ci")


def test_checkov_dir_is_an_importable_checks_directory() -> None:
    result = run_cli("checkov-dir")
    assert result.returncode == 0, result.stderr
    directory = Path(result.stdout.strip())
    assert directory == bridge.checks_dir()
    assert (directory / "__init__.py").is_file()  # checkov skips directories without one
    modules = sorted(p.name for p in directory.glob("*.py") if p.name != "__init__.py")
    assert modules == [f"nhilint_{fmt.replace('-', '_')}.py" for fmt in sorted(FORMATS)]


def test_every_rule_is_bridged_or_documented_as_nhilint_only() -> None:
    bridged = {c.id for c in bridge.bridged_rules()}
    for check in catalogue.load().values():
        assert (check.id in bridged) != (bridge.nhilint_only(check) is not None), check.id
    assert bridge.nhilint_only(catalogue.load()["NHI001"])
    assert bridge.check_id("NHI201") == "CKV_NHI_201"


def test_docs_map_every_rule() -> None:
    text = (ROOT / "docs" / "checkov.md").read_text(encoding="utf-8")
    table = text.split("<!-- ids:start -->\n", 1)[-1].split("<!-- ids:end -->", 1)[0]
    assert table == bridge.id_table(), (
        "docs/checkov.md is stale: paste `python -c 'from nhilint.integrations.checkov import id_table; "
        "print(id_table())'` between its ids markers"
    )
    for check in catalogue.load().values():
        assert check.id in table


def test_terraform_findings_are_reported_per_file_of_the_module(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text(
        'variable "key" {\n  default = "AKIAQ7XZ3KWP5RJ2TM4V"\n}\n', encoding="utf-8"
    )
    main = tmp_path / "main.tf"
    main.write_text('resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n', encoding="utf-8")
    in_variables = bridge.findings_in(tmp_path / "variables.tf", "terraform")
    assert [(f.rule_id, f.loc.line) for f in in_variables if f.rule_id == "NHI101"] == [("NHI101", 2)]
    assert all(f.loc.file == "variables.tf" for f in in_variables)
    assert bridge.failures(tmp_path / "variables.tf", "terraform", "NHI101", bridge.Lines(1, 3)) != []
    assert bridge.failures(tmp_path / "variables.tf", "terraform", "NHI101", bridge.Lines(3, 9)) == []
    assert all(f.loc.file == "main.tf" for f in bridge.findings_in(main, "terraform"))


def test_suppressed_findings_do_not_fail_checks(tmp_path: Path) -> None:
    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: git\nstringData:\n"
        "  token: ghp_9Kx2LmQ7vR4tY8wZ1nB5cD3fG6hJ0kP2sT4u"
    )
    (tmp_path / "plain.yaml").write_text(secret + "\n", encoding="utf-8")
    (tmp_path / "ignored.yaml").write_text(
        secret + "  # nhilint: ignore[NHI101] rotated test token\n", encoding="utf-8"
    )
    assert [f.rule_id for f in bridge.findings_in(tmp_path / "plain.yaml", "kubernetes")] == ["NHI101"]
    assert bridge.findings_in(tmp_path / "ignored.yaml", "kubernetes") == []


def test_resolve_finds_files_checkov_names_relative_to_its_directory(tmp_path: Path) -> None:
    target = tmp_path / "modules" / "iam" / "main.tf"
    target.parent.mkdir(parents=True)
    target.write_text("", encoding="utf-8")
    assert bridge.resolve("/modules/iam/main.tf", ["-o", "json", "-d", str(tmp_path)]) == target
    assert bridge.resolve("/modules/iam/main.tf", [f"--directory={tmp_path}"]) == target
    assert bridge.resolve(str(target), []) == target
    assert bridge.resolve("/modules/iam/missing.tf", ["-d", str(tmp_path)]) is None


def test_the_bridge_never_imports_hcl2() -> None:
    # checkov's bc-python-hcl2 owns the top-level `hcl2` package: nhilint must not touch it
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from nhilint.integrations.checkov import findings_in\n"
        f"assert findings_in(Path({str(FIXTURES / 'insecure/terraform/aws/main.tf')!r}), 'terraform')\n"
        "assert 'hcl2' not in sys.modules, 'hcl2 was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# --- parity with a real checkov, installed with nhilint in a separate environment -----------------------

NETWORK_ERRORS = (
    "NewConnectionError",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Failed to establish a new connection",
    "No matching distribution found for checkov",
)


CHECKOV_CONSTRAINTS = ROOT / "constraints" / "checkov.txt"


def _checkov_venv() -> Path:
    """A venv with the pinned checkov and this checkout (not editable), reused across runs while the pins
    are unchanged. Installs come from the package index only; checkov itself runs offline."""
    cache = USER_CACHE
    pins = hashlib.sha256(CHECKOV_CONSTRAINTS.read_bytes()).hexdigest()[:12]
    venv = cache / "nhilint-test" / f"checkov-venv-{pins}"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    pip += ["-c", str(CHECKOV_CONSTRAINTS)]
    if not (venv / "bin" / "checkov").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
        done = subprocess.run([*pip, "checkov"], capture_output=True, text=True, timeout=1800)
        if done.returncode:
            if any(e in done.stderr for e in NETWORK_ERRORS):
                missing_tool(f"PyPI is unreachable, cannot install checkov: {done.stderr.strip()[-300:]}")
            pytest.fail(f"pip install checkov failed:\n{done.stderr}")
    done = subprocess.run([*pip, str(ROOT)], capture_output=True, text=True, timeout=1800)
    if done.returncode and any(e in done.stderr for e in NETWORK_ERRORS):
        missing_tool(
            f"PyPI is unreachable, cannot install nhilint's dependencies: {done.stderr.strip()[-300:]}"
        )
    assert done.returncode == 0, done.stderr
    # the current code, even when the version number did not change
    done = subprocess.run(
        [*pip, "--force-reinstall", "--no-deps", str(ROOT)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return venv


def _checkov_records(venv: Path) -> list[dict]:
    checks_dir = subprocess.run(
        [str(venv / "bin" / "nhilint"), "checkov-dir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert checks_dir.startswith(str(venv)), "checkov must load the installed nhilint, not this checkout"
    done = subprocess.run(
        [
            str(venv / "bin" / "checkov"),
            "-d",
            str(FIXTURES / "insecure"),  # absolute: checkov misplaces relative Kubernetes paths
            "--external-checks-dir",
            checks_dir,
            "--check",
            "CKV_NHI_*",
            "-o",
            "json",
            "--compact",
            "--skip-download",  # no Bridgecrew/Prisma platform calls
        ],
        cwd=ROOT,
        # no PyPI version check, and no platform key that would make it call Prisma Cloud
        env={k: v for k, v in os.environ.items() if k != "BC_API_KEY"}
        | {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert "Failed to run check CKV_NHI" not in done.stderr, done.stderr
    reports = json.loads(done.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    records = []
    for report in reports:
        for status in ("failed_checks", "passed_checks"):
            for record in report.get("results", {}).get(status, []):
                assert record["check_id"].startswith("CKV_NHI_"), record["check_id"]
                records.append(
                    {**record, "failed": status == "failed_checks", "check_type": report["check_type"]}
                )
    return records


def _nhilint_findings(venv: Path) -> list[dict]:
    done = subprocess.run(
        [str(venv / "bin" / "nhilint"), "scan", "fixtures/insecure", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return [f for f in json.loads(done.stdout)["findings"] if not f.get("suppressed")]


def _inside(record: dict, path: Path, line: int) -> bool:
    start, end = record["file_line_range"]
    return Path(record["file_abs_path"]).resolve() == path and start <= line <= end


def _outside_every_resource(path: Path, line: int) -> bool:
    """Whether `line` is in a part of the file checkov has no resource for (Terraform variables and
    locals, CloudFormation parameters and outputs), read with nhilint's own parsers."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".tf":
        body, _ = parse_hcl(text)
        block = next((b for b in body.blocks if b.pos.line <= line <= b.end_line), None)
        return block is None or block.type not in ("resource", "data", "provider", "module")
    if "Resources" not in text:  # not a CloudFormation template (a workflow, an MCP config): no resources
        return True
    template = parse_json(text) if path.suffix == ".json" else parse_yaml(text, tags="cloudformation")[0]
    sections = sorted((template.kpos(key).line, key) for key in template)
    return [key for start, key in sections if start <= line][-1] != "Resources"


@pytest.mark.slow
def test_checkov_reports_exactly_nhilints_per_resource_findings() -> None:
    venv = _checkov_venv()
    records = _checkov_records(venv)
    bridged = {c.id for c in bridge.bridged_rules()}
    everything = _nhilint_findings(venv)
    # suppressed in source (`# nhilint: ignore`, `nhilint.io/ignore`): neither tool reports them
    findings = [f for f in everything if f["rule_id"] in bridged and not f["suppressed"]]
    unparsable = {f["file"] for f in everything if f["rule_id"] == "NHI001"}  # checkov skips these files
    assert findings, "the insecure fixtures should raise bridged rules"

    uncovered = []
    for finding in findings:
        path, line, wanted = (
            (ROOT / finding["file"]).resolve(),
            finding["line"],
            bridge.check_id(finding["rule_id"]),
        )
        resources = [r for r in records if _inside(r, path, line)]
        if not resources:
            uncovered.append(finding)
            continue
        assert any(r["failed"] and r["check_id"] == wanted for r in resources), (
            f"{finding['file']}:{line} {finding['rule_id']} is not a failed {wanted} in checkov"
        )
    for finding in uncovered:  # only where checkov has no resource to attach a result to
        assert finding["file"] in unparsable or _outside_every_resource(
            ROOT / finding["file"], finding["line"]
        ), finding

    for record in (r for r in records if r["failed"]):
        path = Path(record["file_abs_path"]).resolve()
        assert any(
            bridge.check_id(f["rule_id"]) == record["check_id"]
            and _inside(record, (ROOT / f["file"]).resolve(), f["line"])
            for f in findings
        ), f"{record['check_id']} failed on {record['resource']} in {path} without an nhilint finding"
    failed_types = {r["check_type"] for r in records if r["failed"]}
    assert failed_types >= {"terraform", "cloudformation", "kubernetes", "github_actions", "gitlab_ci"}
