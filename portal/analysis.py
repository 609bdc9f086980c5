"""Words as a search compares them, in Arabic and French: what people type and what the text says meet.

`search_terms` folds both sides alike. Arabic: hamza forms, alef maqsura and ta marbuta to their plain letters;
tashkeel (shadda included), the superscript alef and tatweel dropped; the article and its attached prefixes
(ال وال بال كال فال لل وبال…), then a one-letter proclitic (و ف ب ك ل), and the sound plural and feminine
endings (ات ون ين ان ه) taken off, a light stemmer in the manner of Larkey's Light10 that never leaves fewer
than three letters. French and other Latin text:
lower case, no accents, no elision (l', d', qu'…), no plural s or x. Digits and mixed scripts pass through.
"""

import functools
import re
import unicodedata

ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # tashkeel, Quranic marks, tatweel
ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه", "ء": ""}
)
ARABIC_PREFIXES = ("وبال", "وكال", "ولل", "فلل", "وال", "بال", "كال", "فال", "لل", "ال")  # longest first
ARABIC_SUFFIXES = ("ات", "ون", "ين", "ان", "ه")
# One-letter proclitics (and, so, with, like, for: "لأشغال", "بانقطاع"), taken off after the article on both
# sides alike; "بلدية" and "البلدية" both fold to "لدي", which costs a rare false match, never a miss.
ARABIC_PROCLITICS = ("و", "ف", "ب", "ك", "ل")
ELISION = re.compile(r"^(?:l|d|qu|j|n|s|c|t|m|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
WORD = re.compile(r"[\w'’]+")
SHORTEST = 3  # letters a stem keeps at least


def search_terms(text: str) -> str:
    """`text` as the words a search indexes and queries, space-separated."""
    words = WORD.findall(ARABIC_MARKS.sub("", text or ""))  # marks are no word characters: drop them first
    return " ".join(term for word in words if (term := word_term(word)))


@functools.lru_cache(maxsize=100_000)
def word_term(word: str) -> str:
    """One word as the search compares it (a municipal text repeats its words: each is folded once)."""
    return arabic_term(word) if any("\u0600" <= char <= "\u06ff" for char in word) else latin_term(word)


def arabic_term(word: str) -> str:
    word = ARABIC_MARKS.sub("", word).translate(ARABIC_LETTERS)
    for prefix in ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= SHORTEST:
            word = word[len(prefix) :]
            break
    if word.startswith(ARABIC_PROCLITICS) and len(word) - 1 >= SHORTEST:
        word = word[1:]
    for suffix in ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= SHORTEST:
            word = word[: -len(suffix)]
            break
    return word


def latin_term(word: str) -> str:
    word = ELISION.sub("", word).replace("'", "").replace("’", "")
    word = "".join(char for char in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(char))
    if word.isdigit():
        return word
    if word.endswith("aux") and len(word) > 4:
        return word[:-3] + "al"  # journaux → journal
    if word.endswith(("s", "x")) and len(word) > SHORTEST:
        return word[:-1]
    return word
