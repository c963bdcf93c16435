"""Contract suite: OpenRouter's official Python SDK (PyPI `openrouter`, pinned in requirements.txt)
against the mock as a real process (conftest.py starts it).

The SDK parses every answer into its pydantic models (`UpdateKeysData` and the rest): a missing
required field or a wrong type raises `ResponseValidationError`, so every call that returns proves
the answer's shape; the assertions on top prove the values.
"""

import asyncio
import datetime
import json
import urllib.error
import urllib.request

import pytest
from openrouter import OpenRouter, errors
from openrouter.utils import RetryConfig

DOCS_HASH = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943"
# The default dataset's ordinary key whose plaintext is documented (README, "The official SDK").
LOCAL_DEV_KEY = "sk-or-v1-" + "feedface" * 8
NO_RETRIES = RetryConfig("none", None, False)


def sdk(mock, api_key=None, retries=NO_RETRIES):
    return OpenRouter(api_key=api_key or mock["managementKeys"][0], server_url=mock["url"], retry_config=retries)


@pytest.fixture
def client(mock):
    with sdk(mock) as client:
        yield client


def http(mock, method, path, body=None, token=None, headers=None):
    """A raw request (urllib): for the control API, and for what the SDK cannot send."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    all_headers = {**({"Content-Type": "application/json"} if data is not None else {}), **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    url = (mock["origin"] + path) if path.startswith("/__mock") else (mock["url"] + path)
    request = urllib.request.Request(url, method=method, data=data, headers=all_headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def expected_remaining(key):
    """What is left of a key's limit, computed here from the key's own usage fields."""
    if key.limit is None:
        return None
    windows = {
        None: (key.usage, key.byok_usage),
        "daily": (key.usage_daily, key.byok_usage_daily),
        "weekly": (key.usage_weekly, key.byok_usage_weekly),
        "monthly": (key.usage_monthly, key.byok_usage_monthly),
    }
    credits, byok = windows[key.limit_reset]
    return max(0.0, key.limit - (credits + (byok if key.include_byok_in_limit else 0)))


def assert_remaining(key):
    expected = expected_remaining(key)
    if expected is None:
        assert key.limit_remaining is None
    else:
        assert key.limit_remaining == pytest.approx(expected, abs=1e-6)


def last_sent_body(mock, method):
    """The body of the newest API request with `method`, as the mock's journal recorded it."""
    status, journal = http(mock, "GET", f"/__mock/requests?method={method}&limit=1")
    assert status == 200
    return journal["data"][0]["body"]


# --- the six operations -------------------------------------------------------------------------


def test_list_parses_active_keys_newest_first_and_include_disabled_adds_the_rest(client):
    active = client.api_keys.list().data
    assert active and all(not key.disabled for key in active)
    assert DOCS_HASH in [key.hash for key in active]
    created = [key.created_at for key in active]
    assert created == sorted(created, reverse=True)
    for key in active:
        assert_remaining(key)
    everything = client.api_keys.list(include_disabled=True).data
    disabled = [key for key in everything if key.disabled]
    assert disabled and len(everything) == len(active) + len(disabled)


def test_get_answers_the_key_the_listing_shows(client):
    listed = next(key for key in client.api_keys.list().data if key.hash == DOCS_HASH)
    got = client.api_keys.get(hash=DOCS_HASH).data
    assert got.model_dump() == listed.model_dump()
    assert_remaining(got)


def test_create_sets_every_field_and_answers_the_plaintext_once(client, mock):
    expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)).replace(microsecond=0)
    created = client.api_keys.create(name="python create", limit=12.5, limit_reset="weekly", include_byok_in_limit=True, expires_at=expires)
    assert created.key.startswith("sk-or-v1-") and len(created.key) == len("sk-or-v1-") + 64
    data = created.data
    assert (data.name, data.limit, data.limit_reset, data.include_byok_in_limit, data.disabled) == ("python create", 12.5, "weekly", True, False)
    assert data.expires_at == expires
    assert data.limit_remaining == 12.5 and data.usage == 0
    assert client.api_keys.list().data[0].hash == data.hash
    # The plaintext opens GET /key, as itself.
    with sdk(mock, api_key=created.key) as own:
        current = own.api_keys.get_current_key_metadata().data
    assert (current.is_management_key, current.label, current.limit) == (False, data.label, 12.5)


