"""Verification: any changed byte of any file, a changed manifest hash, another key, a missing
or extra file or a broken zip is caught and named. Pure: no database, packages built in memory."""

from __future__ import annotations

import base64
import io
import json
import uuid
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.models import Alias, Document, Flag, Offender, TravelRecord
from tracker.reports import signing
from tracker.reports.package_content import assemble_package
from tracker.reports.package_facts import PackageFacts
from tracker.reports.package_files import (
    MANIFEST_JSON,
    PACKAGE_JSON,
    SUMMARY_HTML,
    ZIP_ORDER,
    canonical_json,
    manifest_file_bytes,
    package_files,
    sign_manifest,
    zip_bytes,
)
from tracker.reports.package_verify import VerifyReport as Report
from tracker.reports.package_verify import verify_files, verify_zip_bytes
from tracker.reports.packages import make_request, trusting, verify_package
from tracker.settings import DatabaseSettings, Settings

UNIT_KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
TRUSTED = trusting(UNIT_KEY.public_key())


def make_document(family_name: str = "Okafor"):
    offender = Offender(
        offender_id="VR-0000001",
        family_name=family_name,
        given_names="Ngozi Ada",
        date_of_birth=date(1985, 5, 6),
        sex="F",
        nationalities="NGA|GBR",
        requirement_start=date(2019, 1, 1),
        notification_period="P10Y",
        status="active",
        risk_level="medium",
        offence_category="indecent images of children",
        address_line="1 Hidden Lane",
        postcode="QX1 1QX",
    )
    travel = TravelRecord(
        source="api-lhr",
        record_id="R1",
        family_name="OKAFOR",
        direction="out",
        departure_port="LHR",
        arrival_port="LOS",
        departure_country="GBR",
        arrival_country="NGA",
        carrier="BA",
        flight_number="BA75",
        departure_time=datetime(2026, 5, 1, 9, 30, tzinfo=UTC),
        departure_local_date=date(2026, 5, 1),
    )
    flag = Flag(kind="unnotified_travel", status="confirmed", match_probability=0.97)
    facts = PackageFacts(
        flag=flag,
        offender=offender,
        aliases=[Alias(family_name="Okafor-Bello", given_names="Ngozi", kind="previous_name")],
        documents=[Document(doc_type="P", doc_number="A1234567", issuing_country="NGA")],
        travel=travel,
        link=None,
        notification=None,
        confirmed_on=date(2026, 5, 2),
    )
    request = make_request(flag_id=1, country="NGA", out_dir=Path("unused"), reason="why")
    return assemble_package(
        facts,
        request,
        package_id=str(uuid.uuid4()),
        created_at=datetime(2026, 5, 2, 10, 0, tzinfo=UTC),
        created_by="liz",
        settings=Settings(database=DatabaseSettings(url="sqlite://")),
    )


DOCUMENT = make_document()
FILES = package_files(DOCUMENT, UNIT_KEY)
ZIP = zip_bytes(FILES)


def check(files: dict[str, bytes], trusted=TRUSTED) -> list[str]:
    return verify_files(files, trusted, Report(Path("pkg"))).problems


def check_zip(data: bytes, trusted=TRUSTED) -> list[str]:
    return verify_zip_bytes(data, trusted).problems


def flipped(data: bytes, position: int, value: int | None = None) -> bytes:
    changed = bytearray(data)
    changed[position] = value if value is not None else changed[position] ^ 0x01
    return bytes(changed)


# --- intact -----------------------------------------------------------------------------------


def test_an_intact_package_verifies_as_files_folder_and_zip(tmp_path):
    assert check(FILES) == []
    assert check_zip(ZIP) == []
    folder = tmp_path / "package"
    folder.mkdir()
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    (tmp_path / "p.zip").write_bytes(ZIP)
    assert verify_package(folder, TRUSTED).intact
    report = verify_package(tmp_path / "p.zip", TRUSTED)
    assert report.intact and report.package_id == DOCUMENT.package_id
    assert report.key_id == signing.key_id(UNIT_KEY.public_key())


def test_the_zip_is_deterministic_and_stored():
    assert zip_bytes(FILES) == ZIP
    assert zip_bytes(package_files(DOCUMENT, UNIT_KEY)) == ZIP
    with zipfile.ZipFile(io.BytesIO(ZIP)) as archive:
        assert archive.namelist() == list(ZIP_ORDER)
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}


