"""Redaction of the requester's identity: encryption of the ID number, names across scripts, PDFs and refusals."""

import re
import unicodedata

import pymupdf
import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import translation

from participation.requests.models import Case
from participation.requests.redaction import (
    MARK,
    RedactionRefused,
    decrypt_identity,
    encrypt_identity,
    identity_terms,
    redact_attachment,
    redact_case_text,
    redact_pdf,
    redact_text,
)

DEJAVU = "/usr/share/fonts/truetype/dejavu/"  # DejaVu Sans has Arabic glyphs (fc-list :lang=ar)


def name_terms(name: str) -> list[str]:
    return identity_terms(name, "", "", "")


# The identity-card number.


def test_identity_round_trip_and_token_hides_the_number():
    token = encrypt_identity(" ab 123-456 ")
    assert "AB123456" not in token and "123456" not in token
    assert decrypt_identity(token) == "AB123456"
    assert encrypt_identity("AB123456") != token  # a fresh token each time


def test_empty_identity_stays_empty():
    assert encrypt_identity("  ") == ""
    assert decrypt_identity("") == ""


def test_configured_key_is_used_and_another_key_cannot_read():
    key = Fernet.generate_key().decode()
    with override_settings(REQUESTS_IDENTITY_KEY=key):
        token = encrypt_identity("T123456")
        assert Fernet(key.encode()).decrypt(token.encode()) == b"T123456"
    with pytest.raises(InvalidToken):
        decrypt_identity(token)  # the key derived from SECRET_KEY is another key


def test_derived_key_depends_on_secret_key():
    token = encrypt_identity("T123456")
    with override_settings(SECRET_KEY="another-secret-key-" * 4), pytest.raises(InvalidToken):
        decrypt_identity(token)


def test_malformed_key_is_a_configuration_error():
    with override_settings(REQUESTS_IDENTITY_KEY="not-a-key"), pytest.raises(ImproperlyConfigured):
        encrypt_identity("T123456")


# Names across scripts and spellings.

NAMES = [
    # (name as given, text where it must disappear, what must remain)
    ("Mohamed Benali", "أرسل محمد بنعلي طلبا، ولمحمد بن علي الحق. Mohammed Ben Ali, MUHAMMAD BENALI", ["أرسل", "طلبا"]),
    ("محمد بنعلي", "Lettre de Mohamed Benali et de Mohammed Ben-Ali à la commune.", ["Lettre", "commune"]),
    ("Abdelkader Bouteflika", "السيد عبد القادر بوتفليقة وعبدالقادر. M. Abd El Kader Bouteflika", ["السيد", "M."]),
    ("عبد القادر بوتفليقة", "Abdelkader Bouteflika a écrit", ["a écrit"]),
    ("Youssef El Amrani", "طلب يوسف العمراني وليوسف. Youssef Elamrani, Yousef Amrani", ["طلب", ", "]),
    ("يوسف العمراني", "Demande de Youssef El-Amrani", ["Demande de"]),
    ("Khadija Benjelloun", "رسالة خديجة بنجلون؛ Khadidja Ben Jelloun", ["رسالة", "؛"]),
    ("Salah Eddine Ouerghi", "شكوى صلاح الدين الورغي. Salaheddine Ouerghi", ["شكوى"]),
    ("صلاح الدين الورغي", "Plainte de Salah-Eddine Ouerghi", ["Plainte de"]),
    ("Fatima Zahra El Idrissi", "كتبت فاطمة الزهراء الإدريسي و Fatima-Zahra Idrissi", ["كتبت"]),
    ("Noureddine Hachemi", "أجاب نور الدين الهاشمي. Nour Eddine Hachemi", ["أجاب"]),
    ("Rachid Belkacem", "قال رشيد بلقاسم. Rachid Belgacem", ["قال"]),
    ("Oussama Mejri", "طلب أسامة المجري. Oussama Mejri", ["طلب"]),
    ("Hafsa Ait Taleb", "وصلت حفصة آيت الطالب. Hafsa Aït Taleb", ["وصلت"]),
]


@pytest.mark.parametrize(("name", "text", "kept"), NAMES)
def test_name_is_removed_in_both_scripts(name, text, kept):
    redacted = redact_text(text, name_terms(name))
    for word in ("محمد", "بنعلي", "Benali", "Mohamed", "Bouteflika", "بوتفليقة", "يوسف", "Amrani", "خديجة"):
        assert word not in redacted
    for word in ("Youssef", "Ouerghi", "الورغي", "الإدريسي", "Idrissi", "الزهراء", "Hachemi", "الهاشمي"):
        assert word not in redacted
    for word in ("Belgacem", "بلقاسم", "المجري", "Mejri", "Taleb", "الطالب", "Jelloun", "Kader", "القادر"):
        assert word not in redacted
    assert MARK in redacted
    for word in kept:
        assert word in redacted