def test_create_unlimited_round_trips_limit_null(client, mock):
    created = client.api_keys.create(name="python unlimited", limit=None, limit_reset=None)
    assert last_sent_body(mock, "POST") == {"name": "python unlimited", "limit": None, "limit_reset": None}
    assert (created.data.limit, created.data.limit_remaining, created.data.limit_reset) == (None, None, None)
    got = client.api_keys.get(hash=created.data.hash).data
    assert (got.limit, got.limit_remaining) == (None, None)


def test_delete_answers_deleted_and_the_key_is_gone(client):
    created = client.api_keys.create(name="python delete")
    assert client.api_keys.delete(hash=created.data.hash).DELETED is True
    with pytest.raises(errors.NotFoundResponseError):
        client.api_keys.get(hash=created.data.hash)
    assert created.data.hash not in [key.hash for key in client.api_keys.list(include_disabled=True).data]


def test_current_key_of_a_management_key_and_of_an_ordinary_key(client, mock):
    management = client.api_keys.get_current_key_metadata().data
    assert management.is_management_key is True and management.limit is None
    with sdk(mock, api_key=LOCAL_DEV_KEY) as ordinary:
        current = ordinary.api_keys.get_current_key_metadata().data
    assert current.is_management_key is False
    assert current.label.startswith("sk-or-v1-fee")
    assert current.limit_remaining == (None if current.limit is None else pytest.approx(current.limit_remaining))


# --- update: each field the seed lists, alone and together --------------------------------------

# One value per field, each different from the documentation's example key's own.
ONE_FIELD = {
    "name": "Updated API Key Name",
    "disabled": True,
    "limit": 75.0,
    "limit_reset": "daily",
    "include_byok_in_limit": True,
}
# The seed's example body (README, "curl"): every field at once.
SEED_EXAMPLE = {**ONE_FIELD, "disabled": False}


@pytest.mark.parametrize("field", list(ONE_FIELD))
def test_update_one_field_changes_it_alone(client, mock, field):
    before = client.api_keys.get(hash=DOCS_HASH).data
    value = ONE_FIELD[field]
    assert getattr(before, field) != value
    after = client.api_keys.update(hash=DOCS_HASH, **{field: value}).data
    assert last_sent_body(mock, "PATCH") == {field: value}
    assert getattr(after, field) == value
    unchanged = {"limit_remaining", "updated_at", field}
    assert after.model_dump(exclude=unchanged) == before.model_dump(exclude=unchanged)
    assert after.updated_at is not None and after.updated_at != before.updated_at
    assert_remaining(after)
    assert client.api_keys.get(hash=DOCS_HASH).data.model_dump() == after.model_dump()


def test_update_every_field_together_is_the_seed_example(client, mock):
    after = client.api_keys.update(hash=DOCS_HASH, **SEED_EXAMPLE).data
    assert last_sent_body(mock, "PATCH") == SEED_EXAMPLE
    assert {field: getattr(after, field) for field in SEED_EXAMPLE} == SEED_EXAMPLE
    # limit 75 on the daily window, BYOK counted: 75 - (25.5 + 17.38), exactly (rounded to micro-dollars).
    assert after.limit_remaining == 32.12
    assert_remaining(after)


def test_update_to_unlimited_and_back(client, mock):
    unlimited = client.api_keys.update(hash=DOCS_HASH, limit=None, limit_reset=None).data
    assert last_sent_body(mock, "PATCH") == {"limit": None, "limit_reset": None}
    assert (unlimited.limit, unlimited.limit_remaining, unlimited.limit_reset) == (None, None, None)
    limited = client.api_keys.update(hash=DOCS_HASH, limit=1000.0, limit_reset="monthly").data
    assert limited.limit == 1000 and limited.limit_remaining == pytest.approx(expected_remaining(limited), abs=1e-6)


