"""``pbvote tally-file`` / ``python -m pbvote.engine``: JSON on stdout, line-numbered
errors on stderr with status 2, and no configuration needed at all."""

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from pbvote.engine.cli import main, tally_file, tally_file_command

ASSEN = "Netherlands_Assen_2024.pb"
GDYNIA = "Poland_Gdynia_2024_Chylonia__large.pb"
ROOT = Path(__file__).resolve().parents[2]


def test_tally_file_uses_the_declared_rule_and_compares_with_the_winners(data_dir):
    data = tally_file(data_dir / ASSEN)
    assert data["file_rule"] == "equalshares/add1" and data["rule"] == "mes"
    assert data["budget"] == 100000 and data["budget_used"] == 76700
    assert data["matches_published"] is True
    assert len(data["decisions"]) == len(data["votes"]) == 14
    json.dumps(data)  # JSON-safe


def test_the_files_threshold_applies_unless_overridden(data_dir):
    assert tally_file(data_dir / GDYNIA)["details"]["min_score"] == 50
    data = tally_file(data_dir / GDYNIA, "greedy", min_score=0)
    assert data["details"]["min_score"] == 0


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
    assert "line 9: budget must be a number" in captured.err
    assert "Traceback" not in captured.err


def test_an_unknown_rule_option_names_the_known_rules(data_dir, capsys):
    assert main([str(data_dir / ASSEN), "--rule", "borda"]) == 2
    assert "greedy-threshold" in capsys.readouterr().err


def test_click_command_prints_json_and_fails_with_status_2(data_dir, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(tally_file_command, [str(data_dir / ASSEN), "--rule", "mes"])
    assert ok.exit_code == 0
    assert json.loads(ok.output)["matches_published"] is True
    bad = tmp_path / "bad.pb"
    bad.write_text("PROJECTS\n", encoding="utf-8")
    failed = runner.invoke(tally_file_command, [str(bad), "--rule", "greedy"])
    assert failed.exit_code == 2


def run_clean(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a command with no PBVOTE_* variable, secret, database or .env."""
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        args, capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


def pbvote() -> list[str]:
    script = Path(sys.executable).parent / "pbvote"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pbvote.cli"]


def test_python_dash_m_runs_the_engine_without_configuration(data_dir, tmp_path):
    args = [sys.executable, "-m", "pbvote.engine", str(data_dir / ASSEN), "--rule"]
    completed = run_clean([*args, "mes", "--greedy-fill"], tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["details"]["greedy_fill"] is True


def test_pbvote_tally_file_runs_without_configuration(data_dir, tmp_path):
    completed = run_clean([*pbvote(), "tally-file", str(data_dir / GDYNIA)], tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["matches_published"] is True


def test_pbvote_help_lists_every_command_without_configuration(tmp_path):
    from pbvote.cli import pbvote_commands

    completed = run_clean([*pbvote(), "--help"], tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    listed = {
        line.split()[0]
        for line in completed.stdout.split("Commands:")[1].splitlines()
        if line.strip()
    }
    expected = {command.name for command in pbvote_commands()} | {"db"}
    assert expected <= listed


def test_the_app_still_refuses_to_start_without_its_secrets(tmp_path):
    completed = run_clean([*pbvote(), "worker", "--burst"], tmp_path)
    assert completed.returncode != 0
    assert "refuses to start without real secrets" in completed.stderr
    assert "Traceback" not in completed.stderr
