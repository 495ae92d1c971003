"""Proxy decisions: quorum, best response, error limiting, node order."""
import pytest

from swiftlike.common.utils import quorum_size
from swiftlike.proxy.error_limiter import ErrorLimiter, iter_nodes
from swiftlike.proxy.quorum import best_response


@pytest.mark.parametrize('n, quorum', [(1, 1), (2, 1), (3, 2), (4, 2),
                                       (5, 3)])
def test_proxy_quorum(n, quorum):
    assert quorum_size(n) == quorum


@pytest.mark.parametrize('statuses, expected', [
    ([201, 201, 201], (0, 201)),
    ([201, 503, 201], (0, 201)),
    ([201, 202, 503], (1, 202)),   # highest status in the winning class
    ([404, 404, 201], (0, 404)),   # 4xx has the quorum
    ([201, 404, 503], None),       # nobody has a quorum: 503
    ([503, 503, 201], None),
    ([204, 404, 404], (1, 404)),
    ([409, 412, 201], (1, 412)),
])
def test_best_response(statuses, expected):
    assert best_response(statuses, 2) == expected


def test_best_response_overrides():
    # object DELETE: 404s count as 204s only when nothing else wins, and a
    # real 204 (not an overridden 404) supplies the answer
    assert best_response([404, 204, 503], 2, {404: 204}) == (1, 204)
    assert best_response([404, 404, 204], 2, {404: 204}) == (0, 404)
    assert best_response([404, 503, 503], 2, {404: 204}) is None
    assert best_response([404, 503, 404], 2, {404: 204}) == (0, 404)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


NODE = {'ip': '10.0.0.1', 'port': 6200, 'device': 'sdb1'}


def test_error_limiting_window():
    clock = Clock()
    limiter = ErrorLimiter(limit=2, interval=60, clock=clock)
    for _ in range(2):
        limiter.error_occurred(NODE)
    assert not limiter.is_limited(NODE)
    limiter.error_occurred(NODE)
    assert limiter.is_limited(NODE)
    clock.now += 61
    assert not limiter.is_limited(NODE)
    limiter.error_occurred(NODE)
    assert not limiter.is_limited(NODE)  # old errors were forgotten


def test_507_limits_at_once():
    limiter = ErrorLimiter(limit=10, clock=Clock())
    limiter.insufficient_storage(NODE)
    assert limiter.is_limited(NODE)


def test_iter_nodes_order_skip_and_count():
    primaries = [dict(NODE, device='p%d' % i) for i in range(3)]
    handoffs = [dict(NODE, device='h%d' % i) for i in range(5)]
    limiter = ErrorLimiter(limit=0, clock=Clock())
    limiter.error_occurred(primaries[1])
    nodes = list(iter_nodes(primaries, iter(handoffs), limiter, 6))
    assert [n['device'] for n in nodes] == ['p0', 'p2', 'h0', 'h1', 'h2',
                                            'h3']


def test_collect_answers_leaves_a_straggler_behind_after_the_quorum():
    from swiftlike.common.concurrency import Queue
    from swiftlike.proxy.controllers.base import collect_answers
    never = Queue()
    calls = [lambda: (201, 'a'), lambda: never.get(), lambda: (201, 'b')]
    answers = collect_answers(calls, 2, 0.01, lambda a: a[0])
    assert sorted(answers) == [(201, 'a'), (201, 'b')]


def test_collect_answers_waits_for_all_without_a_quorum_and_drops_none():
    from swiftlike.common.concurrency import sleep
    from swiftlike.proxy.controllers.base import collect_answers

    def late():
        sleep(0.05)
        return (404, 'late')
    calls = [lambda: (201, 'a'), lambda: None, late]
    answers = collect_answers(calls, 2, 0.0, lambda a: a[0])
    assert answers == [(201, 'a'), (404, 'late')]
