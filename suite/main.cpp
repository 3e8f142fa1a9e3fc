#include "suite/cli.h"

int main(int argc, char** argv) { return parity::suite::run_cli(argc, argv); }
