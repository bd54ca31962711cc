#!/bin/sh
# docker-entrypoint.sh COMMAND [ARG...]
#
# The common entrypoint pattern: started as root, make the image's user and
# group match the ids the host wants (so files written to a volume belong
# to the host user), fix the ownership of the volume where it is wrong, and
# become that user in place with gosu: same PID, signals reach COMMAND.
#
#   USER_ID     uid to run as (default 1000)
#   GROUP_ID    gid to run as (default: USER_ID)
#   APP_USER    name for the user if uid USER_ID has none (default app)
#   APP_GROUP   name for the group if gid GROUP_ID has none (default APP_USER)
#   APP_HOME    home of a user created here (default /home/APP_USER)
#   CHOWN_DIRS  directories (space-separated) that must belong to
#               USER_ID:GROUP_ID (default /data), so that the user can write
#               there. A directory of the image is made theirs with all it
#               holds: only entries owned otherwise are changed, symbolic
#               links are never followed, file systems mounted below are
#               left alone. A directory that is a mount point of its own (a
#               host directory, -v "$PWD:/data", or a volume) belongs to the
#               host: only its top is changed, and only if root owns it (as
#               Docker makes a fresh volume or a missing host directory);
#               the files in it, other host users' among them, are never
#               re-owned. Without /proc every directory counts as a mount.
#   CHOWN_MOUNTS set to 1 to walk mount points too, as image directories
#               (a named volume filled from the image; never a host directory)
#   GOSU        the gosu to run (default: gosu from PATH)
#
# An id already in the image is reused under its own name (uid 1000 is
# "node" in node images, "ubuntu" in Ubuntu's); APP_USER or APP_GROUP
# existing with other ids get the asked-for ones, and, as usermod does, the
# entries of their home that had the old uid or gid get the new one. Users
# and groups are added with useradd/groupadd (Debian), adduser/addgroup
# (Alpine's BusyBox), or by appending lines to /etc/passwd, /etc/group and
# their shadow files when neither exists. Nothing is written when the
# image already has the ids, so a restart, or a read-only root
# (docker run --read-only) with an image made for those ids, just runs;
# a change that cannot be made (a read-only /etc, no CAP_CHOWN) stops with
# a message saying so. Started as another user than root (docker run
# --user), it changes nothing and runs COMMAND as it is.
#
# POSIX sh; needs awk, find, chown, chgrp and mkdir (BusyBox's will do).
# shellcheck disable=SC2016 # the awk programs are in single quotes on purpose
set -eu

die() {
	echo "docker-entrypoint: $*" >&2
	exit 1
}

