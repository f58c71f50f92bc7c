"""The snippets in docs/audit-proofs.md, run as an outsider would, on a real proof."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from educredit.audit.checkpoint import verifier_key
from educredit.audit.models import SequencedLeaf
from educredit.audit.sequencer import sequence_pending
from educredit.audit.tests.helpers import ACTOR, organisation_made, small_history

pytestmark = pytest.mark.django_db

DOC = Path(settings.PROJECT_DIR) / "docs" / "audit-proofs.md"


def snippet(first_line: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    return str(next(block for block in blocks if block.startswith(first_line)))


def run(script: Path, *args: str, isolated: bool = False) -> subprocess.CompletedProcess[str]:
    # -I -S: no site-packages, no environment: the proof snippet needs the standard library only.
    flags = ["-I", "-S"] if isolated else []
    return subprocess.run(  # noqa: S603
        [sys.executable, *flags, str(script), *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def proof(capsys):
    small_history()
    organisation_made("开封市教育局")  # 8 entries, then one more after the seal
    sequence_pending(actor=ACTOR)
    fifth = SequencedLeaf.objects.get(seq=5).entry_id
    call_command("audit", "prove", str(fifth))
    return json.loads(capsys.readouterr().out)


def test_the_documented_snippet_accepts_a_real_proof_and_rejects_tampered_ones(proof, tmp_path):
    script = tmp_path / "check_proof.py"
    script.write_text(snippet("# check_proof.py"), encoding="utf-8")

    def verdict(candidate) -> int:
        path = tmp_path / "proof.json"
        path.write_text(json.dumps(candidate), encoding="utf-8")
        return run(script, str(path), isolated=True).returncode

    assert verdict(proof) == 0
    entry = json.loads(proof["entry"])
    tampered = [
        {**proof, "entry": proof["entry"].replace(entry["action"], "institution.delete")},
        {**proof, "leaf_index": proof["leaf_index"] + 1},
        {**proof, "tree_size": proof["tree_size"] + 1},
        {**proof, "audit_path": proof["audit_path"][:-1]},
        {**proof, "audit_path": [*proof["audit_path"], proof["root_hash"]]},
        {**proof, "audit_path": [proof["audit_path"][1], proof["audit_path"][0]]},
        {**proof, "checkpoint": proof["checkpoint"].replace("\n8\n", "\n9\n")},
    ]
    assert [verdict(candidate) for candidate in tampered] == [1] * len(tampered)


def test_the_documented_signature_check(proof, tmp_path):
    script = tmp_path / "check_signature.py"
    script.write_text(snippet("# check_signature.py"), encoding="utf-8")
    checkpoint = tmp_path / "checkpoint.txt"
    checkpoint.write_text(proof["checkpoint"], encoding="utf-8")
    assert run(script, str(checkpoint), verifier_key()).returncode == 0
    checkpoint.write_text(proof["checkpoint"].replace("\n8\n", "\n7\n"), encoding="utf-8")
    assert run(script, str(checkpoint), verifier_key()).returncode != 0
