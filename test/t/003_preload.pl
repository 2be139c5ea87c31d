
# Copyright (c) schemamig contributors

# schemamig works with and without shared_preload_libraries, and across
# restarts that switch it on and off:
#
#  * without preloading, the library loads on the first call of a mig_*
#    function; settings made before that (SET in the session, or in
#    postgresql.conf) are picked up when it loads;
#  * with preloading, the GUCs exist from the start of every session and the
#    "schemamig." prefix is reserved;
#  * the catalog and the migration state are the same either way.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
# set in the file even while the library is not loaded: a placeholder until
# the library defines the variable
$node->append_conf('postgresql.conf', "schemamig.progress = off\n");
$node->start;

sub set_preload
{
	my ($on) = @_;
	$node->append_conf('postgresql.conf',
		"shared_preload_libraries = '" . ($on ? 'schemamig' : '') . "'\n");
	$node->restart;
	is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'),
		$on ? 'schemamig' : '', 'shared_preload_libraries is ' . ($on ? 'on' : 'off'));
}

# The migration lock is held by a background session; a runner in a fresh
# session with lock_wait_timeout = 0 set BEFORE the library is loaded must
# fail at once (the SET placeholder became the real setting on load).
sub check_nowait
{
	my ($label) = @_;
	my $holder = $node->background_psql('postgres');
	$holder->query_safe(q{SET schemamig.progress = off});
	$holder->query_safe(q{BEGIN});
	# re-registering identical content is a no-op that takes the lock
	$holder->query_safe(
		q{SELECT mig_revision('r1', NULL, 'CREATE TABLE t1 (id int)', 'DROP TABLE t1', 'one')});

	my $start = time();
	my ($ret, $out, $err) = $node->psql('postgres',
		q{SET schemamig.lock_wait_timeout = 0; SELECT * FROM mig_upgrade('head')},
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	my $elapsed = time() - $start;
	isnt($ret, 0, "$label: second runner fails while the lock is held");
	like($err, qr/ERROR:  55P03: could not obtain the migration lock/,
		"$label: ... with SQLSTATE 55P03");
	cmp_ok($elapsed, '<', 30, "$label: ... at once, not after the default 60 s wait");
	$holder->query_safe(q{ROLLBACK});
	$holder->quit;
}

# --- preloading off ---------------------------------------------------------

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), '',
	'started without shared_preload_libraries');
$node->safe_psql('postgres', 'CREATE EXTENSION schemamig');
$node->safe_psql(
	'postgres', q{
SELECT mig_revision('r1', NULL, 'CREATE TABLE t1 (id int)', 'DROP TABLE t1', 'one');
SELECT mig_revision('r2', 'r1', 'CREATE TABLE t2 (id int)', 'DROP TABLE t2', 'two');
SELECT mig_revision('r3', 'r2', 'CREATE TABLE t3 (id int)', 'DROP TABLE t3', 'three');
});

# Before any function of the library runs in a session, its GUCs are only
# placeholders: SHOW fails.  The first call loads the library.
my ($ret, $out, $err) =
  $node->psql('postgres', 'SHOW schemamig.lock_wait_timeout');
isnt($ret, 0, 'not preloaded: schemamig GUC unknown before the library loads');
is( $node->safe_psql(
		'postgres', 'SELECT count(*) FROM mig_current(); SHOW schemamig.lock_wait_timeout'),
	"0\n1min",
	'not preloaded: first call loads the library and defines the GUCs');

# the setting from postgresql.conf applies once loaded: no progress NOTICE
($ret, $out, $err) = $node->psql('postgres', q{SELECT revision FROM mig_upgrade('r1')});
is($out, 'r1', 'not preloaded: mig_upgrade works');
unlike($err, qr/NOTICE/, 'not preloaded: schemamig.progress = off from the file applies');
is($node->safe_psql('postgres', 'SELECT * FROM mig_current()'), 'r1', 'not preloaded: current is r1');

check_nowait('not preloaded');
is($node->safe_psql('postgres', q{SELECT string_agg(code, ',') FROM mig_check() WHERE code LIKE 'env.not%'}),
	'env.not_preloaded', 'mig_check warns that the library is not preloaded');

# --- preloading on -----------------------------------------------------------

set_preload(1);
is($node->safe_psql('postgres', 'SHOW schemamig.lock_wait_timeout'), '1min',
	'preloaded: GUCs defined in a fresh session');
($ret, $out, $err) = $node->psql('postgres', 'SET schemamig.no_such_setting = 1');
isnt($ret, 0, 'preloaded: the schemamig. prefix is reserved');
like($err, qr/invalid configuration parameter name/, '... with the server\'s message');
is($node->safe_psql('postgres', 'SELECT * FROM mig_current()'), 'r1',
	'preloaded: state survived the restart');
check_nowait('preloaded');
is($node->safe_psql('postgres', q{SELECT count(*) FROM mig_check() WHERE code = 'env.not_preloaded'}),
	'0', 'mig_check does not warn once the library is preloaded');
is($node->safe_psql('postgres', q{SELECT string_agg(revision, ',') FROM mig_upgrade('r2')}),
	'r2', 'preloaded: mig_upgrade works');

# a new database, extension created while preloaded
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', 'CREATE EXTENSION schemamig');
$node->safe_psql('other',
	q{SELECT mig_revision('o1', NULL, 'CREATE TABLE o1 (id int)', 'DROP TABLE o1')});
is($node->safe_psql('other', q{SELECT string_agg(revision, ',') FROM mig_upgrade('head')}),
	'o1', 'preloaded: works in a database created meanwhile');

# the procedure, too
$node->safe_psql('postgres', q{CALL mig_upgrade_proc('head')});
is($node->safe_psql('postgres', 'SELECT * FROM mig_current()'), 'r3',
	'preloaded: CALL mig_upgrade_proc works');

# --- preloading off again ------------------------------------------------------

set_preload(0);
is($node->safe_psql('postgres', 'SELECT * FROM mig_current()'), 'r3',
	'not preloaded again: state survived the restart');
is( $node->safe_psql(
		'postgres', q{SELECT string_agg(revision, ',' ORDER BY revision) FROM mig_downgrade('r1')}),
	'r2,r3',
	'not preloaded again: mig_downgrade works');
$node->safe_psql('postgres', q{CALL mig_upgrade_proc('head')});
is($node->safe_psql('postgres', 'SELECT * FROM mig_current()'), 'r3',
	'not preloaded again: CALL mig_upgrade_proc works');
is($node->safe_psql('other', 'SELECT * FROM mig_current()'), 'o1',
	'not preloaded again: other database intact');
check_nowait('not preloaded again');
is( $node->safe_psql(
		'postgres',
		q{SELECT string_agg(revision || ':' || direction, ',' ORDER BY id) FROM schemamig.history}),
	'r1:upgrade,r2:upgrade,r3:upgrade,r3:downgrade,r2:downgrade,r2:upgrade,r3:upgrade',
	'history records every step across the restarts');

# no warning about schemamig settings (placeholders) in the server log
my $log = slurp_file($node->logfile);
unlike($log, qr/WARNING:.*schemamig/, 'no schemamig warning in the server log');
unlike($log, qr/PANIC|server process .* was terminated/, 'no crash in the server log');

$node->stop;
done_testing();
