/* The resolver against conformance.md's tables and the edge cases of the
 * file format. The caller is uid 8888, gid 8888 unless a case says else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "errtext.h"
#include "memdb.h"
#include "resolve.h"

#define CALLER 8888

static const char passwd_a[] =
	"root:x:0:0:root user:/root:/bin/bash\n"
	"adm:x:42:43:adm:/var/adm:/bin/false\n"
	"111:x:222:333::/var/garbage\n"
	"odd:x:111:112::/home/odd:::::\n"
	"2147483647:x:0:0:maxint32:/root:/bin/bash\n"
	"2147483648:x:0:0:toolarge:/root:/bin/bash\n"
	"9223372036854775807:x:0:0:maxint64:/root:/bin/bash\n"
	"9223372036854775808:x:0:0:maxint64plusone:/root:/bin/bash\n"
	"-42:x:12:13:broken:/very/broken\n"
	"user7456:x:7456:100:Vasya:/home/user7456\n"
	"this is just some garbage data\n";

static const char group_a_head[] =
	"root:x:0:root\n"
	"adm:x:43:\n"
	"grp:x:1234:root,adm,user7456\n"
	"444:x:555:111\n"
	"odd:x:444:\n"
	"2147483647:x:1235:\n"
	"2147483648:x:1236:\n"
	"9223372036854775807:x:1237:\n"
	"9223372036854775808:x:1238:\n"
	"this is just some garbage data\n";

/* Fixture A's group file: the head, then one line of 7500 members and no
 * newline after it. */
static char *group_a(void)
{
	struct buf b = {0};

	buf_adds(&b, group_a_head);
	buf_adds(&b, "largegroup:x:1000:");
	for (int i = 1; i <= 7500; i++) {
		char member[16];

		snprintf(member, sizeof member, "%suser%d", i > 1 ? "," : "", i);
		buf_adds(&b, member);
	}
	return buf_str(&b);
}

/* NULL contents: the file does not exist. */
struct db {
	const char *passwd, *group;
	size_t chunk;
	uid_t ruid;
	gid_t rgid;
	enum claim claim; /* the size both files claim at open */
};

struct outcome {
	int rc;
	struct target t;
	char *reason;
	unsigned group_opened;
};

static struct outcome run(const struct db *db, const char *spec)
{
	struct memdb pm = {.data = db->passwd, .len = db->passwd ? strlen(db->passwd) : 0,
	                   .missing = !db->passwd, .chunk = db->chunk, .claim = db->claim};
	struct memdb gm = {.data = db->group, .len = db->group ? strlen(db->group) : 0,
	                   .missing = !db->group, .chunk = db->chunk, .claim = db->claim};
	struct dbfile pf = memdb_file("/etc/passwd", &pm), gf = memdb_file("/etc/group", &gm);
	struct outcome o = {0};

	o.rc = resolve(spec, &pf, &gf, db->ruid ? db->ruid : CALLER,
	               db->rgid ? db->rgid : CALLER, &o.t, &o.reason);
	o.group_opened = gm.opened;
	return o;
}

static char *groups_text(const struct target *t)
{
	struct buf b = {0};

	for (size_t i = 0; i < t->ngroups; i++) {
		if (i)
			buf_addc(&b, ' ');
		buf_addu(&b, t->groups[i]);
	}
	return buf_str(&b);
}

static void ok(const struct db *db, const char *spec, uid_t uid, gid_t gid,
               const char *groups, const char *home)
{
	struct outcome o = run(db, spec);

	if (!CHECK(o.rc == 0, "'%s': failed: %s", spec, o.reason)) {
		free(o.reason);
		return;
	}
	char *g = groups_text(&o.t);
	CHECK(o.t.uid == uid && o.t.gid == gid && !strcmp(g, groups) && !strcmp(o.t.home, home),
	      "'%s': got uid %u gid %u groups [%s] home '%s'; want %u %u [%s] '%s'", spec,
	      o.t.uid, o.t.gid, g, o.t.home, uid, gid, groups, home);
	free(g);
	target_free(&o.t);
}