# --- any byte of any file ---------------------------------------------------------------------


def test_every_byte_of_the_manifest_matters():
    data = FILES[MANIFEST_JSON]
    for position in range(len(data)):
        problems = check({**FILES, MANIFEST_JSON: flipped(data, position)})
        assert problems, f"byte {position} ({chr(data[position])!r}) of the manifest"


@pytest.mark.parametrize("name", [PACKAGE_JSON, SUMMARY_HTML])
def test_every_byte_of_the_signed_files_matters(name):
    data = FILES[name]
    for position in range(0, len(data), 7):
        problems = check({**FILES, name: flipped(data, position)})
        assert problems and problems[0].startswith(f"{name} was altered: its SHA-256 is")


def test_every_byte_of_the_zip_outside_its_files_matters():
    inside = set()
    for data in FILES.values():
        start = ZIP.index(data)
        inside.update(range(start, start + len(data)))
    outside = [p for p in range(len(ZIP)) if p not in inside]
    assert len(outside) > 200
    for position in outside:
        assert check_zip(flipped(ZIP, position)), f"zip byte {position}"


@given(
    name=st.sampled_from(ZIP_ORDER),
    where=st.floats(0, 1, exclude_max=True),
    value=st.integers(0, 255),
)
@settings(max_examples=300, deadline=None, database=None)
def test_any_changed_byte_of_any_file_fails(name, where, value):
    data = FILES[name]
    position = int(where * len(data))
    if data[position] == value:
        value ^= 0x80
    assert check({**FILES, name: flipped(data, position, value)})


@given(where=st.floats(0, 1, exclude_max=True), value=st.integers(0, 255))
@settings(max_examples=300, deadline=None, database=None)
def test_any_changed_byte_of_the_zip_fails(where, value):
    position = int(where * len(ZIP))
    if ZIP[position] == value:
        value ^= 0x80
    assert check_zip(flipped(ZIP, position, value))


# --- the manifest and the key -----------------------------------------------------------------


def _with_manifest(edit) -> dict[str, bytes]:
    manifest = json.loads(FILES[MANIFEST_JSON])
    edit(manifest)
    return {**FILES, MANIFEST_JSON: manifest_file_bytes(manifest)}


def test_a_changed_manifest_hash_breaks_hash_and_signature():
    fake = "0" * 64
    files = _with_manifest(lambda m: m["files"].__setitem__(SUMMARY_HTML, fake))
    problems = check(files)
    assert "summary.html was altered: its SHA-256 is" in problems[0] and fake in problems[0]
    assert any(p.startswith("signature invalid") for p in problems)


def test_a_re_signed_manifest_with_a_wrong_hash_still_fails_on_the_hash():
    tampered = {**FILES, PACKAGE_JSON: FILES[PACKAGE_JSON].replace(b"Okafor", b"Okafar", 1)}
    resigned = sign_manifest(DOCUMENT.package_id, FILES, UNIT_KEY)  # hashes of the originals
    problems = check({**tampered, MANIFEST_JSON: resigned})
    assert problems == [problems[0]] and problems[0].startswith("package.json was altered")


def test_a_package_signed_with_another_key_is_refused():
    files = package_files(DOCUMENT, OTHER_KEY)
    problems = check(files)
    other_id = signing.key_id(OTHER_KEY.public_key())
    assert problems == [
        f"unknown key id {other_id}: the package says it was signed with that key, but the "
        f"verifying key is {signing.key_id(UNIT_KEY.public_key())}; the signature cannot be "
        "checked"
    ]
    assert check(files, trusting(OTHER_KEY.public_key())) == []


def test_another_key_posing_as_the_units_key_fails_the_signature():
    unit_id = signing.key_id(UNIT_KEY.public_key())
    files = package_files(DOCUMENT, OTHER_KEY)

    def forge(manifest):
        manifest["key_id"] = unit_id
        body = {k: v for k, v in manifest.items() if k != "signature"}
        manifest["signature"] = signing.sign(OTHER_KEY, canonical_json(body))

    manifest = json.loads(files[MANIFEST_JSON])
    forge(manifest)
    problems = check({**files, MANIFEST_JSON: manifest_file_bytes(manifest)})
    assert problems == [
        f"signature invalid: the manifest's Ed25519 signature does not verify with key {unit_id}"
    ]


