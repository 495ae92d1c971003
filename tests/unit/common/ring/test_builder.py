"""RingBuilder: device operations, builder files, and rebalance properties.
"""
import math
import pickle
from array import array
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from swiftlike.common import hashing
from swiftlike.common.exceptions import (
    DuplicateDeviceError,
    EmptyRingError,
    RingBuilderError,
    RingValidationError,
)
from swiftlike.common.ring import Ring, RingBuilder

PROPERTY_SETTINGS = settings(max_examples=40, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


def _dev(zone, ip_suffix=None, device='sda', weight=100.0, region=1,
         port=6200):
    return {'region': region, 'zone': zone,
            'ip': '10.0.%d.%d' % (zone, ip_suffix or 1), 'port': port,
            'device': device, 'weight': weight}


def _builder(zones=4, part_power=8, replicas=3, min_part_hours=1,
             weight=100.0):
    builder = RingBuilder(part_power, replicas, min_part_hours)
    for zone in range(1, zones + 1):
        builder.add_dev(_dev(zone, weight=weight))
    return builder


def _rows(builder):
    return [list(row) for row in builder._replica2part2dev]


def _part_devs(rows, part):
    return [row[part] for row in rows if part < len(row)]


# -- device operations ----------------------------------------------------

def test_add_dev_assigns_lowest_free_id():
    builder = RingBuilder(4, 3, 1)
    assert builder.add_dev(_dev(1)) == 0
    assert builder.add_dev(dict(_dev(2), id=5)) == 5
    assert builder.add_dev(_dev(3)) == 1
    assert [d and d['id'] for d in builder.devs] == [0, 1, None, None, None,
                                                     5]
    assert builder.devs[0]['replication_ip'] == '10.0.1.1'
    assert builder.devs[0]['replication_port'] == 6200
    assert builder.devs[0]['meta'] == ''
    assert builder.version == 3 and builder.devs_changed


def test_add_dev_rejects_duplicates_and_missing_keys():
    builder = RingBuilder(4, 3, 1)
    builder.add_dev(dict(_dev(1), id=0))
    with pytest.raises(DuplicateDeviceError):
        builder.add_dev(dict(_dev(2), id=0))
    with pytest.raises(ValueError, match='weight'):
        builder.add_dev({'zone': 1, 'ip': 'a', 'port': 1, 'device': 'x'})


def test_set_weight_zone_region_info_and_search():
    builder = _builder()
    builder.set_dev_weight(1, 50)
    builder.set_dev_zone(2, 9)
    builder.set_dev_region(3, 2)
    builder.set_dev_info(0, ip='192.168.0.1', port='7000', meta='new')
    assert builder.devs[1]['weight'] == 50.0
    assert builder.search_devs({'zone': 9})[0]['id'] == 2
    assert builder.search_devs({'region': 2})[0]['id'] == 3
    assert builder.search_devs({'ip': '192.168.0.1', 'port': 7000})[0][
        'meta'] == 'new'
    with pytest.raises(RingBuilderError, match='No device with id 42'):
        builder.set_dev_weight(42, 1)


def test_invalid_create_arguments():
    for args in ((0, 3, 1), (33, 3, 1), (8, 0.5, 1), (8, 3, -1)):
        with pytest.raises(ValueError):
            RingBuilder(*args)


def test_not_enough_devices():
    builder = _builder(zones=2)
    with pytest.raises(EmptyRingError, match='requires more than 2'):
        builder.rebalance()


# -- rebalance basics -----------------------------------------------------

def test_first_rebalance_assigns_everything_evenly():
    builder = _builder(zones=4, part_power=10)
    changed, balance, removed = builder.rebalance(seed=1)
    assert (changed, removed) == (1024, 0)
    assert balance == pytest.approx(0.0)
    assert [d['parts'] for d in builder.devs] == [768] * 4
    assert builder.dispersion == 0.0
    assert builder.version == 5 and not builder.devs_changed
    builder.validate()


def test_fractional_replicas_row_lengths():
    builder = _builder(zones=4, part_power=6, replicas=2.5)
    builder.rebalance(seed=3)
    assert [len(row) for row in builder._replica2part2dev] == [64, 64, 32]
    ring = builder.get_ring()
    assert ring.replica_count == 2.5


def test_set_replicas_grows_and_shrinks():
    builder = _builder(zones=4, part_power=6, replicas=3)
    builder.rebalance(seed=1)
    before = _rows(builder)
    builder.set_replicas(3.5)
    builder.rebalance(seed=2)
    rows = _rows(builder)
    assert [len(r) for r in rows] == [64, 64, 64, 32]
    assert rows[:3] == before  # existing replicas stay put
    builder.set_replicas(2)
    builder.rebalance(seed=3)
    assert _rows(builder) == before[:2]
    assert sum(d['parts'] for d in builder.devs) == 128


def test_min_part_hours_blocks_moves_until_passed():
    builder = _builder(zones=4, part_power=8)
    builder.rebalance(seed=1)
    assert builder.min_part_seconds_left() > 3500
    builder.add_dev(_dev(5))
    changed, _, _ = builder.rebalance(seed=2)
    assert changed == 0
    builder.pretend_min_part_hours_passed()
    assert builder.min_part_seconds_left() == 0
    changed, balance, _ = builder.rebalance(seed=2)
    assert changed > 0
    assert builder.devs[4]['parts'] > 0


def _zone_spread(builder):
    rows = _rows(builder)
    return Counter(len({builder.devs[d]['zone']
                        for d in _part_devs(rows, part)})
                   for part in range(builder.parts))


def test_overload_trades_balance_for_dispersion():
    # Zone 1 has two devices, zones 2 and 3 one each: full dispersion needs
    # zone 1's devices to hold less than their weight says.
    builder = RingBuilder(8, 3, 1)
    for zone, suffix in ((1, 1), (1, 2), (2, 1), (3, 1)):
        builder.add_dev(_dev(zone, suffix))
    builder.rebalance(seed=1)
    # overload 0: weight wins, zone 1 holds two replicas of many partitions
    assert _zone_spread(builder)[2] > 0
    assert builder.get_balance() < 1.0
    assert builder.get_required_overload() == pytest.approx(1 / 3)
    builder.set_overload(0.5)
    for _ in range(3):
        builder.pretend_min_part_hours_passed()
        builder.rebalance(seed=1)
    assert _zone_spread(builder) == Counter({3: builder.parts})
    assert builder.dispersion == 0.0
    assert builder.get_balance() > 30  # zone 1's devices hold less now


def test_dispersion_graph_counts_every_partition():
    builder = _builder(zones=4, part_power=6)
    builder.rebalance(seed=1)
    graph, dispersion = builder.get_dispersion_graph()
    assert dispersion == 0.0
    assert graph[(1,)] == [0, 0, 0, 64]
    for zone in range(1, 5):
        histogram = graph[(1, zone)]
        assert sum(histogram) == 64 and histogram[2:] == [0, 0]


def test_zero_weight_device_gets_nothing():
    builder = _builder(zones=4, part_power=6)
    builder.add_dev(_dev(5, weight=0))
    builder.rebalance(seed=1)
    assert builder.devs[4]['parts'] == 0
    assert builder.dev_balances()[4] == 0.0


def test_validate_catches_duplicates_and_unknown_devices():
    builder = _builder(zones=4, part_power=4)
    builder.rebalance(seed=1)
    rows = builder._replica2part2dev
    rows[1][0] = rows[0][0]
    with pytest.raises(RingValidationError, match='Partition 0'):
        builder.validate()
    rows[1][0] = 77
    with pytest.raises(RingValidationError, match='unknown device 77'):
        builder.validate()


# -- builder files and rings ----------------------------------------------

def test_save_and_load_round_trip(tmp_path):
    builder = _builder(zones=4, part_power=6)
    builder.set_overload(0.1)
    builder.rebalance(seed=1)
    path = tmp_path / 'object.builder'
    builder.save(str(path))
    assert builder.id and len(builder.id) == 32
    loaded = RingBuilder.load(str(path))
    assert loaded.to_dict() == builder.to_dict()
    raw = pickle.loads(path.read_bytes())
    assert isinstance(raw, dict)
    assert set(raw) >= {'part_power', 'next_part_power', 'replicas',
                        'min_part_hours', 'parts', 'devs', 'devs_changed',
                        'version', 'overload', '_replica2part2dev',
                        '_last_part_moves', '_last_part_moves_epoch',
                        '_last_part_gather_start', '_dispersion_graph',
                        'dispersion', '_remove_devs', 'id', 'dev_id_bytes'}
    assert raw['_replica2part2dev'][0].typecode == 'H'
    assert raw['_last_part_moves'].typecode == 'B'


def test_loads_swift_shaped_builder_without_newer_keys(tmp_path):
    """Old Swift builders lack dev_id_bytes, region, replication ip."""
    builder = _builder(zones=3, part_power=4)
    builder.rebalance(seed=1)
    data = builder.to_dict()
    for key in ('dev_id_bytes', 'id', '_last_part_gather_start'):
        data.pop(key)
    for dev in data['devs']:
        for key in ('region', 'replication_ip', 'replication_port'):
            dev.pop(key)
    path = tmp_path / 'old.builder'
    path.write_bytes(pickle.dumps(data, protocol=2))
    loaded = RingBuilder.load(str(path))
    assert loaded.dev_id_bytes == 2
    assert loaded.devs[0]['region'] == 1
    assert loaded.devs[0]['replication_ip'] == loaded.devs[0]['ip']
    assert [list(r) for r in loaded._replica2part2dev] == _rows(builder)


def test_load_refuses_code_and_garbage(tmp_path):
    evil = tmp_path / 'evil.builder'
    evil.write_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")
    with pytest.raises(RingBuilderError, match='not a readable builder'):
        RingBuilder.load(str(evil))
    notdict = tmp_path / 'list.builder'
    notdict.write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(RingBuilderError, match='not a builder'):
        RingBuilder.load(str(notdict))
    with pytest.raises(RingBuilderError, match='Unable to read'):
        RingBuilder.load(str(tmp_path / 'missing.builder'))


def test_written_ring_matches_builder(tmp_path):
    hashing.set_hash_affixes('', 'changeme')
    builder = _builder(zones=4, part_power=10)
    builder.rebalance(seed=1)
    path = tmp_path / 'object.ring.gz'
    builder.get_ring().save(str(path))
    ring = Ring(str(path))
    assert ring.replica_count == 3.0 and ring.partition_count == 1024
    rows = _rows(builder)
    for part in (0, 1, 511, 1023):
        assert [n['id'] for n in ring.get_part_nodes(part)] == \
            _part_devs(rows, part)
    assert set(ring.devs[0]) == {'device', 'id', 'ip', 'meta', 'port',
                                 'region', 'replication_ip',
                                 'replication_port', 'weight', 'zone'}
    assert ring.version == builder.version


# -- properties -----------------------------------------------------------

@st.composite
def clusters(draw, max_regions=2):
    """A random cluster layout: (devices, replicas, part_power)."""
    replicas = draw(st.sampled_from([1, 2, 3, 2.5, 3.25]))
    count = draw(st.integers(min_value=math.ceil(replicas), max_value=12))
    devs = []
    for dev_id in range(count):
        region = draw(st.integers(1, max_regions))
        zone = draw(st.integers(1, 4))
        devs.append({'region': region, 'zone': zone,
                     'ip': '10.%d.%d.%d' % (region, zone,
                                            draw(st.integers(1, 2))),
                     'port': 6200, 'device': 'd%d' % dev_id,
                     'weight': float(draw(st.integers(1, 1000)))})
    part_power = draw(st.integers(4, 8))
    return devs, replicas, part_power


def _built(devs, replicas, part_power, seed=0, min_part_hours=1):
    builder = RingBuilder(part_power, replicas, min_part_hours)
    for dev in devs:
        builder.add_dev(dev)
    builder.rebalance(seed=seed)
    return builder


@PROPERTY_SETTINGS
@given(clusters(), st.integers(0, 2 ** 32))
def test_every_partition_has_distinct_devices(cluster, seed):
    devs, replicas, part_power = cluster
    builder = _built(devs, replicas, part_power, seed)
    rows = _rows(builder)
    parts = 2 ** part_power
    for part in range(parts):
        ids = _part_devs(rows, part)
        assert len(ids) == len(set(ids))
        assert len(ids) == sum(1 for row in rows if part < len(row))
    assert sum(len(row) for row in rows) == int(parts * replicas)


@PROPERTY_SETTINGS
@given(st.integers(3, 6), st.data(), st.integers(0, 2 ** 32))
def test_no_shared_zone_when_zones_have_room(zone_count, data, seed):
    replicas = data.draw(st.integers(1, 3))
    devs = []
    for zone in range(1, zone_count + 1):
        for n in range(data.draw(st.integers(1, 3))):
            devs.append(_dev(zone, n + 1, weight=float(
                data.draw(st.integers(50, 150)))))
    zone_weight = Counter()
    for dev in devs:
        zone_weight[dev['zone']] += dev['weight']
    # "of enough weight": no zone's share of the weight exceeds one replica
    assume(max(zone_weight.values()) * replicas <=
           sum(zone_weight.values()))
    builder = _built(devs, replicas, 8, seed)
    rows = _rows(builder)
    for part in range(builder.parts):
        zones = [builder.devs[d]['zone'] for d in _part_devs(rows, part)]
        assert len(zones) == len(set(zones)) == replicas
    assert builder.dispersion == 0.0


@PROPERTY_SETTINGS
@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3),
       st.integers(0, 2 ** 32))