def test_tashkeel_tatweel_and_prefixes():
    text = "مُحَمَّــد، وبمحمد، ولمحمد، فمحمد، والبنعلي، محمّد"
    assert redact_text(text, name_terms("Mohamed Benali")).split("، ") == [MARK] * 6
    assert redact_text(text, name_terms("مُحَمَّد بنعلي")).split("، ") == [MARK] * 6


def test_a_name_with_its_particles_is_one_mark_and_the_length_does_not_leak():
    assert redact_text("Monsieur Mohamed Ben Ali écrit.", name_terms("Mohamed Ben Ali")) == f"Monsieur {MARK} écrit."
    assert redact_text("Ali", name_terms("Ali")) == redact_text("Abdelkader", name_terms("Abdelkader")) == MARK


def test_short_names_do_not_take_function_words():
    assert redact_text("Alice et Salim, Omari", name_terms("Ali Omar")) == "Alice et Salim, Omari"
    redacted = redact_text("علي وعمر على الطاولة إلى أمر الرئيس. Ali, il le dit", name_terms("Ali Omar"))
    assert redacted == f"{MARK} على الطاولة إلى أمر الرئيس. {MARK}, il le dit"


def test_a_nisba_is_not_the_first_name():
    """El Idrissi (ending in i) is not Idriss; Mohamed is not the town of Mohammedia."""
    assert redact_text("إدريس والمحمدية و Mohammedia", name_terms("Idrissi Mohamed")) == "إدريس والمحمدية و Mohammedia"


ADMINISTRATIVE_ARABIC = (
    "تطبيقا لأحكام القانون رقم 31.13 المتعلق بالحق في الحصول على المعلومات، نحيطكم علما بأن المجلس الجماعي "
    "قد صادق خلال دورته العادية على برنامج عمل الجماعة وعلى الميزانية السنوية. ويمكن الاطلاع على محاضر "
    "الجلسات والقرارات الصادرة عن رئيس المجلس بمقر الجماعة خلال أوقات العمل الرسمية، كما يمكن طلب نسخة "
    "منها عبر البوابة الإلكترونية. وتبقى المصالح المختصة رهن إشارتكم لأي معلومات إضافية بخصوص الصفقات "
    "العمومية وسندات الطلب والتراخيص الممنوحة في مجال التعمير والأشغال العمومية والنظافة والإنارة."
)
ADMINISTRATIVE_FRENCH = (
    "Conformément à la loi, la commune vous informe que le conseil a adopté le budget annuel et le plan "
    "d'action. Les procès-verbaux des séances sont consultables au siège de la commune pendant les heures "
    "d'ouverture, et une copie peut être demandée par le portail électronique."
)


def test_ordinary_administrative_text_is_left_alone():
    terms = [term for name, _, _ in NAMES if "Taleb" not in name for term in name_terms(name)]
    assert redact_text(ADMINISTRATIVE_ARABIC, terms) == ADMINISTRATIVE_ARABIC
    assert redact_text(ADMINISTRATIVE_FRENCH, terms) == ADMINISTRATIVE_FRENCH


def test_a_latin_name_that_is_an_arabic_word_takes_the_word():
    """Known limit: Taleb (طالب) and طلب ("request") share their consonants; privacy wins over readability."""
    assert redact_text("طلب", name_terms("Taleb")) == MARK
    assert redact_text("طلب", name_terms("الطالب")) == "طلب"  # Arabic against Arabic compares the letters


def test_directions_punctuation_and_lines_are_kept():
    text = "السيد محمد بنعلي،\nرقم الطلب: 12/2026 (Mohamed Benali).\n"
    assert redact_text(text, name_terms("Mohamed Benali")) == f"السيد {MARK}،\nرقم الطلب: 12/2026 ({MARK}).\n"


# Email, address, ID number, officer's marks.


def test_email_also_obfuscated_and_its_local_part():
    terms = identity_terms("", "m.benali@example.ma", "", "")
    text = "m.benali@example.ma, M.Benali [at] example [dot] ma, m.benali (at) example.ma, compte m.benali"
    assert redact_text(text, terms) == f"{MARK}, {MARK}, {MARK}, compte {MARK}"


def test_generic_mailbox_is_not_removed_alone():
    terms = identity_terms("", "contact@example.ma", "", "")
    assert redact_text("contact@example.ma ou le contact", terms) == f"{MARK} ou le contact"


def test_identity_number_with_spaces_dashes_and_arabic_digits():
    terms = identity_terms("", "", "", "ab 123456")
    text = "CIN AB123456, ab-123-456, A B 1 2 3 4 5 6, AB١٢٣٤٥٦; AB1234567 reste"
    assert redact_text(text, terms) == f"CIN {MARK}, {MARK}, {MARK}, {MARK}; AB1234567 reste"


