"""Policy packs and timing rules load with errors that name the file and the key."""

import pytest

from buyer_messaging.config import ConfigError
from buyer_messaging.policies import load_pack, load_timing


def test_shipped_packs_say_which_kinds_amazon_allows():
    current = load_pack("amazon-2020")
    assert current.forbidding_rule("review_request") is None
    assert current.forbidding_rule("unavailability_notice") is None
    assert (
        current.forbidding_rule("shipment_confirmation")
        == "policy:no-proactive-shipping-confirmation"
    )
    assert (
        current.forbidding_rule("return_confirmation") == "policy:no-proactive-order-confirmation"
    )
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
    (tmp_path / "timing.yaml").write_text(
        "default_pack: amazon-2020\nkinds:\n  fax_blast: {delay_days: 1}\n"
    )
    with pytest.raises(ConfigError, match="timing.yaml: kinds: unknown kind fax_blast"):
        load_timing(tmp_path)


def test_quality_threshold_per_account():
    timing = load_timing()
    assert timing.bad_share_threshold("demo") == 0.10
    assert timing.bad_share_threshold("acme_us") == timing.max_bad_share == 0.05


def test_timing_per_marketplace_overrides_only_the_keys_it_gives(tmp_path):
    (tmp_path / "timing.yaml").write_text(
        "default_pack: amazon-2020\nkinds:\n"
        "  review_request: {delay_days: 1, stale_after_days: 9, by_marketplace: {DE: {delay_days: 3}}}\n"
    )
    timing = load_timing(tmp_path)
    assert timing.of("review_request", "DE").delay_days == 3
    assert timing.of("review_request", "DE").stale_after_days == 9
    assert timing.of("review_request", "FR").delay_days == 1
    assert timing.of("review_request").delay_days == 1


def test_a_bad_override_names_file_and_key(tmp_path):
    (tmp_path / "timing.yaml").write_text(
        "default_pack: amazon-2020\nkinds:\n  review_request: {by_marketplace: {DE: {delay_days: -2}}}\n"
    )
    with pytest.raises(
        ConfigError, match=r"timing.yaml: kinds.review_request.by_marketplace.DE.delay_days"
    ):
        load_timing(tmp_path)


def test_product_info_errors_name_file_and_key(tmp_path):
    from buyer_messaging.policies import load_product_info

    (tmp_path / "product_info.yaml").write_text("asins:\n  B0X: {text: {nl: 'Hallo'}}\n")
    with pytest.raises(ConfigError, match=r"product_info.yaml: asins.B0X.text.nl"):
        load_product_info(tmp_path)