def test_balanced_weights_give_balanced_devices(zones, per_zone, replicas,
                                                seed):
    device_count = zones * per_zone
    assume(device_count >= replicas)
    # enough partitions that a device's share is at least 200 replicas
    part_power = max(4, math.ceil(math.log2(200 * device_count / replicas)))
    devs = [_dev(zone, n + 1) for zone in range(1, zones + 1)
            for n in range(per_zone)]
    builder = _built(devs, replicas, part_power, seed)
    share = builder.parts * replicas / device_count
    for dev in builder.devs:
        assert abs(dev['parts'] - share) <= 0.01 * share
    assert builder.get_balance() <= 1.0


@PROPERTY_SETTINGS
@given(clusters(), st.integers(0, 2 ** 32), st.data())
def test_one_replica_moves_per_min_part_hours(cluster, seed, data):
    devs, replicas, part_power = cluster
    builder = _built(devs, replicas, part_power, seed)
    builder.pretend_min_part_hours_passed()
    target = data.draw(st.integers(0, len(devs) - 1))
    builder.set_dev_weight(target, float(data.draw(st.integers(1, 2000))))
    before = _rows(builder)
    builder.rebalance(seed=seed + 1)
    after = _rows(builder)
    moved_parts = set()
    for part in range(builder.parts):
        old, new = _part_devs(before, part), _part_devs(after, part)
        assert sum(1 for a, b in zip(old, new) if a != b) <= 1
        if old != new:
            moved_parts.add(part)
    # min_part_hours has not passed for those: another change moves none
    other = data.draw(st.integers(0, len(devs) - 1))
    builder.set_dev_weight(other, float(data.draw(st.integers(1, 2000))))
    builder.rebalance(seed=seed + 2)
    again = _rows(builder)
    for part in moved_parts:
        assert _part_devs(again, part) == _part_devs(after, part)


