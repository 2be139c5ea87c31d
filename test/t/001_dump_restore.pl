
# Copyright (c) schemamig contributors

# pg_dump / pg_restore keeps the migration state: the registered revisions
# (with their checksums), the version table, the whole history and the
# sequences behind them.  A restored database reports the same current
# heads and history, and migrates on from there without duplicate keys.
#
# Both dump formats are checked: custom (-Fc) restored with pg_restore, and
# plain SQL replayed with psql.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump_restore');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'schemamig'\nschemamig.progress = off\n");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', 'CREATE EXTENSION schemamig');

# The graph:
#
#   a1 --+-- b1 (billing) --+-- m1 -- y1 (depends_on x1)
#        +-- c1 (crm) ------+
#   x1 (extra), a second base
#
$node->safe_psql(
	'src', q{
SELECT mig_revision('a1', NULL,
	'CREATE TABLE acct (id int PRIMARY KEY, name text)',
	'DROP TABLE acct', 'accounts');
SELECT mig_revision('b1', 'a1',
	$$CREATE TABLE invoice (id serial PRIMARY KEY, acct int REFERENCES acct);
	  INSERT INTO acct VALUES (1, 'first'), (2, 'second');
	  INSERT INTO invoice (acct) VALUES (1), (2), (2)$$,
	'DROP TABLE invoice; DELETE FROM acct', 'invoices', 'billing');
SELECT mig_revision('c1', 'a1',
	'CREATE TABLE contact (id int PRIMARY KEY, acct int REFERENCES acct)',
	'DROP TABLE contact', 'contacts', 'crm');
SELECT mig_merge('b1,c1', 'merge billing and crm', 'm1');
SELECT mig_revision('x1', NULL, 'CREATE TABLE extra (id int)',
	'DROP TABLE extra', 'extra base', 'extra');
SELECT mig_revision('y1', 'm1', 'CREATE VIEW report AS SELECT a.id, count(i.id) AS invoices FROM acct a LEFT JOIN invoice i ON i.acct = a.id GROUP BY a.id',
	'DROP VIEW report', 'report', NULL, 'x1');
});

# Move partway, with a stamp in between, so that history has several rows of
# several kinds: upgrade a1; stamp b1 (no SQL: create invoice by hand, as a
# DBA would); upgrade c1.
$node->safe_psql(
	'src', q{
SELECT revision FROM mig_upgrade('a1');
CREATE TABLE invoice (id serial PRIMARY KEY, acct int REFERENCES acct);
INSERT INTO acct VALUES (1, 'first'), (2, 'second');
INSERT INTO invoice (acct) VALUES (1), (2), (2);
SELECT mig_stamp('b1');
SELECT revision FROM mig_upgrade('c1');
});

is($node->safe_psql('src', 'SELECT string_agg(r, \',\' ORDER BY r) FROM mig_current() r'),
	'b1,c1', 'source: current heads after partial upgrade and stamp');
is($node->safe_psql('src', 'SELECT count(*) FROM schemamig.history'),
	'3', 'source: three history rows');

# What must survive, as text.
my %queries = (
	current => 'SELECT * FROM mig_current() ORDER BY 1',
	heads => 'SELECT * FROM mig_heads() ORDER BY 1',
	mig_history => 'SELECT * FROM mig_history()',
	history => 'SELECT * FROM schemamig.history ORDER BY id',
	version => 'SELECT * FROM schemamig.version ORDER BY revision',
	revisions =>
	  'SELECT id, parents, branch_labels, depends_on, message, upgrade, downgrade, checksum, registered_by, registered_at, seq FROM schemamig.revision ORDER BY seq',
	user_data =>
	  'SELECT (SELECT string_agg(id || name, \',\' ORDER BY id) FROM acct), (SELECT string_agg(id || \':\' || acct, \',\' ORDER BY id) FROM invoice), (SELECT count(*) FROM contact)',
	members =>
	  q{SELECT c.relname FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid WHERE e.extname = 'schemamig' ORDER BY 1},
	triggers =>
	  q{SELECT tgname FROM pg_trigger WHERE tgrelid = 'schemamig.history'::regclass AND NOT tgisinternal ORDER BY 1},);

my %before;
$before{$_} = $node->safe_psql('src', $queries{$_}) for keys %queries;

like($before{revisions}, qr/\|[0-9a-f]{64}\|/,
	'source: revisions carry sha-256 checksums');

my $max_history = $node->safe_psql('src', 'SELECT max(id) FROM schemamig.history');
my $max_seq = $node->safe_psql('src', 'SELECT max(seq) FROM schemamig.revision');

my $tempdir = PostgreSQL::Test::Utils::tempdir;

