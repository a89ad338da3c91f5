"""A council's configuration: loaded, checked against the DfE files, errors naming file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.council import config
from analysis.council.config import CouncilError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A repository root with the shipped councils and the DfE files."""
    shutil.copytree(paths.COUNCILS, tmp_path / "councils")
    shutil.copytree(paths.DFE, tmp_path / "data" / "raw" / "dfe")
    return tmp_path


def _write(root: Path, text: str, slug: str = "testshire") -> Path:
    folder = root / "councils" / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "council.toml").write_text(text)
    return folder / "council.toml"


GOOD = """name = "Leicester City Council"
short_name = "Leicester"
service = "Leicester City Council Fostering Service"
la_code = "856"
"""


def test_the_shipped_councils_load_with_dfe_names_regions_and_neighbours():
    coventry, leicester = config.load("coventry"), config.load("leicester")
    assert (coventry.la_code, coventry.new_la_code, coventry.region) == (
        "331",
        "E08000026",
        "West Midlands",
    )
    assert (leicester.la_code, leicester.new_la_code, leicester.region) == (
        "856",
        "E06000016",
        "East Midlands",
    )
    # the DfE's 2025 statistical-neighbour model, closest first
    assert coventry.neighbours[:3] == ("831", "852", "874")
    assert leicester.neighbours[:3] == ("821", "871", "304")
    assert config.default_slug() == "coventry" and config.load().slug == "coventry"
    assert config.available() == ["coventry", "leicester"]


def test_comparators_are_read_with_their_sources():
    retention = config.load("coventry").comparator("national_retention")
    assert (retention.value, retention.unit) == (87.0, "%")
    assert "2022/23" in retention.source
    with pytest.raises(
        CouncilError, match=r"(?s)councils/leicester/council.toml.*national_retention"
    ):
        config.load("leicester").comparator("national_retention")


def test_what_scrutiny_heard_is_quoted_only_on_pages_of_its_year_or_later():
    """Issue 13: a 2020/21 appendix quoted minutes of October 2025 (on the 2024/25 report)."""
    heard = config.load("coventry").comparator("assessment_time")
    assert "an average of 2 years from the start of assessment" in heard.label
    assert [heard.applies(y) for y in ("2020-21", "2023-24", "2024-25", "2025-26")] == [
        False,
        False,
        True,
        True,
    ]


def test_neighbours_may_be_overridden_and_are_checked(root):
    _write(root, GOOD + 'neighbours = ["821", "871"]\n')
    assert config.load("testshire", root).neighbours == ("821", "871")
    _write(root, GOOD + 'neighbours = ["821", "999"]\n')
    with pytest.raises(CouncilError, match=r"(?s)column 'neighbours', value '999'"):
        config.load("testshire", root)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + 'colour = "blue"\n', r"(?s)column 'colour'.*unknown key\(s\) colour"),
        (GOOD.replace('name = "Leicester City Council"\n', ""), r"(?s)column 'name'.*missing"),
        (GOOD.replace('"856"', '"8566"'), r"column 'la_code', value '8566'.*856 \(Leicester\)"),
        (GOOD + 'region = "West Midlands"\n', r"(?s)column 'region'.*'East Midlands'"),
        (GOOD + 'new_la_code = "E08000026"\n', r"(?s)column 'new_la_code'.*'E06000016'"),
        (GOOD + "la_code = 856\n", r"(?s)not valid TOML"),
        (GOOD.replace('"856"', "856"), r"column 'la_code', value 856: must be a str"),
        (
            GOOD + "[comparators.national]\nvalue = 87\n",
            r"(?s)comparators.national.*missing 'unit'",
        ),
        (GOOD + "[extracts.recruitment]\nmap = 1\n", r"(?s)extracts.recruitment"),
    ],
)
def test_a_bad_configuration_names_the_file_and_key(root, text, message):
    _write(root, text)
    with pytest.raises(CouncilError, match="(?s)" + message) as error:
        config.load("testshire", root)
    assert str(error.value).startswith("councils/testshire/council.toml")


def test_an_unknown_council_lists_those_configured(root):
    with pytest.raises(CouncilError, match=r"(?s)no council 'york'.*coventry, leicester"):
        config.load("york", root)


