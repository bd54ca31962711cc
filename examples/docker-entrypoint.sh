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
#   CHOWN_DIRS  directories (space-separated) whose files must belong to
#               USER_ID:GROUP_ID (default /data); only files owned otherwise
#               are changed, symbolic links are never followed and other
#               file systems mounted below are left alone
#   GOSU        the gosu to run (default: gosu from PATH)
#
# An id already in the image is reused under its own name (uid 1000 is
# "node" in node images, "ubuntu" in Ubuntu's); APP_USER or APP_GROUP
# existing with other ids get the asked-for ones. Users and groups are
# added with useradd/groupadd (Debian), adduser/addgroup (Alpine's
# BusyBox), or by appending lines to /etc/passwd, /etc/group and their
# shadow files when neither exists. Started as another user than root
# (docker run --user), it changes nothing and runs COMMAND as it is.
#
# POSIX sh; needs awk, find, chown and mkdir (BusyBox's will do).
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
	if command -v groupadd > /dev/null 2>&1; then
		groupadd -g "$2" "$1"
	elif busybox_adduser; then
		addgroup -g "$2" "$1"
	else
		echo "$1:x:$2:" >> /etc/group
		if [ -f /etc/gshadow ]; then echo "$1:!::" >> /etc/gshadow; fi
	fi
}

add_user() { # name uid group-name gid home
	if command -v useradd > /dev/null 2>&1; then
		# -l: no lastlog/faillog entry (a sparse file as large as the uid)
		useradd -l -M -N -u "$2" -g "$4" -d "$5" -s /bin/sh "$1"
	elif busybox_adduser; then
		adduser -D -H -u "$2" -G "$3" -h "$5" -s /bin/sh "$1"
	else
		echo "$1:x:$2:$4::$5:/bin/sh" >> /etc/passwd
		if [ -f /etc/shadow ]; then echo "$1:!:::::::" >> /etc/shadow; fi
	fi
}

if [ "$USER_ID" = 0 ]; then
	# Root stays root: its entries are not the image's to rewrite.
	group=$GROUP_ID
else
	# The group: the one that has GROUP_ID, or APP_GROUP given that gid, or new.
	group=$(name_of_id /etc/group "$GROUP_ID")
	if [ -z "$group" ]; then
		old=$(field_of /etc/group "$APP_GROUP" 3)
		if [ -n "$old" ]; then
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
		rewrite /etc/passwd -v name="$APP_USER" -v uid="$USER_ID" \
			'$1 == name && !done { $3 = uid; done = 1 } { print }'
		user=$APP_USER
		# Its home still belongs to the old uid, as usermod -u would fix.
		home=$(field_of /etc/passwd "$user" 6)
		if [ -d "$home" ] && [ "$home" != / ]; then CHOWN_DIRS="$CHOWN_DIRS $home"; fi
	fi
	if [ -z "$user" ]; then
		add_user "$APP_USER" "$USER_ID" "$group" "$GROUP_ID" "$APP_HOME"
		user=$APP_USER
		if [ ! -e "$APP_HOME" ]; then
			mkdir -p "$APP_HOME"
			chown "$USER_ID:$GROUP_ID" "$APP_HOME"
		fi
	elif [ "$(field_of /etc/passwd "$user" 4)" != "$GROUP_ID" ]; then
		rewrite /etc/passwd -v name="$user" -v gid="$GROUP_ID" \
			'$1 == name && !done { $4 = gid; done = 1 } { print }'
	fi
fi

# Ownership, only where it is wrong: files already right keep their ctime,
# and a large volume costs one walk, not one chown per file.
set -f # split CHOWN_DIRS at spaces, expand no pattern
for dir in $CHOWN_DIRS; do
	[ -e "$dir" ] || continue
	find "$dir" -xdev \( ! -user "$USER_ID" -o ! -group "$GROUP_ID" \) \
		-exec chown -h "$USER_ID:$GROUP_ID" {} +
done
set +f

# uid alone: gosu takes the entry's gid and home, and its /etc/group
# memberships. Root with another group: both ids.
if [ "$USER_ID" = 0 ]; then
	exec "$GOSU" "0:$GROUP_ID" "$@"
fi
exec "$GOSU" "$USER_ID" "$@"