static void bad(const struct db *db, const char *spec, const char *reason)
{
	struct outcome o = run(db, spec);

	if (CHECK(o.rc == -1, "'%s': resolved to uid %u, want error '%s'", spec, o.t.uid, reason))
		CHECK(o.reason && !strcmp(o.reason, reason), "'%s': reason\n  got  '%s'\n  want '%s'",
		      spec, NN(o.reason), reason);
	else
		target_free(&o.t);
	free(o.reason);
}

#define RANGE "uids and gids must be in range 0-2147483647"
#define NO_USER(n) "unable to find user " n ": no matching entries in passwd file"
#define NO_GROUP(n) "unable to find group " n ": no matching entries in group file"

static void fixture_a(size_t chunk, enum claim claim)
{
	char *group = group_a();
	struct db a = {passwd_a, group, chunk, 0, 0, claim};

	ok(&a, "root", 0, 0, "0 1234", "/root");
	ok(&a, "adm", 42, 43, "43 1234", "/var/adm");
	ok(&a, "root:adm", 0, 43, "43", "/root");
	ok(&a, "adm:1234", 42, 1234, "1234", "/var/adm");
	ok(&a, "42:1234", 42, 1234, "1234", "/var/adm");
	ok(&a, "1337:1234", 1337, 1234, "1234", "/");
	ok(&a, "1337", 1337, CALLER, "8888", "/");
	ok(&a, "", CALLER, CALLER, "8888", "/");
	ok(&a, ":", CALLER, CALLER, "8888", "/");
	ok(&a, "111", 111, 112, "112", "/home/odd");
	ok(&a, "111:444", 111, 444, "444", "/home/odd");
	ok(&a, "7456", 7456, 100, "100 1234 1000", "/home/user7456");
	ok(&a, "user7456:", 7456, 100, "100 1234 1000", "/home/user7456");
	ok(&a, "7456:2147483647", 7456, 2147483647, "2147483647", "/home/user7456");
	ok(&a, "2147483647:43", 2147483647, 43, "43", "/");
	ok(&a, "2147483647", 2147483647, CALLER, "8888", "/");
	ok(&a, "+0", 0, 0, "0 1234", "/root");
	ok(&a, "007:0", 7, 0, "0", "/");
	ok(&a, "root:adm:extra", 0, 43, "43", "/root");
	ok(&a, ":root", CALLER, 0, "0", "/");

	bad(&a, "notuser", NO_USER("notuser"));
	bad(&a, "notuser:notgroup", NO_USER("notuser"));
	bad(&a, "notuser:adm", NO_USER("notuser"));
	bad(&a, "notuser:8888", NO_USER("notuser"));
	bad(&a, "root:notgroup", NO_GROUP("notgroup"));
	bad(&a, "8888:notgroup", NO_GROUP("notgroup"));
	static const char *const out_of_range[] = {
		"-1:0", "0:-3", "-5:-2", "-42", "-43", "42:2147483648", "2147483648:43",
		"2147483648", "7456:9223372036854775807", "9223372036854775807:43",
		"9223372036854775807", "9223372036854775808", "0:9223372036854775808",
		"99999999999999999999",
	};
	for (size_t i = 0; i < sizeof out_of_range / sizeof *out_of_range; i++)
		bad(&a, out_of_range[i], RANGE);
	bad(&a, "0x10", NO_USER("0x10"));
	bad(&a, " 0", NO_USER(" 0"));
	bad(&a, "0 ", NO_USER("0 "));
	bad(&a, "1_000", NO_USER("1_000"));
	bad(&a, "+", NO_USER("+"));
	bad(&a, "-", NO_USER("-"));
	bad(&a, "this is just some garbage data",
	    "malformed entry \"this is just some garbage data\" at /etc/passwd line 11: "
	    "uid \"\" is not a number in range 0-4294967294");
	free(group);
}

TEST(conformance_fixture_a)
{
	fixture_a(0, CLAIM_NONE);
}

/* The same table with the files arriving a few bytes at a time, so every
 * line straddles the reads. */
TEST(conformance_fixture_a_in_small_reads)
{
	fixture_a(3, CLAIM_NONE);
}

/* And with each size a file may claim at open: its own (the usual case,
 * one read into a buffer just big enough), or a wrong one, as when the
 * file changes between fstat and read. */
