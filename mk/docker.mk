# make test-docker: gosu in real containers on a Docker engine of the run's
# own (tests/docker/conftest.py says how, and how to add cases). Needs root;
# the Debian root filesystem is cached in /var/cache/gosu-test.

DOCKER_PROGS := $(B)/docker/injector $(B)/docker/sigterm
DEPS += docker.io mmdebstrap busybox-static tini iproute2

.PHONY: test-docker
test-docker: gosu $(TEST_PROGS) $(DOCKER_PROGS)
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/docker

$(DOCKER_PROGS): $(B)/docker/%: tests/docker/%.c | $(KHDR)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(KHDR_FLAGS) $(CFLAGS) -static -o $@ $<

CHECKS += test-docker
