"""`nhilint fix`, `scan --fix/--unsafe-fixes/--diff` end to end: real subprocess runs on real files,
with the registered fixers (NHI303's lifetime fix is safe, NHI401's token-mount fix unsafe)."""

from __future__ import annotations

import json
import os
import stat
from datetime import date, timedelta
from pathlib import Path

from nhilint import catalogue
from nhilint.fixes.registry import FIXERS

from .conftest import run_cli

# A pod on the default ServiceAccount (NHI401, unsafe fix) with a day-long projected token (NHI303,
# safe fix); comments and odd spacing that every fix must keep.
POD = """\
# the web pod
apiVersion: v1
kind: Pod
metadata:
  name: web   # keep this comment
  namespace: shop
spec:
  containers:
    - name: app
      image: registry.example.com/web:1.0
      volumeMounts:
        - name: tok
          mountPath: /var/run/secrets/tokens
  volumes:
    - name: tok
      projected:
        sources:
          - serviceAccountToken:
              path: token
              expirationSeconds:    86400   # a day
"""
POD_SAFE_FIXED = POD.replace("expirationSeconds:    86400", "expirationSeconds:    3600")
POD_ALL_FIXED = POD_SAFE_FIXED.replace(
    "spec:\n  containers:", "spec:\n  automountServiceAccountToken: false\n  containers:"
)


def pod(tmp_path: Path, text: str = POD, rel: str = "k8s/pod.yaml") -> Path:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


def test_a_scan_marks_what_nhilint_fix_fixes(tmp_path: Path) -> None:
    pod(tmp_path)
    text = run_cli("scan", ".", cwd=tmp_path)
    assert text.returncode == 1, text.stderr
    assert "warning NHI303 [*] credential-ttl-too-long" in text.stdout
    assert "warning NHI401 default-service-account" in text.stdout  # unsafe: not marked by default
    assert "\n[*] 1 fixable with `nhilint fix` (1 more with `nhilint fix --unsafe-fixes`)\n✖ " in text.stdout
    assert text.stdout.splitlines()[-1].startswith("✖ 2 findings")  # the verdict stays the last line
    concise = run_cli("scan", ".", "-f", "concise", "--unsafe-fixes", cwd=tmp_path)
    assert "k8s/pod.yaml:7:1: NHI401 [*] [warning]" in concise.stdout
    assert "k8s/pod.yaml:20:15: NHI303 [*] [warning]" in concise.stdout
    assert "\n[*] 2 fixable with `nhilint fix --unsafe-fixes`\n✖ 2 findings" in concise.stdout
    document = json.loads(run_cli("scan", ".", "-f", "json", cwd=tmp_path).stdout)
    assert {f["rule_id"]: f["fix"] for f in document["findings"]} == {"NHI303": "safe", "NHI401": "unsafe"}
    assert (tmp_path / "k8s" / "pod.yaml").read_text() == POD  # a scan writes nothing


def test_fix_applies_the_safe_fixes_and_reports_what_is_left(tmp_path: Path) -> None:
    path = pod(tmp_path)
    fixed = run_cli("fix", ".", cwd=tmp_path)
    assert path.read_text() == POD_SAFE_FIXED
    assert fixed.returncode == 1, fixed.stderr  # NHI401 (a warning) is left: its fix is unsafe
    assert "NHI303" not in fixed.stdout and "warning NHI401 default-service-account" in fixed.stdout
    assert (
        "Fixed 1 finding in 1 file\n1 fixable with `nhilint fix --unsafe-fixes`\n✖ 1 finding" in fixed.stdout
    )
    assert fixed.stderr == ""

    again = run_cli("fix", ".", cwd=tmp_path)  # idempotent: nothing left to fix, exit by the findings
    assert path.read_text() == POD_SAFE_FIXED
    assert again.returncode == 1 and "Fixed 0 findings in 0 files" in again.stdout