TEST(conformance_fixture_a_whatever_the_claimed_size)
{
	static const enum claim claims[] = {CLAIM_EXACT, CLAIM_ONE_BYTE, CLAIM_TWICE, CLAIM_ONE_SHORT};

	for (size_t i = 0; i < sizeof claims / sizeof *claims; i++) {
		fixture_a(0, claims[i]);
		fixture_a(3, claims[i]);
	}
}

TEST(conformance_fixture_b_missing_files)
{
	struct db b = {NULL, NULL, 0, 0, 0, CLAIM_NONE};
	char *group = group_a();
	struct db pw_only = {passwd_a, NULL, 0, 0, 0, CLAIM_NONE};

	ok(&b, "", CALLER, CALLER, "8888", "/");
	ok(&b, "0", 0, CALLER, "8888", "/");
	ok(&b, "0:0", 0, 0, "0", "/");
	bad(&b, "root", NO_USER("root"));
	bad(&b, "0:wheel", NO_GROUP("wheel"));
	ok(&pw_only, "root", 0, 0, "0", "/root");
	free(group);
}

static struct outcome run_failing(const char *passwd, int perr, const char *pop,
                                  int gerr, const char *gop, const char *spec)
{
	struct memdb pm = {.data = passwd, .len = passwd ? strlen(passwd) : 0,
	                   .missing = !passwd && !perr, .open_err = perr, .open_op = pop};
	struct memdb gm = {.data = "", .open_err = gerr, .open_op = gop};
	struct dbfile pf = memdb_file("/etc/passwd", &pm), gf = memdb_file("/etc/group", &gm);
	struct outcome o = {0};

	o.rc = resolve(spec, &pf, &gf, CALLER, CALLER, &o.t, &o.reason);
	o.group_opened = gm.opened;
	return o;
}

static void check_reason(struct outcome o, const char *spec, const char *want)
{
	if (CHECK(o.rc == -1, "'%s': resolved, want '%s'", spec, want))
		CHECK(o.reason && !strcmp(o.reason, want), "'%s': got '%s', want '%s'", spec, NN(o.reason), want);
	else
		target_free(&o.t);
	free(o.reason);
}

TEST(conformance_fixture_c_broken_files)
{
	struct outcome o;

	check_reason(run_failing(NULL, EISDIR, "read", 0, NULL, "root"), "root",
	             "unable to find user root: read /etc/passwd: is a directory");
	check_reason(run_failing(NULL, ERR_NOT_REGULAR, "read", 0, NULL, "root"), "root",
	             "unable to find user root: read /etc/passwd: not a regular file");
	check_reason(run_failing(NULL, EACCES, "open", 0, NULL, ""), "",
	             "unable to find user 8888: open /etc/passwd: permission denied");
	check_reason(run_failing(NULL, EACCES, "open", 0, NULL, "5"), "5",
	             "unable to find user 5: open /etc/passwd: permission denied");
	check_reason(run_failing(passwd_a, 0, NULL, EISDIR, "read", "root"), "root",
	             "unable to find groups for spec root: read /etc/group: is a directory");
	check_reason(run_failing(passwd_a, 0, NULL, ELOOP, "open", "5:adm"), "5:adm",
	             "unable to find groups for spec : open /etc/group: too many levels of symbolic links");

	/* A spec with no passwd entry and no group part never needs the group file. */
	o = run_failing(passwd_a, 0, NULL, EISDIR, "read", "5");
	CHECK(o.rc == 0 && o.t.uid == 5 && o.group_opened == 0,
	      "'5' with a broken group file: rc %d, group opened %u times", o.rc, o.group_opened);
	if (o.rc == 0)
		target_free(&o.t);
	free(o.reason);
	/* Nor does a matched entry whose name is empty. */
	o = run_failing(":x:77:78::/h:", 0, NULL, EISDIR, "read", "77");
	CHECK(o.rc == 0 && o.t.gid == 78 && o.group_opened == 0,
	      "nameless entry: rc %d, group opened %u times", o.rc, o.group_opened);
	if (o.rc == 0)
		target_free(&o.t);
	free(o.reason);
}

