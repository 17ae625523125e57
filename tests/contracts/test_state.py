"""State several workers share (contracts.state): one rate limit across workers, single-use ids, Redis down."""

from __future__ import annotations

import pytest

from opendsop.contracts.state import RedisOnce, RedisRateLimiter, SharedStateUnavailable, redis_client
from tests.redis_support import DEAD_REDIS_URL, redis_url, unique_prefix

pytestmark = pytest.mark.anyio

SLOW = 0.001  # requests per second: no bucket refills while a test runs


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_two_workers_share_one_rate_limit() -> None:
    prefix, url = unique_prefix(), redis_url()
    first = RedisRateLimiter(redis_client(url), SLOW, 3, workers=2, prefix=prefix)
    second = RedisRateLimiter(redis_client(url), SLOW, 3, workers=2, prefix=prefix)
    try:
        answers = [await (first if n % 2 else second).check("974761076") for n in range(6)]
        assert answers[:3] == [0, 0, 0]  # the burst of 3, whichever worker served
        assert all(wait > 0 for wait in answers[3:])  # then refused at both workers
        assert await first.check("889640782") == 0  # another consumer, another bucket
    finally:
        await first.aclose()
        await second.aclose()


async def test_redis_down_each_worker_limits_to_its_share() -> None:
    limiter = RedisRateLimiter(redis_client(DEAD_REDIS_URL), SLOW, 4, workers=2, retry_after=60)
    try:
        answers = [await limiter.check("974761076") for _ in range(4)]
    finally:
        await limiter.aclose()
    assert answers[:2] == [0, 0] and all(wait > 0 for wait in answers[2:])  # 4 / 2 workers: never above 4 in all


async def test_an_id_is_used_once_across_workers_and_never_assumed_unused_when_redis_is_down() -> None:
    prefix, url = unique_prefix(), redis_url()
    first, second = RedisOnce(redis_client(url), prefix=prefix), RedisOnce(redis_client(url), prefix=prefix)
    dead = RedisOnce(redis_client(DEAD_REDIS_URL))
    try:
        assert await first.use("client\x00jti-1", ttl=60) is True
        assert await second.use("client\x00jti-1", ttl=60) is False
        assert await second.use("client\x00jti-2", ttl=60) is True
        with pytest.raises(SharedStateUnavailable):
            await dead.use("client\x00jti-3", ttl=60)
    finally:
        for once in (first, second, dead):
            await once.aclose()
