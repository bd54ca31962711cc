# make image: the gosu image, FROM scratch with only /gosu (this machine's
# release binary, dist/gosu-<arch>) and its licence, tagged gosu:<version>,
# as a tarball for `docker load -i build/image/gosu-<version>-<arch>.tar`
# (scripts/image.py builds it on a Docker engine of its own, which is gone
# when make is done). Then, in a Dockerfile:
#   COPY --from=gosu:<version> /gosu /usr/local/bin/gosu

GOSU_VERSION := $(shell sed -n 's/^\#define GOSU_VERSION "\(.*\)"$$/\1/p' src/version.h)
IMAGE_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
IMAGE_TAR := $(B)/image/gosu-$(GOSU_VERSION)-$(IMAGE_ARCH).tar

.PHONY: image
image: $(IMAGE_TAR)

$(IMAGE_TAR): $(DIST)/gosu-$(IMAGE_ARCH) LICENSE scripts/image.py tests/docker/dockerengine.py
	@mkdir -p $(@D)
	$(PYTHON) scripts/image.py $< LICENSE $(IMAGE_ARCH) $@

# The real-engine suite loads it (tests/docker/test_image.py).
test-docker: $(IMAGE_TAR)
