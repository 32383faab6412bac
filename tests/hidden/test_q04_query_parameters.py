"""Hidden tests for q04: query parameters."""

import httpx
import pytest

from grader.judge.fixtures import error_locs


def _assert_422_on(client: httpx.Client, url: str, loc: list[str]) -> None:
    response = client.get(url)
    assert response.status_code == 422, f"GET {url} should answer 422, got {response.status_code}: {response.text}"
    locs = error_locs(response.json())
    assert loc in locs, f"the 422 error of GET {url} should name {loc}, got {locs}"


@pytest.mark.contract("q04.1")
def test_items_defaults_are_skip_0_limit_10(client: httpx.Client) -> None:
    response = client.get("/items/")
    assert response.status_code == 200, f"GET /items/ should answer 200, got {response.status_code}"
    assert response.json() == {"skip": 0, "limit": 10, "q": None}, (
        f'GET /items/ should answer {{"skip": 0, "limit": 10, "q": null}}, got {response.json()}'
    )


@pytest.mark.contract("q04.1")
def test_items_reads_skip_limit_and_q(client: httpx.Client) -> None:
    response = client.get("/items/", params={"skip": "20", "limit": "5", "q": "pen"})
    assert response.status_code == 200, (
        f"GET /items/?skip=20&limit=5&q=pen should answer 200, got {response.status_code}"
    )
    assert response.json() == {"skip": 20, "limit": 5, "q": "pen"}, (
        f"skip and limit should be converted to integers and q echoed, got {response.json()}"
    )


@pytest.mark.contract("q04.1")
def test_items_rejects_non_integer_skip_and_limit(client: httpx.Client) -> None:
    assert client.get("/items/").status_code == 200, "GET /items/ should answer 200 before bad values are checked"
    _assert_422_on(client, "/items/?limit=ten", ["query", "limit"])
    _assert_422_on(client, "/items/?skip=1.5", ["query", "skip"])


@pytest.mark.contract("q04.1")
def test_limit_accepts_bounds_1_and_100(client: httpx.Client) -> None:
    for limit in (1, 100):
        response = client.get("/items/", params={"limit": limit})
        assert response.status_code == 200, f"GET /items/?limit={limit} should answer 200, got {response.status_code}"
        assert response.json().get("limit") == limit, f"limit should be {limit}, got {response.json()}"


@pytest.mark.contract("q04.1")
def test_limit_outside_1_to_100_returns_422(client: httpx.Client) -> None:
    assert client.get("/items/?limit=50").status_code == 200, "GET /items/?limit=50 should answer 200"
    for limit in (0, 101, -5):
        _assert_422_on(client, f"/items/?limit={limit}", ["query", "limit"])


@pytest.mark.contract("q04.1")
def test_negative_skip_returns_422(client: httpx.Client) -> None:
    assert client.get("/items/?skip=0").status_code == 200, "GET /items/?skip=0 should answer 200"
    _assert_422_on(client, "/items/?skip=-1", ["query", "skip"])


@pytest.mark.contract("q04.1")
def test_empty_q_is_the_empty_string(client: httpx.Client) -> None:
    response = client.get("/items/?q=")
    assert response.status_code == 200, f"GET /items/?q= should answer 200, got {response.status_code}"
    assert response.json() == {"skip": 0, "limit": 10, "q": ""}, (
        f'an empty ?q= is given, not absent: GET /items/?q= should answer "q": "", got {response.json()}'
    )


@pytest.mark.contract("q04.2")
def test_short_defaults_to_false(client: httpx.Client) -> None:
    response = client.get("/items/7")
    assert response.status_code == 200, f"GET /items/7 should answer 200, got {response.status_code}"
    assert response.json() == {"item_id": 7, "short": False}, (
        f'GET /items/7 should answer {{"item_id": 7, "short": false}}, got {response.json()}'
    )


@pytest.mark.contract("q04.2")
def test_short_converts_boolean_words(client: httpx.Client) -> None:
    cases = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}
    for raw, expected in cases.items():
        response = client.get(f"/items/3?short={raw}")
        assert response.status_code == 200, f"GET /items/3?short={raw} should answer 200, got {response.status_code}"
        assert response.json() == {"item_id": 3, "short": expected}, (
            f"short={raw} should be read as {expected}, got {response.json()}"
        )


