"""swiftlike-ring-builder through its executable and its main()."""
import gzip
import os

import pytest

from swiftlike.cli.ring_builder import main
from swiftlike.common import hashing
from swiftlike.common.ring import Ring, RingBuilder, RingData
from tests.conftest import run_cli, vector_path

SAIO_DEVICES = [('r1z%d-127.0.0.%d:62%d0/sdb%d' % (n, n, n, n), '1')
                for n in range(1, 5)]


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def _ok(result, code=0):
    assert result.returncode == code, (result.stdout, result.stderr)
    return result


@pytest.mark.parametrize('ring_name, port_base', [
    ('account', 6002), ('container', 6001), ('object', 6000)])
def test_saio_rings_through_the_cli(tmp_path, ring_name, port_base):
    builder = tmp_path / ('%s.builder' % ring_name)
    _ok(run_cli('swiftlike-ring-builder', builder, 'create', 10, 3, 1))
    for n in range(1, 5):
        result = _ok(run_cli(
            'swiftlike-ring-builder', builder, 'add',
            'r1z%d-127.0.0.1:%d/sdb%d' % (n, port_base + 10 * n, n), 1))
        assert 'got id %d' % (n - 1) in result.stdout
    result = _ok(run_cli('swiftlike-ring-builder', builder, 'rebalance'))
    assert 'Reassigned 1024 (100.00%) partitions. Balance is now 0.00.  ' \
        'Dispersion is now 0.00' in result.stdout
    ring_file = tmp_path / ('%s.ring.gz' % ring_name)
    assert gzip.decompress(ring_file.read_bytes())[:6] == b'R1NG\x00\x01'
    assert any(name.endswith('.%s.ring.gz' % ring_name)
               for name in os.listdir(tmp_path / 'backups'))

    hashing.set_hash_affixes('', 'changeme')
    ring = Ring(str(tmp_path), ring_name=ring_name)
    assert ring.partition_count == 1024 and ring.replica_count == 3
    assert sorted(d['port'] for d in ring.devs) == \
        [port_base + 10 * n for n in range(1, 5)]
    for part in range(ring.partition_count):
        zones = {d['zone'] for d in ring.get_part_nodes(part)}
        assert len(zones) == 3
    part, nodes = ring.get_nodes('AUTH_test', 'c', 'o')
    assert len(nodes) == 3 and len(list(ring.get_more_nodes(part))) == 1

    summary = _ok(run_cli('swiftlike-ring-builder', builder)).stdout
    assert 'Ring file %s.ring.gz is up-to-date' % ring_name in summary
    assert '1024 partitions, 3.000000 replicas, 1 regions, 4 zones, ' \
        '4 devices, 2-byte IDs, 0.00 balance, 0.00 dispersion' in summary
    assert summary.count('        768    0.00') == 4


