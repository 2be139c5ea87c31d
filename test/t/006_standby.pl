
# Copyright (c) schemamig contributors

# A hot standby with the library preloaded replays the primary's DDL and the
# primary's DDL log, and neither logs anything itself nor raises anything:
# the hook stays out of recovery.  Read-only queries (the log, the history,
# mig_current()) work on the standby; DDL there fails with the server's own
# read-only error, not one of schemamig's, even with the out-of-band policy
# set to deny.  After promotion the new primary records DDL again.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf',
	"shared_preload_libraries = 'schemamig'\nschemamig.progress = off\n");
$primary->start;

$primary->safe_psql('postgres', 'CREATE DATABASE app');
$primary->safe_psql('app', 'CREATE EXTENSION schemamig');

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

is($standby->safe_psql('app', 'SHOW shared_preload_libraries'),
	'schemamig', 'standby preloads the library');
is($standby->safe_psql('app', 'SELECT pg_is_in_recovery()'),
	't', 'standby is in recovery');

# DDL on the primary: out of band, in a revision, nested in a function, and
# a DROP; the policy is deny for the database (it does not apply to the
# revision, and the standby inherits the setting).
$primary->safe_psql(
	'app', q{
CREATE TABLE account (id bigint PRIMARY KEY, email text);
CREATE INDEX account_email ON account (email);
INSERT INTO account VALUES (1, 'a@example.com');
CREATE FUNCTION make_t(n text) RETURNS void LANGUAGE plpgsql
	AS $$ BEGIN EXECUTE format('CREATE TABLE %I (id int)', n); END $$;
SELECT make_t('from_function');
DROP TABLE from_function;
SELECT mig_revision('r1', NULL, 'ALTER TABLE account ADD COLUMN name text', 'ALTER TABLE account DROP COLUMN name');
SELECT revision FROM mig_upgrade('head');
ALTER DATABASE app SET schemamig.out_of_band_ddl = deny;
});

my $primary_log =
  $primary->safe_psql('app',
	'SELECT id, command_tag, statement, revision, nested FROM schemamig.ddl_log ORDER BY id');
is( $primary->safe_psql('app', 'SELECT count(*) FROM schemamig.ddl_log'),
	'7', 'primary logged its seven DDL statements');

$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));

# what the standby shows is exactly the primary's log, replayed
is($standby->safe_psql('app',
		'SELECT id, command_tag, statement, revision, nested FROM schemamig.ddl_log ORDER BY id'),
	$primary_log, 'standby: the DDL log is the primary\'s, replayed');

# read-only queries work
is($standby->safe_psql('app', 'SELECT * FROM mig_current()'),
	'r1', 'standby: mig_current() works');
is($standby->safe_psql('app', 'SELECT revision, is_applied FROM mig_history()'),
	'r1|t', 'standby: mig_history() works');
is($standby->safe_psql('app', 'SELECT id, email, name FROM account'),
	'1|a@example.com|', 'standby: the replayed schema and data are there');
is($standby->safe_psql('app', 'SHOW schemamig.out_of_band_ddl'),
	'deny', 'standby: the database\'s policy setting is replayed too');

# DDL on the standby fails with the server's read-only error, not ours
my ($ret, $out, $err) =
  $standby->psql('app', 'CREATE TABLE on_standby (id int)',
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
isnt($ret, 0, 'standby: DDL fails');
like($err, qr/25006: cannot execute CREATE TABLE in a read-only transaction/,
	'standby: ... with the server\'s read-only error');
unlike($err, qr/out-of-band|schemamig|DDL log/,
	'standby: ... and nothing from schemamig');

# a session that does not read the log does nothing with it either
($ret, $out, $err) =
  $standby->psql('app', 'SELECT count(*) FROM pg_class WHERE relname = \'account\'');
is($out, '1', 'standby: catalog queries work');
is($err, '', 'standby: ... without notices');

# more DDL on the primary while the standby replays it
$primary->safe_psql('app',
	q{SET schemamig.out_of_band_ddl = allow; CREATE TABLE later (id int); ALTER TABLE later ADD COLUMN v text;});
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
is($standby->safe_psql('app', 'SELECT count(*) FROM schemamig.ddl_log'),
	'9', 'standby: later DDL log rows are replayed, none added');
is($standby->safe_psql('app', q{SELECT statement FROM schemamig.ddl_log ORDER BY id DESC LIMIT 1}),
	'ALTER TABLE later ADD COLUMN v text', 'standby: ... in order');

# nothing from schemamig, and no error but the deliberate one, in the
# standby's log (which also holds every statement: log_statement = all)
my $standby_log = slurp_file($standby->logfile);
my @ours = grep { /schemamig|out-of-band|DDL log/i }
  ($standby_log =~ /^.*(?:WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT):.*$/mg);
is(scalar(@ours), 0, 'standby log: no message from schemamig')
  or diag(join("\n", @ours));
unlike($standby_log, qr/PANIC|TRAP:|terminated by signal/,
	'standby log: no crash');
my @errors = grep { !/cannot execute CREATE TABLE in a read-only transaction/ }
  ($standby_log =~ /^.*(?:ERROR|FATAL):.*$/mg);
is(scalar(@errors), 0, 'standby log: no error but the deliberate one')
  or diag(join("\n", @errors));

# promoted, the standby records DDL like a primary
$standby->promote;
$standby->poll_query_until('app', 'SELECT NOT pg_is_in_recovery()')
  or die 'standby was not promoted';
$standby->safe_psql('app',
	'SET schemamig.out_of_band_ddl = allow; CREATE TABLE after_promotion (id int)');
is( $standby->safe_psql(
		'app', q{SELECT command_tag, statement, backend_pid <> 0 FROM schemamig.ddl_log ORDER BY id DESC LIMIT 1}),
	'CREATE TABLE|CREATE TABLE after_promotion (id int)|t',
	'promoted: DDL is recorded again');
($ret, $out, $err) = $standby->psql('app', 'CREATE TABLE denied_after_promotion (id int)');
like($err, qr/out-of-band DDL is not allowed in schema "public"/,
	'promoted: the database\'s deny policy applies');

$standby->stop;
$primary->stop;
done_testing();