TEST(out_of_range_ids_in_files_are_errors)
{
	struct db evil = {"evil:x:4294967296:0::/root:/bin/sh\n", "", 0, 0, 0, CLAIM_NONE};
	struct db evil_gid = {"evil:x:5:4294967296::/root:/bin/sh\n", "", 0, 0, 0, CLAIM_NONE};
	struct db top = {"top:x:4294967294:4294967294::/top:\n", "", 0, 0, 0, CLAIM_NONE};
	struct db minus = {"m:x:-1:0::/:\n", "", 0, 0, 0, CLAIM_NONE};
	struct db group_bad = {"u:x:5:5::/:\n", "g:x:4294967295:u\n", 0, 0, 0, CLAIM_NONE};
	struct db group_huge = {"u:x:5:5::/:\n", "g:x:99999999999999999999:\n", 0, 0, 0, CLAIM_NONE};

	bad(&evil, "evil", "malformed entry \"evil\" at /etc/passwd line 1: "
	                   "uid \"4294967296\" is not a number in range 0-4294967294");
	bad(&evil_gid, "evil", "malformed entry \"evil\" at /etc/passwd line 1: "
	                       "gid \"4294967296\" is not a number in range 0-4294967294");
	/* 4294967296 is 0 in 32 bits: it must never match uid 0. */
	ok(&evil, "0:0", 0, 0, "0", "/");
	ok(&evil, "0", 0, CALLER, "8888", "/");
	ok(&top, "top", 4294967294u, 4294967294u, "4294967294", "/top");
	bad(&minus, "m", "malformed entry \"m\" at /etc/passwd line 1: "
	                 "uid \"-1\" is not a number in range 0-4294967294");
	bad(&group_bad, "u", "malformed entry \"g\" at /etc/group line 1: "
	                     "gid \"4294967295\" is not a number in range 0-4294967294");
	bad(&group_bad, "u:g", "malformed entry \"g\" at /etc/group line 1: "
	                       "gid \"4294967295\" is not a number in range 0-4294967294");
	/* A numeric lookup passes over entries whose field is not a valid number. */
	ok(&group_huge, "u:5", 5, 5, "5", "/");
	bad(&group_huge, "u:g", "malformed entry \"g\" at /etc/group line 1: "
	                        "gid \"99999999999999999999\" is not a number in range 0-4294967294");
}

TEST(number_grammar)
{
	struct db d = {"a:x:7:7::/a:\n", "", 0, 0, 0, CLAIM_NONE};

	ok(&d, "7", 7, 7, "7", "/a");
	ok(&d, "+7", 7, 7, "7", "/a");
	ok(&d, "0007", 7, 7, "7", "/a");
	ok(&d, "-0", 0, CALLER, "8888", "/");
	ok(&d, "00000000000000000000000000000000000007", 7, 7, "7", "/a");
	ok(&d, "2147483647", 2147483647, CALLER, "8888", "/");
	bad(&d, "4294967303", RANGE); /* 7 + 2^32 */
	bad(&d, "18446744073709551623", RANGE); /* 7 + 2^64 */
	bad(&d, "-4294967289", RANGE);
	bad(&d, "++7", NO_USER("++7"));
	bad(&d, "+-7", NO_USER("+-7"));
	bad(&d, "7a", NO_USER("7a"));
	bad(&d, "\t7", NO_USER("\\t7")); /* quoted: no raw control byte in a message */
	bad(&d, "\xd9\xa7", NO_USER("\xd9\xa7")); /* Arabic-Indic seven */
	bad(&d, "a:+", NO_GROUP("+"));
	bad(&d, "a:0x1", NO_GROUP("0x1"));
	bad(&d, "a:2147483648", RANGE);
	bad(&d, "a:-1", RANGE);
	ok(&d, "a:+2147483647", 7, 2147483647, "2147483647", "/a");

	/* The same grammar decides what a field of the files holds. */
	struct db fields = {"p:x:+8:0008::/p:\nq:x: 9:9::/q:\nr:x:0x9:9::/r:\n", "", 0, 0, 0, CLAIM_NONE};
	ok(&fields, "8", 8, 8, "8", "/p");
	ok(&fields, "p", 8, 8, "8", "/p");
	ok(&fields, "9", 9, CALLER, "8888", "/");
	bad(&fields, "q", "malformed entry \"q\" at /etc/passwd line 2: "
	                  "uid \" 9\" is not a number in range 0-4294967294");
}

