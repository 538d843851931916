"""The command line: JSON on stdout, line-numbered errors on stderr with status 2."""

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from pbvote.engine.cli import main, tally_file, tally_file_command

ASSEN = "Netherlands_Assen_2024.pb"
ROOT = Path(__file__).resolve().parents[2]


def test_tally_file_returns_winners_votes_decisions_and_budget(data_dir):
    data = tally_file(data_dir / ASSEN, "mes")
    assert data["rule"] == "mes" and data["budget"] == 100000
    assert data["budget_used"] == 76700
    assert data["matches_published"] is True
    assert len(data["decisions"]) == len(data["votes"]) == 14
    json.dumps(data)  # JSON-safe


def test_main_prints_json(data_dir, capsys):
    assert main([str(data_dir / ASSEN), "--rule", "greedy"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["winners"][:2] == ["3", "9"]


def test_main_reports_a_malformed_file_on_stderr_with_status_2(
    data_dir, tmp_path, capsys
):
    text = (data_dir / ASSEN).read_text(encoding="utf-8")
    path = tmp_path / "bad.pb"
    path.write_text(text.replace("budget;100000", "budget;ten"), encoding="utf-8")
    assert main([str(path), "--rule", "greedy"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "line 9: budget must be a whole number, got 'ten'" in captured.err


def test_python_dash_m_runs_the_engine(data_dir):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pbvote.engine",
            str(data_dir / ASSEN),
            "--rule",
            "mes",
            "--greedy-fill",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["details"]["greedy_fill"] is True


def test_click_command_prints_json_and_fails_with_status_2(data_dir, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(tally_file_command, [str(data_dir / ASSEN), "--rule", "mes"])
    assert ok.exit_code == 0
    assert json.loads(ok.output)["matches_published"] is True
    bad = tmp_path / "bad.pb"
    bad.write_text("PROJECTS\n", encoding="utf-8")
    failed = runner.invoke(tally_file_command, [str(bad), "--rule", "greedy"])
    assert failed.exit_code == 2