[ $# -gt 0 ] || die "no command given"

if [ "$(id -u)" != 0 ]; then
	# Not root: nothing can be changed, and nothing needs to be.
	exec "$@"
fi

# An id: digits only, within gosu's range 0-2147483647; leading zeros dropped.
id_arg() {
	case $2 in
	'' | *[!0-9]*) die "$1 must be a number, not '$2'" ;;
	esac
	v=$(printf '%s\n' "$2" | sed 's/^0*//')
	[ -n "$v" ] || v=0
	{ [ ${#v} -le 10 ] && [ "$v" -le 2147483647 ]; } || die "$1 $2 is out of range 0-2147483647"
	printf '%s\n' "$v"
}

name_arg() {
	case $2 in
	'' | -* | *[!A-Za-z0-9._-]*) die "$1 '$2' is not a valid name" ;;
	esac
}

USER_ID=$(id_arg USER_ID "${USER_ID:-1000}")
GROUP_ID=$(id_arg GROUP_ID "${GROUP_ID:-$USER_ID}")
APP_USER=${APP_USER:-app}
APP_GROUP=${APP_GROUP:-$APP_USER}
APP_HOME=${APP_HOME:-/home/$APP_USER}
CHOWN_DIRS=${CHOWN_DIRS-/data}
CHOWN_MOUNTS=${CHOWN_MOUNTS:-0}
GOSU=${GOSU:-gosu}
name_arg APP_USER "$APP_USER"
name_arg APP_GROUP "$APP_GROUP"

# The name of the first entry of FILE whose field 3 (uid, gid) is ID.
name_of_id() {
	[ -f "$1" ] || return 0
	awk -F: -v id="$2" '/^[ \t]*#/ { next } $3 ~ /^[0-9]+$/ && $3 == id { print $1; exit }' "$1"
}

# Field N of the first entry of FILE named NAME.
field_of() {
	[ -f "$1" ] || return 0
	awk -F: -v name="$2" -v n="$3" '$1 == name { print $n; exit }' "$1"
}

# Whether the process has capability number N in its effective set.
has_cap() {
	eff=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status 2> /dev/null) || eff=
	[ -n "$eff" ] && [ $((0x$eff >> $1 & 1)) = 1 ]
}

# Called before the first change to /etc: a clear error instead of the
# tools' own when it cannot be made.
can_change_etc() { # what
	# Opened for appending, nothing written: `test -w` is true for root on
	# a read-only file system in BusyBox.
	for f in /etc/passwd /etc/group; do
		[ ! -e "$f" ] || true 2> /dev/null >> "$f" ||
			die "cannot $1: /etc is read-only (docker run --read-only?); give the image that user, or a writable /etc"
	done
}

# useradd and groupadd give their new files the old files' owners: that
# takes CAP_CHOWN (docker run --cap-drop ALL or CHOWN removes it).
can_chown() { # what
	has_cap 0 || die "cannot $1: CAP_CHOWN is missing (docker run --cap-drop?); add it, or give the image that user"
}

# Rewrites FILE through the awk program, in place (the same inode: /etc/passwd
# may be a bind mount of its own), keeping its mode.
rewrite() {
	file=$1
	shift
	awk -F: -v OFS=: "$@" "$file" > "$file+" || { rm -f "$file+"; die "cannot rewrite $file"; }
	cat "$file+" > "$file"
	rm -f "$file+"
}

busybox_adduser() {
	command -v adduser > /dev/null 2>&1 && command -v addgroup > /dev/null 2>&1 &&
		adduser --help 2>&1 | grep -q BusyBox
}

add_group() { # name gid
	can_change_etc "add group $1 ($2)"
	if command -v groupadd > /dev/null 2>&1; then
		can_chown "add group $1 ($2)"
		groupadd -g "$2" "$1" || die "groupadd -g $2 $1 failed"
	elif busybox_adduser; then
		can_chown "add group $1 ($2)"
		addgroup -g "$2" "$1" || die "addgroup -g $2 $1 failed"
	else
		echo "$1:x:$2:" >> /etc/group
		if [ -f /etc/gshadow ]; then echo "$1:!::" >> /etc/gshadow; fi
	fi
}

add_user() { # name uid group-name gid home
	can_change_etc "add user $1 ($2)"
	if command -v useradd > /dev/null 2>&1; then
		can_chown "add user $1 ($2)"
		# -l: no lastlog/faillog entry (a sparse file as large as the uid)
		useradd -l -M -N -u "$2" -g "$4" -d "$5" -s /bin/sh "$1" || die "useradd -u $2 $1 failed"
	elif busybox_adduser; then
		can_chown "add user $1 ($2)"
		adduser -D -H -u "$2" -G "$3" -h "$5" -s /bin/sh "$1" || die "adduser -u $2 $1 failed"
	else
		echo "$1:x:$2:$4::$5:/bin/sh" >> /etc/passwd
		if [ -f /etc/shadow ]; then echo "$1:!:::::::" >> /etc/shadow; fi
	fi
}

# chown_found OWNER DIR FIND-EXPRESSION...: gives OWNER (uid:gid, uid, or
# :gid) to what the expression selects in DIR, symbolic links themselves.
# Without CAP_CHOWN that fails clearly, when there is something to change.
chown_found() {
	owner=$1
	shift
	if ! has_cap 0; then
		[ -z "$(find "$@" -print | head -n 1)" ] ||
			die "cannot give $1 to $owner: CAP_CHOWN is missing (docker run --cap-drop?)"
		return 0
	fi
	find "$@" -exec chown -h "$owner" {} +
}

# Whether DIR (a full path without symbolic links) is a mount point of its
# own: a host directory or a volume. Without /proc/self/mountinfo every
# directory counts as one, so that a host's tree is never walked.
is_mount() {
	[ -r /proc/self/mountinfo ] || return 0
	awk -v d="$1" '$5 == d { found = 1 } END { exit !found }' /proc/self/mountinfo
}

if [ "$USER_ID" = 0 ]; then
	# Root stays root: its entries are not the image's to rewrite.
	group=$GROUP_ID
else
	passwd_before=$(cat /etc/passwd 2> /dev/null) || passwd_before=
	# The group: the one that has GROUP_ID, or APP_GROUP given that gid, or new.
	group=$(name_of_id /etc/group "$GROUP_ID")
	if [ -z "$group" ]; then
		old=$(field_of /etc/group "$APP_GROUP" 3)
		if [ -n "$old" ]; then
			can_change_etc "give group $APP_GROUP gid $GROUP_ID"
			rewrite /etc/group -v name="$APP_GROUP" -v gid="$GROUP_ID" \
				'$1 == name && !done { $3 = gid; done = 1 } { print }'
			rewrite /etc/passwd -v old="$old" -v gid="$GROUP_ID" \
				'!/^[ \t]*#/ && $4 == old && $4 ~ /^[0-9]+$/ { $4 = gid } { print }'
		else
			add_group "$APP_GROUP" "$GROUP_ID"
		fi
		group=$APP_GROUP
	fi

	# The user: the one that has USER_ID, or APP_USER given that uid, or new;
	# either way with GROUP_ID as its primary group.
	user=$(name_of_id /etc/passwd "$USER_ID")
	if [ -z "$user" ] && [ -n "$(field_of /etc/passwd "$APP_USER" 3)" ]; then
		can_change_etc "give user $APP_USER uid $USER_ID"
		rewrite /etc/passwd -v name="$APP_USER" -v uid="$USER_ID" \
			'$1 == name && !done { $3 = uid; done = 1 } { print }'
		user=$APP_USER
	fi
	if [ -z "$user" ]; then
		add_user "$APP_USER" "$USER_ID" "$group" "$GROUP_ID" "$APP_HOME"
		user=$APP_USER
		if [ ! -e "$APP_HOME" ]; then
			mkdir -p "$APP_HOME"
			chown_found "$USER_ID:$GROUP_ID" "$APP_HOME" -maxdepth 0
		fi
	elif [ "$(field_of /etc/passwd "$user" 4)" != "$GROUP_ID" ]; then
		can_change_etc "give user $user group $GROUP_ID"
		rewrite /etc/passwd -v name="$user" -v gid="$GROUP_ID" \
			'$1 == name && !done { $4 = gid; done = 1 } { print }'
	fi

	# As usermod -u and -g do: what had the user's old uid or gid in its
	# home (of the image, not a mount of its own) gets the new one.
	was=$(printf '%s\n' "$passwd_before" | awk -F: -v name="$user" '$1 == name { print $3 ":" $4; exit }')
	home=$(field_of /etc/passwd "$user" 6)
	if [ -n "$was" ] && [ "$home" != / ] && [ -d "$home" ] &&
		home=$(cd "$home" && pwd -P) && ! is_mount "$home"; then
		if [ "${was%%:*}" != "$USER_ID" ]; then
			chown_found "$USER_ID" "$home" -xdev -user "${was%%:*}"
		fi
		if [ "${was#*:}" != "$GROUP_ID" ]; then
			chown_found ":$GROUP_ID" "$home" -xdev -group "${was#*:}"
		fi
	fi
fi

# Ownership, only where it is wrong: files already right keep their ctime,
# and a large volume costs one walk, not one chown per file. A mount point
# is the host's (see CHOWN_DIRS): its top only, and only from root.
set -f # split CHOWN_DIRS at spaces, expand no pattern
for dir in $CHOWN_DIRS; do
	[ -e "$dir" ] || continue
	if [ -d "$dir" ]; then dir=$(cd "$dir" && pwd -P); fi
	if [ "$CHOWN_MOUNTS" != 1 ] && is_mount "$dir"; then
		chown_found "$USER_ID:$GROUP_ID" "$dir" -maxdepth 0 -user 0 \
			\( ! -user "$USER_ID" -o ! -group "$GROUP_ID" \)
	else
		chown_found "$USER_ID:$GROUP_ID" "$dir" -xdev \( ! -user "$USER_ID" -o ! -group "$GROUP_ID" \)
	fi
done
set +f

# uid alone: gosu takes the entry's gid and home, and its /etc/group
# memberships. Root with another group: both ids.
if [ "$USER_ID" = 0 ]; then
	exec "$GOSU" "0:$GROUP_ID" "$@"
fi
exec "$GOSU" "$USER_ID" "$@"
