
# Copyright (c) schemamig contributors

# A runner waiting for the migration lock must not hold a snapshot that
# could hold others back (vacuum's horizon, CREATE INDEX CONCURRENTLY's wait
# for older snapshots).  CALL mig_upgrade_proc commits the CALL's own
# transaction before it waits, so pg_stat_activity shows it polling
# (wait_event_type Extension) with no backend_xmin and no xid; then it runs
# once the holder commits.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('waitsnap');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'schemamig'
schemamig.progress = off
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION schemamig;
SELECT mig_revision('r1', NULL, 'CREATE TABLE t1 (id int)', 'DROP TABLE t1');
SELECT mig_revision('r2', 'r1', 'CREATE TABLE t2 (id int)', 'DROP TABLE t2');
});

# the holder: an open transaction that holds the migration lock
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN');
$holder->query_safe(q{SELECT pg_advisory_xact_lock(1396918349, 1296647969)});

# the waiter: a procedure call, started in the background
my $waiter = $node->background_psql('postgres');
$waiter->query_until(qr/started/, q{
\echo started
SET application_name = 'waiter';
CALL mig_upgrade_proc('head');
\echo done
});

ok( $node->poll_query_until('postgres',
		q{SELECT count(*) = 1 FROM pg_stat_activity
		  WHERE application_name = 'waiter' AND wait_event_type = 'Extension'}),
	'the procedure is waiting for the migration lock');
is( $node->safe_psql('postgres',
		q{SELECT backend_xmin IS NULL AND backend_xid IS NULL FROM pg_stat_activity
		  WHERE application_name = 'waiter'}),
	't', 'while waiting it holds no snapshot and no transaction id');
is($node->safe_psql('postgres', 'SELECT count(*) FROM mig_current()'),
	'0', 'nothing ran yet');

$holder->query_safe('COMMIT');
$holder->quit;

ok( $node->poll_query_until('postgres',
		q{SELECT string_agg(m, ',') = 'r2' FROM mig_current() m}),
	'the waiter runs once the holder commits');
$waiter->quit;
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_class WHERE relname IN ('t1', 't2')}),
	'2', 'both revisions applied');

$node->stop;
done_testing();
