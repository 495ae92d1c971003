"""The dispersion report's arithmetic and wording."""
from swiftlike.cli.dispersion import summary


def test_summary_counts_missing_copies_per_partition():
    counts = [(3, 3)] * 7 + [(2, 3), (2, 3), (0, 3)]
    result, lines = summary('object', counts, 1.4, 1024)
    assert result == {'retries': 0, 'copies_found': 25,
                      'copies_expected': 30, 'pct_found': 100.0 * 25 / 30,
                      'missing_partitions': 3,
                      'missing_copies': {'1': 2, '3': 1}}
    assert lines == [
        'Queried 10 objects for dispersion reporting, 1s, 0 retries',
        'There were 7 partitions missing 0 copies.',
        'There were 2 partitions missing 1 copy.',
        'There were 1 partition missing 3 copies.',
        '83.33% of object copies found (25 of 30)',
        'Sample represents 0.98% of the object partition space']


def test_summary_of_nothing():
    result, lines = summary('container', [], 0, 1024)
    assert result['pct_found'] == 0.0 and result['missing_partitions'] == 0
    assert lines[-2:] == ['0.00% of container copies found (0 of 0)',
                          'Sample represents 0.00% of the container '
                          'partition space']
