"""Hidden tests for q21: rate limiting."""

import httpx
import pytest

from grader.judge.bridge import AppHost

LIMIT = 5


def _use_allowance(client: httpx.Client, headers: dict[str, str] | None = None, who: str = "the client") -> None:
    """Make the 5 allowed requests and check that each one succeeds."""
    for number in range(1, LIMIT + 1):
        response = client.get("/limited", headers=headers)
        assert response.status_code == 200, (
            f"request {number} of {LIMIT} to GET /limited from {who} should answer 200, "
            f"got {response.status_code}: {response.text}"
        )
        assert response.json() == {"message": "Success"}, 'GET /limited should answer {"message": "Success"}'


def _assert_limited(client: httpx.Client, headers: dict[str, str] | None = None, who: str = "the client") -> None:
    response = client.get("/limited", headers=headers)
    assert response.status_code == 429, (
        f"request {LIMIT + 1} to GET /limited from {who} within a minute should answer 429, "
        f"got {response.status_code}: {response.text}"
    )


def reset_limits(host: AppHost) -> None:
    """Call the module's ``reset_limits()`` with no arguments; what it returns is not checked (any value will do)."""
    host.request("call", name="reset_limits", args=[], kwargs={}, what="calling reset_limits()")


def _host_client(host: AppHost, address: str) -> httpx.Client:
    """A client on the module's app whose requests come from ``address`` (``request.client.host``)."""
    return host.client(client=(address, 50000))


@pytest.mark.contract("q21.1")
def test_sixth_request_is_rejected_with_429(client: httpx.Client) -> None:
    _use_allowance(client)
    _assert_limited(client)


@pytest.mark.contract("q21.1")
def test_requests_after_the_limit_keep_getting_429(client: httpx.Client) -> None:
    _use_allowance(client)
    statuses = [client.get("/limited").status_code for _ in range(4)]
    assert statuses == [429] * 4, f"requests 6 to 9 within the window should all answer 429, got {statuses}"


@pytest.mark.contract("q21.1", "q21.2")
def test_429_carries_retry_after_in_whole_seconds(client: httpx.Client) -> None:
    _use_allowance(client)
    response = client.get("/limited")
    assert response.status_code == 429, f"the 6th request should answer 429, got {response.status_code}"
    retry_after = response.headers.get("Retry-After")
    assert retry_after is not None, "a 429 should carry a Retry-After header"
    assert retry_after.strip().isdigit(), f"Retry-After should be a whole number of seconds, got {retry_after!r}"
    assert 1 <= int(retry_after) <= 61, f"Retry-After should be between 1 and 61 seconds, got {retry_after}"


@pytest.mark.contract("q21.3")
def test_different_client_ids_have_separate_limits(client: httpx.Client) -> None:
    alice = {"X-Client-ID": "alice"}
    bob = {"X-Client-ID": "bob"}
    _use_allowance(client, alice, "X-Client-ID alice")
    _assert_limited(client, alice, "X-Client-ID alice")
    _use_allowance(client, bob, "X-Client-ID bob (alice's limit must not block bob)")
    _assert_limited(client, bob, "X-Client-ID bob")


@pytest.mark.contract("q21.3")
def test_client_ids_differing_only_in_case_have_separate_limits(client: httpx.Client) -> None:
    # The key is the header's value as sent: no lower(), upper() or casefold() that would merge these three.
    ids = ("alice", "ALICE", "Alice")
    for number, client_id in enumerate(ids):
        earlier = ", ".join(ids[:number])
        who = f"X-Client-ID {client_id}" + (
            f" (after {earlier} hit the limit: the ID is case-sensitive)" if earlier else ""
        )
        _use_allowance(client, {"X-Client-ID": client_id}, who)
        _assert_limited(client, {"X-Client-ID": client_id}, f"X-Client-ID {client_id}")


@pytest.mark.contract("q21.3")
def test_client_id_header_is_the_key_instead_of_the_host(client: httpx.Client) -> None:
    _use_allowance(client, None, "a client without X-Client-ID")
    _assert_limited(client, None, "a client without X-Client-ID")
    carol = {"X-Client-ID": "carol"}
    _use_allowance(client, carol, "the same host sending X-Client-ID carol (the header is the key, not the host)")
    _assert_limited(client, carol, "X-Client-ID carol")


@pytest.mark.contract("q21.3")
def test_without_the_header_each_host_has_its_own_limit(host: AppHost) -> None:
    with _host_client(host, "10.0.0.1") as first, _host_client(host, "10.0.0.2") as second:
        _use_allowance(first, None, "host 10.0.0.1")
        _assert_limited(first, None, "host 10.0.0.1")
        _use_allowance(second, None, "host 10.0.0.2 (another host's limit must not block it)")
        _assert_limited(second, None, "host 10.0.0.2")


@pytest.mark.contract("q21.3")
def test_same_client_id_from_two_hosts_shares_one_limit(host: AppHost) -> None:
    shared = {"X-Client-ID": "shared-key"}
    with _host_client(host, "10.0.0.1") as first, _host_client(host, "10.0.0.2") as second:
        for number in range(1, LIMIT + 1):
            caller = first if number % 2 else second
            response = caller.get("/limited", headers=shared)
            assert response.status_code == 200, (
                f"request {number} with X-Client-ID shared-key should answer 200, got {response.status_code}"
            )
        response = second.get("/limited", headers=shared)
        assert response.status_code == 429, (
            "the same X-Client-ID from two hosts is one client: its 6th request should answer 429, "
            f"got {response.status_code}"
        )


@pytest.mark.contract("q21.4")
def test_health_is_not_limited_and_does_not_count(client: httpx.Client) -> None:
    for number in range(1, 3 * LIMIT + 1):
        response = client.get("/health")
        assert response.status_code == 200, f"GET /health number {number} should answer 200, got {response.status_code}"
        assert response.json() == {"status": "ok"}, 'GET /health should answer {"status": "ok"}'
    _use_allowance(client, None, "a client that called /health many times (it must not count)")
    _assert_limited(client)
    response = client.get("/health")
    assert response.status_code == 200, (
        f"GET /health should stay 200 while /limited is blocked, got {response.status_code}"
    )


@pytest.mark.contract("q21.5")
def test_reset_limits_gives_every_client_a_full_new_allowance(host: AppHost, client: httpx.Client) -> None:
    dave = {"X-Client-ID": "dave"}
    _use_allowance(client)
    _assert_limited(client)
    _use_allowance(client, dave, "X-Client-ID dave")
    _assert_limited(client, dave, "X-Client-ID dave")
    erin = {"X-Client-ID": "erin"}  # under the limit: 3 calls made, not blocked
    for number in range(1, 4):
        response = client.get("/limited", headers=erin)
        assert response.status_code == 200, (
            f"call {number} of X-Client-ID erin should answer 200, got {response.status_code}: {response.text}"
        )
    reset_limits(host)
    _use_allowance(client, None, "the host client after reset_limits()")
    _assert_limited(client, None, "the host client after reset_limits()")
    _use_allowance(client, dave, "X-Client-ID dave after reset_limits()")
    _assert_limited(client, dave, "X-Client-ID dave after reset_limits()")
    # reset_limits() forgets every count, not only those of blocked clients: erin's 3 calls are forgotten too.
    _use_allowance(client, erin, "X-Client-ID erin (3 calls before reset_limits())")
    _assert_limited(client, erin, "X-Client-ID erin (3 calls before reset_limits())")
