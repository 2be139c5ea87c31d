
# Copyright (c) schemamig contributors

# A crash in the middle of a long migration leaves the database consistent
# with what committed:
#
#  * mig_upgrade() (one transaction): nothing applied, no history, no table;
#  * CALL mig_upgrade_proc() (a commit per revision): the version table holds
#    the last committed revision, the history has one row per committed
#    revision, and exactly the tables of those revisions exist, with their
#    rows.
#
# Either way mig_upgrade('head') then finishes the job, and no migration lock
# is left behind (it is tried with schemamig.lock_wait_timeout = 0).
#
# Two kinds of crash: an immediate shutdown (pg_ctl stop -m immediate, then
# start), and SIGKILL of the migrating backend, after which the postmaster
# kills every other backend and reinitializes (restart_after_crash = on).

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

# 200 revisions r001..r200; rNNN creates t_NNN holding NNN rows and sleeps
# 20 ms, so that a run lasts about 4 s and a crash lands in the middle.
my $NREVS = 200;
# The crash comes once this many progress NOTICEs have been seen.  The NOTICE
# for revision k is sent after its statements and its history row but
# before the procedure commits it, so at least CRASH_AT - 1 are committed.
my $CRASH_AT = 60;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'schemamig'
restart_after_crash = on
schemamig.progress = on
});
$node->start;

