
# Copyright (c) schemamig contributors

# Privileges seen from real logins (own connections, not SET ROLE):
#
#  * a NOSUPERUSER role granted with mig_grant_runner() registers revisions,
#    runs and undoes them, stamps; the history records it as the role;
#  * an ordinary role reads the state but cannot register, run or stamp,
#    nor write the catalog directly;
#  * nobody rewrites the history, not even the runner;
#  * only the extension owner (a superuser here) hands out the runner grant,
#    and schemamig.search_path (SUSET) is not the runner's to change.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('privileges');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'schemamig'\nschemamig.progress = off\n");
$node->start;

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION schemamig;
CREATE ROLE deployer LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE app_user LOGIN NOSUPERUSER;
-- PostgreSQL 15: public is no longer writable by everybody
GRANT CREATE ON SCHEMA public TO deployer;
SELECT mig_grant_runner('deployer');
});

# run SQL as a login role over its own connection
sub psql_as
{
	my ($role, $sql) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', $sql,
		extra_params => [ '-U', $role, '-v', 'VERBOSITY=verbose' ]);
	return ($ret, $out, $err);
}

sub ok_as
{
	my ($role, $sql, $expected, $name) = @_;
	my ($ret, $out, $err) = psql_as($role, $sql);
	is($ret, 0, "$name (no error)") or diag($err);
	is($out, $expected, $name) if defined $expected;
}

sub fails_as
{
	my ($role, $sql, $pattern, $name) = @_;
	my ($ret, $out, $err) = psql_as($role, $sql);
	isnt($ret, 0, "$name (fails)");
	like($err, $pattern, $name);
}

ok_as('deployer', 'SELECT current_user, usesuper FROM pg_user WHERE usename = current_user',
	'deployer|f', 'connected as the non-superuser deployer');

# --- the runner ---------------------------------------------------------------

ok_as(
	'deployer', q{
SELECT mig_revision('p1', NULL, 'CREATE TABLE accounts (id int PRIMARY KEY)', 'DROP TABLE accounts', 'accounts');
SELECT mig_revision('p2', 'p1', 'ALTER TABLE accounts ADD COLUMN name text; INSERT INTO accounts VALUES (1, ''x'')',
                    'ALTER TABLE accounts DROP COLUMN name; DELETE FROM accounts', 'names');
SELECT mig_revision('p3', 'p2', 'CREATE INDEX ON accounts (name)', 'DROP INDEX accounts_name_idx', 'index');
}, "p1\np2\np3", 'deployer registers revisions');

ok_as('deployer', q{SELECT string_agg(revision, ',') FROM mig_upgrade('p2')},
	'p1,p2', 'deployer upgrades');
ok_as('deployer', q{SELECT * FROM mig_downgrade('p1')}, undef, 'deployer downgrades');
ok_as('deployer', q{ALTER TABLE accounts ADD COLUMN name text; SELECT * FROM mig_stamp('p2')},
	'p2', 'deployer redoes p2 by hand and stamps');
ok_as('deployer', q{CALL mig_upgrade_proc('head')}, undef,
	'deployer runs the per-revision-commit procedure');
ok_as('deployer', q{SELECT * FROM mig_current()}, 'p3', 'deployer reads current');
ok_as(
	'deployer', q{
SELECT mig_revision('p4', 'p3', 'SELECT 1', 'SELECT 1', 'to be removed');
SELECT mig_unregister('p4');
SELECT count(*) FROM schemamig.revision WHERE id = 'p4';
}, "p4\n\n0", 'deployer registers and unregisters');
ok_as(
	'deployer',
	q{SELECT string_agg(DISTINCT role, ',') FROM schemamig.history},
	'deployer', 'history records the deployer as the role');
ok_as('deployer', q{SELECT tableowner FROM pg_tables WHERE tablename = 'accounts'},
	'deployer', 'the tables a migration creates belong to the deployer');

