"""What a record must be before it reaches SQL, and what is kept of one that is not.

Every order record is checked twice before staging sees it:

* `storage_problem`: can Postgres store it at all? No NUL character (text and jsonb refuse
  it), no lone UTF-16 surrogate (not encodable as UTF-8), no NaN/Infinity (not JSON), no
  integer too long to print, not nested deeper than `MAX_DEPTH`, not larger than
  `MAX_RECORD_CHARS`. It walks the whole record, also the fields staging keeps only in `raw`.
* the pydantic models in `extract.models`: the types Amazon's OpenAPI models declare for the
  fields staging has columns for, bounded by those columns (int4, numeric(14, 2), ids short
  enough for a btree key).

A record that fails either is rejected: `rejection` keeps it in `staging.rejected_records`
with buyer PII redacted and every oversized or unstorable part cut down, under a key that is
bounded and the same on every re-run.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from decimal import Decimal
from typing import Any

MAX_DEPTH = 32
MAX_RECORD_CHARS = 1_000_000
# ints beyond this are not an order's data, and past ~4,300 digits Python cannot print them
MAX_INT_BITS = 256
# the order id as Amazon's models define it ("in 3-7-7 format"); ASCII digits only
ORDER_ID = re.compile(r"[0-9]{3}-[0-9]{7}-[0-9]{7}")

# Keys whose values are buyer PII wherever they appear (v0: BuyerInfo, ShippingAddress and
# their parts, item-level BuyerInfo; 2026-01-01: buyer, recipient and their parts).
PII_KEYS = frozenset(
    {
        "BuyerInfo", "ShippingAddress", "BuyerEmail", "BuyerName", "BuyerCounty", "BuyerTaxInfo",
        "BuyerTaxInformation", "PurchaseOrderNumber", "Name", "AddressLine1", "AddressLine2",
        "AddressLine3", "Phone", "CompanyLegalName", "BuyerCustomizedInfo", "GiftMessageText",
        "buyer", "recipient", "buyerEmail", "buyerName", "buyerCompanyName",
        "buyerPurchaseOrderNumber", "deliveryAddress", "name", "addressLine1", "addressLine2",
        "addressLine3", "phone", "companyName",
    }
)  # fmt: skip
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .\-]{0,63}")
_EMAIL = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+\.[A-Za-z]{2,}")

# what a rejected record keeps of its parts
_KEEP_CHARS = 1_000
_KEEP_ITEMS = 100
_KEEP_DEPTH = 12


def _segment(key: Any) -> str:
    text = key if isinstance(key, str) else repr(key)
    if _PLAIN.fullmatch(text):
        return text
    return short(text, 40)


def short(value: Any, limit: int = 40) -> str:
    """A bounded, printable repr of a value for an error text (never a huge or NUL-bearing one)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a {value.bit_length()}-bit integer"
    if isinstance(value, Decimal):
        value = str(value)
    if isinstance(value, str):
        text = repr(value[: limit + 1])
        return text if len(value) <= limit else f"{text[: limit + 1]}…' ({len(value)} characters)"
    if isinstance(value, (dict, list)):
        return f"a JSON {'object' if isinstance(value, dict) else 'array'} of {len(value)} entries"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _string_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (Postgres cannot store it)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone UTF-16 surrogate (not valid Unicode)"
    return None


def storage_problem(record: Any) -> tuple[str, str] | None:
    """(field path, problem) of the first part of `record` Postgres could not store, or None."""
    budget = [MAX_RECORD_CHARS]

    def walk(node: Any, path: str, depth: int) -> tuple[str, str] | None:
        if depth > MAX_DEPTH:
            return path or "(record)", f"nested deeper than {MAX_DEPTH} levels"
        if isinstance(node, str):
            budget[0] -= len(node)
            problem = _string_problem(node)
            return (path or "(record)", problem) if problem else None
        if isinstance(node, bool) or node is None:
            return None
        if isinstance(node, int):
            if node.bit_length() > MAX_INT_BITS:
                return path or "(record)", f"a {node.bit_length()}-bit integer"
            return None
        if isinstance(node, float):
            return (
                None
                if math.isfinite(node)
                else (path or "(record)", f"{node!r} is not a JSON number")
            )
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}.{_segment(key)}" if path else _segment(key)
                if not isinstance(key, str):
                    return here, "a key that is not a string"
                budget[0] -= len(key)
                problem = _string_problem(key)
                if problem:
                    return here, f"its name {problem}"
                found = walk(value, here, depth + 1)
                if found:
                    return found
                if budget[0] < 0:
                    return "(record)", f"larger than {MAX_RECORD_CHARS:,} characters"
            return None
        if isinstance(node, list):
            for index, value in enumerate(node):
                found = walk(value, f"{path}[{index}]", depth + 1)
                if found:
                    return found
                if budget[0] < 0:
                    return "(record)", f"larger than {MAX_RECORD_CHARS:,} characters"
            return None
        return path or "(record)", f"a {type(node).__name__}, not a JSON value"

    found = walk(record, "", 0)
    if found is None and budget[0] < 0:
        return "(record)", f"larger than {MAX_RECORD_CHARS:,} characters"
    return found


