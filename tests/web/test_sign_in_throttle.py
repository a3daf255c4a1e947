"""The sign-in throttle: per (name typed, client address) with growing delays, never a lock of
the account; the client address from X-Forwarded-For only through a trusted proxy; throttles
audited, shown to admins and cleared by them."""

from __future__ import annotations

import re
import socket
import threading
import time

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select
from webtools import Clock, client_for, csrf_of, make_app, sign_in

from tracker.cli import main
from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import AuditEvent, SignInFailure

ATTACKER = ("203.0.113.66", 40000)
OFFICE = ("198.51.100.10", 40000)


def _sessions(url):
    return make_session_factory(make_engine(url))


def _failures(url, addresses: bool = False) -> list[tuple[str, str, int]]:
    """The (name, address) counts, or with ``addresses`` the per-address ones (name "*")."""
    with transaction(_sessions(url)) as s:
        rows = s.scalars(select(SignInFailure).order_by(SignInFailure.id))
        return [(r.account, r.client, r.failures) for r in rows if (r.account == "*") == addresses]


def _events(url, **filters) -> list[AuditEvent]:
    with transaction(_sessions(url)) as s:
        return list(s.scalars(select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))


def _from(app, address, **kwargs):
    return client_for(app, client=address, **kwargs)


def _alert(response) -> str:
    return response.text.split('role="alert">')[1].split("<")[0]


def test_wrong_passwords_from_elsewhere_never_lock_an_admin_out(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock, client_attempts=1000)
    for _ in range(12):
        assert sign_in(_from(app, ATTACKER), "ada", "not the password").status_code in (401, 429)
    for n in range(10):  # many addresses, each under its own budget
        assert sign_in(_from(app, (f"192.0.2.{n}", 1)), "ada", "nope nope").status_code == 401
    assert sign_in(_from(app, OFFICE), "ada").status_code == 303


def test_another_clients_failures_do_not_block_the_right_person(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock)
    for _ in range(5):
        assert sign_in(_from(app, ATTACKER), "ann", "not the password").status_code == 401
    assert sign_in(_from(app, ATTACKER), "ann").status_code == 429  # even the right one
    assert sign_in(_from(app, OFFICE), "ann").status_code == 303
    assert ("ann", ATTACKER[0], 5) in _failures(web_url)


def test_the_delay_grows_after_each_further_failure_and_a_success_starts_over(
    web_url, tmp_path, clock
):
    app = make_app(web_url, tmp_path, clock)
    for _ in range(5):
        sign_in(_from(app, ATTACKER), "ann", "not the password")
    waits = []
    for _ in range(4):
        waited = 0
        while sign_in(_from(app, ATTACKER), "ann", "still wrong!!").status_code == 429:
            clock.advance(1)
            waited += 1
        waits.append(waited)
    assert waits == [1, 2, 4, 8]
    clock.advance(16)
    assert sign_in(_from(app, ATTACKER), "ann").status_code == 303
    assert [row for row in _failures(web_url) if row[0] == "ann"] == []


def test_a_throttled_attempt_reads_like_any_refusal_for_known_and_unknown_names(
    web_url, tmp_path, clock
):
    app = make_app(web_url, tmp_path, clock)
    wrong = sign_in(_from(app, ATTACKER), "ann", "not the password")
    for name in ("ann", "nobody-at-all"):
        for _ in range(5):
            sign_in(_from(app, ATTACKER), name, "not the password")
        throttled = sign_in(_from(app, ATTACKER), name, "not the password")
        assert throttled.status_code == 429
        assert _alert(throttled) == _alert(wrong)


def test_becoming_throttled_is_audited_as_anonymous(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock)
    for _ in range(7):
        sign_in(_from(app, ATTACKER), "ann", "not the password")
    throttled = [
        e for e in _events(web_url, object_id="ann") if e.details.get("event") == "throttled"
    ]
    assert len(throttled) == 1
    assert throttled[0].actor == "anonymous" and throttled[0].details["client"] == ATTACKER[0]