# custom format, pg_restore into a new database
$node->command_ok(
	[ 'pg_dump', '-Fc', '-f', "$tempdir/src.dump", '-d', $node->connstr('src') ],
	'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE restored_fc');
$node->command_ok(
	[
		'pg_restore', '--exit-on-error', '-d', $node->connstr('restored_fc'),
		"$tempdir/src.dump"
	],
	'pg_restore into a fresh database');

# plain format, replayed with psql
$node->command_ok(
	[ 'pg_dump', '-Fp', '-f', "$tempdir/src.sql", '-d', $node->connstr('src') ],
	'pg_dump -Fp');
$node->safe_psql('postgres', 'CREATE DATABASE restored_plain');
$node->command_ok(
	[
		'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
		$node->connstr('restored_plain'), '-f', "$tempdir/src.sql"
	],
	'plain dump replayed with psql');

for my $db ('restored_fc', 'restored_plain')
{
	for my $q (sort keys %queries)
	{
		is($node->safe_psql($db, $queries{$q}), $before{$q}, "$db: $q as in the source");
	}

	# the history is still append-only
	my ($ret, $out, $err) =
	  $node->psql($db, 'DELETE FROM schemamig.history');
	isnt($ret, 0, "$db: history still refuses DELETE");
	like($err, qr/append-only/, "$db: ... with the append-only error");

	# Registering again is a no-op for the same content (checksums match
	# after the round trip), and an error for changed content of an applied
	# revision.
	$node->safe_psql($db,
		q{SELECT mig_revision('a1', NULL, 'CREATE TABLE acct (id int PRIMARY KEY, name text)', 'DROP TABLE acct', 'accounts')}
	);
	is($node->safe_psql($db, 'SELECT count(*) FROM schemamig.revision'),
		'6', "$db: re-registering identical a1 is a no-op");
	($ret, $out, $err) = $node->psql($db,
		q{SELECT mig_revision('a1', NULL, 'CREATE TABLE acct (id bigint PRIMARY KEY)', 'DROP TABLE acct', 'accounts')}
	);
	like($err, qr/is applied and its content cannot change/,
		"$db: changing applied a1 is refused");

	# migrate on: the rest of the graph
	my $applied = $node->safe_psql($db,
		q{SELECT string_agg(revision, ',' ORDER BY revision) FROM mig_upgrade('heads')});
	is($applied, 'm1,x1,y1', "$db: mig_upgrade('heads') runs the remaining revisions");
	is($node->safe_psql($db, 'SELECT bool_and(is_applied) FROM mig_history()'),
		't', "$db: every revision is applied");
	is($node->safe_psql($db, 'SELECT invoices FROM report WHERE id = 2'),
		'2', "$db: the migrated schema works on the restored data");

	# sequences continued: new history ids above the restored ones, a new
	# revision's seq above the restored ones
	is( $node->safe_psql(
			$db,
			"SELECT count(*) FROM schemamig.history WHERE id > $max_history"),
		'3',
		"$db: three new history rows, numbered after the restored ones");
	is($node->safe_psql($db, 'SELECT count(DISTINCT id) = count(*) FROM schemamig.history'),
		't', "$db: history ids are unique");
	$node->safe_psql($db,
		q{SELECT mig_revision('z1', 'y1', 'CREATE TABLE zz (id int)', 'DROP TABLE zz', 'after restore')}
	);
	cmp_ok(
		$node->safe_psql($db, q{SELECT seq FROM schemamig.revision WHERE id = 'z1'}),
		'>', $max_seq, "$db: a new revision is numbered after the restored ones");
	is($node->safe_psql($db, q{SELECT string_agg(revision, ',') FROM mig_upgrade('heads')}),
		'z1', "$db: and it applies");
	is( $node->safe_psql(
			$db,
			q{SELECT revision || ':' || direction FROM schemamig.history ORDER BY id DESC LIMIT 1}),
		'z1:upgrade',
		"$db: its history row is the newest");

	# and back down through everything, then up again
	$node->safe_psql($db, q{SELECT count(*) FROM mig_downgrade('base')});
	is($node->safe_psql($db, 'SELECT count(*) FROM mig_current()'),
		'0', "$db: downgrade to base");
	$node->safe_psql($db, q{SELECT count(*) FROM mig_upgrade('heads')});
	is($node->safe_psql($db, 'SELECT bool_and(is_applied) FROM mig_history()'),
		't', "$db: and up again");
	like($node->safe_psql($db, 'SELECT string_agg(r, \',\' ORDER BY r) FROM mig_current() r'),
		qr/z1/, "$db: ... which include z1");
}

# The source is untouched by all this.
is($node->safe_psql('src', $queries{history}), $before{history},
	'source history unchanged');

$node->stop;
done_testing();