def test_unsafe_fixes_apply_too_and_print_what_is_left_to_do_by_hand(tmp_path: Path) -> None:
    path = pod(tmp_path)
    fixed = run_cli("scan", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert path.read_text() == POD_ALL_FIXED
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Fixed 2 findings in 1 file\n✓ no findings in 1 file scanned" in fixed.stdout
    assert fixed.stderr.startswith("nhilint: fixed k8s/pod.yaml: ")  # the automount fix's advice
    assert "serviceAccountName" in fixed.stderr


def test_the_same_advice_is_printed_once_with_every_file_it_concerns(tmp_path: Path) -> None:
    for rel in ("a/pod.yaml", "b/pod.yaml"):
        pod(tmp_path, rel=rel)
    fixed = run_cli("fix", "--unsafe-fixes", cwd=tmp_path)
    assert fixed.stderr.startswith("nhilint: fixed a/pod.yaml, b/pod.yaml: ")
    assert fixed.stderr.count("nhilint: fixed") == 1 and fixed.stderr.count("serviceAccountName") == 1


def test_diff_prints_the_fixes_and_writes_nothing(tmp_path: Path) -> None:
    path = pod(tmp_path)
    before = path.stat()
    diff = run_cli("scan", ".", "--diff", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    assert diff.stdout == (
        "--- a/k8s/pod.yaml\n+++ b/k8s/pod.yaml\n@@ -17,4 +17,4 @@\n"
        "         sources:\n           - serviceAccountToken:\n               path: token\n"
        "-              expirationSeconds:    86400   # a day\n"
        "+              expirationSeconds:    3600   # a day\n"
    )
    assert diff.stderr == "nhilint: would fix 1 finding in 1 file\n"
    assert path.read_text() == POD and path.stat().st_mtime_ns == before.st_mtime_ns
    assert (
        "+  automountServiceAccountToken: false\n"
        in run_cli("fix", "--diff", "--unsafe-fixes", cwd=tmp_path).stdout
    )
    assert path.read_text() == POD

    run_cli("fix", "--unsafe-fixes", cwd=tmp_path)
    clean = run_cli("fix", ".", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "nhilint: nothing to fix\n")


def test_diff_of_a_file_outside_the_working_directory_names_it_once_under_a_and_b(tmp_path: Path) -> None:
    path = pod(tmp_path / "repo")
    (tmp_path / "elsewhere").mkdir()
    diff = run_cli("fix", "--diff", str(tmp_path / "repo"), cwd=tmp_path / "elsewhere")
    assert diff.returncode == 1, diff.stderr
    name = str(path).lstrip("/")
    assert diff.stdout.startswith(f"--- a/{name}\n+++ b/{name}\n@@ "), diff.stdout


def test_a_crlf_file_with_a_bom_stays_so_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + POD.replace("\n", "\r\n").encode())
    path.chmod(0o640)
    assert run_cli("fix", "--unsafe-fixes", cwd=tmp_path).returncode == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + POD_ALL_FIXED.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["pod.yaml"]  # no temporary file left beside it


def test_only_the_files_under_paths_are_edited(tmp_path: Path) -> None:
    """The pre-commit hook's `--context .`: the repository is read, only the named files are fixed."""
    staged, other = pod(tmp_path, rel="staged.yaml"), pod(tmp_path, rel="other/pod.yaml")
    fixed = run_cli("fix", "--context", ".", "--", "staged.yaml", cwd=tmp_path)
    assert (staged.read_text(), other.read_text()) == (POD_SAFE_FIXED, POD)
    assert "Fixed 1 finding in 1 file" in fixed.stdout
    run_cli("fix", "other/pod.yaml", cwd=tmp_path)
    assert other.read_text() == POD_SAFE_FIXED


def test_a_symbolic_link_is_reported_but_never_replaced_by_a_file(tmp_path: Path) -> None:
    target = pod(tmp_path, rel="real/pod.yaml")
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "pod.yaml").symlink_to(target)
    named = run_cli("fix", "linked/pod.yaml", cwd=tmp_path)  # a link named is read, and reported
    assert "linked/pod.yaml:20:15: warning NHI303 credential-ttl-too-long" in named.stdout
    assert (tmp_path / "linked" / "pod.yaml").is_symlink() and target.read_text() == POD