def test_address_whole_and_by_line():
    terms = identity_terms("", "", "12 rue Didouche Mourad\nAlger", "")
    text = "Domicile : 12 rue Didouche Mourad Alger. Ecrire au 12 RUE DIDOUCHE MOURAD. La ville d'Alger."
    assert redact_text(text, terms) == f"Domicile : {MARK}. Ecrire au {MARK}. La ville d'Alger."


def test_officer_marks_a_phrase_in_both_scripts():
    terms = identity_terms("", "", "", "", marked=["Karim Tazi", "حي السلام"])
    text = "ابن كريم التازي يسكن في حي السلام. Karim Tazi, Karim est seul; Tazi aussi"
    assert redact_text(text, terms) == f"ابن {MARK} يسكن في {MARK}. {MARK}, Karim est seul; Tazi aussi"


def test_case_text_keeps_the_name_only_when_shown():
    case = Case(
        requester_name="Khadija Benjelloun",
        requester_email="k.benjelloun@example.ma",
        requester_address="5 avenue Hassan II, Rabat",
        identity_number=encrypt_identity("BE 998877"),
        show_name=False,
    )
    text = "خديجة بنجلون (k.benjelloun@example.ma, CIN BE998877, 5 avenue Hassan II, Rabat)"
    assert redact_case_text(case, text) == f"{MARK} ({MARK}, CIN {MARK}, {MARK})"
    case.show_name = True
    assert redact_case_text(case, text) == f"خديجة بنجلون ({MARK}, CIN {MARK}, {MARK})"
    assert redact_case_text(case, "Budget 2026", marked=["Budget"]) == f"{MARK} 2026"


def test_case_text_refused_when_the_number_cannot_be_read():
    case = Case(requester_name="A", requester_email="a@example.ma", identity_number="garbage", show_name=True)
    with translation.override("en"), pytest.raises(RedactionRefused, match="cannot be read"):
        redact_case_text(case, "text")


# PDFs and other attachments.


def make_pdf(html: str, *, pages: int = 1, **metadata) -> bytes:
    document = pymupdf.open()
    for _ in range(pages):
        page = document.new_page()
        page.insert_htmlbox(
            pymupdf.Rect(50, 50, 550, 400),
            html,
            css="@font-face {font-family: dv; src: url(DejaVuSans.ttf)} * {font-family: dv}",
            archive=pymupdf.Archive(DEJAVU),
        )
    document.set_metadata(metadata)
    return document.tobytes()


def pdf_text(data: bytes) -> str:
    with pymupdf.open(stream=data, filetype="pdf") as document:
        return unicodedata.normalize("NFKC", "".join(page.get_text() for page in document))


HEX_STRING = re.compile(r"<((?:[0-9A-Fa-f]{2})+)>")


def pdf_raw_text(data: bytes) -> str:
    """Every content stream decompressed, as text: what a reader could dig out of the file."""
    with pymupdf.open(stream=data, filetype="pdf") as document:
        streams = []
        for xref in range(1, document.xref_length()):
            if document.xref_is_stream(xref):
                streams.append(document.xref_stream(xref) or b"")
        raw = b"".join(streams).decode("latin-1") + data.decode("latin-1")
    return HEX_STRING.sub(lambda match: bytes.fromhex(match.group(1)).decode("latin-1"), raw)  # <4d6f…> too


def test_pdf_names_are_removed_from_the_text_layer_in_both_scripts():
    html = (
        "<p>Response to Mohamed Benali about the budget.</p>"
        '<p dir="rtl">جواب إلى محمد بنعلي حول الميزانية</p>'
        "<p>Contact: m.benali@example.ma, CIN AB123456.</p>"
    )
    data = make_pdf(html, title="Mohamed Benali", author="Mohamed Benali", subject="x", keywords="Benali")
    assert "Benali" in pdf_text(data) and "محمد" in pdf_text(data)
    redacted = redact_pdf(data, identity_terms("Mohamed Benali", "m.benali@example.ma", "", "AB123456"))
    text = pdf_text(redacted)
    for gone in ("Mohamed", "Benali", "محمد", "بنعلي", "m.benali", "AB123456"):
        assert gone not in text
    for kept in ("Response to", "about the budget", "جواب", "الميزانية", "Contact"):
        assert kept in text
    raw = pdf_raw_text(redacted)
    assert "Benali" not in raw and "Mohamed" not in raw  # neither in the content nor in the metadata
    with pymupdf.open(stream=redacted, filetype="pdf") as document:
        assert not any(document.metadata.get(field) for field in ("title", "author", "subject", "keywords"))


