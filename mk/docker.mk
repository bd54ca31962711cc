# make test-docker: gosu in real containers on a Docker engine of the run's
# own (tests/docker/conftest.py says how, and how to add cases). Needs root;
# the Debian root filesystem is cached in /var/cache/gosu-test.

DOCKER_PROGS := $(B)/docker/injector $(B)/docker/sigterm
DEPS += docker.io mmdebstrap busybox-static tini iproute2

# Installing docker.io must not start Debian's own dockerd on the host,
# outside any network namespace: the package goes in first, with a
# policy-rc.d that refuses every service start (unless the machine has its
# own), and under systemd its units are left disabled and stopped.
.PHONY: deps-docker
deps: deps-docker
deps-docker:
	@if ! dpkg-query -W -f '$${Status}' docker.io 2>/dev/null | grep -q '^install ok installed$$'; then \
		apt-get update -qq; \
		guard=; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			guard=/usr/sbin/policy-rc.d; printf '#!/bin/sh\nexit 101\n' > $$guard; chmod 0755 $$guard; \
		fi; \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends docker.io >/dev/null; \
		rc=$$?; \
		if [ -n "$$guard" ]; then rm -f $$guard; fi; \
		if [ -d /run/systemd/system ]; then systemctl disable --now docker.socket docker.service; fi; \
		exit $$rc; \
	fi

.PHONY: test-docker
test-docker: gosu $(TEST_PROGS) $(DOCKER_PROGS)
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/docker

$(DOCKER_PROGS): $(B)/docker/%: tests/docker/%.c | $(KHDR)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(KHDR_FLAGS) $(CFLAGS) -static -o $@ $<

CHECKS += test-docker