def test_an_unreadable_file_is_an_error_naming_it(root):
    path = _write(root, GOOD)
    path.write_bytes(b"\xff\xfe not text")
    with pytest.raises(
        CouncilError, match=r"(?s)councils/testshire/council.toml: (cannot be read|not valid)"
    ):
        config.load("testshire", root)


def test_no_default_council_is_an_error_naming_the_settings(root):
    (root / "councils" / "settings.toml").write_text("# nothing\n")
    with pytest.raises(CouncilError, match=r"(?s)councils/settings.toml, column 'default'"):
        config.load(None, root)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace('"Leicester City Council"', '"  "', 1), r"column 'name'.*missing or empty"),
        (GOOD + 'neighbours = ["856", "821"]\n', r"column 'neighbours'.*itself"),
        (GOOD + 'neighbours = ["821", "821"]\n', r"column 'neighbours'.*twice"),
        (GOOD + "neighbours = []\n", r"column 'neighbours'.*empty list"),
        (
            GOOD + '[comparators.x]\nvalue = true\nunit = "%"\nlabel = "x"\nsource = "y"\n'
            'year = "2022-23"\n',
            r"comparators.x.value",
        ),
        (
            GOOD + '[comparators.x]\nvalue = 87\nunit = "%"\nlabel = "x"\nsource = "y"\n',
            r"comparators.x.*missing 'year'",
        ),
        (
            GOOD + '[comparators.x]\nvalue = 87\nunit = "%"\nlabel = "x"\nsource = "y"\n'
            'year = "2022"\n',
            r"comparators.x.year.*financial year",
        ),
    ],
)
def test_quiet_mistakes_in_a_configuration_are_errors(root, text, message):
    _write(root, text)
    with pytest.raises(CouncilError, match="(?s)" + message):
        config.load("testshire", root)


@pytest.mark.parametrize("slug", ["../councils/coventry", "Coventry", "a b"])
def test_a_council_is_named_by_its_folder_only(root, slug):
    with pytest.raises(CouncilError, match="lower-case letters"):
        config.load(slug, root)


def test_the_settings_are_checked(root):
    settings = root / "councils" / "settings.toml"
    settings.write_text('default = "york"\n')
    with pytest.raises(CouncilError, match=r"(?s)councils/settings.toml, column 'default'.*york"):
        config.load(None, root)
    settings.write_text('default = "coventry"\ncolour = 1\n')
    with pytest.raises(CouncilError, match=r"column 'colour'"):
        config.load(None, root)


SUFFICIENCY = """
[sufficiency]
target = 250
measure = "filled places"
by = "2026-27"
stated_in = "2024-25"
source = "Sufficiency strategy 2024"
"""


def test_a_sufficiency_target_is_read_with_its_source(root):
    target = config.load("coventry").sufficiency
    assert (target.target, target.measure, target.by, target.stated_in) == (
        299,
        "filled places",
        "2023-24",
        "2022-23",
    )
    assert "Annual Report 2022/23" in target.source and "299 by 31/3/24" in target.source
    assert config.load("leicester").sufficiency is None  # optional: none is set
    _write(root, GOOD + SUFFICIENCY)
    assert config.load("testshire", root).sufficiency.target == 250


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("target = 250", "target = 250\nweight = 1"), r"sufficiency.*unknown key\(s\) weight"),
        (('source = "Sufficiency strategy 2024"\n', ""), r"sufficiency.*missing 'source'"),
        (("target = 250", 'target = "250"'), r"sufficiency.target', value '250': wrong type"),
        (("target = 250", "target = 0"), r"sufficiency.target', value 0: must be a positive"),
        (('"filled places"', '"children"'), r"sufficiency.measure', value 'children'.*one of"),
        (('by = "2026-27"', 'by = "2026"'), r"sufficiency.by', value '2026'.*financial year"),
        (('"Sufficiency strategy 2024"', '" "'), r"sufficiency.source.*must name where"),
    ],
)
def test_a_bad_sufficiency_target_names_the_key(root, change, message):
    _write(root, GOOD + SUFFICIENCY.replace(*change))
    with pytest.raises(CouncilError, match="(?s)" + message):
        config.load("testshire", root)