def test_admins_see_throttles_and_clear_one(web_url, tmp_path):
    app = make_app(web_url, tmp_path, Clock(time.time()))  # the CLI lists as of now
    for _ in range(5):
        sign_in(_from(app, ATTACKER), "ann", "not the password")
    supervisor = client_for(app, "sam").get("/admin/users").text
    assert ATTACKER[0] not in supervisor
    ada = client_for(app, "ada")
    page = ada.get("/admin/users").text
    assert "Sign-in throttles" in page and ATTACKER[0] in page
    listed = CliRunner().invoke(main, ["--db", web_url, "--user", "ada", "users", "list"])
    assert listed.exit_code == 0 and ATTACKER[0] in listed.output and "'ann'" in listed.output
    response = ada.post(
        "/admin/users/throttle/clear",
        data={"csrf_token": csrf_of(page), "account": "ann", "client": ATTACKER[0]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert sign_in(_from(app, ATTACKER), "ann").status_code == 303
    [cleared] = [
        e for e in _events(web_url, object_id="ann") if e.details.get("event") == "throttle_cleared"
    ]
    assert cleared.actor == "ada" and cleared.details["client"] == ATTACKER[0]


def test_parallel_wrong_passwords_get_no_more_checks_than_the_limits(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock, client_attempts=3)
    clients = [_from(app, ATTACKER) for _ in range(12)]
    tokens = [csrf_of(client.get("/sign-in").text) for client in clients]
    start, statuses = threading.Barrier(len(clients)), []

    def attempt(client, token) -> None:
        start.wait()
        statuses.append(
            client.post(
                "/sign-in",
                data={"name": "ann", "password": "not the password", "csrf_token": token},
                follow_redirects=False,
            ).status_code
        )

    pairs = zip(clients, tokens, strict=True)
    threads = [threading.Thread(target=attempt, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(statuses) == 12 and set(statuses) <= {401, 429}
    assert statuses.count(401) <= 3, statuses  # the per-address limit; the pair's is 5
    assert _failures(web_url) == [("ann", ATTACKER[0], statuses.count(401))]


def test_a_shared_address_that_tripped_still_lets_a_name_with_no_failures_in(web_url, tmp_path):
    app = make_app(web_url, tmp_path, Clock(time.time()))  # the CLI lists as of now
    for n in range(31):
        sign_in(_from(app, OFFICE), f"visitor-{n}", "not the password")
    assert sign_in(_from(app, OFFICE), "visitor-0", "not the password").status_code == 429
    assert sign_in(_from(app, OFFICE), "ann").status_code == 303
    [tripped] = [
        e for e in _events(web_url, object_id="*") if e.details.get("event") == "client_throttled"
    ]
    assert tripped.actor == "anonymous" and tripped.details["client"] == OFFICE[0]
    page = client_for(app, "ada").get("/admin/users").text
    assert "every name that failed from here" in page and OFFICE[0] in page
    listed = CliRunner().invoke(main, ["--db", web_url, "--user", "ada", "users", "list"])
    assert listed.exit_code == 0  # the address's own row: "*" for every name, then the address
    assert re.search(rf"^\*\s+{re.escape(OFFICE[0])}\s", listed.output, re.MULTILINE)
    cleared = CliRunner().invoke(
        main, ["--db", web_url, "--user", "ada", "users", "clear-throttle", "--client", OFFICE[0]]
    )
    assert cleared.exit_code == 0, cleared.output
    assert sign_in(_from(app, OFFICE), "visitor-0", "not the password").status_code == 401
    [event] = [
        e for e in _events(web_url, object_id="*") if e.details.get("event") == "throttle_cleared"
    ]
    assert event.actor == "ada" and event.details == {
        "event": "throttle_cleared",
        "client": OFFICE[0],
        "failures": 31,
    }


def test_an_admin_clears_an_address_on_the_users_page(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock, client_attempts=3)
    for n in range(3):
        sign_in(_from(app, OFFICE), f"visitor-{n}", "not the password")
    ada = client_for(app, "ada")
    response = ada.post(
        "/admin/users/throttle/clear",
        data={
            "csrf_token": csrf_of(ada.get("/admin/users").text),
            "account": "*",
            "client": OFFICE[0],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _failures(web_url, addresses=True) == []
    assert sign_in(_from(app, OFFICE), "visitor-0", "not the password").status_code == 401


def test_an_ipv6_client_is_counted_by_its_slash_64(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock)
    for n in range(5):
        host = (f"2001:db8:1:2::{n + 1:x}", 1)
        assert sign_in(_from(app, host), "ann", "not the password").status_code == 401
    assert sign_in(_from(app, ("2001:db8:1:2:ffff::9", 1)), "ann").status_code == 429
    assert sign_in(_from(app, ("2001:db8:1:3::1", 1)), "ann").status_code == 303
    assert ("ann", "2001:db8:1:2::/64", 5) in _failures(web_url)


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock, trusted_proxies="10.1.2.3")
    proxy, spoofed = ("10.1.2.3", 1), {"X-Forwarded-For": "192.0.2.200, 198.51.100.77"}
    sign_in(_from(app, proxy, headers=spoofed), "ann", "not the password")
    sign_in(_from(app, ATTACKER, headers=spoofed), "liz", "not the password")
    assert _failures(web_url) == [("ann", "198.51.100.77", 1), ("liz", ATTACKER[0], 1)]


def test_rotating_forwarded_for_does_not_escape_the_brake(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock, client_attempts=3, trusted_proxies="10.1.2.3")
    for n in range(3):
        forged = {"X-Forwarded-For": f"192.0.2.{n}"}
        assert (
            sign_in(_from(app, ATTACKER, headers=forged), f"guess{n}", "x" * 12).status_code == 401
        )
    again = sign_in(
        _from(app, ATTACKER, headers={"X-Forwarded-For": "192.0.2.99"}), "guess0", "x" * 12
    )
    assert again.status_code == 429


def test_forged_addresses_before_the_proxys_do_not_escape_the_brake(web_url, tmp_path, clock):
    proxy = ("10.1.2.3", 1)
    app = make_app(web_url, tmp_path, clock, client_attempts=3, trusted_proxies=proxy[0])
    for n in range(3):
        forged = {"X-Forwarded-For": f"192.0.2.{n}, {ATTACKER[0]}"}
        assert sign_in(_from(app, proxy, headers=forged), f"guess{n}", "x" * 12).status_code == 401
    forged = {"X-Forwarded-For": f"192.0.2.99, {ATTACKER[0]}"}
    assert sign_in(_from(app, proxy, headers=forged), "guess0", "x" * 12).status_code == 429
    assert _failures(web_url, addresses=True) == [("*", ATTACKER[0], 3)]
    assert {client for _, client, _ in _failures(web_url)} == {ATTACKER[0]}


def test_serve_refuses_a_wide_network_of_trusted_proxies(web_url, monkeypatch, tmp_path):
    import uvicorn

    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_TRUSTED_PROXIES", "10.0.0.0/8")
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    result = CliRunner().invoke(main, ["--db", web_url, "serve"])
    assert result.exit_code == 1 and "'10.0.0.0/8' is too wide" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(web_url, monkeypatch, tmp_path):
    """`tracker serve` as configured by the command, in a real uvicorn on 127.0.0.1."""
    import uvicorn

    options = {}
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_SIGNIN_CLIENT_LIMIT", "3")
    monkeypatch.delenv("TRACKER_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: options.update(app=app, **kw))
    result = CliRunner().invoke(main, ["--db", web_url, "serve"])
    assert result.exit_code == 0, result.output
    app = options.pop("app")
    options.update(
        port=_free_port(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{options['port']}"
    server.should_exit = True
    thread.join(10)
    app.state.engine.dispose()


def _served_sign_in(base: str, name: str, password: str, forwarded: str) -> int:
    with httpx.Client(base_url=base, headers={"X-Forwarded-For": forwarded}) as client:
        token = csrf_of(client.get("/sign-in").text)
        return client.post(
            "/sign-in", data={"name": name, "password": password, "csrf_token": token}
        ).status_code


def test_tracker_serve_ignores_forwarded_for_without_trusted_proxies(served):
    for n in range(3):
        assert _served_sign_in(served, f"guess{n}", "x" * 12, f"192.0.2.{n}") == 401
    assert _served_sign_in(served, "guess1", "x" * 12, "192.0.2.99") == 429


def test_serve_refuses_trusted_proxies_it_cannot_read(web_url, monkeypatch, tmp_path):
    import uvicorn

    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_TRUSTED_PROXIES", "10.0.0.1, proxy.example")
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    result = CliRunner().invoke(main, ["--db", web_url, "serve"])
    assert result.exit_code == 1 and "'proxy.example' is not an address" in result.output
