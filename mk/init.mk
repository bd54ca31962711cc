# --init's tests run the same scenarios through Debian's tini, and the
# job-control case through an interactive bash under a pty.
DEPS += tini bash

# The --init benchmark runs the probe as COMMAND, recording signals.
bench-tools: $(B)/probe
