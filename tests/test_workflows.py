"""The GitHub workflows: valid against GitHub's workflow schema, and shaped as the README says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml")) + sorted(
    (ROOT / "templates" / "classroom" / ".github" / "workflows").glob("*.yml")
)
CHECKER = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))


def load(name: str) -> dict:
    return yaml.safe_load(next(p for p in WORKFLOWS if p.name == name).read_text())


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow__is_valid_against_githubs_schema(workflow):
    assert CHECKER, "check-jsonschema is a dev dependency"
    run = subprocess.run(
        [CHECKER, "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_class_workflow__shards_across_a_matrix_and_merges_at_the_end():
    jobs = load("grade-class.yml")["jobs"]
    assert "shard" in jobs["grade"]["strategy"]["matrix"]
    grade_steps = " ".join(s.get("run", "") for s in jobs["grade"]["steps"])
    assert "--shard" in grade_steps and "upload-artifact" in str(jobs["grade"]["steps"])
    assert jobs["merge"]["needs"] == "grade"
    merge_steps = " ".join(s.get("run", "") for s in jobs["merge"]["steps"])
    assert "autograder merge" in merge_steps and "autograder feedback" in merge_steps


def test_class_workflow__takes_submissions_from_outside_git_and_inputs_only_through_env():
    workflow = load("grade-class.yml")
    assert workflow["permissions"] == {"contents": "read", "actions": "read"}
    assert "grade-class-" in workflow["concurrency"]["group"]
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            assert "inputs." not in step.get("run", ""), "inputs reach scripts through env, never inline"
    fetch = " ".join(s.get("run", "") for s in workflow["jobs"]["grade"]["steps"])
    assert "gh release download" in fetch and "gh run download" in fetch
    setups = [s for j in workflow["jobs"].values() for s in j["steps"] if "setup-python" in s.get("uses", "")]
    assert all(s["with"].get("cache-dependency-path") == "requirements/ci.lock" for s in setups)


def test_student_template__keeps_the_hidden_tests_out_of_sight():
    steps = load("grade.yml")["jobs"]["grade"]["steps"]
    text = yaml.safe_dump(steps)
    assert "RUNNER_TEMP/course" in text, "the course is cloned outside the workspace"
    uploads = [s for s in steps if "upload-artifact" in s.get("uses", "")]
    assert not uploads, "nothing is uploaded"
    assert not any(word in text for word in ("cat ", "ls ", "tree ")), "the course is never listed or printed"
    assert steps[-1]["run"].startswith("rm -rf") and steps[-1]["if"] == "always()"
    secret_steps = [s for s in steps if "secrets." in yaml.safe_dump(s)]
    assert len(secret_steps) == 1 and "/dev/null" not in secret_steps[0]["run"], "clone errors are shown"
    assert "s/${TOKEN" in secret_steps[0]["run"], "the token is masked in what is shown"
    setup = next(s for s in steps if "setup-python" in s.get("uses", ""))
    assert "cache" not in setup.get("with", {}), "no pip cache keyed on a file a student repo lacks"
    assert "GITHUB_STEP_SUMMARY" in text