def test_summary_layout(tmp_path, capsys):
    builder_file = str(tmp_path / 'object.builder')
    assert main([builder_file, 'create', '8', '3', '1']) == 0
    assert main([builder_file, 'add',
                 'r1z1-10.0.1.1:6200/sda_fast disk', '100',
                 'r1z2-10.0.1.2:6200R10.1.1.2:6300/sdb', '150',
                 'r2z1-[::1]:6200/sdc', '50']) == 0
    capsys.readouterr()
    assert main([builder_file]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith('%s, build version 3, id ' % builder_file)
    assert out[3] == 'The overload factor is 0.00% (0.000000)'
    assert out[4] == ('Ring file object.ring.gz not found, probably it '
                      "hasn't been written yet")
    assert out[5] == ('Devices:   id region zone ip address:port '
                      'replication ip:port  name weight partitions balance '
                      'flags meta')
    assert out[6] == ('            0      1    1   10.0.1.1:6200       '
                      '10.0.1.1:6200   sda 100.00          0 -100.00       '
                      'fast disk')
    assert out[7].startswith('            1      1    2   10.0.1.2:6200 '
                             '      10.1.1.2:6300   sdb 150.00')
    assert '[::1]:6200' in out[8]


@pytest.fixture
def built(tmp_path, capsys):
    builder_file = str(tmp_path / 'object.builder')
    assert main([builder_file, 'create', '8', '3', '1']) == 0
    for n in range(1, 5):
        assert main([builder_file, 'add',
                     'r1z%d-127.0.0.%d:6200/sdb1_m%d' % (n, n, n), '100']) \
            == 0
    assert main([builder_file, 'rebalance', '--seed', '3',
                 '--format-version', '1']) == 0
    capsys.readouterr()
    return builder_file


def _unchanged(path, action):
    before = _read(path)
    code = action()
    assert _read(path) == before
    return code


@pytest.mark.parametrize('args', [
    ['create', '8', '3'],
    ['create', 'x', '3', '1'],
    ['create', '8', '0.5', '1'],
    ['add', 'r1z5-127.0.0.9:6200/sdb1'],
    ['add', 'bogus', '100'],
    ['add', 'r1z5-127.0.0.9:6200/sdb1', '-5'],
    ['add', 'r1z5-127.0.0.9:6200/sdb1', 'heavy'],
    ['add', 'r1z1-127.0.0.1:6200/sdb1', '100'],  # duplicate device
    ['add', '--zone', '1'],
    ['set_weight', 'd99', '10'],
    ['set_weight', 'd1', 'x'],
    ['set_weight', 'r1', '10'],  # several devices, no --yes, no stdin
    ['set_info', 'd1', '127.0.0.1:6200/sdb1'],  # would duplicate d0
    ['remove', 'd42'],
    ['remove'],
    ['search', 'd42'],
    ['set_overload', '-1'],
    ['set_overload', 'lots'],
    ['set_replicas', '0'],
    ['set_min_part_hours', '-3'],
    ['rebalance', '--format-version', '3'],
    ['write_ring', '--dev-id-bytes', '4'],
    ['frobnicate'],
])
def test_bad_arguments_leave_builder_untouched(built, capsys, args):
    code = _unchanged(built, lambda: main([built] + args))
    assert code == 2
    err = capsys.readouterr().err
    assert err.strip()
    assert 'Traceback' not in err


def test_missing_builder(tmp_path, capsys):
    assert main([str(tmp_path / 'none.builder'), 'add',
                 'r1z1-1.2.3.4:6200/sda', '1']) == 2
    assert 'Ring Builder file does not exist' in capsys.readouterr().err
    assert not (tmp_path / 'none.builder').exists()


def test_set_weight_remove_and_rebalance_codes(built, capsys):
    assert main([built, 'set_weight', 'd0', '50']) == 0
    assert 'd0r1z1-127.0.0.1:6200R127.0.0.1:6200/sdb1_"m1" weight set to ' \
        '50.0' in capsys.readouterr().out
    # min_part_hours has not passed: nothing can move yet
    assert main([built, 'rebalance', '--format-version', '1']) == 1
    assert 'No partitions could be reassigned.' in capsys.readouterr().out
    assert main([built, 'pretend_min_part_hours_passed']) == 0
    code = main([built, 'rebalance', '--format-version', '1'])
    out = capsys.readouterr().out
    assert 'Reassigned' in out and code in (0, 1)
    assert RingBuilder.load(built).devs[0]['weight'] == 50.0
    # balanced already: nothing to move is a warning, and nothing is saved
    assert main([built, 'pretend_min_part_hours_passed']) == 0
    before = _read(built)
    assert main([built, 'rebalance', '--format-version', '1']) == 1
    assert 'No partitions could be reassigned.' in capsys.readouterr().out
    assert _read(built) == before


def test_set_weight_several_with_yes_and_prompt(built, capsys,
                                                monkeypatch):
    assert main([built, 'set_weight', 'r1', '80', '--yes']) == 0
    assert [d['weight'] for d in RingBuilder.load(built).devs] == [80.0] * 4
    import io
    monkeypatch.setattr('sys.stdin', io.StringIO('y\n'))
    assert main([built, 'set_weight', 'r1', '90']) == 0
    assert [d['weight'] for d in RingBuilder.load(built).devs] == [90.0] * 4


def test_option_forms(built, capsys):
    assert main([built, 'add', '--region', '1', '--zone', '5', '--ip',
                 '127.0.0.5', '--port', '6200', '--replication-port',
                 '6300', '--device', 'sdb5', '--weight', '10']) == 0
    dev = RingBuilder.load(built).devs[4]
    assert (dev['zone'], dev['replication_port'], dev['weight']) == \
        (5, 6300, 10.0)
    assert main([built, 'set_weight', '--zone', '5', '20']) == 0
    assert RingBuilder.load(built).devs[4]['weight'] == 20.0
    assert main([built, 'set_info', '--id', '4', '--change-ip',
                 '127.0.0.55', '--change-meta', 'moved']) == 0
    dev = RingBuilder.load(built).devs[4]
    assert (dev['ip'], dev['meta']) == ('127.0.0.55', 'moved')
    assert main([built, 'remove', '--ip', '127.0.0.55']) == 0
    assert 'marked for removal' in capsys.readouterr().out


def test_set_info_and_search(built, capsys):
    assert main([built, 'set_info', 'd1',
                 '127.0.0.22:6201R127.0.1.22:6301/sdc_new']) == 0
    out = capsys.readouterr().out
    assert 'is now d1r1z2-127.0.0.22:6201R127.0.1.22:6301/sdc_"new"' in out
    assert main([built, 'search', '127.0.0.22']) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith('Devices:') and len(out) == 2
    assert main([built, 'search', '_m3']) == 0
    assert 'sdb1' in capsys.readouterr().out


def test_remove_then_rebalance_drops_device(built, capsys):
    assert main([built, 'add', 'r1z5-127.0.0.5:6200/sdb1', '100']) == 0
    assert main([built, 'pretend_min_part_hours_passed']) == 0
    main([built, 'rebalance', '--format-version', '1'])
    assert main([built, 'remove', 'z5-127.0.0.5']) == 0
    assert main([built]) == 0
    assert ' DEL ' in capsys.readouterr().out
    main([built, 'rebalance', '--format-version', '1'])
    builder = RingBuilder.load(built)
    assert builder.devs[4] is None
    ring = RingData.load(built.replace('.builder', '.ring.gz'))
    assert all(4 not in row for row in ring.replica2part2dev_id)


def test_list_parts_dispersion_validate(built, capsys):
    assert main([built, 'list_parts', 'd0']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'Partition   Matches'
    assert len(lines) == 1 + 192
    assert main([built, 'dispersion', '--verbose']) == 0
    out = capsys.readouterr().out
    assert out.startswith('Dispersion is 0.000000, Balance is 0.000000, '
                          'Overload is 0.00%')
    assert 'r1z1-127.0.0.1/sdb1' in out
    assert main([built, 'validate']) == 0


def test_overload_min_part_hours_replicas(built, capsys):
    assert main([built, 'set_overload', '10%']) == 0
    assert 'The overload factor is now 10.00% (0.100000)' in \
        capsys.readouterr().out
    assert RingBuilder.load(built).overload == pytest.approx(0.1)
    assert main([built, 'set_overload', '0.2']) == 0
    assert RingBuilder.load(built).overload == pytest.approx(0.2)
    assert main([built, 'set_min_part_hours', '24']) == 0
    assert RingBuilder.load(built).min_part_hours == 24
    assert main([built, 'set_replicas', '2.5']) == 0
    main([built, 'rebalance', '--format-version', '1'])
    ring = RingData.load(built.replace('.builder', '.ring.gz'))
    assert ring.replica_count == 2.5


def test_write_ring_v2_and_version(built, capsys):
    assert main([built, 'write_ring', '--format-version', '2']) == 0
    ring_file = built.replace('.builder', '.ring.gz')
    assert main([ring_file, 'version']) == 0
    assert 'Serialization version: 2 (2-byte IDs)' in \
        capsys.readouterr().out
    assert main([built, 'write_ring', '--format-version', '2',
                 '--dev-id-bytes', '4']) == 0
    assert RingData.load(ring_file).dev_id_bytes == 4


def test_write_builder_from_ring(tmp_path, capsys):
    ring_file = tmp_path / 'object.ring.gz'
    ring_file.write_bytes(_read(vector_path('sample.ring.gz')))
    assert main([str(ring_file), 'write_builder', '1']) == 0
    builder = RingBuilder.load(str(tmp_path / 'object.builder'))
    source = RingData.load(str(ring_file))
    assert [list(r) for r in builder._replica2part2dev] == \
        [list(r) for r in source.replica2part2dev_id]
    assert builder.version == 9 and builder.min_part_hours == 1
    assert sum(d['parts'] for d in builder.devs) == 768
    assert main([str(ring_file), 'write_builder']) == 2  # refuses overwrite
    assert 'Cowardly refusing' in capsys.readouterr().err
    # the recreated builder writes back the very same ring bytes
    again = tmp_path / 'sample.ring.gz'
    builder.get_ring().save(str(again))
    assert again.read_bytes() == _read(vector_path('sample.ring.gz'))


def test_safe_variant_runs(tmp_path):
    builder = tmp_path / 'object.builder'
    result = run_cli('swiftlike-ring-builder-safe', builder, 'create', 6, 3,
                     0)
    _ok(result)
    assert builder.exists() and (tmp_path / '.lock').exists()


def test_usage_and_unknown_command(tmp_path):
    result = run_cli('swiftlike-ring-builder')
    assert result.returncode == 2 and 'create' in result.stdout
    result = run_cli('swiftlike-ring-builder', tmp_path / 'x.builder',
                     'nope')
    assert result.returncode == 2
    assert 'Unknown command: nope' in result.stderr
