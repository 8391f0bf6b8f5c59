"""The teaching notebook runs from top to bottom in a real Jupyter kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.mark.slow
def test_demo_myths_notebook_executes_and_shows_its_result():
    nb = nbformat.read(NOTEBOOKS / "demo_myths.ipynb", as_version=4)
    # The kernel runs this interpreter's environment (ipykernel's own kernel spec).
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "What to watch" in text and "one-sided paired t-test" in text
    assert "myths ended lower with contact conditions in" in text
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure was drawn"