def mask_emails(text: str) -> str:
    return _EMAIL.sub("[e-mail]", text)


def kept(record: Any, depth: int = 0) -> Any:
    """What a rejected record keeps: buyer PII redacted (its type named), e-mail addresses
    masked, long strings, lists and objects cut, every part storable by Postgres."""
    if depth > _KEEP_DEPTH:
        return "[nested deeper: dropped]"
    if isinstance(record, str):
        text = record.replace("\x00", "\ufffd")
        if not text.isascii():
            text = text.encode("utf-8", "replace").decode("utf-8")
        if len(text) > _KEEP_CHARS:
            text = f"{text[:_KEEP_CHARS]}…[{len(text) - _KEEP_CHARS} more characters]"
        return mask_emails(text)
    if record is None or isinstance(record, bool):
        return record
    if isinstance(record, int):
        return record if record.bit_length() <= 64 else f"[{record.bit_length()}-bit integer]"
    if isinstance(record, float):
        return record if math.isfinite(record) else repr(record)
    if isinstance(record, Decimal):
        return str(record) if record.is_finite() else repr(record)
    if isinstance(record, dict):
        out: dict[str, Any] = {}
        for n, (key, value) in enumerate(record.items()):
            if n >= _KEEP_ITEMS:
                out["[more keys]"] = len(record) - _KEEP_ITEMS
                break
            name = kept(key if isinstance(key, str) else repr(key), _KEEP_DEPTH)
            if name in PII_KEYS:
                out[name] = f"[redacted {type(value).__name__}]" if value is not None else None
            else:
                out[name] = kept(value, depth + 1)
        return out
    if isinstance(record, (list, tuple)):
        items = [kept(v, depth + 1) for v in record[:_KEEP_ITEMS]]
        if len(record) > _KEEP_ITEMS:
            items.append(f"[{len(record) - _KEEP_ITEMS} more entries]")
        return items
    return kept(repr(record), depth)


def record_key(record: Any, id_field: str) -> str:
    """How a record is named: its order id when it is one of Amazon's, else a digest of its
    content (bounded, and the same on every re-run, so a re-run replaces the same rejection)."""
    value = record.get(id_field) if isinstance(record, dict) else None
    if isinstance(value, str) and ORDER_ID.fullmatch(value):
        return value
    try:
        canonical = json.dumps(record, sort_keys=True, ensure_ascii=True, default=repr)
    except (TypeError, ValueError, RecursionError):  # mixed key types, huge ints, deep nesting
        canonical = json.dumps(kept(record), sort_keys=True, ensure_ascii=True)
    return f"?{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


def bounded_key(key: str, limit: int = 200) -> str:
    """A rejection's key short enough for the table's primary key (a btree entry), stable."""
    if len(key) <= limit and not _string_problem(key):
        return key
    digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{kept(key[:40])}…#{digest}"


def column_problem(row: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, str] | None:
    """(column, problem) of a parsed staging row a column would refuse: an integer beyond
    Postgres' `integer`, an amount beyond `numeric(14, 2)`, a key column too long to index."""
    for column, value in row.items():
        if column == "raw" or value is None or isinstance(value, bool):
            continue
        if isinstance(value, int) and not -(2**31) <= value < 2**31:
            return column, f"{short(value)} does not fit a Postgres integer"
        if isinstance(value, Decimal) and (not value.is_finite() or abs(value) >= Decimal("1e12")):
            return column, f"{short(value)} does not fit numeric(14, 2)"
        if isinstance(value, str) and column in keys and len(value) > 200:
            return column, f"{len(value)} characters, a key column holds at most 200"
    return None