def test_limit_remaining_follows_recorded_usage_and_byok(client, mock):
    key = client.api_keys.create(name="python spend", limit=20.0, limit_reset="daily").data
    status, _ = http(mock, "POST", f"/__mock/keys/{key.hash}/usage", {"amount": 5, "byok": 3})
    assert status == 200
    spent = client.api_keys.get(hash=key.hash).data
    assert (spent.usage_daily, spent.byok_usage_daily, spent.limit_remaining) == (5, 3, 15)
    counted = client.api_keys.update(hash=key.hash, include_byok_in_limit=True).data
    assert counted.limit_remaining == 12
    lowered = client.api_keys.update(hash=key.hash, limit=7.0).data
    assert lowered.limit_remaining == 0


# --- errors: each status the mock gives, as the SDK's own class with the mock's message ---------


def rule_500(mock):
    status, _ = http(mock, "POST", "/__mock/faults", {"match": {"method": "PATCH", "path": "/keys/*"}, "status": 500, "body": "Injected outage", "times": 1})
    assert status == 201


ERRORS = [
    # status, SDK class, how to provoke it, the mock's message
    (400, errors.BadRequestResponseError, lambda mock: sdk(mock).api_keys.update(hash=DOCS_HASH, name=""), 'Invalid request body: field "name" must not be empty'),
    (401, errors.UnauthorizedResponseError, lambda mock: sdk(mock, api_key="sk-or-v1-unknown").api_keys.update(hash=DOCS_HASH, name="x"), None),
    (403, errors.ForbiddenResponseError, lambda mock: sdk(mock, api_key=LOCAL_DEV_KEY).api_keys.update(hash=DOCS_HASH, name="x"), "Only management keys can perform this operation"),
    (404, errors.NotFoundResponseError, lambda mock: sdk(mock).api_keys.update(hash="0" * 64, name="x"), None),
    (
        429,
        errors.TooManyRequestsResponseError,
        lambda mock: sdk(mock).api_keys.update(hash=DOCS_HASH, name="x", http_headers={"X-Mock-Response": "status=429;message=Slow down"}),
        "Slow down",
    ),
    (500, errors.InternalServerResponseError, lambda mock: (rule_500(mock), sdk(mock).api_keys.update(hash=DOCS_HASH, name="x")), "Injected outage"),
]


@pytest.mark.parametrize("status, error_class, provoke, message", ERRORS, ids=[str(e[0]) for e in ERRORS])
def test_error_is_the_sdks_class_with_the_mocks_message(mock, status, error_class, provoke, message):
    before = http(mock, "GET", f"/keys/{DOCS_HASH}", token=mock["managementKeys"][0])
    with pytest.raises(error_class) as raised:
        provoke(mock)
    error = raised.value
    envelope = json.loads(error.body)
    assert list(envelope) == ["error"] and envelope["error"]["code"] == status
    assert error.status_code == status
    assert error.message == envelope["error"]["message"]
    assert error.data.error.code == status
    if message is not None:
        assert error.message == message
    # A rejected request changes nothing.
    assert http(mock, "GET", f"/keys/{DOCS_HASH}", token=mock["managementKeys"][0]) == before


def test_a_500_is_retried_by_the_sdks_default_policy_and_succeeds(mock):
    rule_500(mock)
    with OpenRouter(api_key=mock["managementKeys"][0], server_url=mock["url"]) as default_client:
        updated = default_client.api_keys.update(hash=DOCS_HASH, name="after one 500").data
    assert updated.name == "after one 500"
    statuses = [entry["status"] for entry in http(mock, "GET", "/__mock/requests?method=PATCH")[1]["data"]]
    assert statuses == [200, 500]


# --- the async client ---------------------------------------------------------------------------