@pytest.mark.contract("q04.2")
def test_short_rejects_non_boolean_values(client: httpx.Client) -> None:
    assert client.get("/items/3?short=yes").status_code == 200, "GET /items/3?short=yes should answer 200"
    # Only values that are no boolean word at all: t, f, y, n or TRUE, which FastAPI's bool also reads, are left
    # free by the contract and never sent.
    for raw in ("maybe", "2", ""):
        _assert_422_on(client, f"/items/3?short={raw}", ["query", "short"])


@pytest.mark.contract("q04.3")
def test_search_without_q_returns_422(client: httpx.Client) -> None:
    assert client.get("/search/?q=pen").status_code == 200, "GET /search/?q=pen should answer 200"
    response = client.get("/search/")
    assert response.status_code == 422, f"GET /search/ without q should answer 422, got {response.status_code}"
    errors = response.json().get("detail", [])
    missing = [error for error in errors if error.get("loc") == ["query", "q"]]
    assert missing, f"the 422 error should name ['query', 'q'], got {errors}"
    assert missing[0].get("type") == "missing", f"q should be reported as missing, got {missing[0]}"


@pytest.mark.contract("q04.3")
def test_search_echoes_q_and_repeated_tags(client: httpx.Client) -> None:
    response = client.get("/search/?q=pen&tag=red&tag=blue")
    assert response.status_code == 200, (
        f"GET /search/?q=pen&tag=red&tag=blue should answer 200, got {response.status_code}"
    )
    assert response.json() == {"q": "pen", "tags": ["red", "blue"]}, (
        f'repeated tag parameters should come back as a list, {{"q": "pen", "tags": ["red", "blue"]}}; '
        f"got {response.json()}"
    )


@pytest.mark.contract("q04.3")
def test_search_tags_default_to_empty_list(client: httpx.Client) -> None:
    response = client.get("/search/?q=pen")
    assert response.status_code == 200, f"GET /search/?q=pen should answer 200, got {response.status_code}"
    assert response.json() == {"q": "pen", "tags": []}, (
        f'GET /search/?q=pen should answer {{"q": "pen", "tags": []}}, got {response.json()}'
    )


@pytest.mark.contract("q04.3")
def test_search_accepts_an_empty_q(client: httpx.Client) -> None:
    response = client.get("/search/?q=")
    assert response.status_code == 200, (
        f"GET /search/?q= gives q (an empty one) and should answer 200, got {response.status_code}: {response.text}"
    )
    assert response.json() == {"q": "", "tags": []}, (
        f'GET /search/?q= should answer {{"q": "", "tags": []}}, got {response.json()}'
    )


@pytest.mark.contract("q04.1")
def test_items_reads_uneven_values_and_a_large_skip(client: httpx.Client) -> None:
    for skip, limit in ((37, 73), (2_147_483_655, 99), (1, 2)):
        response = client.get("/items/", params={"skip": skip, "limit": limit})
        assert response.status_code == 200, (
            f"GET /items/?skip={skip}&limit={limit} should answer 200 (skip has no upper bound), "
            f"got {response.status_code}"
        )
        assert response.json() == {"skip": skip, "limit": limit, "q": None}, (
            f'GET /items/?skip={skip}&limit={limit} should answer {{"skip": {skip}, "limit": {limit}, "q": null}}, '
            f"got {response.text}"
        )


@pytest.mark.contract("q04.1")
def test_items_echoes_q_in_any_script_and_length(client: httpx.Client) -> None:
    for q in ("crème brûlée", "筆と紙", "pen 🖊️", "e\u0301", "a+b & c=d", "  spaced  ", "x" * 300 + "é" * 300):
        response = client.get("/items/", params={"q": q})
        assert response.status_code == 200, f"GET /items/?q={q[:40]!r} should answer 200, got {response.status_code}"
        assert response.json() == {"skip": 0, "limit": 10, "q": q}, (
            f"q should be echoed as the decoded text {q[:60]!r}, got {response.text[:200]}"
        )


