"""Policy packs and timing rules load with errors that name the file and the key."""

import pytest

from buyer_messaging.config import ConfigError
from buyer_messaging.policies import load_pack, load_timing


def test_shipped_packs_say_which_kinds_amazon_allows():
    current = load_pack("amazon-2020")
    assert current.forbidding_rule("review_request") is None
    assert current.forbidding_rule("unavailability_notice") is None
    assert current.forbidding_rule("shipment_confirmation") == "policy:no-proactive-shipping-confirmation"
    assert current.forbidding_rule("return_confirmation") == "policy:no-proactive-order-confirmation"
    assert load_pack("seed-2019").forbidding_rule("shipment_confirmation") is None
    assert load_timing().default_pack == "amazon-2020"
    assert load_timing().of("shipment_confirmation").stale_after_days == 2


def test_pack_errors_name_file_and_key(tmp_path):
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "mine.yaml").write_text(
        "id: mine\nversion: '1'\ntitle: t\nkinds:\n  review_request: {channel: carrier_pigeon, permitted: true}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_pack("mine", tmp_path)
    assert "mine.yaml" in str(err.value) and "kinds.review_request.channel" in str(err.value)


def test_timing_rejects_unknown_kinds(tmp_path):
    (tmp_path / "timing.yaml").write_text("default_pack: amazon-2020\nkinds:\n  fax_blast: {delay_days: 1}\n")
    with pytest.raises(ConfigError, match="timing.yaml: kinds: unknown kind fax_blast"):
        load_timing(tmp_path)


def test_quality_threshold_per_account():
    timing = load_timing()
    assert timing.bad_share_threshold("demo") == 0.10
    assert timing.bad_share_threshold("acme_us") == timing.max_bad_share == 0.05
