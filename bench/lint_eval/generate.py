"""`python -m bench.lint_eval.generate`: write bench/lint_eval/cases.jsonl (deterministic).

Labelled by construction: a clean skeleton (skeletons.py) passes; splicing in a violation
(phrases.py) blocks it under the violation's categories; a hard negative keeps it passing.
The held-out split is chosen per *phrasing* (a stable hash of the sentence), so every case
built from a held-out sentence is held out, whatever its locale, kind or obfuscation: the
held-out figures measure phrasings the rules were not tuned on.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.lint_eval.hand import HAND_CASES
from bench.lint_eval.phrases import NEGATIVES, TRACKING_GROUPS, VIOLATIONS
from bench.lint_eval.skeletons import (
    AMOUNTS,
    CARRIERS,
    DATES,
    ITEMS,
    NAMES,
    ORDER_PREFIX,
    SKELETONS,
)

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases.jsonl"
SEED = 20261205
HOLDOUT_SHARE = 30  # percent
LOCALES = ("en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "it-IT")
FREE_TEXT = (
    "shipment_confirmation",
    "unavailability_notice",
    "return_confirmation",
    "product_info",
    "product_info",  # replies to buyers' questions go out as product_info
)
VARIANTS_PER_VIOLATION = 5
VARIANTS_PER_NEGATIVE = 4
CLEAN_PER_SKELETON = 4

# look-alike letters (Cyrillic) and full-width forms, as spammers use them to dodge filters
_LOOKALIKE = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с"})


def split_of(key: str) -> str:
    return "holdout" if zlib.crc32(key.encode()) % 100 < HOLDOUT_SHARE else "tune"


def _fullwidth(word: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def obfuscate(sentence: str, how: str, rng: random.Random) -> str:
    if how == "plain":
        return sentence
    if how == "curly":
        return sentence.replace("'", "\u2019").replace('"', "\u201c")
    if how == "caps":
        return sentence.upper()
    if how == "nbsp":
        return sentence.replace(" ", "\u00a0", 3)
    words = sentence.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    if how == "lookalike":
        words[longest] = words[longest].translate(_LOOKALIKE)
    elif how == "fullwidth":
        words[longest] = _fullwidth(words[longest])
    return " ".join(words)


OBFUSCATIONS = ("plain", "plain", "curly", "caps", "nbsp", "lookalike", "fullwidth")


def _order_id(locale: str, rng: random.Random) -> str:
    return f"{ORDER_PREFIX[locale]}{rng.randint(1, 9)}-{rng.randint(10**6, 10**7 - 1)}-{rng.randint(10**6, 10**7 - 1)}"


def _slots(locale: str, rng: random.Random) -> dict[str, Any]:
    carrier, trk = rng.choice(CARRIERS[locale])
    return {
        "name": rng.choice(NAMES[locale]),
        "oid": _order_id(locale, rng),
        "qty": rng.randint(1, 3),
        "item": rng.choice(ITEMS[locale[:2]]),
        "carrier": carrier,
        "trk": trk,
        "date": rng.choice(DATES[locale]),
        "amount": rng.choice(AMOUNTS[locale]),
    }


def _compose(
    locale: str, kind: str, rng: random.Random, inserts: list[str], slots: dict[str, Any]
) -> tuple[str, str]:
    subject, opening, core, closing = rng.choice(SKELETONS[locale][kind])
    parts = [opening, core, closing]
    for text in inserts:
        # before the closing (most common), after the opening, or on a line of its own
        where = rng.choice(("before_closing", "before_closing", "after_opening", "own_line"))
        if where == "after_opening":
            parts.insert(1, text)
        elif where == "own_line":
            parts.insert(len(parts) - 1, "\n\n" + text + "\n\n")
        else:
            parts.insert(len(parts) - 1, text)
    body = " ".join(parts).replace(" \n\n", "\n\n").replace("\n\n ", "\n\n")
    return subject.format(**slots), body.format(**slots)


def _case(cid: str, locale: str, kind: str, subject: str, body: str, cats: list[str],
          split: str, source: str, variant: str, phrase: str = "") -> dict[str, Any]:  # fmt: skip
    out = {
        "id": cid,
        "kind": kind,
        "locale": locale,
        "subject": subject,
        "body": body,
        "expected": "block" if cats else "pass",
        "categories": sorted(set(cats)),
        "split": split,
        "source": source,
        "variant": variant,
    }
    if phrase:
        out["phrase"] = phrase  # the spliced-in sentence as written, before obfuscation
    return out


def _fill(sentence: str, slots: dict[str, Any]) -> str:
    return sentence.replace("{item}", str(slots["item"]))


def generate() -> Iterator[dict[str, Any]]:
    rng = random.Random(SEED)
    n = 0

    def next_id(locale: str) -> str:
        nonlocal n
        n += 1
        return f"g-{locale}-{n:05d}"

    for locale in LOCALES:
        lang = locale[:2]
        violations = [*VIOLATIONS[lang], *VIOLATIONS.get(locale, [])]
        negatives = [*NEGATIVES[lang], *NEGATIVES.get(locale, [])]

        # clean skeletons: every kind, every skeleton
        for kind, skeletons in SKELETONS[locale].items():
            for _ in range(CLEAN_PER_SKELETON * len(skeletons)):
                slots = _slots(locale, rng)
                cid = next_id(locale)
                subject, body = _compose(locale, kind, rng, [], slots)
                yield _case(cid, locale, kind, subject, body, [], split_of(cid), "clean", "plain")

        # tracking numbers in groups, as printed on labels
        for carrier, grouped in TRACKING_GROUPS[locale]:
            for _ in range(2):
                slots = _slots(locale, rng) | {"carrier": carrier, "trk": grouped}
                cid = next_id(locale)
                subject, body = _compose(locale, "shipment_confirmation", rng, [], slots)
                yield _case(cid, locale, "shipment_confirmation", subject, body, [],
                            split_of(f"{locale}|{grouped}"), "tracking_group", "plain")  # fmt: skip

        for sentence, kinds in negatives:
            split = split_of(f"{lang}|{sentence}")
            for _ in range(VARIANTS_PER_NEGATIVE):
                kind = rng.choice(kinds or FREE_TEXT)
                how = rng.choice(("plain", "plain", "curly", "nbsp"))
                slots = _slots(locale, rng)
                text = obfuscate(_fill(sentence, slots), how, rng)
                subject, body = _compose(locale, kind, rng, [text], slots)
                yield _case(next_id(locale), locale, kind, subject, body, [], split,
                            "negative", how, sentence)  # fmt: skip

        for cats, sentence in violations:
            split = split_of(f"{lang}|{sentence}")
            for _ in range(VARIANTS_PER_VIOLATION):
                kind = rng.choice((*FREE_TEXT, "review_request"))
                how = rng.choice(OBFUSCATIONS)
                slots = _slots(locale, rng)
                inserts = [obfuscate(_fill(sentence, slots), how, rng)]
                all_cats = list(cats)
                # one case in six also carries a hard negative: the violation must still be
                # found, and only under its own categories
                if rng.random() < 1 / 6:
                    neg, kinds = rng.choice(negatives)
                    if kinds is None or kind in kinds:
                        inserts.append(_fill(neg, slots))
                        rng.shuffle(inserts)
                subject, body = _compose(locale, kind, rng, inserts, slots)
                yield _case(next_id(locale), locale, kind, subject, body, all_cats, split,
                            "violation", how, sentence)  # fmt: skip

    for i, hand in enumerate(HAND_CASES, start=1):
        cid = f"h-{i:04d}"
        yield _case(cid, hand["locale"], hand["kind"], hand["subject"], hand["body"],
                    list(hand["categories"]), split_of(f"hand|{hand['body']}"), "hand",
                    "plain")  # fmt: skip


def main() -> None:
    rows = list(generate())
    CASES.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    hold = sum(r["split"] == "holdout" for r in rows)
    print(f"{CASES}: {len(rows)} cases ({hold} held out)")


if __name__ == "__main__":
    main()