@pytest.mark.contract("q04.1")
def test_several_bad_values_each_get_an_error(client: httpx.Client) -> None:
    assert client.get("/items/").status_code == 200, "GET /items/ should answer 200 before bad values are checked"
    response = client.get("/items/?skip=-2&limit=101")
    assert response.status_code == 422, f"GET /items/?skip=-2&limit=101 should answer 422, got {response.status_code}"
    locs = error_locs(response.json())
    for loc in (["query", "skip"], ["query", "limit"]):
        assert loc in locs, f"GET /items/?skip=-2&limit=101: both bad values should have their error; {loc} is missing"


@pytest.mark.contract("q04.1")
def test_other_spellings_of_a_whole_number_give_that_number_or_422(client: httpx.Client) -> None:
    assert client.get("/items/").status_code == 200, "GET /items/ should answer 200"
    for name, raw, expected in (("skip", "1.0", 1), ("limit", "+5", 5), ("limit", "007", 7)):
        response = client.get(f"/items/?{name}={raw}")
        if response.status_code == 422:
            assert ["query", name] in error_locs(response.json()), f"the 422 error should name ['query', '{name}']"
            continue
        assert response.status_code == 200, f"GET /items/?{name}={raw} should answer 200 or 422"
        assert response.json().get(name) == expected and isinstance(response.json().get(name), int), (
            f"GET /items/?{name}={raw} may answer 422, or 200 with {name} = {expected}; got {response.text}"
        )


@pytest.mark.contract("q04.1")
def test_a_repeated_parameter_counts_with_its_last_value(client: httpx.Client) -> None:
    response = client.get("/items/?limit=5&limit=7&skip=3&skip=11&q=first&q=último")
    assert response.status_code == 200, f"repeated parameters should answer 200, got {response.status_code}"
    assert response.json() == {"skip": 11, "limit": 7, "q": "último"}, (
        f"a repeated parameter counts with its last value (skip 11, limit 7, q último), got {response.text}"
    )
    assert client.get("/items/?limit=500&limit=7").status_code == 200, (
        "GET /items/?limit=500&limit=7 counts limit=7 and should answer 200"
    )
    _assert_422_on(client, "/items/?limit=7&limit=500", ["query", "limit"])
    _assert_422_on(client, "/items/?skip=4&skip=-4", ["query", "skip"])


@pytest.mark.contract("q04.3")
def test_search_tags_keep_their_order_duplicates_and_text(client: httpx.Client) -> None:
    tags = ["zeta", "Alpha", "mid", "zeta", "a,b", "", "thé vert", "茶", "🍵", "n\u0303", "x&y=z"]
    query = [("q", " grüner Tee  "), *[("tag", tag) for tag in tags]]
    response = client.get("/search/", params=query)
    assert response.status_code == 200, f"GET /search/ with many tags should answer 200, got {response.status_code}"
    assert response.json() == {"q": " grüner Tee  ", "tags": tags}, (
        f"q and every tag should come back as given, in order, duplicates and empty ones kept, none split: "
        f"expected {tags}, got {response.text}"
    )


@pytest.mark.contract("q04.3")
def test_search_keeps_an_empty_tag(client: httpx.Client) -> None:
    response = client.get("/search/?q=pen&tag=&tag=x")
    assert response.status_code == 200, f"GET /search/?q=pen&tag=&tag=x should answer 200, got {response.status_code}"
    assert response.json() == {"q": "pen", "tags": ["", "x"]}, (
        f'an empty tag= is the tag "": expected {{"q": "pen", "tags": ["", "x"]}}, got {response.text}'
    )


@pytest.mark.contract("q04.2")
def test_item_id_is_any_integer(client: httpx.Client) -> None:
    for item_id, raw, expected in ((-4, "on", True), (90210, "off", False), (0, "1", True)):
        response = client.get(f"/items/{item_id}?short={raw}")
        assert response.status_code == 200, (
            f"GET /items/{item_id}?short={raw} should answer 200, got {response.status_code}"
        )
        assert response.json() == {"item_id": item_id, "short": expected}, (
            f"GET /items/{item_id}?short={raw} should answer item_id {item_id}, short {expected}; got {response.text}"
        )
