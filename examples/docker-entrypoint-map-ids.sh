#!/bin/sh
# docker-entrypoint-map-ids.sh COMMAND [ARG...]
#
# docker-entrypoint.sh's job in one line: run COMMAND as the image's "app"
# account with the ids of USER_ID and GROUP_ID (unset: app's own ids), its
# home and /data given to those ids. gosu rewrites only app's lines of
# /etc/passwd, /etc/group and /etc/gshadow (or, with a read-only or
# bind-mounted /etc, runs from the planned contents), never follows a
# symlink, never leaves /data's or the home's mount, and does nothing more
# on a restart. An image without a shell can say the same in its Dockerfile:
#
#   ENTRYPOINT ["gosu", "--map-ids=env", "--map-chown=/data", "app"]
exec gosu --map-ids=env --map-chown=/data app "$@"