TEST(lines_trimming_comments_crlf)
{
	struct db d = {
		"# root:x:0:0::/:/bin/sh\n"
		"\r\n"
		"   \t\n"
		"  root:x:0:0::/root:/bin/bash \r\n"
		"\v\fcr:x:5:5::/home/cr\r\n"
		"nl:x:6:6::/home/nl",
		"#wheel:x:10:root\n"
		"  wheel:x:10:cr\r\n"
		"sp:x:11: cr\n"
		"tail:x:12:cr \n"
		"nbsp:x:13:cr\xc2\xa0\n",
		0, 0, 0, CLAIM_NONE};

	ok(&d, "0", 0, 0, "0", "/root");
	ok(&d, "root", 0, 0, "0", "/root");
	ok(&d, "cr", 5, 5, "5 10 12", "/home/cr");
	ok(&d, "nl", 6, 6, "6", "/home/nl");
	bad(&d, "# root", NO_USER("# root"));
	bad(&d, ":#wheel", NO_GROUP("#wheel"));
}

TEST(members_empty_duplicates_and_order)
{
	struct db d = {
		"u:x:10:20::/u:\n",
		"a:x:30:,u,\n"
		"b:x:20:u\n"
		"c:x:40:x,,u,u\n"
		"d:x:30:u\n"
		"e:x:50:uu,u2,U\n"
		"f:x:60:\n"
		"g:x:70:u\n",
		0, 0, 0, CLAIM_NONE};

	ok(&d, "u", 10, 20, "20 30 40 70", "/u");
	ok(&d, "u:", 10, 20, "20 30 40 70", "/u");
	/* An explicit group gives no memberships. */
	ok(&d, "u:g", 10, 70, "70", "/u");
	ok(&d, "u:60", 10, 60, "60", "/u");
	/* The first entry of a name or gid wins. */
	struct db dup = {"u:x:1:1::/first:\nu:x:2:2::/second:\n", "g:x:5:\ng:x:6:\n", 0, 0, 0, CLAIM_NONE};
	ok(&dup, "u", 1, 1, "1", "/first");
	ok(&dup, "u:g", 1, 5, "5", "/first");
	ok(&dup, "2", 2, 2, "2", "/second");
}

TEST(empty_and_missing_fields)
{
	struct db d = {"short:x:3:4\nnohome:x:5:6:gecos:\nbare\n:x:9:9::/anon:\n", "", 0, 0, 0, CLAIM_NONE};

	ok(&d, "short", 3, 4, "4", "");
	ok(&d, "nohome", 5, 6, "6", "");
	bad(&d, "bare", "malformed entry \"bare\" at /etc/passwd line 3: "
	                "uid \"\" is not a number in range 0-4294967294");
	ok(&d, "9", 9, 9, "9", "/anon");
	/* The user part "" is the caller, never the nameless entry. */
	ok(&d, "", CALLER, CALLER, "8888", "/");
	struct db nis = {"+::::::\n+root::0:0::/:\n-app:x:1000:0::/:\n  -x:x:7:7::/:\n"
	                 "app:x:1000:1000::/home/app:\n",
	                 "+wheel:x:0:app\n-staff:x:50:app\n\t+@admins:x:10:app\nusers:x:100:app\n",
	                 0, 0, 0, CLAIM_NONE};
	/* NIS compat lines are never entries, in either file: no id is ever
	 * taken from them. */
	bad(&nis, "+", NO_USER("+"));
	bad(&nis, "+root", NO_USER("+root"));
	bad(&nis, "-", NO_USER("-"));
	bad(&nis, "-x", NO_USER("-x"));
	ok(&nis, "0:5", 0, 5, "5", "/");
	ok(&nis, "1000", 1000, 1000, "1000 100", "/home/app");
	ok(&nis, "app", 1000, 1000, "1000 100", "/home/app");
	ok(&nis, "7", 7, CALLER, "8888", "/");
	bad(&nis, "app:+wheel", NO_GROUP("+wheel"));
	ok(&nis, "app:0", 1000, 0, "0", "/home/app");
}