# A template database holding the extension and the registered graph.
$node->safe_psql('postgres', 'CREATE DATABASE tmpl');
$node->safe_psql('tmpl', 'CREATE EXTENSION schemamig');
$node->safe_psql(
	'tmpl', qq{
DO \$\$
DECLARE
	id text;
BEGIN
	FOR i IN 1..$NREVS LOOP
		id := lpad(i::text, 3, '0');
		PERFORM mig_revision('r' || id,
			CASE WHEN i > 1 THEN 'r' || lpad((i - 1)::text, 3, '0') END,
			format('CREATE TABLE t_%s (id int PRIMARY KEY);
					INSERT INTO t_%s SELECT generate_series(1, %s);
					SELECT pg_sleep(0.02)', id, id, i),
			format('DROP TABLE t_%s', id),
			'revision ' || i);
	END LOOP;
END
\$\$;
});
is($node->safe_psql('tmpl', 'SELECT count(*) FROM schemamig.revision'),
	$NREVS, 'graph registered');

sub rev_id { return sprintf('r%03d', $_[0]); }

# Number of t_NNN tables, and the total of their rows.
sub table_summary
{
	my ($db) = @_;
	return $node->safe_psql(
		$db, q{
SELECT count(*) || ' tables, ' || coalesce(sum((xpath('/row/c/text()',
	query_to_xml(format('SELECT count(*) AS c FROM %I', relname), false, true, '')))[1]::text::int), 0) || ' rows'
  FROM pg_class WHERE relname ~ '^t_[0-9]{3}$' AND relkind = 'r'});
}

sub expected_summary
{
	my ($k) = @_;
	return "$k tables, " . ($k * ($k + 1) / 2) . ' rows';
}

# Start $sql in its own psql, wait until $CRASH_AT revisions reported
# progress, then crash the server the way $how says, and bring it back.
sub run_and_crash
{
	my ($db, $sql, $how) = @_;
	my ($stdout, $stderr) = ('', '');
	my $timer = IPC::Run::timer($PostgreSQL::Test::Utils::timeout_default);
	my $pattern = qr/upgraded $CRASH_AT\/$NREVS/;

	my $h = IPC::Run::start(
		[ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-c', $sql ],
		'<', \undef, '>', \$stdout, '2>', \$stderr, $timer);
	$h->pump until $stderr =~ $pattern || $timer->is_expired || !$h->pumpable;
	ok($stderr =~ $pattern, "$db: migration reached revision $CRASH_AT before the crash")
	  or diag("psql stderr: $stderr");
	unlike($stderr, qr/upgraded $NREVS\/$NREVS/, "$db: ... and had not finished");

	if ($how eq 'immediate')
	{
		$node->stop('immediate');
		$h->finish;
		$node->start;
	}
	else
	{
		my $pid = $node->safe_psql('postgres',
			qq{SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND query ~ 'mig_upgrade' AND pid <> pg_backend_pid()});
		like($pid, qr/^\d+$/, "$db: found the migrating backend");
		my $log_offset = -s $node->logfile;
		kill 'KILL', $pid;
		$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
		$h->finish;
		$node->poll_query_until('postgres', 'SELECT 1', '1')
		  or die 'server did not come back after the backend was killed';
	}
	like($stderr, qr/server closed the connection unexpectedly|terminating connection/,
		"$db: the migrating session lost its connection");
}

# After the crash: finish with mig_upgrade('head') (taking the lock at once)
# and check the end state.
sub finish_and_check
{
	my ($db, $k) = @_;
	is( $node->safe_psql(
			$db, q{SET schemamig.progress = off; SET schemamig.lock_wait_timeout = 0;
				   SELECT count(*) FROM mig_upgrade('head')}),
		$NREVS - $k,
		"$db: mig_upgrade('head') runs the remaining " . ($NREVS - $k) . ' revisions');
	is($node->safe_psql($db, 'SELECT string_agg(r, \',\') FROM mig_current() r'),
		rev_id($NREVS), "$db: current is the last revision");
	is( $node->safe_psql(
			$db,
			q{SELECT count(*) || '/' || count(DISTINCT revision) FROM schemamig.history WHERE direction = 'upgrade'}),
		"$NREVS/$NREVS",
		"$db: one history row per revision");
	is( $node->safe_psql(
			$db,
			q{SELECT bool_and(revision = 'r' || lpad(n::text, 3, '0'))
				FROM (SELECT revision, row_number() OVER (ORDER BY id) AS n
						FROM schemamig.history) h}),
		't',
		"$db: history in order r001..r$NREVS");
	is(table_summary($db), expected_summary($NREVS), "$db: every table with its rows");
}

for my $how ('immediate', 'sigkill')
{
	# one transaction: nothing survives the crash
	my $db = "fn_$how";
	$node->safe_psql('postgres', "CREATE DATABASE $db TEMPLATE tmpl");
	run_and_crash($db, q{SELECT count(*) FROM mig_upgrade('head')}, $how);

	is($node->safe_psql($db, 'SELECT count(*) FROM mig_current()'),
		'0', "$db: no current revision after the crash");
	is($node->safe_psql($db, 'SELECT count(*) FROM schemamig.history'),
		'0', "$db: no history after the crash");
	is(table_summary($db), expected_summary(0), "$db: no table after the crash");
	is($node->safe_psql($db, 'SELECT count(*) FROM schemamig.revision'),
		$NREVS, "$db: the graph is intact");
	finish_and_check($db, 0);

	# a commit per revision: exactly the committed prefix survives
	$db = "proc_$how";
	$node->safe_psql('postgres', "CREATE DATABASE $db TEMPLATE tmpl");
	run_and_crash($db, q{CALL mig_upgrade_proc('head')}, $how);

	my $k = $node->safe_psql($db,
		q{SELECT count(*) FROM schemamig.history WHERE direction = 'upgrade'});
	cmp_ok($k, '>=', $CRASH_AT - 1,
		"$db: at least the revisions reported before the crash committed ($k)");
	cmp_ok($k, '<', $NREVS, "$db: ... but not all of them");
	is($node->safe_psql($db, 'SELECT string_agg(r, \',\') FROM mig_current() r'),
		rev_id($k), "$db: the version table holds the last committed revision");
	is( $node->safe_psql(
			$db, q{SELECT string_agg(revision, ',' ORDER BY id) FROM schemamig.history}),
		join(',', map { rev_id($_) } 1 .. $k),
		"$db: one history row per committed revision, in order");
	is( $node->safe_psql(
			$db,
			q{SELECT count(DISTINCT backend_pid) || ' ' || count(DISTINCT xid) FROM schemamig.history}),
		"1 $k",
		"$db: one backend, one transaction per revision");
	is(table_summary($db), expected_summary($k),
		"$db: exactly the tables of the committed revisions, with their rows");
	is( $node->safe_psql(
			$db,
			sprintf(q{SELECT to_regclass('t_%03d') IS NOT NULL, to_regclass('t_%03d') IS NULL}, $k, $k + 1)),
		't|t',
		"$db: t_" . sprintf('%03d', $k) . ' exists, the next does not');
	finish_and_check($db, $k);
}

$node->stop;
done_testing();