def test_a_signature_spelled_differently_is_refused():
    manifest = json.loads(FILES[MANIFEST_JSON])
    raw = base64.b64decode(manifest["signature"])
    assert manifest["signature"].endswith("==")
    # The last character before the padding carries 4 unused bits: a lenient decoder reads
    # the same signature from a different spelling. A strict one must refuse it.
    last = manifest["signature"][-3]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = alphabet[alphabet.index(last) ^ 0x01]
    manifest["signature"] = manifest["signature"][:-3] + twin + "=="
    assert base64.b64decode(manifest["signature"]) == raw
    problems = check({**FILES, MANIFEST_JSON: manifest_file_bytes(manifest)})
    assert problems == ["signature invalid: the signature is not in canonical base64"]


def test_a_reformatted_manifest_is_refused_even_if_its_content_is_the_same():
    pretty = json.dumps(json.loads(FILES[MANIFEST_JSON]), indent=4).encode()
    problems = check({**FILES, MANIFEST_JSON: pretty})
    assert problems == [
        "manifest.json was altered: its bytes differ from the form in which it was signed"
    ]


def test_signed_content_that_breaks_the_schema_is_named():
    bad = json.loads(FILES[PACKAGE_JSON])
    bad["subject"]["home_address"] = "1 Hidden Lane"
    files = {**FILES, PACKAGE_JSON: json.dumps(bad).encode()}
    files[MANIFEST_JSON] = sign_manifest(DOCUMENT.package_id, files, UNIT_KEY)
    problems = check(files)
    assert problems == [
        "package.json does not match schema 1.0: subject.home_address: Extra inputs are not "
        "permitted"
    ]


# --- missing, extra, unreadable ---------------------------------------------------------------


def test_missing_and_extra_files_are_named():
    without_page = {k: v for k, v in FILES.items() if k != SUMMARY_HTML}
    assert check(without_page) == ["summary.html is missing"]
    assert check({**FILES, "notes.txt": b"x"}) == ["extra file 'notes.txt' is not in the manifest"]
    assert check({k: v for k, v in FILES.items() if k != MANIFEST_JSON}) == [
        "manifest.json is missing: nothing can be verified"
    ]
    assert check({**FILES, MANIFEST_JSON: b"{not json"})[0].startswith(
        "manifest.json is not valid JSON"
    )


def test_a_manifest_that_drops_a_file_is_refused():
    files = {k: v for k, v in FILES.items() if k != SUMMARY_HTML}
    manifest = json.loads(FILES[MANIFEST_JSON])
    del manifest["files"][SUMMARY_HTML]
    problems = check({**files, MANIFEST_JSON: manifest_file_bytes(manifest)})
    assert "the manifest does not list summary.html" in problems
    assert any(p.startswith("signature invalid") for p in problems)


def test_folder_with_a_subfolder_names_it(tmp_path):
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "extra").mkdir()
    report = verify_package(tmp_path, TRUSTED)
    assert report.problems == ["unexpected entry 'extra': a package holds only its files"]


def test_an_unreadable_zip_is_named(tmp_path):
    assert check_zip(b"PK\x03\x04 this is not a zip")[0].startswith("unreadable zip")
    assert check_zip(ZIP[: len(ZIP) // 2])[0].startswith("unreadable zip")
    path = tmp_path / "empty.zip"
    path.write_bytes(b"")
    assert verify_package(path, TRUSTED).problems[0].startswith("unreadable zip")


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_zip_tricks_are_named():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ZIP_ORDER:
            archive.writestr(name, FILES[name])
        archive.writestr(PACKAGE_JSON, b"{}")
        archive.writestr("../evil.txt", b"x")
        archive.writestr("sub/", b"")
    problems = check_zip(buffer.getvalue())
    assert "the zip holds 'package.json' more than once" in problems
    assert "unexpected entry '../evil.txt' in the zip: a package holds only its files" in problems
    assert "unexpected entry 'sub/' in the zip: a package holds only its files" in problems


def test_a_re_zipped_package_is_not_the_zip_that_was_built():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ZIP_ORDER:
            archive.writestr(name, FILES[name])
    problems = check_zip(buffer.getvalue())
    assert len(problems) == 1 and problems[0].startswith("the zip itself was altered")


def test_html_escapes_names_in_the_summary():
    files = package_files(make_document("<script>alert(1)</script>"), UNIT_KEY)
    page = files[SUMMARY_HTML].decode()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert json.loads(files[PACKAGE_JSON])["subject"]["family_name"] == "<script>alert(1)</script>"
