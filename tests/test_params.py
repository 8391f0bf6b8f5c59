"""One validated definition of every parameter, and governance presets."""

import numpy as np
import pytest

from simulation.errors import ParameterError, UserError
from simulation.governance import PRESETS, RULES
from simulation.params import PARAMS, describe, parse_assignments, validate, validate_run
from simulation.scenarios import SCENARIOS, resolve


def test_every_parameter_has_help_default_and_allowed_values():
    for p in PARAMS.values():
        assert p.help and p.group
        assert p.coerce(p.default) == p.default  # the default itself is allowed
        if p.kind in (int, float):
            assert p.low is not None and p.high is not None and p.low <= p.default <= p.high


@pytest.mark.parametrize(
    "name,value,fragment",
    [
        ("clarity", 1.5, "from 0 to 1"),
        ("clarity", "high", "from 0 to 1"),
        ("n_orgs", 2.5, "an integer"),
        ("n_orgs", 0, "from 4"),
        ("sharing_rule", "random", "proportional, equal, power"),
        ("sanctions", "maybe", "true or false"),
        ("governance", "anarchy", "six_principles"),
        ("review_interval", float("nan"), "an integer"),
        ("clarity", True, "a number"),
    ],
)
def test_bad_values_name_field_value_and_what_is_allowed(name, value, fragment):
    with pytest.raises(ParameterError) as err:
        validate({name: value})
    msg = str(err.value)
    assert name in msg and repr(value) in msg and fragment in msg


def test_unknown_parameter_suggests_close_names():
    with pytest.raises(ParameterError, match="did you mean clarity"):
        validate({"clarty": 0.5})


def test_strings_from_the_command_line_are_coerced():
    p = validate(
        parse_assignments(
            ["clarity=0.8", "sanctions=yes", "review_interval=6", "sharing_rule=equal"]
        )
    )
    assert p["clarity"] == 0.8 and p["sanctions"] is True and p["review_interval"] == 6
    assert p["sharing_rule"] == "equal"
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_assignments(["clarity"])


def test_preset_sets_rules_and_explicit_rules_win():
    p = validate({"governance": "six_principles"})
    for rule in RULES:
        assert p[rule] == PRESETS["six_principles"].rules[rule]
    q = validate({"governance": "six_principles", "review_interval": 24})
    assert q["review_interval"] == 24 and q["sanctions"] is True


def test_presets_cover_every_rule_and_differ():
    rules = [tuple(sorted(pr.rules.items())) for pr in PRESETS.values()]
    assert len(set(rules)) == len(rules) == 5
    assert set(PRESETS) == {
        "none",
        "contract",
        "six_principles",
        "leading_as_peers",
        "forced_marriage",
    }


def test_cross_field_checks():
    with pytest.raises(ParameterError, match="network_degree"):
        validate({"n_orgs": 10, "network_degree": 12})
    with pytest.raises(ParameterError, match="sector share"):
        validate({f"share_{s}": 0 for s in ("public", "private", "third", "community")})


def test_cross_field_checks_of_the_mechanism_constants():
    for low, high in (("red_line_low", "red_line_high"), ("skill_low", "skill_high")):
        with pytest.raises(ParameterError, match=rf"^{low} = 0.7 .*at most {high} \(0.5\)"):
            validate({low: 0.7, high: 0.5})
        assert validate({low: 0.5, high: 0.5})[low] == 0.5  # a single value is allowed
    with pytest.raises(ParameterError, match=r"first_range = 0.9 .*at most 1 - first_low \(0.8\)"):
        validate({"first_range": 0.9})
    assert validate({"first_low": 0.3, "first_range": 0.7})["first_range"] == 0.7


def test_mechanism_constants_are_parameters_the_model_reads():
    from simulation.model import CollabModel
    from simulation.params import GROUP_TITLES, GROUPS

    constants = [p for p in PARAMS.values() if p.group == "constants"]
    assert len(constants) > 60 and "constants" in GROUPS and GROUP_TITLES["constants"]
    # Set through the one validator, they reach the model: the population's draws here.
    m = CollabModel(seed=3, n_orgs=40, burn_in=0, skill_low=0.3, skill_high=0.3, min_capability=0.5)
    assert np.all(m.state.orgs.skill == 0.3) and m.state.orgs.capability.min() >= 0.5
    default = CollabModel(seed=3, n_orgs=40, burn_in=0)
    assert default.state.orgs.capability.min() < 0.5
    with pytest.raises(ParameterError, match="accept_trust = 1.5 is not allowed"):
        CollabModel(seed=3, n_orgs=40, accept_trust=1.5)


def test_the_command_line_knows_every_group():
    from simulation.cli import PARAM_GROUPS
    from simulation.params import GROUPS

    assert PARAM_GROUPS == GROUPS
    assert {p.group for p in PARAMS.values()} == set(GROUPS)


def test_run_settings_validated_like_parameters():
    assert validate_run("12", "7") == (12, 7)
    for bad in (0, -3, "ten", 1.5):
        with pytest.raises(ParameterError, match="steps"):
            validate_run(bad, 1)
    with pytest.raises(ParameterError, match="seed"):
        validate_run(10, -1)


def test_scenarios_resolve_and_unknown_scenario_is_clear():
    assert "baseline" in SCENARIOS
    for name in PRESETS:
        assert resolve(f"governance_{name}")["governance"] == name
    # a preset asked for on top of a scenario replaces the scenario's governance
    assert resolve("governance_none", {"governance": "contract"})["sanctions"] is True
    with pytest.raises(UserError, match="unknown scenario 'nope'; allowed: baseline"):
        resolve("nope")


def test_describe_lists_every_parameter_once():
    names = [r["name"] for r in describe()]
    assert sorted(names) == sorted(PARAMS)


def test_parameter_docs_are_generated_from_the_definitions():
    from pathlib import Path

    from simulation.cli import parameters_markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"
    assert doc.read_text() == parameters_markdown(describe()), (
        "docs/parameters.md is stale: run `collabsim params --markdown > docs/parameters.md`"
    )
