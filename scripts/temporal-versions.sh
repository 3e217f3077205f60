# The Temporal versions hookrelay is built and tested with, in one place: sourced by temporal-cli.sh and
# temporal-server.sh; docker-compose.yml's image defaults and the docs name the same ones (a unit test,
# test/unit/one-home.test.ts, compares them). The server is the one the CLI's dev server embeds.
TEMPORAL_CLI_DEFAULT_VERSION=v1.5.1
TEMPORAL_SERVER_DEFAULT_VERSION=v1.29.1
TEMPORAL_UI_DEFAULT_VERSION=v2.42.1