def test_pdf_text_is_removed_from_the_content_stream():
    """With a standard font the text sits in the content stream as is: it must be gone, not covered."""
    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((50, 80), "Answer to Mohamed Benali: budget attached.", fontname="helv")
    data = document.tobytes()
    assert "Benali" in pdf_raw_text(data)
    redacted = redact_pdf(data, name_terms("Mohamed Benali"))
    assert "Benali" not in pdf_raw_text(redacted) and "Mohamed" not in pdf_raw_text(redacted)
    assert "budget attached" in pdf_text(redacted) and "Answer to" in pdf_text(redacted)


def test_pdf_reversed_arabic_is_found():
    """insert_text without shaping writes Arabic in visual order: the extracted word comes out reversed."""
    document = pymupdf.open()
    page = document.new_page()
    page.insert_font(fontname="dv", fontfile=DEJAVU + "DejaVuSans.ttf")
    page.insert_text((50, 80), "محمد بنعلي الميزانية", fontname="dv")
    data = document.tobytes()
    assert "دمحم" in pdf_text(data)  # as a reader extracts it
    text = pdf_text(redact_pdf(data, name_terms("Mohamed Benali")))
    assert "دمحم" not in text and "يلعنب" not in text
    assert "ةينازيملا" in text


def test_pdf_reversed_compound_name_is_found():
    document = pymupdf.open()
    page = document.new_page()
    page.insert_font(fontname="dv", fontfile=DEJAVU + "DejaVuSans.ttf")
    page.insert_text((50, 80), "طلب عبد القادر بوتفليقة حول الميزانية", fontname="dv")
    text = pdf_text(redact_pdf(document.tobytes(), name_terms("Abdelkader Bouteflika")))
    assert "دبع" not in text and "رداقلا" not in text and "ةقيلفتوب" not in text
    assert "بلط" in text and "ةينازيملا" in text


def test_pdf_annotations_links_and_attached_files_are_removed():
    document = pymupdf.open(stream=make_pdf("<p>Budget 2026</p>"), filetype="pdf")
    page = document[0]
    page.add_text_annot((100, 100), "Mohamed Benali wrote this")
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(50, 50, 100, 60), "uri": "https://x.ma"})
    document.embfile_add("identity.txt", b"AB123456")
    redacted = redact_pdf(document.tobytes(), name_terms("Mohamed Benali"))
    with pymupdf.open(stream=redacted, filetype="pdf") as result:
        assert result.embfile_count() == 0
        assert not list(result[0].annots())
        assert result[0].get_links() == []
        assert "Budget 2026" in result[0].get_text()
    assert "AB123456" not in pdf_raw_text(redacted)


def test_pdf_refusals():
    with translation.override("en"):
        with pytest.raises(RedactionRefused, match="not a PDF"):
            redact_pdf(b"GIF89a...", [])
        document = pymupdf.open(stream=make_pdf("<p>secret</p>"), filetype="pdf")
        encrypted = document.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
        with pytest.raises(RedactionRefused, match="encrypted"):
            redact_pdf(encrypted, [])
        with override_settings(REQUESTS_MAX_REDACT_PAGES=2), pytest.raises(RedactionRefused, match="more than 2"):
            redact_pdf(make_pdf("<p>x</p>", pages=3), [])
        with pytest.raises(RedactionRefused, match="cannot be read"):
            redact_pdf(b"%PDF-1.7\n garbage", [])


def test_scanned_pdf_is_refused():
    document = pymupdf.open()
    page = document.new_page()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 20, 20), False)
    pixmap.clear_with(200)
    page.insert_image(pymupdf.Rect(0, 0, 200, 200), pixmap=pixmap)
    with translation.override("en"), pytest.raises(RedactionRefused, match="scanned"):
        redact_pdf(document.tobytes(), [])


def test_attachments_by_kind():
    terms = name_terms("Youssef El Amrani")
    assert redact_attachment("list.csv", "name;city\nيوسف العمراني;Fès\n".encode(), terms) == (
        f"name;city\n{MARK};Fès\n".encode()
    )
    pdf = redact_attachment("answer.PDF", make_pdf("<p>Youssef El Amrani</p><p>Budget</p>"), terms)
    assert "Amrani" not in pdf_text(pdf) and "Budget" in pdf_text(pdf)
    with translation.override("en"):
        with pytest.raises(RedactionRefused, match="Images"):
            redact_attachment("scan.jpg", b"\xff\xd8\xff", terms)
        with pytest.raises(RedactionRefused, match="Only PDF"):
            redact_attachment("letter.docx", b"PK\x03\x04", terms)
        with pytest.raises(RedactionRefused, match="not UTF-8"):
            redact_attachment("notes.txt", b"\xff\xfe\x00bad", terms)