@PROPERTY_SETTINGS
@given(clusters(), st.integers(0, 2 ** 32), st.data())
def test_removing_a_device_moves_only_what_it_held(cluster, seed, data):
    devs, replicas, part_power = cluster
    weighted_after = len(devs) - 1
    assume(weighted_after >= math.ceil(replicas))
    builder = _built(devs, replicas, part_power, seed)
    victim = data.draw(st.integers(0, len(devs) - 1))
    before = _rows(builder)
    builder.remove_dev(victim)
    _, _, removed = builder.rebalance(seed=seed + 1)
    after = _rows(builder)
    assert removed == 1 and builder.devs[victim] is None
    for old_row, new_row in zip(before, after):
        for old, new in zip(old_row, new_row):
            if old != victim:
                assert new == old
            else:
                assert new != victim


def test_row_types_follow_id_width():
    builder = _builder(zones=3, part_power=4)
    builder.rebalance(seed=1)
    assert all(isinstance(r, array) and r.typecode == 'H'
               for r in builder._replica2part2dev)
    wide = RingBuilder(4, 3, 1)
    wide.dev_id_bytes = 4
    for zone in range(1, 4):
        wide.add_dev(dict(_dev(zone), id=70000 + zone))
    wide.rebalance(seed=1)
    assert all(r.typecode == 'I' for r in wide._replica2part2dev)
    assert {d for r in wide._replica2part2dev for d in r} == \
        {70001, 70002, 70003}
    ring = wide.get_ring()
    assert ring.dev_id_bytes == 4