fails_as('deployer', q{DELETE FROM schemamig.history},
	qr/42501|append-only/, 'deployer cannot delete history');
fails_as('deployer', q{UPDATE schemamig.history SET outcome = 'failed'},
	qr/42501|append-only/, 'deployer cannot update history');
fails_as('deployer', q{TRUNCATE schemamig.history},
	qr/42501|append-only/, 'deployer cannot truncate history');
fails_as('deployer', q{SELECT mig_grant_runner('app_user')},
	qr/42501/, 'deployer cannot grant the runner role onwards');
fails_as('deployer', q{SET schemamig.search_path = 'pg_temp'},
	qr/42501/, 'deployer cannot change schemamig.search_path');

# --- an ordinary role -----------------------------------------------------------

ok_as('app_user', q{SELECT * FROM mig_current()}, 'p3', 'ordinary role reads current');
ok_as('app_user', q{SELECT * FROM mig_heads()}, 'p3', 'ordinary role reads heads');
ok_as('app_user', q{SELECT count(*) FROM mig_history()}, '3', 'ordinary role reads mig_history');
ok_as('app_user', q{SELECT count(*) > 0 FROM schemamig.history}, 't',
	'ordinary role reads the history table');

fails_as('app_user',
	q{SELECT mig_revision('q1', 'p3', 'CREATE TABLE q (id int)')},
	qr/ERROR:  42501: permission denied for function mig_revision/,
	'ordinary role cannot register');
fails_as('app_user', q{SELECT * FROM mig_upgrade('head')},
	qr/ERROR:  42501: permission denied for function mig_upgrade/,
	'ordinary role cannot upgrade');
fails_as('app_user', q{SELECT * FROM mig_downgrade('base')},
	qr/ERROR:  42501: permission denied for function mig_downgrade/,
	'ordinary role cannot downgrade');
fails_as('app_user', q{SELECT * FROM mig_stamp('base')},
	qr/ERROR:  42501: permission denied for function mig_stamp/,
	'ordinary role cannot stamp');
fails_as('app_user', q{CALL mig_upgrade_proc('head')},
	qr/ERROR:  42501: permission denied for procedure mig_upgrade_proc/,
	'ordinary role cannot call the procedure');
fails_as('app_user', q{SELECT mig_unregister('p3')},
	qr/ERROR:  42501: permission denied for function mig_unregister/,
	'ordinary role cannot unregister');
fails_as('app_user', q{SELECT mig_merge('p1,p2')},
	qr/ERROR:  42501: permission denied for function mig_merge/,
	'ordinary role cannot merge');
fails_as('app_user', q{DELETE FROM schemamig.version},
	qr/ERROR:  42501: permission denied for table version/,
	'ordinary role cannot write the version table');
fails_as('app_user',
	q{INSERT INTO schemamig.revision (id, checksum) VALUES ('q1', 'x')},
	qr/ERROR:  42501: permission denied for table revision/,
	'ordinary role cannot write the revision table');
fails_as('app_user',
	q{INSERT INTO schemamig.history (revision, direction, started_at) VALUES ('q1', 'upgrade', now())},
	qr/ERROR:  42501: permission denied for table history/,
	'ordinary role cannot forge history');
fails_as('app_user', q{SELECT mig_grant_runner('app_user')},
	qr/ERROR:  42501: permission denied for function mig_grant_runner/,
	'ordinary role cannot grant itself the runner role');

# The state did not move.
ok_as('app_user', q{SELECT * FROM mig_current()}, 'p3', 'state unchanged');

# --- the superuser still sees everything ---------------------------------------

is( $node->safe_psql(
		'postgres',
		q{SELECT string_agg(revision || ':' || direction || ':' || role, ',' ORDER BY id) FROM schemamig.history}),
	'p1:upgrade:deployer,p2:upgrade:deployer,p2:downgrade:deployer,p2:stamp:deployer,p3:upgrade:deployer',
	'history as the superuser sees it');

$node->stop;
done_testing();
