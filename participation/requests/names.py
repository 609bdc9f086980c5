"""Finding a person's name in a text whatever the script or spelling: "Mohamed Benali", "Mohammed Ben Ali",
"محمد بنعلي" and "ومحمد بن علي" are one name.

Every word, Arabic or Latin, is reduced to a key: its consonant skeleton (Arabic letters and Latin letters and
digraphs mapped to the same consonant classes: ح/ه and h, ق/ك/غ/خ and k/q/c/g/kh/gh, ش and ch/sh, ج and j/dj,
vowels, long vowels, ع and hamza dropped; و/ي and w/y/ou count only at the start of a word) with the class of
its last letter (a, i, u or a consonant: "Idrissi" is not "Idriss", "Mohammedia" is not "Mohamed") and, for
short skeletons, of its first. Two words match when their keys are equal, which works for names no table
lists. Arabic words are also tried without their proclitics (و ف ب ل ك) and article (ال, لل), Latin ones
without an "el"/"al" before a consonant (Abdelkader, Elamrani); runs of two or three words are tried joined
(Ben Ali = Benali = بنعلي, عبد القادر = Abdelkader, Salah Eddine = صلاح الدين).

The skeleton is only for crossing scripts and Latin spellings: an Arabic name against Arabic text needs the same
letters (after folding tashkeel, tatweel, hamza forms and prefixes), so الطالب never takes طلب. False positives
are kept low by the last-letter class and, for skeletons of fewer than three consonants ("Ali", "Omar"), by the
first-letter class too, and by function words (إلى, على, أمر, il, le…) that never match nor join a run. A Latin
name whose consonants spell a common Arabic word (Taleb and طلب "request", Amrani and العمراني "urban", Said and
سعيد) takes the word wherever it appears: privacy wins over readability.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from portal.analysis import ARABIC_MARKS  # tashkeel, Quranic marks and tatweel, as the search folds them

ARABIC_LETTER_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي"})
ARABIC_CONSONANTS = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ط": "t", "ج": "j", "ح": "h", "ه": "h", "خ": "k", "د": "d",
    "ذ": "d", "ض": "d", "ظ": "d", "ر": "r", "ز": "z", "س": "s", "ص": "s", "ش": "x", "چ": "x", "غ": "k",
    "ف": "f", "ڤ": "f", "ق": "k", "ك": "k", "گ": "k", "ڭ": "k", "ل": "l", "م": "m", "ن": "n",
}  # fmt: skip
ARABIC_SILENT = set("اىةعء")
ARABIC_PROCLITICS = ("و", "ف")  # and, so: before the others
ARABIC_PREPOSITIONS = ("ب", "ل", "ك")  # with, for, like
LATIN_DIGRAPHS = (
    ("tch", "x"), ("sch", "x"), ("dj", "j"), ("ch", "x"), ("sh", "x"), ("kh", "k"), ("gh", "k"),
    ("th", "t"), ("dh", "d"), ("ph", "f"), ("ck", "k"), ("qu", "k"),
)  # fmt: skip
LATIN_LETTERS = {
    "b": "b", "p": "b", "d": "d", "f": "f", "v": "f", "h": "h", "j": "j", "k": "k", "q": "k", "l": "l",
    "m": "m", "n": "n", "r": "r", "s": "s", "t": "t", "z": "z",
}  # fmt: skip
VOWELS = set("aeiouy")
# Words between the parts of a name: removed with the name, never alone.
PARTICLES = {
    "bin", "ben", "ibn", "ebn", "bent", "bint", "el", "al", "ed", "ad", "ould", "ait", "abd", "abdel", "abdul",
    "de", "la", "le", "d", "l", "بن", "ابن", "بنت", "ال", "ولد", "ايت", "عبد",
}  # fmt: skip
# Function words that a short name must never take away ("Ali" is not "إلى", "Omar" is not "il").
STOPWORDS = {
    "الي", "الى", "على", "عليه", "لي", "له", "لها", "هي", "هو", "من", "عن", "ما", "لا", "في", "او", "ان", "مع",
    "كل", "قد", "هل", "ثم", "بل", "يا", "ذلك", "هذا", "هذه", "التي", "الذي", "اما", "الا", "امر", "اذا",
    "a", "y", "le", "la", "les", "de", "des", "du", "et", "au", "aux", "en", "il", "ils", "elle", "on", "un",
    "une", "par", "pour", "sur", "ne", "pas", "que", "qui", "ou", "si", "se", "ce", "sa", "son", "ses", "mes",
    "the", "and", "of", "to", "in", "is", "it", "an", "as", "or", "all", "avec", "dans", "est", "mais",
}  # fmt: skip
SHORT = 3  # consonants below which a skeleton needs stricter checks
WORD = re.compile(r"(?:[^\W_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640])+")  # marks inside
JOINERS = re.compile(r"[\s\-‐–'’]*")


class Key(NamedTuple):
    skeleton: str
    end: str  # class of the last letter: "a", "i", "u" or "c"
    start: str  # "v" (vowel, ع or hamza) or "c"
    script: str  # "ar" or "la"
    form: str  # the normalised word, for Arabic short skeletons


def is_arabic(word: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in word)


def fold(word: str) -> str:
    """Presentation forms, tashkeel, tatweel, hamza carriers and Latin accents folded away; ة and ى kept."""
    word = ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", word))
    if is_arabic(word):
        word = word.translate(ARABIC_LETTER_FORMS)
        return word.rstrip("ء") if len(word) > 2 else word
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def collapse(consonants: Iterable[str]) -> str:
    out: list[str] = []
    for consonant in "".join(consonants):
        if not out or out[-1] != consonant:
            out.append(consonant)
    return "".join(out)


def arabic_keys(word: str) -> set[Key]:
    """The keys of a folded Arabic word (no prefix taken off); a final ه may be a ta marbuta written without dots."""
    if not word:
        return set()
    start = "v" if word[0] in "اع" else "c"
    consonants = []
    for index, char in enumerate(word):
        if char in "وي":
            if index == 0:
                consonants.append("w" if char == "و" else "y")
        elif char not in ARABIC_SILENT:
            consonants.append(ARABIC_CONSONANTS.get(char, ""))
    skeleton = collapse(consonants)
    last = word[-1]
    end = "a" if last in "اىة" else "i" if last == "ي" else "u" if last == "و" else "c"
    keys = {Key(skeleton, end, start, "ar", word)}
    if last == "ه" and len(word) > 2:
        keys.add(Key(collapse(consonants[:-1]), "a", start, "ar", word[:-1] + "ة"))
    return {key for key in keys if key.skeleton}


def latin_phonemes(word: str) -> list[tuple[str, bool]]:
    """Consonant classes of a folded Latin word, each with whether it may be dropped (the l of an article)."""
    out: list[tuple[str, bool]] = []
    index = 0
    while index < len(word):
        rest = word[index:]
        if index == 0 and (rest[:1] in ("y", "w") and rest[1:2] in VOWELS):
            out.append((rest[0], False))
            index += 1
            continue
        if index == 0 and rest.startswith("ou") and rest[2:3] in VOWELS:
            out.append(("w", False))
            index += 2
            continue
        digraph = next((sound for letters, sound in LATIN_DIGRAPHS if rest.startswith(letters)), None)
        if digraph:
            out.append((digraph, False))
            index += 3 if rest.startswith(("tch", "sch")) else 2
            continue
        char = rest[0]
        following = rest[1:2]
        if char == "c":
            out.append(("s" if following in ("e", "i", "y") else "k", False))
        elif char == "g":
            out.append(("j" if following in ("e", "i") else "k", False))
        elif char == "x":
            out.extend([("k", False), ("s", False)])
        elif char == "l":
            before = word[index - 1 : index]
            article = before in ("a", "e", "u") and (index == 1 or word[index - 2 : index - 1] not in VOWELS)
            out.append(("l", article and (index == 1 or (following != "" and following not in VOWELS))))
        elif char in LATIN_LETTERS:
            out.append((LATIN_LETTERS[char], False))
        index += 1
    return out


def latin_keys(word: str) -> set[Key]:
    if not word or not word.isalpha():
        return set()
    start = "v" if word[0] in "aeio" or (word[0] == "u" and word[1:2] not in VOWELS) else "c"
    stem = word[:-1] if len(word) > 3 and word.endswith("e") and word[-2] not in VOWELS else word
    ends = {"a" if stem[-1] == "a" else "i" if stem[-1] in "iy" else "u" if stem[-1] in "ou" else "c"}
    phonemes = latin_phonemes(word)
    if stem.endswith("ah") and len(stem) > 3:  # Aminah, Fatimah: a ta marbuta written with an h
        ends.add("a")
    skeletons = {collapse(sound for sound, _ in phonemes)}
    without_article = collapse(sound for sound, optional in phonemes if not optional)
    if len(without_article) >= SHORT:
        skeletons.add(without_article)
    keys = {Key(skeleton, end, start, "la", word) for skeleton in skeletons for end in ends if skeleton}
    if "a" in ends and stem.endswith("ah"):
        keys |= {Key(key.skeleton[:-1], "a", start, "la", word) for key in keys if key.skeleton.endswith("h")}
    return keys


def arabic_forms(word: str, *, strip_prefixes: bool) -> set[str]:
    """The word and, in running text, the word without its proclitics and article (a name alone: its article)."""
    forms = {word}
    if strip_prefixes:
        for prefixes in (ARABIC_PROCLITICS, ARABIC_PREPOSITIONS):
            forms |= {form[1:] for form in forms if form.startswith(prefixes) and len(form) > 2}
    # ال, or ل + ال written لل: "للإدريسي"
    forms |= {form[2:] for form in forms if form.startswith(("ال", "لل")) and len(form) > 3}
    return forms


@lru_cache(maxsize=65536)  # a long text repeats its words; keys are frozen so the cache can share them
def word_keys(word: str, *, running_text: bool = True, visual: bool = False) -> frozenset[Key]:
    """Every key a word may stand for; `visual`: Arabic extracted from a PDF may come out reversed."""
    folded = fold(word)
    if not folded or folded in STOPWORDS:
        return frozenset()
    if not is_arabic(folded):
        return latin_keys(folded)
    keys: set[Key] = set()
    for spelling in (folded, folded[::-1]) if visual else (folded,):
        for form in arabic_forms(spelling, strip_prefixes=running_text):
            if form in STOPWORDS:
                continue
            keys |= arabic_keys(form)
    return frozenset(keys)


def keys_match(ours: frozenset[Key], theirs: frozenset[Key]) -> bool:
    for mine in ours:
        for other in theirs:
            if mine.skeleton != other.skeleton or mine.end != other.end:
                continue
            if mine.script == other.script == "ar":  # the same script: the same letters (طالب is not طلب)
                if mine.form == other.form:
                    return True
            elif len(mine.skeleton) >= SHORT or mine.start == other.start:
                return True
    return False


@lru_cache(maxsize=65536)
def joined_keys(words: tuple[str, ...], *, running_text: bool = True, visual: bool = False) -> frozenset[Key]:
    """Keys of consecutive words written as one (Ben Ali → Benali, عبد القادر → عبدالقادر), article kept or not."""
    folded = [fold(word) for word in words]
    if any(len(word) < 2 or word in STOPWORDS for word in folded) or len({is_arabic(word) for word in folded}) > 1:
        return frozenset()
    orders = (folded, folded[::-1]) if visual and is_arabic(folded[0]) else (folded,)
    keys: set[Key] = set()
    for order in orders:
        tails = ["".join(order[1:])]
        if any(word.startswith("ال") for word in order[1:]):
            tails.append("".join(word[2:] if word.startswith("ال") else word for word in order[1:]))
        for tail in tails:
            keys |= word_keys(order[0] + tail, running_text=running_text, visual=visual)
    return frozenset(key for key in keys if len(key.skeleton) >= SHORT)


class NamePattern:
    """A name to find: its parts (3+ letters, not particles) and its runs of two or three words joined."""

    def __init__(self, name: str, *, whole_only: bool = False):
        self.words = WORD.findall(name)
        self.whole_only = whole_only
        self.parts: list[frozenset[Key]] = []
        if not whole_only:
            for word in self.words:
                folded = fold(word)
                if len(folded) >= 3 and folded not in PARTICLES:
                    self.parts.append(word_keys(word, running_text=False))
        self.joined: list[frozenset[Key]] = [
            joined_keys(tuple(self.words[start : start + size]), running_text=False)
            for size in (2, 3)
            for start in range(len(self.words) - size + 1)
        ]
        if whole_only:
            self.sequence = [word_keys(word, running_text=False) for word in self.words]
            joined_all = joined_keys(tuple(self.words), running_text=False) if len(self.words) > 1 else frozenset()
            self.joined = [joined_all] if joined_all else []
        self.every = [keys for keys in (*self.parts, *self.joined) if keys]


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(match.start(), match.end(), match.group()) for match in WORD.finditer(text)]


def adjacent(text: str, words: list[tuple[int, int, str]]) -> bool:
    """Words separated by nothing but spaces, hyphens or apostrophes: they may be one name."""
    return all(JOINERS.fullmatch(text[left[1] : right[0]]) for left, right in zip(words, words[1:], strict=False))


def find_names(text: str, patterns: list[NamePattern], *, visual: bool = False) -> list[tuple[int, int]]:
    """The spans of `text` where one of the names (or a part of it) is written, in any script or spelling."""
    words = tokens(text)
    if not words or not patterns:
        return []
    single = [word_keys(word, visual=visual) for _, _, word in words]
    spans: list[tuple[int, int]] = []
    for size in (2, 3):
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            if not adjacent(text, run):
                continue
            keys = joined_keys(tuple(word for _, _, word in run), visual=visual)
            if keys and any(
                keys_match(keys, wanted) for pattern in patterns if not pattern.whole_only for wanted in pattern.every
            ):
                spans.append((run[0][0], run[-1][1]))
    for index, (begin, end, _) in enumerate(words):
        keys = single[index]
        if keys and any(
            keys_match(keys, wanted) for pattern in patterns if not pattern.whole_only for wanted in pattern.every
        ):
            spans.append((begin, end))
    for pattern in patterns:
        if not pattern.whole_only:
            continue
        size = len(pattern.sequence)
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            if (size == 1 or adjacent(text, run)) and all(
                keys_match(single[start + offset], wanted) for offset, wanted in enumerate(pattern.sequence)
            ):
                spans.append((run[0][0], run[-1][1]))
        if size > 1:
            for index, (begin, end, _) in enumerate(words):
                if any(keys_match(single[index], joined) for joined in pattern.joined):
                    spans.append((begin, end))
    return spans


def is_particle(word: str) -> bool:
    return fold(word) in PARTICLES