TEST(nul_bytes_inside_lines)
{
	static const char pw[] = "a\0b:x:1:1::/ab:\nab:x:2:2::/h\0ome:\nc:x:3:3::/c:\n";
	static const char gr[] = "g:x:9:c\0x,c\n";
	struct memdb pm = {.data = pw, .len = sizeof pw - 1};
	struct memdb gm = {.data = gr, .len = sizeof gr - 1};
	struct dbfile pf = memdb_file("/etc/passwd", &pm), gf = memdb_file("/etc/group", &gm);
	struct target t;
	char *reason = NULL;

	/* "a\0b" is not "a": a NUL never ends a name early. */
	CHECK(resolve("a", &pf, &gf, CALLER, CALLER, &t, &reason) == -1 && reason &&
	      !strcmp(reason, NO_USER("a")), "'a': %s", NN(reason));
	free(reason);
	reason = NULL;
	/* A home with a NUL could only be cut short: refused. */
	CHECK(resolve("ab", &pf, &gf, CALLER, CALLER, &t, &reason) == -1 && reason &&
	      !strcmp(reason, "malformed entry \"ab\" at /etc/passwd line 2: home contains a NUL byte"),
	      "'ab': %s", NN(reason));
	free(reason);
	reason = NULL;
	/* Member "c\0x" is not "c"; the later "c" is. */
	if (CHECK(resolve("c", &pf, &gf, CALLER, CALLER, &t, &reason) == 0, "'c': %s", NN(reason))) {
		CHECK(t.ngroups == 2 && t.groups[1] == 9, "'c': %zu groups", t.ngroups);
		target_free(&t);
	}
	free(reason);
}

static char *repeat_line(const char *head, size_t fill, const char *tail)
{
	struct buf b = {0};

	buf_adds(&b, head);
	for (size_t i = 0; i < fill; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, tail);
	return buf_str(&b);
}

TEST(long_lines)
{
	/* A comment of exactly the limit is read and passed over. */
	char *at_limit = repeat_line("#", LINE_MAX_BYTES - 1, "\nroot:x:0:0::/root:\n");
	char *over = repeat_line("#", LINE_MAX_BYTES, "\nroot:x:0:0::/root:\n");
	char *gecos = repeat_line("root:x:0:0:", 70000, ":/root:/bin/sh\n");
	char *last = repeat_line("u:x:1:1::/u:\n#", LINE_MAX_BYTES - 1, "");
	char *last_over = repeat_line("#", LINE_MAX_BYTES + 1, "");
	/* Whatever size the file claims: the buffer grows from it to the limit. */
	for (enum claim h = CLAIM_NONE; h <= CLAIM_ONE_SHORT; h++) {
		struct db d1 = {at_limit, "", 0, 0, 0, h}, d2 = {over, "", 0, 0, 0, h};
		struct db d3 = {gecos, "", 0, 0, 0, h}, d4 = {last, "", 0, 0, 0, h};
		struct db d5 = {last_over, "", 0, 0, 0, h};

		ok(&d1, "root", 0, 0, "0", "/root");
		bad(&d2, "root", "unable to find user root: read /etc/passwd: line longer than 1048576 bytes");
		ok(&d3, "root", 0, 0, "0", "/root");
		ok(&d4, "1", 1, 1, "1", "/u");
		ok(&d4, "2", 2, CALLER, "8888", "/");
		bad(&d5, "2", "unable to find user 2: read /etc/passwd: line longer than 1048576 bytes");
	}
	free(at_limit), free(over), free(gecos), free(last), free(last_over);
}

