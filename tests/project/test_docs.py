"""The README and the CLI must agree: docs kept honest by tests."""
from __future__ import annotations

import re
import subprocess
import sys

from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_exactly_the_two_commands():
    first_block = re.search(r"```\w*\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    assert README.index("make demo") < README.index("##")


def test_makefile_has_the_documented_targets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test", "check", "screenshots"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_build_options_in_the_readme_exist():
    help_text = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], capture_output=True, text=True,
                               cwd=ROOT).stdout
    mentioned = set(re.findall(r"--(?:base-url|forms-url|data|out|today)\b", README))
    assert mentioned >= {"--base-url", "--forms-url", "--data", "--out"}
    for option in mentioned:
        assert option in help_text, option


def test_paths_in_the_readme_exist():
    for path in re.findall(r"\| `([\w./-]+/?)` \|", README):
        if "/" in path or "." in path:  # settings such as DATABASE_URL share the table style
            assert (ROOT / path).exists(), path
    for image in re.findall(r'src="(docs/screenshots/[^"]+)"', README):
        assert (ROOT / image).is_file(), image


def test_example_files_point_editors_at_the_schema():
    for name in ("officers", "roster"):
        first = (ROOT / "data" / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../schema/{name}.schema.json"
        assert (ROOT / "schema" / f"{name}.schema.json").is_file()


def test_every_rate_limit_is_documented_with_its_default():
    from forms_app.limits import DEFAULTS

    for name, default in DEFAULTS.items():
        assert f"`{name}`" in README, name
        assert f"`{default}`" in README, (name, default)


def test_flask_commands_in_the_readme_exist():
    from forms_app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "ROSTER_DIR": str(ROOT / "tests" / "fixtures" / "small")})
    commands = set(app.cli.list_commands(app.app_context()))
    mentioned = set(re.findall(r"flask --app forms_app ([a-z-]+)", README))
    assert mentioned >= {"report", "create-staff", "backup", "restore", "copy-data", "purge-expired"}
    assert mentioned - {"db"} <= commands
    assert re.search(r"^serve:", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
