
# Copyright (c) schemamig contributors

# An atomic migration of many revisions fills the shared lock table: every
# table, index and sequence a revision creates stays locked until the
# transaction ends.  The server's own error is a bare "out of shared memory"
# (53200); schemamig must turn it into an error that says what happened and
# what to do, leave everything as it was, and the per-revision-commit
# procedure must get through the same history.
#
# The lock table holds max_locks_per_transaction * (max_connections +
# max_prepared_transactions) entries; a small setting makes a short history
# enough to fill it.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('locktable');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'schemamig'
max_locks_per_transaction = 10
max_connections = 10
schemamig.progress = off
});
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION schemamig');

# 300 revisions, each a table with a primary key, an index and a sequence:
# far more relations than 10 * 10 lock slots (plus slack) can hold.
my $n = 300;
my $sql = '';
for my $i (1 .. $n)
{
	my $parent = $i == 1 ? 'NULL' : sprintf("'r%03d'", $i - 1);
	$sql .= sprintf(
		"SELECT mig_revision('r%03d', %s, 'CREATE TABLE t%03d (id serial PRIMARY KEY, v int); CREATE INDEX ON t%03d (v)', 'DROP TABLE t%03d');\n",
		$i, $parent, $i, $i, $i);
}
$node->safe_psql('postgres', $sql);
is($node->safe_psql('postgres', 'SELECT count(*) FROM schemamig.revision'),
	$n, "$n revisions registered");

# The atomic run fails with a clear error, keeps SQLSTATE 53200, and the
# database is unchanged.
my ($ret, $out, $err) = $node->psql('postgres',
	q{SELECT count(*) FROM mig_upgrade('head')},
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
isnt($ret, 0, 'atomic upgrade of a long history fails');
like($err, qr/ERROR:  53200: migration ran out of lock table space/,
	'... with an error that says the lock table is full (53200)');
like($err, qr/DETAIL:  The server reported: revision "r\d+" upgrade failed at statement \d of 2 \(line 1\): out of shared memory\. The lock table filled up after \d+ revisions/,
	'... whose detail keeps the server error and counts the revisions');
like($err, qr/HINT:  Run it with CALL mig_upgrade_proc\(\.\.\.\).*max_locks_per_transaction \(now 10\)/,
	'... and whose hint names the procedure and the setting');
is($node->safe_psql('postgres', 'SELECT count(*) FROM mig_current()'),
	'0', 'version table unchanged');
is($node->safe_psql('postgres', 'SELECT count(*) FROM schemamig.history'),
	'0', 'history unchanged');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_class WHERE relname ~ '^t[0-9]{3}$'}),
	'0', 'no table of the failed run exists');

# The per-revision-commit procedure gets through, and back down.
$node->safe_psql('postgres', q{CALL mig_upgrade_proc('head')});
is($node->safe_psql('postgres', 'SELECT * FROM mig_current()'),
	sprintf('r%03d', $n), 'CALL mig_upgrade_proc reaches head');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_class WHERE relname ~ '^t[0-9]{3}$' AND relkind = 'r'}),
	$n, "all $n tables exist");
is( $node->safe_psql('postgres',
		q{SELECT count(DISTINCT xid) FROM schemamig.history WHERE direction = 'upgrade'}),
	$n, 'one transaction per revision');

$node->safe_psql('postgres', q{CALL mig_downgrade_proc('base')});
is($node->safe_psql('postgres', 'SELECT count(*) FROM mig_current()'),
	'0', 'CALL mig_downgrade_proc reaches base');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_class WHERE relname ~ '^t[0-9]{3}$'}),
	'0', 'every table is gone');

$node->stop;
done_testing();
