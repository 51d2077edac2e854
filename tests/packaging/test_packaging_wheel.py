"""An installed copy works outside the checkout: the wheel carries the schemas and scenarios."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_schemas_scenarios_and_the_format_schema(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("rayo_conformance-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_schemas = {f"conformance/schemas/{p.relative_to(ROOT / 'schemas')}" for p in (ROOT / "schemas").rglob("*") if p.is_file()}
    shipped_cases = {f"conformance/scenarios/{p.relative_to(ROOT / 'scenarios')}" for p in (ROOT / "scenarios").rglob("*.yaml")}
    assert shipped_schemas and shipped_schemas <= names
    assert shipped_cases and shipped_cases <= names
    assert "conformance/scenario/scenario.schema.json" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "rayo-conformance = conformance.cli:main" in text and "rayo = conformance.plugin" in text