TEST(big_member_lists_and_group_limit)
{
	struct buf g = {0};

	/* 70,000 members on one line, the user among the last. */
	buf_adds(&g, "big:x:5:");
	for (int i = 0; i < 70000; i++) {
		buf_adds(&g, i == 69990 ? "app," : "someone");
		buf_addu(&g, (unsigned)i);
		buf_addc(&g, ',');
	}
	buf_adds(&g, "last\n");
	char *group = buf_str(&g);
	struct db d = {"app:x:100:100::/app:\n", group, 0, 0, 0, CLAIM_NONE};
	ok(&d, "app", 100, 100, "100 5", "/app");
	free(group);

	/* 65535 memberships plus the primary gid: exactly the limit. */
	for (int extra = 0; extra < 2; extra++) {
		buf_adds(&g, "");
		for (unsigned i = 1; i <= 65535u + (unsigned)extra; i++) {
			buf_adds(&g, "g");
			buf_addu(&g, i);
			buf_adds(&g, ":x:");
			buf_addu(&g, 100000 + i);
			buf_adds(&g, ":u\n");
		}
		/* Duplicates cost nothing against the limit. */
		buf_adds(&g, "again:x:100001:u\nprimary:x:7:u\n");
		group = buf_str(&g);
		struct db many = {"u:x:7:7::/u:\n", group, 0, 0, 0, CLAIM_NONE};
		struct outcome o = run(&many, "u");
		if (!extra) {
			CHECK(o.rc == 0 && o.t.ngroups == 65536 && o.t.groups[0] == 7 &&
			      o.t.groups[65535] == 165535, "65536 groups: rc %d, %zu groups (%s)",
			      o.rc, o.t.ngroups, NN(o.reason));
			if (o.rc == 0)
				target_free(&o.t);
		} else {
			CHECK(o.rc == -1 && o.reason && !strcmp(o.reason, "user u is a member of more than 65536 groups"),
			      "65537 groups: rc %d (%s)", o.rc, o.reason);
		}
		free(o.reason);
		free(group);
	}
}

TEST(member_search_boundaries)
{
	/* The member search jumps over bytes: every way a name can sit in a
	 * list, or almost. */
	struct db d = {
		"ab:x:1:1::/ab:\nb,c:x:2:2::/bc:\nabab:x:3:3::/abab:\n",
		"g1:x:11:ab\n"
		"g2:x:12:xab,abx,aab,abb\n"
		"g3:x:13:x,ab\n"
		"g4:x:14:ab,x\n"
		"g5:x:15:a,b\n"
		"g6:x:16:b,c\n"
		"g7:x:17:ababab,babab,abab\n"
		"g8:x:18:a\n"
		"g9:x:19::ab\n"
		"g10:x:20:ab:\n",
		0, 0, 0, CLAIM_NONE};

	ok(&d, "ab", 1, 1, "1 11 13 14 20", "/ab");
	ok(&d, "abab", 3, 3, "3 17", "/abab");
	/* A name with a ',' is no member, though "b,c" stands in a list. */
	ok(&d, "b,c", 2, 2, "2", "/bc");
	struct db broken = {"b,c:x:2:2::/bc:\n", NULL, 0, 0, 0, CLAIM_NONE};
	ok(&broken, "b,c", 2, 2, "2", "/bc");
}

/* Names longer than the skip table's largest jump (255) are found all
 * the same, and near misses are not taken for them. */
TEST(member_search_long_names)
{
	static const size_t lens[] = {254, 255, 256, 257, 300, 511, 700};

	for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
		for (int cyclic = 0; cyclic < 2; cyclic++) {
			size_t n = lens[k];
			char *name = malloc(n + 1), *other = malloc(n + 1);
			struct buf pw = {0}, gr = {0};

			if (!CHECK(name && other, "malloc"))
				return;
			for (size_t i = 0; i < n; i++)
				name[i] = cyclic ? (char)('a' + i % 23) : 'a';
			name[n] = '\0';
			memcpy(other, name, n + 1);
			other[n - 1] = 'Z'; /* differs in the last byte only */
			buf_add(&pw, name, n);
			buf_adds(&pw, ":x:5:5::/h:\n");
			/* one short, one longer on either side, the last byte wrong */
			buf_adds(&gr, "g1:x:21:");
			buf_add(&gr, name, n - 1);
			buf_adds(&gr, ",x");
			buf_add(&gr, name, n);
			buf_adds(&gr, ",");
			buf_add(&gr, name, n);
			buf_adds(&gr, "x,");
			buf_adds(&gr, other);
			buf_adds(&gr, "\ng2:x:22:");
			buf_add(&gr, name, n);
			buf_adds(&gr, "x,y,");
			buf_add(&gr, name, n);
			buf_adds(&gr, "\ng3:x:23:");
			buf_add(&gr, name, n);
			buf_adds(&gr, "\ng4:x:24:");
			buf_add(&gr, name + 1, n - 1); /* its own suffix */
			buf_adds(&gr, "\n");

			char *p = buf_str(&pw), *g = buf_str(&gr);
			struct db d = {p, g, 0, 0, 0, CLAIM_EXACT};
			ok(&d, "5", 5, 5, "5 22 23", "/h");
			free(p), free(g), free(name), free(other);
		}
	}
}