def test_each_file_is_fixed_with_its_own_configuration(tmp_path: Path) -> None:
    strict, default = pod(tmp_path, rel="strict/pod.yaml"), pod(tmp_path, rel="loose/pod.yaml")
    (tmp_path / "strict" / ".nhilint.yaml").write_text("max-credential-ttl-seconds: 1800\n")
    run_cli("fix", ".", cwd=tmp_path)
    assert strict.read_text() == POD.replace("expirationSeconds:    86400", "expirationSeconds:    1800")
    assert default.read_text() == POD_SAFE_FIXED


def test_the_owner_fix_writes_the_keys_the_configuration_reads(tmp_path: Path) -> None:
    """`owner-keys`/`expiry-keys` reach the fix: an `owner` tag under `owner-keys: [team]` would fix
    nothing (the finding stays, the loop runs out of rounds: an internal error)."""
    account = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: deployer  # CI\n  namespace: shop\n"
    path = pod(tmp_path, account, rel="sa.yaml")
    (tmp_path / ".nhilint.yaml").write_text(
        "owner-keys: [team]\nexpiry-keys: [review-by]\n"
        "fix:\n  owner: '@acme/platform'\n  expires-in-days: 30\n"
    )
    fixed = run_cli("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    expiry = (date.today() + timedelta(days=30)).isoformat()
    assert (
        path.read_text()
        == account + f'  annotations:\n    team: "@acme/platform"\n    review-by: "{expiry}"\n'
    )


def test_bad_use_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    path = pod(tmp_path)
    cases = [
        (("fix", "-"), {}, "fixes are written to files, not standard input"),
        (("scan", "--diff", "-"), {}, "fixes are written to files, not standard input"),
        (("scan", "--diff", "-f", "json", "."), {}, "--diff prints the fixes as a unified diff"),
        (("fix", "."), {".nhilint.yaml": "fix:\n  ownr: team-a\n"}, "did you mean 'owner'?"),
        (("fix", "."), {".nhilint.yaml": "fix:\n  aws-role-variable: 'X }} ${{ y'\n"}, "must match"),
        (("fix", "."), {".nhilint.yaml": "fix:\n  expires-in-days: 400\n"}, "beyond max-identity-lifetime"),
    ]
    for args, files, sentence in cases:
        for rel, text in files.items():
            (tmp_path / rel).write_text(text)
        run = run_cli(*args, cwd=tmp_path)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert run.stderr.startswith("nhilint: error: ") and sentence in run.stderr, run.stderr
        assert run.stderr.count("\n") == 1 and run.stdout == ""
        for rel in files:
            os.remove(tmp_path / rel)
    assert path.read_text() == POD


def test_the_catalogue_declares_the_registered_fixes() -> None:
    """Each rule's `fix:` is the safest of its registered fixers' (absent: none), so the rule docs,
    `nhilint explain` and the scan's cheap "anything fixable?" test agree with the registry."""
    safest: dict[str, str] = {}
    for fixer in FIXERS:
        for rule in fixer.rules:
            safest[rule] = "safe" if "safe" in (fixer.safety, safest.get(rule)) else "unsafe"
    declared = {rule: check.fix for rule, check in catalogue.load().items() if check.fix}
    assert declared == safest


def test_explain_says_how_to_fix() -> None:
    assert "Fix: **safe** (`nhilint fix`" in run_cli("explain", "NHI303").stdout
    assert "Fix: **unsafe** (`nhilint fix --unsafe-fixes`" in run_cli("explain", "NHI401").stdout
    assert "Fix:" not in run_cli("explain", "NHI101").stdout