def test_the_async_client_update_get_list_and_errors(mock):
    async def scenario():
        async with sdk(mock) as client:
            updated = (await client.api_keys.update_async(hash=DOCS_HASH, limit=42.0, limit_reset="weekly", include_byok_in_limit=True)).data
            got = (await client.api_keys.get_async(hash=DOCS_HASH)).data
            listed = (await client.api_keys.list_async()).data
            with pytest.raises(errors.NotFoundResponseError) as missing:
                await client.api_keys.update_async(hash="0" * 64, name="x")
            return updated, got, listed, missing.value

    updated, got, listed, missing = asyncio.run(scenario())
    assert (updated.limit, updated.limit_reset, updated.include_byok_in_limit) == (42, "weekly", True)
    assert_remaining(updated)
    assert got.model_dump() == updated.model_dump()
    assert updated.model_dump() in [key.model_dump() for key in listed]
    assert missing.status_code == 404 and missing.message == json.loads(missing.body)["error"]["message"]


# --- what the SDK cannot send, through the raw API ----------------------------------------------


def test_the_sdk_coerces_or_drops_what_the_raw_api_rejects(client, mock):
    """pydantic (lax mode) turns "75" into 75.0 and 1 or "yes" into True before sending, and an
    unknown `limit_reset` is left out of the body altogether: the SDK cannot send these values.
    The raw API rejects each with a 400 naming the field, and changes nothing."""
    before = client.api_keys.get(hash=DOCS_HASH).data
    client.api_keys.update(hash=DOCS_HASH, limit_reset="yearly")
    assert last_sent_body(mock, "PATCH") == {}
    client.api_keys.update(hash=DOCS_HASH, limit="75")
    assert last_sent_body(mock, "PATCH") == {"limit": 75.0}
    token = mock["managementKeys"][0]
    for body, field in [({"limit": "75"}, "limit"), ({"include_byok_in_limit": 1}, "include_byok_in_limit"), ({"limit_reset": "yearly"}, "limit_reset")]:
        status, answer = http(mock, "PATCH", f"/keys/{DOCS_HASH}", body, token=token)
        assert status == 400 and f'field "{field}"' in answer["error"]["message"]
    after = client.api_keys.get(hash=DOCS_HASH).data
    assert after.model_dump(exclude={"limit", "limit_remaining", "updated_at"}) == before.model_dump(exclude={"limit", "limit_remaining", "updated_at"})


# --- one chat completion, charged to the key that made it (issue 20) ----------------------------


def test_chat_send_answers_text_and_usage_and_charges_the_key_exactly_its_cost(client, mock):
    """`chat.send` parses the answer into `ChatResult` (required there: `system_fingerprint`, which
    may be null, and in `usage` the three token counts); the key's `usage`, read back through
    `api_keys.get`, moves by exactly the `usage.cost` the answer reports."""
    created = client.api_keys.create(name="python chat")
    before = client.api_keys.get(hash=created.data.hash).data
    assert (before.usage, before.usage_daily) == (0, 0)
    with sdk(mock, api_key=created.key) as own:
        result = own.chat.send(messages=[{"role": "user", "content": "Say hello."}])
    assert result.id.startswith("gen-") and result.model == "openai/gpt-4o-mini"
    assert isinstance(result.choices[0].message.content, str) and result.choices[0].message.content
    usage = result.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.cost > 0 and usage.is_byok is False
    after = client.api_keys.get(hash=created.data.hash).data
    assert after.usage - before.usage == usage.cost
    assert after.usage_daily - before.usage_daily == usage.cost


def test_chat_send_stream_yields_chunks_ending_in_usage_and_charges_the_key(client, mock):
    """`stream=True` answers the SDK's `EventStream` of `ChatStreamChunk`s (each SSE `data:` parsed,
    up to `[DONE]`); the deltas make the reply and the last chunk carries `usage`."""
    created = client.api_keys.create(name="python chat stream")
    with sdk(mock, api_key=created.key) as own:
        with own.chat.send(messages=[{"role": "user", "content": "Say hello."}], stream=True) as stream:
            chunks = list(stream)
    assert chunks and len({chunk.id for chunk in chunks}) == 1 and chunks[0].id.startswith("gen-")
    text = "".join(choice.delta.content or "" for chunk in chunks for choice in chunk.choices)
    assert text
    usage = next(chunk.usage for chunk in reversed(chunks) if chunk.usage is not None)
    assert usage.cost > 0
    after = client.api_keys.get(hash=created.data.hash).data
    assert after.usage == usage.cost