/* A file rewritten in place while it is read: the lines read may mix two
 * versions, so the resolution is done again, a bounded number of times. */
static struct outcome run_changing(const char *pw, unsigned pw_changes, const char *pw_later,
                                   const char *gr, unsigned gr_changes, const char *spec,
                                   unsigned *pw_opened)
{
	struct memdb pm = {.data = pw, .len = strlen(pw), .changes = pw_changes, .later = pw_later};
	struct memdb gm = {.data = gr, .len = strlen(gr), .changes = gr_changes};
	struct dbfile pf = memdb_file("/etc/passwd", &pm), gf = memdb_file("/etc/group", &gm);
	struct outcome o = {0};

	o.rc = resolve(spec, &pf, &gf, CALLER, CALLER, &o.t, &o.reason);
	o.group_opened = gm.opened;
	*pw_opened = pm.opened;
	return o;
}

TEST(file_changed_while_read_is_read_again)
{
	/* What a read straddling two versions gave: app with uid 0. */
	static const char mixed[] = "app:x:0:0::/root:/bin/sh\n";
	static const char after[] = "pad:x:1:1::/:\napp:x:1000:1000::/home/app:/bin/sh\n";
	static const char gr[] = "staff:x:50:app\n";
	unsigned opened;

	for (unsigned changes = 1; changes <= 3; changes++) {
		struct outcome o = run_changing(mixed, changes, after, gr, 0, "app", &opened);

		if (CHECK(o.rc == 0, "%u changes: %s", changes, NN(o.reason)))
			CHECK(o.t.uid == 1000 && o.t.gid == 1000 && o.t.ngroups == 2 && opened == changes + 1,
			      "%u changes: uid %u gid %u, %zu groups, passwd opened %u times", changes,
			      o.t.uid, o.t.gid, o.t.ngroups, opened);
		target_free(&o.t);
		free(o.reason);
	}
	/* The group file too: the passwd file is read again with it. */
	struct outcome o = run_changing(after, 0, NULL, gr, 2, "app", &opened);

	if (CHECK(o.rc == 0, "group changes: %s", NN(o.reason)))
		CHECK(o.t.ngroups == 2 && opened == 3 && o.group_opened == 3,
		      "group changes: %zu groups, opened %u and %u times", o.t.ngroups, opened, o.group_opened);
	target_free(&o.t);
	free(o.reason);
}

TEST(file_that_keeps_changing_is_an_error)
{
	static const char pw[] = "app:x:1000:1000::/home/app:/bin/sh\n";
	unsigned opened;
	struct outcome o = run_changing(pw, 4, NULL, "", 0, "app", &opened);

	if (CHECK(o.rc == -1, "resolved to uid %u", o.t.uid))
		CHECK(o.reason && !strcmp(o.reason, "read /etc/passwd: changed while read") && opened == 4,
		      "reason '%s', opened %u times", NN(o.reason), opened);
	else
		target_free(&o.t);
	free(o.reason);
	/* Also when the change comes with an error: the error may be the
	 * mix's. */
	o = run_changing("app:x:99999999999:0::/:\n", 3, pw, "", 0, "app", &opened);
	if (CHECK(o.rc == 0, "after a malformed mix: %s", NN(o.reason)))
		CHECK(o.t.uid == 1000, "uid %u", o.t.uid);
	target_free(&o.t);
	free(o.reason);
	o = run_changing(pw, 0, NULL, "g:x:5:app\n", 4, "app", &opened);
	CHECK(o.rc == -1 && o.reason && !strcmp(o.reason, "read /etc/group: changed while read"),
	      "group: rc %d reason '%s'", o.rc, NN(o.reason));
	if (o.rc == 0)
		target_free(&o.t);
	free(o.reason);
}
