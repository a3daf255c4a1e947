"""Issue 19, finding 1, in the supervisors' pages: the approval form takes the text written for
the public, refuses words that give away a restricted fact (naming the field and why), and the
preview and the public feed show only what would be published."""

from __future__ import annotations

import html
import json
import re
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paraphrases import PARAPHRASERS, Register, mixed
from webtools import client_for, csrf_of

# The scenario's wanted offender, as the paraphrase strategies need it (tests/web/scenario.py).
WANTED = Register(
    offender_id="VR-0000000",
    date_of_birth=date(1980, 1, 1),
    house=9,
    house_letter="",
    street="Never Published",
    street_type="Road",
    town="Harbourtown",
    postcode="QQ1 1QQ",
    document="000000000",
    offence="never-in-the-feed",
    risk_level="high",
)
ITS_FACTS = ("the date of birth", "the address", "the postcode", "the offence", "the risk")
SHOWN = re.compile(
    r'<pre class="json(?: preview)?">(.*?)</pre>'
    r'|<div class="cards">(.*?)</div>\s*<details>',
    re.DOTALL,
)


def _post(client, path: str, **data):
    token = csrf_of(client.get("/approvals").text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def _shown(page: str) -> str:
    """What the page shows as feed output: the previews, the feed's cards and its JSON (not
    the form, which gives the supervisor back what they typed)."""
    return html.unescape("\n".join(a or b for a, b in SHOWN.findall(page)))


def _candidate_preview(page: str, offender_id: str) -> str:
    row = page.split(f'id="candidate-{offender_id}"')[1]
    return html.unescape(row.split('<pre class="json preview">')[1].split("</pre>")[0])


def test_the_approval_form_carries_the_public_text_to_the_feed(app, scenario):
    sam, wanted = client_for(app, "sam"), scenario.offenders["wanted"]
    approved = _post(
        sam,
        "/approvals/approve",
        offender_id=wanted,
        reason="missing a month",
        public_description="Slim, grey hoodie",
        public_area="Harbour district",
    )
    assert approved.status_code == 303
    [item] = json.loads(client_for(app).get("/public/most-wanted.json").text)["items"]
    assert (item["description"], item["last_known_area"]) == (
        "Slim, grey hoodie",
        "Harbour district",
    )
    page = sam.get("/approvals").text
    assert "Slim, grey hoodie" in _shown(page)
    assert "tall, red coat" not in page and "Harbourtown" not in _shown(page)  # the register's


def test_words_giving_away_a_fact_are_refused_with_the_field_and_why(app, scenario):
    sam, wanted = client_for(app, "sam"), scenario.offenders["wanted"]
    refused = _post(
        sam,
        "/approvals/approve",
        offender_id=wanted,
        reason="r",
        public_description="Tall",
        public_area="Never Published Rd, no 9",
    )
    assert refused.status_code == 422
    assert (
        "public area refused: it contains the address (house number and street) "
        "(written &#39;Never Published Rd, no 9&#39;)"
    ) in refused.text
    assert 'value="Never Published Rd, no 9"' in refused.text  # typed words kept to correct
    assert "Never Published Rd" not in _shown(refused.text)
    assert json.loads(client_for(app).get("/public/most-wanted.json").text)["total"] == 0


def test_preview_shows_what_the_typed_words_would_publish_without_approving(app, scenario):
    sam, wanted = client_for(app, "sam"), scenario.offenders["wanted"]
    shown = _post(
        sam,
        "/approvals/approve",
        offender_id=wanted,
        action="preview",
        public_description="Walks with a limp",
        public_area="Old town",
    )
    assert shown.status_code == 200
    preview = json.loads(_candidate_preview(shown.text, wanted))
    assert (preview["description"], preview["last_known_area"]) == ("Walks with a limp", "Old town")
    assert json.loads(client_for(app).get("/public/most-wanted.json").text)["total"] == 0


def test_an_analyst_may_not_preview_approval_text(app, scenario):
    ann = client_for(app, "ann")
    token = csrf_of(ann.get("/queue").text)
    response = ann.post(
        "/approvals/approve",
        data={
            "csrf_token": token,
            "offender_id": scenario.offenders["wanted"],
            "action": "preview",
            "public_description": "Tall",
        },
        follow_redirects=False,
    )
    assert response.status_code == 403


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_paraphrase_reaches_the_preview_or_the_feed(app, scenario, data):
    sam, wanted = client_for(app, "sam"), scenario.offenders["wanted"]
    fact = data.draw(st.sampled_from(ITS_FACTS))
    written = data.draw(st.sampled_from(PARAPHRASERS[fact](WANTED)))
    text = data.draw(mixed(written))
    field = data.draw(st.sampled_from(["public_description", "public_area"]))
    action = data.draw(st.sampled_from(["preview", "approve"]))
    response = _post(
        sam, "/approvals/approve", offender_id=wanted, reason="r", action=action, **{field: text}
    )
    assert response.status_code == 422, (fact, text)
    assert f"{field.replace('_', ' ')} refused" in response.text
    assert written.casefold() not in _shown(response.text).casefold()
    assert written.casefold() not in _candidate_preview(response.text, wanted).casefold()
    assert json.loads(client_for(app).get("/public/most-wanted.json").text)["total"] == 0
