from pathlib import Path

import pytest

from pipeline.config import CodingSettings, ConfigError, IngestSettings, load_config


def test_real_configs_load():
    config = load_config()
    assert config.paths.raw.name == "raw"
    assert any(t.name == "Sejong Institute" for t in config.ingest.think_tanks)


def test_coding_settings_left_out_keep_the_shipped_values():
    # configs/coding.yaml is the source of truth; the defaults must not drift from it
    shipped = load_config().coding
    defaults = CodingSettings()
    for name in ("min_weight", "mixed_ratio", "approach_ratio", "model_threshold",
                 "model_variables", "assessment_threshold", "assessment_variables",
                 "approach_threshold"):
        assert getattr(defaults, name) == getattr(shipped, name), name


def test_paths_resolve_against_root(config, project):
    assert config.paths.raw == project / "data" / "raw"
    assert config.paths.processed == project / "data" / "processed"


def _edit(project: Path, name: str, text: str) -> None:
    (project / "configs" / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("ingest.yaml", "pdf_timeout_secs: 10\n", "unknown key 'pdf_timeout_secs'"),
        ("ingest.yaml", "pdf_timeout_seconds: soon\n", "pdf_timeout_seconds: expected a number"),
        ("ingest.yaml", "debris_patterns: ['(unclosed']\n", "debris_patterns[0]"),
        ("ingest.yaml", "margin_band: 0.7\n", "margin_band"),
        ("paths.yaml", "raw: [1]\n", "raw: expected a path"),
        ("think_tanks.yaml", "think_tanks:\n  - nam: X\n", "unknown key 'nam'"),
        ("coding.yaml", "approach_threshold: 1.5\n", "approach_threshold must be between"),
        ("coding.yaml", "mixed_ratio: 0.5\n", "mixed_ratio must be greater than 1"),
        ("coding.yaml", "approach_ratio: 1\n", "approach_ratio must be greater than 1"),
    ],
)
def test_bad_config_names_file_and_key(project, name, text, expected):
    _edit(project, name, text)
    with pytest.raises(ConfigError) as info:
        load_config(project / "configs", root=project)
    assert name in str(info.value)
    assert expected in str(info.value)


def test_yaml_syntax_error_names_line(project):
    _edit(project, "ingest.yaml", "margin_band: 0.1\ndebris_patterns: [\n")
    with pytest.raises(ConfigError, match=r"ingest.yaml: line \d+"):
        load_config(project / "configs", root=project)


def test_missing_config_file(project):
    (project / "configs" / "paths.yaml").unlink()
    with pytest.raises(ConfigError, match="paths.yaml: configuration file not found"):
        load_config(project / "configs", root=project)


def test_fingerprint_changes_with_text_settings_only():
    base = IngestSettings()
    assert base.fingerprint() == IngestSettings().fingerprint()
    assert base.fingerprint() != IngestSettings(margin_band=0.2).fingerprint()
    assert base.fingerprint() == IngestSettings(anonymous_folders=("x",)).fingerprint()
