"""How hard a password is to guess, with zxcvbn (offline: its word lists ship with the
package), and what to tell the person when it is too easy. No ORM: the words about the
partnership, its agencies and the person are gathered by ``validators``.

A password is judged as typed and with its spaces and punctuation taken out, whichever is
weaker: zxcvbn counts a space as a character to brute-force, so "Northshire Safeguarding
2026" would otherwise pass as strong.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from zxcvbn import zxcvbn

# zxcvbn's limit: a longer password is judged on its first 72 characters.
ZXCVBN_MAX_LENGTH = 72
# zxcvbn's scores run 0 to 4; 4 means at least 10^10 guesses.
DEFAULT_MIN_SCORE = 4

# zxcvbn's feedback, in British English and GOV.UK's style.
BRITISH = {
    "Capitalization doesn't help very much.": "Capital letters do not help much.",
    "All-uppercase is almost as easy to guess as all-lowercase.": "All capitals are almost as "
    "easy to guess as no capitals.",
    "Dates are often easy to guess.": "Dates are easy to guess.",
    "No need for symbols, digits, or uppercase letters.": "You do not need symbols, numbers "
    "or capital letters.",
    "Recent years are easy to guess.": "Recent years are easy to guess.",
    "Reversed words aren't much harder to guess.": "Words spelt backwards are not much "
    "harder to guess.",
    "Predictable substitutions like '@' instead of 'a' don't help very much.": "Swapping "
    "letters for look-alike symbols, like @ for a, does not help much.",
    "Use a few words, avoid common phrases.": "Use a few words, not a common phrase.",
    "A word by itself is easy to guess.": "A word on its own is easy to guess.",
    "Add another word or two. Uncommon words are better.": "Add another word or two: uncommon "
    "words are better.",
    "Avoid dates and years that are associated with you.": "Do not use dates or years "
    "connected with you.",
    "Avoid recent years.": "Do not use recent years.",
    "Avoid repeated words and characters.": "Do not repeat words or characters.",
    "Avoid sequences.": "Do not use sequences.",
    "Avoid years that are associated with you.": "Do not use years connected with you.",
    "Common names and surnames are easy to guess.": "Common names are easy to guess.",
    "Names and surnames by themselves are easy to guess.": "A name on its own is easy to guess.",
    'Repeats like "aaa" are easy to guess.': "Repeated letters, like aaa, are easy to guess.",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "Repeated "
    "patterns, like abcabcabc, are easy to guess.",
    'Sequences like "abc" or "6543" are easy to guess.': "Sequences, like abc or 6543, are "
    "easy to guess.",
    "Short keyboard patterns are easy to guess.": "Keyboard patterns are easy to guess.",
    "Straight rows of keys are easy to guess.": "Rows of keys are easy to guess.",
    "This is a top-10 common password.": "This is one of the most common passwords.",
    "This is a top-100 common password.": "This is a very common password.",
    "This is a very common password.": "This is a very common password.",
    "This is similar to a commonly used password.": "This is like a common password.",
    "Use a longer keyboard pattern with more turns.": "Do not use keyboard patterns.",
}
ADVICE = (
    "Use 3 or 4 unrelated words, like a short phrase only you would think of, and not the "
    "name of the partnership, an agency, Sightline or yourself."
)


@dataclass(frozen=True)
class Strength:
    score: int
    message: str


def words_from(*texts: str) -> list[str]:
    """Each text, whole and lower-cased, and each of its words (split on anything that is
    not a letter or a digit), for zxcvbn's list of words the password must not lean on."""
    words: list[str] = []
    for text in texts:
        text = (text or "").strip().lower()
        if not text:
            continue
        words.append(text)
        words += [word for word in re.split(r"[^a-z0-9]+", text) if len(word) > 2]
    return list(dict.fromkeys(words))


def _british(text: str) -> str:
    return BRITISH.get(text, text)


def assess(password: str, *, inputs: Iterable[str]) -> Strength:
    """The weaker judgement of the password as typed and without its separators, and a
    message saying what to do when it is too easy to guess."""
    if not password:
        # zxcvbn fails on nothing at all; the length check says what to do.
        return Strength(score=0, message=ADVICE)
    words = list(inputs)
    typed = password[:ZXCVBN_MAX_LENGTH]
    joined = re.sub(r"[\W_]+", "", typed)
    results = [zxcvbn(typed, user_inputs=words)]
    if joined and joined != typed:
        results.append(zxcvbn(joined, user_inputs=words))
    weakest = min(results, key=lambda result: result["guesses"])
    feedback = next((r["feedback"] for r in results if r["feedback"]["warning"]), None)
    feedback = feedback or weakest["feedback"]
    parts = ["Choose a password that is harder to guess."]
    if feedback.get("warning"):
        parts.append(_british(feedback["warning"]))
    parts += [_british(tip) for tip in feedback.get("suggestions", [])]
    parts.append(ADVICE)
    return Strength(score=int(weakest["score"]), message=" ".join(dict.fromkeys(parts)))
