"""An attribute or object key written twice in Terraform (which Terraform rejects) still has the
secret of its first value reported: the parser keeps it as shadowed, as the YAML and JSON parsers do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

KEY = "AKIA" + "QWERTYUIOPASDFGH"


def test_the_first_of_two_equal_attributes_or_keys_is_still_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_ssm_parameter" "p" {\n'
        '  name  = "deploy-key"\n'
        '  type  = "SecureString"\n'
        f'  value = "{KEY}"\n'
        "  value = var.deploy_key\n"
        "  tags = {\n"
        f'    note = "{KEY[::-1][:4]}{KEY[4:]}"\n'
        f'    note = "{KEY}"\n'
        '    note = "rotated"\n'
        "  }\n"
        "}\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", str(tmp_path), "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    lines = sorted(f["line"] for f in json.loads(proc.stdout)["findings"] if f["rule_id"] == "NHI101")
    assert lines == [4, 8]
    assert KEY[4:] not in proc.stdout
