"""``order-kit catalog load``: strict CSV validation, then the items the api function reads
(written to a moto table and read back through ``orders.catalog.PriceCatalog``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from kit.cli import main
from kit.price_catalog import CatalogFileError, parse_price_file

HEADER = "sku,currency,unitPrice\n"


def test_a_valid_file_is_parsed_to_prices_per_sku() -> None:
    prices = parse_price_file(HEADER + "BOOK-1,EUR,30\nBOOK-1,USD,32.5\nMUG-2,EUR,9.90\n")
    assert prices == {
        "BOOK-1": {"EUR": Decimal("30.00"), "USD": Decimal("32.50")},
        "MUG-2": {"EUR": Decimal("9.90")},
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("sku,price\nA-1,1\n", "line 1: the header must be sku,currency,unitPrice"),
        ("", "line 1: the header must be"),
        (HEADER, "the file has no prices"),
        (HEADER + "A-1,EUR\n", "line 2: expected 3 fields, got 2"),
        (HEADER + "-bad,EUR,1\n", "line 2: sku '-bad' does not match"),
        (HEADER + "A-1,JPY,1\n", "line 2: currency 'JPY' is not one orders accept"),
        (HEADER + "A-1,EUR,abc\n", "line 2: unitPrice 'abc' is not a decimal number"),
        (HEADER + "A-1,EUR, 1\n", "line 2: unitPrice ' 1' is not a decimal number"),
        (HEADER + "A-1,EUR,NaN\n", "line 2: unitPrice 'NaN' is not a decimal number"),
        (HEADER + "A-1,EUR,0\n", "line 2: unitPrice '0' must be above 0"),
        (HEADER + "A-1,EUR,1000000.01\n", "must be above 0 and at most 1000000"),
        (HEADER + "A-1,EUR,0.001\n", "line 2: unitPrice '0.001' has more than 2 decimal places"),
        (HEADER + "A-1,EUR,1\nA-1,EUR,2\n", "line 3: a second price for sku A-1 in EUR"),
        (HEADER + 'A-1,EUR,"1\n', "not valid CSV"),
    ],
)
def test_each_invalid_file_is_refused_naming_the_line(text: str, problem: str) -> None:
    with pytest.raises(CatalogFileError) as raised:
        parse_price_file(text)
    assert any(problem in p for p in raised.value.problems), raised.value.problems


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(CatalogFileError) as raised:
        parse_price_file(HEADER + "A-1,EUR,0\nB-2,XXX,1\nC-3,EUR,1\n")
    assert [p.split(":")[0] for p in raised.value.problems] == ["line 2", "line 3"]


def test_the_command_loads_what_the_api_function_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from orders.catalog import PriceCatalog

    for name, value in {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    prices = tmp_path / "prices.csv"
    prices.write_text(HEADER + "BOOK-1,EUR,30\nBOOK-1,USD,32.5\n", encoding="utf-8")
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="prices",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"}],
        )
        assert main(["catalog", "load", str(prices), "--table", "prices"]) == 0
        assert PriceCatalog(client, "prices").prices(["BOOK-1", "NOPE"]) == {
            "BOOK-1": {"EUR": Decimal("30.00"), "USD": Decimal("32.50")}
        }
        bad = tmp_path / "bad.csv"
        bad.write_text(HEADER + "BOOK-1,EUR,0.001\n", encoding="utf-8")
        assert main(["catalog", "load", str(bad), "--table", "prices"]) == 2
        assert "line 2: unitPrice '0.001' has more than 2 decimal places" in capsys.readouterr().err
        stored = client.get_item(TableName="prices", Key={"sku": {"S": "BOOK-1"}})["Item"]
        assert stored["prices"]["M"]["EUR"] == {"N": "30.00"}
