"""Hidden tests for q27: offset pagination with a total, bounds and next/previous links."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest


def get_page(client: httpx.Client, **params: object) -> dict[str, Any]:
    response = client.get("/items/", params=params)
    where = "GET /items/" + (f" with {params}" if params else "")
    assert response.status_code == 200, f"{where} should answer 200, got {response.status_code}: {response.text}"
    return response.json()


def ids(page: dict[str, Any]) -> list[int]:
    return [item["id"] for item in page["items"]]


def link_target(link: object) -> tuple[str, dict[str, list[str]]]:
    assert isinstance(link, str), f"a link should be a string, got {link!r}"
    parts = urlsplit(link)
    return parts.path, parse_qs(parts.query)


def assert_link(page: dict[str, Any], field: str, skip: int, limit: int, context: str) -> None:
    expected = f"/items/?skip={skip}&limit={limit}"
    assert page.get(field) is not None, f"{context}: {field!r} should link to {expected}, got null or nothing"
    path, query = link_target(page[field])
    assert (path, query) == ("/items/", {"skip": [str(skip)], "limit": [str(limit)]}), (
        f"{context}: {field!r} should link to {expected}, got {page[field]!r}"
    )


@pytest.mark.contract("q27.1", "q27.2", "q27.3")
def test_default_page(client: httpx.Client) -> None:
    page = get_page(client)
    assert ids(page) == list(range(1, 11)), f"GET /items/ should answer the items with ids 1 to 10, got {ids(page)}"
    assert page["items"][0] == {"id": 1, "name": "Item 1"}, f"items should be given unchanged, got {page['items'][0]}"
    assert (page["skip"], page["limit"], page["total"]) == (0, 10, 100), (
        f"GET /items/ should report skip 0, limit 10, total 100, got {page['skip']}, {page['limit']}, {page['total']}"
    )


@pytest.mark.contract("q27.3")
def test_skip_and_limit_select_the_window(client: httpx.Client) -> None:
    page = get_page(client, skip=20, limit=5)
    assert ids(page) == [21, 22, 23, 24, 25], f"skip=20&limit=5 should give ids 21 to 25, got {ids(page)}"
    assert [item["name"] for item in page["items"]] == [f"Item {n}" for n in range(21, 26)], "wrong item names"
    assert (page["skip"], page["limit"]) == (20, 5), "the response should echo skip and limit"
    assert ids(get_page(client, skip=1, limit=1)) == [2], "skip=1&limit=1 should give only the item with id 2"


@pytest.mark.contract("q27.3", "q27.4")
def test_total_counts_the_whole_data_set(client: httpx.Client) -> None:
    response = client.get("/items/", params={"skip": 98, "limit": 5})
    assert response.status_code == 200, f"skip=98&limit=5 should answer 200, got {response.status_code}"
    page = response.json()
    assert ids(page) == [99, 100], f"skip=98&limit=5 should give ids 99 and 100, got {ids(page)}"
    assert page["total"] == 100, f"total should count the whole data set (100), not the page: got {page['total']}"
    assert get_page(client, limit=3)["total"] == 100, "total should be 100 whatever the limit"
    assert response.headers.get("x-total-count") == "100", (
        f"the X-Total-Count header should be '100', got {response.headers.get('x-total-count')!r}"
    )


@pytest.mark.contract("q27.5", "q27.6", "q27.7")
def test_next_and_previous_links(client: httpx.Client) -> None:
    page = get_page(client, skip=20, limit=5)
    assert_link(page, "next", 25, 5, "skip=20&limit=5")
    assert_link(page, "previous", 15, 5, "skip=20&limit=5")


@pytest.mark.contract("q27.5", "q27.6")
def test_first_page_has_no_previous(client: httpx.Client) -> None:
    page = get_page(client, limit=10)
    assert_link(page, "next", 10, 10, "the first page (limit=10)")
    assert page.get("previous", "missing") is None, (
        f"the first page should have previous null, got {page.get('previous', 'missing')!r}"
    )


@pytest.mark.contract("q27.6")
def test_previous_is_clamped_to_zero(client: httpx.Client) -> None:
    page = get_page(client, skip=3, limit=10)
    assert ids(page) == list(range(4, 14)), f"skip=3&limit=10 should give ids 4 to 13, got {ids(page)}"
    assert_link(page, "previous", 0, 10, "skip=3&limit=10 (never a negative skip)")
    assert_link(page, "next", 13, 10, "skip=3&limit=10")


@pytest.mark.contract("q27.5")
def test_last_page_has_no_next(client: httpx.Client) -> None:
    exact = get_page(client, skip=90, limit=10)
    assert ids(exact) == list(range(91, 101)), f"skip=90&limit=10 should give ids 91 to 100, got {ids(exact)}"
    assert exact.get("next", "missing") is None, (
        f"skip=90&limit=10 ends exactly at item 100, so next should be null, got {exact.get('next', 'missing')!r}"
    )
    assert_link(exact, "previous", 80, 10, "skip=90&limit=10")
    partial = get_page(client, skip=95, limit=10)
    assert ids(partial) == list(range(96, 101)), f"skip=95&limit=10 should give ids 96 to 100, got {ids(partial)}"
    assert partial.get("next", "missing") is None, (
        f"the last page should have next null, got {partial.get('next', 'missing')!r}"
    )


@pytest.mark.contract("q27.3", "q27.5")
def test_skip_past_the_end_gives_an_empty_page(client: httpx.Client) -> None:
    for skip in (100, 500):
        page = get_page(client, skip=skip, limit=10)
        assert page["items"] == [], f"skip={skip} should give no items, got {ids(page)}"
        assert page["total"] == 100, f"skip={skip}: total should still be 100, got {page['total']}"
        assert page.get("next", "missing") is None, (
            f"skip={skip}: next should be null, got {page.get('next', 'missing')!r}"
        )


@pytest.mark.contract("q27.2")
def test_limit_bounds(client: httpx.Client) -> None:
    assert len(get_page(client, limit=50)["items"]) == 50, "limit=50 is allowed and should give 50 items"
    assert len(get_page(client, limit=1)["items"]) == 1, "limit=1 is allowed and should give 1 item"
    # Only values that no reading of the contract accepts: other spellings of a whole number ("5.0", " 5", "5_0")
    # are accepted by FastAPI's own parsing and may be refused by a stricter answer; the contract leaves them free.
    for params in ({"limit": 0}, {"limit": 51}, {"limit": -5}, {"limit": "ten"}):
        response = client.get("/items/", params=params)
        assert response.status_code == 422, f"GET /items/ with {params} should answer 422, got {response.status_code}"


@pytest.mark.contract("q27.2")
def test_skip_bounds(client: httpx.Client) -> None:
    assert ids(get_page(client, skip=0, limit=2)) == [1, 2], "skip=0 is allowed"
    for params in ({"skip": -1}, {"skip": "first"}, {"skip": 1.5}):
        response = client.get("/items/", params=params)
        assert response.status_code == 422, f"GET /items/ with {params} should answer 422, got {response.status_code}"


@pytest.mark.contract("q27.5", "q27.6", "q27.7")
def test_following_links_visits_every_item_once(client: httpx.Client) -> None:
    seen: list[int] = []
    page = get_page(client, limit=7)
    pages = 1
    while True:
        seen.extend(ids(page))
        if page.get("next") is None:
            break
        assert pages < 30, "following next should end after 15 pages of 7"
        response = client.get(page["next"])
        assert response.status_code == 200, f"following next {page['next']!r} should answer 200"
        page = response.json()
        pages += 1
    assert seen == list(range(1, 101)), f"following next from the first page should visit ids 1 to 100 once, got {seen}"
    assert pages == 15, f"100 items with limit=7 make 15 pages, followed {pages}"

    back: list[int] = []
    while page.get("previous") is not None:
        response = client.get(page["previous"])
        assert response.status_code == 200, f"following previous {page['previous']!r} should answer 200"
        page = response.json()
        back = ids(page) + back
        assert len(back) <= 100, "following previous should end at the first page"
    assert back == list(range(1, 99)), (
        f"following previous from the last page (skip=98) should visit ids 1 to 98 once, got {back}"
    )


PAGE_KEYS = {"items", "total", "skip", "limit", "next", "previous"}


def expected_ids(skip: int, limit: int) -> list[int]:
    return list(range(skip + 1, min(skip + limit, 100) + 1))


@pytest.mark.contract("q27.2", "q27.3", "q27.4")
def test_every_page_has_exactly_the_contract_shape(client: httpx.Client) -> None:
    cases: tuple[tuple[dict[str, int], int, int], ...] = (
        ({}, 0, 10),
        ({"skip": 30}, 30, 10),
        ({"limit": 17}, 0, 17),
        ({"skip": 37, "limit": 13}, 37, 13),
        ({"skip": 89, "limit": 10}, 89, 10),
        ({"skip": 99, "limit": 1}, 99, 1),
        ({"skip": 13, "limit": 50}, 13, 50),
        ({"skip": 100, "limit": 10}, 100, 10),
        ({"skip": 503, "limit": 7}, 503, 7),
    )
    for params, skip, limit in cases:
        response = client.get("/items/", params=params)
        where = f"GET /items/ with {params}"
        assert response.status_code == 200, f"{where} should answer 200, got {response.status_code}: {response.text}"
        page = response.json()
        assert isinstance(page, dict) and set(page) == PAGE_KEYS, (
            f"{where} should answer exactly the keys {sorted(PAGE_KEYS)}, got {sorted(page)}"
        )
        assert (page["total"], page["skip"], page["limit"]) == (100, skip, limit), (
            f"{where} should report total 100, skip {skip}, limit {limit};"
            f" got {page['total']}, {page['skip']}, {page['limit']}"
        )
        want = [{"id": n, "name": f"Item {n}"} for n in expected_ids(skip, limit)]
        assert page["items"] == want, f"{where} should answer exactly the items {expected_ids(skip, limit)}"
        assert response.headers.get("x-total-count") == "100", (
            f"{where}: every page should carry X-Total-Count: 100, got {response.headers.get('x-total-count')!r}"
        )


@pytest.mark.contract("q27.5", "q27.6")
def test_links_just_inside_and_just_outside_each_boundary(client: httpx.Client) -> None:
    # (skip, limit, next skip or None, previous skip or None)
    cases = (
        (89, 10, 99, 79),  # one item left after the page: next still links
        (90, 10, None, 80),  # ends exactly at item 100
        (91, 10, None, 81),
        (98, 1, 99, 97),
        (99, 1, None, 98),
        (1, 10, 11, 0),  # one item before: previous links to 0
        (10, 10, 20, 0),
        (11, 10, 21, 1),
        (100, 10, None, 90),
        (503, 7, None, 496),  # past the end: previous is still skip - limit
    )
    for skip, limit, next_skip, previous_skip in cases:
        page = get_page(client, skip=skip, limit=limit)
        context = f"skip={skip}&limit={limit}"
        if next_skip is None:
            assert page.get("next", "missing") is None, f"{context}: next should be null, got {page.get('next')!r}"
        else:
            assert_link(page, "next", next_skip, limit, context)
        if previous_skip is None:
            assert page.get("previous", "missing") is None, f"{context}: previous should be null"
        else:
            assert_link(page, "previous", previous_skip, limit, context)


@pytest.mark.contract("q27.7")
def test_links_hold_only_skip_and_limit_whatever_else_the_request_carries(client: httpx.Client) -> None:
    page = get_page(client, skip=20, limit=5, sort="name", q="x")
    assert ids(page) == [21, 22, 23, 24, 25], (
        f"skip=20&limit=5 with other parameters should give ids 21 to 25, got {ids(page)}"
    )
    context = "skip=20&limit=5&sort=name&q=x (the links hold exactly skip and limit, nothing else of the request)"
    assert_link(page, "next", 25, 5, context)
    assert_link(page, "previous", 15, 5, context)
